/*
 * Rows of the store for the QGIS project writer: the regions of one level
 * as a layer (the base map under the choropleth), and whether an
 * aggregation exists. Only src/store/ knows the schema.
 */
#include <sqlite3.h>
#include "fp_store.h"
#include "store/pg_internal.h"

fp_status fp_store_regions_rows(fp_store *store, const char *level, fp_rows **out, fp_error *err)
{
    if (store->pg) return fpi_pg_regions_rows(store, level, out, err);
    *out = NULL;
    sqlite3_stmt *q;
    /* Column order is the layer writers': id, geometry, then fields. */
    fp_status st = fpi_store_prepare(store, "SELECT id, geom, code, name, parent, continent, subregion FROM regions "
                                           "WHERE level = ?1 AND geom IS NOT NULL ORDER BY code",
                                    "reading regions", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(store, q, "reading regions", 1u << 1, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

int fp_store_has_aggregation(fp_store *store, const char *name)
{
    if (store->pg) return fpi_pg_has_aggregation(store, name);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(store->db, "SELECT 1 FROM aggregations WHERE name = ?1", -1, &q, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return found;
}
