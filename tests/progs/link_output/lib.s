# An archive member prog_lib.o: what main.s calls.
    .text
    .globl helper2
helper2:
    leal 2(%rdi), %eax
    ret
