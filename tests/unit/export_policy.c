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
 * or "error: MESSAGE" (exit 1).  With --versions BASE first: the symbols
 * exported, in name order, as .dynsym would list them, given to the
 * writers of .gnu.version_d and .gnu.version (version_sections.c); the
 * bytes printed back as readelf -V prints a .gnu.version_d, and each
 * symbol's version as keel's reader (keel_versions_get) reads it:
 * "versym NAME@@VER". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/link/export_policy.h"
#include "../../lib/link/version_sections.h"

/* A .dynstr: strings appended, the first copy's offset reused. */
static char dynstr[1 << 16];
static uint32_t dynstr_n = 1;

static uint32_t add_str(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    for (uint32_t at = 1; at + len < dynstr_n; at += (uint32_t)strlen(dynstr + at) + 1)
        if (strlen(dynstr + at) == len && !memcmp(dynstr + at, s, len))
            return at;
    if (dynstr_n + len + 1 > sizeof dynstr)
        return 0;
    uint32_t at = dynstr_n;
    memcpy(dynstr + at, s, len);
    dynstr[at + len] = 0;
    dynstr_n += (uint32_t)len + 1;
    return at;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24); }

/* Write the version sections for the exported symbols (v, n: all defined
 * ones) and print them back. */
static int versions(keel_linker *l, const char *base, lk_sym **v, size_t n)
{
    lk_sym **dyn = malloc((n + 1) * sizeof *dyn);
    size_t nd = 0;
    if (!dyn)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (lk_sym_exported(l, v[i]))
            dyn[nd++] = v[i];
    size_t count = lk_verdef_count(l);
    uint64_t size = lk_verdef_size(l);
    uint8_t *vd = malloc(size + 1), *vs = malloc(2 * (nd + 1));
    if (!vd || !vs || (count && lk_write_verdef(l, base, add_str, NULL, vd, size))) {
        printf("error: the version sections could not be written\n");
        return 1;
    }
    lk_write_versym(l, dyn, nd, vs);
    /* readelf -V's lines for .gnu.version_d */
    if (count)
        printf("Version definition section '.gnu.version_d' contains %zu entries:\n", count);
    for (uint64_t off = 0, k = 0; count && k < count && off + 20 <= size; k++) {
        const uint8_t *d = vd + off;
        uint16_t flags = get16(d + 2), cnt = get16(d + 6);
        uint32_t aux = get32(d + 12), next = get32(d + 16);
        printf("  %#06llx: Rev: %u  Flags: %s  Index: %u  Cnt: %u  Name: %s\n", (unsigned long long)off, get16(d),
               flags ? "BASE" : "none", get16(d + 4), cnt, dynstr + get32(d + aux));
        uint64_t a = off + aux;
        for (uint16_t j = 1; j < cnt && a + 8 <= size; j++) {
            a += get32(vd + a + 4);
            printf("  %#06llx: Parent %u: %s\n", (unsigned long long)a, j, dynstr + get32(vd + a));
        }
        if (!next)
            break;
        off += next;
    }
    /* each symbol's version, read back by keel's reader */
    keel_elf elf = {0};
    keel_versions kv = {.elf = &elf,
                        .versym = vs,
                        .versym_count = nd + 1,
                        .verdef = count ? vd : NULL,
                        .verdef_size = size,
                        .verdef_num = (uint32_t)count,
                        .strings = {.data = dynstr, .size = dynstr_n, .terminated = true}};
    for (size_t i = 0; i < nd; i++) {
        size_t len = lk_sym_dynname_len(dyn[i]);
        keel_sym sym = {.name = add_str(NULL, dyn[i]->name, len), .shndx = 1};
        keel_symver sv;
        keel_error err = {0};
        if (keel_versions_get(&kv, i + 1, &sym, &sv, &err)) {
            printf("error: %s\n", err.msg);
            return 1;
        }
        printf("versym %.*s%s%s\n", (int)len, dyn[i]->name,
               sv.kind == KEEL_VER_DEFAULT  ? "@@"
               : sv.kind == KEEL_VER_HIDDEN ? "@"
                                            : "",
               sv.name ? sv.name : "");
    }
    free(dyn);
    free(vd);
    free(vs);
    return 0;
}

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
    const char *base = NULL;
    if (argc > 2 && !strcmp(argv[1], "--versions"))
        base = argv[2], argv += 2, argc -= 2;
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
    if (base) {
        int rc = versions(l, base, v, n);
        free(v);
        keel_link_close(l);
        return rc;
    }
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
