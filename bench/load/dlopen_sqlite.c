/* dlopen_sqlite [SQL]: sqlmain.c through the finished shared library.
 * dlopen libsqlite3.so.0 (RTLD_NOW | RTLD_GLOBAL), dlsym the three
 * functions sqlmain.c calls, and do what it does. */
#include <dlfcn.h>
#include <stdio.h>

typedef struct sqlite3 sqlite3;
typedef int (*callback)(void *, int, char **, char **);

static int row(void *unused, int n, char **values, char **names)
{
    (void)unused;
    (void)names;
    for (int i = 0; i < n; i++)
        printf("%s\n", values[i] ? values[i] : "NULL");
    return 0;
}

int main(int argc, char **argv)
{
    void *h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        fprintf(stderr, "dlopen_sqlite: %s\n", dlerror());
        return 127;
    }
    int (*open)(const char *, sqlite3 **) = (int (*)(const char *, sqlite3 **))dlsym(h, "sqlite3_open");
    int (*exec)(sqlite3 *, const char *, callback, void *,
                char **) = (int (*)(sqlite3 *, const char *, callback, void *, char **))dlsym(h, "sqlite3_exec");
    void (*release)(void *) = (void (*)(void *))dlsym(h, "sqlite3_free");
    int (*close)(sqlite3 *) = (int (*)(sqlite3 *))dlsym(h, "sqlite3_close");
    if (!open || !exec || !release || !close) {
        fprintf(stderr, "dlopen_sqlite: %s\n", dlerror());
        return 127;
    }
    sqlite3 *db;
    if (open(":memory:", &db) != 0)
        return 1;
    char *msg = NULL;
    int rc = exec(db, argc > 1 ? argv[1] : "select 1", row, NULL, &msg);
    if (rc != 0)
        fprintf(stderr, "sqlite: %s\n", msg ? msg : "?");
    release(msg);
    close(db);
    return rc != 0;
}
