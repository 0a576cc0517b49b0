/*
 * Reading tiles out of an MBTiles 1.3 file: an SQLite database with a
 * `tiles` table (or view) of zoom_level, tile_column, tile_row, tile_data,
 * rows numbered TMS-style from the south. Opened read-only, one prepared
 * statement reused for every tile.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <zlib.h>
#include "serve/serve_internal.h"

struct fp_mbtiles {
    sqlite3 *db;
    sqlite3_stmt *get;
    char format[16];
    char path[]; /* for messages */
};

fp_status fp_mbtiles_open(const char *path, fp_mbtiles **out, fp_error *err)
{
    *out = NULL;
    size_t plen = strlen(path);
    fp_mbtiles *mb = calloc(1, sizeof *mb + plen + 1);
    if (!mb) return fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", path);
    memcpy(mb->path, path, plen + 1);
    /* NOMUTEX: the server is single-threaded. */
    int rc = sqlite3_open_v2(path, &mb->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        fp_error_set(err, FP_ERR_IO, "%s: cannot open: %s", path, mb->db ? sqlite3_errmsg(mb->db) : sqlite3_errstr(rc));
        fp_mbtiles_close(mb);
        return err ? err->code : FP_ERR_IO;
    }
    /* `footprint tiles` may be writing the file while it is served. */
    sqlite3_busy_timeout(mb->db, 1000);
    rc = sqlite3_prepare_v2(mb->db,
                            "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                            -1, &mb->get, NULL);
    if (rc != SQLITE_OK) {
        /* A file that is no SQLite database fails here too ("file is not a database"). */
        fp_error_set(err, FP_ERR_INPUT, "%s: not an MBTiles file (%s)", path, sqlite3_errmsg(mb->db));
        fp_mbtiles_close(mb);
        return FP_ERR_INPUT;
    }
    /* The format only refines the content type; a file without metadata
     * still serves its tiles. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(mb->db, "SELECT value FROM metadata WHERE name = 'format'", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            const char *f = (const char *)sqlite3_column_text(st, 0);
            if (strlen(f) < sizeof mb->format) strcpy(mb->format, f);
        }
        sqlite3_finalize(st);
    }
    *out = mb;
    return FP_OK;
}

void fp_mbtiles_close(fp_mbtiles *mb)
{
    if (!mb) return;
    sqlite3_finalize(mb->get);
    sqlite3_close(mb->db);
    free(mb);
}

const char *fp_mbtiles_format(const fp_mbtiles *mb)
{
    return mb->format;
}

fp_status fp_mbtiles_get(fp_mbtiles *mb, int z, int x, int y, unsigned char **data, size_t *len, fp_error *err)
{
    *data = NULL;
    *len = 0;
    /* XYZ rows count from the north, TMS rows from the south. */
    long long row = (1LL << z) - 1 - y;
    sqlite3_reset(mb->get);
    sqlite3_bind_int(mb->get, 1, z);
    sqlite3_bind_int(mb->get, 2, x);
    sqlite3_bind_int64(mb->get, 3, row);
    int rc = sqlite3_step(mb->get);
    fp_status st = FP_OK;
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(mb->get, 0);
        int n = sqlite3_column_bytes(mb->get, 0);
        if (blob && n > 0) {
            *data = malloc((size_t)n);
            if (!*data) st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory for tile %d/%d/%d", mb->path, z, x, y);
            else {
                memcpy(*data, blob, (size_t)n);
                *len = (size_t)n;
            }
        }
    } else if (rc != SQLITE_DONE) {
        st = fp_error_set(err, FP_ERR_DB, "%s: tile %d/%d/%d: %s", mb->path, z, x, y, sqlite3_errmsg(mb->db));
    }
    /* Reset now so the read transaction ends and a writer is not held up. */
    sqlite3_reset(mb->get);
    return st;
}

int fp_gunzip(const unsigned char *in, size_t in_len, size_t max, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return -1; /* 16+: gzip wrapper */
    size_t cap = in_len * 4 + 256, used = 0;
    unsigned char *buf = NULL;
    int rc = Z_OK;
    zs.next_in = (unsigned char *)in;
    /* In chunks of at most UINT_MAX, as zlib counts in unsigned int. */
    size_t in_left = in_len;
    for (;;) {
        if (cap > max) cap = max;
        if (used == cap || !buf) {
            if (buf && cap == max) break; /* full at the limit: too big */
            size_t ncap = buf ? cap * 2 : cap;
            if (ncap > max) ncap = max;
            unsigned char *nb = realloc(buf, ncap ? ncap : 1);
            if (!nb) break;
            buf = nb;
            cap = ncap;
        }
        if (zs.avail_in == 0 && in_left) {
            zs.avail_in = in_left > 0x40000000u ? 0x40000000u : (unsigned)in_left;
            in_left -= zs.avail_in;
        }
        size_t room = cap - used;
        zs.next_out = buf + used;
        zs.avail_out = room > 0x40000000u ? 0x40000000u : (unsigned)room;
        unsigned before = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        used += before - zs.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) break;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) break; /* truncated input */
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = used;
    return 0;
}
