/*
 * fp_rows on SpatiaLite: a forward cursor over one prepared statement, and
 * the store's one way to prepare a statement (errors name the store and
 * what was being done).
 *
 * Geometries leave the store as WKB (or x, y for a point): SpatiaLite's own
 * blob is decoded here, so no other module needs to know its layout.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "common/util.h"
#include "store/pg_internal.h"
#include "geom/geom.h"
#include "store/store_internal.h"

struct fp_rows {
    fp_store *store;
    sqlite3_stmt *q;
    const char *what;
    unsigned geom_cols, wkb_cols;
    unsigned char *wkb;        /* the last WKB made from a blob, freed at the next */
    fp_status st;
    fp_error err;
    int done;
    struct fp_pg_rows *pg;     /* PostGIS rows (pg_rows.c); NULL for SpatiaLite */
};

fp_status fpi_store_db_error(fp_store *s, const char *what, fp_error *err)
{
    return fp_error_set(err, FP_ERR_DB, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

fp_status fpi_store_prepare(fp_store *s, const char *sql, const char *what, sqlite3_stmt **q, fp_error *err)
{
    *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, q, NULL) != SQLITE_OK) {
        fp_status st = fpi_store_db_error(s, what, err);
        sqlite3_finalize(*q);
        *q = NULL;
        return st;
    }
    return FP_OK;
}

fp_rows *fpi_rows_wrap(fp_store *s, sqlite3_stmt *q, const char *what, unsigned geom_cols, unsigned wkb_cols,
                      fp_error *err)
{
    fp_rows *r = calloc(1, sizeof *r);
    if (!r) {
        sqlite3_finalize(q);
        fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->store = s;
    r->q = q;
    r->what = what;
    r->geom_cols = geom_cols;
    r->wkb_cols = wkb_cols;
    return r;
}

fp_rows *fpi_rows_wrap_pg(struct fp_pg_rows *p, fp_error *err)
{
    fp_rows *r = calloc(1, sizeof *r);
    if (!r) {
        fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->pg = p;
    return r;
}

int fp_rows_next(fp_rows *r)
{
    if (r->pg) return fpi_pg_rows_next(r->pg);
    if (r->done) return 0;
    free(r->wkb);
    r->wkb = NULL;
    int rc = sqlite3_step(r->q);
    if (rc == SQLITE_ROW) return 1;
    r->done = 1;
    if (rc != SQLITE_DONE) r->st = fpi_store_db_error(r->store, r->what, &r->err);
    return 0;
}

fp_status fp_rows_status(const fp_rows *r, fp_error *err)
{
    if (r->pg) return fpi_pg_rows_status(r->pg, err);
    if (r->st && err) *err = r->err;
    return r->st;
}

void fp_rows_free(fp_rows *r)
{
    if (!r) return;
    fpi_pg_rows_free(r->pg);
    sqlite3_finalize(r->q);
    free(r->wkb);
    free(r);
}

/* PostGIS values are text: numbers parsed here (NULL reads as 0, as in SQLite). */
int fp_rows_is_null(fp_rows *r, int col)
{
    if (r->pg) return fpi_pg_rows_is_null(r->pg, col);
    return sqlite3_column_type(r->q, col) == SQLITE_NULL;
}
int64_t fp_rows_int64(fp_rows *r, int col)
{
    if (r->pg) return fpi_pg_rows_int64(r->pg, col);
    return sqlite3_column_int64(r->q, col);
}
int fp_rows_int(fp_rows *r, int col)
{
    if (r->pg) return (int)fpi_pg_rows_int64(r->pg, col);
    return sqlite3_column_int(r->q, col);
}
double fp_rows_double(fp_rows *r, int col)
{
    if (r->pg) { const char *t = fpi_pg_rows_text(r->pg, col); return t ? strtod(t, NULL) : 0; }
    return sqlite3_column_double(r->q, col);
}
const char *fp_rows_text(fp_rows *r, int col)
{
    if (r->pg) return fpi_pg_rows_text(r->pg, col);
    return (const char *)sqlite3_column_text(r->q, col);
}
int fp_rows_columns(fp_rows *r) { return r->pg ? fpi_pg_rows_columns(r->pg) : sqlite3_column_count(r->q); }
const char *fp_rows_column_name(fp_rows *r, int col)
{
    return r->pg ? fpi_pg_rows_column_name(r->pg, col) : sqlite3_column_name(r->q, col);
}

const void *fp_rows_blob(fp_rows *r, int col, size_t *len)
{
    if (r->pg) return fpi_pg_rows_blob(r->pg, col, len);
    const void *b = sqlite3_column_blob(r->q, col);
    *len = (size_t)sqlite3_column_bytes(r->q, col);
    return b;
}

char fp_rows_column_type(fp_rows *r, int col)
{
    if (r->pg) return fpi_pg_rows_column_type(r->pg, col);
    /* The declared type as SQLite's affinity rules read it. */
    const char *t = sqlite3_column_decltype(r->q, col);
    if (!t) return 't';
    if (strcasestr(t, "INT")) return 'i';
    if (strcasestr(t, "REAL") || strcasestr(t, "FLOA") || strcasestr(t, "DOUB")) return 'r';
    return 't';
}

char fp_rows_value_type(fp_rows *r, int col)
{
    if (r->pg) return fpi_pg_rows_value_type(r->pg, col);
    switch (sqlite3_column_type(r->q, col)) {
    case SQLITE_INTEGER: return 'i';
    case SQLITE_FLOAT: return 'r';
    case SQLITE_TEXT: return 't';
    case SQLITE_BLOB: return 'b';
    default: return 'n';
    }
}

static int geom_error(fp_rows *r, const char *why)
{
    r->st = fp_error_set(&r->err, FP_ERR_DB, "%s: %s: %s", r->store->path, r->what, why);
    r->done = 1;
    return -1;
}

int fp_rows_geom(fp_rows *r, int col, int want_wkb, fp_geom *g)
{
    if (r->pg) return fpi_pg_rows_geom(r->pg, col, want_wkb, g);
    if (sqlite3_column_type(r->q, col) == SQLITE_NULL) return 0;
    const unsigned char *b = sqlite3_column_blob(r->q, col);
    int len = sqlite3_column_bytes(r->q, col);
    memset(g, 0, sizeof *g);
    if (r->geom_cols & (1u << col)) {
        /* A point's coordinates straight from the blob's header: no parse. */
        if (!want_wkb && fpi_blob_point(b, len, &g->x, &g->y)) {
            g->is_point = 1;
            g->bbox[0] = g->bbox[2] = g->x;
            g->bbox[1] = g->bbox[3] = g->y;
            return 1;
        }
        free(r->wkb);
        size_t wl = 0;
        r->wkb = fpi_blob_to_wkb(b, len, &wl, g->bbox);
        if (!r->wkb) return geom_error(r, "unreadable geometry");
        g->wkb = r->wkb;
        g->wkb_len = wl;
        return 1;
    }
    if (r->wkb_cols & (1u << col)) {
        /* WKB selected as such (AsBinary): its extent when asked via columns. */
        g->wkb = b;
        g->wkb_len = (size_t)len;
        return 1;
    }
    return geom_error(r, "not a geometry column");
}


