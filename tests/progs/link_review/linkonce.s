	.section .gnu.linkonce.t._Z1fv,"ax",@progbits
	.globl _Z1fv
_Z1fv:	movl $2,%eax
	ret
