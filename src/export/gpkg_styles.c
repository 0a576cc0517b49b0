/*
 * QGIS styles inside an exported GeoPackage: the layer_styles table QGIS
 * reads a layer's default style from. This edits the OUTPUT file, an
 * SQLite file of the GeoPackage format, not the store: like the MBTiles
 * writer, it is the format's business and keeps its own few statements
 * (tests/e2e/test_layering.sh allows this one file). OGR has no API for
 * the table; its SQL dialect would need the QML pasted into the text, this
 * binds it.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "export_internal.h"
#include "common/util.h"

void fpi_gpkg_styles_drop(const char *path, fp_layer **layers, int nlayers)
{
    sqlite3 *gdb = NULL;
    if (sqlite3_open(path, &gdb) == SQLITE_OK) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(gdb, "DELETE FROM layer_styles WHERE f_table_name=?1", -1, &q, NULL) == SQLITE_OK) {
            for (int i = 0; i < nlayers; i++) {
                sqlite3_bind_text(q, 1, layers[i]->name, -1, SQLITE_STATIC);
                sqlite3_step(q);
                sqlite3_reset(q);
            }
            sqlite3_finalize(q);
        }
    }
    sqlite3_close(gdb);
}

fp_status fpi_gpkg_styles_write(const char *path, const fp_style *style, fp_layer **layers, int nlayers, long long epoch,
                                fp_error *err)
{
    char when[32];
    fpi_timestamp_at(epoch, "%Y-%m-%dT%H:%M:%S.000Z", when);
    sqlite3 *gdb = NULL;
    fp_status st = FP_OK;
    if (sqlite3_open(path, &gdb) == SQLITE_OK) {
        char *msg = NULL;
        /* The table as QGIS itself creates it. */
        sqlite3_exec(gdb, "CREATE TABLE IF NOT EXISTS layer_styles(id INTEGER PRIMARY KEY AUTOINCREMENT, "
                     "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
                     "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
                     "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
                     "update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))", NULL, NULL, &msg);
        sqlite3_free(msg);
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(gdb, "INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, "
                               "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, update_time) "
                               "VALUES('', '', ?1, 'geom', ?2, ?3, '', 1, ?4, ?5)", -1, &q, NULL) == SQLITE_OK) {
            for (int i = 0; i < nlayers; i++) {
                char *qml = fpi_layer_qml(style, layers[i]);
                if (!qml) continue;
                sqlite3_bind_text(q, 1, layers[i]->name, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 2, fp_style_name(style), -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 3, qml, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(q, 4, "footprint style", -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 5, when, -1, SQLITE_STATIC);
                if (sqlite3_step(q) != SQLITE_DONE && !st)
                    st = fp_error_set(err, FP_ERR_IO, "%s: cannot store the QGIS styles: %s", path, sqlite3_errmsg(gdb));
                sqlite3_reset(q);
                free(qml);
            }
            sqlite3_finalize(q);
        }
    }
    sqlite3_close(gdb);
    return st;
}

char *fpi_gpkg_style_qml(const char *path, const char *table, int *len)
{
    sqlite3 *gdb = NULL;
    char *qml = NULL;
    *len = 0;
    if (sqlite3_open_v2(path, &gdb, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(gdb, "SELECT styleQML FROM layer_styles WHERE f_table_name = ?1 ORDER BY id DESC LIMIT 1",
                               -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
            if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT) {
                *len = sqlite3_column_bytes(q, 0);
                if ((qml = malloc((size_t)*len + 1))) memcpy(qml, sqlite3_column_text(q, 0), (size_t)*len + 1);
            }
            sqlite3_finalize(q);
        }
    }
    sqlite3_close(gdb);
    return qml;
}

fp_status fpi_gpkg_set_last_change(const char *path, long long epoch, fp_error *err)
{
    if (epoch < 0) return FP_OK;
    char when[32];
    fpi_timestamp_at(epoch, "%Y-%m-%dT%H:%M:%S.000Z", when);
    sqlite3 *gdb = NULL;
    fp_status st = FP_OK;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open(path, &gdb) != SQLITE_OK ||
        sqlite3_prepare_v2(gdb, "UPDATE gpkg_contents SET last_change = ?1", -1, &q, NULL) != SQLITE_OK ||
        (sqlite3_bind_text(q, 1, when, -1, SQLITE_STATIC), sqlite3_step(q)) != SQLITE_DONE)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot set gpkg_contents.last_change: %s", path,
                          gdb ? sqlite3_errmsg(gdb) : "out of memory");
    sqlite3_finalize(q);
    sqlite3_close(gdb);
    return st;
}
