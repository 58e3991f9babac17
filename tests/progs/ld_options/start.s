# A program of its own: _start exits with status 0 (no libc).
	.text
	.globl _start
_start:
	mov $60, %eax
	xor %edi, %edi
	syscall
	.section .note.GNU-stack,"",@progbits
