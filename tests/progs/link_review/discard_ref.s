# The COMDAT group foo again (dropped), and code calling a local label
# in it: a reference to a discarded section, as ld.bfd reports it.
	.section .text.foo,"axG",@progbits,foo,comdat
	.globl foo
foo:	nop
lfoo:	ret
	.text
	.globl bar
bar:	call lfoo
	ret
