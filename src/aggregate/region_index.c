/* The point-in-region index: a grid of cells over the world, each listing the
 * regions that reach into it in code order, with the region's part inside the
 * cell (a "piece", cut with GEOS ClipByRect) or a mark that the region covers
 * the whole cell.
 *
 * Why: a prepared GEOS predicate on a whole country costs microseconds per
 * point (the ray crosses every edge at that latitude), the same predicate on
 * a piece of one cell a fraction of that, and most points fall in cells that
 * a single region covers and need no geometry test at all. bench/ compares
 * the two (`footprint-aggbench`), and a unit test checks that both give the
 * same answer for every point of a random sample.
 *
 * Exactness: inside the open cell a piece has the same interior and boundary
 * as its region, so tests on pieces are exact there. A point on a cell edge
 * (x or y equal to an edge coordinate) is tested against the full geometries
 * of the regions of the cells around it.
 *
 * Threads: geometry is shared as WKB only; each fp_locator parses and
 * prepares its own GEOS copies on first use. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "aggregate_internal.h"

#define CELL_DEG 1.0
#define NX 360
#define NY 180
#define PIECE_FULL (-1)

typedef struct cell_entry {
    int cell;
    int region;
    int piece;                    /* index into pieces, or PIECE_FULL */
} cell_entry;

typedef struct piece {
    unsigned char *wkb;
    size_t len;
    double minx, miny, maxx, maxy;
} piece;

struct fp_region_index {
    const fp_region_set *set;
    int *cell_first;              /* NX*NY+1 offsets into entries */
    cell_entry *entries;
    size_t nentries;
    piece *pieces;
    size_t npieces;
    /* Lazy mode (fpi_region_index_new_lazy): regions are cut into cells the
     * first time a look-up reaches a cell their extent covers. */
    int lazy;
    unsigned char *built;         /* per region */
    unsigned char *cell_ready;    /* per cell: every region reaching it built */
    int lazy_cells;               /* cells made ready one look-up at a time */
    int failed;                   /* a lazy build failed: sticky, see fpi_region_index_failed */
};

/* ---------------------------------------------------------- building --- */

typedef struct build_out {
    cell_entry *entries;
    size_t n, cap;
    piece *pieces;
    size_t npieces, cappieces;
    int failed;
} build_out;

static int push_entry(build_out *o, int cell, int region, int pieceno)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        cell_entry *e = realloc(o->entries, cap * sizeof *e);
        if (!e) return -1;
        o->entries = e;
        o->cap = cap;
    }
    o->entries[o->n++] = (cell_entry){ cell, region, pieceno };
    return 0;
}

static int push_piece(build_out *o, GEOSContextHandle_t h, GEOSWKBWriter *w, const GEOSGeometry *g)
{
    if (o->npieces == o->cappieces) {
        size_t cap = o->cappieces ? o->cappieces * 2 : 256;
        piece *p = realloc(o->pieces, cap * sizeof *p);
        if (!p) return -1;
        o->pieces = p;
        o->cappieces = cap;
    }
    size_t len = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, w, g, &len);
    if (!wkb) return -1;
    unsigned char *copy = malloc(len);
    if (!copy) { GEOSFree_r(h, wkb); return -1; }
    memcpy(copy, wkb, len);
    GEOSFree_r(h, wkb);
    o->pieces[o->npieces] = (piece){ copy, len, 0, 0, 0, 0 };
    piece *pc = &o->pieces[o->npieces];
    GEOSGeom_getXMin_r(h, g, &pc->minx);
    GEOSGeom_getYMin_r(h, g, &pc->miny);
    GEOSGeom_getXMax_r(h, g, &pc->maxx);
    GEOSGeom_getYMax_r(h, g, &pc->maxy);
    return (int)o->npieces++;
}

static double cell_x(int ix) { return -180.0 + ix * CELL_DEG; }
static double cell_y(int iy) { return -90.0 + iy * CELL_DEG; }

/* Does g (already clipped to the rectangle) cover all of it? */
static int covers_rect(GEOSContextHandle_t h, const GEOSGeometry *g, double x0, double y0, double x1, double y1)
{
    double area = 0;
    if (!GEOSArea_r(h, g, &area)) return 0;
    double rect = (x1 - x0) * (y1 - y0);
    return area >= rect * (1 - 1e-12);
}

typedef struct build_job {
    const fp_region_set *set;
    const int *list;              /* the regions to build; NULL: all */
    size_t nlist;
    size_t next;                  /* next of them to take (under lock) */
    pthread_mutex_t lock;
} build_job;

/* Recursively halves the cell range [ix0,ix1)x[iy0,iy1), clipping g to each
 * half, until single cells remain. g is clipped to the range already. */
static int subdivide(GEOSContextHandle_t h, GEOSWKBWriter *w, build_out *o, int region,
                     const GEOSGeometry *g, int ix0, int iy0, int ix1, int iy1)
{
    double x0 = cell_x(ix0), y0 = cell_y(iy0), x1 = cell_x(ix1), y1 = cell_y(iy1);
    if (covers_rect(h, g, x0, y0, x1, y1)) {
        for (int iy = iy0; iy < iy1; iy++)
            for (int ix = ix0; ix < ix1; ix++)
                if (push_entry(o, iy * NX + ix, region, PIECE_FULL)) return -1;
        return 0;
    }
    if (ix1 - ix0 == 1 && iy1 - iy0 == 1) {
        int p = push_piece(o, h, w, g);
        return p < 0 ? -1 : push_entry(o, iy0 * NX + ix0, region, p);
    }
    int halves[2][4];
    if (ix1 - ix0 >= iy1 - iy0) {
        int mid = (ix0 + ix1) / 2;
        memcpy(halves[0], (int[]){ ix0, iy0, mid, iy1 }, sizeof halves[0]);
        memcpy(halves[1], (int[]){ mid, iy0, ix1, iy1 }, sizeof halves[1]);
    } else {
        int mid = (iy0 + iy1) / 2;
        memcpy(halves[0], (int[]){ ix0, iy0, ix1, mid }, sizeof halves[0]);
        memcpy(halves[1], (int[]){ ix0, mid, ix1, iy1 }, sizeof halves[1]);
    }
    for (int k = 0; k < 2; k++) {
        int *r = halves[k];
        GEOSGeometry *part = GEOSClipByRect_r(h, g, cell_x(r[0]), cell_y(r[1]), cell_x(r[2]), cell_y(r[3]));
        if (!part) return -1;
        double area = 0;
        int rc = 0;
        /* Lower-dimensional leftovers (a shared edge) carry no interior. */
        if (!GEOSisEmpty_r(h, part) && GEOSArea_r(h, part, &area) && area > 0)
            rc = subdivide(h, w, o, region, part, r[0], r[1], r[2], r[3]);
        GEOSGeom_destroy_r(h, part);
        if (rc) return rc;
    }
    return 0;
}

static int floor_cell(double v, double origin, int max)
{
    int i = (int)floor((v - origin) / CELL_DEG);
    return i < 0 ? 0 : i >= max ? max - 1 : i;
}

typedef struct build_thread {
    build_job *job;
    build_out out;
} build_thread;

static void *build_worker(void *arg)
{
    build_thread *t = arg;
    build_job *job = t->job;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    for (;;) {
        pthread_mutex_lock(&job->lock);
        size_t k = job->next++;
        pthread_mutex_unlock(&job->lock);
        if (k >= job->nlist || t->out.failed) break;
        size_t r = job->list ? (size_t)job->list[k] : k;
        const fp_region *reg = &job->set->items[r];
        GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, reg->wkb, reg->wkb_len);
        if (!g) { t->out.failed = 1; break; }
        int ix0 = floor_cell(reg->minx, -180, NX), ix1 = floor_cell(reg->maxx, -180, NX) + 1;
        int iy0 = floor_cell(reg->miny, -90, NY), iy1 = floor_cell(reg->maxy, -90, NY) + 1;
        GEOSGeometry *clipped = GEOSClipByRect_r(h, g, cell_x(ix0), cell_y(iy0), cell_x(ix1), cell_y(iy1));
        if (!clipped || subdivide(h, w, &t->out, (int)r, clipped, ix0, iy0, ix1, iy1))
            t->out.failed = 1;
        if (clipped) GEOSGeom_destroy_r(h, clipped);
        GEOSGeom_destroy_r(h, g);
    }
    GEOSWKBWriter_destroy_r(h, w);
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    return NULL;
}

