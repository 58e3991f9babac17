/* tests/run.t: SQL through the sqlite3 library, linked normally against
 * -lsqlite3 and run by keel run against libsqlite3.a.  Prints every row. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static sqlite3 *db;

static void fail(const char *what)
{
    printf("error in %s: %s\n", what, sqlite3_errmsg(db));
    exit(2);
}

static void exec(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        printf("error: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        exit(2);
    }
}

/* Run a query and print its rows, columns separated by '|'. */
static void query(const char *sql)
{
    sqlite3_stmt *st;
    printf("> %s\n", sql);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail(sql);
    int rc, rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n; i++) {
            if (i)
                putchar('|');
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER: printf("%lld", (long long)sqlite3_column_int64(st, i)); break;
            case SQLITE_FLOAT: printf("%.4f", sqlite3_column_double(st, i)); break;
            case SQLITE_NULL: printf("NULL"); break;
            default: printf("'%s'", (const char *)sqlite3_column_text(st, i)); break;
            }
        }
        putchar('\n');
        rows++;
    }
    if (rc != SQLITE_DONE)
        fail(sql);
    sqlite3_finalize(st);
    printf("(%d rows)\n", rows);
}

int main(int argc, char **argv)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        fail("open");
    exec("CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, pop INTEGER, area REAL);"
         "CREATE TABLE country (code TEXT PRIMARY KEY, name TEXT);"
         "CREATE INDEX city_country ON city(country);");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO city (name, country, pop, area) VALUES (?, ?, ?, ?)", -1, &ins, NULL))
        fail("prepare insert");
    static const struct { const char *name, *country; long long pop; double area; } cities[] = {
        {"Oslo", "NO", 709037, 454.0},    {"Bergen", "NO", 289330, 465.3},   {"Lyon", "FR", 522250, 47.87},
        {"Paris", "FR", 2102650, 105.4},  {"Nice", "FR", 342669, 71.92},     {"Porto", "PT", 231800, 41.42},
        {"Lisboa", "PT", 545796, 100.05}, {"Atlantis", NULL, 0, 0.0},        {"Graz", "AT", 298479, 127.6},
    };
    exec("BEGIN");
    for (size_t i = 0; i < sizeof cities / sizeof cities[0]; i++) {
        sqlite3_bind_text(ins, 1, cities[i].name, -1, SQLITE_STATIC);
        if (cities[i].country)
            sqlite3_bind_text(ins, 2, cities[i].country, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 2);
        sqlite3_bind_int64(ins, 3, cities[i].pop);
        sqlite3_bind_double(ins, 4, cities[i].area);
        if (sqlite3_step(ins) != SQLITE_DONE)
            fail("insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    exec("INSERT INTO country VALUES ('NO', 'Norway'), ('FR', 'France'), ('PT', 'Portugal'), ('DE', 'Germany');"
         "COMMIT");
    query("SELECT count(*), sum(pop), max(area), min(name) FROM city");
    query("SELECT name, pop FROM city WHERE pop > 300000 ORDER BY pop DESC");
    query("SELECT country, count(*), sum(pop), round(avg(area), 2) FROM city GROUP BY country ORDER BY country");
    query("SELECT c.name, k.name FROM city c JOIN country k ON c.country = k.code ORDER BY k.name, c.name");
    query("SELECT k.name, count(c.id) FROM country k LEFT JOIN city c ON c.country = k.code GROUP BY k.code "
          "ORDER BY 2 DESC, 1");
    query("SELECT printf('%-8s|%8.2f|%x', name, pop / area, pop), upper(substr(name, 1, 3)), length(name) "
          "FROM city WHERE area > 0 ORDER BY name LIMIT 5");
    query("WITH RECURSIVE fib(a, b, n) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, n + 1 FROM fib WHERE n < 15) "
          "SELECT group_concat(a, ',') FROM fib");
    query("SELECT typeof(1), typeof(1.5), typeof('x'), typeof(NULL), 7 / 2, 7 / 2.0, abs(-3), "
          "coalesce(NULL, 'dflt'), hex('keel'), instr('keel run', 'run')");
    query("SELECT name FROM city WHERE country IS NULL OR name LIKE '%o%' ORDER BY name COLLATE NOCASE");
    exec("UPDATE city SET pop = pop + 1 WHERE country = 'NO'; DELETE FROM city WHERE pop = 0");
    query("SELECT total_changes(), (SELECT count(*) FROM city), (SELECT sum(pop) FROM city WHERE country = 'NO')");
    printf("sqlite %s, %d argument(s)\n", sqlite3_libversion(), argc - 1);
    sqlite3_close(db);
    return argc > 1 ? atoi(argv[1]) : 0;
}
