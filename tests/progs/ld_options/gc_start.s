# The entry for --print-gc-sections: calls main, leaves .text.dead and
# .bss.z unreferenced, and an empty section (not reported: no contents).
	.globl _start
_start:
	call main
	mov %eax, %edi
	mov $60, %eax
	syscall
	.section .text.dead,"ax"
	ret
	.section .bss.z,"aw",@nobits
	.zero 4
	.section .empty,"ax"
	.section .note.GNU-stack,"",@progbits
