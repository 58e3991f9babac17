# missing_in_dead is used only by a section --gc-sections drops;
# missing_in_debug by debug information, which ld.bfd still reports.
.globl _start
.text
_start:
    mov $60, %eax
    mov $4, %edi
    syscall
.section .text.dead,"ax",@progbits
.globl dead
dead:
    call missing_in_dead
.section .note.GNU-stack,"",@progbits
