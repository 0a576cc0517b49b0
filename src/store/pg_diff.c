/*
 * The store's side of `footprint diff` on PostGIS: the rows of one edition
 * and the changes kept for `export --what diff:OLD:NEW`, as diff_store.c
 * does on SpatiaLite.
 *
 * The changes are kept on the client, in the store's connection state: one
 * array literal per column (change, matched_by, old_id, new_id, distance_m,
 * fields, details), which pg_export.c binds into each query of the layer
 * and unnests WITH ORDINALITY (seq 1, 2, ...: SQLite's INTEGER PRIMARY KEY
 * numbering, the layer's feature ids) before joining the projects. Nothing
 * is written to the database, not even a temporary table: a session that
 * may not write at all (a hot standby, a role with
 * default_transaction_read_only = on) exports the changes as it runs diff.
 * (Before, a temporary table of the connection held them: CREATE and DROP
 * are refused in a read-only transaction, temporary or not.)
 */
#include <stdio.h>
#include <stdlib.h>
#include "store/pg_internal.h"

/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (1 << 20)

fp_status fpi_pg_edition_rows(fp_store *s, const char *dataset, fp_rows **out, fp_error *err)
{
    const char *v[] = { dataset };
    /* A cursor: an edition may be 100,000s of rows (diff.c keeps its own copy). */
    *out = fpi_pg_rows_query(s, "SELECT p.id, ST_AsBinary(p.geom), p.source_key, i.file, p.source_line, p.company,"
                               " p.category, p.name, p.place, p.country, p.country_code, p.year, p.status, p.amount,"
                               " p.source, p.extra, i.format FROM projects p JOIN imports i ON i.id = p.import_id"
                               " WHERE p.dataset = $1 ORDER BY p.id",
                            1, v, "reading an edition", 1u << 1, 1, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

struct fp_pg_diff_keeper {
    fp_store *s;
    GString *col[FPI_PG_DIFF_COLS];   /* array literals, not yet closed */
    long long n;
};

fp_status fpi_pg_diff_keep_new(fp_store *s, fp_pg_diff_keeper **out, fp_error *err)
{
    *out = NULL;
    fp_pg_diff_keeper *k = calloc(1, sizeof *k);
    if (!k) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    k->s = s;
    for (int c = 0; c < FPI_PG_DIFF_COLS; c++) k->col[c] = g_string_new("{");
    *out = k;
    return FP_OK;
}

/* An element of an array literal: NULL, or the text double-quoted with
 * '"' and '\' escaped (array_in's rules), after a ',' but the first. */
static void element(GString *a, const char *v)
{
    if (a->len > 1) g_string_append_c(a, ',');
    if (!v) { g_string_append(a, "NULL"); return; }
    g_string_append_c(a, '"');
    for (; *v; v++) {
        if (*v == '"' || *v == '\\') g_string_append_c(a, '\\');
        g_string_append_c(a, *v);
    }
    g_string_append_c(a, '"');
}

fp_status fpi_pg_diff_keep_add(fp_pg_diff_keeper *k, const fp_diff_kept *r, fp_error *err)
{
    (void)err;
    char num[32];
    /* NULL for NULL or "" (as diff_store.c binds them). */
    element(k->col[0], r->change);
    element(k->col[1], r->matched_by && *r->matched_by ? r->matched_by : NULL);
    snprintf(num, sizeof num, "%lld", (long long)r->old_id);
    element(k->col[2], r->old_id ? num : NULL);
    snprintf(num, sizeof num, "%lld", (long long)r->new_id);
    element(k->col[3], r->new_id ? num : NULL);
    /* %.17g reads back as the same double. */
    snprintf(num, sizeof num, "%.17g", r->distance_m);
    element(k->col[4], r->distance_m >= 0 ? num : NULL);
    element(k->col[5], r->fields && *r->fields ? r->fields : NULL);
    element(k->col[6], r->details && *r->details ? r->details : NULL);
    k->n++;
    return FP_OK;
}

fp_status fpi_pg_diff_keep_finish(fp_pg_diff_keeper *k, fp_error *err)
{
    (void)err;
    struct fp_pg *pg = k->s->pg;
    for (int c = 0; c < FPI_PG_DIFF_COLS; c++) {
        g_string_append_c(k->col[c], '}');
        g_free(pg->diff_cols[c]);
        pg->diff_cols[c] = g_string_free(k->col[c], FALSE);
        k->col[c] = NULL;
    }
    return FP_OK;
}

void fpi_pg_diff_keep_free(fp_pg_diff_keeper *k)
{
    if (!k) return;
    for (int c = 0; c < FPI_PG_DIFF_COLS; c++)
        if (k->col[c]) g_string_free(k->col[c], TRUE);
    free(k);
}
