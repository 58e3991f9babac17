/* The mapfile grammar (version 2): each directive read into a record,
 * each attribute checked against what its directive accepts (the
 * attribute, its operators, its values), and the rules that span
 * directives and files checked as the records are made.  What needs the
 * layout (an unknown segment in SEGMENT_ORDER, addresses, sizes, symbol
 * definitions) is left to the step that applies the records. */
#include <string.h>

#include "mapfile_reader.h"

enum { B = 1 << MF_BARE, S = 1 << MF_SET, A = 1 << MF_ADD, U = 1 << MF_SUB };

/* where an attribute is read */
enum ctx {
    C_LOAD = 1 << 0,
    C_NOTE = 1 << 1, /* NOTE_SEGMENT and NULL_SEGMENT */
    C_RESERVE = 1 << 2,
    C_CRIT = 1 << 3, /* ASSIGN_SECTION */
    C_OSEC = 1 << 4, /* OUTPUT_SECTION */
    C_STACK = 1 << 5,
    C_CAP = 1 << 6,
    C_DEPEND = 1 << 7,
    C_SYM = 1 << 8,
    C_ASSERT = 1 << 9,
};

/* what an attribute's values are */
enum vt {
    VT_NONE,
    VT_INT,
    VT_SEGFLAGS, /* READ WRITE EXECUTE DATA STACK, or 0 */
    VT_SECFLAGS, /* [!]ALLOC [!]WRITE [!]EXECUTE [!]AMD64_LARGE */
    VT_OSFLAGS,  /* the same without '!' */
    VT_SHT,
    VT_NAMES,    /* one or more names */
    VT_NAME,     /* one name */
    VT_MATCH,    /* one name, or MATCH(...) */
    VT_OSNAME,   /* one name, or MATCHREF(...) */
    VT_RESTYPE,  /* RESERVE SYSSTAT SYSSTAT_ZONE */
    VT_CAPNAMES, /* names */
    VT_CAPBITS,  /* names or integers */
    VT_SYMFLAGS,
    VT_SYMTYPE,
    VT_BINDING,
    VT_SHATTR,
    VT_BLOCK, /* ASSIGN_SECTION, OUTPUT_SECTION, ASSERT */
};

static const struct spec {
    uint16_t ctx;
    uint16_t key;
    uint8_t ops;
    uint8_t vt;
} specs[] = {
    {C_LOAD | C_RESERVE, MF_K_ALIGN, S, VT_INT},
    {C_LOAD | C_NOTE, MF_K_ASSIGN_SECTION, B, VT_BLOCK},
    {C_LOAD | C_NOTE, MF_K_DISABLE, B, VT_NONE},
    {C_LOAD | C_STACK, MF_K_FLAGS, S | A | U, VT_SEGFLAGS},
    {C_LOAD | C_NOTE, MF_K_IS_ORDER, S | A, VT_NAMES},
    {C_LOAD, MF_K_MAX_SIZE, S, VT_INT},
    {C_LOAD, MF_K_NOHDR, B, VT_NONE},
    {C_LOAD | C_NOTE, MF_K_OS_ORDER, S | A, VT_NAMES},
    {C_LOAD | C_RESERVE, MF_K_PADDR, S, VT_INT},
    {C_LOAD | C_RESERVE, MF_K_ROUND, S, VT_INT},
    {C_LOAD | C_RESERVE, MF_K_SIZE_SYMBOL, S | A, VT_NAMES},
    {C_LOAD | C_RESERVE, MF_K_VADDR, S, VT_INT},
    {C_RESERVE, MF_K_SIZE, S, VT_INT},
    {C_RESERVE, MF_K_TYPE, S, VT_RESTYPE},
    {C_CRIT, MF_K_FILE_BASENAME, S, VT_MATCH},
    {C_CRIT, MF_K_FILE_OBJNAME, S, VT_MATCH},
    {C_CRIT, MF_K_FILE_PATH, S, VT_MATCH},
    {C_CRIT, MF_K_FLAGS, S | A, VT_SECFLAGS},
    {C_CRIT, MF_K_IS_NAME, S, VT_MATCH},
    {C_CRIT, MF_K_TYPE, S, VT_SHT},
    {C_CRIT, MF_K_OUTPUT_SECTION, B, VT_BLOCK},
    {C_OSEC, MF_K_ANCILLARY, S, VT_NAME},
    {C_OSEC, MF_K_DISCARD, B, VT_NONE},
    {C_OSEC, MF_K_FLAGS, S | A | U, VT_OSFLAGS},
    {C_OSEC, MF_K_NAME, S, VT_OSNAME},
    {C_OSEC, MF_K_TYPE, S, VT_SHT},
    {C_CAP, MF_K_HW, S | A | U, VT_CAPNAMES},
    {C_CAP, MF_K_HW_1, S | A | U, VT_CAPBITS},
    {C_CAP, MF_K_HW_2, S | A | U, VT_CAPBITS},
    {C_CAP, MF_K_SF, S | A | U, VT_CAPNAMES},
    {C_CAP, MF_K_SF_1, S | A | U, VT_CAPBITS},
    {C_CAP, MF_K_MACHINE, S | A | U, VT_NAMES},
    {C_CAP, MF_K_PLATFORM, S | A | U, VT_NAMES},
    {C_DEPEND, MF_K_ALLOW, S, VT_NAME},
    {C_DEPEND, MF_K_REQUIRE, S, VT_NAME},
    {C_SYM, MF_K_AUXILIARY, S, VT_NAME},
    {C_SYM, MF_K_FILTER, S, VT_NAME},
    {C_SYM, MF_K_FLAGS, S, VT_SYMFLAGS},
    {C_SYM | C_ASSERT, MF_K_SIZE, S, VT_INT},
    {C_SYM, MF_K_VALUE, S, VT_INT},
    {C_SYM | C_ASSERT, MF_K_TYPE, S, VT_SYMTYPE},
    {C_SYM, MF_K_ASSERT, B, VT_BLOCK},
    {C_SYM, MF_K_RENAME, S, VT_NAME},
    {C_ASSERT, MF_K_ALIAS, S, VT_NAME},
    {C_ASSERT, MF_K_BINDING, S, VT_BINDING},
    {C_ASSERT, MF_K_SH_ATTR, S, VT_SHATTR},
};

