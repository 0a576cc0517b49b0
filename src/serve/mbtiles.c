/*
 * Reading tiles out of an MBTiles 1.3 file: an SQLite database with a
 * `tiles` table (or view) of zoom_level, tile_column, tile_row, tile_data,
 * rows numbered TMS-style from the south. Opened read-only through the
 * shared MBTiles helper (src/common/mbtiles_file.c), which holds the SQL.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "common/mbtiles_file.h"
#include "serve/serve_internal.h"

struct fp_mbtiles {
    fp_mbtiles_file *file;
    char format[16];
};

fp_status fpi_mbtiles_open(const char *path, fp_mbtiles **out, fp_error *err)
{
    *out = NULL;
    fp_mbtiles *mb = calloc(1, sizeof *mb);
    if (!mb) return fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", path);
    fp_status st = fpi_mbtiles_file_open(path, &mb->file, err);
    if (st) {
        free(mb);
        return st;
    }
    /* The format only refines the content type; a file without metadata
     * still serves its tiles. */
    fpi_mbtiles_file_metadata(mb->file, "format", mb->format, sizeof mb->format);
    *out = mb;
    return FP_OK;
}

void fpi_mbtiles_close(fp_mbtiles *mb)
{
    if (!mb) return;
    fpi_mbtiles_file_close(mb->file, 0, NULL);
    free(mb);
}

const char *fpi_mbtiles_format(const fp_mbtiles *mb)
{
    return mb->format;
}

fp_status fpi_mbtiles_get(fp_mbtiles *mb, int z, int x, int y, unsigned char **data, size_t *len, fp_error *err)
{
    /* XYZ rows count from the north, TMS rows from the south. */
    return fpi_mbtiles_file_get(mb->file, z, x, (1LL << z) - 1 - y, data, len, err);
}

int fpi_gunzip(const unsigned char *in, size_t in_len, size_t max, unsigned char **out, size_t *out_len)
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
