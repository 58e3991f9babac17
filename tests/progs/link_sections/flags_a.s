	.section .foobar,"a"
	.globl fb_a
fb_a:	.quad 0x22
	.section .note.GNU-stack,"",@progbits