static int compare_entries(const void *a, const void *b)
{
    const cell_entry *x = a, *y = b;
    if (x->cell != y->cell) return x->cell < y->cell ? -1 : 1;
    return (x->region > y->region) - (x->region < y->region);
}

/* Cuts the listed regions (list NULL: all of the set) into cells with
 * `threads` threads and merges their entries and pieces into idx, which may
 * already hold other regions': entries stay sorted by cell, then region, and
 * cell_first is rebuilt. Every (cell, region) pair is unique, so the result
 * does not depend on the order regions were built in: an index built lazily,
 * a few regions at a time, is the eager one with its pieces numbered
 * differently. */
static fp_status build_into(fp_region_index *idx, const int *list, size_t nlist, int threads, fp_error *err)
{
    const fp_region_set *set = idx->set;
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    if ((size_t)threads > nlist) threads = nlist ? (int)nlist : 1;
    build_job job = { .set = set, .list = list, .nlist = nlist, .next = 0 };
    pthread_mutex_init(&job.lock, NULL);
    build_thread *t = calloc((size_t)threads, sizeof *t);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    cell_entry *merged = NULL, *fresh = NULL;
    fp_status st = FP_OK;
    if (!t || !tid) {
        st = fp_error_set(err, FP_ERR_NOMEM, "out of memory building the region index");
        goto done;
    }
    for (int i = 0; i < threads; i++) t[i].job = &job;
    if (threads == 1) {
        build_worker(&t[0]);      /* a few regions (lazy look-ups): no thread */
    } else {
        for (int i = 0; i < threads; i++)
            if (pthread_create(&tid[i], NULL, build_worker, &t[i])) {
                t[i].out.failed = 1;
                tid[i] = 0;
            }
        for (int i = 0; i < threads; i++)
            if (tid[i]) pthread_join(tid[i], NULL);
    }
    /* Merge: renumber each thread's pieces after the index's own. */
    size_t nnew = 0, npieces = idx->npieces;
    for (int i = 0; i < threads; i++) {
        if (t[i].out.failed) {
            st = fp_error_set(err, FP_ERR_INPUT, "could not build the region index (GEOS failed on a region geometry)");
            goto done;
        }
        nnew += t[i].out.n;
        npieces += t[i].out.npieces;
    }
    piece *pieces = realloc(idx->pieces, (npieces ? npieces : 1) * sizeof *pieces);
    if (pieces) idx->pieces = pieces;
    merged = malloc((idx->nentries + nnew ? idx->nentries + nnew : 1) * sizeof *merged);
    fresh = malloc((nnew ? nnew : 1) * sizeof *fresh);
    if (!idx->cell_first) idx->cell_first = calloc(NX * NY + 1, sizeof *idx->cell_first);
    if (!pieces || !merged || !fresh || !idx->cell_first) {
        st = fp_error_set(err, FP_ERR_NOMEM, "out of memory building the region index");
        goto done;
    }
    /* Nothing fails from here: the new pieces move in, the new entries are
     * sorted and merged with the index's own (none when eager). */
    size_t k = 0;
    for (int i = 0; i < threads; i++) {
        int base = (int)idx->npieces;
        if (t[i].out.npieces)
            memcpy(idx->pieces + idx->npieces, t[i].out.pieces, t[i].out.npieces * sizeof *idx->pieces);
        idx->npieces += t[i].out.npieces;
        t[i].out.npieces = 0;     /* ownership of the WKB moved */
        for (size_t j = 0; j < t[i].out.n; j++) {
            cell_entry e = t[i].out.entries[j];
            if (e.piece != PIECE_FULL) e.piece += base;
            fresh[k++] = e;
        }
    }
    qsort(fresh, nnew, sizeof *fresh, compare_entries);
    const cell_entry *old = idx->entries;
    size_t a = 0, b = 0, o = 0;
    while (a < idx->nentries || b < nnew)
        merged[o++] = b == nnew || (a < idx->nentries && compare_entries(&old[a], &fresh[b]) < 0) ? old[a++] : fresh[b++];
    free(idx->entries);
    idx->entries = merged;
    merged = NULL;
    idx->nentries += nnew;
    memset(idx->cell_first, 0, (NX * NY + 1) * sizeof *idx->cell_first);
    for (size_t j = 0; j < idx->nentries; j++) idx->cell_first[idx->entries[j].cell + 1]++;
    for (int c = 0; c < NX * NY; c++) idx->cell_first[c + 1] += idx->cell_first[c];
done:
    for (int i = 0; t && i < threads; i++) {
        for (size_t j = 0; j < t[i].out.npieces; j++) free(t[i].out.pieces[j].wkb);
        free(t[i].out.pieces);
        free(t[i].out.entries);
    }
    free(merged);
    free(fresh);
    free(t);
    free(tid);
    pthread_mutex_destroy(&job.lock);
    return st;
}

fp_status fpi_region_index_new(const fp_region_set *set, int threads, fp_region_index **out, fp_error *err)
{
    *out = NULL;
    fp_region_index *idx = calloc(1, sizeof *idx);
    if (!idx) return fp_error_set(err, FP_ERR_NOMEM, "out of memory building the region index");
    idx->set = set;
    fp_status st = build_into(idx, NULL, set->n, threads, err);
    if (st) {
        fpi_region_index_free(idx);
        return st;
    }
    *out = idx;
    return FP_OK;
}

fp_status fpi_region_index_new_lazy(const fp_region_set *set, fp_region_index **out, fp_error *err)
{
    *out = NULL;
    fp_region_index *idx = calloc(1, sizeof *idx);
    if (idx) {
        idx->set = set;
        idx->lazy = 1;
        idx->built = calloc(set->n ? set->n : 1, 1);
        idx->cell_ready = calloc(NX * NY, 1);
        idx->cell_first = calloc(NX * NY + 1, sizeof *idx->cell_first);
    }
    if (!idx || !idx->built || !idx->cell_ready || !idx->cell_first) {
        fpi_region_index_free(idx);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory building the region index");
    }
    *out = idx;
    return FP_OK;
}

size_t fpi_region_index_regions_built(const fp_region_index *idx)
{
    if (!idx->built) return idx->set->n;
    size_t n = 0;
    for (size_t r = 0; r < idx->set->n; r++) n += idx->built[r];
    return n;
}

/* Past this many cells made ready one look-up at a time, the look-ups are
 * spread wide (a big import's check): the rest is built at once, in threads. */
#define LAZY_CELL_LIMIT 256

/* Appends region r to the list of those to build and marks it built. */
static int take_region(fp_region_index *idx, int r, int **list, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        int *grown = realloc(*list, c * sizeof *grown);
        if (!grown) return -1;
        *list = grown;
        *cap = c;
    }
    (*list)[(*n)++] = r;
    idx->built[r] = 1;
    return 0;
}

/* Makes the cells [ix0,ix1]x[iy0,iy1] ready (ix may wrap past NX): builds
 * every region not yet built whose extent reaches one of them. */
static int index_ensure(fp_region_index *idx, int iy0, int iy1, long jx0, long jx1)
{
    if (idx->failed) return -1;
    if (!idx->lazy) return 0;
    const fp_region_set *set = idx->set;
    int *list = NULL;
    size_t nlist = 0, caplist = 0;
    int fresh_cells = 0, rc = 0;
    for (int iy = iy0; iy <= iy1 && !rc; iy++)
        for (long jx = jx0; jx <= jx1 && !rc; jx++) {
            int ix = (int)(((jx % NX) + NX) % NX), c = iy * NX + ix;
            if (idx->cell_ready[c]) continue;
            idx->cell_ready[c] = 1;
            fresh_cells++;
            for (size_t r = 0; r < set->n; r++) {
                if (idx->built[r]) continue;
                const fp_region *reg = &set->items[r];
                if (ix < floor_cell(reg->minx, -180, NX) || ix > floor_cell(reg->maxx, -180, NX) ||
                    iy < floor_cell(reg->miny, -90, NY) || iy > floor_cell(reg->maxy, -90, NY))
                    continue;
                if (take_region(idx, (int)r, &list, &nlist, &caplist)) { rc = -1; break; }
            }
        }
    idx->lazy_cells += fresh_cells;
    fp_error err = {0};
    if (!rc && nlist && build_into(idx, list, nlist, 1, &err)) rc = -1;
    if (!rc && idx->lazy_cells > LAZY_CELL_LIMIT) {
        /* Everything else, in threads; the index is then complete. */
        nlist = 0;
        for (size_t r = 0; r < set->n && !rc; r++) {
            if (!idx->built[r] && take_region(idx, (int)r, &list, &nlist, &caplist)) rc = -1;
        }
        if (!rc && nlist && build_into(idx, list, nlist, fpi_default_threads(), &err)) rc = -1;
        if (!rc) idx->lazy = 0;
    }
    free(list);
    /* Regions marked built whose cells are missing would answer wrongly
     * later: every look-up from now on fails instead. */
    if (rc) idx->failed = 1;
    return rc;
}

