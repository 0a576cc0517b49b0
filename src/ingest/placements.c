/*
 * footprint's own export read back: how its points were placed. A row
 * geocode placed (at a town, an admin-1 or a country centroid) is exported
 * with geocode_method and geocode_precision; read back as coordinates it
 * would be a point given as input, of point precision, and `check` would
 * take 65 country centroids for exact points (duplicates "0 m apart").
 *
 * The file cannot tell whether a point was moved in QGIS since. The store
 * can, when it still holds the dataset the export came from (the row's
 * `dataset` column): a point within FP_DIFF_MOVE_M of where that dataset
 * has it (what `diff` calls not moved) keeps that placement, reference
 * included; one farther away was placed by hand and is a point given as
 * input, so `geocode --redo` will not move it back. Without that dataset
 * the row keeps the placement the file records.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "ingest/ingest_internal.h"
#include "fp_diff.h"
#include "fp_store.h"
#include "geom/geom.h"

/* A stored row's recorded placement, and its dataset's, once read. */
typedef struct recorded {
    char *from, *from_key, *method, *precision;
    int found;                     /* the dataset exported from has this key as a point */
    double x, y;
    char *was_method, *was_precision, *was_ref;
} recorded;

struct fpi_placements {
    GHashTable *by_key;            /* source_key -> recorded */
    GHashTable *by_origin;         /* "FROM\037KEY" (its key in the dataset exported from) -> recorded */
};

static void recorded_free(void *p)
{
    recorded *r = p;
    g_free(r->from);
    g_free(r->from_key);
    g_free(r->method);
    g_free(r->precision);
    g_free(r->was_method);
    g_free(r->was_precision);
    g_free(r->was_ref);
    g_free(r);
}

fpi_placements *fpi_placements_new(void)
{
    fpi_placements *p = g_new0(fpi_placements, 1);
    p->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, recorded_free);
    p->by_origin = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return p;
}

void fpi_placements_free(fpi_placements *p)
{
    if (!p) return;
    g_hash_table_destroy(p->by_origin);
    g_hash_table_destroy(p->by_key);
    g_free(p);
}

void fpi_placements_add(fpi_placements *p, const char *key, const char *from, const char *from_key, const char *method,
                        const char *precision)
{
    /* A repeated key is a duplicate the store refuses: the first counts. */
    if (!key || !*key || g_hash_table_contains(p->by_key, key)) return;
    recorded *r = g_new0(recorded, 1);
    r->from = g_strdup(from ? from : "");
    r->from_key = g_strdup(from_key && *from_key ? from_key : key);
    r->method = g_strdup(method);
    r->precision = g_strdup(precision && *precision ? precision : NULL);
    g_hash_table_insert(p->by_key, g_strdup(key), r);
    g_hash_table_replace(p->by_origin, g_strdup_printf("%s\037%s", r->from, r->from_key), r);
}

/* Where the dataset exported from has the recorded keys, and how it
 * placed them. */
static fp_status read_exported_from(fpi_placements *p, fp_store *store, const char *from, fp_error *err)
{
    fp_rows *rows;
    fp_status st = fp_store_placed_points(store, from, 0, &rows, err);
    if (st) return st;
    while (fp_rows_next(rows)) {
        char *origin = g_strdup_printf("%s\037%s", from, fp_rows_text(rows, 1));
        recorded *r = g_hash_table_lookup(p->by_origin, origin);
        g_free(origin);
        if (!r) continue;
        r->found = 1;
        r->x = fp_rows_double(rows, 2);
        r->y = fp_rows_double(rows, 3);
        r->was_method = g_strdup(fp_rows_text(rows, 4));
        r->was_precision = g_strdup(fp_rows_text(rows, 5));
        r->was_ref = g_strdup(fp_rows_text(rows, 6));
    }
    st = fp_rows_status(rows, err);
    fp_rows_free(rows);
    return st;
}

fp_status fpi_placements_restore(fpi_placements *p, fp_store *store, const char *dataset, int64_t import_id,
                                 fp_import_result *res, fp_error *err)
{
    if (!p || !g_hash_table_size(p->by_key)) return FP_OK;
    fp_status st = FP_OK;
    /* The datasets the rows were exported from; this import's own is not
     * one of them (its rows are the ones being placed). */
    GHashTable *froms = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, p->by_key);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        recorded *r = v;
        if (*r->from && strcmp(r->from, dataset)) g_hash_table_add(froms, r->from);
    }
    g_hash_table_iter_init(&it, froms);
    while (!st && g_hash_table_iter_next(&it, &k, NULL)) st = read_exported_from(p, store, k, err);
    g_hash_table_destroy(froms);
    if (st) return st;

    /* This import's points with a recorded placement, and what each keeps
     * (its text the records'); written once the read is done (one
     * connection). */
    GArray *placed = g_array_new(FALSE, FALSE, sizeof(fp_placed_point));
    fp_rows *rows;
    st = fp_store_placed_points(store, dataset, import_id, &rows, err);
    while (!st && fp_rows_next(rows)) {
        recorded *r = g_hash_table_lookup(p->by_key, fp_rows_text(rows, 1));
        if (!r) continue;
        fp_placed_point q = { .id = fp_rows_int64(rows, 0), .x = fp_rows_double(rows, 2), .y = fp_rows_double(rows, 3) };
        if (!r->found) {
            q.method = r->method;
            q.precision = r->precision;
            res->placements_unverified++;
        } else if (fpi_geodesic_distance_m(q.x, q.y, r->x, r->y) <= FP_DIFF_MOVE_M) {
            q.method = r->was_method;
            q.precision = r->was_precision;
            q.ref = r->was_ref;
            res->placements_kept++;
        } else {
            res->placements_moved++;      /* stays as stored: given as input */
            continue;
        }
        g_array_append_val(placed, q);
    }
    if (!st) {
        st = fp_rows_status(rows, err);
        fp_rows_free(rows);
    }
    fp_point_writer *w = NULL;
    if (!st && placed->len) st = fp_store_point_writer_new(store, &w, err);
    for (guint i = 0; !st && i < placed->len; i++) st = fp_store_point_writer_set(w, &g_array_index(placed, fp_placed_point, i), err);
    if (!st && w) st = fp_store_point_writer_finish(w, err);
    fp_store_point_writer_free(w);
    g_array_free(placed, TRUE);
    return st;
}
