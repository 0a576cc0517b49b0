/*
 * Bulk loading of a SQLite R*Tree (the spatial index SpatiaLite keeps for a
 * geometry column), by writing its shadow tables directly.
 *
 * Why: SQLite's R*Tree inserts one entry at a time at about 8 µs each; a
 * million points spent 10 of 12.5 s of an import there (bench/README.md).
 * Sort-Tile-Recursive packing writes the same structure in a fraction of
 * that. The format is SQLite's own (ext/rtree/rtree.c):
 *   %_node(nodeno, data): node 1 is the root; data is exactly the node size
 *     (the length of the root's blob): 2 bytes tree depth (root only),
 *     2 bytes cell count, then cells of an 8-byte rowid and four 4-byte
 *     floats (xmin, xmax, ymin, ymax), all big-endian;
 *   %_rowid(rowid, nodeno): the leaf holding each entry;
 *   %_parent(nodeno, parentnode): the parent of every non-root node.
 * Coordinates are rounded outwards to float exactly as rtree.c does, so
 * entries are identical to what INSERT would store. Tests run SQLite's
 * rtreecheck() and SpatiaLite's CheckSpatialIndex() on the result.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "common/util.h"
#include "store/store_internal.h"

#define RNDTOWARDS (1.0 - 1.0 / 8388608.0)
#define RNDAWAY (1.0 + 1.0 / 8388608.0)

float fpi_rtree_round_down(double d)
{
    float f = (float)d;
    if (f > d) f = (float)(d * (d < 0 ? RNDAWAY : RNDTOWARDS));
    return f;
}

float fpi_rtree_round_up(double d)
{
    float f = (float)d;
    if (f < d) f = (float)(d * (d < 0 ? RNDTOWARDS : RNDAWAY));
    return f;
}

int fpi_rtree_entries_add(fp_rtree_entry **a, size_t *n, size_t *cap, sqlite3_int64 id, const double box[4])
{
    /* On huge pages past 2 MiB (fpi_big_reserve): the entries of a big
     * import are tens of megabytes. */
    if (*n == *cap) {
        fp_rtree_entry *grown = fpi_big_reserve(*a, cap, *n, *n + 1, sizeof **a);
        if (!grown) return -1;
        *a = grown;
    }
    (*a)[(*n)++] = (fp_rtree_entry){ id, fpi_rtree_round_down(box[0]), fpi_rtree_round_up(box[2]),
                                     fpi_rtree_round_down(box[1]), fpi_rtree_round_up(box[3]) };
    return 0;
}

static void put_u16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }

static void put_i64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) { p[i] = (unsigned char)u; u >>= 8; }
}

static void put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    p[0] = (unsigned char)(u >> 24); p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8); p[3] = (unsigned char)u;
}

/* A float as an unsigned key in the same order (-0 taken as +0, as the
 * comparison < does). */