/* the section types a criterion or output section may name */
static const struct {
    const char *name;
    uint32_t type;
} shts[] = {
    {"NULL", 0},
    {"PROGBITS", 1},
    {"SYMTAB", 2},
    {"STRTAB", 3},
    {"RELA", 4},
    {"HASH", 5},
    {"DYNAMIC", 6},
    {"NOTE", 7},
    {"NOBITS", 8},
    {"REL", 9},
    {"SHLIB", 10},
    {"DYNSYM", 11},
    {"INIT_ARRAY", 14},
    {"FINI_ARRAY", 15},
    {"PREINIT_ARRAY", 16},
    {"GROUP", 17},
    {"SYMTAB_SHNDX", 18},
    {"RELR", 19},
    {"GNU_ATTRIBUTES", 0x6ffffff5},
    {"GNU_HASH", 0x6ffffff6},
    {"GNU_LIBLIST", 0x6ffffff7},
    {"GNU_VERDEF", 0x6ffffffd},
    {"GNU_VERNEED", 0x6ffffffe},
    {"GNU_VERSYM", 0x6fffffff},
    {"X86_64_UNWIND", 0x70000001},
};

/* A segment directive being read: its state, and where it comes from. */
typedef struct seg_ctx {
    mf_seg *seg;
    uint16_t key; /* LOAD_SEGMENT... */
} seg_ctx;

static int attrs_block(mf_reader *r, unsigned ctx, const char *what, seg_ctx *sc, mf_attr **v, size_t *n);

#define TOK (r->tok)

static bool is_term(const mf_reader *r) { return TOK.kind == MF_T_SEMI || TOK.kind == MF_T_RBRACE; }

static const char *tok_text(const mf_reader *r, char *buf, size_t size)
{
    switch (TOK.kind) {
    case MF_T_EOF: return "end of file";
    case MF_T_NAME:
    case MF_T_STR:
    case MF_T_INT: snprintf(buf, size, "'%.*s'", (int)(TOK.n > 40 ? 40 : TOK.n), TOK.s); return buf;
    default: snprintf(buf, size, "'%.*s'", (int)TOK.n, TOK.s ? TOK.s : ""); return buf;
    }
}

/* A keyword where one must be: never quoted. */
static unsigned keyword(mf_reader *r)
{
    if (TOK.kind == MF_T_STR && mf_keyword(TOK.s, TOK.n)) {
        mf_error(r, TOK.line, "mapfile keywords should not be quoted: %.*s", (int)TOK.n, TOK.s);
        return MF_K_NONE;
    }
    return TOK.kind == MF_T_NAME ? mf_keyword(TOK.s, TOK.n) : MF_K_NONE;
}

static bool is_name(const mf_reader *r) { return TOK.kind == MF_T_NAME || TOK.kind == MF_T_STR; }

static const char *copy_name(mf_reader *r)
{
    char *s = lk_strndup(r->a, TOK.s, TOK.n);
    if (!s)
        mf_nomem(r);
    return s;
}

static mf_value *push_value(mf_reader *r, mf_value **v, size_t *n, size_t *cap)
{
    mf_value *w = lk_grow(r->a, *v, *n, cap, sizeof *w, 4);
    if (!w) {
        mf_nomem(r);
        return NULL;
    }
    *v = w;
    w[*n] = (mf_value){0};
    return &w[(*n)++];
}

static int expect_semi(mf_reader *r, const char *what)
{
    if (TOK.kind != MF_T_SEMI)
        return r->rc ? r->rc : mf_error(r, TOK.line, "expected ';' to terminate %s", what);
    return 0;
}

/* The segment a segment directive names: made on first mention; its kind
 * may not change. */
