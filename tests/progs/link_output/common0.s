# A common of size 0 (the link fuzzer's finding): it still needs a
# section to be in, and the link must not crash looking for it.
    .comm zero, 0, 1
    .text
    .globl _start
_start:
    leaq zero(%rip), %rax
    movl $42, %edi
    movl $60, %eax
    syscall