int fpi_region_index_failed(const fp_region_index *idx) { return idx && idx->failed; }

/* ------------------------------------------------ as a cache entry --- */
/* A complete index in bytes (region_cache.c keeps it under a digest of its
 * regions): the grid's size, the counts, the entries, each piece's length
 * and box, then the pieces' WKB. Native sizes and byte order, as the cache
 * entry's header checks. */
typedef struct stored_piece {
    uint64_t len;
    double minx, miny, maxx, maxy;
} stored_piece;

int fpi_region_index_write(const fp_region_index *idx, GByteArray *b)
{
    if (idx->lazy || idx->failed) return -1;       /* only a complete index */
    uint64_t head[5] = { NX, NY, idx->set->n, idx->nentries, idx->npieces };
    g_byte_array_append(b, (const guint8 *)head, sizeof head);
    if (idx->nentries) g_byte_array_append(b, (const guint8 *)idx->entries, (guint)(idx->nentries * sizeof *idx->entries));
    for (size_t k = 0; k < idx->npieces; k++) {
        const piece *pc = &idx->pieces[k];
        stored_piece sp = { pc->len, pc->minx, pc->miny, pc->maxx, pc->maxy };
        g_byte_array_append(b, (const guint8 *)&sp, sizeof sp);
    }
    for (size_t k = 0; k < idx->npieces; k++) g_byte_array_append(b, idx->pieces[k].wkb, (guint)idx->pieces[k].len);
    return 0;
}

fp_region_index *fpi_region_index_read(const fp_region_set *set, const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    uint64_t head[5];
    if (len < sizeof head) return NULL;
    memcpy(head, p, sizeof head);
    p += sizeof head;
    uint64_t nentries = head[3], npieces = head[4];
    if (head[0] != NX || head[1] != NY || head[2] != set->n || nentries > len / sizeof(cell_entry) ||
        npieces > len / sizeof(stored_piece))
        return NULL;
    if ((size_t)(end - p) < nentries * sizeof(cell_entry) + npieces * sizeof(stored_piece)) return NULL;
    fp_region_index *idx = calloc(1, sizeof *idx);
    if (!idx) return NULL;
    idx->set = set;
    idx->entries = malloc((nentries ? nentries : 1) * sizeof *idx->entries);
    idx->pieces = calloc(npieces ? npieces : 1, sizeof *idx->pieces);
    idx->cell_first = calloc(NX * NY + 1, sizeof *idx->cell_first);
    int bad = !idx->entries || !idx->pieces || !idx->cell_first;
    if (!bad) {
        memcpy(idx->entries, p, nentries * sizeof *idx->entries);
        p += nentries * sizeof *idx->entries;
        idx->nentries = nentries;
    }
    const stored_piece *meta = (const stored_piece *)(const void *)p;
    const unsigned char *wkb = p + npieces * sizeof(stored_piece);
    for (size_t k = 0; k < npieces && !bad; k++) {
        stored_piece sp;
        memcpy(&sp, &meta[k], sizeof sp);
        unsigned char *w = sp.len && sp.len <= (uint64_t)(end - wkb) ? malloc((size_t)sp.len) : NULL;
        if (!w) {
            bad = 1;
            break;
        }
        memcpy(w, wkb, (size_t)sp.len);
        idx->pieces[k] = (piece){ w, (size_t)sp.len, sp.minx, sp.miny, sp.maxx, sp.maxy };
        idx->npieces = k + 1;
        wkb += sp.len;
    }
    if (!bad && wkb != end) bad = 1;
    /* Every entry in range and in the order the look-ups walk (by cell). */
    for (size_t j = 0; j < idx->nentries && !bad; j++) {
        const cell_entry *e = &idx->entries[j];
        if (e->cell < 0 || e->cell >= NX * NY || e->region < 0 || (size_t)e->region >= set->n ||
            (e->piece != PIECE_FULL && (e->piece < 0 || (size_t)e->piece >= npieces)) ||
            (j && compare_entries(&idx->entries[j - 1], e) > 0))
            bad = 1;
    }
    if (bad) {
        fpi_region_index_free(idx);
        return NULL;
    }
    for (size_t j = 0; j < idx->nentries; j++) idx->cell_first[idx->entries[j].cell + 1]++;
    for (int c = 0; c < NX * NY; c++) idx->cell_first[c + 1] += idx->cell_first[c];
    return idx;
}

void fpi_region_index_free(fp_region_index *idx)
{
    if (!idx) return;
    for (size_t k = 0; k < idx->npieces; k++) free(idx->pieces[k].wkb);
    free(idx->pieces);
    free(idx->entries);
    free(idx->cell_first);
    free(idx->built);
    free(idx->cell_ready);
    free(idx);
}

/* ----------------------------------------------------------- locating --- */

/* A piece's rings (or lines) as lon/lat pairs, cut into chunks of up to
 * CHUNK_SEGMENTS segments of one run, each with its box: the nearest-point
 * search skips a chunk whose box is farther than the best distance so far. */
#define CHUNK_SEGMENTS 16

typedef struct piece_chunk {
    double minx, miny, maxx, maxy;
    int first, last;              /* vertex range, inclusive; first == last: a lone vertex */
} piece_chunk;

typedef struct piece_lines {
    double *xy;
    piece_chunk *chunks;          /* NULL until built (piece_runs) */
    int nchunks;
} piece_lines;

struct fp_locator {
    GEOSContextHandle_t h;
    const fp_region_set *set;
    const fp_region_index *idx;
    GEOSWKBReader *reader;
    GEOSGeometry **piece_geom;
    const GEOSPreparedGeometry **piece_prep;
    GEOSGeometry **region_geom;
    const GEOSPreparedGeometry **region_prep;
    struct piece_lines *piece_lines;   /* per piece: its rings as coordinate runs (snapping) */
    unsigned *stamp;              /* per region: candidate de-duplication */
    unsigned stamp_now;
    int *cand;
    size_t ncand, capcand;
    void *tess;                   /* grid/hex state (tessellation.c) */
    size_t npieces_cap;           /* length of the piece_* arrays */
    int geos_pieces;              /* tests: piece tests through GEOS only */
};


fp_locator *fpi_locator_new(const fp_region_set *set, const fp_region_index *idx)
{
    fp_locator *loc = calloc(1, sizeof *loc);
    if (!loc) return NULL;
    loc->h = GEOS_init_r();
    loc->set = set;
    loc->idx = idx;
    loc->reader = GEOSWKBReader_create_r(loc->h);
    loc->region_geom = calloc(set->n ? set->n : 1, sizeof *loc->region_geom);
    loc->region_prep = calloc(set->n ? set->n : 1, sizeof *loc->region_prep);
    loc->stamp = calloc(set->n ? set->n : 1, sizeof *loc->stamp);
    if (idx) {
        loc->npieces_cap = idx->npieces;
        loc->piece_geom = calloc(idx->npieces ? idx->npieces : 1, sizeof *loc->piece_geom);
        loc->piece_prep = calloc(idx->npieces ? idx->npieces : 1, sizeof *loc->piece_prep);
        loc->piece_lines = calloc(idx->npieces ? idx->npieces : 1, sizeof *loc->piece_lines);
    }
    if (set->kind != FP_SET_POLYGONS) loc->tess = fpi_tessellation_state_new(set);
    if (!loc->h || !loc->reader || !loc->region_geom || !loc->region_prep || !loc->stamp ||
        (idx && (!loc->piece_geom || !loc->piece_prep || !loc->piece_lines)) || (set->kind != FP_SET_POLYGONS && !loc->tess)) {
        fpi_locator_free(loc);
        return NULL;
    }
    return loc;
}

