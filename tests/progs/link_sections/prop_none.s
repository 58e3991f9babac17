# No .note.gnu.property at all (hand-written assembly): the output may
# not claim IBT or SHSTK for it.
	.data
	.globl none_data
none_data: .long 3
	.section .note.GNU-stack,"",@progbits
