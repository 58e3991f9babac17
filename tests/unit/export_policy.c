/* The symbol policy (lib/link/export_policy.c), driven from
 * tests/link_version_script.t, which compares it with ld.bfd's output:
 *
 *   export_policy shared|exec OUT [OPTION...] OBJECT...
 *
 * with OPTION one of --version-script F, --dynamic-list F,
 * --dynamic-list-data, --dynamic-list-cpp-new, --dynamic-list-cpp-typeinfo,
 * --export-dynamic-symbol G, -E, -Bsymbolic, -Bsymbolic-functions.  The
 * objects are linked -r into OUT (keel has no dynamic output yet: the
 * symbols are resolved as for any link), then the policy of that output
 * kind is applied and each defined global printed, by name:
 *
 *   NAME exported|- preemptible|- DYNNAME[@VER|@@VER]
 *
 * or "error: MESSAGE" (exit 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/link/export_policy.h"

static int by_name(const void *a, const void *b)
{
    return strcmp((*(lk_sym *const *)a)->name, (*(lk_sym *const *)b)->name);
}

static void say(void *ctx, int level, const char *msg)
{
    (void)ctx, (void)level;
    printf("warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return fprintf(stderr, "usage: export_policy shared|exec OUT [OPTION...] OBJECT...\n"), 2;
    enum lk_out_kind kind = !strcmp(argv[1], "shared") ? LK_OUT_SHARED : LK_OUT_EXEC;
    static const char *vs[16], *dl[16], *eds[16];
    static keel_link_input in[64];
    keel_link_options o = {.output = argv[2], .relocatable = true, .diag = say};
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--version-script") && more && o.nversion_scripts < 16)
            vs[o.nversion_scripts++] = argv[++i];
        else if (!strcmp(a, "--dynamic-list") && more && o.ndynamic_lists < 16)
            dl[o.ndynamic_lists++] = argv[++i];
        else if (!strcmp(a, "--export-dynamic-symbol") && more && o.nexport_dynamic_symbols < 16)
            eds[o.nexport_dynamic_symbols++] = argv[++i];
        else if (!strcmp(a, "--dynamic-list-data"))
            o.dynamic_list_data = true;
        else if (!strcmp(a, "--dynamic-list-cpp-new"))
            o.dynamic_list_cpp_new = true;
        else if (!strcmp(a, "--dynamic-list-cpp-typeinfo"))
            o.dynamic_list_cpp_typeinfo = true;
        else if (!strcmp(a, "-E"))
            o.export_dynamic = true;
        else if (!strcmp(a, "-Bsymbolic"))
            o.symbolic = KEEL_SYMBOLIC;
        else if (!strcmp(a, "-Bsymbolic-functions"))
            o.symbolic = KEEL_SYMBOLIC_FUNCTIONS;
        else if (a[0] != '-' && o.ninputs < 64)
            in[o.ninputs++] = (keel_link_input){.path = a};
        else
            return fprintf(stderr, "export_policy: bad argument %s\n", a), 2;
    }
    o.version_scripts = vs;
    o.dynamic_lists = dl;
    o.export_dynamic_symbols = eds;
    o.inputs = in;
    keel_error err = {0};
    keel_linker *l = keel_link_open(&o, &err);
    if (!l || keel_link_run(l) || lk_policy_apply(l, kind)) {
        printf("error: %s\n", err.msg);
        if (l)
            keel_link_close(l);
        return 1;
    }
    size_t n = 0;
    lk_sym **v = malloc((l->syms.n + 1) * sizeof *v);
    if (!v)
        return 1;
    for (size_t i = 0; i < l->syms.cap; i++)
        if (l->syms.v[i] && l->syms.v[i]->state >= LK_COMMON)
            v[n++] = l->syms.v[i];
    qsort(v, n, sizeof *v, by_name);
    for (size_t i = 0; i < n; i++) {
        lk_symver ver = lk_sym_version(l, v[i]);
        printf("%s %s %s %.*s", v[i]->name, lk_sym_exported(l, v[i]) ? "exported" : "-",
               lk_sym_preemptible(l, v[i]) ? "preemptible" : "-", (int)lk_sym_dynname_len(v[i]), v[i]->name);
        if (ver.name)
            printf("%s%.*s", ver.hidden ? "@" : "@@", (int)ver.len, ver.name);
        putchar('\n');
    }
    free(v);
    keel_link_close(l);
    return 0;
}
