# unused_undef is declared global and never used: no undefined reference.
.globl _start
.globl unused_undef
.text
_start:
    mov $60, %eax
    mov $3, %edi
    syscall
.section .note.GNU-stack,"",@progbits
