# missing_in_debug is used by debug information only: ld.bfd reports it.
.globl _start
.text
_start:
    mov $60, %eax
    mov $5, %edi
    syscall
.section .debug_info,"",@progbits
    .quad missing_in_debug
.section .note.GNU-stack,"",@progbits
