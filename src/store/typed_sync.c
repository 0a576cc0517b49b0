/*
 * The typed geometry tables (projects_geom_point/line/polygon, schema v4,
 * see store.c) written by a bulk import, row by row beside projects.
 *
 * A bulk import suspends the projects triggers that copy each row into the
 * table of its kind. The loader hands each stored row's blob here instead:
 * the kind is read from the blob's class, the cast to the multi type done
 * on the blob, the row inserted with the typed tables' own triggers
 * suspended, and their spatial indexes written from the blobs' boxes at the
 * end.
 *
 * Why not SQL: `INSERT ... SELECT CastToMultiPoint(geom) ... WHERE
 * GeometryType(geom) IN (...)` once per kind decoded every new blob three
 * times and parsed it again to cast it; with the R*Tree entries read back
 * through a join it took 5.8 s of a 1M-point import's 12. A second scan of
 * the new projects after the rows, in id order, took 2.2 s of 8.9; written
 * beside projects, the rows cost their inserts only.
 *
 * When the import's point entries are the projects' own (every row a
 * point, both indexes empty before), the point table's spatial index is
 * the projects' one, node for node: its shadow tables are copied with
 * INSERT ... SELECT, which SQLite does page record by record, instead of
 * being packed and written again (1M points: typed step 0.75 -> 0.28 s).
 *
 * The result is what the SQL gave, byte for byte: a 2D point's blob (the
 * common case, 60 bytes) becomes the 69-byte MULTIPOINT blob SpatiaLite's
 * CastToMultiPoint writes; every other blob goes through SpatiaLite's own
 * codec as CastToMulti* does (decode, declared type, encode). Rows whose
 * class is not a 2D point, line or polygon (collections, Z/M) belong to no
 * kind, as GeometryType's 'POINT Z' matched no kind in the SQL.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "geom/geom.h"
#include "store/store_internal.h"

/* Rows go TYPED_BATCH to a statement: one multi-row INSERT keeps its
 * cursor at the table's end, where the next id goes, instead of opening
 * and seeking it afresh for each row (1M point rows written through SQLite
 * alone: 0.80-1.00 s one by one, 0.43 s 64 at a time). */
#define TYPED_BATCH 64

typedef struct pending_row {
    sqlite3_int64 id;
    unsigned char *blob;        /* the multi blob, owned */
    int len;
} pending_row;

typedef struct kind_batch {
    const char *name;           /* point, line, polygon */
    sqlite3_stmt *insert, *insert_many;   /* one row; TYPED_BATCH rows */
    pending_row pending[TYPED_BATCH];
    int npending;
    GPtrArray *triggers;        /* its table's triggers, suspended */
    fp_rtree_entry *entries;    /* index entries of the rows added */
    size_t n, cap;
} kind_batch;

struct fpi_typed_writer {
    fp_store *store;
    kind_batch kinds[3];        /* fpi_blob_kind's order */
    /* While every row is a point, the point entries are the loader's own
     * (the same ids and boxes): not kept twice (240 MB at 10M points) but
     * copied from the loader's at the first row of another kind. */
    int points_are_loaders;
    size_t npoints;             /* points added meanwhile */
};

static fp_status add_entry(kind_batch *k, sqlite3_int64 id, const double mbr[4], fp_error *err)
{
    if (fpi_rtree_entries_add(&k->entries, &k->n, &k->cap, id, mbr))
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory indexing projects_geom_%s", k->name);
    return FP_OK;
}