static mf_seg *segment(mf_reader *r, uint16_t key, const char *name, uint32_t line)
{
    mf_entry *e = mf_add(r, MF_S_SEGMENT, NULL, name, strlen(name));
    if (!e) {
        mf_nomem(r);
        return NULL;
    }
    mf_seg *s = e->val;
    if (!s) {
        mf_seg **v = lk_grow(r->a, r->segs, r->nsegs, &r->capsegs, sizeof *v, 8);
        s = lk_zalloc(r->a, sizeof *s);
        if (!v || !s) {
            mf_nomem(r);
            return NULL;
        }
        r->segs = v;
        *s = (mf_seg){.name = e->s, .key = key, .is_gen = 1, .os_gen = 1, .file = r->file, .line = line};
        v[r->nsegs++] = s;
        e->val = s;
    } else if (s->key != key) {
        static const char *const pt[] = {[MF_K_LOAD_SEGMENT] = "PT_LOAD",
                                         [MF_K_NOTE_SEGMENT] = "PT_NOTE",
                                         [MF_K_NULL_SEGMENT] = "PT_NULL",
                                         [MF_K_RESERVE_SEGMENT] = "reserved PT_LOAD"};
        mf_error(r, line, "%s segment cannot be used with %s directive: %s", pt[s->key], mf_key_name(key), name);
        return NULL;
    }
    return s;
}

static bool in_segment_order(mf_reader *r, const char *name)
{
    mf_entry *e = mf_find(r, MF_S_SEG_ORDER, NULL, name, strlen(name));
    return e && e->gen == r->seg_order_gen;
}

/* One value of a keyword list: the keyword, which must be one of keys. */
static int key_value(mf_reader *r, const char *what, const uint16_t *keys, size_t nkeys, mf_value *v)
{
    unsigned k = keyword(r);
    if (r->rc)
        return r->rc;
    for (size_t i = 0; i < nkeys; i++)
        if (k && keys[i] == k) {
            v->kind = MF_V_KEY;
            v->key = (uint16_t)k;
            return 0;
        }
    char b[64];
    return mf_error(r, TOK.line, "%s: invalid value %s", what, tok_text(r, b, sizeof b));
}

