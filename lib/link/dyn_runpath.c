/* The run path a dynamic output carries (DT_RUNPATH, or DT_RPATH with
 * --disable-new-dtags; Debian's ld.bfd writes DT_RUNPATH by default): the
 * -rpath (and -R DIR) arguments joined by colons in the order given, one
 * already in the path skipped (ld.bfd's lexsup.c), else LD_RUN_PATH; the
 * strings are kept as written ($ORIGIN is the dynamic linker's).  A
 * static executable has no dynamic section: ld.bfd ignores -rpath there,
 * and so does keel (this is only asked for a dynamic output). */
#include <stdlib.h>
#include <string.h>

#include "verout.h"

/* Whether the colon list path holds dir as one of its elements. */
static bool holds(const char *path, const char *dir, size_t len)
{
    for (const char *cp = path; cp; cp = strchr(cp, ':'), cp = cp ? cp + 1 : NULL)
        if (strncmp(cp, dir, len) == 0 && (cp[len] == 0 || cp[len] == ':'))
            return true;
    return false;
}

const char *lk_runpath(lk_link *l)
{
    const keel_link_options *o = l->opt;
    if (!o->nrpath) {
        const char *env = getenv("LD_RUN_PATH");
        return env && *env ? env : NULL;
    }
    size_t size = 1;
    for (size_t i = 0; i < o->nrpath; i++)
        size += strlen(o->rpath[i]) + 1;
    char *path = lk_alloc(&l->arena, size), *end = path;
    if (!path)
        return NULL;
    *path = 0;
    for (size_t i = 0; i < o->nrpath; i++) {
        size_t len = strlen(o->rpath[i]);
        if (i && holds(path, o->rpath[i], len))
            continue;
        if (i)
            *end++ = ':';
        memcpy(end, o->rpath[i], len + 1);
        end += len;
    }
    return path;
}