fp_status fpi_typed_writer_new(fp_store *s, fpi_typed_writer **out, fp_error *err)
{
    *out = NULL;
    if (fp_store_schema_version(s) < 4) return FP_OK;          /* an older store being upgraded */
    fpi_typed_writer *w = calloc(1, sizeof *w);
    if (!w) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    w->store = s;
    w->points_are_loaders = 1;
    static const char *const names[3] = { "point", "line", "polygon" };
    fp_status st = FP_OK;
    for (int k = 0; k < 3 && !st; k++) {
        w->kinds[k].name = names[k];
        char table[32];
        snprintf(table, sizeof table, "projects_geom_%s", names[k]);
        char *sql = sqlite3_mprintf("INSERT INTO \"%w\"(id, geom) VALUES(?1, ?2)", table);
        st = fpi_store_prepare(s, sql, "copying projects to the typed tables", &w->kinds[k].insert, err);
        sqlite3_free(sql);
        GString *many = g_string_new(NULL);
        g_string_append_printf(many, "INSERT INTO \"%s\"(id, geom) VALUES(?, ?)", table);
        for (int i = 1; i < TYPED_BATCH; i++) g_string_append(many, ", (?, ?)");
        if (!st) st = fpi_store_prepare(s, many->str, "copying projects to the typed tables", &w->kinds[k].insert_many, err);
        g_string_free(many, TRUE);
        if (!st) st = fpi_store_triggers_suspend(s, table, &w->kinds[k].triggers, err);
    }
    if (st) { fpi_typed_writer_free(w); return st; }
    *out = w;
    return FP_OK;
}

/* Writes kind k's pending rows: TYPED_BATCH in one statement, fewer one
 * by one. */
static fp_status flush_kind(fpi_typed_writer *w, kind_batch *k, fp_error *err)
{
    int full = k->npending == TYPED_BATCH, rc = SQLITE_DONE;
    sqlite3_stmt *q = full ? k->insert_many : k->insert;
    for (int i = 0; i < k->npending && rc == SQLITE_DONE; i++) {
        int p = full ? 2 * i : 0;
        sqlite3_bind_int64(q, p + 1, k->pending[i].id);
        sqlite3_bind_blob(q, p + 2, k->pending[i].blob, k->pending[i].len, SQLITE_STATIC);
        if (!full || i == k->npending - 1) {
            rc = sqlite3_step(q);
            sqlite3_reset(q);
        }
    }
    sqlite3_clear_bindings(q);
    for (int i = 0; i < k->npending; i++) free(k->pending[i].blob);
    k->npending = 0;
    return rc == SQLITE_DONE ? FP_OK : fpi_store_db_error(w->store, "copying projects to the typed tables", err);
}

fp_status fpi_typed_writer_add(fpi_typed_writer *w, sqlite3_int64 id, const unsigned char *blob, int len,
                               const fp_rtree_entry *loaders, size_t nloaders, fp_error *err)
{
    if (!w) return FP_OK;
    double mbr[4];
    int k = fpi_blob_kind(blob, len, mbr);
    if (k != 0 && w->points_are_loaders) {
        /* The loader's entries so far are the points': kept from here on. */
        kind_batch *pk = &w->kinds[0];
        if (nloaders != w->npoints)
            return fp_error_set(err, FP_ERR_STATE, "%s: the typed point index lost count (%zu entries, %zu points)",
                                fp_store_path(w->store), nloaders, w->npoints);
        w->points_are_loaders = 0;
        if (nloaders) {
            pk->entries = malloc(nloaders * sizeof *pk->entries);
            if (!pk->entries) return fp_error_set(err, FP_ERR_NOMEM, "out of memory indexing projects_geom_point");
            memcpy(pk->entries, loaders, nloaders * sizeof *pk->entries);
            pk->n = pk->cap = nloaders;
        }
    }
    if (k < 0) return FP_OK;
    int mlen;
    unsigned char *m = fpi_blob_to_multi(blob, len, k, &mlen);
    /* The blob is the loader's own: only memory can fail here (a code
     * other than FP_ERR_DB, which the loader words as a failed write). */
    if (!m) return fp_error_set(err, FP_ERR_NOMEM, "%s: project %lld: its geometry cannot be cast to its multi type",
                                fp_store_path(w->store), (long long)id);
    kind_batch *kb = &w->kinds[k];
    kb->pending[kb->npending++] = (pending_row){ id, m, mlen };
    if (kb->npending == TYPED_BATCH) {
        fp_status st = flush_kind(w, kb, err);
        if (st) return st;
    }
    if (k == 0 && w->points_are_loaders) {
        w->npoints++;
        return FP_OK;
    }
    return add_entry(kb, id, mbr, err);
}

