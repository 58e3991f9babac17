# Undefined weak symbols reached in each way: wa, wg only by data words;
# wb by a call and a data word; wc by a GOT load; we by a call; wf by a
# GOT load and a call; wi by a GOT load and a data word; wh by a call
# and an absolute address in code (non-PIC `if (&f) f();`: 0, no PLT).
	.weak wa, wb, wc, we, wf, wg, wi
	.text
	.globl main
main:
	xor %eax,%eax
	ret
never:
	call wb@PLT
	movq wc@GOTPCREL(%rip), %rax
	call we
	movq wf@GOTPCREL(%rip), %rax
	call wf@PLT
	movq wi@GOTPCREL(%rip), %rax
	.data
	.quad wa
	.quad wg
	.quad wb
	.quad wi
	.section .note.GNU-stack,"",@progbits
