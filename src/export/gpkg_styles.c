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
#include <glib.h>
#include <sqlite3.h>
#include "export_internal.h"
#include "common/util.h"

/* footprint's rows are those with this description; every other row is a
 * style a QGIS user saved (Layer Properties > Style > Save as Default, or
 * in the database) and is theirs: never deleted, never changed. */
#define OWN_STYLE "footprint style"

/* The table as QGIS itself creates it. */
static void create_table(sqlite3 *gdb)
{
    char *msg = NULL;
    sqlite3_exec(gdb, "CREATE TABLE IF NOT EXISTS layer_styles(id INTEGER PRIMARY KEY AUTOINCREMENT, "
                 "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
                 "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
                 "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
                 "update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))", NULL, NULL, &msg);
    sqlite3_free(msg);
}

/* Notes a table whose default style stays the user's. */
static void note_user_default(fp_export_result *notes, const char *table, const char *style_name)
{
    if (!notes) return;
    if (!notes->user_defaults++)
        snprintf(notes->first_user_default, sizeof notes->first_user_default, "%s ('%s')", table,
                 style_name ? style_name : "");
}

void fpi_gpkg_styles_drop(const char *path, fp_layer **layers, int nlayers)
{
    sqlite3 *gdb = NULL;
    if (sqlite3_open(path, &gdb) == SQLITE_OK) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(gdb, "DELETE FROM layer_styles WHERE f_table_name = ?1 AND description = '" OWN_STYLE "'",
                               -1, &q, NULL) == SQLITE_OK) {
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
                                fp_export_result *notes, fp_error *err)
{
    char when[32];
    fpi_timestamp_at(epoch, "%Y-%m-%dT%H:%M:%S.000Z", when);
    sqlite3 *gdb = NULL;
    fp_status st = FP_OK;
    if (sqlite3_open(path, &gdb) == SQLITE_OK) {
        create_table(gdb);
        sqlite3_stmt *q = NULL, *user = NULL;
        /* A default the user saved for the table stays the default: QGIS
         * opens the layer as they left it; footprint's style is beside it
         * (Style > Load Style > From database). */
        if (sqlite3_prepare_v2(gdb, "SELECT styleName FROM layer_styles WHERE f_table_name = ?1 AND useAsDefault"
                               " AND coalesce(description, '') <> '" OWN_STYLE "' ORDER BY update_time DESC, id DESC LIMIT 1",
                               -1, &user, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(gdb, "INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, "
                               "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, update_time) "
                               "VALUES('', '', ?1, 'geom', ?2, ?3, '', ?4, '" OWN_STYLE "', ?5)", -1, &q, NULL) == SQLITE_OK) {
            for (int i = 0; i < nlayers && !st; i++) {
                char *qml = fpi_layer_qml(style, layers[i]);
                if (!qml) continue;
                sqlite3_bind_text(user, 1, layers[i]->name, -1, SQLITE_STATIC);
                int theirs = sqlite3_step(user) == SQLITE_ROW;
                if (theirs) note_user_default(notes, layers[i]->name, (const char *)sqlite3_column_text(user, 0));
                sqlite3_reset(user);
                sqlite3_bind_text(q, 1, layers[i]->name, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 2, fp_style_name(style), -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 3, qml, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(q, 4, !theirs);
                sqlite3_bind_text(q, 5, when, -1, SQLITE_STATIC);
                if (sqlite3_step(q) != SQLITE_DONE)
                    st = fp_error_set(err, FP_ERR_IO, "%s: cannot store the QGIS styles: %s", path, sqlite3_errmsg(gdb));
                sqlite3_reset(q);
                free(qml);
            }
        }
        sqlite3_finalize(q);
        sqlite3_finalize(user);
    }
    sqlite3_close(gdb);
    return st;
}

/* With the replaced file attached as `old`: its users' rows copied into
 * main (the columns both tables have: another QGIS may have made the old
 * one; the key left to the new table), then footprint's row of a table
 * whose default is now a user's made not the default. One transaction;
 * SQLITE_OK or the failing step's code. */
static int copy_user_styles(sqlite3 *gdb, fp_export_result *notes)
{
    create_table(gdb);
    GString *cols = g_string_new(NULL);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(gdb, "SELECT o.name FROM pragma_table_info('layer_styles', 'old') o"
                                " JOIN pragma_table_info('layer_styles', 'main') m ON lower(m.name) = lower(o.name)"
                                " WHERE lower(o.name) <> 'id' ORDER BY o.cid", -1, &q, NULL);
    while (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
        char *col = sqlite3_mprintf("%s\"%w\"", cols->len ? ", " : "", (const char *)sqlite3_column_text(q, 0));
        g_string_append(cols, col);
        sqlite3_free(col);
    }
    sqlite3_finalize(q);
    q = NULL;
    char *copy = sqlite3_mprintf("INSERT INTO main.layer_styles(%s) SELECT %s FROM old.layer_styles"
                                 " WHERE coalesce(description, '') <> '" OWN_STYLE "' ORDER BY id", cols->str, cols->str);
    g_string_free(cols, TRUE);
    if (rc == SQLITE_OK) rc = sqlite3_exec(gdb, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(gdb, copy, NULL, NULL, NULL);
    sqlite3_free(copy);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(gdb, "SELECT f.f_table_name, (SELECT u.styleName FROM main.layer_styles u"
                                " WHERE u.f_table_name = f.f_table_name AND u.useAsDefault AND coalesce(u.description, '') <> '"
                                OWN_STYLE "' ORDER BY u.update_time DESC, u.id DESC LIMIT 1) FROM main.layer_styles f"
                                " WHERE f.description = '" OWN_STYLE "' AND f.useAsDefault ORDER BY f.id", -1, &q, NULL);
    while (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            note_user_default(notes, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
    sqlite3_finalize(q);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(gdb, "UPDATE main.layer_styles SET useAsDefault = 0 WHERE description = '" OWN_STYLE "'"
                          " AND f_table_name IN (SELECT f_table_name FROM main.layer_styles WHERE useAsDefault"
                          " AND coalesce(description, '') <> '" OWN_STYLE "')", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(gdb, "COMMIT", NULL, NULL, NULL);
    return rc;
}

fp_status fpi_gpkg_styles_keep_user(const char *path, const char *old_path, fp_export_result *notes, fp_error *err)
{
    if (!g_file_test(old_path, G_FILE_TEST_IS_REGULAR)) return FP_OK;
    sqlite3 *gdb = NULL;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_open(path, &gdb);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(gdb, "ATTACH DATABASE ?1 AS old", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, old_path, -1, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(gdb);
    }
    sqlite3_finalize(q);
    q = NULL;
    int attached = rc == SQLITE_OK, users = 0;
    /* No row of a user's (or a file that is no GeoPackage: no styles to
     * keep): the new file stays as written, byte for byte. */
    if (attached && sqlite3_prepare_v2(gdb, "SELECT count(*) FROM old.layer_styles WHERE coalesce(description, '') <> '"
                                       OWN_STYLE "'", -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        users = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (users) rc = copy_user_styles(gdb, notes);
    fp_status st = FP_OK;
    if (rc != SQLITE_OK) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot keep the QGIS styles saved in %s: %s", path, old_path,
                          gdb ? sqlite3_errmsg(gdb) : "out of memory");
        sqlite3_exec(gdb, "ROLLBACK", NULL, NULL, NULL);
    }
    if (attached) sqlite3_exec(gdb, "DETACH DATABASE old", NULL, NULL, NULL);
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
        if (sqlite3_prepare_v2(gdb, "SELECT styleQML FROM layer_styles WHERE f_table_name = ?1 AND description = '" OWN_STYLE
                           "' ORDER BY id DESC LIMIT 1",
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
