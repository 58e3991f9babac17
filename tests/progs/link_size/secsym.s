# References to strings through the section symbol plus an addend, as a
# hand-written or older compiler's code makes them: an absolute
# R_X86_64_32 (offset 6, inside the second string), and a PC32 whose
# addend holds the -4 (GNU ld finds the string holding the addend and
# keeps the offset within it).
	.section .rodata.str1.1,"aMS",@progbits,1
	.string "first"
	.string "second string"
	.string "third"
	.text
	.globl	secsym_abs
secsym_abs:
	movl	$.rodata.str1.1+6, %eax
	ret
	.globl	secsym_pc
secsym_pc:
	leaq	.rodata.str1.1+20(%rip), %rax
	ret
	.section .note.GNU-stack,"",@progbits
