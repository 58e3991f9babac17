/* Replays link fuzzer inputs (fuzz/seeds/link_inputs/: every input that
 * once made fuzz/link_inputs.c fail) through the same whole link, as TAP:
 * one check per file, which passes when the link neither crashes nor
 * breaks a promise (under SAN=1 the sanitizers watch it too).
 *   link_replay FILE...   */
#include <stdio.h>
#include <stdlib.h>

#include "../../fuzz/link_one.h"

int main(int argc, char **argv)
{
    printf("1..%d\n", argc - 1);
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        uint8_t *buf = NULL;
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (buf = malloc(n ? (size_t)n : 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            fflush(stdout);
            int rc = lf_link_one(buf, (size_t)n);
            printf("ok %d - %s (%s)\n", i, argv[i], rc ? "refused with a message" : "linked");
        } else {
            printf("not ok %d - %s: cannot read it\n", i, argv[i]);
        }
        free(buf);
        if (f)
            fclose(f);
    }
    return 0;
}
