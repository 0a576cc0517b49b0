/* Reading the store's admin-1 regions (code, name, parent country) for the
 * stages that resolve an admin-1 column as the user wrote it (geocode). */
#include <sqlite3.h>
#include "store/store_internal.h"

fp_status fp_store_each_admin1(fp_store *store, fp_admin1_fn fn, void *ud, fp_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(store->db, "SELECT code, name, parent FROM regions WHERE level = 'admin1' ORDER BY code",
                           -1, &q, NULL) != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "%s: cannot read admin-1 regions: %s", store->path, sqlite3_errmsg(store->db));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        const char *parent = (const char *)sqlite3_column_text(q, 2);
        if (code && parent) fn(code, name ? name : "", parent, ud);
    }
    fp_status st = rc == SQLITE_DONE ? FP_OK
                                     : fp_error_set(err, FP_ERR_DB, "%s: cannot read admin-1 regions: %s", store->path,
                                                    sqlite3_errmsg(store->db));
    sqlite3_finalize(q);
    return st;
}
