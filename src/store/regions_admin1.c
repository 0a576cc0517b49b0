/* Reading the store's countries (codes and names) and admin-1 regions (code,
 * name, parent country) for the stages that resolve a country or an admin-1
 * column as the user wrote it (ingest, geocode, qa). */
#include <sqlite3.h>
#include "store/pg_internal.h"

fp_status fp_store_each_admin1(fp_store *store, fp_admin1_fn fn, void *ud, fp_error *err)
{
    if (store->pg) return fpi_pg_each_admin1(store, fn, ud, err);
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

fp_status fp_store_each_country(fp_store *store, fp_country_fn fn, void *ud, fp_error *err)
{
    if (store->pg) return fpi_pg_each_country(store, fn, ud, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(store, "SELECT code, iso_a2, name, name_long FROM regions "
                                           "WHERE level = 'country' ORDER BY code",
                                    "reading countries", &q, err);
    if (st) return st;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
           (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3), ud);
    if (rc != SQLITE_DONE)
        st = fp_error_set(err, FP_ERR_DB, "%s: cannot read countries: %s", store->path, sqlite3_errmsg(store->db));
    sqlite3_finalize(q);
    return st;
}
