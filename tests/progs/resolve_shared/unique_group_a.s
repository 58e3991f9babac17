# u: unique, in a COMDAT group named u (the usual form): one copy is kept
	.globl	u
	.type	u, @gnu_unique_object
	.size	u, 4
	.section .data.u,"awG",@progbits,u,comdat
u:	.long	4
	.section .note.GNU-stack,"",@progbits
