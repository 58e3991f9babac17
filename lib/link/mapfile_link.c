/* The link's mapfiles (--mapfile, in command-line order): read (a mapfile
 * with an error gets its "FILE: line N:" message), then applied to the
 * segment model the defaults and options made (mapfile_apply.c). */
#include "../arch/arch.h"
#include "mapfile.h"

int lk_read_mapfiles(lk_link *l)
{
    const keel_link_options *opt = l->opt;
    /* What keel link writes: executables (ET_EXEC), relocatable objects
     * (ET_REL) with -r, or ET_DYN with -shared, -pie and -static-pie
     * (the e_type readelf -h shows, which $if _ET_DYN tests), for the
     * machine of its inputs, which are read after the mapfiles: the
     * host's (the only target keel has, and what keel link's callers
     * build for). */
    const ka_arch *arch = ka_arch_host();
    mf_target t = {.elfclass = arch ? arch->elfclass : 2,
                   .machine = arch ? arch->mapfile_names : NULL,
                   .etype = opt->relocatable          ? 1
                            : opt->shared || opt->pie ? 3
                                                      : 2};
    mf_reader *r = mf_reader_new(&l->arena, &t, l->err);
    if (!r)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < opt->nmapfiles && !rc; i++)
        rc = mf_read_path(r, opt->mapfiles[i]);
    if (!rc)
        rc = mf_finish(r);
    if (rc)
        return rc;
    size_t n;
    const mf_directive *d = mf_directives(r, &n);
    return lk_apply_mapfiles(l, d, n);
}
