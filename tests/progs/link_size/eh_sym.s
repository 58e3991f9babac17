# A global symbol on an FDE in .eh_frame (as hand-written unwind tables
# and crtstuff's __EH_FRAME_BEGIN__ have them): its CIE is the one gcc
# writes, so the link keeps an earlier copy and the FDE moves; the
# symbol must move with it.
	.text
	.globl	eh_sym_fn
eh_sym_fn:
	ret
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
	.globl	eh_sym_fde
eh_sym_fde:
	.long	fde_end - eh_sym_fde - 4
	.long	eh_sym_fde + 4 - cie
	.long	eh_sym_fn - .		# start
	.long	1			# range
	.uleb128 0			# augmentation data length
	.balign	4
fde_end:
	.section .note.GNU-stack,"",@progbits
