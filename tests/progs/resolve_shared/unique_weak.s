# u: a weak definition, which a unique one beats
	.weak	u
	.type	u, @object
	.size	u, 4
	.data
u:	.long	3
	.section .note.GNU-stack,"",@progbits
