/*
 * fp_rows on PostGIS: a complete libpq result, or a server-side cursor
 * read in batches (the projects scan: memory stays flat however many rows).
 *
 * Results come in text format: numbers as PostgreSQL prints them (doubles
 * in the shortest form that reads back exactly), geometries as the hex of
 * ST_AsBinary's WKB, decoded here. A point is read straight from its WKB;
 * anything else gets its bounding box from GEOS, which every command has
 * loaded already; OGR only for a geometry GEOS cannot read (a curve).
 * Loading GDAL for the boxes of the regions cost each PostGIS command
 * about 0.1 s of CPU (130 of the 166 such commands of a make check).
 *
 * A scan that reads its values only as text and integers (the aggregation's)
 * asks for binary results: WKB as bytes rather than hex, integers as
 * integers, less to print on the server and to parse here.
 *
 * A cursor asks for its next batch as soon as it has one, so the server
 * reads while the client works (the QA of 1M points: 3.1-4.0 -> 2.6-3.0 s;
 * the aggregation's two reader threads already keep both cores busy). The
 * reply waits in the connection; a statement sent on the connection before
 * the scan gets to it collects it first (fpi_pg_settle, which fpi_pg_exec
 * calls), so callers may still query between rows.
 */
#include <stdlib.h>
#include <string.h>
#include <geos_c.h>
#include "common/gdal_api.h"
#include "store/pg_internal.h"

#define FETCH_BATCH 20000

struct fp_pg_rows {
    fp_store *store;
    PGresult *res;
    int row, nrows;
    char *cursor;             /* NULL: one complete result */
    int own_txn;              /* the cursor's transaction is ours to end */
    int done;
    int prefetching;          /* the next FETCH is sent, its reply not read */
    int have_next;            /* next: the reply, collected by fpi_pg_settle */
    PGresult *next;
    unsigned wkb_cols;
    int binary;               /* results in binary format (FPI_PG_ROWS_BINARY) */
    int batch;                /* rows per FETCH */
    char number[24];          /* a binary integer printed, for fpi_pg_rows_text */
    unsigned char *wkb;       /* the last decoded bytea, freed at the next */
    size_t wkb_len;
    GEOSContextHandle_t geos; /* for the boxes of non-points, made at the first */
    GEOSWKBReader *geos_reader;
    const char *what;
    fp_status st;
    fp_error err;
};

static int fail_rows(struct fp_pg_rows *p, PGresult *res)
{
    p->st = fpi_pg_error(p->store, res, p->what, &p->err);
    p->done = 1;
    return 0;
}

static void fetch_sql(const struct fp_pg_rows *p, char *sql, size_t n)
{
    snprintf(sql, n, "FETCH FORWARD %d FROM %s", p->batch, p->cursor);
}

/* Sends the FETCH of the batch after p->res, unless p->res was the last. */
static void prefetch(struct fp_pg_rows *p)
{
    fp_store *s = p->store;
    if (p->nrows < p->batch || s->pg->prefetching) return;
    char sql[96];
    fetch_sql(p, sql, sizeof sql);
    if (PQsendQueryParams(s->pg->conn, sql, 0, NULL, NULL, NULL, NULL, p->binary)) {
        p->prefetching = 1;
        s->pg->prefetching = p;
    }
}

void fpi_pg_settle(fp_store *s)
{
    struct fp_pg_rows *p = s->pg->prefetching;
    if (!p) return;
    s->pg->prefetching = NULL;
    p->prefetching = 0;
    PGresult *res, *first = NULL;
    while ((res = PQgetResult(s->pg->conn)) != NULL) {
        if (!first) first = res;
        else PQclear(res);
    }
    p->next = first;          /* NULL: the connection failed */
    p->have_next = 1;
    /* A failed FETCH aborted the transaction: the statement that settled it
     * will fail with "current transaction is aborted", so keep the cause
     * for its message (fpi_pg_error). */
    if (PQresultStatus(first) == PGRES_FATAL_ERROR) {
        g_free(s->pg->prefetch_error);
        s->pg->prefetch_error = g_strdup(PQresultErrorMessage(first));
    }
}

