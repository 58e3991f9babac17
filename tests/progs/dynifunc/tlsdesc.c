/* A library's thread-local storage through TLS descriptors (gcc
 * -mtls-dialect=gnu2 -fPIC): a global one the program may see (general
 * dynamic), static ones (local dynamic), a hidden one; each thread gets
 * its own copies (tests/link_dynifunc.t, tlsdesc_use.c). */
__thread int td_global = 5;
static __thread int td_local1 = 7;
static __thread long td_local2[4] = {1, 2, 3, 4};
__attribute__((visibility("hidden"))) __thread int td_hidden = 11;
__thread char td_bss[64];

int td_bump(int by)
{
    td_global += by;
    td_local1 += 2 * by;
    td_local2[by & 3] += by;
    td_hidden += 3 * by;
    td_bss[by & 63] += (char)by;
    return td_global + td_local1 + (int)td_local2[by & 3] + td_hidden + td_bss[by & 63];
}

int *td_global_addr(void) { return &td_global; }