/* The values of attribute sp, up to its terminator, into a. */
static int values(mf_reader *r, const struct spec *sp, mf_attr *a, seg_ctx *sc)
{
    const char *what = mf_key_name(sp->key);
    size_t cap = 0;
    bool single = sp->vt == VT_INT || sp->vt == VT_SHT || sp->vt == VT_NAME || sp->vt == VT_MATCH ||
                  sp->vt == VT_OSNAME || sp->vt == VT_RESTYPE || sp->vt == VT_SYMTYPE || sp->vt == VT_BINDING ||
                  sp->vt == VT_SHATTR;
    char b[64];
    while (!is_term(r) && !r->rc) {
        if (TOK.kind == MF_T_EOF)
            return mf_error(r, TOK.line, "expected ';' to terminate %s", what);
        if (single && a->nv)
            return mf_error(r, TOK.line, "%s takes one value: unexpected %s", what, tok_text(r, b, sizeof b));
        mf_value *v = push_value(r, &a->v, &a->nv, &cap);
        if (!v)
            return r->rc;
        switch (sp->vt) {
        case VT_INT:
            if (TOK.kind != MF_T_INT)
                return mf_error(r, TOK.line, "%s: expected an integer, not %s", what, tok_text(r, b, sizeof b));
            v->kind = MF_V_INT;
            v->num = TOK.num;
            break;
        case VT_SEGFLAGS: {
            static const uint16_t k[] = {MF_K_READ, MF_K_WRITE, MF_K_EXECUTE, MF_K_DATA, MF_K_STACK};
            if (TOK.kind == MF_T_INT && TOK.num == 0) {
                v->kind = MF_V_INT; /* no permissions */
                break;
            }
            if (key_value(r, "segment FLAGS", k, 5, v))
                return r->rc;
            v->num = v->key == MF_K_READ ? 4 : v->key == MF_K_WRITE ? 2 : v->key == MF_K_EXECUTE ? 1 : 0;
            break;
        }
        case VT_SECFLAGS:
        case VT_OSFLAGS: {
            static const uint16_t k[] = {MF_K_ALLOC, MF_K_WRITE, MF_K_EXECUTE, MF_K_AMD64_LARGE};
            if (TOK.kind == MF_T_BANG) {
                if (sp->vt == VT_OSFLAGS)
                    return mf_error(r, TOK.line, "%s: '!' is for entrance criteria only", what);
                v->neg = true;
                mf_next(r);
                if (TOK.kind == MF_T_BANG)
                    return mf_error(r, TOK.line, "'!' can only be specified once per flag");
                if (!(TOK.kind == MF_T_NAME || TOK.kind == MF_T_STR))
                    return r->rc ? r->rc : mf_error(r, TOK.line, "'!' appears without corresponding flag");
            }
            if (key_value(r, "section FLAGS", k, 4, v))
                return r->rc;
            v->num = v->key == MF_K_ALLOC ? 2 : v->key == MF_K_WRITE ? 1 : v->key == MF_K_EXECUTE ? 4 : 0x10000000;
            break;
        }
        case VT_SHT: {
            if (TOK.kind == MF_T_STR)
                return mf_error(r, TOK.line, "mapfile keywords should not be quoted: %.*s", (int)TOK.n, TOK.s);
            const char *s = TOK.s;
            size_t n = TOK.kind == MF_T_NAME ? TOK.n : 0;
            if (n > 4 && strncasecmp(s, "SHT_", 4) == 0)
                s += 4, n -= 4;
            size_t i = 0;
            while (i < sizeof shts / sizeof *shts && !(strlen(shts[i].name) == n && !strncasecmp(shts[i].name, s, n)))
                i++;
            if (i == sizeof shts / sizeof *shts)
                return mf_error(r, TOK.line, "%s: unknown section type %s", what, tok_text(r, b, sizeof b));
            v->kind = MF_V_SHT;
            v->num = shts[i].type;
            v->str = shts[i].name;
            break;
        }
        case VT_MATCH:
        case VT_OSNAME: {
            unsigned k = TOK.kind == MF_T_NAME && TOK.paren ? mf_keyword(TOK.s, TOK.n) : 0;
            if (k == (sp->vt == VT_MATCH ? MF_K_MATCH : MF_K_MATCHREF)) {
                if (mf_lex_match(r, k == MF_K_MATCHREF, v))
                    return r->rc;
                break;
            }
            if (TOK.kind == MF_T_NAME && TOK.paren && sp->key != MF_K_IS_NAME && sp->vt == VT_MATCH &&
                mf_lex_member(r)) /* FILE_*: archive(member) */
                return r->rc;
        }
            /* fall through */
        case VT_NAMES:
        case VT_NAME:
        case VT_CAPNAMES:
            if (!is_name(r))
                return mf_error(r, TOK.line, "%s: expected a name, not %s", what, tok_text(r, b, sizeof b));
            v->kind = MF_V_NAME;
            if (!(v->str = copy_name(r)))
                return r->rc;
            break;
        case VT_CAPBITS:
            if (TOK.kind == MF_T_INT) {
                v->kind = MF_V_INT;
                v->num = TOK.num;
            } else if (is_name(r)) {
                v->kind = MF_V_NAME;
                if (!(v->str = copy_name(r)))
                    return r->rc;
            } else
                return mf_error(r, TOK.line, "%s: expected a name or an integer, not %s", what,
                                tok_text(r, b, sizeof b));
            break;
        case VT_RESTYPE: {
            static const uint16_t k[] = {MF_K_RESERVE, MF_K_SYSSTAT, MF_K_SYSSTAT_ZONE};
            if (key_value(r, what, k, 3, v))
                return r->rc;
            break;
        }
        case VT_SYMFLAGS: {
            static const uint16_t k[] = {MF_K_DIRECT,   MF_K_DYNSORT,   MF_K_EXTERN, MF_K_INTERPOSE,
                                         MF_K_NODIRECT, MF_K_NODYNSORT, MF_K_PARENT};
            if (key_value(r, "symbol FLAGS", k, 7, v))
                return r->rc;
            break;
        }
        case VT_SYMTYPE: {
            static const uint16_t k[] = {MF_K_COMMON, MF_K_DATA, MF_K_FUNCTION, MF_K_TLS};
            if (key_value(r, "symbol TYPE", k, 4, v))
                return r->rc;
            break;
        }
        case VT_BINDING: {
            static const uint16_t k[] = {MF_K_GLOBAL, MF_K_WEAK};
            if (key_value(r, what, k, 2, v))
                return r->rc;
            break;
        }
        case VT_SHATTR: {
            static const uint16_t k[] = {MF_K_BITS, MF_K_NOBITS};
            if (key_value(r, what, k, 2, v))
                return r->rc;
            break;
        }
        default: return mf_error(r, TOK.line, "%s takes no value", what);
        }
        mf_next(r);
    }
    if (r->rc)
        return r->rc;
    if (!a->nv)
        return mf_error(r, a->line, "%s specified without values", what);
    /* the checks of the values themselves */
    uint64_t x = a->v[0].num;
    switch (sp->key) {
    case MF_K_ALIGN:
        if (!x || (x & (x - 1)))
            return mf_error(r, a->line, "ALIGN value must be a power of 2: 0x%llx", (unsigned long long)x);
        break;
    case MF_K_ROUND:
        if (x & (x - 1))
            return mf_error(r, a->line, "ROUND value must be 0 or a power of 2: 0x%llx", (unsigned long long)x);
        break;
    case MF_K_FILE_BASENAME:
    case MF_K_FILE_OBJNAME:
        /* every value, a name, a text or a glob: a basename or an
         * object name has no '/' (a glob with one could never match) */
        for (size_t i = 0; i < a->nv; i++)
            if ((a->v[i].kind == MF_V_NAME || (a->v[i].kind == MF_V_MATCH && a->v[i].match != 'r')) &&
                strchr(a->v[i].str, '/'))
                return mf_error(r, a->line, "%s cannot contain '/': %s", what, a->v[i].str);
        break;
    case MF_K_FLAGS:
        if (sp->vt == VT_SECFLAGS) /* a flag once, with or without '!' */
            for (size_t i = 0; i < a->nv; i++)
                for (size_t j = 0; j < i; j++)
                    if (a->v[i].key == a->v[j].key)
                        return mf_error(r, a->line, "'!' can only be specified once per flag: %s",
                                        mf_key_name(a->v[i].key));
        break;
    default: break;
    }
    (void)sc;
    return 0;
}

