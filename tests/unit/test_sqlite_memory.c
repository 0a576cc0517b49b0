/* Unit tests of SQLite's page-line allocator (src/store/sqlite_memory.c):
 * installed by fp_global_init, sizes and contents kept through realloc
 * across its two sources, freed lines reused, and a database whose cache
 * lives in it reads back what was written; sizes outside a page line's go
 * to SQLite's own allocator; four threads at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
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

/* Which sizes the arena takes: a 4-64 KiB page and under 1 KiB of
 * headers; every other size goes to SQLite's own allocator. */
static void test_line_sizes(void **state)
{
    (void)state;
    static const struct { int n, line; } cases[] = {
        /* Sizes SQLite asks for are rounded up to 8 first (xRoundup). */
        { 4088, 0 }, { 4089, 1 }, { 4096, 1 }, { 4360, 1 }, { 5112, 1 }, { 5113, 0 }, { 8200, 1 },
        { 8456, 1 }, { 10160, 0 }, { 18688, 0 }, { 16384, 1 }, { 32768 + 1016, 1 }, { 47272, 0 },
        { 65536, 1 }, { 65536 + 1016, 1 }, { 65536 + 1017, 0 }, { 200000, 0 }, { 100, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        void *p = sqlite3_malloc(cases[i].n);
        assert_non_null(p);
        assert_int_equal(sqlite3_msize(p), (cases[i].n + 7) / 8 * 8);
        if (fpi_sqlite_memory_owns(p) != (cases[i].line && fpi_sqlite_memory_active()))
            fail_msg("size %d: from the arena %d, expected %d", cases[i].n, fpi_sqlite_memory_owns(p),
                     cases[i].line && fpi_sqlite_memory_active());
        assert_int_equal((uintptr_t)p % 8, 0);
        sqlite3_free(p);
    }
    /* A line moved to another line size keeps its bytes and stays a line. */
    unsigned char *a = sqlite3_malloc(4200);
    assert_non_null(a);
    for (int i = 0; i < 4200; i++) a[i] = (unsigned char)(i * 7);
    unsigned char *b = sqlite3_realloc(a, 8300);
    assert_non_null(b);
    assert_int_equal(fpi_sqlite_memory_owns(b), fpi_sqlite_memory_active());
    for (int i = 0; i < 4200; i++) assert_int_equal(b[i], (unsigned char)(i * 7));
    sqlite3_free(b);
}

/* 12,000 lines of 8 KiB pages (more than one 64 MiB chunk) held at once:
 * distinct, aligned, each keeping its own bytes. */
static void test_second_chunk(void **state)
{
    (void)state;
    enum { N = 12000, SIZE = 8192 + 200 };
    unsigned char **p = calloc(N, sizeof *p);
    assert_non_null(p);
    for (int i = 0; i < N; i++) {
        p[i] = sqlite3_malloc(SIZE);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 8, 0);
        memset(p[i], i & 0xff, SIZE);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(p[i][0], i & 0xff);
        assert_int_equal(p[i][SIZE - 1], i & 0xff);
        assert_int_equal(fpi_sqlite_memory_owns(p[i]), fpi_sqlite_memory_active());
    }
    for (int i = 0; i < N; i++) sqlite3_free(p[i]);
    free(p);
}

/* The resident set size, from /proc/self/statm, in bytes. */
static long long rss_bytes(void)
{
    long long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%lld %lld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident * 4096;
}

/* A big import asks for its cache's memory ahead: the chunks are mapped and
 * faulted in on a thread of their own (the RSS grows with no allocation),
 * and lines taken from them while that thread runs keep what is written
 * (MADV_POPULATE_WRITE does not write). Once per process. */
static void test_prefault(void **state)
{
    (void)state;
    enum { N = 20000, SIZE = 8192 + 200 };
    long long before = rss_bytes();
    fpi_sqlite_memory_prefault((size_t)192 << 20);
    unsigned char **p = calloc(N, sizeof *p);
    assert_non_null(p);
    for (int i = 0; i < N; i++) {
        p[i] = sqlite3_malloc(SIZE);
        assert_non_null(p[i]);
        memset(p[i], (i * 7) & 0xff, SIZE);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(p[i][0], (i * 7) & 0xff);
        assert_int_equal(p[i][SIZE / 2], (i * 7) & 0xff);
        assert_int_equal(p[i][SIZE - 1], (i * 7) & 0xff);
        assert_int_equal(fpi_sqlite_memory_owns(p[i]), fpi_sqlite_memory_active());
    }
    for (int i = 0; i < N; i++) sqlite3_free(p[i]);
    free(p);
    /* 20,000 lines are 160 MiB; the 192 MiB asked for are resident within
     * a few seconds, whoever touched them first. */
    long long grown = 0;
    for (int wait = 0; wait < 100; wait++) {
        grown = rss_bytes() - before;
        if (!fpi_sqlite_memory_active() || grown >= ((long long)190 << 20)) break;
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (fpi_sqlite_memory_active() && grown < ((long long)190 << 20))
        fail_msg("RSS grew by %lld MiB, expected at least 190", grown >> 20);
}

/* Four threads taking, checking and giving back lines and other blocks. */
static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    unsigned char *held[64] = {0};
    int sizes[64] = {0};
    long bad = 0;
    for (int round = 0; round < 20000; round++) {
        int k = (int)(rand_r(&seed) % 64);
        if (held[k]) {
            for (int j = 0; j < sizes[k]; j += 97) bad += held[k][j] != (unsigned char)(k + j);
            sqlite3_free(held[k]);
            held[k] = NULL;
        } else {
            static const int choice[] = { 4200, 8300, 16500, 3000, 12000, 70000 };
            sizes[k] = choice[rand_r(&seed) % 6];
            held[k] = sqlite3_malloc(sizes[k]);
            if (!held[k]) { bad++; continue; }
            for (int j = 0; j < sizes[k]; j += 97) held[k][j] = (unsigned char)(k + j);
        }
    }
    for (int k = 0; k < 64; k++) sqlite3_free(held[k]);
    return (void *)(intptr_t)bad;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)), 0);
    long bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)(intptr_t)r;
    }
    assert_int_equal(bad, 0);
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
        cmocka_unit_test(test_line_sizes),
        cmocka_unit_test(test_second_chunk),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_prefault),
        cmocka_unit_test(test_database_round_trip),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
