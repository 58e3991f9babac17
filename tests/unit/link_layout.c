/* The finished layout through the public API (keel_link_open, run,
 * get_layout, close): links as `keel link` does and prints what
 * keel_link_get_layout says, one record a line, tab-separated, for
 * tests/link_layout.t to check against readelf, nm, the -Map file and
 * the bytes of the output.
 *
 *   link_layout OUTPUT MAP [--gc-sections] [--mapfile FILE] GROUP:FILE...
 *
 * GROUP is the input's --start-group number (0: none), as keel link
 * --keel-print-plan says.  Lines:
 *   segment TYPE FLAGS VADDR PADDR OFFSET FILESZ MEMSZ ALIGN
 *   section INDEX NAME TYPE FLAGS ADDR OFFSET SIZE ALIGN SEGMENT
 *   input N PATH MEMBER INDEX NAME OUTPUT OFFSET SIZE DISCARDED MERGED
 *   piece INPUT INPUT_OFFSET OUTPUT_OFFSET LENGTH
 * (numbers in hexadecimal; MEMBER "-" for none; OUTPUT and SEGMENT -1
 * for none).  Exit 1 with the error on stderr if the link fails. */
#include <keel/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: link_layout OUTPUT MAP [--gc-sections] [--mapfile FILE] GROUP:FILE...\n");
        return 2;
    }
    keel_link_options opt = {.output = argv[1], .map_file = argv[2], .relro = true};
    keel_link_input *in = calloc((size_t)argc, sizeof *in);
    if (!in)
        return 2;
    size_t n = 0;
    const char *maps[1];
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--gc-sections") == 0) {
            opt.gc_sections = true;
            continue;
        }
        if (strcmp(argv[i], "--mapfile") == 0 && i + 1 < argc) { /* (tests/mapfile_layout.t) */
            maps[0] = argv[++i];
            opt.mapfiles = maps, opt.nmapfiles = 1;
            continue;
        }
        char *colon = strchr(argv[i], ':');
        if (!colon)
            return 2;
        in[n].group = (uint32_t)strtoul(argv[i], NULL, 10);
        in[n++].path = colon + 1;
    }
    opt.inputs = in;
    opt.ninputs = n;
    keel_error err = {0};
    keel_linker *l = keel_link_open(&opt, &err);
    if (!l || keel_link_run(l)) {
        fprintf(stderr, "link_layout: %s\n", err.msg);
        keel_link_close(l);
        free(in);
        return 1;
    }
    const keel_link_layout *lay = keel_link_get_layout(l);
    if (!lay || keel_link_get_layout(l) != lay) { /* made once, then the same */
        fprintf(stderr, "link_layout: no layout\n");
        keel_link_close(l);
        free(in);
        return 1;
    }
    for (size_t i = 0; i < lay->nsegments; i++) {
        const keel_link_segment *g = &lay->segments[i];
        printf("segment\t%x\t%x\t%llx\t%llx\t%llx\t%llx\t%llx\t%llx\n", g->type, g->flags, (unsigned long long)g->vaddr,
               (unsigned long long)g->paddr, (unsigned long long)g->offset, (unsigned long long)g->filesz,
               (unsigned long long)g->memsz, (unsigned long long)g->align);
    }
    for (size_t i = 0; i < lay->nsections; i++) {
        const keel_link_section *s = &lay->sections[i];
        printf("section\t%u\t%s\t%x\t%llx\t%llx\t%llx\t%llx\t%llx\t%d\n", s->index, s->name, s->type,
               (unsigned long long)s->flags, (unsigned long long)s->addr, (unsigned long long)s->offset,
               (unsigned long long)s->size, (unsigned long long)s->align, s->segment);
    }
    for (size_t i = 0; i < lay->ninputs; i++) {
        const keel_link_input_section *s = &lay->inputs[i];
        printf("input\t%zu\t%s\t%s\t%u\t%s\t%d\t%llx\t%llx\t%d\t%d\n", i, s->path, s->member ? s->member : "-",
               s->index, s->name, s->output, (unsigned long long)s->offset, (unsigned long long)s->size, s->discarded,
               s->merged);
    }
    for (size_t i = 0; i < lay->npieces; i++) {
        const keel_link_merged_piece *p = &lay->pieces[i];
        printf("piece\t%u\t%llx\t%llx\t%llx\n", p->input, (unsigned long long)p->input_offset,
               (unsigned long long)p->output_offset, (unsigned long long)p->length);
    }
    keel_link_close(l);
    free(in);
    return fflush(stdout) ? 1 : 0;
}
