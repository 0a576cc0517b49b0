/* Unit tests of SQLite's page-line allocator (src/store/sqlite_memory.c):
 * installed by fp_global_init, sizes and contents kept through realloc
 * across its two sources, freed lines reused, and a database whose cache
 * lives in it reads back what was written. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "fp_store.h"
#include "store/store_internal.h"

static int group_setup(void **state)
{
    (void)state;
    fp_global_init();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fp_global_cleanup();
    return 0;
}

/* Under ASan or Valgrind it stays out (their checks of SQLite's memory
 * matter more there); elsewhere fp_global_init installs it. */
static void test_installed(void **state)
{
    (void)state;
    assert_int_equal(fpi_sqlite_memory_active(), fpi_sqlite_memory_expected());
    /* Too late once SQLite is initialised: refused, the first stays. */
    sqlite3_initialize();
    assert_int_equal(fpi_sqlite_memory_install(), fpi_sqlite_memory_expected());
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 31 + seed);
}

static int same(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 31 + seed)) return 0;
    return 1;
}

static void test_sizes_and_realloc(void **state)
{
    (void)state;
    /* A page line (8 KiB page + header), a small block, a big one. */
    unsigned char *line = sqlite3_malloc(8300);
    assert_non_null(line);
    assert_int_equal(sqlite3_msize(line), 8304);       /* rounded up to 8 */
    fill(line, 8300, 7);
    /* Line -> small (to glibc's side): the first 100 bytes kept. */
    unsigned char *small = sqlite3_realloc(line, 100);
    assert_non_null(small);
    assert_int_equal(sqlite3_msize(small), 104);
    assert_true(same(small, 100, 7));
    /* Small -> line size again, then -> bigger than any line. */
    unsigned char *back = sqlite3_realloc(small, 5000);
    assert_non_null(back);
    assert_int_equal(sqlite3_msize(back), 5000);
    assert_true(same(back, 100, 7));
    fill(back, 5000, 9);
    unsigned char *big = sqlite3_realloc(back, 200000);
    assert_non_null(big);
    assert_int_equal(sqlite3_msize(big), 200000);
    assert_true(same(big, 5000, 9));
    sqlite3_free(big);
    sqlite3_free(NULL);
}

/* A freed line is the next line of its size (the free list), when active. */
static void test_lines_reused(void **state)
{
    (void)state;
    void *a = sqlite3_malloc(8300), *b = sqlite3_malloc(8300);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    sqlite3_free(a);
    void *c = sqlite3_malloc(8298);                     /* the same rounded size, 8304 */
    assert_non_null(c);
    if (fpi_sqlite_memory_active()) assert_ptr_equal(c, a);
    /* Line blocks do not overlap: each keeps its bytes. */
    fill(b, 8300, 3);
    fill(c, 8298, 4);
    assert_true(same(b, 8300, 3));
    assert_true(same(c, 8298, 4));
    sqlite3_free(b);
    sqlite3_free(c);
}

/* A database of 8 KiB pages with 20,000 rows of 500 random bytes: its
 * cache is lines from the arena; what is read back is what was written. */
static void test_database_round_trip(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db,
        "PRAGMA page_size=8192; PRAGMA cache_size=-65536;"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB, h INTEGER);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
        " INSERT INTO t SELECT i, zeroblob(500), 0 FROM n;"
        "UPDATE t SET b = CAST(printf('%0500d', id * 7919) AS BLOB);"
        "CREATE INDEX t_b ON t(b);", NULL, NULL, &msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(length(b)), sum(CAST(b AS INTEGER) = id * 7919),"
                                            " (SELECT count(*) FROM t INDEXED BY t_b) FROM t", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(q, 0), 20000);
    assert_int_equal(sqlite3_column_int64(q, 1), 20000 * 500);
    assert_int_equal(sqlite3_column_int64(q, 2), 20000);
    assert_int_equal(sqlite3_column_int64(q, 3), 20000);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_installed),
        cmocka_unit_test(test_sizes_and_realloc),
        cmocka_unit_test(test_lines_reused),
        cmocka_unit_test(test_database_round_trip),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
