/* The inputs' bytes into the output, then their relocations applied,
 * on two threads.  Copying is a memcpy per section into a fresh mapping
 * (the page faults are most of its cost), relocating reads symbols: on
 * static Python they were about 17% and 11% of the link's CPU time, and
 * in a dynamic link the relocations' part grows (each absolute word asks
 * whether it needs a dynamic relocation).  Each file's state goes 0 (not
 * claimed), 1 (claimed), 2 (done): a thread claims a file by 0 -> 1, so
 * each file is done once, by whichever thread comes first.  The main
 * thread copies and relocates the files in order; the helper does so from
 * the last file back until they meet.  The result is that of one thread
 * in the files' order, however the threads are scheduled:
 * - the helper holds its messages back (lk_hold_messages): a file whose
 *   relocation met a warning or an error is copied and relocated again
 *   by the main thread, in its turn, which says them;
 * - its dynamic relocations go to its own arrays (lk_dyn_words_redirect),
 *   taken into the link's in the files' order, as the main thread would
 *   have recorded them;
 * - no two inputs' sections overlap; the one thing both threads write is
 *   a GOT slot two files reach, and each writes it the same value (the
 *   symbol's), as one thread would twice.
 * What relocating reads of the link is read-only by now: the symbols'
 * values are final, and cached before the helper starts. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dyn.h"
#include "../elfdefs.h"

enum { NOT_CLAIMED, CLAIMED, DONE };

typedef struct filler {
    lk_link *l;
    uint8_t *buf;
    uint8_t *state;   /* per file, atomic */
    uint32_t *failed; /* per file the helper did: the section cut short, 0 if none */
    bool *redo;       /* per file the helper did: it met a message, the main thread does it again */
    size_t *at;       /* per file the helper did: its records' ranges in words (4 each) */
    lk_dyn_words words;
    int stop; /* atomic: the main thread is done (or failed) */
} filler;

/* File fi's sections copied; the index of a section cut short, or 0. */
static uint32_t copy_file(const lk_file *f, uint8_t *buf)
{
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        /* the header and bytes as kr_input_sections read and checked them
         * (each section's bytes inside the file): not read again here */
        const kr_input_section *sh = &f->sections[i];
        lk_osec *o = f->out[i];
        if (!o || o->type == SHT_NOBITS || (f->merged && f->merged[i]))
            continue; /* (merged strings come with their pool) */
        if (sh->type == SHT_NOBITS)
            continue;            /* zeros in a section of data that another input made (the file is zero-filled) */
        if (f->eh && f->eh[i]) { /* an edited .eh_frame: its records kept */
            lk_eh_fill(o, f->eh[i], buf);
            continue;
        }
        if (sh->size && !sh->data)
            return i;
        if (sh->size) /* (an empty section's data may be NULL: no memcpy from it) */
            memcpy(buf + o->offset + f->pos[i], sh->data, sh->size);
    }
    return 0;
}

