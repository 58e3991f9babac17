# Non-PIC code: a call to wb alone (its PLT entry), wh's address and a
# call to it (0: no PLT entry, the call goes to 0), wa in data.
	.weak wa, wb, wh
	.text
	.globl main
main:
	movl $wh, %eax
	test %eax, %eax
	je 1f
	call wh
1:	xor %eax,%eax
	ret
never:
	call wb
	.data
	.quad wa
	.section .note.GNU-stack,"",@progbits
