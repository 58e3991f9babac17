	.text
	.globl _start
_start: call _Z1fv
	movl %eax,%edi
	movl $60,%eax
	syscall
