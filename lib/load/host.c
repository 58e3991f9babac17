/* The host process as the last resort for names, and the few functions a
 * normal link takes from libc_nonshared.a rather than libc.so: they need
 * the calling module's __dso_handle, which for loaded code is its object's,
 * found from the return address. */
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Every namespace, for finding the object that holds a return address.
 * Its lock comes before the namespaces' (caller_handle takes both), so a
 * namespace enters and leaves it without holding its own. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static keel_ns *registry;

void rl_host_register(keel_ns *ns)
{
    pthread_mutex_lock(&registry_lock);
    ns->registry_next = registry;
    registry = ns;
    pthread_mutex_unlock(&registry_lock);
}

void rl_host_unregister(keel_ns *ns)
{
    pthread_mutex_lock(&registry_lock);
    for (keel_ns **pp = &registry; *pp; pp = &(*pp)->registry_next)
        if (*pp == ns) {
            *pp = ns->registry_next;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
}

/* The __dso_handle of the loaded object holding code address pc. */
static void *caller_handle(void *pc)
{
    uintptr_t h = 0;
    pthread_mutex_lock(&registry_lock);
    for (keel_ns *ns = registry; ns && !h; ns = ns->registry_next)
        h = rl_handle_at(ns, (uintptr_t)pc);
    pthread_mutex_unlock(&registry_lock);
    return (void *)h;
}

extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);
extern int __cxa_at_quick_exit(void (*fn)(void *), void *dso);
extern int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso);

static int shim_atexit(void (*fn)(void))
{
    return __cxa_atexit((void (*)(void *))(void (*)(void))fn, NULL, caller_handle(__builtin_return_address(0)));
}

static int shim_at_quick_exit(void (*fn)(void))
{
    return __cxa_at_quick_exit((void (*)(void *))(void (*)(void))fn, caller_handle(__builtin_return_address(0)));
}

static int shim_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
    return __register_atfork(prepare, parent, child, caller_handle(__builtin_return_address(0)));
}

/* The size of the host's symbol at addr (for a size relocation): ld.so knows
 * it from the symbol table entry. */
bool rl_host_symbol_size(uintptr_t addr, uint64_t *size)
{
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!dladdr1((void *)addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || (uintptr_t)info.dli_saddr != addr)
        return false;
    *size = sym->st_size;
    return true;
}

void *rl_host_symbol(const keel_ns *ns, const char *name)
{
    bool host = false;
    for (; ns && !host; ns = ns->parent)
        host = ns->flags & KEEL_NS_HOST;
    if (!host)
        return NULL;
    if (strcmp(name, "atexit") == 0)
        return (void *)shim_atexit;
    if (strcmp(name, "pthread_atfork") == 0)
        return (void *)shim_pthread_atfork;
    if (strcmp(name, "at_quick_exit") == 0)
        return (void *)shim_at_quick_exit;
    void *p = dlsym(RTLD_DEFAULT, name);
    if (!p && name[0] == '_' && name[1] == '_') {
        /* The compiler's runtime helpers (__popcountdi2, __divti3...): a
         * normal link takes them from libgcc; the host may not have it
         * loaded yet. */
        static void *libgcc;
        if (!__atomic_load_n(&libgcc, __ATOMIC_ACQUIRE))
            __atomic_store_n(&libgcc, dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_GLOBAL), __ATOMIC_RELEASE);
        void *h = __atomic_load_n(&libgcc, __ATOMIC_ACQUIRE);
        p = h ? dlsym(h, name) : NULL;
    }
    return p;
}
