/*
 * QGIS styles kept in the store, where QGIS reads a layer's default style:
 * on PostGIS the layer_styles table (in the store's schema) QGIS itself reads
 * with its `postgres` provider (pg_styles.c). A SpatiaLite store keeps
 * none: its layers reach QGIS through exports, which carry their styles
 * (GeoPackage layer_styles, .qml sidecars), and the store file stays as
 * the commands left it.
 */
#include <glib.h>
#include <sqlite3.h>
#include "store/pg_internal.h"

fp_status fp_store_qgis_style_put(fp_store *s, const char *table, const char *style_name, const char *qml,
                                  fp_error *err)
{
    if (s->pg) return fpi_pg_qgis_style_put(s, table, style_name, qml, err);
    return FP_OK;
}

fp_status fp_store_aggregation_names(fp_store *s, char ***names, size_t *n, fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_names(s, names, n, err);
    *names = NULL;
    *n = 0;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT name FROM aggregations ORDER BY name", "reading aggregations", &q, err);
    if (st) return st;
    GPtrArray *a = g_ptr_array_new();
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) g_ptr_array_add(a, g_strdup((const char *)sqlite3_column_text(q, 0)));
    if (rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading aggregations", err);
    sqlite3_finalize(q);
    *n = a->len;
    g_ptr_array_add(a, NULL);
    *names = (char **)g_ptr_array_free(a, FALSE);   /* fp_store_strings_free */
    return st;
}
