/* The mapfile records in a canonical text form: one line per directive
 * ("FILE:LINE KEYWORD 'name' op values") and per attribute (its line,
 * indented by its depth).  Names are quoted, keywords are not, integers
 * are in hex, so the form says exactly what was read ('' is a quote in a
 * name, \ooo a control character); tests compare it with text worked out
 * by hand. */
#include <stdio.h>

#include "mapfile.h"

static void name(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("''", f);
        else if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
            fprintf(f, "\\%03o", (unsigned char)*s);
        else
            fputc(*s, f);
    fputc('\'', f);
}

static void values(FILE *f, uint8_t op, const mf_value *v, size_t n)
{
    static const char *const ops[] = {"", " =", " +=", " -="};
    fputs(ops[op < 4 ? op : 0], f);
    for (size_t i = 0; i < n; i++) {
        fputc(' ', f);
        switch (v[i].kind) {
        case MF_V_NAME: name(f, v[i].str); break;
        case MF_V_INT: fprintf(f, "0x%llx", (unsigned long long)v[i].num); break;
        case MF_V_KEY: fprintf(f, "%s%s", v[i].neg ? "!" : "", mf_key_name(v[i].key)); break;
        case MF_V_SHT: fprintf(f, "SHT_%s", v[i].str); break;
        case MF_V_MATCH:
            fprintf(f, "MATCH(%c%s ", v[i].match, v[i].icase ? "i" : "");
            name(f, v[i].str);
            fputc(')', f);
            break;
        case MF_V_MATCHREF:
            fputs("MATCHREF(", f);
            name(f, v[i].str);
            fputc(')', f);
            break;
        }
    }
}

static void attrs(FILE *f, const mf_attr *a, size_t n, int depth)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%*s%u %s", 2 * depth, "", (unsigned)a[i].line, mf_key_name(a[i].key));
        if (a[i].key == MF_K_SYMBOL)
            fprintf(f, " %s", mf_key_name(a[i].scope));
        if (a[i].name) {
            fputc(' ', f);
            if (a[i].key == MF_K_SYMBOL && a[i].name[0] == '*' && !a[i].name[1])
                fputc('*', f);
            else
                name(f, a[i].name);
        }
        values(f, a[i].op, a[i].v, a[i].nv);
        fputs(a[i].braces && !a[i].nsub ? " {}\n" : "\n", f);
        attrs(f, a[i].sub, a[i].nsub, depth + 1);
    }
}

void mf_print(FILE *f, const mf_directive *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s:%u %s", d[i].file, (unsigned)d[i].line, mf_key_name(d[i].key));
        if (d[i].name) {
            fputc(' ', f);
            name(f, d[i].name);
        }
        if (d[i].key == MF_K_SYMBOL_VERSION && d[i].nv) {
            fputs(" inherits", f);
            values(f, MF_BARE, d[i].v, d[i].nv);
        } else
            values(f, d[i].op, d[i].v, d[i].nv);
        fputs(d[i].braces && !d[i].nattrs ? " {}\n" : "\n", f);
        attrs(f, d[i].attrs, d[i].nattrs, 1);
    }
}
