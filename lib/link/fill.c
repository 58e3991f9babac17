/* The inputs' bytes into the output, then their relocations applied,
 * with part of the copying on a second thread.  Copying is a memcpy per
 * section into a fresh mapping (the page faults are most of its cost),
 * relocating reads symbols: on static Python they were about 17% and 11%
 * of the link's CPU time.  Each file's state goes 0 (not copied), 1
 * (being copied), 2 (copied): a thread claims a file by 0 -> 1, so each
 * file is copied once, by whichever thread comes first.  The main thread
 * copies (unless the helper has) and relocates the files in order; the
 * helper copies from the last file back until they meet.  So the bytes
 * written, the diagnostics and the first error are those of one thread,
 * in the same order, however the threads are scheduled: the helper writes
 * only the sections of files the main thread has not reached, and no two
 * inputs' sections overlap. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../elfdefs.h"
#include "internal.h"

enum { NOT_COPIED, COPYING, COPIED };

typedef struct filler {
    lk_link *l;
    uint8_t *buf;
    uint8_t *state;   /* per file, atomic */
    uint32_t *failed; /* per file: the section cut short, 0 if none */
    int stop;         /* atomic: the main thread is done (or failed) */
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

/* Claim file fi and copy it: false if another thread has it. */
static bool claim_and_copy(filler *t, size_t fi)
{
    uint8_t expect = NOT_COPIED;
    if (!__atomic_compare_exchange_n(&t->state[fi], &expect, COPYING, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return false;
    t->failed[fi] = copy_file(t->l->files[fi], t->buf);
    __atomic_store_n(&t->state[fi], COPIED, __ATOMIC_RELEASE);
    return true;
}

/* From the last file back, until it meets the main thread: the main
 * thread then waits for a file the helper holds at most once, where they
 * meet (a helper preempted in the middle of a file would stall it). */
static void *helper(void *arg)
{
    filler *t = arg;
    for (size_t fi = t->l->nfiles; fi-- > 0 && !__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);)
        if (!claim_and_copy(t, fi))
            break;
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

int lk_fill_inputs(lk_link *l, uint8_t *buf)
{
    filler t = {l, buf, NULL, NULL, 0};
    pthread_t th;
    bool threaded = false;
    if (l->nfiles >= FEW_FILES && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        t.state = calloc(l->nfiles, 1);
        t.failed = calloc(l->nfiles, sizeof *t.failed);
        threaded = t.state && t.failed && !pthread_create(&th, NULL, helper, &t);
    }
    int rc = 0;
    for (size_t fi = 0; fi < l->nfiles && !rc; fi++) {
        lk_file *f = l->files[fi];
        uint32_t bad;
        if (!threaded)
            bad = copy_file(f, buf);
        else if (claim_and_copy(&t, fi))
            bad = t.failed[fi];
        else { /* the helper is copying it: a few microseconds */
            while (__atomic_load_n(&t.state[fi], __ATOMIC_ACQUIRE) != COPIED)
                sched_yield();
            bad = t.failed[fi];
        }
        if (bad)
            rc = lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u is cut short", f->name, bad);
        else
            rc = relocate_file(l, f, buf);
    }
    if (threaded) {
        __atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
    }
    free(t.state);
    free(t.failed);
    return rc;
}
