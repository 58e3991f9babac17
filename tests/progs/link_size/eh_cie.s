# .eh_frame with a good CIE and an FDE whose CIE pointer leads nowhere.
	.text
	.globl	eh_cie
eh_cie:	ret
	.section .eh_frame,"a",@progbits
cie:	.long	cie_end - cie - 4
	.long	0			# CIE id
	.byte	1			# version
	.string	"zR"
	.uleb128 1			# code alignment
	.sleb128 -8			# data alignment
	.byte	16			# return address register
	.uleb128 1			# augmentation data length
	.byte	0x1b			# FDE pointers: pcrel sdata4
	.byte	0x0c, 7, 8		# DW_CFA_def_cfa rsp+8
	.byte	0x90, 1			# DW_CFA_offset r16 at cfa-8
	.balign	4
cie_end:
fde:	.long	fde_end - fde - 4
	.long	fde + 4 - cie + 64	# before the section: no CIE there
	.long	eh_cie - .		# start
	.long	1			# range
	.uleb128 0			# augmentation data length
	.balign	4
fde_end:
	.section .note.GNU-stack,"",@progbits
