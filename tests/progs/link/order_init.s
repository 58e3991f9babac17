# .init and .fini fragments of a third object, between crti.o's and
# crtn.o's: they run in command-line order (a call into C, keeping the
# stack as crti.o left it).
    .section .init,"ax",@progbits
    call init_fragment
    .section .fini,"ax",@progbits
    call fini_fragment
    .text
    .globl init_fragment, fini_fragment
init_fragment:
    sub $8, %rsp
    lea msg_init(%rip), %rdi
    call puts
    add $8, %rsp
    ret
fini_fragment:
    sub $8, %rsp
    lea msg_fini(%rip), %rdi
    call puts
    add $8, %rsp
    ret
    .section .rodata
msg_init: .asciz "init fragment"
msg_fini: .asciz "fini fragment"
    .section .note.GNU-stack,"",@progbits
