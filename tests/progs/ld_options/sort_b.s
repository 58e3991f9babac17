# A second file's .text and .text.beta: sorting works across files.
	.section .text.beta,"ax"
	.p2align 3
beta:	ret
	.section .text,"ax"
t2:	ret
	.section .note.GNU-stack,"",@progbits