void fpi_locator_free(fp_locator *loc)
{
    if (!loc) return;
    for (size_t i = 0; loc->idx && i < loc->npieces_cap; i++) {
        if (loc->piece_prep && loc->piece_prep[i]) GEOSPreparedGeom_destroy_r(loc->h, loc->piece_prep[i]);
        if (loc->piece_geom && loc->piece_geom[i]) GEOSGeom_destroy_r(loc->h, loc->piece_geom[i]);
        if (loc->piece_lines) {
            g_free(loc->piece_lines[i].xy);
            g_free(loc->piece_lines[i].chunks);
        }
    }
    free(loc->piece_lines);
    for (size_t i = 0; loc->region_geom && i < loc->set->n; i++) {
        if (loc->region_prep[i]) GEOSPreparedGeom_destroy_r(loc->h, loc->region_prep[i]);
        if (loc->region_geom[i]) GEOSGeom_destroy_r(loc->h, loc->region_geom[i]);
    }
    free(loc->piece_geom);
    free(loc->piece_prep);
    free(loc->region_geom);
    free(loc->region_prep);
    free(loc->stamp);
    free(loc->cand);
    fpi_tessellation_state_free(loc->tess);
    if (loc->reader) GEOSWKBReader_destroy_r(loc->h, loc->reader);
    if (loc->h) GEOS_finish_r(loc->h);
    free(loc);
}

GEOSContextHandle_t fpi_locator_geos(fp_locator *loc) { return loc->h; }

static const GEOSPreparedGeometry *piece_prepared(fp_locator *loc, int p)
{
    if (!loc->piece_prep[p]) {
        const piece *pc = &loc->idx->pieces[p];
        loc->piece_geom[p] = GEOSWKBReader_read_r(loc->h, loc->reader, pc->wkb, pc->len);
        if (!loc->piece_geom[p]) return NULL;
        loc->piece_prep[p] = GEOSPrepare_r(loc->h, loc->piece_geom[p]);
    }
    return loc->piece_prep[p];
}

static const GEOSPreparedGeometry *region_prepared(fp_locator *loc, int r)
{
    if (!loc->region_prep[r]) {
        const fp_region *reg = &loc->set->items[r];
        loc->region_geom[r] = GEOSWKBReader_read_r(loc->h, loc->reader, reg->wkb, reg->wkb_len);
        if (!loc->region_geom[r]) return NULL;
        loc->region_prep[r] = GEOSPrepare_r(loc->h, loc->region_geom[r]);
    }
    return loc->region_prep[r];
}

static int add_candidate(fp_locator *loc, int region)
{
    if (loc->stamp[region] == loc->stamp_now) return 0;
    loc->stamp[region] = loc->stamp_now;
    if (loc->ncand == loc->capcand) {
        size_t cap = loc->capcand ? loc->capcand * 2 : 64;
        int *c = realloc(loc->cand, cap * sizeof *c);
        if (!c) return -1;
        loc->cand = c;
        loc->capcand = cap;
    }
    loc->cand[loc->ncand++] = region;
    return 0;
}

static void new_candidates(fp_locator *loc)
{
    loc->ncand = 0;
    if (++loc->stamp_now == 0) {          /* wrapped: clear the stamps */
        memset(loc->stamp, 0, loc->set->n * sizeof *loc->stamp);
        loc->stamp_now = 1;
    }
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* A lazy index grows under the locator: its per-piece arrays follow. */
static int locator_fit_pieces(fp_locator *loc)
{
    size_t n = loc->idx->npieces, old = loc->npieces_cap;
    if (n <= old) return 0;
    GEOSGeometry **g = realloc(loc->piece_geom, n * sizeof *g);
    if (g) loc->piece_geom = g;
    const GEOSPreparedGeometry **p = realloc(loc->piece_prep, n * sizeof *p);
    if (p) loc->piece_prep = p;
    piece_lines *l = realloc(loc->piece_lines, n * sizeof *l);
    if (l) loc->piece_lines = l;
    if (!g || !p || !l) return -1;
    memset(g + old, 0, (n - old) * sizeof *g);
    memset(p + old, 0, (n - old) * sizeof *p);
    memset(l + old, 0, (n - old) * sizeof *l);
    loc->npieces_cap = n;
    return 0;
}

/* Before the cells meeting [x0,x1]x[y0,y1] are read: with a lazy index,
 * the regions reaching them are built first. A lazy index belongs to the
 * one locator that reads it (fp_point_locator), hence the cast. */
static int locator_cover(fp_locator *loc, double x0, double y0, double x1, double y1)
{
    fp_region_index *idx = (fp_region_index *)loc->idx;
    if (!idx || (!idx->lazy && !idx->failed)) return 0;
    int iy0 = floor_cell(y0, -90, NY), iy1 = floor_cell(y1, -90, NY);
    long jx0 = (long)floor((x0 + 180) / CELL_DEG), jx1 = (long)floor((x1 + 180) / CELL_DEG);
    if (jx1 - jx0 >= NX) { jx0 = 0; jx1 = NX - 1; }
    if (index_ensure(idx, iy0, iy1, jx0, jx1)) return -1;
    return locator_fit_pieces(loc);
}

/* Candidates of every cell whose rectangle meets [x0,x1]x[y0,y1] (longitudes
 * may leave -180..180: they wrap), sorted by region order. */
static int cells_candidates(fp_locator *loc, double x0, double y0, double x1, double y1)
{
    new_candidates(loc);
    if (locator_cover(loc, x0, y0, x1, y1)) return -1;
    int iy0 = floor_cell(y0, -90, NY), iy1 = floor_cell(y1, -90, NY);
    long jx0 = (long)floor((x0 + 180) / CELL_DEG), jx1 = (long)floor((x1 + 180) / CELL_DEG);
    if (jx1 - jx0 >= NX) { jx0 = 0; jx1 = NX - 1; }
    for (int iy = iy0; iy <= iy1; iy++)
        for (long jx = jx0; jx <= jx1; jx++) {
            int ix = (int)(((jx % NX) + NX) % NX);
            int c = iy * NX + ix;
            for (int k = loc->idx->cell_first[c]; k < loc->idx->cell_first[c + 1]; k++)
                if (add_candidate(loc, loc->idx->entries[k].region)) return -1;
        }
    if (loc->ncand > 1) qsort(loc->cand, loc->ncand, sizeof *loc->cand, compare_int);   /* cand may be NULL when empty */
    return 0;
}

/* Interior first, then boundary, over full geometries of the candidates. */
static fp_share test_full(fp_locator *loc, GEOSGeometry *pt, double x, double y)
{
    /* Longitude -180 and 180 are the same meridian: a point on it is tested
     * at both, so it meets regions drawn up to either side. */
    GEOSGeometry *twin = fabs(x) == 180 ? GEOSGeom_createPointFromXY_r(loc->h, -x, y) : NULL;
    fp_share res = { -1, 1, FP_ASSIGN_UNASSIGNED, 0 };
    for (int pass = 0; pass < 2 && res.region < 0; pass++)
        for (size_t i = 0; i < loc->ncand && res.region < 0; i++) {
            int r = loc->cand[i];
            const fp_region *reg = &loc->set->items[r];
            if (y < reg->miny || y > reg->maxy) continue;
            const GEOSPreparedGeometry *p = region_prepared(loc, r);
            if (!p) continue;
            for (int k = 0; k < (twin ? 2 : 1); k++) {
                GEOSGeometry *q = k ? twin : pt;
                double qx = k ? -x : x;
                if (qx < reg->minx || qx > reg->maxx) continue;
                if (pass == 0 ? GEOSPreparedContains_r(loc->h, p, q) == 1 : GEOSPreparedIntersects_r(loc->h, p, q) == 1) {
                    res = (fp_share){ r, 1, pass == 0 ? FP_ASSIGN_CONTAINED : FP_ASSIGN_BOUNDARY, 0 };
                    break;
                }
            }
        }
    if (twin) GEOSGeom_destroy_r(loc->h, twin);
    return res;
}

/* ------------------------------------------------------------ snapping --- */

typedef struct local_frame {
    double lon0, lat0, kx, ky;    /* metres per degree at (lon0, lat0) */
} local_frame;

static double wrap180(double d)
{
    while (d > 180) d -= 360;
    while (d < -180) d += 360;
    return d;
}

static int to_local(double *x, double *y, void *user)
{
    const local_frame *f = user;
    *x = wrap180(*x - f->lon0) * f->kx;
    *y = (*y - f->lat0) * f->ky;
    return 1;
}

/* The nearest point of g to the frame's origin, in lon/lat; returns the
 * distance on the ellipsoid in metres, or HUGE_VAL. */
static double nearest_on(fp_locator *loc, const GEOSGeometry *g, const local_frame *f)
{
    GEOSGeometry *local = GEOSGeom_transformXY_r(loc->h, g, to_local, (void *)f);
    if (!local) return HUGE_VAL;
    GEOSGeometry *origin = GEOSGeom_createPointFromXY_r(loc->h, 0, 0);
    GEOSCoordSequence *cs = origin ? GEOSNearestPoints_r(loc->h, origin, local) : NULL;
    double d = HUGE_VAL;
    if (cs) {
        double qx, qy;
        GEOSCoordSeq_getXY_r(loc->h, cs, 1, &qx, &qy);
        d = fpi_geodesic_distance_m(f->lon0, f->lat0, wrap180(f->lon0 + qx / f->kx), f->lat0 + qy / f->ky);
        GEOSCoordSeq_destroy_r(loc->h, cs);
    }
    if (origin) GEOSGeom_destroy_r(loc->h, origin);
    GEOSGeom_destroy_r(loc->h, local);
    return d;
}

/* Appends the coordinate runs (rings, lines) of g. */
static int collect_runs(GEOSContextHandle_t h, const GEOSGeometry *g, GArray *xy, GArray *starts)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = -1; i < holes; i++)
            collect_runs(h, i < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, i), xy, starts);
        return 0;
    }
    if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        for (unsigned k = 0; k < n; k++) {
            double c[2];
            GEOSCoordSeq_getXY_r(h, cs, k, &c[0], &c[1]);
            g_array_append_vals(xy, c, 2);
        }
        int end = (int)(xy->len / 2);
        g_array_append_val(starts, end);
        return 0;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
        if (GEOSGetGeometryN_r(h, g, i) != g) collect_runs(h, GEOSGetGeometryN_r(h, g, i), xy, starts);
    return 0;
}

