# The COMDAT group foo, kept, and the entry point.
	.section .text.foo,"axG",@progbits,foo,comdat
	.globl foo
foo:	ret
	.text
	.globl _start
_start: call foo
	ret
