# An executable of about 100 KB, for a file system too small to hold it.
    .text
    .globl _start
_start:
    movl $42, %edi
    movl $60, %eax
    syscall

    .data
    .fill 100000, 1, 7
