/* KEEL_NS_EXPORT through the API (include/keel/load.h): a batch lends its
 * globals; a child namespace's batch lends its own, except a name its
 * parent lent (ld.so's global scope keeps the first); an unload takes the
 * lent names away (of the one object unloaded, when its batch had more)
 * and a new load lends them again (a forked child's unload changes
 * nothing in its parent; a program that closes keel's descriptors
 * breaks nothing); a failed batch and an
 * inert namespace lend nothing.  Every line checks the loader's answer
 * (keel_symbol) against ld.so's (dlsym of the global scope, a module
 * dlopen'd), and counts the export objects (memfds) after each step.
 * argv[1]: mod_b.so; argv[2]: where dump_exports copies them; argv[3]:
 * mod_c3.so. */
#include <dlfcn.h>
#include <fcntl.h>
#include <keel/load.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int dump_exports(const char *dir); /* dump.c */
int close_exports(void);
extern int closed_fd;

static int failures;

static void check(const char *what, int ok)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

static int exports(int want)
{
    int n = dump_exports(NULL);
    if (n != want)
        printf("  (%d export objects, want %d)\n", n, want);
    return n == want;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    keel_error err = {0};
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_EXPORT, &err);
    keel_ns *child = keel_ns_create(ns, KEEL_NS_HOST | KEEL_NS_EXPORT, &err);
    keel_object *a = NULL, *b = NULL;
    if (!ns || !child || keel_load_file(ns, "lib_a.o", &a, &err) || keel_load_file(child, "lib_b.o", &b, &err)) {
        printf("load: %s\n", err.msg);
        return 1;
    }
    check("two batches: two export objects", exports(2));
    void *m = dlopen(argv[1], RTLD_NOW);
    int (*run)(void) = m ? (int (*)(void))dlsym(m, "module_run") : NULL;
    check("a module binds to both batches", run && run() == 35 + 100 + 5000);
    check("dump", dump_exports(argv[2]) == 2);
    if (m)
        dlclose(m);

    /* nothing bound any more: the child's export object goes */
    check("unload the child's batch", keel_unload(child, b, false, &err) == 0);
    check("its export object is closed", exports(1));
    check("load it again", keel_load_file(child, "lib_b.o", &b, &err) == 0 && exports(2));

    /* the program binds (dlsym of the global scope): ld.so keeps them */
    check("a_fn, a_value: ld.so finds the parent's", dlsym(RTLD_DEFAULT, "a_fn") == keel_symbol(ns, "a_fn") &&
                                                         dlsym(RTLD_DEFAULT, "a_value") == keel_symbol(ns, "a_value"));
    check("b_fn: ld.so finds the child's", dlsym(RTLD_DEFAULT, "b_fn") == keel_symbol(child, "b_fn"));
    check("both_fn: ld.so finds the one keel_symbol finds in the child",
          dlsym(RTLD_DEFAULT, "both_fn") == keel_symbol(child, "both_fn"));
    void *old_b = keel_symbol(child, "b_fn");
    check("unload the child's batch again", keel_unload(child, b, false, &err) == 0);
    check("ld.so keeps its export object", exports(2));
    check("but b_fn is gone from ld.so's scope", dlsym(RTLD_DEFAULT, "b_fn") == NULL);
    check("load it again", keel_load_file(child, "lib_b.o", &b, &err) == 0 && exports(3));
    check("b_fn lent again, at its new address",
          keel_symbol(child, "b_fn") != old_b && dlsym(RTLD_DEFAULT, "b_fn") == keel_symbol(child, "b_fn"));

    /* one object of a batch unloaded: its names go, the others' stay */
    keel_input two[] = {{.path = "lib_c1.o"}, {.path = "lib_c2.o"}};
    keel_object *c1 = NULL;
    check("a two-object batch", keel_load(child, two, 2, &c1, &err) == 0 && exports(4));
    keel_object *c2 = (keel_object *)keel_ns_next_object(child, c1);
    void *old_c2 = keel_symbol(child, "c2_fn");
    check("lends both objects' names",
          c2 && dlsym(RTLD_DEFAULT, "c1_fn") == keel_symbol(child, "c1_fn") && dlsym(RTLD_DEFAULT, "c2_fn") == old_c2);
    check("unload its second object", c2 && keel_unload(child, c2, false, &err) == 0);
    check("c2_fn is gone from ld.so's scope, c1_fn stays",
          exports(4) && dlsym(RTLD_DEFAULT, "c2_fn") == NULL &&
              dlsym(RTLD_DEFAULT, "c1_fn") == keel_symbol(child, "c1_fn"));
    check("load it again", keel_load_file(child, "lib_c2.o", &c2, &err) == 0 && exports(5));
    check("c2_fn lent again, at its new address",
          keel_symbol(child, "c2_fn") != old_c2 && dlsym(RTLD_DEFAULT, "c2_fn") == keel_symbol(child, "c2_fn"));
    /* a forked process's unload retires the name in that process only */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(keel_unload(child, c2, false, &err) == 0 && dlsym(RTLD_DEFAULT, "c2_fn") == NULL ? 0 : 1);
    int status = -1;
    check("a forked child unloads lib_c2.o: c2_fn gone there",
          pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check("and still lent here", dlsym(RTLD_DEFAULT, "c2_fn") == keel_symbol(child, "c2_fn"));

    /* the program closes keel's descriptors: their numbers come again */
    check("the program closes the export objects' descriptors", close_exports() == 5 && exports(0));
    keel_object *c3 = NULL;
    check("a later batch still lends its names", keel_load_file(child, "lib_c3.o", &c3, &err) == 0 && exports(1) &&
                                                     (m = dlopen(argv[3], RTLD_NOW)) &&
                                                     (run = (int (*)(void))dlsym(m, "module_run")) && run() == 33);
    if (m)
        dlclose(m);
    check("and the names lent before stay", dlsym(RTLD_DEFAULT, "c2_fn") == keel_symbol(child, "c2_fn") &&
                                                dlsym(RTLD_DEFAULT, "a_fn") == keel_symbol(ns, "a_fn"));
    int mine = -1;
    check("the program closes it and takes its number", close_exports() == 1 && closed_fd >= 0 &&
                                                            (mine = open("/dev/null", O_RDONLY)) >= 0 &&
                                                            dup2(mine, closed_fd) == closed_fd);
    check("an unload closes no descriptor of the program's",
          c3 && keel_unload(child, c3, false, &err) == 0 && fcntl(closed_fd, F_GETFD) != -1);

    check("a failed batch", keel_load_file(child, "bad.o", NULL, &err) != 0);
    check("lends nothing", exports(0) && dlsym(RTLD_DEFAULT, "c_fn") == NULL);
    keel_ns *inert = keel_ns_create(NULL, KEEL_NS_INERT | KEEL_NS_EXPORT, &err);
    check("an inert namespace's batch", inert && keel_load_file(inert, "lib_a.o", NULL, &err) == 0);
    check("lends nothing", exports(0));
    keel_ns_destroy(inert);

    keel_ns_destroy(child);
    keel_ns_destroy(ns);
    check("destroyed namespaces: their names are gone from ld.so's scope", dlsym(RTLD_DEFAULT, "a_fn") == NULL &&
                                                                               dlsym(RTLD_DEFAULT, "b_fn") == NULL &&
                                                                               dlsym(RTLD_DEFAULT, "a_value") == NULL);
    return failures != 0;
}
