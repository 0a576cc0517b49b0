/* Unit tests of the write-behind VFS (src/store/write_behind.c): the same
 * work through it and through SQLite's default VFS leaves byte-identical
 * files - with a cache of a few pages, so pages spill mid-transaction and
 * are read back, a rollback that plays the journal back, and writes both
 * in runs and scattered; reads inside a transaction see what was written;
 * the store's connection uses it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "fp_store.h"
#include "store/store_internal.h"

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
}

static long long one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Deterministic rows (no randomblob: both files must come out the same),
 * an index whose keys arrive out of order (scattered page writes), a
 * cache of 8 pages (spills and reads back mid-transaction), a rolled-back
 * update, and a second transaction on top. */
static void workload(const char *path, const char *vfs, long long *sum_inside)
{
    unlink(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
    exec(db, "PRAGMA page_size=4096; PRAGMA cache_size=8; PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL");
    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v BLOB); CREATE INDEX t_k ON t(k)");
    exec(db, "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) "
             "INSERT INTO t SELECT i, (i * 7919) % 30011, zeroblob(40 + i % 90) FROM n");
    /* Read back inside the transaction: pages spilled, some still gathered. */
    *sum_inside = one_int(db, "SELECT sum(length(v)) + sum(k) FROM t");
    exec(db, "COMMIT");
    exec(db, "BEGIN; UPDATE t SET v = zeroblob(300) WHERE id % 3 = 0; ROLLBACK");
    exec(db, "BEGIN; DELETE FROM t WHERE id % 5 = 0; "
             "INSERT INTO t SELECT id + 100000, k + 1, zeroblob(60) FROM t WHERE id % 7 = 0; COMMIT");
    assert_int_equal(one_int(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_same_bytes_as_default_vfs(void **state)
{
    (void)state;
    const char *vfs = fpi_write_behind_vfs();
    assert_non_null(vfs);
    char dir[] = "/tmp/fp-wb-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char plain[64], gathered[64];
    snprintf(plain, sizeof plain, "%s/plain.db", dir);
    snprintf(gathered, sizeof gathered, "%s/gathered.db", dir);
    long long inside_plain, inside_gathered;
    workload(plain, NULL, &inside_plain);
    workload(gathered, vfs, &inside_gathered);
    /* sum(length(v)) over i = 1..30000 of 40 + i % 90, plus sum of (i * 7919) % 30011: computed here, not read back */
    long long want = 0;
    for (long long i = 1; i <= 30000; i++) want += 40 + i % 90 + (i * 7919) % 30011;
    assert_int_equal(inside_plain, want);
    assert_int_equal(inside_gathered, want);
    size_t na, nb;
    unsigned char *a = slurp(plain, &na), *b = slurp(gathered, &nb);
    assert_true(na > 100 * 4096);     /* many pages: runs longer than one 64 KiB gather */
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    unlink(plain);
    unlink(gathered);
    rmdir(dir);
}

/* The store's own connection goes through it (SQLite names the VFS stack). */
static void test_store_uses_it(void **state)
{
    (void)state;
    char dir[] = "/tmp/fp-wb-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/s.sqlite", dir);
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    char *name = NULL;
    assert_int_equal(sqlite3_file_control(fpi_store_sqlite(s), "main", SQLITE_FCNTL_VFSNAME, &name), SQLITE_OK);
    assert_non_null(name);
    assert_non_null(strstr(name, "footprint-write-behind"));
    sqlite3_free(name);
    fp_store_close(s);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    fp_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_as_default_vfs),
        cmocka_unit_test(test_store_uses_it),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fp_global_cleanup();
    return rc;
}
