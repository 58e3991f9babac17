/* The sqlite driver of bench/load.sh, compiled -O2 -fPIC: opens an
 * in-memory database, runs one statement (argv[1], default "select 1") and
 * prints each row's columns, one a line. */
#include <sqlite3.h>
#include <stdio.h>

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
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    char *msg = NULL;
    int rc = sqlite3_exec(db, argc > 1 ? argv[1] : "select 1", row, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sqlite: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc != SQLITE_OK;
}
