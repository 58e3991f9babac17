# A GNU property note with IBT and SHSTK, a processor-specific OR type
# and a user type (0xe0000001) no linker knows.
	.section .note.gnu.property,"a",@note
	.p2align 3
	.long 4, 2f-1f, 5
	.asciz "GNU"
1:	.long 0xc0000002, 4, 3, 0
	.long 0xc000ff00, 4, 1, 0
	.long 0xe0000001, 4, 1, 0
2:
	.data
	.long 1
	.section .note.GNU-stack,"",@progbits
