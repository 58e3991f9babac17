# Code in the sections gcc uses for hot, cold, start-up and exit code, for
# -z keep-text-section-prefix.
	.globl _start
	.text
_start:	call hot
	call cold
	mov $60, %eax
	xor %edi, %edi
	syscall
	.section .text.hot,"ax"
hot:	ret
	.section .text.unlikely,"ax"
cold:	ret
	.section .text.startup,"ax"
st:	ret
	.section .text.exit,"ax"
ex:	ret
	.section .note.GNU-stack,"",@progbits