static bool claim(filler *t, size_t fi)
{
    uint8_t expect = NOT_CLAIMED;
    return __atomic_compare_exchange_n(&t->state[fi], &expect, CLAIMED, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static int relocate_file(lk_link *l, lk_file *f, uint8_t *buf);

/* From the last file back, until it meets the main thread: each file
 * claimed, copied and relocated, its messages held back. */
static void *helper(void *arg)
{
    filler *t = arg;
    lk_link *l = t->l;
    if (l->dyn)
        lk_dyn_words_redirect(&t->words);
    for (size_t fi = l->nfiles; fi-- > 0 && !__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);) {
        if (!claim(t, fi))
            break;
        bool met = false;
        size_t *at = t->at + 4 * fi;
        at[0] = t->words.nrel, at[2] = t->words.nsrel;
        t->failed[fi] = copy_file(l->files[fi], t->buf);
        if (!t->failed[fi]) {
            lk_hold_messages(&met);
            met |= relocate_file(l, l->files[fi], t->buf) != 0;
            lk_hold_messages(NULL);
        }
        at[1] = t->words.nrel, at[3] = t->words.nsrel;
        t->redo[fi] = met;
        __atomic_store_n(&t->state[fi], DONE, __ATOMIC_RELEASE);
    }
    lk_dyn_words_redirect(NULL);
    return NULL;
}

static int relocate_file(lk_link *l, lk_file *f, uint8_t *buf)
{
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        const kr_input_section sh = f->sections[i]; /* (read once, by kr_input_sections) */
        if (sh.type != SHT_RELA || sh.info >= f->elf.shnum)
            continue;
        lk_osec *o = f->out[sh.info];
        if (!o || o->type == SHT_NOBITS)
            continue;
        int rc = lk_relocate_section(l, f, i, buf + o->offset + f->pos[sh.info], o, o->addr + f->pos[sh.info]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Below this many files a thread costs more than it saves. */
enum { FEW_FILES = 64 };

/* Every global's value asked once, before two threads ask them: each
 * answer is then kept (lk_global_value), and relocating writes none.
 * An error is kept by none: its message is the relocation's to say. */
static void cache_values(lk_link *l)
{
    bool met = false;
    lk_hold_messages(&met);
    for (size_t i = 0; i < l->syms.cap; i++) {
        lk_sym *s = l->syms.v[i];
        uint64_t v, size;
        bool tls;
        if (s && !s->cached)
            lk_global_value(l, s, &v, &size, &tls, NULL, 0);
    }
    lk_hold_messages(NULL);
}

static bool start_helper(lk_link *l, filler *t, pthread_t *th)
{
    if (l->nfiles < FEW_FILES || sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return false;
    cache_values(l);
    t->state = calloc(l->nfiles, 1);
    t->failed = calloc(l->nfiles, sizeof *t->failed);
    t->redo = calloc(l->nfiles, sizeof *t->redo);
    t->at = calloc(l->nfiles, 4 * sizeof *t->at);
    if (l->dyn) { /* (as many as the link's arrays hold: lk_dyn_place) */
        t->words.caprel = l->dyn->ndata, t->words.capsrel = l->dyn->nsdata;
        t->words.rel = malloc((t->words.caprel + 1) * sizeof *t->words.rel);
        t->words.srel = malloc((t->words.capsrel + 1) * sizeof *t->words.srel);
    }
    return t->state && t->failed && t->redo && t->at && (!l->dyn || (t->words.rel && t->words.srel)) &&
           !pthread_create(th, NULL, helper, t);
}

/* The files the helper did, from first on, in order: its records taken,
 * or the file done again where it met a message. */
static int take_helpers(lk_link *l, filler *t, size_t first, uint8_t *buf)
{
    int rc = 0;
    for (size_t fi = first; fi < l->nfiles && !rc; fi++) {
        lk_file *f = l->files[fi];
        const size_t *at = t->at + 4 * fi;
        if (t->failed[fi])
            rc = lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u is cut short", f->name, t->failed[fi]);
        else if (t->redo[fi]) /* (copied again: relocating may have changed the bytes it reads) */
            rc = copy_file(f, buf) ? lk_fail(l, KEEL_E_TRUNCATED, "%s: section is cut short", f->name)
                                   : relocate_file(l, f, buf);
        else if (l->dyn)
            lk_dyn_words_take(l, &t->words, at[0], at[1], at[2], at[3]);
    }
    return rc;
}

int lk_fill_inputs(lk_link *l, uint8_t *buf)
{
    filler t = {.l = l, .buf = buf};
    pthread_t th;
    bool threaded = start_helper(l, &t, &th);
    int rc = 0;
    size_t fi = 0;
    for (; fi < l->nfiles && !rc; fi++) {
        lk_file *f = l->files[fi];
        if (threaded && !claim(&t, fi))
            break; /* the helper's from here on */
        uint32_t bad = copy_file(f, buf);
        if (bad)
            rc = lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u is cut short", f->name, bad);
        else
            rc = relocate_file(l, f, buf);
    }
    if (threaded) {
        __atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
        if (!rc)
            rc = take_helpers(l, &t, fi, buf);
    }
    free(t.state);
    free(t.failed);
    free(t.redo);
    free(t.at);
    free(t.words.rel);
    free(t.words.srel);
    return rc;
}
