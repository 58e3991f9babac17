# A function reached by a GOT load and a call: its .plt.got entry, no lazy
# PLT entry (ld.bfd still writes PLT0 and DT_PLTGOT)
	.text
	.globl g
g:
	movq puts@GOTPCREL(%rip), %rax
	jmp puts@PLT
	.section .note.GNU-stack,"",@progbits
