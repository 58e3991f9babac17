/* A program keel run loads (tests/run_export_lazy.t) that refers to dlopen
 * and calls it, or not, as argv[1] says:
 *   none     never calls it (an export object would be wasted);
 *   late     calls it after its load, directly;
 *   pointer  through a pointer to dlopen taken at load time (a data
 *            relocation), called later;
 *   threads  from two threads at once, one module each;
 *   self     dlsym of its own name in the global scope, as a program
 *            linked with -E may (no dlopen at all).
 * Each module calls back into the program (prog_cb, prog_value).  After
 * the work it says whether an export object is mapped (its memfd name in
 * /proc/self/maps). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int prog_value = 40;
int prog_cb(int x) { return x + 2; }

static void *(*const opener)(const char *, int) = dlopen;

static int call(void *(*op)(const char *, int), const char *path, const char *fn)
{
    void *h = op(path, RTLD_NOW);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return -1;
    }
    int (*run)(void) = (int (*)(void))dlsym(h, fn);
    return run ? run() : -1;
}

struct job {
    const char *path, *fn;
    int got;
};
static pthread_barrier_t start;

static void *worker(void *p)
{
    struct job *j = p;
    pthread_barrier_wait(&start);
    j->got = call(dlopen, j->path, j->fn);
    return NULL;
}

static int mapped_export(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, "keel-export-") != NULL;
    if (f)
        fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "none";
    if (strcmp(mode, "late") == 0) {
        printf("mod1_run = %d\n", call(dlopen, argv[2], "mod1_run"));
    } else if (strcmp(mode, "pointer") == 0) {
        printf("mod1_run = %d\n", call(opener, argv[2], "mod1_run"));
    } else if (strcmp(mode, "threads") == 0) {
        struct job j[2] = {{argv[2], "mod1_run", 0}, {argv[3], "mod2_run", 0}};
        pthread_t t[2];
        pthread_barrier_init(&start, NULL, 2);
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, worker, &j[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        printf("mod1_run = %d, mod2_run = %d\n", j[0].got, j[1].got);
    } else if (strcmp(mode, "self") == 0) {
        printf("dlsym(RTLD_DEFAULT, \"prog_cb\") %s prog_cb\n",
               dlsym(RTLD_DEFAULT, "prog_cb") == (void *)prog_cb ? "==" : "!=");
    } else {
        printf("no dlopen\n");
    }
    fprintf(stderr, "export objects mapped: %s\n", mapped_export() ? "some" : "none");
    return 0;
}
