/* The store's side of data QA (src/qa/): every SQL statement `footprint
 * check` needs, so that src/qa/ knows no table or column name. */
#ifndef FP_STORE_QA_H
#define FP_STORE_QA_H

#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One stored project with a 2D geometry, as the checks read it. Strings
 * are NULL when the column is; they live until the callback returns. */
typedef struct fp_qa_store_row {
    long long id;
    const char *dataset;
    const char *file, *format;     /* the import's file and OGR format ("CSV", ...) */
    long long line;                /* source_line: CSV line or feature number; -1 if none */
    const char *source_key, *company, *category, *name, *country, *country_code;
    const char *geocode_method, *geocode_precision;
    const char *extra;             /* the extra JSON, for geocoded rows only */
    const char *place;             /* the place geocoded, for geocoded rows only */
    const char *geocode_ref;       /* the town geocoded to ("geonames:ID"), for rows placed at a town only */
    double x, y;
    /* 1: a point at x, y. 0: a line or an area, x, y the centre of its box,
     * compared by the duplicate checks only (a site mapped twice in
     * OpenStreetMap, as a node and as its building). */
    int is_point;
} fp_qa_store_row;

typedef fp_status (*fp_qa_row_fn)(const fp_qa_store_row *row, void *ctx, fp_error *err);

/* Calls fn for every project with a 2D point, line or area (dataset NULL:
 * all datasets), in id order. Stops at fn's first error and returns it. */
fp_status fp_qa_store_each_point(fp_store *store, const char *dataset, fp_qa_row_fn fn, void *ctx, fp_error *err);
/* The same for the projects of ids from..to only: one part of a scan in
 * parts, each on its own thread with its own reader (fp_store_open_reader). */
fp_status fp_qa_store_each_point_in(fp_store *store, const char *dataset, int64_t from, int64_t to, fp_qa_row_fn fn,
                                    void *ctx, fp_error *err);

/* One finding as stored. fix NULL: none suggested for --fix. */
typedef struct fp_qa_store_finding {
    long long project_id;
    const char *dataset, *kind, *row_ref, *evidence, *suggestion;
    long long other_id;            /* 0: none */
    const char *fix;
    double fix_lon, fix_lat;
} fp_qa_store_finding;

/* Replaces the findings of `dataset` (NULL: every dataset) by f[0..n) and
 * rewrites projects.qa of those rows: the kinds of their findings, then
 * "fixed-FIX" for each fix applied and not undone. Run inside a
 * transaction (fp_store_begin). */
fp_status fp_qa_store_save(fp_store *store, const char *dataset, const fp_qa_store_finding *f, size_t n,
                           fp_error *err);

/* The number of the next --fix batch (one more than the last). */
fp_status fp_qa_store_next_batch(fp_store *store, long long *batch, fp_error *err);

/* Moves project `id` to (lon, lat), recording its geometry as stored (the
 * blob, byte for byte) and the fix in the journal under `batch`. Inside a
 * transaction. */
fp_status fp_qa_store_fix(fp_store *store, long long batch, long long id, const char *fix, double lon, double lat,
                          fp_error *err);

/* Undoes the last batch that has rows not yet undone (of `dataset`, NULL:
 * any): puts the recorded geometries back and marks the journal rows undone.
 * *rows: how many were restored (0: nothing to undo); *kept: rows of the
 * batch edited since the fix (no longer where it put them), left as they
 * are. Inside a transaction. */
fp_status fp_qa_store_undo_last(fp_store *store, const char *dataset, long *rows, long *kept, fp_error *err);

#ifdef __cplusplus
}
#endif

#endif
