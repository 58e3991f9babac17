	.section .foobar,"ax"
	.globl fb_ax
fb_ax:	.quad 0x33
	.section .note.GNU-stack,"",@progbits
