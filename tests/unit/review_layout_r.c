/* keel_link_get_layout after a relocatable link (-r) through the public
 * API: the link runs, then the layout is asked for twice.  Prints
 * "layout: none" or "layout: N sections"; exit 1 with the error if the
 * link fails.  tests/review_issue12.t runs it.
 *
 *   review_layout_r OUTPUT INPUT... */
#include <keel/link.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: review_layout_r OUTPUT INPUT...\n");
        return 2;
    }
    keel_link_input *in = calloc((size_t)argc, sizeof *in);
    if (!in)
        return 2;
    for (int i = 2; i < argc; i++)
        in[i - 2].path = argv[i];
    keel_link_options opt = {.output = argv[1], .inputs = in, .ninputs = (size_t)argc - 2, .relocatable = true};
    keel_error err = {0};
    keel_linker *l = keel_link_open(&opt, &err);
    if (!l || keel_link_run(l)) {
        fprintf(stderr, "review_layout_r: %s\n", err.msg);
        keel_link_close(l);
        free(in);
        return 1;
    }
    const keel_link_layout *lay = keel_link_get_layout(l);
    if (keel_link_get_layout(l) != lay) {
        fprintf(stderr, "review_layout_r: a second call gave another layout\n");
        return 1;
    }
    if (lay)
        printf("layout: %zu sections\n", lay->nsections);
    else
        printf("layout: none\n");
    keel_link_close(l);
    free(in);
    return 0;
}
