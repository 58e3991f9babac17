/* The mapfile reader's own state, shared by its parts: the lexer
 * (mapfile_lex.c), conditional input (mapfile_cond.c), the grammar
 * (mapfile_parse.c) and the files and tables (mapfile_read.c). */
#ifndef KEEL_LINK_MAPFILE_READER_H
#define KEEL_LINK_MAPFILE_READER_H

#include "mapfile.h"

enum mf_tok {
    MF_T_EOF,
    MF_T_NAME, /* an unquoted name or keyword */
    MF_T_STR,  /* a quoted string (never a keyword) */
    MF_T_INT,
    MF_T_SEMI,
    MF_T_COLON,
    MF_T_EQ,
    MF_T_LBRACE,
    MF_T_RBRACE,
    MF_T_BANG,
    MF_T_STAR,
    MF_T_PLUSEQ,
    MF_T_MINUSEQ,
    MF_T_ERR /* the reader has failed: r->rc */
};

typedef struct mf_token {
    int kind;      /* enum mf_tok */
    const char *s; /* the text (not NUL-terminated; a quoted string's decoded) */
    size_t n;
    uint64_t num; /* MF_T_INT */
    uint32_t line;
    bool paren; /* a name directly followed by '(' (MATCH, MATCHREF) */
} mf_token;

/* One level of $if: whether the text around it is read (outer), whether
 * the branch being read is, whether a branch was taken, whether $else was
 * seen, and the $if's line for messages. */
typedef struct mf_cond {
    bool outer, active, taken, in_else;
    uint32_t line;
} mf_cond;

/* A name in one of the reader's tables: the space says which table,
 * owner whose (a segment's IS_ORDER list...), gen which version of a list
 * that `=' restarts. */
typedef struct mf_entry {
    const char *s;
    const void *owner;
    void *val;
    uint32_t hash, gen;
    uint8_t space;
} mf_entry;

enum mf_space { MF_S_DEFINE, MF_S_SEGMENT, MF_S_CRITERION, MF_S_IS_ORDER, MF_S_OS_ORDER, MF_S_SEG_ORDER };

/* What the mapfiles have said of a segment so far (the checks that span
 * directives and files). */
typedef struct mf_seg {
    const char *name;
    uint16_t key; /* the directive that made it: LOAD_SEGMENT... */
    bool has_addr, has_vaddr, has_size, sysstat;
    size_t nsize_syms;
    uint32_t is_gen, os_gen; /* the current IS_ORDER and OS_ORDER lists */
    const char *file;        /* where it was first named */
    uint32_t line;
} mf_seg;

struct mf_reader {
    lk_arena *a;
    mf_target t;
    keel_error *err;
    int rc; /* the first error: reading stops there */
    /* the file being read */
    const char *file;
    char *buf; /* its bytes, NUL-terminated (quoted strings are decoded in place) */
    size_t len, pos;
    uint32_t line;
    bool bol; /* at the start of a line: a '$' there is a control directive */
    mf_token tok;
    /* conditional input */
    mf_cond *conds;
    size_t nconds, capconds;
    /* names: defined ($add), segments, criteria, list members */
    mf_entry *tab;
    size_t ntab, captab; /* captab a power of two (or 0) */
    uint32_t seg_order_gen;
    mf_directive *dirs;
    size_t ndirs, capdirs;
    mf_seg **segs; /* in order of first mention, for mf_finish */
    size_t nsegs, capsegs;
};

/* The error "FILE: line N: message"; returns it (r->rc). */
int mf_error(mf_reader *r, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int mf_nomem(mf_reader *r);
/* Reads the next token into r->tok (MF_T_ERR once r->rc is set). */
void mf_next(mf_reader *r);
/* MATCH(...) or MATCHREF(...), the name just read (r->tok.paren): the
 * text between the parentheses read into v. */
int mf_lex_match(mf_reader *r, bool ref, mf_value *v);
/* FILE_*'s name(member), the name just read (r->tok.paren): the token
 * takes in the member. */
int mf_lex_member(mf_reader *r);
/* The control directive at r->pos (a '$' first on its line), through the
 * end of its line. */
int mf_control(mf_reader *r);
/* Whether the text is being skipped (a false $if). */
static inline bool mf_skipping(const mf_reader *r) { return r->nconds && !r->conds[r->nconds - 1].active; }
/* The version line that must start a file; r->pos past it. */
int mf_version(mf_reader *r);
/* The directives of the file from r->pos. */
int mf_parse(mf_reader *r);

/* The tables: the entry for (space, owner, s[0..n)), NULL if none; or
 * made (its s copied), NULL when out of memory. */
mf_entry *mf_find(mf_reader *r, uint8_t space, const void *owner, const char *s, size_t n);
mf_entry *mf_add(mf_reader *r, uint8_t space, const void *owner, const char *s, size_t n);
bool mf_defined(mf_reader *r, const char *s, size_t n);

static inline bool mf_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static inline bool mf_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool mf_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool mf_name_first(int c) { return mf_alpha(c) || c == '_' || c == '.' || c == '/'; }
static inline bool mf_name_rest(int c) { return mf_name_first(c) || mf_digit(c) || c == '$' || c == '-' || c == '%'; }

#endif
