/* Unit tests of the write-behind VFS (src/store/write_behind.c): the same
 * work through it and through SQLite's default VFS leaves byte-identical
 * files - with a cache of a few pages, so pages spill mid-transaction and
 * are read back, a rollback that plays the journal back, and writes both
 * in runs and scattered; reads inside a transaction see what was written;
 * a big commit goes out in 64 KiB writes and never more (SQLite's unix VFS
 * refuses more than 128 KiB - 1); a failed write, once or for good, leaves
 * the store as SQLite reports it (the old content, or the new with the
 * failed statement rolled back), never pages missing; the store's
 * connection uses it. A shim VFS under it, registered as the default
 * before the write-behind VFS wraps the default, counts the main
 * database's writes and fails them on demand. */
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

/* ---- the shim: the default VFS's file with its xWrite counted ---- */

/* After the default VFS's file (szOsFile bytes), which the shim's file
 * starts with: its methods, with xWrite replaced. */
typedef struct shim_file {
    sqlite3_io_methods methods;
    const sqlite3_io_methods *orig;
    int main_db;
} shim_file_tail;

static struct {
    sqlite3_vfs vfs;
    sqlite3_vfs *real;
    int max_write, writes;            /* main-database writes: largest, how many */
    int fail_from, fail_count;        /* fail writes number fail_from .. fail_from + fail_count - 1 (1-based) */
} shim;

static shim_file_tail *tail_of(sqlite3_file *f) { return (shim_file_tail *)(void *)((char *)f + shim.real->szOsFile); }

static int shim_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 ofst)
{
    shim_file_tail *t = tail_of(f);
    if (t->main_db) {
        shim.writes++;
        if (amt > shim.max_write) shim.max_write = amt;
        if (shim.fail_from && shim.writes >= shim.fail_from && shim.writes < shim.fail_from + shim.fail_count)
            return SQLITE_IOERR_WRITE;
    }
    return t->orig->xWrite(f, data, amt, ofst);
}

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    int rc = shim.real->xOpen(shim.real, name, f, flags, out_flags);
    if (rc != SQLITE_OK || !f->pMethods) return rc;
    shim_file_tail *t = tail_of(f);
    t->orig = f->pMethods;
    t->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    t->methods = *f->pMethods;
    t->methods.xWrite = shim_write;
    f->pMethods = &t->methods;
    return SQLITE_OK;
}

static void shim_register(void)
{
    shim.real = sqlite3_vfs_find(NULL);
    assert_non_null(shim.real);
    shim.vfs = *shim.real;
    shim.vfs.zName = "counting-shim";
    shim.vfs.szOsFile = shim.real->szOsFile + (int)sizeof(shim_file_tail);
    shim.vfs.xOpen = shim_open;
    shim.vfs.pNext = NULL;
    assert_int_equal(sqlite3_vfs_register(&shim.vfs, 1), SQLITE_OK);
}

static void shim_reset(void)
{
    shim.max_write = shim.writes = shim.fail_from = shim.fail_count = 0;
}

/* ---- helpers ---- */

/* A fresh folder under /tmp and a file in it, removed with its journal. */
typedef struct temp_db {
    char dir[32], path[80];
} temp_db;

static void temp_db_make(temp_db *t, const char *name)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/fp-wb-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
}

static void temp_db_remove(temp_db *t)
{
    char journal[96];
    snprintf(journal, sizeof journal, "%s-journal", t->path);
    unlink(t->path);
    unlink(journal);
    rmdir(t->dir);
}

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

/* A new database at path through vfs (NULL: the default), 4 KiB pages,
 * cache_size as given, the store's journal mode and sync level. */
