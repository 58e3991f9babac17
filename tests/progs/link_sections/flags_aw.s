	.section .foobar,"aw"
	.globl fb_aw
fb_aw:	.quad 0x11
	.section .note.GNU-stack,"",@progbits
