/* Unit tests of the public entry points given NULL where an argument is
 * required (a store, options, a path, an out-pointer): each returns
 * FP_ERR_USAGE with a message naming the argument, and writes nothing to
 * stderr (the library prints nothing: footprint.h). Before, most of them
 * crashed, and fp_store_open printed a GLib-CRITICAL. Also the NULLs that
 * are documented to mean something: fp_store_load_regions' path (the
 * default regions file) and fp_diff's result (the numbers not wanted). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "footprint.h"

static char tmpdir[64];
static char store_path[128];
static char stderr_path[128];
static int saved_stderr = -1;

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/fp_test_nullXXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(store_path, sizeof store_path, "%s/s.sqlite", tmpdir);
    snprintf(stderr_path, sizeof stderr_path, "%s/stderr.txt", tmpdir);
    fp_global_init();
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

/* stderr goes to a file from here until stderr_bytes(), which puts it back
 * and says how much was written. */
static void capture_stderr(void)
{
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved_stderr >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static long stderr_bytes(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    struct stat sb;
    return stat(stderr_path, &sb) == 0 ? (long)sb.st_size : -1;
}

#define ASSERT_USAGE(call, want)                           \
    do {                                                   \
        fp_error err_ = {0};                               \
        fp_error *err = &err_;                             \
        assert_int_equal(FP_ERR_USAGE, (call));            \
        assert_string_equal(want, err_.message);           \
    } while (0)

static void test_store_open(void **state)
{
    (void)state;
    fp_store *s = (fp_store *)1;      /* set to NULL on failure (footprint.h) */
    capture_stderr();
    ASSERT_USAGE(fp_store_open(NULL, FP_STORE_CREATE, &s, err), "fp_store_open: path is NULL");
    assert_null(s);
    s = (fp_store *)1;
    ASSERT_USAGE(fp_store_open_ctx(NULL, NULL, 0, &s, err), "fp_store_open_ctx: path is NULL");
    assert_null(s);
    ASSERT_USAGE(fp_store_open(store_path, FP_STORE_CREATE, NULL, err), "fp_store_open: out is NULL");
    assert_int_equal(0, stderr_bytes());
    assert_int_equal(-1, access(store_path, F_OK));   /* nothing created */
}

static void test_null_store(void **state)
{
    (void)state;
    fp_aggregate_options ao = { .by = "country" };
    fp_export_options eo = { .output = "x.geojson" };
    fp_render_options ro = { .output = "x.png" };
    fp_tiles_options to = { .output = "t", .maxzoom = 1 };
    fp_qa_options qo = {0};
    fp_diff_options dop = { .old_dataset = "a", .new_dataset = "b" };
    fp_diff_result dr = {0};
    capture_stderr();
    ASSERT_USAGE(fp_store_load_regions(NULL, NULL, NULL, err), "fp_store_load_regions: store is NULL");
    ASSERT_USAGE(fp_import_file(NULL, "x.csv", NULL, NULL, err), "fp_import_file: store is NULL");
    ASSERT_USAGE(fp_geocode_store(NULL, NULL, NULL, err), "fp_geocode_store: store is NULL");
    ASSERT_USAGE(fp_aggregate(NULL, &ao, NULL, err), "fp_aggregate: store is NULL");
    ASSERT_USAGE(fp_export(NULL, &eo, NULL, err), "fp_export: store is NULL");
    ASSERT_USAGE(fp_export_qgz(NULL, &eo, NULL, err), "fp_export_qgz: store is NULL");
    ASSERT_USAGE(fp_export_store_styles(NULL, NULL, err), "fp_export_store_styles: store is NULL");
    ASSERT_USAGE(fp_render(NULL, &ro, NULL, err), "fp_render: store is NULL");
    ASSERT_USAGE(fp_tiles(NULL, &to, NULL, err), "fp_tiles: store is NULL");
    ASSERT_USAGE(fp_qa_check(NULL, &qo, NULL, err), "fp_qa_check: store is NULL");
    ASSERT_USAGE(fp_diff(NULL, &dop, &dr, err), "fp_diff: store is NULL");
    fp_diff_result_clear(&dr);
    assert_int_equal(0, stderr_bytes());
}

static void test_null_options_and_path(void **state)
{
    (void)state;
    fp_error e = {0};
    fp_store *s = NULL;
    assert_int_equal(FP_OK, fp_store_open(store_path, FP_STORE_CREATE, &s, &e));
    capture_stderr();
    ASSERT_USAGE(fp_import_file(s, NULL, NULL, NULL, err), "fp_import_file: path is NULL");
    ASSERT_USAGE(fp_aggregate(s, NULL, NULL, err), "fp_aggregate: opts is NULL (it names the level, --by)");
    ASSERT_USAGE(fp_export(s, NULL, NULL, err), "fp_export: opts is NULL");
    ASSERT_USAGE(fp_export_qgz(s, NULL, NULL, err), "fp_export_qgz: opts is NULL");
    ASSERT_USAGE(fp_render(s, NULL, NULL, err), "fp_render: opts is NULL");
    ASSERT_USAGE(fp_tiles(s, NULL, NULL, err), "fp_tiles: opts is NULL");
    ASSERT_USAGE(fp_tiles_check_options(NULL, err), "fp_tiles: opts is NULL");
    ASSERT_USAGE(fp_qa_check(s, NULL, NULL, err), "fp_qa_check: opts is NULL");
    ASSERT_USAGE(fp_diff(s, NULL, NULL, err), "fp_diff: opts is NULL");
    /* A NULL result is allowed (footprint.h): the diff's own usage error. */
    fp_diff_options dop = { .old_dataset = "a", .new_dataset = "a" };
    ASSERT_USAGE(fp_diff(s, &dop, NULL, err), "--dataset a --against a: the same dataset; compare two editions");
    assert_int_equal(0, stderr_bytes());
    fp_store_close(s);
}

/* NULL is the default regions file (fp_store.h): the same file as the
 * default path, so loading that next changes nothing. */
static void test_load_regions_default(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_store *s = NULL;
    assert_int_equal(FP_OK, fp_store_open(store_path, FP_STORE_CREATE, &s, &err));
    fp_regions_result rr = {0};
    capture_stderr();
    fp_status st = fp_store_load_regions(s, NULL, &rr, &err);
    long bytes = stderr_bytes();
    if (st) fail_msg("%s", err.message);
    assert_int_equal(0, bytes);
    assert_false(rr.unchanged);
    assert_true(rr.countries > 200);
    char path[4096];
    fp_regions_result again = {0};
    assert_int_equal(FP_OK, fp_store_load_regions(s, fp_data_path(NULL, "regions.gpkg", path, sizeof path), &again, &err));
    assert_true(again.unchanged);
    fp_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_open),
        cmocka_unit_test(test_null_store),
        cmocka_unit_test(test_null_options_and_path),
        cmocka_unit_test(test_load_regions_default),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