static const piece_lines *piece_runs(fp_locator *loc, int p)
{
    piece_lines *pl = &loc->piece_lines[p];
    if (pl->chunks) return pl;
    if (!piece_prepared(loc, p)) return NULL;
    GArray *xy = g_array_new(FALSE, FALSE, sizeof(double)), *starts = g_array_new(FALSE, FALSE, sizeof(int));
    int zero = 0;
    g_array_append_val(starts, zero);
    collect_runs(loc->h, loc->piece_geom[p], xy, starts);
    /* GLib allocations: out of memory aborts rather than leave a piece out
     * of the nearest-region search unnoticed. */
    GArray *chunks = g_array_sized_new(FALSE, FALSE, sizeof(piece_chunk), 1);   /* data never NULL: built */
    const double *v = (const double *)(void *)xy->data;
    for (guint r = 0; r + 1 < starts->len; r++) {
        int a = g_array_index(starts, int, r), b = g_array_index(starts, int, r + 1) - 1;   /* the run's vertices a..b */
        for (int k = a; k <= b; k += CHUNK_SEGMENTS) {
            piece_chunk c = { v[2 * k], v[2 * k + 1], v[2 * k], v[2 * k + 1], k,
                              k + CHUNK_SEGMENTS < b ? k + CHUNK_SEGMENTS : b };
            for (int i = k + 1; i <= c.last; i++) {
                c.minx = fmin(c.minx, v[2 * i]);
                c.maxx = fmax(c.maxx, v[2 * i]);
                c.miny = fmin(c.miny, v[2 * i + 1]);
                c.maxy = fmax(c.maxy, v[2 * i + 1]);
            }
            g_array_append_val(chunks, c);
            if (c.last == b) break;
        }
    }
    g_array_free(starts, TRUE);
    pl->xy = (double *)(void *)g_array_free(xy, FALSE);
    pl->nchunks = (int)chunks->len;
    pl->chunks = (piece_chunk *)(void *)g_array_free(chunks, FALSE);
    return pl;
}

/* Lower bound of the local-frame distance (squared) from the origin to a
 * chunk's vertices and segments. Subtraction, wrap180 within one branch and
 * scaling are monotonic in floating point, so the bound holds for the
 * values nearest_on_piece computes; it is shrunk by 1e-9 against the last
 * bit of a segment point's rounding. A chunk across the origin's antipodal
 * meridian gets 0 on x. */
static double chunk_lower_bound(const piece_chunk *c, const local_frame *f)
{
    double xa = wrap180(c->minx - f->lon0), xb = wrap180(c->maxx - f->lon0), lx = 0, ly = 0;
    if (xa <= xb) lx = xa > 0 ? xa * f->kx : xb < 0 ? -xb * f->kx : 0;
    double ya = (c->miny - f->lat0) * f->ky, yb = (c->maxy - f->lat0) * f->ky;
    ly = ya > 0 ? ya : yb < 0 ? -yb : 0;
    return (lx * lx + ly * ly) * (1 - 1e-9);
}

/* The nearest point of a piece's rings to the frame's origin, with the
 * distance measured in the local frame (metres at the origin along each
 * axis), then that point's distance on the ellipsoid. This is what GEOS's
 * NearestPoints gives on the transformed geometry, without copying the
 * geometry for each point (that copy was most of the snapping time).
 * Chunks farther than the best so far are skipped: the same nearest point
 * (the first of equals, in vertex order), as every skipped vertex and
 * segment is strictly farther.
 * A piece that cannot beat beat_m is answered HUGE_VAL without the
 * geodesic: lb_scale times the local distance is a lower bound of the
 * distance on the ellipsoid (snap_point's lower bounds per degree, over
 * the frame's own), so a piece farther than that is strictly farther.
 * Case C2 (1M points, 25 km snapping), five runs each interleaved: the
 * assign step's CPU 0.65-0.94 s (median 0.72) -> 0.60-0.70 s (0.65); the
 * same assignments and distances (sha256 of the table, also at 100 km by
 * admin-1). At 10M the host's noise (+-1.5 s) hid the difference. */
static double nearest_on_piece(const piece_lines *pl, const local_frame *f, double lb_scale, double beat_m)
{
    double best = HUGE_VAL, bx = 0, by = 0;
    for (int c = 0; c < pl->nchunks; c++) {
        const piece_chunk *ch = &pl->chunks[c];
        if (best != HUGE_VAL && chunk_lower_bound(ch, f) > best) continue;
        const double *xy = pl->xy;
        double px = wrap180(xy[2 * ch->first] - f->lon0) * f->kx, py = (xy[2 * ch->first + 1] - f->lat0) * f->ky;
        if (ch->first == ch->last) {
            double d = px * px + py * py;
            if (d < best) { best = d; bx = px; by = py; }
            continue;
        }
        for (int k = ch->first + 1; k <= ch->last; k++) {
            double x = wrap180(xy[2 * k] - f->lon0) * f->kx, y = (xy[2 * k + 1] - f->lat0) * f->ky;
            double dx = x - px, dy = y - py, len = dx * dx + dy * dy;
            double t = len > 0 ? -(px * dx + py * dy) / len : 0;
            if (t < 0) t = 0;
            if (t > 1) t = 1;
            double qx = px + t * dx, qy = py + t * dy, d = qx * qx + qy * qy;
            if (d < best) { best = d; bx = qx; by = qy; }
            px = x;
            py = y;
        }
    }
    if (best == HUGE_VAL || lb_scale * sqrt(best) > beat_m) return HUGE_VAL;
    return fpi_geodesic_distance_m(f->lon0, f->lat0, wrap180(f->lon0 + bx / f->kx), f->lat0 + by / f->ky);
}

static void local_frame_at(local_frame *f, double x, double y)
{
    const double a = 6378137.0, e2 = 0.00669437999014;   /* WGS 84 */
    double phi = y * M_PI / 180, s = sin(phi), w = sqrt(1 - e2 * s * s);
    double n = a / w, m = a * (1 - e2) / (w * w * w);     /* prime vertical, meridian radii */
    f->lon0 = x;
    f->lat0 = y;
    f->kx = n * cos(phi) * M_PI / 180;
    f->ky = m * M_PI / 180;
    if (f->kx < 1e-3) f->kx = 1e-3;                       /* at a pole */
}

/* Search box of snap_km around (x, y) in degrees. */
static void snap_box(double x, double y, double snap_km, double box[4])
{
    double dlat = snap_km / 110.0;                         /* a degree of latitude >= 110.57 km */
    double far = fabs(y) + dlat;
    double dlon = far >= 89.9 ? 360 : snap_km / (111.0 * cos(far * M_PI / 180));
    if (dlon > 180) { box[0] = -180; box[2] = 180; }
    else { box[0] = x - dlon; box[2] = x + dlon; }
    box[1] = y - dlat < -90 ? -90 : y - dlat;
    box[3] = y + dlat > 90 ? 90 : y + dlat;
}

