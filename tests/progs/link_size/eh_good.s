# The same FDE with a good CIE: this one parses (the control case).
	.text
	.globl	eh_good
eh_good: ret
	.section .eh_frame,"a",@progbits
cie:	.long	cie_end - cie - 4
	.long	0
	.byte	1
	.string	"zR"
	.uleb128 1
	.sleb128 -8
	.byte	16
	.uleb128 1
	.byte	0x1b
	.byte	0x0c, 7, 8
	.byte	0x90, 1
	.balign	4
cie_end:
fde:	.long	fde_end - fde - 4
	.long	fde + 4 - cie
	.long	eh_good - .
	.long	1
	.uleb128 0
	.balign	4
fde_end:
	.section .note.GNU-stack,"",@progbits
