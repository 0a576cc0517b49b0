/*
 * The store's side of `footprint diff` on PostGIS: the rows of one edition
 * and the changes kept for `export --what diff:OLD:NEW`, as diff_store.c
 * does on SpatiaLite.
 *
 * The changes live in a temporary table of the connection (pg_temp.fp_diff,
 * gone when it closes): nothing is written to the shared database, other
 * sessions never see it, and a role that may only read the footprint tables
 * can still export (temporary tables need the database's TEMP privilege,
 * which PostgreSQL grants to everyone by default). pg_export.c joins it to
 * the projects for the layer. The rows go in by COPY, numbered as SQLite's
 * INTEGER PRIMARY KEY numbers them (1, 2, ...: the layer's feature ids).
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
    GString *buf;          /* COPY lines not yet sent */
    long long seq;         /* the last row's number */
    int began;             /* the transaction is ours to end */
    int copying;           /* COPY ... FROM STDIN is open */
};

fp_status fpi_pg_diff_keep_new(fp_store *s, fp_pg_diff_keeper **out, fp_error *err)
{
    *out = NULL;
    fp_pg_diff_keeper *k = calloc(1, sizeof *k);
    if (!k) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    k->s = s;
    k->buf = g_string_sized_new(COPY_CHUNK + 4096);
    fp_status st = FP_OK;
    /* One transaction for the table and its rows (the caller's, if it holds one). */
    if (!s->pg->in_txn) {
        st = fpi_pg_begin(s, err);
        k->began = !st;
    }
    /* seq orders the layer (fp_diff's order: added, removed, moved, changed). */
    if (!st) st = fpi_pg_command(s, "DROP TABLE IF EXISTS pg_temp.fp_diff", 0, NULL, "keeping the changes", err);
    if (!st)
        st = fpi_pg_command(s, "CREATE TEMP TABLE fp_diff(seq bigint PRIMARY KEY, change text NOT NULL, matched_by text,"
                              " old_id bigint, new_id bigint, distance_m double precision, fields text, details text)",
                           0, NULL, "keeping the changes", err);
    if (!st)
        st = fpi_pg_command(s, "COPY pg_temp.fp_diff(seq, change, matched_by, old_id, new_id, distance_m, fields, details)"
                              " FROM STDIN", 0, NULL, "keeping the changes", err);
    k->copying = !st;
    if (st) {
        fpi_pg_diff_keep_free(k);
        return st;
    }
    *out = k;
    return FP_OK;
}

/* A text field of a COPY row: NULL for NULL or "" (as diff_store.c binds them). */
static void text_or_null(GString *line, const char *v)
{
    fpi_pg_copy_field(line, v && *v ? v : NULL);
}

fp_status fpi_pg_diff_keep_add(fp_pg_diff_keeper *k, const fp_diff_kept *r, fp_error *err)
{
    char num[32];
    GString *b = k->buf;
    snprintf(num, sizeof num, "%lld", ++k->seq);
    fpi_pg_copy_field(b, num);
    fpi_pg_copy_field(b, r->change);
    text_or_null(b, r->matched_by);
    snprintf(num, sizeof num, "%lld", (long long)r->old_id);
    fpi_pg_copy_field(b, r->old_id ? num : NULL);
    snprintf(num, sizeof num, "%lld", (long long)r->new_id);
    fpi_pg_copy_field(b, r->new_id ? num : NULL);
    /* %.17g reads back as the same double. */
    snprintf(num, sizeof num, "%.17g", r->distance_m);
    fpi_pg_copy_field(b, r->distance_m >= 0 ? num : NULL);
    text_or_null(b, r->fields);
    text_or_null(b, r->details);
    g_string_append_c(b, '\n');
    if (b->len >= COPY_CHUNK) return fpi_pg_copy_send(k->s, b, "keeping the changes", err);
    return FP_OK;
}

fp_status fpi_pg_diff_keep_finish(fp_pg_diff_keeper *k, fp_error *err)
{
    fp_status st = fpi_pg_copy_send(k->s, k->buf, "keeping the changes", err);
    k->copying = 0;
    if (!st) st = fpi_pg_copy_end(k->s, "keeping the changes", err);
    else fpi_pg_copy_abort(k->s);
    /* Row counts for the planner: the layer joins it to the projects. */
    if (!st) st = fpi_pg_command(k->s, "ANALYZE pg_temp.fp_diff", 0, NULL, "keeping the changes", err);
    if (!st && k->began) {
        k->began = 0;
        st = fpi_pg_commit(k->s, err);
    }
    return st;
}

void fpi_pg_diff_keep_free(fp_pg_diff_keeper *k)
{
    if (!k) return;
    if (k->copying) fpi_pg_copy_abort(k->s);
    if (k->began) fpi_pg_rollback(k->s);
    g_string_free(k->buf, TRUE);
    free(k);
}
