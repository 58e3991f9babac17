/* The version-script reader, driven from tests/link_version_script.t:
 *
 *   version_script [--dynamic-list] FILE... [--match SYMBOL...]
 *
 * reads each FILE in turn into one script (as ld.bfd reads several
 * --version-script or --dynamic-list options) and prints its canonical
 * form (lk_vs_print), or "error: MESSAGE"; each warning as "warning:
 * MESSAGE"; then for each SYMBOL its node and scope by ld.bfd's
 * precedence ("SYMBOL NODE global|local", "SYMBOL - none"), or for a
 * dynamic list "SYMBOL listed|unlisted".  Exit 1 on an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/link/version_script.h"
#include "mapped_file.h"

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    printf("warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    lk_arena a = {0};
    keel_error err = {0};
    lk_vscript vs;
    int i = 1;
    bool list = i < argc && !strcmp(argv[i], "--dynamic-list");
    i += list;
    lk_vs_init(&vs, &a, &err, list);
    vs.say = warn;
    for (; i < argc && strcmp(argv[i], "--match") != 0; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            printf("error: %s: cannot open\n", argv[i]);
            return 1;
        }
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (lk_vs_read_text(&vs, argv[i], buf, n)) {
            printf("error: %s\n", err.msg);
            lk_arena_free(&a);
            return 1;
        }
    }
    if (i == argc)
        lk_vs_print(&vs, stdout);
    for (i++; i < argc; i++) {
        if (list) {
            int r = lk_vs_listed(&vs, argv[i]);
            if (r < 0)
                printf("error: %s\n", err.msg);
            else
                printf("%s %s\n", argv[i], r ? "listed" : "unlisted");
            continue;
        }
        lk_vmatch m;
        if (lk_vs_match(&vs, argv[i], &m))
            printf("error: %s\n", err.msg);
        else if (!m.node)
            printf("%s - none\n", argv[i]);
        else
            printf("%s %s %s\n", argv[i], m.node->name ? m.node->name : "(anonymous)", m.local ? "local" : "global");
    }
    lk_arena_free(&a);
    return 0;
}
