#include <sqlite3.h>
#include <stdio.h>

/* the link tests SQLite program: opens a database in memory */
int main(void)
{
    sqlite3 *db;
    sqlite3_open(":memory:", &db);
    puts(sqlite3_libversion());
    return sqlite3_close(db);
}
