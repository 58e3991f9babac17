# Loads through the GOT that GNU ld relaxes in a static executable
# (GOTPCRELX, REX_GOTPCRELX): mov to mov $imm (an undefined weak one: 0;
# lea above 2 GiB), test and the binary operations to their immediate forms, call
# and jmp through the slot to direct ones.  main prints what it computed.
	.text
	.globl main
	.type main,@function
main:
	push %r12
	mov gvar@GOTPCREL(%rip), %rax		# 48 8b: mov $gvar
	mov (%rax), %esi			# 42
	mov wund@GOTPCREL(%rip), %r12		# 4c 8b, weak undefined: mov $0
	add %r12, %rsi
	lea gvar(%rip), %rdx
	sub gvar@GOTPCREL(%rip), %rdx		# 48 2b: sub $gvar (0 after)
	add %rdx, %rsi
	xor %ecx, %ecx
	add gvar@GOTPCREL(%rip), %rcx		# 48 03: add $gvar
	lea gvar(%rip), %rax
	cmp gvar@GOTPCREL(%rip), %rax		# 48 3b: cmp $gvar
	jne 1f
	cmp %rax, %rcx
	jne 1f
	inc %rsi				# 43
1:	mov $-1, %r8
	test %r8, wund@GOTPCREL(%rip)		# 4c 85: test $0
	jnz 2f
	inc %rsi				# 44
2:	mov $0x4c, %cl				# b1 4c: a last byte that looks like REX.WR
	mov gvar@GOTPCREL(%rip), %edx		# 8b (32-bit, GOTPCRELX, no REX): mov $gvar
	movzbl %cl, %ecx
	add %rcx, %rsi				# 45 + 76: the mov before is intact
	and gvar@GOTPCREL(%rip), %edx		# 23 (32-bit): and $gvar
	lea gvar(%rip), %rax
	cmp %eax, %edx
	jne 3f
	inc %rsi				# 122
3:	mov %rsi, %rdi
	call *twice@GOTPCREL(%rip)		# ff 15: addr32 call
	mov %rax, %rsi
	lea fmt(%rip), %rdi
	xor %eax, %eax
	call printf
	pop %r12
	jmp *finish@GOTPCREL(%rip)		# ff 25: jmp; nop

	.type twice,@function
twice:	lea (%rdi,%rdi), %rax
	ret
	.type finish,@function
finish:	xor %eax, %eax
	ret

	.data
	.align 4
gvar:	.long 42
	.weak wund
	.section .rodata
fmt:	.asciz "%ld\n"
	.section .note.GNU-stack,"",@progbits
