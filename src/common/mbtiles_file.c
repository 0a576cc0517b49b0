/* MBTiles files through SQLite: schema, tiles, metadata and the busy wait
 * (see mbtiles_file.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "common/mbtiles_file.h"

/* How long a file locked by another process is waited for: the writer
 * shares its file with nobody but a reader (5 s, as the store); the server
 * answers a browser, which should not hang on a tile (1 s). */
#define WRITER_BUSY_MS 5000
#define READER_BUSY_MS 1000

struct fp_mbtiles_file {
    sqlite3 *db;
    sqlite3_stmt *has, *put_image, *put_map, *get;
    int writing;
    char name[];                 /* for messages */
};

static fp_status db_error(fp_mbtiles_file *f, const char *what, fp_error *err)
{
    return fp_error_set(err, FP_ERR_DB, "%s: %s: %s", f->name, what, f->db ? sqlite3_errmsg(f->db) : "cannot open");
}

static fp_mbtiles_file *file_new(const char *name)
{
    size_t n = strlen(name);
    fp_mbtiles_file *f = calloc(1, sizeof *f + n + 1);
    if (f) memcpy(f->name, name, n + 1);
    return f;
}

static void file_free(fp_mbtiles_file *f)
{
    sqlite3_finalize(f->has);
    sqlite3_finalize(f->put_image);
    sqlite3_finalize(f->put_map);
    sqlite3_finalize(f->get);
    if (f->db) sqlite3_close(f->db);
    free(f);
}

