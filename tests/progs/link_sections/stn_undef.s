# Relocations against symbol index 0 (STN_UNDEF): gas writes `jmp 0` and
# `call 0x10` as R_X86_64_PC32 with no symbol; S is 0, as GNU ld takes it.
	.text
	.globl _start
_start:
	jmp 0
	call 0x10
	.section .note.GNU-stack,"",@progbits
