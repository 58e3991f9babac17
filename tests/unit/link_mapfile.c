/* keel_link with a mapfile in its options: applied, as keel link's
 * --mapfile is (tests/ld_options.t runs it).
 *   link_mapfile OBJECT OUTPUT MAPFILE: exit 0 if keel_link linked and
 *   wrote the output; 1 otherwise. */
#include <keel/link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: link_mapfile OBJECT OUTPUT MAPFILE\n");
        return 2;
    }
    keel_link_input in = {.path = argv[1]};
    const char *maps[] = {argv[3]};
    keel_link_options o = {.output = argv[2], .inputs = &in, .ninputs = 1, .mapfiles = maps, .nmapfiles = 1};
    keel_error err = {0};
    int rc = keel_link(&o, &err);
    bool wrote = access(argv[2], F_OK) == 0;
    printf("rc=%d wrote=%d msg=%s\n", rc, wrote, err.msg);
    return rc == 0 && wrote ? 0 : 1;
}
