# Sections of several alignments under .text.*, .data.*, .rodata.*, out of
# name order, for --sort-section (with sort_b.s).
	.globl _start
	.section .text.zeta,"ax"
	.p2align 2
zeta:	ret
	.section .text.alpha,"ax"
	.p2align 5
alpha:	ret
	.section .text.mid,"ax"
	.p2align 4
mid:	ret
	.text
_start:	mov $60,%eax
	syscall
	.section .data.z,"aw"
	.p2align 3
dz:	.quad 1
	.section .data.a,"aw"
	.p2align 1
da:	.byte 1
	.section .rodata.y,"a"
ry:	.byte 1
	.section .rodata.b,"a"
	.p2align 4
rb:	.byte 1
	.section .note.GNU-stack,"",@progbits