static uint32_t float_key(float f)
{
    if (f == 0) f = 0;
    uint32_t u;
    memcpy(&u, &f, 4);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

/* Sorts e[0..n) by the centre's x (axis 0: minx + maxx, summed in float)
 * or y (axis 1), stably: (key << 32 | position) radix-sorted as one
 * 64-bit word, then the entries gathered in that order. It gives the order
 * glibc's qsort (a stable merge sort) gave with the same comparison, at a
 * tenth of the time; 8 bytes an entry for the sort (a 10M-point index: 160
 * MB less than (key, position) pairs). k and k2 hold n words each, tmp n
 * entries; n < 2^32 (pack_level checks). */
static void sort_centres(fp_rtree_entry *e, size_t n, int axis, uint64_t *k, uint64_t *k2, fp_rtree_entry *tmp)
{
    for (size_t i = 0; i < n; i++)
        k[i] = (uint64_t)float_key(axis ? e[i].miny + e[i].maxy : e[i].minx + e[i].maxx) << 32 | (uint64_t)i;
    fpi_radix_sort_u64(k, n, k2);
    for (size_t i = 0; i < n; i++) tmp[i] = e[k[i] & 0xFFFFFFFFu];
    memcpy(e, tmp, n * sizeof *e);
}

typedef struct writer {
    sqlite3 *db;
    sqlite3_stmt *node, *rowid, *rowids, *parent;   /* rowids: ROWID_BATCH rows */
    /* The leaves' (rowid, node) pairs, written in rowid order at the end:
     * appended to %_rowid's B-tree rather than inserted all over it. With
     * the radix sorts, a million-point index went from 1.59 to 0.74 s. */
    fpi_keyed *leaf_of;            /* (rowid, node) */
    size_t nleaf;
    int node_size, capacity;
    int64_t next_node;
    unsigned char *buf;
} writer;

/* The leaves' (rowid, node) pairs into %_rowid, in rowid order,
 * ROWID_BATCH to a statement: one INSERT of many rows keeps its cursor at
 * the table's end instead of seeking it for each (a 1M-point import's
 * index step: 0.78-0.80 -> 0.48 s). */
#define ROWID_BATCH 128
static int write_rowids(writer *w)
{
    fpi_keyed *tmp = fpi_big_alloc((w->nleaf ? w->nleaf : 1) * sizeof *tmp);
    if (!tmp) return -1;
    fpi_radix_sort(w->leaf_of, w->nleaf, tmp);      /* rowids: distinct and positive */
    free(tmp);
    size_t i = 0;
    for (; i + ROWID_BATCH <= w->nleaf; i += ROWID_BATCH) {
        for (int k = 0; k < ROWID_BATCH; k++) {
            sqlite3_bind_int64(w->rowids, 2 * k + 1, (sqlite3_int64)w->leaf_of[i + k].key);
            sqlite3_bind_int64(w->rowids, 2 * k + 2, (sqlite3_int64)w->leaf_of[i + k].val);
        }
        int rc = sqlite3_step(w->rowids);
        sqlite3_reset(w->rowids);
        if (rc != SQLITE_DONE) return -1;
    }
    for (; i < w->nleaf; i++) {
        sqlite3_reset(w->rowid);
        sqlite3_bind_int64(w->rowid, 1, (sqlite3_int64)w->leaf_of[i].key);
        sqlite3_bind_int64(w->rowid, 2, (sqlite3_int64)w->leaf_of[i].val);
        if (sqlite3_step(w->rowid) != SQLITE_DONE) return -1;
    }
    return 0;
}

static int write_node(writer *w, int64_t nodeno, int depth, const fp_rtree_entry *cells, int n, int leaf)
{
    memset(w->buf, 0, w->node_size);
    put_u16(w->buf, nodeno == 1 ? (unsigned)depth : 0);
    put_u16(w->buf + 2, (unsigned)n);
    for (int i = 0; i < n; i++) {
        unsigned char *c = w->buf + 4 + 24 * i;
        put_i64(c, cells[i].id);
        put_f32(c + 8, cells[i].minx);
        put_f32(c + 12, cells[i].maxx);
        put_f32(c + 16, cells[i].miny);
        put_f32(c + 20, cells[i].maxy);
        if (leaf) {
            w->leaf_of[w->nleaf++] = (fpi_keyed){ (uint64_t)cells[i].id, (uint64_t)nodeno };
            continue;
        }
        sqlite3_reset(w->parent);
        sqlite3_bind_int64(w->parent, 1, cells[i].id);
        sqlite3_bind_int64(w->parent, 2, nodeno);
        if (sqlite3_step(w->parent) != SQLITE_DONE) return -1;
    }
    sqlite3_reset(w->node);
    sqlite3_bind_int64(w->node, 1, nodeno);
    sqlite3_bind_blob(w->node, 2, w->buf, w->node_size, SQLITE_STATIC);
    return sqlite3_step(w->node) == SQLITE_DONE ? 0 : -1;
}

/* Packs one level; recurses on the parents until they fit in the root. */
static int pack_level(writer *w, fp_rtree_entry *e, size_t n, int depth)
{
    int M = w->capacity;
    if (n <= (size_t)M) return write_node(w, 1, depth, e, (int)n, depth == 0);
    size_t leaves = (n + M - 1) / M;
    size_t slices = (size_t)ceil(sqrt((double)leaves));
    size_t per_slice = slices * M;
    if (n > UINT32_MAX) return -1;             /* positions in 32 bits (sort_centres) */
    uint64_t *keys = fpi_big_alloc(2 * n * sizeof *keys);
    fp_rtree_entry *tmp = fpi_big_alloc(n * sizeof *tmp);
    if (!keys || !tmp) { free(keys); free(tmp); return -1; }
    sort_centres(e, n, 0, keys, keys + n, tmp);
    for (size_t s = 0; s < n; s += per_slice)
        sort_centres(e + s, (n - s < per_slice ? n - s : per_slice), 1, keys, keys + n, tmp);
    free(keys);
    free(tmp);
    fp_rtree_entry *parents = malloc(leaves * sizeof *parents);
    if (!parents) return -1;
    size_t np = 0;
    /* Chunks never straddle slices, so every slice is packed on its own. */
    for (size_t s = 0; s < n; s += per_slice) {
        size_t end = s + per_slice < n ? s + per_slice : n;
        for (size_t i = s; i < end; i += M) {
            int cnt = (int)((end - i) < (size_t)M ? end - i : (size_t)M);
            int64_t nodeno = w->next_node++;
            if (write_node(w, nodeno, 0, e + i, cnt, depth == 0)) { free(parents); return -1; }
            fp_rtree_entry p = { nodeno, e[i].minx, e[i].maxx, e[i].miny, e[i].maxy };
            for (int k = 1; k < cnt; k++) {
                const fp_rtree_entry *c = &e[i + k];
                if (c->minx < p.minx) p.minx = c->minx;
                if (c->maxx > p.maxx) p.maxx = c->maxx;
                if (c->miny < p.miny) p.miny = c->miny;
                if (c->maxy > p.maxy) p.maxy = c->maxy;
            }
            if (np == leaves) {
                fp_rtree_entry *grown = realloc(parents, (leaves *= 2) * sizeof *parents);
                if (!grown) { free(parents); return -1; }
                parents = grown;
            }
            parents[np++] = p;
        }
    }
    int rc = pack_level(w, parents, np, depth + 1);
    free(parents);
    return rc;
}

fp_status fpi_rtree_bulk_load(sqlite3 *db, const char *index, fp_rtree_entry *entries, size_t n, fp_error *err)
{
    writer w = { .db = db, .next_node = 2 };
    fp_status st = FP_OK;
    char *sql = sqlite3_mprintf("SELECT length(data) FROM \"%w_node\" WHERE nodeno = 1", index);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) w.node_size = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_free(sql);
    w.capacity = (w.node_size - 4) / 24;
    if (w.capacity < 2)
        return fp_error_set(err, FP_ERR_DB, "spatial index %s: unexpected node size %d", index, w.node_size);
    char *clear = sqlite3_mprintf("DELETE FROM \"%w_node\"; DELETE FROM \"%w_rowid\"; DELETE FROM \"%w_parent\";",
                                  index, index, index);
    char *ins_node = sqlite3_mprintf("INSERT INTO \"%w_node\"(nodeno, data) VALUES(?, ?)", index);
    char *ins_rowid = sqlite3_mprintf("INSERT INTO \"%w_rowid\"(rowid, nodeno) VALUES(?, ?)", index);
    char *ins_parent = sqlite3_mprintf("INSERT INTO \"%w_parent\"(nodeno, parentnode) VALUES(?, ?)", index);
    char *ins_rowids = sqlite3_mprintf("INSERT INTO \"%w_rowid\"(rowid, nodeno) VALUES(?, ?)", index);
    for (int k = 1; ins_rowids && k < ROWID_BATCH; k++) {
        char *longer = sqlite3_mprintf("%s, (?, ?)", ins_rowids);
        sqlite3_free(ins_rowids);
        ins_rowids = longer;
    }
    w.buf = malloc(w.node_size);
    w.leaf_of = fpi_big_alloc((n ? n : 1) * sizeof *w.leaf_of);
    if (!w.leaf_of || sqlite3_exec(db, clear, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, ins_node, -1, &w.node, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, ins_rowid, -1, &w.rowid, NULL) != SQLITE_OK ||
        !ins_rowids || sqlite3_prepare_v2(db, ins_rowids, -1, &w.rowids, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, ins_parent, -1, &w.parent, NULL) != SQLITE_OK ||
        !w.buf || pack_level(&w, entries, n, 0) != 0 || write_rowids(&w) != 0)
        st = fp_error_set(err, FP_ERR_DB, "spatial index %s: %s", index, sqlite3_errmsg(db));
    sqlite3_finalize(w.node);
    sqlite3_finalize(w.rowid);
    sqlite3_finalize(w.rowids);
    sqlite3_finalize(w.parent);
    sqlite3_free(clear);
    sqlite3_free(ins_node);
    sqlite3_free(ins_rowid);
    sqlite3_free(ins_parent);
    sqlite3_free(ins_rowids);
    free(w.buf);
    free(w.leaf_of);
    return st;
}

