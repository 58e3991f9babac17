# .note.gnu.property: x86 feature IBT (AND), ISA needed x86-64-v2 (OR),
# feature used x86 and x87 (OR over inputs that all have it).
	.section .note.gnu.property,"a"
	.align 8
	.long 4, 2f - 1f, 5
	.asciz "GNU"
1:	.long 0xc0000002, 4, 1		# GNU_PROPERTY_X86_FEATURE_1_AND: IBT
	.align 8
	.long 0xc0008002, 4, 2		# GNU_PROPERTY_X86_ISA_1_NEEDED: x86-64-v2
	.align 8
	.long 0xc0010001, 4, 3		# GNU_PROPERTY_X86_FEATURE_2_USED: x86, x87
	.align 8
2:
	.data
	.globl ibt_data
ibt_data: .long 1
	.section .note.GNU-stack,"",@progbits
