# A .note.gnu.property whose descriptor size runs past the section: its
# properties are ignored (with a warning), so the output claims no IBT.
	.section .note.gnu.property,"a"
	.align 8
	.long 4, 64, 5
	.asciz "GNU"
	.long 0xc0000002, 4, 3
	.align 8
	.section .note.GNU-stack,"",@progbits
