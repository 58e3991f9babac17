# No STT_FILE symbol (no .file directive): ld.bfd's lines have no source
# name.  A global function, a local label after it (a function to bfd),
# and data with no symbol.
	.text
	.globl	asm_func
	.type	asm_func, @function
asm_func:
	call	foo
	call	foo
	ret
	.size	asm_func, .-asm_func
label:
	call	bar
	.data
	.quad	foo
	.section .note.GNU-stack,"",@progbits
