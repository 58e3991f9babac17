/* tcc_run FILE... [-lNAME...] [-- ARGS...]: libtcc as a loader.  Each FILE
 * (.o or .a) goes to tcc_add_file, each -lNAME to tcc_add_library, then
 * tcc_run relocates everything in memory and calls main(argc, argv) with
 * argv[0] the first FILE, as keel run does. */
#include <libtcc.h>
#include <stdio.h>
#include <string.h>

#ifndef TCC_LIB_PATH
#define TCC_LIB_PATH "/usr/lib/x86_64-linux-gnu/tcc"
#endif

static void error(void *unused, const char *msg)
{
    (void)unused;
    fprintf(stderr, "libtcc: %s\n", msg);
}

int main(int argc, char **argv)
{
    TCCState *s = tcc_new();
    if (!s)
        return 127;
    tcc_set_error_func(s, NULL, error);
    tcc_set_lib_path(s, TCC_LIB_PATH); /* libtcc1.a, tcc's runtime */
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        int rc = strncmp(argv[i], "-l", 2) == 0 ? tcc_add_library(s, argv[i] + 2) : tcc_add_file(s, argv[i]);
        if (rc < 0)
            return 127;
    }
    if (argc < 2)
        return 127;
    /* argv for main: the first file, then what follows "--" */
    if (i < argc)
        i++;
    argv[i - 1] = argv[1];
    return tcc_run(s, argc - i + 1, argv + i - 1);
}