/* The next batch of the cursor into p->res. */
static int fetch(struct fp_pg_rows *p)
{
    PQclear(p->res);
    p->res = NULL;
    PGresult *res;
    /* Collects this cursor's prefetched batch, or another's before the FETCH. */
    fpi_pg_settle(p->store);
    if (p->have_next) {
        res = p->next;
        p->next = NULL;
        p->have_next = 0;
        /* Its failure is reported here, with its own message. */
        g_free(p->store->pg->prefetch_error);
        p->store->pg->prefetch_error = NULL;
    } else {
        char sql[96];
        fetch_sql(p, sql, sizeof sql);
        res = PQexecParams(p->store->pg->conn, sql, 0, NULL, NULL, NULL, NULL, p->binary);
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) return fail_rows(p, res);
    p->res = res;
    p->row = -1;
    p->nrows = PQntuples(res);
    prefetch(p);
    return 1;
}

fp_rows *fpi_pg_rows_query(fp_store *s, const char *sql, int n, const char *const *values, const char *what,
                          unsigned wkb_cols, int cursor, fp_error *err)
{
    struct fp_pg_rows *p = calloc(1, sizeof *p);
    if (!p) { fp_error_set(err, FP_ERR_NOMEM, "out of memory"); return NULL; }
    p->store = s;
    p->what = what;
    p->wkb_cols = wkb_cols & ~FPI_PG_ROWS_BINARY;
    p->binary = (wkb_cols & FPI_PG_ROWS_BINARY) && cursor;
    p->batch = fp_context_test_fetch_batch(s->ctx);
    if (!p->batch) p->batch = FETCH_BATCH;
    p->row = -1;
    fp_status st = FP_OK;
    if (cursor) {
        /* A cursor lives in a transaction: the store's, or one of its own,
         * shared by the cursors open at once (an export reads a layer's
         * rows while it asks for its extra keys and classes) and ended
         * with the last of them. */
        if (!s->pg->in_txn) {
            if (!s->pg->cursor_txns)
                st = fpi_pg_command(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, what, err);
            p->own_txn = !st;
            if (!st) s->pg->cursor_txns++;
        }
        p->cursor = g_strdup_printf("fp_cursor_%u", ++s->pg->cursors);
        char *decl = g_strdup_printf("DECLARE %s NO SCROLL CURSOR FOR %s", p->cursor, sql);
        if (!st) st = fpi_pg_command(s, decl, n, values, what, err);
        g_free(decl);
        if (!st && !fetch(p)) { st = p->st; if (err) *err = p->err; }
    } else {
        PGresult *res = fpi_pg_exec(s, sql, n, values);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) st = fpi_pg_error(s, res, what, err);
        else { p->res = res; p->nrows = PQntuples(res); }
    }
    if (st) { fpi_pg_rows_free(p); return NULL; }
    fp_rows *r = fpi_rows_wrap_pg(p, err);
    if (!r) fpi_pg_rows_free(p);
    return r;
}

int fpi_pg_rows_next(struct fp_pg_rows *p)
{
    if (p->done) return 0;
    PQfreemem(p->wkb);
    p->wkb = NULL;
    if (++p->row < p->nrows) return 1;
    /* A batch shorter than asked for was the last. */
    if (p->cursor && p->nrows == p->batch && fetch(p) && ++p->row < p->nrows) return 1;
    p->done = 1;
    return 0;
}

fp_status fpi_pg_rows_status(const struct fp_pg_rows *p, fp_error *err)
{
    if (p->st && err) *err = p->err;
    return p->st;
}

