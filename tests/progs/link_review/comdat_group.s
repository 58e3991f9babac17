	.section .text._Z1fv,"axG",@progbits,_Z1fv,comdat
	.globl _Z1fv
_Z1fv:	movl $1,%eax
	ret