static fp_share snap_point(fp_locator *loc, double x, double y, double snap_km, int use_pieces)
{
    fp_share best = { -1, 1, FP_ASSIGN_UNASSIGNED, 0 };
    if (snap_km <= 0) return best;
    double box[4];
    snap_box(x, y, snap_km, box);
    local_frame f;
    local_frame_at(&f, x, y);
    double best_m = snap_km * 1000;
    int found = 0;
    /* Lower bounds of the distance to a box, in metres per degree: the
     * narrowest a degree of longitude gets inside the search box, and a
     * degree of latitude (>= 110.57 km). */
    double far = fmax(fabs(box[1]), fabs(box[3]));
    double kx_min = 111.0e3 * 0.995 * cos(far * M_PI / 180), ky_min = 110.5e3;
    if (kx_min < 0) kx_min = 0;
    /* The same bounds over the local frame's metres per degree: a piece's
     * local distance times this is at most its distance on the ellipsoid
     * (nearest_on_piece). 0 (no pruning) where the frame is degenerate. */
    const double lb_scale = f.kx > 0 && f.ky > 0 ? fmin(1, fmin(kx_min / f.kx, ky_min / f.ky)) : 0;
    if (use_pieces && locator_cover(loc, box[0], box[1], box[2], box[3])) return best;
    if (use_pieces) {
        /* Distance to each region = nearest of its pieces (or whole cells) in the box. */
        int iy0 = floor_cell(box[1], -90, NY), iy1 = floor_cell(box[3], -90, NY);
        long jx0 = (long)floor((box[0] + 180) / CELL_DEG), jx1 = (long)floor((box[2] + 180) / CELL_DEG);
        if (jx1 - jx0 >= NX) { jx0 = 0; jx1 = NX - 1; }
        for (int iy = iy0; iy <= iy1; iy++)
            for (long jx = jx0; jx <= jx1; jx++) {
                int ix = (int)(((jx % NX) + NX) % NX);
                int c = iy * NX + ix;
                for (int k = loc->idx->cell_first[c]; k < loc->idx->cell_first[c + 1]; k++) {
                    const cell_entry *e = &loc->idx->entries[k];
                    double bx0 = cell_x(ix), by0 = cell_y(iy), bx1 = cell_x(ix + 1), by1 = cell_y(iy + 1);
                    if (e->piece != PIECE_FULL) {
                        const piece *pc = &loc->idx->pieces[e->piece];
                        bx0 = pc->minx; by0 = pc->miny; bx1 = pc->maxx; by1 = pc->maxy;
                    }
                    /* Skip pieces whose box is already farther than the best. */
                    double xs = x;             /* x on the box's side of the antimeridian */
                    if (xs < bx0 - 180) xs += 360;
                    else if (xs > bx1 + 180) xs -= 360;
                    double cx = fmin(fmax(xs, bx0), bx1), cy = fmin(fmax(y, by0), by1);
                    double ddx = fabs(xs - cx) * kx_min, ddy = fabs(y - cy) * ky_min;
                    if (ddx * ddx + ddy * ddy > best_m * best_m) continue;
                    double d;
                    if (e->piece == PIECE_FULL) {
                        double ax = cell_x(ix), ay = cell_y(iy), bx = cell_x(ix + 1), by = cell_y(iy + 1);
                        double rect[10] = { ax, ay, bx, ay, bx, by, ax, by, ax, ay };
                        piece_chunk whole = { ax, ay, bx, by, 0, 4 };
                        piece_lines cell = { .xy = rect, .chunks = &whole, .nchunks = 1 };
                        d = nearest_on_piece(&cell, &f, lb_scale, best_m);
                    } else {
                        const piece_lines *pl = piece_runs(loc, e->piece);
                        d = pl ? nearest_on_piece(pl, &f, lb_scale, best_m) : HUGE_VAL;
                    }
                    if (d < best_m || (d == best_m && found && e->region < best.region)) {
                        best_m = d;
                        best.region = e->region;
                        found = 1;
                    }
                }
            }
    } else {
        /* The reference: each region's full geometry cut to the search box
         * (split in two where the box crosses the antimeridian). */
        double rects[2][4];
        int nrects = 1;
        memcpy(rects[0], (double[]){ box[0], box[1], box[2], box[3] }, sizeof rects[0]);
        if (box[0] < -180) {
            memcpy(rects[0], (double[]){ -180, box[1], box[2], box[3] }, sizeof rects[0]);
            memcpy(rects[1], (double[]){ box[0] + 360, box[1], 180, box[3] }, sizeof rects[1]);
            nrects = 2;
        } else if (box[2] > 180) {
            memcpy(rects[0], (double[]){ box[0], box[1], 180, box[3] }, sizeof rects[0]);
            memcpy(rects[1], (double[]){ -180, box[1], box[2] - 360, box[3] }, sizeof rects[1]);
            nrects = 2;
        }
        for (size_t r = 0; r < loc->set->n; r++) {
            const fp_region *reg = &loc->set->items[r];
            for (int k = 0; k < nrects; k++) {
                const double *b = rects[k];
                if (reg->maxx < b[0] || reg->minx > b[2] || reg->maxy < b[1] || reg->miny > b[3]) continue;
                if (!region_prepared(loc, (int)r)) continue;
                GEOSGeometry *cut = GEOSClipByRect_r(loc->h, loc->region_geom[r], b[0], b[1], b[2], b[3]);
                double d = cut && !GEOSisEmpty_r(loc->h, cut) ? nearest_on(loc, cut, &f) : HUGE_VAL;
                if (cut) GEOSGeom_destroy_r(loc->h, cut);
                if (d < best_m || (d == best_m && found && (int)r < best.region)) {
                    best_m = d;
                    best.region = (int)r;
                    found = 1;
                }
            }
        }
    }
    if (found) {
        best.method = FP_ASSIGN_SNAPPED;
        best.distance_km = best_m / 1000;
    }
    return best;
}

/* -------------------------------------------------------------- points --- */

/* Where a point lies in a polygon piece, read straight off the piece's WKB
 * by the rule GEOS's prepared predicates apply to a point
 * (IndexedPointInAreaLocator: RayCrossingCounter over every ring segment),
 * with no GEOS point made per look-up. Measured on bench/run.sh's case C
 * (1M points into countries, FOOTPRINT_TIMING=1, five runs each): the
 * assign step's CPU 0.56-0.61 s through GEOS (GEOSPreparedContains_r, a
 * point made and freed per test: 0.22 s by perf) against 0.42-0.45 s, and
 * its wall time 0.34-0.39 s against 0.31-0.32 s (what is left is the
 * writing of the assignment rows); the same assignments, bit for bit.
 * A crossing edge's side is taken when GEOS's own floating-point filter
 * (CGAlgorithmsDD::orientationIndexFilter, DP_SAFE_EPSILON 1e-15) is sure of
 * it: then it is the exact sign, the answer GEOS gives. When the filter is
 * not sure (GEOS would go on in double-double arithmetic), for any WKB other
 * than a 2D little-endian polygon or multipolygon, and for pieces of more
 * than PIECE_FAST_MAX vertices (GEOS indexes a piece's segments; a cap of
 * 64, 512 or 4096 made no measurable difference on the default regions),
 * the answer is PIECE_UNSURE and GEOS decides. Written against GEOS 3.11
 * (Debian 12's); a later GEOS with another filter bound still agrees
 * wherever this filter is sure (a sure sign is the exact sign), so only
 * pieces that are not valid polygons could differ. tests/unit/test_aggregate.c:
 * test_piece_crossings_equal_geos on border vertices and edges. */
enum { PIECE_EXTERIOR, PIECE_BOUNDARY, PIECE_INTERIOR, PIECE_UNSURE };
#define PIECE_FAST_MAX 4096

static double wkb_double(const unsigned char *p) { double d; memcpy(&d, p, sizeof d); return d; }
static uint32_t wkb_u32(const unsigned char *p) { uint32_t u; memcpy(&u, p, sizeof u); return u; }

/* q against p1->p2: 1 left, -1 right, 0 collinear, 2 not sure. */
static int orientation_filtered(double p1x, double p1y, double p2x, double p2y, double qx, double qy)
{
    const double detleft = (p1x - qx) * (p2y - qy), detright = (p1y - qy) * (p2x - qx), det = detleft - detright;
    double detsum;
    if (detleft > 0) {
        if (detright <= 0) return (det > 0) - (det < 0);
        detsum = detleft + detright;
    } else if (detleft < 0) {
        if (detright >= 0) return (det > 0) - (det < 0);
        detsum = -detleft - detright;
    } else {
        return (det > 0) - (det < 0);
    }
    const double errbound = 1e-15 * detsum;
    if (det >= errbound || -det >= errbound) return (det > 0) - (det < 0);
    return 2;
}

