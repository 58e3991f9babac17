/* A symbol's version node by ld.bfd's precedence (its
 * bfd_find_version_for_sym and lang_vers_match), and the C++ demangler
 * that extern "C++" patterns need.
 *
 * The core links only libc: the demangler is libstdc++'s __cxa_demangle,
 * reached with dlopen the first time a script with extern "C++" matches a
 * C++ name; when it cannot be loaded the match fails and says so. */
#include <dlfcn.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "version_script.h"

typedef char *demangle_fn(const char *mangled, char *buf, size_t *n, int *status);
typedef void free_fn(void *);
static demangle_fn *demangler;
static free_fn *demangler_free; /* the libc libstdc++ allocates with (in a static keel, not keel's own) */
static const char *demangler_why;
static pthread_once_t demangler_once = PTHREAD_ONCE_INIT;

static void load_demangler(void)
{
    void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        demangler_why = "libstdc++.so.6 cannot be loaded: extern \"C++\" patterns need its __cxa_demangle";
        return;
    }
    /* the free libstdc++'s own calls bind to: the global one in a
     * dynamically linked keel (a sanitizer's, if any); in a static keel
     * there is none, and it is the libc that dlopen brought in */
    void *fr = dlsym(RTLD_DEFAULT, "free");
    if (!fr)
        fr = dlsym(h, "free");
    void *f = dlsym(h, "__cxa_demangle");
    if (!f || !fr) {
        demangler_why = "libstdc++.so.6 has no __cxa_demangle: extern \"C++\" patterns need it";
        return;
    }
    /* a data pointer to a function's, as dlsym's users must */
    memcpy(&demangler_free, &fr, sizeof fr);
    memcpy(&demangler, &f, sizeof f);
}

bool lk_demangle(const char *sym, char *buf, size_t size, const char **why)
{
    *why = NULL;
    /* only symbols (_Z...), as bfd_demangle without DMGL_TYPES: "i" is not "int" */
    if (sym[0] != '_' || sym[1] != 'Z')
        return false;
    pthread_once(&demangler_once, load_demangler);
    if (!demangler) {
        *why = demangler_why;
        return false;
    }
    int status = 0;
    char *d = demangler(sym, NULL, NULL, &status);
    if (!d || status != 0) {
        if (d)
            demangler_free(d);
        return false;
    }
    size_t n = strlen(d);
    bool fits = n < size;
    if (fits)
        memcpy(buf, d, n + 1);
    demangler_free(d);
    return fits;
}

/* The name a pattern of that language is matched against. */
static const char *subject(const lk_vpat *p, const char *sym, const char *cxx)
{
    return p->lang == LK_VLANG_CXX ? cxx : sym;
}

static int demangled(const lk_vscript *vs, const char *sym, char *buf, size_t size, const char **cxx)
{
    *cxx = sym;
    if (!vs->cxx)
        return 0;
    const char *why;
    if (lk_demangle(sym, buf, size, &why))
        *cxx = buf;
    else if (why)
        return keel_error_set(vs->err, KEEL_E_UNSUPPORTED, 0, "%s (matching %s)", why, sym);
    return 0;
}

int lk_vs_match(const lk_vscript *vs, const char *sym, lk_vmatch *m)
{
    *m = (lk_vmatch){0};
    char buf[4096];
    const char *cxx;
    if (demangled(vs, sym, buf, sizeof buf, &cxx))
        return -1;
    /* the first node with an exact name for it, and whether one of its
     * exact names is global (then global wins in that node) */
    const lk_vnode *exact = NULL;
    bool exact_global = false;
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass ? cxx : sym;
        if (pass && cxx == sym)
            break;
        for (const lk_vpat *q = lk_vs_exact(vs, name); q; q = q->hnext) {
            if (strcmp(subject(q, sym, cxx), name) != 0)
                continue; /* a C++ name met under its mangled form, or the reverse */
            if (!exact || q->node->index < exact->index) {
                exact = q->node;
                exact_global = q->global;
            } else if (q->node == exact)
                exact_global |= q->global;
        }
    }
    const lk_vnode *global = NULL, *local = NULL, *star_global = NULL, *star_local = NULL;
    /* globs of the nodes before it (and its own global ones, which change
     * nothing): a later node's overrides an earlier's */
    for (size_t i = 0; i < vs->nglobs; i++) {
        const lk_vpat *p = vs->globs[i];
        if (exact && p->node->index >= exact->index)
            break;
        if (!p->star && fnmatch(p->pattern, subject(p, sym, cxx), 0) != 0)
            continue;
        if (p->global)
            *(p->star ? &star_global : &global) = p->node;
        else
            *(p->star ? &star_local : &local) = p->node;
    }
    if (exact && exact_global)
        global = exact;
    else if (exact) { /* an exact local name beats every global glob */
        local = exact;
        global = star_global = NULL;
    }
    if (!global && !local)
        global = star_global;
    if (global) {
        m->node = global;
        return 0;
    }
    if (!local)
        local = star_local;
    if (local) {
        m->node = local;
        m->local = true;
    }
    return 0;
}

int lk_vs_listed(const lk_vscript *vs, const char *sym)
{
    char buf[4096];
    const char *cxx;
    if (demangled(vs, sym, buf, sizeof buf, &cxx))
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass ? cxx : sym;
        for (const lk_vpat *q = lk_vs_exact(vs, name); q; q = q->hnext)
            if (!strcmp(subject(q, sym, cxx), name))
                return 1;
    }
    for (size_t i = 0; i < vs->nglobs; i++)
        if (vs->globs[i]->star || !fnmatch(vs->globs[i]->pattern, subject(vs->globs[i], sym, cxx), 0))
            return 1;
    return 0;
}
