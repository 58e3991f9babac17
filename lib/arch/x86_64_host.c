/* The x86-64 part of the runtime loader that runs on the machine itself:
 * the TLS descriptor resolver that loaded code calls (assembly, as it must
 * keep every register), and how much vector state its slow path saves.
 *
 * Hosted code, the loader's: a freestanding build of lib/arch (which has
 * no loader to call back) and a build for another machine leave it out. */
#include "arch.h"

#if defined(__x86_64__) && __STDC_HOSTED__

/* How the resolver's slow path saves the vector state: XSAVE's area size
 * (0: FXSAVE's 512 bytes).  Read by the assembly below. */
extern __attribute__((visibility("hidden"))) uint64_t ka_x86_64_xsave_size;
uint64_t ka_x86_64_xsave_size;

void ka_host_tls_init(void)
{
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (c & (1u << 27)) { /* OSXSAVE: the OS manages XSAVE state */
        __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
        ka_x86_64_xsave_size = b;
    }
}

/* The TLS descriptor resolver: %rax holds the descriptor's address, whose
 * second word points to a tls_index {module, offset}; it returns the
 * variable's address minus the thread pointer, and keeps every other
 * register (the slow path saves the vector state with XSAVE, or FXSAVE,
 * around the call into C).  The fast path reads the loader's per-thread
 * block table (rl_tls_nblocks, rl_tls_blocks: initial-exec TLS of the
 * loader, so reached with no call); the slow path calls rl_tls_slow_addr. */
__asm__(".text\n"
        ".globl ka_host_tlsdesc_resolve\n"
        ".hidden ka_host_tlsdesc_resolve\n"
        ".type ka_host_tlsdesc_resolve, @function\n"
        "ka_host_tlsdesc_resolve:\n"
        "  .cfi_startproc\n"
        "  movq 8(%rax), %rax\n"
        "  pushq %rcx\n"
        "  .cfi_adjust_cfa_offset 8\n"
        "  pushq %rdx\n"
        "  .cfi_adjust_cfa_offset 8\n"
        "  movq (%rax), %rdx\n"
        "  movq rl_tls_nblocks@gottpoff(%rip), %rcx\n"
        "  cmpq %fs:(%rcx), %rdx\n"
        "  jae 1f\n"
        "  movq rl_tls_blocks@gottpoff(%rip), %rcx\n"
        "  movq %fs:(%rcx), %rcx\n"
        "  movq (%rcx,%rdx,8), %rcx\n"
        "  testq %rcx, %rcx\n"
        "  jz 1f\n"
        "  addq 8(%rax), %rcx\n"
        "  movq %rcx, %rax\n"
        "  jmp 3f\n"
        "1:\n"
        "  pushq %rbp\n"
        "  .cfi_adjust_cfa_offset 8\n"
        "  .cfi_offset %rbp, -32\n"
        "  movq %rsp, %rbp\n"
        "  .cfi_def_cfa_register %rbp\n"
        "  pushq %rdi\n  pushq %rsi\n  pushq %r8\n  pushq %r9\n  pushq %r10\n  pushq %r11\n"
        "  movq %rax, %rdi\n"
        "  movq ka_x86_64_xsave_size(%rip), %rcx\n"
        "  testq %rcx, %rcx\n"
        "  jnz 2f\n"
        "  subq $512, %rsp\n"
        "  andq $-64, %rsp\n"
        "  fxsave64 (%rsp)\n"
        "  call rl_tls_slow_addr\n"
        "  fxrstor64 (%rsp)\n"
        "  jmp 4f\n"
        "2:\n"
        "  subq %rcx, %rsp\n"
        "  andq $-64, %rsp\n"
        /* XRSTOR faults on a header with stray bits: clear it first */
        "  movq $0, 512(%rsp)\n  movq $0, 520(%rsp)\n  movq $0, 528(%rsp)\n  movq $0, 536(%rsp)\n"
        "  movq $0, 544(%rsp)\n  movq $0, 552(%rsp)\n  movq $0, 560(%rsp)\n  movq $0, 568(%rsp)\n"
        "  movq %rdi, %rcx\n"
        "  movl $-1, %eax\n  movl $-1, %edx\n"
        "  xsave64 (%rsp)\n"
        "  movq %rcx, %rdi\n"
        "  call rl_tls_slow_addr\n"
        "  movq %rax, %rcx\n"
        "  movl $-1, %eax\n  movl $-1, %edx\n"
        "  xrstor64 (%rsp)\n"
        "  movq %rcx, %rax\n"
        "4:\n"
        "  leaq -48(%rbp), %rsp\n"
        "  popq %r11\n  popq %r10\n  popq %r9\n  popq %r8\n  popq %rsi\n  popq %rdi\n"
        "  popq %rbp\n"
        "  .cfi_def_cfa %rsp, 24\n"
        "  .cfi_restore %rbp\n"
        "3:\n"
        "  subq %fs:0, %rax\n"
        "  popq %rdx\n"
        "  .cfi_adjust_cfa_offset -8\n"
        "  popq %rcx\n"
        "  .cfi_adjust_cfa_offset -8\n"
        "  ret\n"
        "  .cfi_endproc\n"
        ".size ka_host_tlsdesc_resolve, .-ka_host_tlsdesc_resolve\n");

const ka_arch *ka_arch_host(void) { return &ka_arch_x86_64; }

#include <signal.h>
#include <ucontext.h>

int ka_host_context(const void *uc, uintptr_t *pc, uintptr_t *sp, uintptr_t *regs, int max)
{
    const greg_t *g = ((const ucontext_t *)uc)->uc_mcontext.gregs;
    static const int general[] = {REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_R8,
                                  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    *pc = (uintptr_t)g[REG_RIP];
    *sp = (uintptr_t)g[REG_RSP];
    int n = 0;
    for (; n < max && n < (int)(sizeof general / sizeof *general); n++)
        regs[n] = (uintptr_t)g[general[n]];
    return n;
}

#else
/* nothing here for this build (ISO C wants a declaration in every file) */
typedef int ka_x86_64_host_unused;
#endif