static sqlite3 *new_db(const char *path, const char *vfs, int cache_size)
{
    unlink(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
    char sql[160];
    snprintf(sql, sizeof sql, "PRAGMA page_size=4096; PRAGMA cache_size=%d; PRAGMA journal_mode=DELETE; "
                              "PRAGMA synchronous=NORMAL", cache_size);
    exec(db, sql);
    return db;
}

/* Deterministic rows (no randomblob: both files must come out the same),
 * an index whose keys arrive out of order (scattered page writes), a
 * cache of 8 pages (spills and reads back mid-transaction), a rolled-back
 * update, and a second transaction on top. */
static void workload(const char *path, const char *vfs, long long *sum_inside)
{
    sqlite3 *db = new_db(path, vfs, 8);
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
    temp_db pt, gt;
    temp_db_make(&pt, "plain.db");
    temp_db_make(&gt, "gathered.db");
    const char *plain = pt.path, *gathered = gt.path;
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
    temp_db_remove(&pt);
    temp_db_remove(&gt);
}

/* The store's own connection goes through it (SQLite names the VFS stack). */
static void test_store_uses_it(void **state)
{
    (void)state;
    temp_db t;
    temp_db_make(&t, "s.sqlite");
    const char *path = t.path;
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    char *name = NULL;
    assert_int_equal(sqlite3_file_control(fpi_store_sqlite(s), "main", SQLITE_FCNTL_VFSNAME, &name), SQLITE_OK);
    assert_non_null(name);
    assert_non_null(strstr(name, "footprint-write-behind"));
    sqlite3_free(name);
    fp_store_close(s);
    temp_db_remove(&t);
}

/* A 4 MB commit through a big cache: the sorted pages go out as 64 KiB
 * writes, none larger; straight through the shim alone, page by page. */
static void test_gathers_64k_runs(void **state)
{
    (void)state;
    temp_db t;
    temp_db_make(&t, "big.db");
    const char *path = t.path;
    for (int through = 0; through < 2; through++) {
        sqlite3 *db = new_db(path, through ? fpi_write_behind_vfs() : NULL, -65536);
        exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
        shim_reset();
        exec(db, "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
                 "INSERT INTO t SELECT i, zeroblob(1000) FROM n; COMMIT");
        assert_int_equal(shim.max_write, through ? 65536 : 4096);
        /* 4 MB of pages: about 1,000 page writes, about 64 gathered */
        if (through) assert_true(shim.writes < 120);
        else assert_true(shim.writes > 1000);
        assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 4000);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
    }
    temp_db_remove(&t);
}

/* Writes of the main database fail (count of them from the fail_from'th,
 * counted from the start of the transaction) while a transaction inserts
 * 40,000 rows in 20 statements through an 8-page cache. Reopened with the
 * plain VFS, the file passes integrity_check and holds what SQLite said:
 * the old 1,000 rows if SQLite rolled the transaction back or COMMIT
 * failed, else those plus every statement that succeeded. */
static void fail_writes(int fail_from, int count)
{
    temp_db t;
    temp_db_make(&t, "f.db");
    const char *path = t.path;
    sqlite3 *db = new_db(path, fpi_write_behind_vfs(), 8);
    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v BLOB); CREATE INDEX t_k ON t(k)");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
             "INSERT INTO t SELECT i, (i * 7919) % 30011, zeroblob(100) FROM n");
    shim_reset();
    shim.fail_from = fail_from;
    shim.fail_count = count;
    exec(db, "BEGIN");
    long long stored = 0;
    for (int st = 0; st < 20; st++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                 "INSERT INTO t SELECT 10000 + %d * 2000 + i, (i * 104729) %% 30011, zeroblob(100) FROM n", st);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) stored += 2000;
        else if (sqlite3_get_autocommit(db)) break;   /* SQLite rolled the whole transaction back */
    }
    int commit = sqlite3_get_autocommit(db) ? SQLITE_ABORT : sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (commit != SQLITE_OK && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    assert_true(shim.writes >= fail_from);    /* the failure did happen */
    sqlite3_close(db);
    shim_reset();
    sqlite3 *plain;
    assert_int_equal(sqlite3_open_v2(path, &plain, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(one_int(plain, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    assert_int_equal(one_int(plain, "SELECT count(*) FROM t"), commit == SQLITE_OK ? 1000 + stored : 1000);
    if (commit == SQLITE_OK) assert_int_equal(one_int(plain, "SELECT count(*) FROM t WHERE id > 10000"), stored);
    sqlite3_close(plain);
    temp_db_remove(&t);
}

static void test_failed_write_once(void **state)
{
    (void)state;
    for (int at = 1; at <= 40; at += 3) fail_writes(at, 1);
}

static void test_failed_writes_for_good(void **state)
{
    (void)state;
    for (int at = 1; at <= 40; at += 7) fail_writes(at, 1 << 30);
}

int main(void)
{
    fp_global_init();
    /* Before the write-behind VFS is first asked for: it wraps the default. */
    shim_register();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_as_default_vfs),
        cmocka_unit_test(test_gathers_64k_runs),
        cmocka_unit_test(test_failed_write_once),
        cmocka_unit_test(test_failed_writes_for_good),
        cmocka_unit_test(test_store_uses_it),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fp_global_cleanup();
    return rc;
}
