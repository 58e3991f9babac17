/* Object M of tests/swap_more.t, in versions (VER is the answer): where
 * a stopped thread may be when a swap is tried. */
__thread long m_tls; /* a thread-local variable: the swap moves TLS */

int m_version(void) { return VER; }
long m_tinc(void) { return ++m_tls; }

/* spins inside M until *go: a thread stopped here is in code being
 * replaced */
int m_spin(volatile int *go)
{
    while (!*go)
        __asm__ volatile("pause");
    return VER;
}

/* calls back out of M (not a tail call): while the callback runs, the
 * thread's stack holds a return address into M */
int m_call(int (*cb)(void)) { return cb() * 10 + VER; }

/* m_tramp: "push %rbx" (1 byte, for the stack's alignment) then "call
 * *%rdi" (2 bytes), so while the callback runs the return address is
 * m_tramp+3, inside the 5 bytes the swap's first stop rewrites into a
 * jump to the new m_tramp */
__asm__(".text\n"
        ".globl m_tramp\n"
        ".type m_tramp, @function\n"
        "m_tramp:\n"
        "  push %rbx\n"
        "  call *%rdi\n"
        "  pop %rbx\n"
        "  nop; nop; nop; nop; nop; nop\n"
        "  add $" VERSTR ", %eax\n"
        "  ret\n"
        ".size m_tramp, .-m_tramp\n");
