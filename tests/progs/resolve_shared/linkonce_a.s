# The same .gnu.linkonce names as linkonce_b.s: the first file's copies win.
.section .gnu.linkonce.t.shared_fn,"ax",@progbits
.globl shared_fn
shared_fn:
    mov $1, %eax
    ret
.section .gnu.linkonce.d.shared_var,"aw",@progbits
.globl shared_var
shared_var:
    .long 10
.section .gnu.linkonce.r.shared_text,"a",@progbits
.globl shared_text
shared_text:
    .asciz "copy a"
.text
.globl from_a
from_a:
    call shared_fn
    add shared_var(%rip), %eax
    ret
.globl text_a
text_a:
    lea shared_text(%rip), %rax
    ret
.section .note.GNU-stack,"",@progbits
