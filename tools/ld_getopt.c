/* GNU ld's option syntax, read as ld.bfd reads it: getopt_long_only over
 * ld.bfd's option table (its lexsup.c and the x86-64 ELF emulation's
 * options, as `ld.bfd --help` lists them for binutils 2.40), so that every
 * word means here what it means to ld.bfd.  getopt_long_only's rules:
 *   - "--NAME" and "-NAME" are long options, exact or an unambiguous
 *     abbreviation (an ambiguous one is unrecognized, even if its first
 *     letter is a short option);
 *   - "-X" alone, and "-XREST" where REST matches no long option, are the
 *     short option X (with REST as its value, or as more short options);
 *   - a few long options take two dashes only, so that their one-dash
 *     spelling stays a short option with a value: -omagic is -o magic,
 *     -library is -l ibrary, -export-dynamic-symbol is -e xport-...
 *     (which they are was found by running ld.bfd 2.40 on each);
 *   - a required value is joined (=VALUE, or -XVALUE) or the next word,
 *     whatever it looks like; an optional one must be joined.
 * ld.bfd adds one rule of its own: in a cluster of short options (-sx),
 * a letter after the first that takes a value is an error ("unable to
 * disambiguate"), and one that takes none draws a warning. */
#include "ld_getopt.h"

#include <stdlib.h>
#include <string.h>

enum { NOARG, REQ, OPT };

/* dashes: 1 or 2 as ld.bfd's --help spells the option (its "missing
 * argument" message needs the same spelling), 3 for two dashes only. */
typedef struct ld_opt {
    const char *name;
    unsigned char arg, dashes;
} ld_opt;