void fpi_pg_rows_free(struct fp_pg_rows *p)
{
    if (!p) return;
    fp_store *s = p->store;
    /* Another cursor's batch in flight would hide the transaction's state. */
    fpi_pg_settle(s);
    PQclear(p->next);
    PQclear(p->res);
    PQfreemem(p->wkb);
    if (p->geos) {
        GEOSWKBReader_destroy_r(p->geos, p->geos_reader);
        GEOS_finish_r(p->geos);
    }
    if (p->cursor && PQtransactionStatus(s->pg->conn) == PQTRANS_INTRANS) {
        char sql[64];
        snprintf(sql, sizeof sql, "CLOSE %s", p->cursor);
        PQclear(fpi_pg_exec(s, sql, 0, NULL));
    }
    if (p->own_txn && --s->pg->cursor_txns == 0)
        PQclear(fpi_pg_exec(s, "ROLLBACK", 0, NULL));   /* read only: nothing to keep */
    g_free(p->cursor);
    free(p);
}

int fpi_pg_rows_is_null(struct fp_pg_rows *p, int col) { return PQgetisnull(p->res, p->row, col); }

/* A binary integer column's value (int2, int4 or int8, big-endian). */
static int64_t binary_integer(const struct fp_pg_rows *p, int col)
{
    const unsigned char *b = (const unsigned char *)PQgetvalue(p->res, p->row, col);
    int n = PQgetlength(p->res, p->row, col);
    uint64_t u = 0;
    for (int i = 0; i < n && i < 8; i++) u = u << 8 | b[i];
    if (n == 2) return (int16_t)u;
    if (n == 4) return (int32_t)u;
    return (int64_t)u;
}

static int is_integer_type(Oid t) { return t == 20 || t == 21 || t == 23; }

/* Types whose binary form is their text: text, varchar, char, name, json,
 * unknown. */
static int is_text_type(Oid t) { return t == 25 || t == 1043 || t == 1042 || t == 19 || t == 114 || t == 705; }

const char *fpi_pg_rows_text(struct fp_pg_rows *p, int col)
{
    if (PQgetisnull(p->res, p->row, col)) return NULL;
    if (p->binary) {
        Oid t = PQftype(p->res, col);
        if (is_integer_type(t)) {
            snprintf(p->number, sizeof p->number, "%lld", (long long)binary_integer(p, col));
            return p->number;
        }
        if (!is_text_type(t)) {
            /* A query of a binary scan must cast such a column to text. */
            p->st = fp_error_set(&p->err, FP_ERR_DB, "%s: %s: column %d (type %u) read as text from a binary result",
                                 p->store->path, p->what, col, (unsigned)t);
            p->done = 1;
            return NULL;
        }
    }
    return PQgetvalue(p->res, p->row, col);
}

int64_t fpi_pg_rows_int64(struct fp_pg_rows *p, int col)
{
    if (PQgetisnull(p->res, p->row, col)) return 0;
    if (p->binary && is_integer_type(PQftype(p->res, col))) return binary_integer(p, col);
    const char *t = fpi_pg_rows_text(p, col);
    return t ? strtoll(t, NULL, 10) : 0;
}

int fpi_pg_rows_columns(struct fp_pg_rows *p) { return PQnfields(p->res); }
const char *fpi_pg_rows_column_name(struct fp_pg_rows *p, int col) { return PQfname(p->res, col); }

char fpi_pg_rows_column_type(struct fp_pg_rows *p, int col)
{
    switch (PQftype(p->res, col)) {
    case 20: case 21: case 23: return 'i';               /* int8, int2, int4 */
    case 700: case 701: case 1700: return 'r';           /* float4, float8, numeric */
    default: return 't';
    }
}

/* A PostgreSQL column holds one type: the value's is the column's (NULL
 * aside), as a typed SQLite column's values read back. */
char fpi_pg_rows_value_type(struct fp_pg_rows *p, int col)
{
    if (PQgetisnull(p->res, p->row, col)) return 'n';
    if (PQftype(p->res, col) == 17) return 'b';          /* bytea */
    return fpi_pg_rows_column_type(p, col);
}

