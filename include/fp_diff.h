/* What changed between two editions of a project list: two datasets of the
 * store (e.g. the same list imported with --dataset 2024 and --dataset
 * 2025) compared row by row -- projects added, removed, moved (with the
 * geodesic distance) and changed (which fields).
 *
 * Matching, in two passes:
 *   1. by id: an old and a new row with the same source key (the input's id
 *      column, projects.source_key) are the same project;
 *   2. the rows left, where not both have an id: by normalised name +
 *      company + location (fp_fold_text of name and company; location = the
 *      resolved country code, else the folded country, else the folded
 *      place). In a group of several candidates the best pairs go first:
 *      unchanged (no field differs, not moved), then the nearest, then the
 *      fewest changed fields, then store order.
 * Two rows that both have an id but different ids are never paired: they
 * are a removed and an added project.
 *
 * A matched pair is moved when the geodesic distance between its two
 * locations (points; a line's or polygon's centroid) exceeds move_m; it is
 * changed when a compared field differs (see fp_diff_entry.fields). A
 * moved pair may have changed fields too (counted in moved_and_changed). */
#ifndef FP_DIFF_H
#define FP_DIFF_H

#include <stdint.h>
#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Below this distance (metres) a matched project has not moved: coordinates
 * rounded differently by two exports of the same list (4 decimals are up
 * to 11 m) or a town re-geocoded to the same place are not moves. */
#define FP_DIFF_MOVE_M 100.0

typedef enum fp_change {
    FP_CHANGE_ADDED = 0,     /* only in the new edition */
    FP_CHANGE_REMOVED,       /* only in the old edition */
    FP_CHANGE_MOVED,         /* in both, farther apart than move_m */
    FP_CHANGE_CHANGED,       /* in both, in place, some field differs */
    FP_CHANGE_KINDS
} fp_change;

/* "added", "removed", "moved", "changed": the values of the exported
 * layer's `change` attribute and of the report's first column. */
const char *fp_change_name(fp_change change);

typedef struct fp_diff_options {
    const char *old_dataset;     /* --dataset OLD */
    const char *new_dataset;     /* --against NEW */
    double move_m;               /* < 0: FP_DIFF_MOVE_M */
    const char *report_csv;      /* every change as CSV (NULL: none) */
    /* Keep the changes in the store's connection (a temporary table) for
     * fp_store_layer_rows(FP_LAYER_DIFF): what `export --what diff:` reads. */
    int keep_for_layer;
    /* The option that named the two datasets, as messages should name it
     * ("--diff 2024:2026" for render, "--what diff:2024:2026" for export);
     * NULL: --dataset OLD and --against NEW (the diff command). */
    const char *option;
} fp_diff_options;

/* One change. Strings belong to the result (never NULL; "" for none). The
 * descriptive fields (key, name, company, country) are the new row's, or
 * the old row's for a removed project. */
typedef struct fp_diff_entry {
    fp_change change;
    int by_id;                   /* moved/changed: matched by id (1) or by name+company+location (0) */
    int64_t old_id, new_id;      /* store ids; 0 when that side has none */
    const char *source_key, *name, *company, *country;
    const char *old_file, *new_file;   /* the input files of the two rows ("" for none) */
    long old_line, new_line;     /* their line or feature numbers (0: none) */
    int old_by_line, new_by_line;   /* 1: a line ("file:N", CSV, a sheet's row), 0: a feature ("file: feature N") */
    double distance_m;           /* moved: the geodesic distance; else -1 */
    const char *fields;          /* changed field names, comma-separated, "" for none */
    const char *details;         /* "year: 2019 -> 2020; status: planned -> built" */
} fp_diff_entry;

typedef struct fp_diff_result {
    long old_rows, new_rows;     /* projects in each edition */
    long count[FP_CHANGE_KINDS];
    long unchanged;
    long matched_by_id, matched_by_name;
    /* Rows with an id (a source key) on each side, and ids both have; an
     * id of each side as an example ("" when none). */
    long old_with_id, new_with_id, shared_ids;
    const char *old_id_example, *new_id_example;
    long moved_and_changed;      /* moved pairs that also have changed fields */
    /* Pairs matched by id that moved and have another name (or, with no
     * names, another place): the same id given to another project? The
     * first as an example. */
    long renamed_and_moved;
    const char *renamed_key, *renamed_old_name, *renamed_new_name;
    int renamed_by_place;        /* the example's rows have no names: their places differ */
    double move_m;               /* the threshold used */
    /* Every change, added first, then removed, moved, changed; within a
     * kind in store order. */
    fp_diff_entry *entries;
    size_t nentries;
    double seconds;
    void *strings;               /* owns the entries' strings */
} fp_diff_result;

/* Compares the two datasets; fills result (fp_diff_result_clear frees it,
 * also after a failure; NULL: only the status is wanted). Reads the store only (with keep_for_layer, a
 * temporary table of this connection, also on a read-only store). An
 * unknown dataset is a usage error naming the datasets the store has. */
fp_status fp_diff(fp_store *store, const fp_diff_options *opts, fp_diff_result *result, fp_error *err);
/* When both editions have rows but fewer than a tenth of the smaller one
 * matched: a warning (one line, no "warning: " prefix) into out saying
 * whether they share ids, which key matched them and how to choose it;
 * returns 1. Likewise when a fifth or more of the pairs matched by id (at
 * least 3) moved and have another name: ids reused for other projects.
 * Else "" and 0. */
int fp_diff_match_warning(const fp_diff_result *r, const char *old_dataset, const char *new_dataset, char *out,
                          size_t size);
/* "file:N" of a row read by line, "file: feature N" of a feature (GeoJSON,
 * GeoPackage...), "file" without a number, "" without a file; as `check`
 * names rows. g_malloc'd. */
char *fp_diff_row_ref(const char *file, long line, int by_line);
void fp_diff_result_clear(fp_diff_result *result);

#ifdef __cplusplus
}
#endif

#endif
