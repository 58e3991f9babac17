# .note.gnu.property: x86 feature SHSTK only, ISA needed baseline,
# feature used MMX.
	.section .note.gnu.property,"a"
	.align 8
	.long 4, 2f - 1f, 5
	.asciz "GNU"
1:	.long 0xc0000002, 4, 2		# GNU_PROPERTY_X86_FEATURE_1_AND: SHSTK
	.align 8
	.long 0xc0008002, 4, 1		# GNU_PROPERTY_X86_ISA_1_NEEDED: x86-64-baseline
	.align 8
	.long 0xc0010001, 4, 4		# GNU_PROPERTY_X86_FEATURE_2_USED: MMX
	.align 8
2:
	.data
	.globl used_data
used_data: .long 2
	.section .note.GNU-stack,"",@progbits
