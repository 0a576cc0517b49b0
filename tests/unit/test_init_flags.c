/* fp_global_init_flags(FP_INIT_KEEP_SQLITE_MALLOC): a host program keeps
 * SQLite's own allocator (the packager tester's finding: fp_global_init
 * replaced it process-wide with no way out). Its own process: SQLite's
 * allocator can be chosen once, before its first use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "fp_store.h"
#include "store/store_internal.h"

static void test_keep_sqlite_malloc(void **state)
{
    (void)state;
    fp_global_init_flags(FP_INIT_KEEP_SQLITE_MALLOC);
    assert_int_equal(fpi_sqlite_memory_active(), 0);
    /* A store opened and written: SQLite initialised with its own methods. */
    char path[] = "/tmp/fp_init_flags_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    fp_store *s = NULL;
    fp_error err = { 0 };
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    fp_store_close(s);
    unlink(path);
    assert_int_equal(fpi_sqlite_memory_active(), 0);
    /* A block of a page line's size (8 KiB page + headers) comes from
     * SQLite's allocator, not the huge-page arena (which marks its own). */
    void *line = sqlite3_malloc(8192 + 200);
    assert_non_null(line);
    assert_false(fpi_sqlite_memory_owns(line));
    sqlite3_free(line);
    fp_global_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_sqlite_malloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