int fpi_rtree_read_entries(sqlite3_stmt *q, fp_rtree_entry *out, size_t cap, size_t *n)
{
    int rc;
    while (*n < cap && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        fp_rtree_entry *e = &out[(*n)++];
        e->id = sqlite3_column_int64(q, 0);
        e->minx = (float)sqlite3_column_double(q, 1);
        e->maxx = (float)sqlite3_column_double(q, 2);
        e->miny = (float)sqlite3_column_double(q, 3);
        e->maxy = (float)sqlite3_column_double(q, 4);
    }
    if (*n == cap) rc = sqlite3_step(q);     /* more rows than counted is an error too */
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Adds entries[0..n) to R*Tree `index`: one INSERT each when they are fewer
 * than the entries already there, else a bulk rebuild of the whole index
 * from its entries and these (cheap relative to the work that made them).
 * With `replacing` (SQL selecting ids, e.g. "SELECT id FROM temp.t"), the
 * entries those ids had are replaced: deleted first, or left out of the
 * rebuild. Inside the caller's transaction; `what` names the job in errors. */
fp_status fpi_rtree_add(fp_store *s, const char *index, fp_rtree_entry *entries, size_t n,
                        const char *replacing, const char *what, fp_error *err)
{
    if (n == 0) return FP_OK;
    sqlite3_stmt *q;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w_rowid\"", index);
    fp_status st = fpi_store_prepare(s, sql, what, &q, err);
    sqlite3_free(sql);
    if (st) return st;
    /* An error here must not pass for an empty index: the rebuild below
     * would then drop every entry already there. */
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = fpi_store_db_error(s, what, err);
        sqlite3_finalize(q);
        return st;
    }
    size_t existing = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (existing > n) {
        sqlite3_stmt *del = NULL, *ins = NULL;
        if (replacing) {
            sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE pkid = ?1", index);
            st = fpi_store_prepare(s, sql, what, &del, err);
            sqlite3_free(sql);
        }
        if (!st) {
            sql = sqlite3_mprintf("INSERT INTO \"%w\"(pkid, xmin, xmax, ymin, ymax) VALUES(?1, ?2, ?3, ?4, ?5)", index);
            st = fpi_store_prepare(s, sql, what, &ins, err);
            sqlite3_free(sql);
        }
        for (size_t i = 0; !st && i < n; i++) {
            const fp_rtree_entry *e = &entries[i];
            if (del) {
                sqlite3_reset(del);
                sqlite3_bind_int64(del, 1, e->id);
                if (sqlite3_step(del) != SQLITE_DONE) { st = fpi_store_db_error(s, what, err); break; }
            }
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, e->id);
            sqlite3_bind_double(ins, 2, e->minx);
            sqlite3_bind_double(ins, 3, e->maxx);
            sqlite3_bind_double(ins, 4, e->miny);
            sqlite3_bind_double(ins, 5, e->maxy);
            if (sqlite3_step(ins) != SQLITE_DONE) st = fpi_store_db_error(s, what, err);
        }
        sqlite3_finalize(del);
        sqlite3_finalize(ins);
        return st;
    }
    /* An empty index: these entries alone, sorted where they are (a 10M
     * import's copy of them was 240 MB). */
    if (existing == 0) return fpi_rtree_bulk_load(s->db, index, entries, n, err);
    /* The entries of the other rows as SQLite stored them (floats already
     * rounded outwards), then these. */
    size_t cap = existing + n, got = 0;
    fp_rtree_entry *all = fpi_big_alloc(cap * sizeof *all);
    if (!all) return fp_error_set(err, FP_ERR_NOMEM, "out of memory %s", what);
    if (existing) {
        sql = replacing ? sqlite3_mprintf("SELECT pkid, xmin, xmax, ymin, ymax FROM \"%w\" WHERE pkid NOT IN (%s)", index,
                                          replacing)
                        : sqlite3_mprintf("SELECT pkid, xmin, xmax, ymin, ymax FROM \"%w\"", index);
        st = fpi_store_prepare(s, sql, what, &q, err);
        sqlite3_free(sql);
        if (!st) {
            if (fpi_rtree_read_entries(q, all, existing, &got)) st = fpi_store_db_error(s, what, err);
            sqlite3_finalize(q);
        }
    }
    if (!st) {
        memcpy(all + got, entries, n * sizeof *all);
        st = fpi_rtree_bulk_load(s->db, index, all, got + n, err);
    }
    free(all);
    return st;
}