static const ld_opt table[] = {
    {"architecture", REQ, 2},
    {"format", REQ, 2},
    {"mri-script", REQ, 3},
    {"dc", NOARG, 1},
    {"dp", NOARG, 1},
    {"dependency-file", REQ, 2},
    {"force-group-allocation", NOARG, 2},
    {"entry", REQ, 2},
    {"export-dynamic", NOARG, 2},
    {"no-export-dynamic", NOARG, 2},
    {"enable-non-contiguous-regions", NOARG, 2},
    {"enable-non-contiguous-regions-warnings", NOARG, 2},
    {"EB", NOARG, 1},
    {"EL", NOARG, 1},
    {"auxiliary", REQ, 2},
    {"filter", REQ, 2},
    {"gpsize", REQ, 2},
    {"soname", REQ, 1},
    {"dynamic-linker", REQ, 2},
    {"no-dynamic-linker", NOARG, 2},
    {"library", REQ, 3},
    {"library-path", REQ, 3},
    {"sysroot", REQ, 2},
    {"print-map", NOARG, 2},
    {"nmagic", NOARG, 2},
    {"omagic", NOARG, 3},
    {"no-omagic", NOARG, 3},
    {"output", REQ, 3},
    {"out-implib", REQ, 2},
    {"plugin", REQ, 1},
    {"plugin-opt", REQ, 1},
    {"flto", OPT, 1},
    {"flto-partition", REQ, 1},
    {"fuse-ld", REQ, 1},
    {"map-whole-files", NOARG, 3},
    {"no-map-whole-files", NOARG, 3},
    {"Qy", NOARG, 1},
    {"emit-relocs", NOARG, 2},
    {"relocatable", NOARG, 2},
    {"just-symbols", REQ, 2},
    {"strip-all", NOARG, 2},
    {"strip-debug", NOARG, 2},
    {"strip-discarded", NOARG, 2},
    {"no-strip-discarded", NOARG, 2},
    {"trace", NOARG, 2},
    {"script", REQ, 2},
    {"default-script", REQ, 2},
    {"dT", REQ, 1},
    {"undefined", REQ, 2},
    {"require-defined", REQ, 2},
    {"unique", OPT, 2},
    {"Ur", NOARG, 1},
    {"version", NOARG, 2},
    {"discard-all", NOARG, 2},
    {"discard-locals", NOARG, 2},
    {"discard-none", NOARG, 2},
    {"trace-symbol", REQ, 2},
    {"start-group", NOARG, 2},
    {"end-group", NOARG, 2},
    {"accept-unknown-input-arch", NOARG, 2},
    {"no-accept-unknown-input-arch", NOARG, 2},
    {"as-needed", NOARG, 2},
    {"no-as-needed", NOARG, 2},
    {"assert", REQ, 1},
    {"Bdynamic", NOARG, 1},
    {"dy", NOARG, 1},
    {"call_shared", NOARG, 1},
    {"Bstatic", NOARG, 1},
    {"dn", NOARG, 1},
    {"non_shared", NOARG, 1},
    {"static", NOARG, 1},
    {"Bno-symbolic", NOARG, 1},
    {"Bsymbolic", NOARG, 1},
    {"Bsymbolic-functions", NOARG, 1},
    {"check-sections", NOARG, 2},
    {"no-check-sections", NOARG, 2},
    {"copy-dt-needed-entries", NOARG, 2},
    {"no-copy-dt-needed-entries", NOARG, 2},
    {"cref", NOARG, 2},
    {"defsym", REQ, 2},
    {"demangle", OPT, 2},
    {"disable-multiple-abs-defs", NOARG, 2},
    {"embedded-relocs", NOARG, 2},
    {"fatal-warnings", NOARG, 2},
    {"no-fatal-warnings", NOARG, 2},
    {"fini", REQ, 1},
    {"force-exe-suffix", NOARG, 2},
    {"gc-sections", NOARG, 2},
    {"no-gc-sections", NOARG, 2},
    {"print-gc-sections", NOARG, 2},
    {"no-print-gc-sections", NOARG, 2},
    {"gc-keep-exported", NOARG, 2},
    {"hash-size", REQ, 2},
    {"help", NOARG, 2},
    {"init", REQ, 1},
    {"Map", REQ, 1},
    {"no-define-common", NOARG, 2},
    {"no-demangle", NOARG, 2},
    {"no-keep-memory", NOARG, 2},
    {"no-undefined", NOARG, 2},
    {"no-warnings", NOARG, 2},
    {"allow-shlib-undefined", NOARG, 2},
    {"no-allow-shlib-undefined", NOARG, 2},
    {"allow-multiple-definition", NOARG, 2},
    {"error-handling-script", REQ, 2},
    {"undefined-version", NOARG, 3},
    {"no-undefined-version", NOARG, 2},
    {"default-symver", NOARG, 2},
    {"default-imported-symver", NOARG, 2},
    {"no-warn-mismatch", NOARG, 2},
    {"no-warn-search-mismatch", NOARG, 2},
    {"whole-archive", NOARG, 2},
    {"no-whole-archive", NOARG, 2},
    {"noinhibit-exec", NOARG, 2},
    {"nostdlib", NOARG, 1},
    {"oformat", REQ, 3},
    {"print-output-format", NOARG, 2},
    {"print-sysroot", NOARG, 2},
    {"qmagic", NOARG, 1},
    {"reduce-memory-overheads", NOARG, 2},
    {"max-cache-size", REQ, 3},
    {"relax", NOARG, 2},
    {"no-relax", NOARG, 2},
    {"retain-symbols-file", REQ, 2},
    {"rpath", REQ, 1},
    {"rpath-link", REQ, 1},
    {"shared", NOARG, 1},
    {"Bshareable", NOARG, 1},
    {"pie", NOARG, 1},
    {"pic-executable", NOARG, 2},
    {"no-pie", NOARG, 1},
    {"sort-common", OPT, 2},
    {"sort-section", REQ, 2},
    {"spare-dynamic-tags", REQ, 2},
    {"split-by-file", OPT, 2},
    {"split-by-reloc", OPT, 2},
    {"stats", NOARG, 2},
    {"target-help", NOARG, 2},
    {"task-link", REQ, 2},
    {"traditional-format", NOARG, 2},
    {"section-start", REQ, 2},
    {"Tbss", REQ, 1},
    {"Tdata", REQ, 1},
    {"Ttext", REQ, 1},
    {"Ttext-segment", REQ, 1},
    {"Trodata-segment", REQ, 1},
    {"Tldata-segment", REQ, 1},
    {"unresolved-symbols", REQ, 2},
    {"verbose", OPT, 2},
    {"version-script", REQ, 2},
    {"version-exports-section", REQ, 2},
    {"dynamic-list-data", NOARG, 2},
    {"dynamic-list-cpp-new", NOARG, 2},
    {"dynamic-list-cpp-typeinfo", NOARG, 2},
    {"dynamic-list", REQ, 2},
    {"export-dynamic-symbol", REQ, 3},
    {"export-dynamic-symbol-list", REQ, 3},
    {"warn-common", NOARG, 2},
    {"warn-constructors", NOARG, 2},
    {"warn-execstack", NOARG, 2},
    {"no-warn-execstack", NOARG, 2},
    {"warn-rwx-segments", NOARG, 2},
    {"no-warn-rwx-segments", NOARG, 2},
    {"warn-multiple-gp", NOARG, 2},
    {"warn-once", NOARG, 2},
    {"warn-section-align", NOARG, 2},
    {"warn-textrel", NOARG, 2},
    {"warn-alternate-em", NOARG, 2},
    {"warn-unresolved-symbols", NOARG, 2},
    {"error-unresolved-symbols", NOARG, 2},
    {"wrap", REQ, 2},
    {"ignore-unresolved-symbol", REQ, 2},
    {"push-state", NOARG, 2},
    {"pop-state", NOARG, 2},
    {"print-memory-usage", NOARG, 2},
    {"orphan-handling", REQ, 2},
    {"print-map-discarded", NOARG, 2},
    {"no-print-map-discarded", NOARG, 2},
    {"ctf-variables", NOARG, 2},
    {"no-ctf-variables", NOARG, 2},
    {"ctf-share-types", REQ, 2},
    {"ld-generated-unwind-info", NOARG, 3},
    {"no-ld-generated-unwind-info", NOARG, 2},
    {"build-id", OPT, 2},
    {"package-metadata", OPT, 2},
    {"compress-debug-sections", REQ, 2},
    {"audit", REQ, 2},
    {"Bgroup", NOARG, 1},
    {"disable-new-dtags", NOARG, 2},
    {"enable-new-dtags", NOARG, 2},
    {"eh-frame-hdr", NOARG, 2},
    {"no-eh-frame-hdr", NOARG, 2},
    {"exclude-libs", REQ, 2},
    {"hash-style", REQ, 2},
    {"depaudit", REQ, 2},
    /* --image-base: lld's (ld.bfd 2.40 has it for PE only); keel takes it */
    {"image-base", REQ, 2},
    /* keel's own (-mapfile stays -m apfile, as in ld.bfd) */
    {"mapfile", REQ, 3},
    {"print-mapfile", NOARG, 3},
    {"symbol-ordering-file", REQ, 2}, /* lld's */
    {"no-warn-symbol-ordering", NOARG, 2},
    {"warn-symbol-ordering", NOARG, 2},
    {"address-map", NOARG, 2},
    {"no-address-map", NOARG, 2},
    {"keel-print-plan", NOARG, 2},
};
enum { NOPTS = sizeof table / sizeof table[0] };

