# .eh_frame whose CIE has an augmentation no linker knows ("zQ").
	.text
	.globl	eh_aug
eh_aug:	ret
	.section .eh_frame,"a",@progbits
cie:	.long	cie_end - cie - 4
	.long	0
	.byte	1
	.string	"zQ"
	.uleb128 1
	.sleb128 -8
	.byte	16
	.uleb128 0
	.balign	4
cie_end:
fde:	.long	fde_end - fde - 4
	.long	fde + 4 - cie
	.long	eh_aug - .
	.long	1
	.balign	4
fde_end:
	.section .note.GNU-stack,"",@progbits
