# .eh_frame whose first record's length runs past the section's end.
	.text
	.globl	eh_len
eh_len:	ret
	.section .eh_frame,"a",@progbits
	.long	0x1000
	.long	0
	.byte	1
	.section .note.GNU-stack,"",@progbits
