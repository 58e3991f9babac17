# .eh_frame whose first record is shorter than its own id (length 2),
# followed by bytes that would read as a CIE.
	.text
	.globl	eh_short
eh_short: ret
	.section .eh_frame,"a",@progbits
	.long	2
	.long	0
	.byte	1
	.string	"zR"
	.byte	1, 0x78, 16, 1, 0x1b, 0, 0, 0
	.section .note.GNU-stack,"",@progbits
