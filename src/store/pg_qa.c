/*
 * Data QA (`footprint check`) on PostGIS: qa_store.c's statements for a
 * PostgreSQL database. The points come through a server-side cursor in
 * the check's transaction; the findings go in with one COPY; the --fix
 * journal keeps each moved row's geometry as EWKB (SRID included), put
 * back as it was by the undo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fp_store_qa.h"
#include "common/util.h"
#include "geom/geom.h"
#include "store/pg_internal.h"

/* An import's dataset, file and format, by id: a row names its import
 * (import_id) rather than the scan repeating them a million times (the
 * join cost the server 0.8 of its 1.9 s per 1M rows). */
typedef struct import_names {
    char *dataset, *file, *format;
} import_names;

static void import_names_free(gpointer p)
{
    import_names *n = p;
    free(n->dataset);
    free(n->file);
    free(n->format);
    free(n);
}

static char *dup_or_null(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

fp_status fpi_pg_qa_each_point(fp_store *s, const char *dataset, int ranged, int64_t from, int64_t to, fp_qa_row_fn fn,
                              void *ctx, fp_error *err)
{
    char lo[24], hi[24];
    snprintf(lo, sizeof lo, "%lld", (long long)from);
    snprintf(hi, sizeof hi, "%lld", (long long)to);
    const char *v[] = { dataset, lo, hi };
    /* A range is a condition of its own, as on SpatiaLite (qa_store.c). */
    char *sql = g_strdup_printf(
        "SELECT p.id, p.import_id, p.source_line, p.source_key, p.company, p.category, p.name,"
        " p.country, p.country_code, p.geocode_method, p.geocode_precision,"
        " CASE WHEN p.geocode_precision = 'city' THEN p.extra END, ST_AsBinary(p.geom),"
        " CASE WHEN p.geocode_precision = 'city' THEN p.place END,"
        " CASE WHEN p.geocode_precision = 'city' THEN p.geocode_ref END"
        " FROM projects p WHERE p.geom IS NOT NULL AND ($1::text IS NULL OR p.dataset = $1)%s ORDER BY p.id",
        ranged ? " AND p.id BETWEEN $2::bigint AND $3::bigint" : "");
    fp_rows *r = fpi_pg_rows_query(s, sql, ranged ? 3 : 1, v, "cannot read projects", 1u << 12, 1, err);
    g_free(sql);
    if (!r) return err ? err->code : FP_ERR_DB;
    /* Read after the scan began: an import committed in between is in
     * this list, and rows of imports are never deleted, so every row the
     * scan's snapshot holds finds its import. */
    PGresult *ir = fpi_pg_exec(s, "SELECT id, dataset, file, format FROM imports", 0, NULL);
    if (PQresultStatus(ir) != PGRES_TUPLES_OK) {
        fp_rows_free(r);
        return fpi_pg_error(s, ir, "cannot read imports", err);
    }
    GHashTable *imports = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, import_names_free);
    for (int i = 0; i < PQntuples(ir); i++) {
        gint64 *id = g_new(gint64, 1);
        *id = strtoll(PQgetvalue(ir, i, 0), NULL, 10);
        import_names *n = calloc(1, sizeof *n);
        if (n) *n = (import_names){ dup_or_null(ir, i, 1), dup_or_null(ir, i, 2), dup_or_null(ir, i, 3) };
        g_hash_table_insert(imports, id, n);
    }
    PQclear(ir);
    fp_status st = FP_OK;
    while (fp_rows_next(r)) {
        fp_geom g;
        /* Points, and lines and areas by the centre of their box, as on
         * SpatiaLite (qa_store.c). */
        if (fp_rows_geom(r, 12, 0, &g) <= 0) continue;
        if (!g.is_point) {
            int t = fpi_wkb_dimension(g.wkb, g.wkb_len);
            if (t < 1) continue;
            g.x = (g.bbox[0] + g.bbox[2]) / 2;
            g.y = (g.bbox[1] + g.bbox[3]) / 2;
        }
        gint64 import_id = fp_rows_int64(r, 1);
        const import_names *n = g_hash_table_lookup(imports, &import_id);
        if (!n) {
            st = fp_error_set(err, FP_ERR_DB, "%s: project %lld names import %lld, which is not in imports", s->path,
                              (long long)fp_rows_int64(r, 0), (long long)import_id);
            break;
        }
        fp_qa_store_row row = {
            .id = fp_rows_int64(r, 0), .dataset = n->dataset, .file = n->file, .format = n->format,
            .line = fp_rows_is_null(r, 2) ? -1 : fp_rows_int64(r, 2),
            .source_key = fp_rows_text(r, 3), .company = fp_rows_text(r, 4), .category = fp_rows_text(r, 5),
            .name = fp_rows_text(r, 6), .country = fp_rows_text(r, 7), .country_code = fp_rows_text(r, 8),
            .geocode_method = fp_rows_text(r, 9), .geocode_precision = fp_rows_text(r, 10),
            .extra = fp_rows_text(r, 11), .place = fp_rows_text(r, 13),
            .geocode_ref = fp_rows_text(r, 14), .x = g.x, .y = g.y, .is_point = g.is_point };
        if ((st = fn(&row, ctx, err)) != FP_OK) break;
        if (fp_context_cancelled(s->ctx)) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted; nothing was changed"); break; }
    }
    if (!st) st = fp_rows_status(r, err);
    fp_rows_free(r);
    g_hash_table_destroy(imports);
    return st;
}