/* The rules of a segment's attribute that span directives and files. */
static int segment_rules(mf_reader *r, mf_attr *a, seg_ctx *sc)
{
    mf_seg *s = sc->seg;
    switch (a->key) {
    case MF_K_VADDR:
    case MF_K_PADDR:
        if (in_segment_order(r, s->name))
            return mf_error(r, a->line,
                            "segment cannot have an explicit address and also be in the SEGMENT_ORDER list: %s",
                            s->name);
        s->has_addr = true;
        s->has_vaddr |= a->key == MF_K_VADDR;
        break;
    case MF_K_SIZE: s->has_size = true; break;
    case MF_K_TYPE: s->sysstat = a->v[0].key != MF_K_RESERVE; break;
    case MF_K_DISABLE:
        if (!strcmp(s->name, "extra"))
            return mf_error(r, a->line, "segment cannot be disabled: extra");
        break;
    case MF_K_SIZE_SYMBOL:
        if (a->op == MF_SET && s->nsize_syms)
            return mf_error(r, a->line, "existing segment size symbols cannot be reset: %s", s->name);
        s->nsize_syms += a->nv;
        break;
    case MF_K_IS_ORDER:
    case MF_K_OS_ORDER: {
        bool is = a->key == MF_K_IS_ORDER;
        uint32_t *gen = is ? &s->is_gen : &s->os_gen;
        if (a->op == MF_SET)
            ++*gen; /* a new list */
        for (size_t i = 0; i < a->nv; i++) {
            const char *name = a->v[i].str;
            if (is) {
                mf_entry *c = mf_find(r, MF_S_CRITERION, NULL, name, strlen(name));
                if (!c || c->val != s)
                    return mf_error(r, a->line, "unknown entrance criteria (ASSIGN_SECTION) of segment %s: %s", s->name,
                                    name);
            }
            mf_entry *e = mf_add(r, is ? MF_S_IS_ORDER : MF_S_OS_ORDER, s, name, strlen(name));
            if (!e)
                return mf_nomem(r);
            if (e->gen == *gen)
                return is ? mf_error(r, a->line, "entrance criteria is already in IS_ORDER list: %s", name)
                          : mf_error(r, a->line, "section is already in OS_ORDER list: %s", name);
            e->gen = *gen;
        }
        break;
    }
    default: break;
    }
    return 0;
}

/* ASSIGN_SECTION [name] [{ ... }], after the keyword. */
static int assign_section(mf_reader *r, mf_attr *a, seg_ctx *sc)
{
    if (is_name(r)) {
        if (!(a->name = copy_name(r)))
            return r->rc;
        mf_entry *e = mf_add(r, MF_S_CRITERION, NULL, a->name, strlen(a->name));
        if (!e)
            return mf_nomem(r);
        if (e->val)
            return mf_error(r, a->line, "cannot redefine entrance criteria: %s", a->name);
        e->val = sc->seg;
        mf_next(r);
    }
    if (TOK.kind == MF_T_LBRACE) {
        a->braces = true;
        if (attrs_block(r, C_CRIT, "ASSIGN_SECTION", sc, &a->sub, &a->nsub))
            return r->rc;
        mf_next(r); /* past '}' */
    }
    return r->rc;
}

