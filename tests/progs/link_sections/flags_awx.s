# A writable and executable text section (joining .text): keel refuses it,
# it never makes a page writable and executable.
	.section .text.rwx,"awx",@progbits
	.globl main
main:	xor %eax, %eax
	ret
	.section .note.GNU-stack,"",@progbits