fp_status fpi_pg_qa_save(fp_store *s, const char *dataset, const fp_qa_store_finding *f, size_t n, fp_error *err)
{
    const char *dv[] = { dataset };
    /* Flags cleared by id, as on SpatiaLite (qa_store.c): only rows with a
     * finding or a fix of their dataset have one. */
    fp_status st = fpi_pg_command(s, "UPDATE projects SET qa = NULL WHERE id IN (SELECT project_id FROM qa_findings"
                                     " WHERE $1::text IS NULL OR dataset = $1 UNION SELECT project_id FROM qa_fixes"
                                     " WHERE $1::text IS NULL OR dataset = $1) AND qa IS NOT NULL",
                                  1, dv, "cannot clear findings", err);
    if (!st) st = fpi_pg_command(s, "DELETE FROM qa_findings WHERE $1::text IS NULL OR dataset = $1", 1, dv,
                                "cannot clear findings", err);
    if (!st && n) st = fpi_pg_command(s, "COPY qa_findings(project_id, dataset, kind, row_ref, evidence, suggestion,"
                                        " other_id, fix, fix_lon, fix_lat) FROM STDIN", 0, NULL, "cannot store findings", err);
    if (!st && n) {
        GString *b = g_string_sized_new(1 << 16);
        char t[3][40];
        for (size_t i = 0; !st && i < n; i++) {
            snprintf(t[0], sizeof t[0], "%lld", f[i].project_id);
            fpi_pg_copy_field(b, t[0]);
            fpi_pg_copy_field(b, f[i].dataset);
            fpi_pg_copy_field(b, f[i].kind);
            fpi_pg_copy_field(b, f[i].row_ref);
            fpi_pg_copy_field(b, f[i].evidence);
            fpi_pg_copy_field(b, f[i].suggestion);
            snprintf(t[0], sizeof t[0], "%lld", f[i].other_id);
            fpi_pg_copy_field(b, f[i].other_id ? t[0] : NULL);
            snprintf(t[1], sizeof t[1], "%.17g", f[i].fix_lon);
            snprintf(t[2], sizeof t[2], "%.17g", f[i].fix_lat);
            fpi_pg_copy_field(b, f[i].fix);
            fpi_pg_copy_field(b, f[i].fix ? t[1] : NULL);
            fpi_pg_copy_field(b, f[i].fix ? t[2] : NULL);
            g_string_append_c(b, '\n');
            if (b->len >= (1 << 16)) st = fpi_pg_copy_send(s, b, "cannot store findings", err);
        }
        if (!st) st = fpi_pg_copy_send(s, b, "cannot store findings", err);
        if (!st) st = fpi_pg_copy_end(s, "cannot store findings", err);
        else fpi_pg_copy_abort(s);
        g_string_free(b, TRUE);
    }
    /* projects.qa: the kinds of the row's findings in the order found, then
     * the fixes applied to it and not undone. */
    if (!st) st = fpi_pg_command(s,
        "UPDATE projects SET qa = f.kinds FROM (SELECT project_id, string_agg(kind, ',' ORDER BY id) AS kinds"
        " FROM qa_findings WHERE $1::text IS NULL OR dataset = $1 GROUP BY project_id) AS f"
        " WHERE projects.id = f.project_id", 1, dv, "cannot flag rows", err);
    if (!st) st = fpi_pg_command(s,
        "UPDATE projects SET qa = coalesce(qa || ',', '') || x.fixes FROM (SELECT project_id,"
        " string_agg('fixed-' || fix, ',' ORDER BY id) AS fixes FROM qa_fixes"
        " WHERE undone IS NULL AND ($1::text IS NULL OR dataset = $1) GROUP BY project_id) AS x"
        " WHERE projects.id = x.project_id", 1, dv, "cannot flag rows", err);
    return st;
}

fp_status fpi_pg_qa_next_batch(fp_store *s, long long *batch, fp_error *err)
{
    /* One fix run at a time takes a number: two analysts' concurrent
     * --fix runs each read max + 1 and shared a batch, so one --undo put
     * back both. The lock is the transaction's (released at its commit),
     * so the second run sees the first's batch. */
    PGresult *l = fpi_pg_exec(s, "SELECT pg_advisory_xact_lock(hashtext('footprint.qa_fixes.batch'))", 0, NULL);
    if (PQresultStatus(l) != PGRES_TUPLES_OK) return fpi_pg_error(s, l, "cannot lock the fix journal", err);
    PQclear(l);
    PGresult *r = fpi_pg_exec(s, "SELECT coalesce(max(batch), 0) + 1 FROM qa_fixes", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "cannot read the fix journal", err);
    *batch = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return FP_OK;
}