/* One attribute of a block, through its values (TOK on its terminator). */
static int attribute(mf_reader *r, unsigned ctx, seg_ctx *sc, mf_attr *a)
{
    char b[64];
    unsigned k = keyword(r);
    if (r->rc)
        return r->rc;
    const struct spec *sp = NULL;
    for (size_t i = 0; i < sizeof specs / sizeof *specs && k; i++)
        if (specs[i].key == k && (specs[i].ctx & ctx))
            sp = &specs[i];
    if (!sp) {
        /* the list of what would have been accepted */
        char list[KEEL_ERROR_MSG_MAX / 2];
        size_t n = 0;
        list[0] = 0;
        for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
            if ((specs[i].ctx & ctx) && n < sizeof list)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? " " : "", mf_key_name(specs[i].key));
        return mf_error(r, TOK.line, "expected attribute name (%s), or terminator: found %s", list,
                        tok_text(r, b, sizeof b));
    }
    *a = (mf_attr){.key = sp->key, .line = TOK.line};
    mf_next(r);
    if (sp->key == MF_K_ASSIGN_SECTION)
        return assign_section(r, a, sc);
    if (sp->vt == VT_BLOCK) { /* OUTPUT_SECTION, ASSERT */
        if (TOK.kind != MF_T_LBRACE)
            return r->rc ? r->rc : mf_error(r, TOK.line, "%s: expected '{'", mf_key_name(sp->key));
        a->braces = true;
        if (attrs_block(r, sp->key == MF_K_ASSERT ? C_ASSERT : C_OSEC, mf_key_name(sp->key), sc, &a->sub, &a->nsub))
            return r->rc;
        mf_next(r);
        return r->rc;
    }
    int op = TOK.kind == MF_T_EQ        ? MF_SET
             : TOK.kind == MF_T_PLUSEQ  ? MF_ADD
             : TOK.kind == MF_T_MINUSEQ ? MF_SUB
                                        : MF_BARE;
    if (r->rc)
        return r->rc;
    if (!(sp->ops & (1 << op))) {
        static const char *const opname[] = {"no operator", "'='", "'+='", "'-='"};
        if (op == MF_BARE)
            return mf_error(r, TOK.line, "%s: expected an operator (%s%s%s), not %s", mf_key_name(sp->key),
                            sp->ops & S ? "=" : "", sp->ops & A ? " +=" : "", sp->ops & U ? " -=" : "",
                            tok_text(r, b, sizeof b));
        return mf_error(r, TOK.line, "%s: %s is not allowed here", mf_key_name(sp->key), opname[op]);
    }
    a->op = (uint8_t)op;
    if (op != MF_BARE) {
        mf_next(r);
        if (values(r, sp, a, sc))
            return r->rc;
    }
    if (sc && (ctx & (C_LOAD | C_NOTE | C_RESERVE)))
        return segment_rules(r, a, sc);
    return 0;
}

/* Checks of a symbol's attributes together. */
static int symbol_rules(mf_reader *r, const mf_attr *s)
{
    bool extern_parent = false, size_value = false;
    size_t filters = 0;
    for (size_t i = 0; i < s->nsub; i++) {
        const mf_attr *a = &s->sub[i];
        if (a->key == MF_K_FLAGS)
            for (size_t j = 0; j < a->nv; j++)
                extern_parent |= a->v[j].key == MF_K_EXTERN || a->v[j].key == MF_K_PARENT;
        size_value |= a->key == MF_K_SIZE || a->key == MF_K_VALUE;
        filters += a->key == MF_K_AUXILIARY || a->key == MF_K_FILTER;
        if (a->key == MF_K_ASSERT) {
            bool alias = false, other = false;
            for (size_t j = 0; j < a->nsub; j++) {
                alias |= a->sub[j].key == MF_K_ALIAS;
                other |= a->sub[j].key == MF_K_SH_ATTR || a->sub[j].key == MF_K_SIZE || a->sub[j].key == MF_K_TYPE;
            }
            if (alias && other)
                return mf_error(r, a->line, "symbol %s: ASSERT ALIAS cannot be combined with SH_ATTR, SIZE or TYPE",
                                s->name);
        }
    }
    if (extern_parent && size_value)
        return mf_error(r, s->line, "symbol %s: SIZE and VALUE cannot be used with FLAGS EXTERN or PARENT", s->name);
    if (filters > 1)
        return mf_error(r, s->line, "symbol %s: only one AUXILIARY or FILTER per symbol", s->name);
    return 0;
}

/* A { ... } of attributes, TOK on its '{'; TOK on its '}' after. */
static int attrs_block(mf_reader *r, unsigned ctx, const char *what, seg_ctx *sc, mf_attr **v, size_t *n)
{
    size_t cap = 0;
    mf_next(r);
    if (TOK.kind == MF_T_RBRACE)
        return mf_error(r, TOK.line, "%s specified no attributes (empty {})", what);
    while (!r->rc && TOK.kind != MF_T_RBRACE) {
        if (TOK.kind == MF_T_SEMI) { /* an empty statement */
            mf_next(r);
            continue;
        }
        mf_attr *w = lk_grow(r->a, *v, *n, &cap, sizeof *w, 4);
        if (!w)
            return mf_nomem(r);
        *v = w;
        if (attribute(r, ctx, sc, &w[*n]))
            return r->rc;
        ++*n;
        if (TOK.kind == MF_T_SEMI)
            mf_next(r);
        else if (TOK.kind != MF_T_RBRACE)
            return r->rc ? r->rc : mf_error(r, TOK.line, "expected ';' to terminate %s", mf_key_name(w[*n - 1].key));
    }
    return r->rc;
}

/* The body of SYMBOL_SCOPE or SYMBOL_VERSION, TOK on its '{'; on its '}'
 * after.  Symbols, each in the scope last named. */