/* ld.bfd's short options: the letters, and those taking a value. */
static const char shorts[] = "aAbcdeEfFgGhiIlLmMnNoOPqrRsStTuvVwxXyYz()";
static const char shorts_arg[] = "aAbcefFGhIlLmoOPRTuyYz";

static bool is_short(char c) { return c && strchr(shorts, c); }
static bool short_takes_arg(char c) { return c && strchr(shorts_arg, c); }

/* The option that name[0..len) names: exact, else the one it abbreviates.
 * twos selects the two-dash-only options or the others (getopt_long_only
 * tries the others first, ld.bfd then the two-dash-only ones alone).
 * NULL with *ambiguous set when it abbreviates several. */
static const ld_opt *lookup(const char *name, size_t len, bool twos, bool *ambiguous)
{
    const ld_opt *found = NULL;
    *ambiguous = false;
    for (size_t k = 0; k < NOPTS; k++)
        if ((table[k].dashes == 3) == twos && strncmp(table[k].name, name, len) == 0 && !table[k].name[len])
            return &table[k];
    for (size_t k = 0; k < NOPTS; k++)
        if ((table[k].dashes == 3) == twos && strncmp(table[k].name, name, len) == 0) {
            if (found) {
                *ambiguous = true;
                return NULL;
            }
            found = &table[k];
        }
    return found;
}

