/*
 * The store's side of `footprint diff` (src/diff/): the rows of one edition
 * (a dataset) and the changes kept for `export --what diff:OLD:NEW`.
 *
 * The changes live in a TEMP table of the connection: an export opens the
 * store read-only and the comparison is recomputed each time, so nothing
 * is written to the store file (SQLite's temp database is writable on a
 * read-only connection). The layer query (export_store.c) joins it to the
 * projects for the geometries and attributes. On PostGIS the changes stay
 * on the client and are bound into the layer's queries (pg_diff.c).
 */
#include <stdlib.h>
#include <sqlite3.h>
#include "store/pg_internal.h"
#include "store/store_internal.h"

fp_status fp_store_edition_rows(fp_store *s, const char *dataset, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_edition_rows(s, dataset, out, err);
    *out = NULL;
    /* Per dataset through projects_key's (dataset, source_key) prefix. */
    static const char *const sql =
        "SELECT p.id, p.geom, p.source_key, i.file, p.source_line, p.company, p.category, p.name, p.place,"
        " p.country, p.country_code, p.year, p.status, p.amount, p.source, p.extra, i.format"
        " FROM projects p JOIN imports i ON i.id = p.import_id WHERE p.dataset = ?1 ORDER BY p.id";
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading an edition", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, dataset, -1, SQLITE_TRANSIENT);
    if (!(*out = fpi_rows_wrap(s, q, "reading an edition", 1u << 1, 0, err))) return FP_ERR_NOMEM;
    return FP_OK;
}

struct fp_diff_keeper {
    fp_store *s;
    sqlite3_stmt *insert;
    int began;
    fp_pg_diff_keeper *pg;   /* PostGIS: its keeper does the work */
};

fp_status fp_store_diff_keep_new(fp_store *s, fp_diff_keeper **out, fp_error *err)
{
    *out = NULL;
    if (s->pg) {
        fp_pg_diff_keeper *pk;
        fp_status pst = fpi_pg_diff_keep_new(s, &pk, err);
        if (pst) return pst;
        fp_diff_keeper *k = calloc(1, sizeof *k);
        if (!k) {
            fpi_pg_diff_keep_free(pk);
            return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        }
        k->s = s;
        k->pg = pk;
        *out = k;
        return FP_OK;
    }
    /* seq orders the layer (fp_diff's order: added, removed, moved, changed). */
    fp_status st = fpi_store_exec(s,
        "DROP TABLE IF EXISTS temp.fp_diff;"
        "CREATE TEMP TABLE fp_diff(seq INTEGER PRIMARY KEY, change TEXT NOT NULL, matched_by TEXT,"
        " old_id INTEGER, new_id INTEGER, distance_m REAL, fields TEXT, details TEXT)", err);
    if (st) return st;
    fp_diff_keeper *k = calloc(1, sizeof *k);
    if (!k) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    k->s = s;
    st = fpi_store_prepare(s, "INSERT INTO temp.fp_diff(change, matched_by, old_id, new_id, distance_m, fields, details)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", "keeping the changes", &k->insert, err);
    /* One transaction for the rows (a plain BEGIN: the caller holds none). */
    if (!st && !s->in_txn) {
        st = fpi_store_exec(s, "BEGIN", err);
        k->began = !st;
    }
    if (st) {
        fp_store_diff_keep_free(k);
        return st;
    }
    *out = k;
    return FP_OK;
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *v)
{
    if (v && *v) sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, i);
}

fp_status fp_store_diff_keep_add(fp_diff_keeper *k, const fp_diff_kept *r, fp_error *err)
{
    if (k->pg) return fpi_pg_diff_keep_add(k->pg, r, err);
    sqlite3_stmt *q = k->insert;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, r->change, -1, SQLITE_TRANSIENT);
    bind_text_or_null(q, 2, r->matched_by);
    if (r->old_id) sqlite3_bind_int64(q, 3, r->old_id); else sqlite3_bind_null(q, 3);
    if (r->new_id) sqlite3_bind_int64(q, 4, r->new_id); else sqlite3_bind_null(q, 4);
    if (r->distance_m >= 0) sqlite3_bind_double(q, 5, r->distance_m); else sqlite3_bind_null(q, 5);
    bind_text_or_null(q, 6, r->fields);
    bind_text_or_null(q, 7, r->details);
    if (sqlite3_step(q) != SQLITE_DONE) return fpi_store_db_error(k->s, "keeping the changes", err);
    return FP_OK;
}

fp_status fp_store_diff_keep_finish(fp_diff_keeper *k, fp_error *err)
{
    if (k->pg) return fpi_pg_diff_keep_finish(k->pg, err);
    if (!k->began) return FP_OK;
    k->began = 0;
    return fpi_store_exec(k->s, "COMMIT", err);
}

void fp_store_diff_keep_free(fp_diff_keeper *k)
{
    if (!k) return;
    fpi_pg_diff_keep_free(k->pg);
    sqlite3_finalize(k->insert);
    if (k->began) sqlite3_exec(k->s->db, "ROLLBACK", NULL, NULL, NULL);
    free(k);
}