/* Runs a statement and gives the number of rows it changed (-1: failed). */
static long changes(fp_store *s, const char *sql, int n, const char *const *v, PGresult **failed)
{
    PGresult *r = fpi_pg_exec(s, sql, n, v);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) { *failed = r; return -1; }
    long c = atol(PQcmdTuples(r));
    PQclear(r);
    return c;
}

fp_status fpi_pg_qa_fix(fp_store *s, long long batch, long long id, const char *fix, double lon, double lat,
                       fp_error *err)
{
    char now[32], b[24], i[24], x[40], y[40];
    fpi_timestamp(now);
    snprintf(b, sizeof b, "%lld", batch);
    snprintf(i, sizeof i, "%lld", id);
    snprintf(x, sizeof x, "%.17g", lon);
    snprintf(y, sizeof y, "%.17g", lat);
    const char *v[] = { b, i, fix, x, y, now };
    PGresult *failed = NULL;
    /* The journal row first, with the geometry as stored; then the move. */
    long c = changes(s, "INSERT INTO qa_fixes(batch, project_id, dataset, fix, old_geom, old_lon, old_lat, new_lon,"
                        " new_lat, applied) SELECT $1::bigint, id, dataset, $3, ST_AsEWKB(geom), ST_X(geom), ST_Y(geom),"
                        " $4::float8, $5::float8, $6 FROM projects WHERE id = $2::bigint AND geom IS NOT NULL", 6, v, &failed);
    if (c == 1) {
        const char *mv[] = { i, x, y };
        c = changes(s, "UPDATE projects SET geom = ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326)"
                       " WHERE id = $1::bigint", 3, mv, &failed);
    }
    if (c < 0) {
        char what[64];
        snprintf(what, sizeof what, "cannot fix project %lld", id);
        return fpi_pg_error(s, failed, what, err);
    }
    if (c != 1) return fp_error_set(err, FP_ERR_STATE, "%s: project %lld has no geometry to fix", s->path, id);
    return FP_OK;
}

fp_status fpi_pg_qa_undo_last(fp_store *s, const char *dataset, long *rows, long *kept, fp_error *err)
{
    *rows = *kept = 0;
    /* projects first, as a bulk import takes it (before the QA's tables,
     * pg_imports.c): reading qa_fixes first and then updating projects
     * deadlocked with an import that came in between. */
    fp_status st = fpi_pg_command(s, "LOCK TABLE projects IN ROW EXCLUSIVE MODE", 0, NULL,
                                  "waiting for other sessions' work on projects", err);
    if (st) return st;
    const char *dv[] = { dataset };
    PGresult *r = fpi_pg_exec(s, "SELECT coalesce(max(batch), 0) FROM qa_fixes WHERE undone IS NULL"
                                " AND ($1::text IS NULL OR dataset = $1)", 1, dv);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "cannot read the fix journal", err);
    char batch[24];
    snprintf(batch, sizeof batch, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    fp_context_pause(s->ctx, "qa:undo");      /* the journal read (tests) */
    if (!strcmp(batch, "0")) return FP_OK;
    char now[32];
    fpi_timestamp(now);
    const char *v[] = { batch, dataset, now };
    PGresult *failed = NULL;
    /* A row's oldest journal entry of the batch holds its geometry as it
     * was before the batch; only a row still where the batch's last fix put
     * it goes back (as qa_store.c: an edit since is kept, and counted). */
    r = fpi_pg_exec(s, "SELECT count(DISTINCT project_id) FROM qa_fixes WHERE batch = $1::bigint AND undone IS NULL"
                       " AND ($2::text IS NULL OR dataset = $2)", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "cannot read the fix journal", err);
    long total = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    long c = changes(s,
        "UPDATE projects SET geom = (SELECT ST_GeomFromEWKB(f.old_geom) FROM qa_fixes f WHERE f.project_id = projects.id"
        " AND f.batch = $1::bigint AND f.undone IS NULL AND ($2::text IS NULL OR f.dataset = $2) ORDER BY f.id LIMIT 1)"
        " WHERE id IN (SELECT project_id FROM qa_fixes WHERE batch = $1::bigint AND undone IS NULL"
        " AND ($2::text IS NULL OR dataset = $2))"
        " AND ST_X(geom) IS NOT DISTINCT FROM (SELECT g.new_lon FROM qa_fixes g WHERE g.project_id = projects.id"
        "   AND g.batch = $1::bigint AND g.undone IS NULL ORDER BY g.id DESC LIMIT 1)"
        " AND ST_Y(geom) IS NOT DISTINCT FROM (SELECT g.new_lat FROM qa_fixes g WHERE g.project_id = projects.id"
        "   AND g.batch = $1::bigint AND g.undone IS NULL ORDER BY g.id DESC LIMIT 1)", 2, v, &failed);
    if (c < 0) return fpi_pg_error(s, failed, "cannot undo fixes", err);
    *rows = c;
    *kept = total - c;
    if (changes(s, "UPDATE qa_fixes SET undone = $3 WHERE batch = $1::bigint AND undone IS NULL"
                   " AND ($2::text IS NULL OR dataset = $2)", 3, v, &failed) < 0)
        return fpi_pg_error(s, failed, "cannot undo fixes", err);
    return FP_OK;
}