/* A bytea column, decoded (hex text to bytes); valid until the next row. */
const void *fpi_pg_rows_blob(struct fp_pg_rows *p, int col, size_t *len)
{
    *len = 0;
    if (PQgetisnull(p->res, p->row, col)) return NULL;
    if (p->binary) {
        *len = (size_t)PQgetlength(p->res, p->row, col);
        return PQgetvalue(p->res, p->row, col);
    }
    PQfreemem(p->wkb);
    p->wkb = PQunescapeBytea((const unsigned char *)PQgetvalue(p->res, p->row, col), &p->wkb_len);
    *len = p->wkb_len;
    return p->wkb;
}

static double wkb_double(const unsigned char *b, int le)
{
    unsigned char t[8];
    for (int i = 0; i < 8; i++) t[i] = le ? b[i] : b[7 - i];
    double d;
    memcpy(&d, t, 8);   /* little-endian host (x86-64, arm64) */
    return d;
}

int fpi_pg_rows_geom(struct fp_pg_rows *p, int col, int want_wkb, fp_geom *g)
{
    if (PQgetisnull(p->res, p->row, col)) return 0;
    memset(g, 0, sizeof *g);
    if (!(p->wkb_cols & (1u << col))) {
        p->st = fp_error_set(&p->err, FP_ERR_DB, "%s: %s: not a geometry column", p->store->path, p->what);
        p->done = 1;
        return -1;
    }
    size_t len;
    const unsigned char *b = fpi_pg_rows_blob(p, col, &len);
    if (!b || len < 5) {
        p->st = fp_error_set(&p->err, FP_ERR_DB, "%s: %s: unreadable geometry", p->store->path, p->what);
        p->done = 1;
        return -1;
    }
    int le = b[0] == 1;
    unsigned type = le ? b[1] : b[4];
    g->wkb = b;
    g->wkb_len = len;
    if (type == 1 && len == 21) {
        /* A point: its coordinates straight from the WKB. */
        g->x = wkb_double(b + 5, le);
        g->y = wkb_double(b + 13, le);
        g->bbox[0] = g->bbox[2] = g->x;
        g->bbox[1] = g->bbox[3] = g->y;
        if (!want_wkb) { g->is_point = 1; g->wkb = NULL; g->wkb_len = 0; }
        return 1;
    }
    if (!p->geos) {
        p->geos = GEOS_init_r();
        p->geos_reader = p->geos ? GEOSWKBReader_create_r(p->geos) : NULL;
    }
    GEOSGeometry *gg = p->geos_reader ? GEOSWKBReader_read_r(p->geos, p->geos_reader, b, len) : NULL;
    if (gg && !GEOSisEmpty_r(p->geos, gg) &&
        GEOSGeom_getXMin_r(p->geos, gg, &g->bbox[0]) && GEOSGeom_getYMin_r(p->geos, gg, &g->bbox[1]) &&
        GEOSGeom_getXMax_r(p->geos, gg, &g->bbox[2]) && GEOSGeom_getYMax_r(p->geos, gg, &g->bbox[3])) {
        GEOSGeom_destroy_r(p->geos, gg);
        return 1;
    }
    if (gg) GEOSGeom_destroy_r(p->geos, gg);
    /* Empty (OGR's box of it is all zeros) or not GEOS's to read. */
    fp_status gdal_st = fpi_gdal_require(&p->err);
    if (gdal_st) {
        p->st = gdal_st;
        p->done = 1;
        return -1;
    }
    OGRGeometryH og = NULL;
    if (OGR_G_CreateFromWkb(b, NULL, &og, (int)len) != OGRERR_NONE) {
        p->st = fp_error_set(&p->err, FP_ERR_DB, "%s: %s: unreadable geometry", p->store->path, p->what);
        p->done = 1;
        return -1;
    }
    OGREnvelope e;
    OGR_G_GetEnvelope(og, &e);
    OGR_G_DestroyGeometry(og);
    g->bbox[0] = e.MinX;
    g->bbox[1] = e.MinY;
    g->bbox[2] = e.MaxX;
    g->bbox[3] = e.MaxY;
    return 1;
}
