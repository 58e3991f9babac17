# Local symbols of every kind for -x, -X, --discard-none, -S (assembled
# with as -L, which keeps the .L labels): temporary labels in code, in a
# merged string section, in data and in a debugging section; plain locals
# in each of them.
	.text
	.globl _start
_start:
.Lfoo:
	lea .Lstr(%rip), %rax
	call helper
	mov $60, %eax
	xor %edi, %edi
	syscall
helper:
.Lbar:
	ret
	.section .rodata.str1.1,"aMS",@progbits,1
.Lstr:
	.string "hello"
	.data
var:	.long 1
.Ldvar:	.long 2
	.section .debug_info,"",@progbits
.Ldbg:	.long 0
dbgsym:	.long 0
	.section .note.GNU-stack,"",@progbits
