# A GNU property note asking for a stack of STACK bytes (assembled with
# --defsym STACK=...), with IBT and SHSTK; with --defsym START=1 the
# entry point.
	.section .note.gnu.property,"a",@note
	.p2align 3
	.long 4, 2f-1f, 5
	.asciz "GNU"
1:	.long 1, 8             # GNU_PROPERTY_STACK_SIZE
	.quad STACK
	.long 0xc0000002, 4, 3 # GNU_PROPERTY_X86_FEATURE_1_AND: IBT, SHSTK
	.p2align 3
2:
	.ifdef START
	.text
	.globl _start
_start: ret
	.endif
	.section .note.GNU-stack,"",@progbits
