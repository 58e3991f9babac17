# A program with an STB_GNU_UNIQUE symbol (what g++ makes of a static
# member of an inline function): GNU ld marks the output ELFOSABI_GNU.
	.text
	.globl _start
_start:
	mov $60, %eax
	xor %edi, %edi
	syscall
	.data
	.globl uniq
	.type uniq, @gnu_unique_object
	.size uniq, 4
uniq:	.long 1
	.section .note.GNU-stack,"",@progbits
