# Initial-exec TLS that GNU ld rewrites to local-exec in an executable:
# movq foo@gottpoff(%rip), %reg (to movq $tpoff), addq to a register
# (leaq tpoff(%reg)), addq to %r12 (addq $tpoff: no leaq form for it);
# REX.R registers too.  Each result is checked against the local-exec
# address.
	.section .tbss,"awT",@nobits
	.align 8
tv1:	.zero 8
tv2:	.zero 8
	.text
	.globl ie_check
	.type ie_check,@function
ie_check:
	push %r12
	push %r13
	xor %eax, %eax
	mov %fs:0, %rdx
	lea tv2@tpoff(%rdx), %rdi		# the address, by local-exec
	movq tv2@gottpoff(%rip), %rcx		# 48 8b
	add %fs:0, %rcx
	cmp %rdi, %rcx
	jne 9f
	inc %eax
	movq tv2@gottpoff(%rip), %r13		# 4c 8b
	add %rdx, %r13
	cmp %rdi, %r13
	jne 9f
	inc %eax
	mov %rdx, %rsi
	addq tv2@gottpoff(%rip), %rsi		# 48 03: leaq
	cmp %rdi, %rsi
	jne 9f
	inc %eax
	mov %rdx, %r12
	addq tv2@gottpoff(%rip), %r12		# 4c 03, r12: addq $
	cmp %rdi, %r12
	jne 9f
	inc %eax
	mov %rdx, %r13
	addq tv1@gottpoff(%rip), %r13		# 4c 03: leaq
	lea tv1@tpoff(%rdx), %rdi
	cmp %rdi, %r13
	jne 9f
	inc %eax
9:	pop %r13
	pop %r12
	ret
	.section .note.GNU-stack,"",@progbits
