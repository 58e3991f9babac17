/* The one machine-specific step of the user-space exec client: switching to
 * the new stack and entering the program as the kernel would.  A program's
 * _start reads argc at the stack pointer and, in %rdx (x86-64), a function
 * for atexit: the kernel passes none. */
#include "exec_clients.h"

#if defined(__x86_64__)
const int exec_jump_supported = 1;

_Noreturn void exec_jump(uint64_t entry, void *stack)
{
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%eax, %%eax\n\t"
                     "xor %%ebx, %%ebx\n\t"
                     "xor %%ecx, %%ecx\n\t"
                     "xor %%edx, %%edx\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "xor %%edi, %%edi\n\t"
                     "cld\n\t"
                     "jmp *%1\n\t"
                     :
                     : "D"(stack), "S"(entry)
                     : "memory");
    __builtin_unreachable();
}
#else
const int exec_jump_supported = 0;

_Noreturn void exec_jump(uint64_t entry, void *stack)
{
    (void)entry, (void)stack;
    __builtin_trap();
}
#endif
