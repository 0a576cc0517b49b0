/*
 * Geocoding on PostGIS: the rows to place (a server-side cursor in the
 * geocode's transaction), a region's geometry, and the bulk writer of
 * placed points.
 *
 * The writer buffers placed points as COPY text and sends them into a
 * temporary table in batches, each its own complete COPY (so the cursor of
 * the rows to place can FETCH in between); finish moves them into
 * projects with one UPDATE ... FROM. All of it inside the caller's
 * transaction: a failed or killed geocode leaves the projects as they
 * were, and the GiST index is kept by PostgreSQL itself.
 */
#include <stdlib.h>
#include <string.h>
#include "store/pg_internal.h"

#define COPY_BATCH (1 << 20)    /* bytes of COPY text sent at once */

fp_status fpi_pg_geocode_rows(fp_store *s, const char *dataset, int redo, fp_rows **out, fp_error *err)
{
    /* $2 (redo) also takes rows an earlier geocode placed. */
    const char *v[] = { dataset, redo ? "t" : "f" };
    *out = fpi_pg_rows_query(s,
        "SELECT p.id, i.file, p.source_line, p.place, p.country, i.format, p.extra FROM projects p"
        " JOIN imports i ON i.id = p.import_id"
        " WHERE (p.geom IS NULL OR ($2::boolean AND p.geocode_method IS NOT NULL AND p.geocode_method <> 'input'))"
        " AND ($1::text IS NULL OR p.dataset = $1) ORDER BY p.id",
        2, v, "reading the rows to geocode", 0, 1, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_gazetteer_placed(fp_store *s, int *any, fp_error *err)
{
    *any = 0;
    PGresult *r = fpi_pg_exec(s, "SELECT EXISTS(SELECT 1 FROM projects WHERE geocode_precision = 'city')", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        return fpi_pg_error(s, r, "reading how projects were placed", err);
    *any = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_centroid_placed_rows(fp_store *s, const char *dataset, int with_admin1, fp_rows **out,
                                      fp_error *err)
{
    (void)with_admin1;   /* the caller filters on column 1 */
    /* No index made here, unlike SpatiaLite: only the table's owner may
     * create one (a team's other roles aggregate too), and CREATE INDEX
     * would hold imports off until the aggregation commits. The server
     * scans the table (the aggregation reads it whole anyway). */
    const char *v[] = { dataset };
    *out = fpi_pg_rows_query(s,
        "SELECT id, CASE WHEN geocode_precision = 'admin1' THEN 1 ELSE 0 END FROM projects"
        " WHERE geocode_precision IN ('country', 'admin1') AND geom IS NOT NULL"
        " AND ($1::text IS NULL OR dataset = $1) ORDER BY id",
        1, v, "reading the projects placed at a centroid", 0, 1, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_placed_points(fp_store *s, const char *dataset, int64_t import_id, fp_rows **out, fp_error *err)
{
    char import[24];
    snprintf(import, sizeof import, "%lld", (long long)import_id);
    const char *v[] = { dataset, import };
    *out = fpi_pg_rows_query(s,
        "SELECT id, source_key, ST_X(geom), ST_Y(geom), geocode_method, geocode_precision, geocode_ref FROM projects"
        " WHERE dataset = $1 AND ($2::bigint = 0 OR import_id = $2::bigint) AND source_key IS NOT NULL"
        " AND GeometryType(geom) = 'POINT'",
        2, v, "reading placed points", 0, 1, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_region_wkb(fp_store *s, const char *code, unsigned char **wkb, size_t *len, fp_error *err)
{
    *wkb = NULL;
    *len = 0;
    const char *v[] = { code };
    /* Binary result: the WKB's bytes as they are. */
    fpi_pg_settle(s);
    PGresult *r = PQexecParams(s->pg->conn, "SELECT ST_AsBinary(geom) FROM regions WHERE code = $1", 1, NULL, v,
                               NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading a region", err);
    fp_status st = FP_OK;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) && PQgetlength(r, 0, 0) > 0) {
        *len = (size_t)PQgetlength(r, 0, 0);
        if ((*wkb = malloc(*len))) memcpy(*wkb, PQgetvalue(r, 0, 0), *len);
        else { *len = 0; st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    }
    PQclear(r);
    return st;
}

/* ------------------------------------------------------- point writer --- */

struct fp_pg_point_writer {
    fp_store *store;
    GString *buf;       /* COPY text not yet sent */
    long seq;           /* order of the points: a row placed twice keeps the last */
    long n;
};

fp_status fpi_pg_point_writer_new(fp_store *s, fp_pg_point_writer **out, fp_error *err)
{
    *out = NULL;
    fp_pg_point_writer *w = calloc(1, sizeof *w);
    if (!w) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    w->store = s;
    w->buf = g_string_sized_new(COPY_BATCH + 4096);
    /* Dropped at the commit (or the rollback) that ends the geocode. */
    fp_status st = fpi_pg_command(s, "CREATE TEMP TABLE IF NOT EXISTS fp_placed(seq bigint, id bigint, x float8,"
                                    " y float8, method text, ref text, prec text, country_code text) ON COMMIT DROP",
                                 0, NULL, "storing geocoded rows", err);
    if (!st) st = fpi_pg_command(s, "TRUNCATE fp_placed", 0, NULL, "storing geocoded rows", err);
    if (st) { fpi_pg_point_writer_free(w); return st; }
    *out = w;
    return FP_OK;
}

void fpi_pg_point_writer_free(fp_pg_point_writer *w)
{
    if (!w) return;
    g_string_free(w->buf, TRUE);
    free(w);
}

/* Sends the buffered points as one COPY. */
static fp_status flush(fp_pg_point_writer *w, fp_error *err)
{
    if (!w->buf->len) return FP_OK;
    fp_store *s = w->store;
    fp_status st = fpi_pg_command(s, "COPY fp_placed FROM STDIN", 0, NULL, "storing geocoded rows", err);
    if (!st) st = fpi_pg_copy_send(s, w->buf, "storing geocoded rows", err);
    if (!st) st = fpi_pg_copy_end(s, "storing geocoded rows", err);
    else fpi_pg_copy_abort(s);
    g_string_truncate(w->buf, 0);
    return st;
}

fp_status fpi_pg_point_writer_set(fp_pg_point_writer *w, const fp_placed_point *p, fp_error *err)
{
    char seq[24], id[24], x[40], y[40];
    snprintf(seq, sizeof seq, "%ld", ++w->seq);
    snprintf(id, sizeof id, "%lld", (long long)p->id);
    /* %.17g reads back as the same double: the point SpatiaLite stores. */
    snprintf(x, sizeof x, "%.17g", p->x);
    snprintf(y, sizeof y, "%.17g", p->y);
    GString *b = w->buf;
    fpi_pg_copy_field(b, seq);
    fpi_pg_copy_field(b, id);
    fpi_pg_copy_field(b, x);
    fpi_pg_copy_field(b, y);
    fpi_pg_copy_field(b, p->method);
    fpi_pg_copy_field(b, p->ref);
    fpi_pg_copy_field(b, p->precision);
    fpi_pg_copy_field(b, p->country_code);
    g_string_append_c(b, '\n');
    w->n++;
    return b->len >= COPY_BATCH ? flush(w, err) : FP_OK;
}

fp_status fpi_pg_point_writer_finish(fp_pg_point_writer *w, fp_error *err)
{
    fp_status st = flush(w, err);
    if (st || !w->n) return st;
    /* The column cache: the update trigger would drop a part per row (a
     * plpgsql call each); its parts are dropped here once instead, by a
     * role that may delete them. One that may only read the cache (or not
     * even that: README, a role that may edit projects needs no right on
     * it) leaves it to the trigger, which runs as the schema's owner
     * (SECURITY DEFINER): slower for a big geocode, but the cache stays
     * exact and the rows are placed. Deciding by read access, as before,
     * sent such a role's DELETE to the table and failed the geocode. */
    int cache = fpi_pg_columns_writable(w->store);
    if (cache) st = fpi_pg_columns_kept(w->store, 1, err);
    if (!st && cache)
        st = fpi_pg_command(w->store, "DELETE FROM projects_columns WHERE part IN (SELECT id >> 16 FROM fp_placed)", 0,
                            NULL, "storing geocoded rows", err);
    if (!st) st = fpi_pg_command(w->store,
        "UPDATE projects p SET geom = ST_SetSRID(ST_MakePoint(u.x, u.y), 4326), geocode_method = u.method,"
        " geocode_ref = u.ref, geocode_precision = u.prec, country_code = coalesce(u.country_code, p.country_code)"
        " FROM (SELECT DISTINCT ON (id) * FROM fp_placed ORDER BY id, seq DESC) AS u WHERE p.id = u.id",
        0, NULL, "storing geocoded rows", err);
    if (!st && cache) st = fpi_pg_columns_kept(w->store, 0, err);
    if (!st) st = fpi_pg_command(w->store, "TRUNCATE fp_placed", 0, NULL, "storing geocoded rows", err);
    return st;
}
