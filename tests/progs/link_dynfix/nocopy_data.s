# A PC-relative word of .data to a library object: with -z nocopyreloc
# an R_X86_64_PC32 dynamic relocation, -no-pie or not
	.text
	.globl main
main:
	xor %eax,%eax
	ret
	.data
	.long stdout - .
	.section .note.GNU-stack,"",@progbits
