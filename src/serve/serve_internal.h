/* Internals of the serve stage, shared by its files and the unit tests
 * (tests/unit/test_http.c). Not public API. */
#ifndef FP_SERVE_INTERNAL_H
#define FP_SERVE_INTERNAL_H

#include <stddef.h>
#include <time.h>
#include "fp_error.h"
#include "fp_serve.h"

/* ------------------------------------------------------------ http.c --- */

/* Content type of a file name by its extension (case-insensitive);
 * application/octet-stream when unknown. */
const char *fpi_http_content_type(const char *path);

/* The content type of vector tiles (Mapbox Vector Tiles, .pbf/.mvt). */
#define FP_MVT_TYPE "application/vnd.mapbox-vector-tile"

/* An IMF-fixdate (RFC 9110 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". */
void fpi_http_date(time_t t, char out[40]);

/* True if the If-None-Match value `list` (a comma-separated list of entity
 * tags, or "*") matches `etag` (a quoted strong tag) under the weak
 * comparison that RFC 9110 13.1.2 prescribes for GET/HEAD. */
int fpi_http_etag_match(const char *list, const char *etag);

/* Recognises a tile address PREFIX/Z/X/Y.EXT (EXT png, jpg, jpeg, webp,
 * pbf, mvt; 0 <= Z <= 30, X and Y < 2^Z). Returns 1 and fills prefix
 * (possibly "", never with a trailing '/'), z, x, y and the lowercased
 * ext; 0 if path has another shape. */
int fpi_serve_tile_address(const char *path, char *prefix, size_t prefix_size, int *z, int *x, int *y,
                          char ext[8]);

/* --------------------------------------------------------- resolve.c --- */

/* Maps a decoded request path onto the file system under root (a
 * realpath). Returns 200 and the realpath of a regular file in out (an
 * index.html for a folder path ending in '/'), 301 when path names a folder
 * but lacks the final '/', 400 for '..' segments and backslashes, 403 when
 * permission is denied, and 404 for anything missing, hidden (a segment
 * starting with '.'), not a regular file, or resolving (through symlinks)
 * to a place outside root. */
int fpi_serve_resolve(const char *root, const char *path, char *out, size_t out_size);

/* --------------------------------------------------------- mbtiles.c --- */

typedef struct fp_mbtiles fp_mbtiles;

/* Opens an MBTiles file read-only; FP_ERR_INPUT if it has no tiles table. */
fp_status fpi_mbtiles_open(const char *path, fp_mbtiles **out, fp_error *err);
void fpi_mbtiles_close(fp_mbtiles *mb);
/* The metadata 'format' value (png, jpg, webp, pbf), "" when absent. */
const char *fpi_mbtiles_format(const fp_mbtiles *mb);
/* Tile z/x/y in XYZ numbering (y from the north; the file stores TMS rows,
 * flipped here). On FP_OK, *data is a malloc'd copy (NULL with *len 0 when
 * the tile is absent). */
fp_status fpi_mbtiles_get(fp_mbtiles *mb, int z, int x, int y, unsigned char **data, size_t *len, fp_error *err);

/* Decompresses gzip data into a malloc'd buffer of at most max bytes.
 * Returns 0, or -1 when the data is not valid gzip or inflates beyond max. */
int fpi_gunzip(const unsigned char *in, size_t in_len, size_t max, unsigned char **out, size_t *out_len);

#endif
