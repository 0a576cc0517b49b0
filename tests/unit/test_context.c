/* Unit tests of fp_context (include/fp_context.h): defaults for a NULL
 * context, search folders, busy timeout, the cancel flag seen by a stage
 * and by another thread, the test pause point and its message, and a store
 * carrying its context to the stages (busy wait, cancelled aggregate and
 * tiles). Also fp_tiles with a NULL result (footprint.h: results may be
 * NULL). Expected values are the documented defaults and the values set. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "footprint.h"

static char tmpdir[64];
static char store_path[128];

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

/* One store with the shipped regions, shared by the store tests. */
static int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/fp_test_ctxXXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    fp_global_init();
    snprintf(store_path, sizeof store_path, "%s/s.sqlite", tmpdir);
    fp_error err = {0};
    fp_store *s = NULL;
    char regions[4096];
    if (fp_store_open(store_path, FP_STORE_CREATE, &s, &err) ||
        fp_store_load_regions(s, fp_data_path(NULL, "regions.gpkg", regions, sizeof regions), NULL, &err)) {
        fprintf(stderr, "%s\n", err.message);
        fp_store_close(s);
        return -1;
    }
    fp_store_close(s);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    fp_global_cleanup();
    fp_render_cleanup();
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    /* NULL: the compiled-in folders, 5 s, never cancelled, no timing. */
    assert_string_equal(fp_context_data_dir(NULL), FP_DATADIR);
    assert_string_equal(fp_context_styles_dir(NULL), FP_STYLEDIR);
    assert_string_equal(fp_context_web_dir(NULL), FP_WEBDIR);
    assert_int_equal(fp_context_busy_ms(NULL), 5000);
    assert_int_equal(fp_context_cancelled(NULL), 0);
    assert_int_equal(fp_context_timing(NULL), 0);
    fp_context_cancel(NULL);                  /* a no-op, not a crash */
    fp_context_log(NULL, "nothing %d", 1);
    fp_context_pause(NULL, "import:rows");    /* returns at once */
    /* A new context: the same defaults. */
    fp_context *c = fp_context_new();
    assert_non_null(c);
    assert_string_equal(fp_context_data_dir(c), FP_DATADIR);
    assert_int_equal(fp_context_busy_ms(c), 5000);
    assert_int_equal(fp_context_cancelled(c), 0);
    fp_context_free(c);
    fp_context_free(NULL);
}

static void test_folders_and_busy(void **state)
{
    (void)state;
    fp_context *c = fp_context_new();
    char dir[] = "/some/where";
    fp_context_set_data_dir(c, dir);
    dir[1] = 'X';                             /* copied, not borrowed */
    assert_string_equal(fp_context_data_dir(c), "/some/where");
    char buf[256];
    assert_string_equal(fp_data_path(c, "regions.gpkg", buf, sizeof buf), "/some/where/regions.gpkg");
    fp_context_set_styles_dir(c, "/st");
    assert_string_equal(fp_style_path(c, "africa.json", buf, sizeof buf), "/st/africa.json");
    fp_context_set_web_dir(c, "/w");
    assert_string_equal(fp_context_web_dir(c), "/w");
    /* NULL and "" restore the defaults. */
    fp_context_set_data_dir(c, "");
    assert_string_equal(fp_context_data_dir(c), FP_DATADIR);
    fp_context_set_styles_dir(c, NULL);
    assert_string_equal(fp_context_styles_dir(c), FP_STYLEDIR);
    fp_context_set_busy_ms(c, 250);
    assert_int_equal(fp_context_busy_ms(c), 250);
    fp_context_set_busy_ms(c, 0);
    assert_int_equal(fp_context_busy_ms(c), 5000);
    fp_context_free(c);
}

static char logged[4][256];
static int nlogged;
static void keep_line(const char *line, void *user)
{
    assert_ptr_equal(user, &nlogged);
    if (nlogged < 4) snprintf(logged[nlogged], sizeof logged[0], "%s", line);
    nlogged++;
}

static void *cancel_later(void *arg)
{
    usleep(200000);
    fp_context_cancel(arg);
    return NULL;
}