static void emit(ld_words *w, char *word, const char *orig)
{
    char **v = realloc(w->v, (w->n + 1) * sizeof *v);
    const char **o = realloc(w->orig, (w->n + 1) * sizeof *o);
    if (!v || !o)
        abort(); /* the command line is small; out of memory here is fatal */
    w->v = v;
    w->orig = o;
    w->v[w->n] = word;
    w->orig[w->n++] = orig;
}

static char *concat(const char *a, const char *b, size_t blen)
{
    size_t alen = strlen(a);
    char *s = malloc(alen + blen + 1);
    if (!s)
        abort();
    memcpy(s, a, alen);
    memcpy(s + alen, b, blen);
    s[alen + blen] = 0;
    return s;
}

int ld_normalize(char **args, size_t n, ld_words *out, void (*report)(bool error, const char *fmt, ...))
{
    int errors = 0;
#define UNRECOGNIZED(a)                                                                                                \
    do {                                                                                                               \
        report(true, "unrecognized option '%s'", (a));                                                                 \
        report(true, "use the --help option for usage information");                                                   \
        errors++;                                                                                                      \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        char *a = args[i];
        if (a[0] != '-' || !a[1]) {
            emit(out, a, a); /* an input (a lone "-" too, as for getopt) */
            continue;
        }
        if (strcmp(a, "--") == 0) {
            /* getopt's end of the options, where ld.bfd stops reading
             * (the words after it are not even inputs) */
            if (i + 1 < n)
                report(false, "warning: the %zu words after '--' ignored, as ld.bfd ignores them", n - i - 1);
            break;
        }
        bool two = a[1] == '-';
        const char *name = a + (two ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        bool ambiguous = false;
        const ld_opt *o = NULL;
        /* one dash and one letter that is a short option: that option */
        if (two || name[1] || !is_short(name[0])) {
            o = lookup(name, len, false, &ambiguous);
            if (!o && two)
                o = lookup(name, len, true, &ambiguous);
        }
        if (o) {
            if (eq && o->arg == NOARG) {
                UNRECOGNIZED(a);
                continue;
            }
            char *word = concat("--", o->name, strlen(o->name));
            if (eq) {
                char *full = concat(word, eq, strlen(eq));
                free(word);
                word = full;
            }
            emit(out, word, a);
            if (o->arg == REQ && !eq) {
                if (i + 1 < n) {
                    i++;
                    emit(out, args[i], args[i]); /* the value, whatever it looks like */
                } else {
                    /* ld.bfd says "missing argument" when the option is
                     * spelled with the dashes its --help shows */
                    if ((size_t)(name - a) == (o->dashes == 1 ? 1u : 2u) && !name[len] && strcmp(name, o->name) == 0) {
                        report(true, "%s: missing argument", a);
                        report(true, "use the --help option for usage information");
                        errors++;
                    } else
                        UNRECOGNIZED(a);
                }
            }
            continue;
        }
        if (two || ambiguous || !is_short(name[0])) {
            UNRECOGNIZED(a);
            continue;
        }
        /* short options, one or more in a cluster */
        bool warned = false;
        for (const char *c = name; *c; c++) {
            if (!is_short(*c)) {
                UNRECOGNIZED(a);
                break;
            }
            char letter[3] = {'-', *c, 0};
            if (!short_takes_arg(*c)) {
                if (c != name && !warned) {
                    report(false, "Warning: grouped short command line options are deprecated: %s", a);
                    warned = true;
                }
                emit(out, concat(letter, "", 0), a);
                continue;
            }
            if (c != name) {
                report(true, "Error: unable to disambiguate: %s (did you mean -%s ?)", a, a);
                errors++;
                break;
            }
            if (c[1])
                emit(out, concat(letter, c + 1, strlen(c + 1)), a);
            else if (i + 1 < n) {
                emit(out, concat(letter, "", 0), a);
                i++;
                emit(out, args[i], args[i]);
            } else
                UNRECOGNIZED(a); /* ld.bfd's words for a short option without its value */
            break;
        }
    }
#undef UNRECOGNIZED
    return errors;
}