static int symbol_body(mf_reader *r, mf_directive *d)
{
    size_t cap = 0;
    uint16_t scope = MF_K_DEFAULT;
    char b[64];
    mf_next(r);
    while (!r->rc && TOK.kind != MF_T_RBRACE) {
        if (TOK.kind == MF_T_SEMI) {
            mf_next(r);
            continue;
        }
        if (TOK.kind != MF_T_STAR && !is_name(r))
            return r->rc ? r->rc
                         : mf_error(r, TOK.line, "expected a symbol name, '*' or a scope, not %s",
                                    tok_text(r, b, sizeof b));
        mf_token name = TOK;
        mf_next(r);
        if (TOK.kind == MF_T_COLON) { /* scope: */
            unsigned k = name.kind == MF_T_NAME ? mf_keyword(name.s, name.n) : 0;
            if (name.kind == MF_T_STR && mf_keyword(name.s, name.n))
                return mf_error(r, name.line, "mapfile keywords should not be quoted: %.*s", (int)name.n, name.s);
            if (k != MF_K_DEFAULT && k != MF_K_GLOBAL && k != MF_K_LOCAL && k != MF_K_HIDDEN && k != MF_K_ELIMINATE &&
                k != MF_K_EXPORTED && k != MF_K_PROTECTED && k != MF_K_SYMBOLIC && k != MF_K_SINGLETON)
                return mf_error(r, name.line, "unknown symbol scope: %.*s", (int)name.n, name.s);
            scope = (uint16_t)k;
            mf_next(r);
            continue;
        }
        mf_attr *w = lk_grow(r->a, d->attrs, d->nattrs, &cap, sizeof *w, 8);
        if (!w)
            return mf_nomem(r);
        d->attrs = w;
        mf_attr *s = &w[d->nattrs++];
        *s = (mf_attr){.key = MF_K_SYMBOL, .scope = scope, .line = name.line};
        if (!(s->name = lk_strndup(r->a, name.kind == MF_T_STAR ? "*" : name.s, name.kind == MF_T_STAR ? 1 : name.n)))
            return mf_nomem(r);
        if (name.kind == MF_T_STAR) {
            if (scope != MF_K_LOCAL && scope != MF_K_HIDDEN && scope != MF_K_ELIMINATE)
                return mf_error(r, name.line, "'*' is allowed only in the local (hidden) or eliminate scope, not in %s",
                                scope == MF_K_DEFAULT ? "the default scope" : mf_key_name(scope));
        } else if (TOK.kind == MF_T_LBRACE) {
            s->braces = true;
            if (attrs_block(r, C_SYM, "symbol", NULL, &s->sub, &s->nsub) || symbol_rules(r, s))
                return r->rc;
            mf_next(r);
        }
        if (TOK.kind == MF_T_SEMI)
            mf_next(r);
        else if (TOK.kind != MF_T_RBRACE)
            return r->rc ? r->rc : mf_error(r, TOK.line, "expected ';' to terminate symbol %s", s->name);
    }
    return r->rc;
}

