/*
 * QGIS styles on PostGIS: the layer_styles table QGIS's `postgres`
 * provider saves styles in and reads a layer's default style from when the
 * layer is opened (QgsVectorLayer::loadDefaultStyle).
 *
 * The table is created as QGIS 3.22 creates it (QgsPostgresUtils::
 * createStylesTable: the same columns and types), so QGIS uses ours and we
 * use one QGIS made; `type` is added as QGIS adds it to an older table.
 * A row names its table by database (f_table_catalog), schema and table, as
 * QGIS looks it up; `type` stays NULL, which QGIS matches for any geometry
 * type (it compares it with the type in the layer's URI, which varies with
 * how the layer was added).
 *
 * Where: `init` creates it in the store's schema, as the owner that runs
 * init creates the other tables, so the grants a team gives on all tables
 * of that schema cover it (made by the first analyst to import, it was
 * theirs alone: a colleague's import could not write a style, a viewer's
 * QGIS could not read one). QGIS names it unqualified (it reads
 * `layer_styles` along the session's search_path), and so does footprint
 * here: the connection's search_path starts with the store's schema
 * (pg_store.c), so both find the store's table, or one QGIS made further
 * along the path.
 *
 * footprint replaces its own row of a table (description 'footprint
 * style') and makes it the default unless a QGIS user saved a default of
 * their own for that table: theirs wins.
 */
#include <string.h>
#include "store/pg_internal.h"

static const char *const create_sql =
    "CREATE TABLE %s(id SERIAL PRIMARY KEY, f_table_catalog varchar,"
    " f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, styleName text, styleQML xml,"
    " styleSLD xml, useAsDefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,"
    " update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)";

fp_status fpi_pg_layer_styles_create(fp_store *s, fp_error *err)
{
    /* current_schema(): the store's (pinned first on the path), or where
     * init is creating it. In migrate's transaction, under its lock: two
     * inits at once create it once. A savepoint keeps the transaction when
     * the role may not create (a colleague's init on a store the owner
     * made before init made the table: no error, as init changes nothing
     * else there either; the first style written says what is missing). */
    PGresult *r = fpi_pg_exec(s, "SELECT to_regclass(quote_ident(current_schema()) || '.layer_styles') IS NOT NULL",
                              0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        return fpi_pg_error(s, r, "creating layer_styles for QGIS", err);
    int exists = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (exists) return FP_OK;
    fp_status st = fpi_pg_command(s, "SAVEPOINT fp_layer_styles", 0, NULL, "creating layer_styles for QGIS", err);
    if (st) return st;
    char *sql = g_strdup_printf(create_sql, "layer_styles");
    r = fpi_pg_exec(s, sql, 0, NULL);
    g_free(sql);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        PQclear(r);
        return fpi_pg_command(s, "RELEASE SAVEPOINT fp_layer_styles", 0, NULL, "creating layer_styles for QGIS", err);
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state && !strcmp(state, "42501")) {
        PQclear(r);
        return fpi_pg_command(s, "ROLLBACK TO SAVEPOINT fp_layer_styles", 0, NULL, "creating layer_styles for QGIS", err);
    }
    return fpi_pg_error(s, r, "creating layer_styles for QGIS", err);
}

fp_status fpi_pg_qgis_style_put(fp_store *s, const char *table, const char *style_name, const char *qml,
                               fp_error *err)
{
    /* Its own transaction (or the caller's): the row replaced whole. */
    int began = 0;
    fp_status st = FP_OK;
    if (!s->pg->in_txn) {
        st = fpi_pg_begin(s, err);
        began = !st;
    }
    /* Created only when missing: CREATE TABLE IF NOT EXISTS needs CREATE on
     * the schema even when the table is there, and a colleague granted
     * writing to layer_styles may have no more. */
    int exists = 0;
    if (!st) {
        PGresult *r = fpi_pg_exec(s, "SELECT to_regclass('layer_styles') IS NOT NULL", 0, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
            st = fpi_pg_error(s, r, "creating layer_styles for QGIS", err);
        else {
            exists = !strcmp(PQgetvalue(r, 0, 0), "t");
            PQclear(r);
        }
    }
    if (!st && !exists) {
        /* Unqualified: in the store's schema, first on the search_path. */
        char *sql = g_strdup_printf(create_sql, "layer_styles");
        st = fpi_pg_command(s, sql, 0, NULL, "creating layer_styles for QGIS", err);
        g_free(sql);
    }
    /* The column QGIS 3.22+ adds, only when missing: ALTER TABLE needs the
     * table's owner even when the column exists, and layer_styles is often
     * another role's (QGIS's or a colleague's), who may grant writing. */
    int has_type = 0;
    if (!st) {
        /* pg_attribute, not information_schema, which hides the columns of
         * a table the role has no privilege on (and then ALTER was tried). */
        PGresult *r = fpi_pg_exec(s, "SELECT 1 FROM pg_attribute WHERE attrelid = 'layer_styles'::regclass"
                                     " AND attname = 'type' AND NOT attisdropped", 0, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) st = fpi_pg_error(s, r, "creating layer_styles for QGIS", err);
        else {
            has_type = PQntuples(r) > 0;
            PQclear(r);
        }
    }
    if (!st && !has_type)
        st = fpi_pg_command(s, "ALTER TABLE layer_styles ADD COLUMN IF NOT EXISTS type varchar", 0, NULL,
                           "creating layer_styles for QGIS", err);
    const char *v[] = { table, style_name, qml };
    if (!st)
        st = fpi_pg_command(s, "DELETE FROM layer_styles WHERE f_table_catalog = current_database()"
                              " AND f_table_schema = current_schema() AND f_table_name = $1::text"
                              " AND f_geometry_column = 'geom' AND description = 'footprint style'",
                           1, v, "writing the QGIS style", err);
    if (!st)
        st = fpi_pg_command(s, "INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name,"
                              " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description)"
                              " SELECT current_database(), current_schema(), $1::text, 'geom', $2::text, XMLPARSE(DOCUMENT $3::text), NULL,"
                              " NOT EXISTS (SELECT 1 FROM layer_styles WHERE f_table_catalog = current_database()"
                              " AND f_table_schema = current_schema() AND f_table_name = $1::text AND useAsDefault),"
                              " 'footprint style'",
                           3, v, "writing the QGIS style", err);
    if (began) {
        if (st) fpi_pg_rollback(s);
        else st = fpi_pg_commit(s, err);
    }
    return st;
}

fp_status fpi_pg_aggregation_names(fp_store *s, char ***names, size_t *n, fp_error *err)
{
    *names = NULL;
    *n = 0;
    PGresult *r = fpi_pg_exec(s, "SELECT name FROM aggregations ORDER BY name COLLATE \"C\"", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading aggregations", err);
    GPtrArray *a = g_ptr_array_new();
    for (int i = 0; i < PQntuples(r); i++) g_ptr_array_add(a, g_strdup(PQgetvalue(r, i, 0)));
    PQclear(r);
    *n = a->len;
    g_ptr_array_add(a, NULL);
    *names = (char **)g_ptr_array_free(a, FALSE);
    return FP_OK;
}
