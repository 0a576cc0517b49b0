/* MBTiles 1.3 files: the one place that speaks SQL to a .mbtiles file,
 * for the tile writer (src/tiles/sink.c) and the tile server
 * (src/serve/mbtiles.c). An MBTiles file is an output format, its own
 * SQLite database, not the store: it sits here, below both stages, rather
 * than in src/store/.
 *
 * The layout written is the deduplicating one of mbutil and tippecanoe:
 * `map` (z, x, row -> tile_id) and `images` (tile_id -> data) behind the
 * `tiles` view the spec asks for. Rows are counted TMS-style, from the
 * south; callers convert. Messages name the file as `name` (the final
 * file, when writing to a temporary one). */
#ifndef FP_MBTILES_FILE_H
#define FP_MBTILES_FILE_H

#include <stddef.h>
#include "fp_error.h"

typedef struct fp_mbtiles_file fp_mbtiles_file;

/* Opens path for writing: created with the schema if missing (tiles kept
 * for resuming otherwise), a transaction open. */
fp_status fpi_mbtiles_file_create(const char *path, const char *name, fp_mbtiles_file **out, fp_error *err);
/* Opens path read-only (any MBTiles file with a `tiles` table or view). */
fp_status fpi_mbtiles_file_open(const char *path, fp_mbtiles_file **out, fp_error *err);
/* Writing: commit (and ANALYZE) what was written; without commit, still
 * keep it (for --resume) but report no error. Frees f. */
fp_status fpi_mbtiles_file_close(fp_mbtiles_file *f, int commit, fp_error *err);

/* 1 when tile z/x/row is stored. */
int fpi_mbtiles_file_has(fp_mbtiles_file *f, int z, int x, long long row);
/* Stores a tile under its digest (identical tiles share one image). */
fp_status fpi_mbtiles_file_put(fp_mbtiles_file *f, int z, int x, long long row, const unsigned char *data, size_t len,
                              const char *digest, fp_error *err);
/* Commits what was written so far and opens the next transaction. */
fp_status fpi_mbtiles_file_checkpoint(fp_mbtiles_file *f, fp_error *err);
fp_status fpi_mbtiles_file_set_metadata(fp_mbtiles_file *f, const char *key, const char *value, fp_error *err);
/* Calls fn with the digest of every stored image (resuming a run). */
void fpi_mbtiles_file_each_digest(fp_mbtiles_file *f, void (*fn)(const char *digest, void *user), void *user);

/* A metadata value into buf ("" when absent or too long). */
void fpi_mbtiles_file_metadata(fp_mbtiles_file *f, const char *key, char *buf, size_t size);
/* Tile z/x/row (malloc'd; *data NULL and *len 0 when absent or empty). */
fp_status fpi_mbtiles_file_get(fp_mbtiles_file *f, int z, int x, long long row, unsigned char **data, size_t *len,
                              fp_error *err);

#endif