static int piece_locate(const piece *pc, double x, double y)
{
    const unsigned char *p = pc->wkb, *end = pc->wkb + pc->len;
    if (pc->len < 9 || p[0] != 1) return PIECE_UNSURE;
    uint32_t type = wkb_u32(p + 1), npoly = 1, seen = 0;
    p += 5;
    if (type == 6) {
        npoly = wkb_u32(p);
        p += 4;
    } else if (type != 3) {
        return PIECE_UNSURE;
    }
    int crossings = 0;
    for (uint32_t k = 0; k < npoly; k++) {
        if (type == 6) {
            if (end - p < 5 || p[0] != 1 || wkb_u32(p + 1) != 3) return PIECE_UNSURE;
            p += 5;
        }
        if (end - p < 4) return PIECE_UNSURE;
        uint32_t nrings = wkb_u32(p);
        p += 4;
        for (uint32_t r = 0; r < nrings; r++) {
            if (end - p < 4) return PIECE_UNSURE;
            uint32_t n = wkb_u32(p);
            p += 4;
            if ((size_t)(end - p) / 16 < n || (seen += n) > PIECE_FAST_MAX) return PIECE_UNSURE;
            const unsigned char *v = p;
            p += (size_t)n * 16;
            for (uint32_t i = 1; i < n; i++) {
                const unsigned char *a = v + 16 * (size_t)(i - 1);
                const double x1 = wkb_double(a), y1 = wkb_double(a + 8), x2 = wkb_double(a + 16), y2 = wkb_double(a + 24);
                if (x1 < x && x2 < x) continue;
                if (x == x2 && y == y2) return PIECE_BOUNDARY;
                if (y1 == y && y2 == y) {
                    if (x >= (x1 < x2 ? x1 : x2) && x <= (x1 < x2 ? x2 : x1)) return PIECE_BOUNDARY;
                    continue;
                }
                if ((y1 > y && y2 <= y) || (y2 > y && y1 <= y)) {
                    int o = orientation_filtered(x1, y1, x2, y2, x, y);
                    if (o == 2) return PIECE_UNSURE;
                    if (o == 0) return PIECE_BOUNDARY;
                    if (y2 < y1) o = -o;
                    if (o > 0) crossings++;
                }
            }
        }
    }
    return crossings & 1 ? PIECE_INTERIOR : PIECE_EXTERIOR;
}

void fpi_locator_set_fast_pieces(fp_locator *loc, int on) { loc->geos_pieces = !on; }

fp_share fpi_locate_point(fp_locator *loc, double x, double y, double snap_km)
{
    if (loc->set->kind != FP_SET_POLYGONS) {
        int r = fpi_tessellation_locate(loc, x, y);
        return r >= 0 ? (fp_share){ r, 1, FP_ASSIGN_CONTAINED, 0 } : (fp_share){ -1, 1, FP_ASSIGN_UNASSIGNED, 0 };
    }
    double eps = CELL_DEG * 1e-9;
    fp_share res = { -1, 1, FP_ASSIGN_UNASSIGNED, 0 };
    if (!isfinite(x) || !isfinite(y)) return res;   /* no cell, and GEOS refuses them */
    if (locator_cover(loc, x - eps, y - eps, x + eps, y + eps)) return res;
    const fp_region_index *idx = loc->idx;
    int ix = floor_cell(x, -180, NX), iy = floor_cell(y, -90, NY);
    int on_edge = x == cell_x(ix) || x == cell_x(ix + 1) || y == cell_y(iy) || y == cell_y(iy + 1);
    GEOSGeometry *pt = NULL;
    if (!on_edge) {
        int c = iy * NX + ix, first = idx->cell_first[c], last = idx->cell_first[c + 1];
        if (first == last) return snap_point(loc, x, y, snap_km, 1);
        if (idx->entries[first].piece == PIECE_FULL)
            return (fp_share){ idx->entries[first].region, 1, FP_ASSIGN_CONTAINED, 0 };
        /* Pass 0 looks for an interior, pass 1 (none found: a point on a
         * border, or in no region) for a boundary; pass 1 reuses pass 0's
         * reading of the first pieces' WKB rather than walking it again. */
        enum { REMEMBERED = 64 };
        signed char seen[REMEMBERED];
        for (int pass = 0; pass < 2 && res.region < 0; pass++)
            for (int k = first; k < last; k++) {
                const cell_entry *e = &idx->entries[k];
                if (e->piece == PIECE_FULL) {
                    if (pass == 0) { res = (fp_share){ e->region, 1, FP_ASSIGN_CONTAINED, 0 }; break; }
                    continue;
                }
                int where, hit;
                if (pass == 1 && k - first < REMEMBERED) where = seen[k - first];
                else where = loc->geos_pieces ? PIECE_UNSURE : piece_locate(&idx->pieces[e->piece], x, y);
                if (pass == 0 && k - first < REMEMBERED) seen[k - first] = (signed char)where;
                if (where != PIECE_UNSURE) {
                    hit = pass == 0 ? where == PIECE_INTERIOR : where != PIECE_EXTERIOR;
                } else {
                    const GEOSPreparedGeometry *p = piece_prepared(loc, e->piece);
                    if (!p) continue;
                    if (!pt) pt = GEOSGeom_createPointFromXY_r(loc->h, x, y);
                    hit = pass == 0 ? GEOSPreparedContains_r(loc->h, p, pt) == 1 : GEOSPreparedIntersects_r(loc->h, p, pt) == 1;
                }
                if (hit) {
                    res = (fp_share){ e->region, 1, pass == 0 ? FP_ASSIGN_CONTAINED : FP_ASSIGN_BOUNDARY, 0 };
                    break;
                }
            }
    } else {
        /* On a cell edge: the full geometries of the regions of the cells around. */
        if (cells_candidates(loc, x - eps, y - eps, x + eps, y + eps) == 0) {
            pt = GEOSGeom_createPointFromXY_r(loc->h, x, y);
            res = test_full(loc, pt, x, y);
        }
    }
    if (pt) GEOSGeom_destroy_r(loc->h, pt);
    if (res.region < 0) res = snap_point(loc, x, y, snap_km, 1);
    return res;
}

fp_share fpi_locate_point_reference(fp_locator *loc, double x, double y, double snap_km)
{
    new_candidates(loc);
    for (size_t r = 0; r < loc->set->n; r++) add_candidate(loc, (int)r);
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(loc->h, x, y);
    fp_share res = test_full(loc, pt, x, y);
    GEOSGeom_destroy_r(loc->h, pt);
    if (res.region < 0) res = snap_point(loc, x, y, snap_km, 0);
    return res;
}

/* ---------------------------------------------------- lines, polygons --- */

static int push_share(fp_share **out, size_t *n, size_t *cap, fp_share s)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        fp_share *p = realloc(*out, c * sizeof *p);
        if (!p) return -1;
        *out = p;
        *cap = c;
    }
    (*out)[(*n)++] = s;
    return 0;
}

/* Geometry of candidate r for splitting (a full region or a tessellation cell). */
static const GEOSGeometry *candidate_geometry(fp_locator *loc, int r, const GEOSPreparedGeometry **prep)
{
    *prep = region_prepared(loc, r);
    return *prep ? loc->region_geom[r] : NULL;
}

/* Shares smaller than this fraction of their project are slivers: GEOS cuts
 * a geometry along a border with double-precision coordinates, and the
 * pieces on the wrong side of a shared or nearly shared edge measure some
 * 1e-16..1e-10 of the whole (2.3e-11 seen for a polygon wholly inside a
 * country). 1e-9 is well above that noise and far below any real part: of
 * a 100 km2 site it is 0.1 m2, of a 10,000 km line 1 cm -- below the
 * precision of any geocoded input. */
#define FP_SLIVER_EPSILON 1e-9

/* Turns the measures of parts[0..k) (the last may be the unassigned rest)
 * into shares of weight: slivers are folded into the project's largest
 * part, and the largest part takes weight minus the others, so the shares
 * sum to weight as exactly as doubles allow. Updates *n (the end of the
 * caller's list) and returns the number of shares kept. */
