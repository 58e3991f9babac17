# Calls, a jmp and a mov through the GOT (GOTPCRELX), which the link
# rewrites as direct ones: --emit-relocs must describe the new code.
	.globl _start
_start:
	call *f@GOTPCREL(%rip)
	jmp *g@GOTPCREL(%rip)
	mov fp@GOTPCREL(%rip), %rax
	.section .note.GNU-stack,"",@progbits
