# u: a STB_GNU_UNIQUE definition in an ordinary section (as g++ emits for
# an inline static member, but outside a COMDAT group)
	.globl	u
	.type	u, @gnu_unique_object
	.size	u, 4
	.data
u:	.long	1
	.section .note.GNU-stack,"",@progbits
