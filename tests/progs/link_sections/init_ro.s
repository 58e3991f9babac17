# An .init_array entry in a read-only PROGBITS section (as old assemblers
# and hand-written code make it): it must join the other objects'
# INIT_ARRAY .init_array, and run.
	.text
	.type init_ro,@function
init_ro:
	movl $1, ran_ro(%rip)
	ret
	.section .init_array,"a",@progbits
	.align 8
	.quad init_ro
	.globl ran_ro
	.bss
	.align 4
ran_ro:	.zero 4
	.section .note.GNU-stack,"",@progbits
