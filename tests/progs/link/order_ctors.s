# Legacy .ctors/.dtors (and .ctors.N): a link folds them into the init and
# fini arrays, each section's words reversed, .ctors.N as .init_array.(65535-N).
    .text
c1: lea m1(%rip), %rdi; jmp puts
c2: lea m2(%rip), %rdi; jmp puts
c3: lea m3(%rip), %rdi; jmp puts
d1: lea m4(%rip), %rdi; jmp puts
    .section .ctors,"aw"
    .quad c1
    .quad c2
    .section .ctors.65000,"aw"
    .quad c3
    .section .dtors,"aw"
    .quad d1
    .section .rodata
m1: .asciz "ctors c1"
m2: .asciz "ctors c2"
m3: .asciz "ctors.65000 c3"
m4: .asciz "dtors d1"
    .section .note.GNU-stack,"",@progbits