fp_status fpi_mbtiles_file_create(const char *path, const char *name, fp_mbtiles_file **out, fp_error *err)
{
    *out = NULL;
    fp_mbtiles_file *f = file_new(name);
    if (!f) return fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", name);
    f->writing = 1;
    fp_status st = FP_OK;
    if (sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        st = db_error(f, "cannot create the MBTiles file", err);
    const char *schema =
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT);"
        "CREATE UNIQUE INDEX IF NOT EXISTS name ON metadata (name);"
        "CREATE TABLE IF NOT EXISTS map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);"
        "CREATE UNIQUE INDEX IF NOT EXISTS map_index ON map (zoom_level, tile_column, tile_row);"
        "CREATE TABLE IF NOT EXISTS images (tile_data BLOB, tile_id TEXT);"
        "CREATE UNIQUE INDEX IF NOT EXISTS images_id ON images (tile_id);"
        "CREATE VIEW IF NOT EXISTS tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, "
        "map.tile_row AS tile_row, images.tile_data AS tile_data FROM map JOIN images ON images.tile_id = map.tile_id;"
        "BEGIN;";
    if (!st) sqlite3_busy_timeout(f->db, WRITER_BUSY_MS);
    if (!st && sqlite3_exec(f->db, schema, NULL, NULL, NULL) != SQLITE_OK) st = db_error(f, "cannot create the schema", err);
    if (!st &&
        (sqlite3_prepare_v2(f->db, "SELECT 1 FROM map WHERE zoom_level=?1 AND tile_column=?2 AND tile_row=?3", -1,
                            &f->has, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(f->db, "INSERT OR IGNORE INTO images (tile_data, tile_id) VALUES (?1, ?2)", -1,
                            &f->put_image, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(f->db, "INSERT OR REPLACE INTO map (zoom_level, tile_column, tile_row, tile_id) "
                                   "VALUES (?1, ?2, ?3, ?4)", -1, &f->put_map, NULL) != SQLITE_OK))
        st = db_error(f, "cannot prepare", err);
    if (st) {
        file_free(f);
        return st;
    }
    *out = f;
    return FP_OK;
}

fp_status fpi_mbtiles_file_open(const char *path, fp_mbtiles_file **out, fp_error *err)
{
    *out = NULL;
    fp_mbtiles_file *f = file_new(path);
    if (!f) return fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", path);
    /* NOMUTEX: the server is single-threaded. */
    int rc = sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: cannot open: %s", path,
                                    f->db ? sqlite3_errmsg(f->db) : sqlite3_errstr(rc));
        file_free(f);
        return st;
    }
    sqlite3_busy_timeout(f->db, READER_BUSY_MS);
    rc = sqlite3_prepare_v2(f->db, "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                            -1, &f->get, NULL);
    if (rc != SQLITE_OK) {
        /* A file that is no SQLite database fails here too ("file is not a database"). */
        fp_status st = fp_error_set(err, FP_ERR_INPUT, "%s: not an MBTiles file (%s)", path, sqlite3_errmsg(f->db));
        file_free(f);
        return st;
    }
    *out = f;
    return FP_OK;
}

fp_status fpi_mbtiles_file_close(fp_mbtiles_file *f, int commit, fp_error *err)
{
    if (!f) return FP_OK;
    fp_status st = FP_OK;
    if (f->writing) {
        sqlite3_finalize(f->has);
        sqlite3_finalize(f->put_image);
        sqlite3_finalize(f->put_map);
        f->has = f->put_image = f->put_map = NULL;
        /* Even an interrupted run keeps what it wrote, for --resume. */
        if (sqlite3_exec(f->db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK && commit) st = db_error(f, "cannot commit", err);
        /* A finished file has its rows in key order: the threads deliver
         * tiles in an order of their own, and a rerun on unchanged data
         * must give the same bytes ("publish if changed"). The rows are
         * written again in order and the file rebuilt (VACUUM), then
         * ANALYZE'd. */
        static const char *const in_order =
            "BEGIN;"
            "CREATE TEMP TABLE fp_map AS SELECT zoom_level, tile_column, tile_row, tile_id FROM map"
            " ORDER BY zoom_level, tile_column, tile_row;"
            "CREATE TEMP TABLE fp_images AS SELECT tile_data, tile_id FROM images ORDER BY tile_id;"
            "CREATE TEMP TABLE fp_metadata AS SELECT name, value FROM metadata ORDER BY name;"
            "DELETE FROM map; DELETE FROM images; DELETE FROM metadata;"
            "INSERT INTO map SELECT * FROM fp_map ORDER BY rowid;"
            "INSERT INTO images SELECT * FROM fp_images ORDER BY rowid;"
            "INSERT INTO metadata SELECT * FROM fp_metadata ORDER BY rowid;"
            "DROP TABLE fp_map; DROP TABLE fp_images; DROP TABLE fp_metadata;"
            "COMMIT; VACUUM; ANALYZE;";
        if (!st && commit && sqlite3_exec(f->db, in_order, NULL, NULL, NULL) != SQLITE_OK)
            st = db_error(f, "cannot finish", err);
        if (sqlite3_close(f->db) != SQLITE_OK && !st && commit) st = fp_error_set(err, FP_ERR_DB, "%s: cannot close", f->name);
        f->db = NULL;
    }
    file_free(f);
    return st;
}

int fpi_mbtiles_file_has(fp_mbtiles_file *f, int z, int x, long long row)
{
    sqlite3_bind_int(f->has, 1, z);
    sqlite3_bind_int(f->has, 2, x);
    sqlite3_bind_int64(f->has, 3, row);
    int found = sqlite3_step(f->has) == SQLITE_ROW;
    sqlite3_reset(f->has);
    return found;
}

fp_status fpi_mbtiles_file_put(fp_mbtiles_file *f, int z, int x, long long row, const unsigned char *data, size_t len,
                              const char *digest, fp_error *err)
{
    sqlite3_bind_blob(f->put_image, 1, data, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(f->put_image, 2, digest, -1, SQLITE_STATIC);
    int rc = sqlite3_step(f->put_image);
    sqlite3_reset(f->put_image);
    if (rc == SQLITE_DONE) {
        sqlite3_bind_int(f->put_map, 1, z);
        sqlite3_bind_int(f->put_map, 2, x);
        sqlite3_bind_int64(f->put_map, 3, row);
        sqlite3_bind_text(f->put_map, 4, digest, -1, SQLITE_STATIC);
        rc = sqlite3_step(f->put_map);
        sqlite3_reset(f->put_map);
    }
    return rc == SQLITE_DONE ? FP_OK : db_error(f, "cannot store a tile", err);
}

fp_status fpi_mbtiles_file_checkpoint(fp_mbtiles_file *f, fp_error *err)
{
    if (sqlite3_exec(f->db, "COMMIT; BEGIN;", NULL, NULL, NULL) != SQLITE_OK) return db_error(f, "cannot commit", err);
    return FP_OK;
}

fp_status fpi_mbtiles_file_set_metadata(fp_mbtiles_file *f, const char *key, const char *value, fp_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(f->db, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?1, ?2)", -1, &q, NULL) != SQLITE_OK)
        return db_error(f, "cannot write metadata", err);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    fp_status st = sqlite3_step(q) == SQLITE_DONE ? FP_OK : db_error(f, "cannot write metadata", err);
    sqlite3_finalize(q);
    return st;
}

void fpi_mbtiles_file_each_digest(fp_mbtiles_file *f, void (*fn)(const char *digest, void *user), void *user)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(f->db, "SELECT tile_id FROM images", -1, &q, NULL) != SQLITE_OK) return;
    while (sqlite3_step(q) == SQLITE_ROW) fn((const char *)sqlite3_column_text(q, 0), user);
    sqlite3_finalize(q);
}

void fpi_mbtiles_file_metadata(fp_mbtiles_file *f, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *q;
    if (size) buf[0] = 0;
    if (sqlite3_prepare_v2(f->db, "SELECT value FROM metadata WHERE name = ?1", -1, &q, NULL) != SQLITE_OK) return;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        if (strlen(v) < size) strcpy(buf, v);
    }
    sqlite3_finalize(q);
}

fp_status fpi_mbtiles_file_get(fp_mbtiles_file *f, int z, int x, long long row, unsigned char **data, size_t *len,
                              fp_error *err)
{
    *data = NULL;
    *len = 0;
    sqlite3_reset(f->get);
    sqlite3_bind_int(f->get, 1, z);
    sqlite3_bind_int(f->get, 2, x);
    sqlite3_bind_int64(f->get, 3, row);
    int rc = sqlite3_step(f->get);
    fp_status st = FP_OK;
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(f->get, 0);
        int n = sqlite3_column_bytes(f->get, 0);
        /* A row of 0 bytes (an empty tile in an older archive) is a tile
         * all the same: an empty buffer, not "no tile" (a 404). */
        if (n >= 0) {
            *data = malloc(n > 0 ? (size_t)n : 1);
            if (!*data) st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory for tile z%d x%d row %lld", f->name, z, x, row);
            else {
                if (n > 0) memcpy(*data, blob, (size_t)n);
                *len = (size_t)n;
            }
        }
    } else if (rc != SQLITE_DONE) {
        st = fp_error_set(err, FP_ERR_DB, "%s: tile z%d x%d row %lld: %s", f->name, z, x, row, sqlite3_errmsg(f->db));
    }
    /* Reset now so the read transaction ends and a writer is not held up. */
    sqlite3_reset(f->get);
    return st;
}
