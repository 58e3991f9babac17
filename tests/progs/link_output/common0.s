# Commons of size 0, an ordinary one and a thread-local one (the link
# fuzzer's finding): each still needs a section to be in, and the link
# must not crash looking for it.
    .comm zero, 0, 1
    .tls_common tzero, 0, 1
    .text
    .globl _start
_start:
    leaq zero(%rip), %rax
    movq $tzero@tpoff, %rax
    movl $42, %edi
    movl $60, %eax
    syscall