/* The directive whose keyword is TOK (k); TOK on its ';' after. */
static int directive(mf_reader *r, mf_directive *d, unsigned k)
{
    const char *what = mf_key_name(k);
    char b[64];
    mf_next(r);
    switch (k) {
    case MF_K_LOAD_SEGMENT:
    case MF_K_NOTE_SEGMENT:
    case MF_K_NULL_SEGMENT:
    case MF_K_RESERVE_SEGMENT: {
        if (!is_name(r) || !TOK.n)
            return r->rc ? r->rc
                         : mf_error(r, TOK.line, "%s: expected a segment name, not %s", what, tok_text(r, b, sizeof b));
        if (!(d->name = copy_name(r)))
            return r->rc;
        seg_ctx sc = {segment(r, (uint16_t)k, d->name, d->line), (uint16_t)k};
        if (!sc.seg)
            return r->rc;
        mf_next(r);
        if (TOK.kind == MF_T_LBRACE) {
            d->braces = true;
            unsigned ctx = k == MF_K_LOAD_SEGMENT ? C_LOAD : k == MF_K_RESERVE_SEGMENT ? C_RESERVE : C_NOTE;
            if (attrs_block(r, ctx, what, &sc, &d->attrs, &d->nattrs))
                return r->rc;
            mf_next(r);
        } else if (k == MF_K_RESERVE_SEGMENT && TOK.kind == MF_T_SEMI)
            return mf_error(r, d->line, "RESERVE_SEGMENT %s: cannot be empty: it must have a VADDR and a SIZE",
                            d->name);
        return expect_semi(r, what);
    }
    case MF_K_SEGMENT_ORDER:
    case MF_K_PHDR_ADD_NULL: {
        static const struct spec order = {0, MF_K_SEGMENT_ORDER, S | A, VT_NAMES},
                                 nulls = {0, MF_K_PHDR_ADD_NULL, S, VT_INT};
        const struct spec *sp = k == MF_K_SEGMENT_ORDER ? &order : &nulls;
        int op = TOK.kind == MF_T_EQ ? MF_SET : TOK.kind == MF_T_PLUSEQ && sp->ops & A ? MF_ADD : -1;
        if (op < 0)
            return r->rc ? r->rc
                         : mf_error(r, TOK.line, "%s: expected %s, not %s", what, sp->ops & A ? "'=' or '+='" : "'='",
                                    tok_text(r, b, sizeof b));
        d->op = (uint8_t)op;
        mf_attr a = {.key = (uint16_t)k, .op = (uint8_t)op, .line = TOK.line};
        mf_next(r);
        if (TOK.kind == MF_T_RBRACE)
            return mf_error(r, TOK.line, "unexpected '}'");
        if (values(r, sp, &a, NULL))
            return r->rc;
        d->v = a.v;
        d->nv = a.nv;
        if (k == MF_K_SEGMENT_ORDER) {
            if (op == MF_SET)
                r->seg_order_gen++; /* the list restarts */
            for (size_t i = 0; i < d->nv; i++) {
                const char *name = d->v[i].str;
                mf_entry *s = mf_find(r, MF_S_SEGMENT, NULL, name, strlen(name));
                if (s && ((mf_seg *)s->val)->has_addr)
                    return mf_error(r, a.line,
                                    "segment cannot have an explicit address and also be in the SEGMENT_ORDER list: %s",
                                    name);
                mf_entry *e = mf_add(r, MF_S_SEG_ORDER, NULL, name, strlen(name));
                if (!e)
                    return mf_nomem(r);
                if (e->gen == r->seg_order_gen)
                    return mf_error(r, a.line, "segment is already in SEGMENT_ORDER list: %s", name);
                e->gen = r->seg_order_gen;
            }
        }
        return expect_semi(r, what);
    }
    case MF_K_HDR_NOALLOC: return expect_semi(r, what);
    case MF_K_STACK:
    case MF_K_DEPEND_VERSIONS:
    case MF_K_CAPABILITY: {
        if (k != MF_K_STACK && is_name(r)) {
            if (!(d->name = copy_name(r)))
                return r->rc;
            mf_next(r);
        }
        if (k == MF_K_DEPEND_VERSIONS && !d->name)
            return r->rc ? r->rc : mf_error(r, TOK.line, "DEPEND_VERSIONS: expected an object name");
        if (TOK.kind == MF_T_LBRACE) {
            d->braces = true;
            unsigned ctx = k == MF_K_STACK ? C_STACK : k == MF_K_CAPABILITY ? C_CAP : C_DEPEND;
            if (attrs_block(r, ctx, what, NULL, &d->attrs, &d->nattrs))
                return r->rc;
            mf_next(r);
        } else if (k != MF_K_CAPABILITY || !d->name)
            return r->rc ? r->rc : mf_error(r, TOK.line, "%s: expected '{', not %s", what, tok_text(r, b, sizeof b));
        return expect_semi(r, what);
    }
    case MF_K_SYMBOL_SCOPE:
    case MF_K_SYMBOL_VERSION: {
        if (k == MF_K_SYMBOL_VERSION) {
            if (!is_name(r))
                return r->rc ? r->rc
                             : mf_error(r, TOK.line, "SYMBOL_VERSION: expected a version name, not %s",
                                        tok_text(r, b, sizeof b));
            if (!(d->name = copy_name(r)))
                return r->rc;
            mf_next(r);
        }
        if (TOK.kind != MF_T_LBRACE)
            return r->rc ? r->rc : mf_error(r, TOK.line, "%s: expected '{', not %s", what, tok_text(r, b, sizeof b));
        d->braces = true;
        if (symbol_body(r, d))
            return r->rc;
        if (!d->nattrs && k == MF_K_SYMBOL_SCOPE)
            return mf_error(r, d->line, "SYMBOL_SCOPE specified no attributes (empty {})");
        mf_next(r);
        size_t cap = 0;
        while (is_name(r)) { /* the versions it inherits */
            if (k == MF_K_SYMBOL_SCOPE)
                return mf_error(r, TOK.line, "SYMBOL_SCOPE cannot name inherited versions");
            mf_value *v = push_value(r, &d->v, &d->nv, &cap);
            if (!v || !(v->str = copy_name(r)))
                return r->rc;
            v->kind = MF_V_NAME;
            mf_next(r);
        }
        return expect_semi(r, what);
    }
    case MF_K_STUB_OBJECT: return mf_error(r, d->line, "STUB_OBJECT is not supported: keel writes no stub objects");
    case MF_K_FILTER:
    case MF_K_ANCILLARY:
        return mf_error(r, d->line, "%s directive is not supported: keel writes no %s", what,
                        k == MF_K_FILTER ? "filters" : "ancillary objects");
    default: return mf_error(r, d->line, "unknown mapfile directive: %.*s", (int)TOK.n, TOK.s);
    }
}

int mf_parse(mf_reader *r)
{
    char b[64];
    for (mf_next(r); !r->rc && TOK.kind != MF_T_EOF; mf_next(r)) {
        if (TOK.kind == MF_T_SEMI)
            continue;
        unsigned k = keyword(r);
        if (r->rc)
            return r->rc;
        if (!k || k > MF_K_ANCILLARY)
            return mf_error(r, TOK.line, "expected a directive, not %s", tok_text(r, b, sizeof b));
        mf_directive *v = lk_grow(r->a, r->dirs, r->ndirs, &r->capdirs, sizeof *v, 16);
        if (!v)
            return mf_nomem(r);
        r->dirs = v;
        mf_directive *d = &v[r->ndirs];
        *d = (mf_directive){.key = (uint16_t)k, .file = r->file, .line = TOK.line};
        if (directive(r, d, k))
            return r->rc;
        r->ndirs++;
    }
    return r->rc;
}
