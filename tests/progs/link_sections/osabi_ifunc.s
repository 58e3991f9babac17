# A program that calls an IFUNC: GNU ld marks the output ELFOSABI_GNU.
	.text
	.globl _start
_start:
	call pick
	mov $60, %eax
	xor %edi, %edi
	syscall
	.type pick_impl, @function
pick_impl:
	ret
	.type pick_resolver, @function
pick_resolver:
	lea pick_impl(%rip), %rax
	ret
	.globl pick
	.type pick, @gnu_indirect_function
	.set pick, pick_resolver
	.section .note.GNU-stack,"",@progbits
