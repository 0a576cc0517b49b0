/*
 * The store's side of data QA: reading the points to check, saving the
 * findings and projects.qa, and the --fix journal (qa_fixes) with its undo.
 * Every SQL statement of `footprint check` is here (issue 13: only
 * src/store/ knows table and column names).
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include "fp_store_qa.h"
#include "common/util.h"
#include "store/pg_internal.h"
#include "geom/geom.h"
#include "store/store_internal.h"

static fp_status db_error(fp_store *s, const char *what, fp_error *err)
{
    return fp_error_set(err, FP_ERR_DB, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static const char *text(sqlite3_stmt *q, int col)
{
    return (const char *)sqlite3_column_text(q, col);
}

static fp_status each_point(fp_store *s, const char *dataset, int ranged, int64_t from, int64_t to, fp_qa_row_fn fn,
                            void *ctx, fp_error *err)
{
    if (s->pg) return fpi_pg_qa_each_point(s, dataset, ranged, from, to, fn, ctx, err);
    /* The extra JSON is only needed for geocoded rows (the admin-1 check):
     * not reading it for the others keeps 1M rows cheap. A range is a
     * condition of its own, so that SQLite walks only its part of the
     * table. */
    static const char *const columns =
        "SELECT p.id, p.dataset, i.file, i.format, p.source_line, p.source_key, p.company, p.category, p.name,"
        " p.country, p.country_code, p.geocode_method, p.geocode_precision,"
        " CASE WHEN p.geocode_precision = 'city' THEN p.extra END, p.geom,"
        " CASE WHEN p.geocode_precision = 'city' THEN p.place END,"
        " CASE WHEN p.geocode_precision = 'city' THEN p.geocode_ref END"
        " FROM projects p JOIN imports i ON i.id = p.import_id"
        " WHERE p.geom IS NOT NULL AND (?1 IS NULL OR p.dataset = ?1)";
    char *sql = g_strdup_printf("%s%s ORDER BY p.id", columns, ranged ? " AND p.id BETWEEN ?2 AND ?3" : "");
    sqlite3_stmt *q;
    int prepared = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    g_free(sql);
    if (prepared != SQLITE_OK) return db_error(s, "cannot read projects", err);
    if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
    if (ranged) {
        sqlite3_bind_int64(q, 2, from);
        sqlite3_bind_int64(q, 3, to);
    }
    fp_status st = FP_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        fp_qa_store_row r;
        /* A point read straight from the blob, as aggregate does; a line
         * or an area by the centre of its box (the blob's MBR). */
        const unsigned char *blob = sqlite3_column_blob(q, 14);
        int blob_len = sqlite3_column_bytes(q, 14);
        double mbr[4];
        r.is_point = fpi_blob_point(blob, blob_len, &r.x, &r.y);
        if (!r.is_point) {
            if (fpi_blob_kind(blob, blob_len, mbr) < 1) continue;
            r.x = (mbr[0] + mbr[2]) / 2;
            r.y = (mbr[1] + mbr[3]) / 2;
        }
        r.id = sqlite3_column_int64(q, 0);
        r.dataset = text(q, 1);
        r.file = text(q, 2);
        r.format = text(q, 3);
        r.line = sqlite3_column_type(q, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 4);
        r.source_key = text(q, 5);
        r.company = text(q, 6);
        r.category = text(q, 7);
        r.name = text(q, 8);
        r.country = text(q, 9);
        r.country_code = text(q, 10);
        r.geocode_method = text(q, 11);
        r.geocode_precision = text(q, 12);
        r.extra = text(q, 13);
        r.place = text(q, 15);
        r.geocode_ref = text(q, 16);
        if ((st = fn(&r, ctx, err)) != FP_OK) break;
        if (fp_context_cancelled(s->ctx)) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted; nothing was changed"); break; }
    }
    if (!st && rc != SQLITE_DONE) st = db_error(s, "cannot read projects", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_qa_store_each_point(fp_store *s, const char *dataset, fp_qa_row_fn fn, void *ctx, fp_error *err)
{
    return each_point(s, dataset, 0, 0, 0, fn, ctx, err);
}

fp_status fp_qa_store_each_point_in(fp_store *s, const char *dataset, int64_t from, int64_t to, fp_qa_row_fn fn,
                                    void *ctx, fp_error *err)
{
    return each_point(s, dataset, 1, from, to, fn, ctx, err);
}

fp_status fp_qa_store_save(fp_store *s, const char *dataset, const fp_qa_store_finding *f, size_t n, fp_error *err)
{
    if (s->pg) return fpi_pg_qa_save(s, dataset, f, n, err);
    sqlite3_stmt *q = NULL;
    fp_status st = FP_OK;
    /* The old findings and flags of the checked rows go first. Only this
     * function sets projects.qa, and only on rows with a finding or a fix
     * (undone or not) of their dataset: those rows are cleared by id, not
     * by a scan of every project (0.2 s of a 1M-point check). */
    static const char *const clear[] = {
        "UPDATE projects SET qa = NULL WHERE id IN (SELECT project_id FROM qa_findings WHERE ?1 IS NULL OR dataset = ?1"
        " UNION SELECT project_id FROM qa_fixes WHERE ?1 IS NULL OR dataset = ?1) AND qa IS NOT NULL",
        "DELETE FROM qa_findings WHERE ?1 IS NULL OR dataset = ?1",
    };
    for (size_t i = 0; !st && i < sizeof clear / sizeof clear[0]; i++) {
        if (sqlite3_prepare_v2(s->db, clear[i], -1, &q, NULL) != SQLITE_OK) return db_error(s, "cannot clear findings", err);
        if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) st = db_error(s, "cannot clear findings", err);
        sqlite3_finalize(q);
    }
    if (st) return st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO qa_findings(project_id, dataset, kind, row_ref, evidence, suggestion, other_id,"
                           " fix, fix_lon, fix_lat) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, "cannot store findings", err);
    for (size_t i = 0; !st && i < n; i++) {
        sqlite3_bind_int64(q, 1, f[i].project_id);
        sqlite3_bind_text(q, 2, f[i].dataset, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, f[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, f[i].row_ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, f[i].evidence, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, f[i].suggestion, -1, SQLITE_STATIC);
        if (f[i].other_id) sqlite3_bind_int64(q, 7, f[i].other_id); else sqlite3_bind_null(q, 7);
        if (f[i].fix) {
            sqlite3_bind_text(q, 8, f[i].fix, -1, SQLITE_STATIC);
            sqlite3_bind_double(q, 9, f[i].fix_lon);
            sqlite3_bind_double(q, 10, f[i].fix_lat);
        } else {
            for (int c = 8; c <= 10; c++) sqlite3_bind_null(q, c);
        }
        if (sqlite3_step(q) != SQLITE_DONE) st = db_error(s, "cannot store findings", err);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (st) return st;
    /* projects.qa: the kinds of the row's findings in the order found, then
     * the fixes applied to it (a fixed row stays visible as such). */
    static const char *const flag[] = {
        "UPDATE projects SET qa = f.kinds FROM (SELECT project_id, group_concat(kind, ',') AS kinds"
        " FROM (SELECT project_id, kind FROM qa_findings WHERE ?1 IS NULL OR dataset = ?1 ORDER BY id)"
        " GROUP BY project_id) AS f WHERE projects.id = f.project_id",
        "UPDATE projects SET qa = coalesce(qa || ',', '') || x.fixes FROM (SELECT project_id,"
        " group_concat('fixed-' || fix, ',') AS fixes FROM (SELECT project_id, fix FROM qa_fixes"
        " WHERE undone IS NULL AND (?1 IS NULL OR dataset = ?1) ORDER BY id) GROUP BY project_id) AS x"
        " WHERE projects.id = x.project_id",
    };
    for (size_t i = 0; !st && i < sizeof flag / sizeof flag[0]; i++) {
        if (sqlite3_prepare_v2(s->db, flag[i], -1, &q, NULL) != SQLITE_OK) return db_error(s, "cannot flag rows", err);
        if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) st = db_error(s, "cannot flag rows", err);
        sqlite3_finalize(q);
    }
    return st;
}

fp_status fp_qa_store_next_batch(fp_store *s, long long *batch, fp_error *err)
{
    if (s->pg) return fpi_pg_qa_next_batch(s, batch, err);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(batch), 0) + 1 FROM qa_fixes", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, "cannot read the fix journal", err);
    fp_status st = FP_OK;
    if (sqlite3_step(q) == SQLITE_ROW) *batch = sqlite3_column_int64(q, 0);
    else st = db_error(s, "cannot read the fix journal", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_qa_store_fix(fp_store *s, long long batch, long long id, const char *fix, double lon, double lat,
                          fp_error *err)
{
    if (s->pg) return fpi_pg_qa_fix(s, batch, id, fix, lon, lat, err);
    char now[32];
    fpi_timestamp(now);
    /* The journal row first, with the blob as stored; then the move. */
    static const char *const sql[] = {
        "INSERT INTO qa_fixes(batch, project_id, dataset, fix, old_geom, old_lon, old_lat, new_lon, new_lat, applied)"
        " SELECT ?1, id, dataset, ?3, geom, X(geom), Y(geom), ?4, ?5, ?6 FROM projects WHERE id = ?2 AND geom IS NOT NULL",
        "UPDATE projects SET geom = MakePoint(?4, ?5, 4326) WHERE id = ?2",
    };
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(s->db, sql[i], -1, &q, NULL) != SQLITE_OK) return db_error(s, "cannot apply a fix", err);
        /* Parameters a statement does not use are ignored by SQLite's binding. */
        sqlite3_bind_int64(q, 1, batch);
        sqlite3_bind_int64(q, 2, id);
        if (sqlite3_bind_parameter_index(q, "?3")) sqlite3_bind_text(q, 3, fix, -1, SQLITE_STATIC);
        sqlite3_bind_double(q, 4, lon);
        sqlite3_bind_double(q, 5, lat);
        if (sqlite3_bind_parameter_index(q, "?6")) sqlite3_bind_text(q, 6, now, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(q);
        int changed = sqlite3_changes(s->db);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) return fp_error_set(err, FP_ERR_DB, "%s: cannot fix project %lld: %s", s->path, id,
                                                   sqlite3_errmsg(s->db));
        if (changed != 1) return fp_error_set(err, FP_ERR_STATE, "%s: project %lld has no geometry to fix", s->path, id);
    }
    return FP_OK;
}

fp_status fp_qa_store_undo_last(fp_store *s, const char *dataset, long *rows, long *kept, fp_error *err)
{
    if (s->pg) return fpi_pg_qa_undo_last(s, dataset, rows, kept, err);
    *rows = *kept = 0;
    sqlite3_stmt *q;
    long long batch = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT max(batch) FROM qa_fixes WHERE undone IS NULL AND (?1 IS NULL OR dataset = ?1)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, "cannot read the fix journal", err);
    if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) batch = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (batch == 0) return FP_OK;
    char now[32];
    fpi_timestamp(now);
    /* A row's oldest journal entry of the batch holds its geometry as it was
     * before the batch; only a row still where the batch's last fix put it
     * goes back: one edited since (moved by hand in QGIS) keeps the edit,
     * and is counted in *kept. */
    static const char *const sql[] = {
        "SELECT count(DISTINCT project_id) FROM qa_fixes WHERE batch = ?1 AND undone IS NULL AND (?2 IS NULL OR dataset = ?2)",
        "UPDATE projects SET geom = (SELECT f.old_geom FROM qa_fixes f WHERE f.project_id = projects.id"
        " AND f.batch = ?1 AND f.undone IS NULL AND (?2 IS NULL OR f.dataset = ?2) ORDER BY f.id LIMIT 1)"
        " WHERE id IN (SELECT project_id FROM qa_fixes WHERE batch = ?1 AND undone IS NULL AND (?2 IS NULL OR dataset = ?2))"
        " AND X(geom) IS (SELECT g.new_lon FROM qa_fixes g WHERE g.project_id = projects.id AND g.batch = ?1"
        "   AND g.undone IS NULL ORDER BY g.id DESC LIMIT 1)"
        " AND Y(geom) IS (SELECT g.new_lat FROM qa_fixes g WHERE g.project_id = projects.id AND g.batch = ?1"
        "   AND g.undone IS NULL ORDER BY g.id DESC LIMIT 1)",
        "UPDATE qa_fixes SET undone = ?3 WHERE batch = ?1 AND undone IS NULL AND (?2 IS NULL OR dataset = ?2)",
    };
    long total = 0;
    for (size_t i = 0; i < 3; i++) {
        if (sqlite3_prepare_v2(s->db, sql[i], -1, &q, NULL) != SQLITE_OK) return db_error(s, "cannot undo fixes", err);
        sqlite3_bind_int64(q, 1, batch);
        if (dataset) sqlite3_bind_text(q, 2, dataset, -1, SQLITE_STATIC);
        if (sqlite3_bind_parameter_index(q, "?3")) sqlite3_bind_text(q, 3, now, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(q);
        if (i == 0 && rc == SQLITE_ROW) { total = sqlite3_column_int64(q, 0); rc = SQLITE_DONE; }
        if (i == 1) *rows = sqlite3_changes(s->db);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) return db_error(s, "cannot undo fixes", err);
    }
    *kept = total - *rows;
    return FP_OK;
}