static long fold_slivers(fp_share *parts, size_t k, double whole, double weight, size_t *n)
{
    size_t largest = 0;
    for (size_t i = 1; i < k; i++)
        if (parts[i].share > parts[largest].share) largest = i;
    size_t kept = 0;
    for (size_t i = 0; i < k; i++) {
        if (i != largest && !(parts[i].share > whole * FP_SLIVER_EPSILON)) continue;
        if (i == largest) largest = kept;
        parts[kept++] = parts[i];
    }
    double others = 0;
    for (size_t i = 0; i < kept; i++) {
        parts[i].share = weight * parts[i].share / whole;
        if (i != largest) others += parts[i].share;
    }
    parts[largest].share = weight - others;
    *n -= k - kept;
    return (long)kept;
}

/* Nearest region within snap_km of a line or polygon lying outside every
 * region: the nearest of its vertices, densified so that no edge is longer
 * than a quarter of snap_km (the distance is then within an eighth of
 * snap_km of the true one). */
static fp_share snap_geometry(fp_locator *loc, const GEOSGeometry *g, double snap_km)
{
    GEOSContextHandle_t h = loc->h;
    fp_share best = { -1, 1, FP_ASSIGN_UNASSIGNED, 0 };
    fp_share none = best;
    double step = snap_km / 4 / 111.32;              /* degrees; a degree is at most 111.32 km */
    GEOSGeometry *dense = GEOSDensify_r(h, g, step);
    /* Without the densified points the raw vertices would say nothing of
     * what lies between them: no snap (the long-edge cable again). */
    if (!dense) return none;
    GEOSGeometry *pts = GEOSGeom_extractUniquePoints_r(h, dense);
    int np = pts ? GEOSGetNumGeometries_r(h, pts) : 0;
    for (int i = 0; i < np; i++) {
        double x, y;
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, pts, i);
        if (!GEOSGeomGetX_r(h, p, &x) || !GEOSGeomGetY_r(h, p, &y)) continue;
        fp_share s = snap_point(loc, x, y, snap_km, 1);
        /* All of it must lie within snap_km of a region, not just one end:
         * a 765 km cable from 1.5 km off Fiji to 1.2 km off Tonga is at sea,
         * not Tonga's (an outside tester's Fiji-Tonga cable). */
        if (s.region < 0) { best = none; break; }
        if (best.region < 0 || s.distance_km < best.distance_km ||
            (s.distance_km == best.distance_km && s.region < best.region))
            best = s;
    }
    if (pts) GEOSGeom_destroy_r(h, pts);
    GEOSGeom_destroy_r(h, dense);
    return best;
}

/* Length of the lines or area of the polygons of g, edges straight in
 * lon/lat (geom.h): the edges GEOS cuts along. */
static double measure(GEOSContextHandle_t h, const GEOSGeometry *g, int dim)
{
    return dim == 1 ? fpi_lonlat_length_m(h, g) : fpi_lonlat_area_m2(h, g);
}

static long split_measured(fp_locator *loc, const GEOSGeometry *g, int dim, double weight, double snap_km,
                           fp_share **out, size_t *n, size_t *cap)
{
    GEOSContextHandle_t h = loc->h;
    double total = measure(h, g, dim);
    if (!(total > 0)) {
        /* Degenerate (zero length or area): where its first point is. */
        GEOSGeometry *p = GEOSGeomGetStartPoint_r(h, dim == 1 ? g : GEOSGetExteriorRing_r(h, g));
        double x = 0, y = 0;
        if (p) { GEOSGeomGetX_r(h, p, &x); GEOSGeomGetY_r(h, p, &y); GEOSGeom_destroy_r(h, p); }
        fp_share s = fpi_locate_point(loc, x, y, snap_km);
        s.share = weight;
        return push_share(out, n, cap, s) ? -1 : 1;
    }
    double env[4];
    GEOSGeom_getXMin_r(h, g, &env[0]);
    GEOSGeom_getYMin_r(h, g, &env[1]);
    GEOSGeom_getXMax_r(h, g, &env[2]);
    GEOSGeom_getYMax_r(h, g, &env[3]);
    if (loc->set->kind == FP_SET_POLYGONS) {
        if (cells_candidates(loc, env[0], env[1], env[2], env[3])) return -1;
    } else if (fpi_tessellation_candidates(loc->tess, env, &loc->cand, &loc->ncand, &loc->capcand) < 0) {
        return -1;
    }
    /* Each region takes its part of what the regions before it left (rest,
     * at first the whole geometry), so a piece in several regions -- a line
     * along a border, an overlap of a user's regions -- counts once, where a
     * point on that border goes: the first region in code order; in a grid
     * the cell east / north of the edge (half-open cells), hence the cells
     * from the last. What is left at the end lies at sea. Shares are part /
     * (sum of parts + rest), all measured alike, so a geometry wholly inside
     * the regions leaves no rest. */
    size_t first = *n;
    double sum = 0;
    GEOSGeometry *rest = GEOSGeom_clone_r(h, g);
    if (!rest) return -1;
    int from_last = loc->set->kind == FP_SET_GRID;
    for (size_t k = 0; k < loc->ncand && !GEOSisEmpty_r(h, rest); k++) {
        int r = loc->cand[from_last ? loc->ncand - 1 - k : k];
        const fp_region *reg = &loc->set->items[r];
        if (reg->maxx < env[0] || reg->minx > env[2] || reg->maxy < env[1] || reg->miny > env[3]) continue;
        const GEOSPreparedGeometry *prep;
        const GEOSGeometry *rg = candidate_geometry(loc, r, &prep);
        if (!rg || GEOSPreparedIntersects_r(h, prep, rest) != 1) continue;
        GEOSGeometry *inter = GEOSIntersection_r(h, rg, rest);
        if (!inter) continue;
        double part = measure(h, inter, dim);
        GEOSGeom_destroy_r(h, inter);
        if (!(part > 0)) continue;
        GEOSGeometry *less = GEOSDifference_r(h, rest, rg);
        if (less) { GEOSGeom_destroy_r(h, rest); rest = less; }
        if (push_share(out, n, cap, (fp_share){ r, part, FP_ASSIGN_SPLIT, 0 })) { GEOSGeom_destroy_r(h, rest); return -1; }
        sum += part;
    }
    double rest_measure = measure(h, rest, dim);
    GEOSGeom_destroy_r(h, rest);
    if (*n == first && snap_km > 0) {
        /* Wholly outside every region: like a point, whole to the nearest
         * region when all of it lies within snap_km of the regions (a site
         * stored as a tiny polygon off a generalised coast), else
         * unassigned. */
        fp_share s = snap_geometry(loc, g, snap_km);
        s.share = weight;
        return push_share(out, n, cap, s) ? -1 : 1;
    }
    double whole = sum + rest_measure;
    if (!(whole > 0)) whole = total;
    if (push_share(out, n, cap, (fp_share){ -1, rest_measure, FP_ASSIGN_UNASSIGNED, 0 })) return -1;
    return fold_slivers(*out + first, *n - first, whole, weight, n);
}

long fpi_assign_geometry(fp_locator *loc, const GEOSGeometry *g, double weight, double snap_km,
                        fp_share **out, size_t *n, size_t *cap)
{
    GEOSContextHandle_t h = loc->h;
    int type = GEOSGeomTypeId_r(h, g);
    switch (type) {
    case GEOS_POINT: {
        double x, y;
        if (!GEOSGeomGetX_r(h, g, &x) || !GEOSGeomGetY_r(h, g, &y)) return -1;
        fp_share s = fpi_locate_point(loc, x, y, snap_km);
        s.share = weight;
        return push_share(out, n, cap, s) ? -1 : 1;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
    case GEOS_MULTILINESTRING:
        return split_measured(loc, g, 1, weight, snap_km, out, n, cap);
    case GEOS_POLYGON:
    case GEOS_MULTIPOLYGON:
        return split_measured(loc, g, 2, weight, snap_km, out, n, cap);
    default: {                    /* multipoint, collection: equal parts */
        int k = GEOSGetNumGeometries_r(h, g);
        long added = 0;
        for (int i = 0; i < k; i++) {
            long a = fpi_assign_geometry(loc, GEOSGetGeometryN_r(h, g, i), weight / k, snap_km, out, n, cap);
            if (a < 0) return -1;
            added += a;
        }
        return added;
    }
    }
}

int fpi_tessellation_locate(fp_locator *loc, double x, double y)
{
    return fpi_tessellation_locate_state(loc->tess, x, y);
}