static void test_log_pause_cancel(void **state)
{
    (void)state;
    fp_context *c = fp_context_new();
    nlogged = 0;
    fp_context_set_log(c, keep_line, &nlogged);
    fp_context_log(c, "  %-10s %.3f s", "read", 1.5);
    assert_int_equal(nlogged, 1);
    assert_string_equal(logged[0], "  read       1.500 s");
    /* Another point than the one set: no message, no wait. */
    fp_context_set_test_pause(c, "import:rows");
    fp_context_pause(c, "import:begin");
    assert_int_equal(nlogged, 1);
    /* The point set: the message, then a wait that a cancel from another
     * thread ends (it would last 60 s otherwise). */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_later, c), 0);
    fp_context_pause(c, "import:rows");
    pthread_join(t, NULL);
    assert_int_equal(nlogged, 2);
    char want[128];
    snprintf(want, sizeof want, "footprint: paused at import:rows (pid %d)", (int)getpid());
    assert_string_equal(logged[1], want);
    assert_int_equal(fp_context_cancelled(c), 1);
    fp_context_free(c);
}

static void test_store_carries_context(void **state)
{
    (void)state;
    fp_context *c = fp_context_new();
    fp_context_set_busy_ms(c, 300);
    fp_error err = {0};
    fp_store *holder = NULL, *s = NULL;
    assert_int_equal(fp_store_open(store_path, 0, &holder, &err), FP_OK);
    assert_null(fp_store_context(holder));
    assert_int_equal(fp_store_open_ctx(c, store_path, 0, &s, &err), FP_OK);
    assert_ptr_equal(fp_store_context(s), c);
    /* Another connection holds the write lock: the context's 0.3 s wait,
     * then the message that says so. */
    assert_int_equal(fp_store_begin(holder, &err), FP_OK);
    assert_int_equal(fp_store_begin(s, &err), FP_ERR_DB);
    assert_non_null(strstr(err.message, "waited 0.3 s"));
    fp_store_rollback(holder);
    fp_store_close(holder);
    fp_store_close(s);
    fp_context_free(c);
}

static void test_cancelled_stages(void **state)
{
    (void)state;
    fp_context *c = fp_context_new();
    fp_error err = {0};
    fp_store *s = NULL;
    assert_int_equal(fp_store_open_ctx(c, store_path, 0, &s, &err), FP_OK);
    fp_context_cancel(c);
    /* aggregate: interrupted, nothing stored. */
    fp_aggregate_options ao = { .by = "country", .name = "cancelled", .snap_km = -1 };
    fp_status ast = fp_aggregate(s, &ao, NULL, &err);
    if (ast != FP_ERR_INTERRUPTED) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(ast, FP_ERR_INTERRUPTED);
    assert_int_equal(fp_store_has_aggregation(s, "cancelled"), 0);
    /* tiles: interrupted before the first tile. */
    char out[160];
    snprintf(out, sizeof out, "%s/cancelled-tiles", tmpdir);
    fp_tiles_options to = { .minzoom = 0, .maxzoom = 0, .scale = 1, .format = "png", .threads = 1,
                            .no_preview = 1, .output = out, .style_path = "category-points" };
    assert_int_equal(fp_tiles(s, &to, NULL, &err), FP_ERR_INTERRUPTED);
    assert_non_null(strstr(err.message, "interrupted"));
    fp_store_close(s);
    fp_context_free(c);
}

static void test_tiles_null_result(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_store *s = NULL;
    assert_int_equal(fp_store_open(store_path, FP_STORE_READONLY, &s, &err), FP_OK);
    char out[160], tile[200];
    snprintf(out, sizeof out, "%s/tiles", tmpdir);
    fp_tiles_options to = { .minzoom = 0, .maxzoom = 0, .scale = 1, .format = "png", .threads = 1,
                            .no_preview = 1, .output = out, .style_path = "category-points" };
    fp_status tst = fp_tiles(s, &to, NULL, &err);
    if (tst) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(tst, FP_OK);
    /* The one z0 tile: a PNG (its 8-byte signature). */
    snprintf(tile, sizeof tile, "%s/0/0/0.png", out);
    FILE *f = fopen(tile, "rb");
    assert_non_null(f);
    unsigned char sig[8] = {0};
    assert_int_equal(fread(sig, 1, 8, f), 8);
    fclose(f);
    static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    assert_memory_equal(sig, png, 8);
    fp_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_folders_and_busy),
        cmocka_unit_test(test_log_pause_cancel),
        cmocka_unit_test(test_store_carries_context),
        cmocka_unit_test(test_cancelled_stages),
        cmocka_unit_test(test_tiles_null_result),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