/* Whether the index has no entry. */
static fp_status index_empty(fp_store *s, const char *index, int *empty, fp_error *err)
{
    char *sql = sqlite3_mprintf("SELECT NOT EXISTS(SELECT 1 FROM \"%w_rowid\")", index);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "indexing the typed tables", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    if (sqlite3_step(q) == SQLITE_ROW) *empty = sqlite3_column_int(q, 0);
    else st = fpi_store_db_error(s, "indexing the typed tables", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fpi_typed_writer_same_points(fpi_typed_writer *w, const char *index, const fp_rtree_entry *entries, size_t n,
                                       int *same, fp_error *err)
{
    *same = 0;
    if (!w || n == 0 || w->kinds[1].n || w->kinds[2].n) return FP_OK;
    if (w->points_are_loaders ? w->npoints != n
                              : w->kinds[0].n != n || memcmp(w->kinds[0].entries, entries, n * sizeof *entries))
        return FP_OK;
    int a = 0, b = 0;
    fp_status st = index_empty(w->store, index, &a, err);
    if (!st) st = index_empty(w->store, "idx_projects_geom_point_geom", &b, err);
    *same = !st && a && b;
    return st;
}

/* The point index's shadow tables as copies of `from`'s. */
static fp_status copy_index(fp_store *s, const char *from, fp_error *err)
{
    static const char *const tables[] = { "node", "rowid", "parent" };
    fp_status st = FP_OK;
    for (int i = 0; i < 3 && !st; i++) {
        char *sql = sqlite3_mprintf("DELETE FROM \"idx_projects_geom_point_geom_%s\";"
                                    " INSERT INTO \"idx_projects_geom_point_geom_%s\" SELECT * FROM \"%w_%s\"",
                                    tables[i], tables[i], from, tables[i]);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) st = fpi_store_db_error(s, "indexing the typed tables", err);
        sqlite3_free(sql);
    }
    return st;
}

fp_status fpi_typed_writer_finish(fpi_typed_writer *w, const char *copy_from, fp_rtree_entry *loaders,
                                  size_t nloaders, fp_error *err)
{
    if (!w) return FP_OK;
    fp_status st = FP_OK;
    for (int k = 0; k < 3 && !st; k++) st = flush_kind(w, &w->kinds[k], err);
    if (!st && copy_from) st = copy_index(w->store, copy_from, err);
    for (int k = copy_from ? 1 : 0; k < 3 && !st; k++) {
        char index[64];
        snprintf(index, sizeof index, "idx_projects_geom_%s_geom", w->kinds[k].name);
        int loaders_own = k == 0 && w->points_are_loaders;
        if (loaders_own && nloaders != w->npoints)
            st = fp_error_set(err, FP_ERR_STATE, "%s: the typed point index lost count", fp_store_path(w->store));
        if (!st)
            st = fpi_rtree_add(w->store, index, loaders_own ? loaders : w->kinds[k].entries,
                               loaders_own ? nloaders : w->kinds[k].n, NULL, "indexing the typed tables", err);
    }
    for (int k = 0; k < 3 && !st; k++) st = fpi_store_triggers_restore(w->store, &w->kinds[k].triggers, err);
    return st;
}

void fpi_typed_writer_free(fpi_typed_writer *w)
{
    if (!w) return;
    for (int k = 0; k < 3; k++) {
        if (w->kinds[k].triggers) g_ptr_array_free(w->kinds[k].triggers, TRUE);   /* not restored: rolled back */
        sqlite3_finalize(w->kinds[k].insert);
        sqlite3_finalize(w->kinds[k].insert_many);
        for (int i = 0; i < w->kinds[k].npending; i++) free(w->kinds[k].pending[i].blob);
        free(w->kinds[k].entries);
    }
    free(w);
}
