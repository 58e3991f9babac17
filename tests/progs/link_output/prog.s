# A program whose exit status depends on its relocations: the load of
# `value` (R_X86_64_PC32 into .data) and the call (R_X86_64_PLT32); left
# unrelocated it exits with something other than 42 or crashes.
    .text
    .globl _start
_start:
    movl value(%rip), %edi
    call helper
    movl $60, %eax
    syscall
helper:
    addl $2, %edi
    ret

    .data
value:
    .long 40

