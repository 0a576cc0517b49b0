/* Region sets: what `--by LEVEL` classifies projects against, and the output
 * levels its result rolls up to.
 *
 *   --by admin1     classify on admin-1; rows for admin1, country, subregion, continent
 *   --by country    classify on countries; rows for country, subregion, continent
 *   --by subregion  classify on countries; rows for subregion, continent
 *   --by continent  classify on countries; rows for continent
 *   --by regions:FILE[:CODEFIELD]   a user's polygon layer; one level
 *   --by grid:DEG, hex:KM           generated cells; one level
 *
 * Continents and subregions are the union of their countries (Natural
 * Earth's `continent` and `subregion` attributes), so their totals are the
 * sums of their countries' by construction. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "store/source_check.h"
#include "common/gdal_api.h"
#include <glib.h>
#include "aggregate_internal.h"
#include "geom/geom.h"
#include "common/util.h"
#include <unistd.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

static char *dup_or(const char *s, const char *dflt)
{
    return strdup(s && *s ? s : dflt);
}

static int copy_wkb(fp_region *reg, const void *blob, int len)
{
    reg->wkb = malloc(len > 0 ? (size_t)len : 1);
    if (!reg->wkb) return -1;
    memcpy(reg->wkb, blob, (size_t)len);
    reg->wkb_len = (size_t)len;
    return 0;
}

static int compare_regions(const void *a, const void *b)
{
    return strcmp(((const fp_region *)a)->code, ((const fp_region *)b)->code);
}

int fpi_region_set_find(const fp_region_set *set, const char *code)
{
    if (set->kind != FP_SET_POLYGONS) {
        for (size_t i = 0; i < set->n; i++)
            if (set->items[i].code && strcmp(set->items[i].code, code) == 0) return (int)i;
        return -1;
    }
    fp_region key = { .code = (char *)code };
    fp_region *r = bsearch(&key, set->items, set->n, sizeof *set->items, compare_regions);
    return r ? (int)(r - set->items) : -1;
}

/* Geodesic area of a WKB polygon, in km². */
static double wkb_area_km2(GEOSContextHandle_t h, GEOSWKBReader *rd, const unsigned char *wkb, size_t len)
{
    GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, wkb, len);
    if (!g) return 0;
    double a = fpi_geodesic_area_m2(h, g) / 1e6;
    GEOSGeom_destroy_r(h, g);
    return a;
}

/* ----------------------------------------------------- from the store --- */

typedef struct country_info {
    char *code, *subregion, *continent;
} country_info;

static int compare_country(const void *a, const void *b)
{
    return strcmp(((const country_info *)a)->code, ((const country_info *)b)->code);
}

/* Runs fn on jobs[0..threads) (each job_size bytes, at most 8), one thread
 * each; job 0 runs here, as does a job whose thread cannot start. */
static void run_jobs(void *(*fn)(void *), void *jobs, size_t job_size, int threads)
{
    pthread_t tid[8];
    int running[8] = {0};
    if (threads > 8) threads = 8;
    for (int t = 1; t < threads; t++) {
        void *job = (char *)jobs + (size_t)t * job_size;
        running[t] = pthread_create(&tid[t], NULL, fn, job) == 0;
        if (!running[t]) fn(job);
    }
    fn(jobs);
    for (int t = 1; t < threads; t++)
        if (running[t]) pthread_join(tid[t], NULL);
}

typedef struct area_job {
    fp_region *items;
    size_t n;
    int t, nthreads;
} area_job;

static void *area_thread(void *arg)
{
    area_job *j = arg;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    for (size_t i = (size_t)j->t; i < j->n; i += (size_t)j->nthreads)
        if (isnan(j->items[i].area_km2)) j->items[i].area_km2 = wkb_area_km2(h, rd, j->items[i].wkb, j->items[i].wkb_len);
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    return NULL;
}

/* Fills the NAN areas of items[] with their geodesic areas, in `threads`
 * threads (each with its own GEOS context; the geodesic code is reentrant). */
static void compute_areas(fp_region *items, size_t n, int threads)
{
    if (threads < 1) threads = 1;
    if (threads > 8) threads = 8;
    area_job jobs[8];
    for (int t = 0; t < threads; t++) jobs[t] = (area_job){ items, n, t, threads };
    run_jobs(area_thread, jobs, sizeof *jobs, threads);
}

/* Reads regions of one level (country or admin1) from the store, with the
 * area cached in regions.area_km2 (computed and written back when missing). */
static fp_status load_store_level(fp_store *store, const char *level, int threads, fp_region **out, size_t *nout,
                                  char ***parent_out, char ***sub_out, char ***cont_out, int *computed_all,
                                  fp_error *err)
{
    fp_rows *q;
    fp_status st = fp_store_regions(store, level, &q, err);
    if (st) return st;
    size_t n = 0, cap = 0;
    fp_region *items = NULL;
    char **parent = NULL, **sub = NULL, **cont = NULL;
    int64_t *ids = NULL;
    while (fp_rows_next(q)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 512;
            fp_region *ni = realloc(items, cap * sizeof *ni);
            char **np = realloc(parent, cap * sizeof *np), **ns = realloc(sub, cap * sizeof *ns),
                 **nc = realloc(cont, cap * sizeof *nc);
            int64_t *nid = realloc(ids, cap * sizeof *nid);
            if (ni) items = ni;
            if (np) parent = np;
            if (ns) sub = ns;
            if (nc) cont = nc;
            if (nid) ids = nid;
            if (!ni || !np || !ns || !nc || !nid) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); break; }
        }
        fp_region *reg = &items[n];
        memset(reg, 0, sizeof *reg);
        ids[n] = fp_rows_int64(q, 0);
        reg->code = dup_or(fp_rows_text(q, 1), "");
        reg->name = dup_or(fp_rows_text(q, 2), reg->code);
        parent[n] = dup_or(fp_rows_text(q, 3), "");
        /* Natural Earth leaves a few (Antarctica, remote islands) without a
         * subregion: they roll up into "none" rather than an empty code. */
        sub[n] = dup_or(fp_rows_text(q, 4), "none");
        cont[n] = dup_or(fp_rows_text(q, 5), "none");
        reg->population = fp_rows_is_null(q, 6) ? -1 : fp_rows_int64(q, 6);
        fp_geom g;
        if (fp_rows_geom(q, 7, 1, &g) != 1) { n++; break; }   /* the cursor's status says why */
        if (copy_wkb(reg, g.wkb, (int)g.wkb_len)) {
            n++;
            st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
            break;
        }
        reg->minx = g.bbox[0];
        reg->miny = g.bbox[1];
        reg->maxx = g.bbox[2];
        reg->maxy = g.bbox[3];
        reg->area_km2 = fp_rows_is_null(q, 8) ? NAN : fp_rows_double(q, 8);    /* NAN: computed below */
        n++;
    }
    if (!st) st = fp_rows_status(q, err);
    fp_rows_free(q);
    if (!st) {
        /* Areas not stored yet (the first run on these regions): computed
         * in threads, written back for the next run. */
        int64_t *mids = malloc((n ? n : 1) * sizeof *mids);
        double *mareas = malloc((n ? n : 1) * sizeof *mareas);
        size_t nm = 0;
        if (!mids || !mareas) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n && !st; i++)
            if (isnan(items[i].area_km2)) mids[nm++] = (int64_t)i;    /* the index, for now */
        if (!st && nm) compute_areas(items, n, threads);
        for (size_t k = 0; k < nm && !st; k++) {
            mareas[k] = items[mids[k]].area_km2;
            mids[k] = ids[mids[k]];
        }
        if (!st) st = fp_store_region_set_areas(store, mids, mareas, nm, err);
        if (computed_all) *computed_all = nm == n;
        free(mids);
        free(mareas);
    }
    free(ids);
    *out = items;
    *nout = n;
    *parent_out = parent;
    *sub_out = sub;
    *cont_out = cont;
    return st;
}

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

/* The levels derived from countries, as the store names them. */
static const char *const group_names[2] = { "subregion", "continent" };

/* One derived row to compute: the union of the base regions whose key is
 * the row's code. */
typedef struct union_task {
    fp_output_level *lv;
    int level;                    /* lv's index in derive_levels' list: the order of ties */
    size_t row;
    char **key, **parent_key;
    size_t cost;                  /* bytes of WKB in the union: longest first */
} union_task;

/* The unions of one derive_levels call, shared by its threads: each thread
 * (with its own GEOS context) takes the next task of a list sorted longest
 * first, so the two levels' unions spread over the cores as one batch
 * (round-robin per level left one core idle behind Northern America's). */
typedef struct union_pool {
    union_task *tasks;
    size_t n_tasks;
    const fp_region *src;
    size_t n;
    atomic_size_t next;
    atomic_int nomem;
} union_pool;

typedef struct union_worker { union_pool *pool; } union_worker;

/* The union of polygons that tile without overlapping, as countries cut
 * from one set of shared borders do (geodata/regions.gpkg: the countries
 * are dissolved from the same simplified admin-1 arcs). GEOS's coverage
 * union only merges the shared edges, at three quarters of the CPU time of
 * a full overlay on the default regions, and its subregions and continents
 * are the same shapes (parts, vertices, area, empty symmetric difference,
 * checked with SpatiaLite). It is not checked that the input is such a
 * coverage, so the result is kept only when it is valid and its area is
 * the sum of the parts' (overlapping parts would be counted twice); else
 * NULL, and the caller does the full union. */
static GEOSGeometry *coverage_union(GEOSContextHandle_t h, const GEOSGeometry *coll, double parts_area)
{
    GEOSGeometry *uni = GEOSCoverageUnion_r(h, coll);
    double a;
    if (uni && GEOSisValid_r(h, uni) == 1 && GEOSArea_r(h, uni, &a) && fabs(a - parts_area) <= 1e-9 * parts_area)
        return uni;
    if (uni) GEOSGeom_destroy_r(h, uni);
    return NULL;
}

static void union_one(GEOSContextHandle_t h, GEOSWKBReader *rd, GEOSWKBWriter *w, const union_pool *pool,
                      const union_task *task, GEOSGeometry **parts, int *nomem)
{
    fp_level_region *row = &task->lv->rows[task->row];
    row->population = -1;         /* the sum of the known populations */
    size_t np = 0;
    double parts_area = 0;
    for (size_t i = 0; i < pool->n; i++) {
        if (strcmp(task->key[i], row->code)) continue;
        if (!row->parent && task->parent_key) row->parent = strdup(task->parent_key[i]);
        row->area_km2 += pool->src[i].area_km2;
        if (pool->src[i].population >= 0) row->population = (row->population < 0 ? 0 : row->population) + pool->src[i].population;
        GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, pool->src[i].wkb, pool->src[i].wkb_len);
        double a;
        if (g && GEOSArea_r(h, g, &a)) parts_area += a;
        if (g) parts[np++] = g;
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
    GEOSGeometry *uni = coll ? coverage_union(h, coll, parts_area) : NULL;
    if (coll && !uni) uni = GEOSUnaryUnion_r(h, coll);
    if (coll) GEOSGeom_destroy_r(h, coll);
    else for (size_t i = 0; i < np; i++) GEOSGeom_destroy_r(h, parts[i]);
    if (!uni) return;
    size_t len = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, w, uni, &len);
    if (wkb) {
        row->wkb = malloc(len);
        if (row->wkb) { memcpy(row->wkb, wkb, len); row->wkb_len = len; }
        else *nomem = 1;
        GEOSFree_r(h, wkb);
    }
    GEOSGeom_destroy_r(h, uni);
}

static void *union_worker_run(void *arg)
{
    union_pool *pool = ((union_worker *)arg)->pool;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    GEOSGeometry **parts = malloc((pool->n ? pool->n : 1) * sizeof *parts);
    int nomem = !parts;
    for (size_t t; !nomem && (t = atomic_fetch_add(&pool->next, 1)) < pool->n_tasks;)
        union_one(h, rd, w, pool, &pool->tasks[t], parts, &nomem);
    if (nomem) atomic_store(&pool->nomem, 1);
    free(parts);
    GEOSWKBWriter_destroy_r(h, w);
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    return NULL;
}

static int compare_task_cost(const void *a, const void *b)
{
    const union_task *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
    if (x->level != y->level) return x->level < y->level ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* The rows of a derived level: one per distinct key, sorted, each named by
 * its code (unions not computed yet). */
static fp_status derived_rows(fp_output_level *lv, const char *name, size_t n, char **key, fp_error *err)
{
    snprintf(lv->name, sizeof lv->name, "%s", name);
    char **keys = malloc((n ? n : 1) * sizeof *keys);
    size_t nk = 0;
    if (!keys) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) keys[nk++] = key[i];
    qsort(keys, nk, sizeof *keys, strcmp_ptr);
    size_t u = 0;
    for (size_t i = 0; i < nk; i++)
        if (u == 0 || strcmp(keys[u - 1], keys[i])) keys[u++] = keys[i];
    lv->rows = calloc(u ? u : 1, sizeof *lv->rows);
    if (!lv->rows) { free(keys); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    lv->n = u;
    int nomem = 0;
    for (size_t k = 0; k < u; k++) {
        lv->rows[k].code = strdup(keys[k]);
        lv->rows[k].name = strdup(keys[k]);
        if (!lv->rows[k].code || !lv->rows[k].name) nomem = 1;
    }
    free(keys);
    return nomem ? fp_error_set(err, FP_ERR_NOMEM, "out of memory") : FP_OK;
}

/* Levels made of unions of base regions: level l groups src[i] by
 * keys[l][i] (its rows' parents from parent_keys[l], may be NULL). All the
 * levels' unions go to one pool of `threads` threads. */
static fp_status derive_levels(int nlv, fp_output_level *const *lv, const char *const *names, fp_region *src, size_t n,
                               char **const *keys, char **const *parent_keys, int threads, fp_error *err)
{
    size_t n_tasks = 0;
    for (int l = 0; l < nlv; l++) {
        fp_status st = derived_rows(lv[l], names[l], n, keys[l], err);
        if (st) return st;
        n_tasks += lv[l]->n;
    }
    union_pool pool = { .src = src, .n = n };
    pool.tasks = malloc((n_tasks ? n_tasks : 1) * sizeof *pool.tasks);
    if (!pool.tasks) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    for (int l = 0; l < nlv; l++)
        for (size_t k = 0; k < lv[l]->n; k++) {
            union_task *t = &pool.tasks[pool.n_tasks++];
            *t = (union_task){ lv[l], l, k, keys[l], parent_keys[l], 0 };
            for (size_t i = 0; i < n; i++)
                if (!strcmp(keys[l][i], lv[l]->rows[k].code)) t->cost += src[i].wkb_len;
        }
    qsort(pool.tasks, pool.n_tasks, sizeof *pool.tasks, compare_task_cost);
    atomic_init(&pool.next, 0);
    atomic_init(&pool.nomem, 0);
    if (threads < 1) threads = 1;
    if (threads > 8) threads = 8;
    if ((size_t)threads > n_tasks) threads = n_tasks ? (int)n_tasks : 1;
    union_worker workers[8];
    for (int t = 0; t < threads; t++) workers[t].pool = &pool;
    run_jobs(union_worker_run, workers, sizeof *workers, threads);
    free(pool.tasks);
    return atomic_load(&pool.nomem) ? fp_error_set(err, FP_ERR_NOMEM, "out of memory") : FP_OK;
}

static void free_level(fp_output_level *lv)
{
    for (size_t i = 0; i < lv->n; i++) {
        fp_level_region *row = &lv->rows[i];
        free(row->code);
        free(row->name);
        free(row->parent);
        free(row->wkb);
    }
    free(lv->rows);
    lv->rows = NULL;
    lv->n = 0;
}

/* Stores a derived level's rows in the store's region_groups. */
static fp_status put_groups(fp_store *store, const char *name, const fp_output_level *lv, fp_error *err)
{
    fp_region_group *groups = calloc(lv->n ? lv->n : 1, sizeof *groups);
    if (!groups) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < lv->n; i++) {
        const fp_level_region *row = &lv->rows[i];
        groups[i] = (fp_region_group){ row->code, row->name, row->parent, row->population, row->area_km2,
                                       row->wkb, row->wkb_len };
    }
    int stored;
    fp_status st = fp_store_region_groups_put(store, name, groups, lv->n, &stored, err);
    free(groups);
    return st;
}

/* Reads a derived level from the store's region_groups; lv->n == 0 when
 * it is not stored yet. */
static fp_status read_groups(fp_store *store, fp_output_level *lv, const char *name, fp_error *err)
{
    fp_rows *q;
    fp_status st = fp_store_region_groups(store, name, &q, err);
    if (st) return st;
    size_t cap = 0;
    snprintf(lv->name, sizeof lv->name, "%s", name);
    while (fp_rows_next(q)) {
        if (lv->n == cap) {
            cap = cap ? cap * 2 : 32;
            fp_level_region *nr = realloc(lv->rows, cap * sizeof *nr);
            if (!nr) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); break; }
            lv->rows = nr;
        }
        fp_level_region *row = &lv->rows[lv->n++];
        memset(row, 0, sizeof *row);
        row->code = dup_or(fp_rows_text(q, 0), "");
        row->name = dup_or(fp_rows_text(q, 1), row->code);
        row->parent = fp_rows_is_null(q, 2) ? NULL : dup_or(fp_rows_text(q, 2), "");
        row->population = fp_rows_is_null(q, 3) ? -1 : fp_rows_int64(q, 3);
        row->area_km2 = fp_rows_double(q, 4);
        size_t len;
        const void *wkb = fp_rows_blob(q, 5, &len);
        if (len > 0) {
            row->wkb = malloc(len);
            if (row->wkb) { memcpy(row->wkb, wkb, len); row->wkb_len = len; }
        }
    }
    if (!st) st = fp_rows_status(q, err);
    fp_rows_free(q);
    return st;
}

/* derive_levels through the region_groups cache of the store: the levels
 * stored already are read, the others computed together and stored (inside
 * the caller's transaction). computed[l] (may be NULL) says which. */
static fp_status derive_levels_cached(fp_store *store, int nlv, fp_output_level *const *lv, const char *const *names,
                                      fp_region *src, size_t n, char **const *keys, char **const *parent_keys,
                                      int threads, int *computed, fp_error *err)
{
    fp_output_level *todo[4];
    const char *todo_names[4];
    char **todo_keys[4], **todo_parents[4];
    int nt = 0;
    for (int l = 0; l < nlv && l < 4; l++) {
        if (computed) computed[l] = 0;
        fp_status st = read_groups(store, lv[l], names[l], err);
        if (st) return st;
        if (lv[l]->n) continue;
        if (computed) computed[l] = 1;
        todo[nt] = lv[l];
        todo_names[nt] = names[l];
        todo_keys[nt] = keys[l];
        todo_parents[nt++] = parent_keys[l];
    }
    if (!nt) return FP_OK;
    fp_status st = derive_levels(nt, todo, todo_names, src, n, todo_keys, todo_parents, threads, err);
    for (int l = 0; l < nt && !st; l++) st = put_groups(store, todo_names[l], todo[l], err);
    return st;
}

/* Rows of the level the set itself classifies into. */
static fp_status level_from_items(fp_output_level *lv, const char *name, const fp_region_set *set,
                                  char **parent, fp_error *err)
{
    snprintf(lv->name, sizeof lv->name, "%s", name);
    lv->rows = calloc(set->n ? set->n : 1, sizeof *lv->rows);
    if (!lv->rows) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < set->n; i++) {
        const fp_region *reg = &set->items[i];
        if (!reg->code) continue;                 /* a hex slot outside the extent */
        fp_level_region *row = &lv->rows[lv->n++];
        row->code = strdup(reg->code);
        row->name = strdup(reg->name);
        row->parent = parent && parent[i][0] ? strdup(parent[i]) : NULL;
        row->population = reg->population;
        row->area_km2 = reg->area_km2;
        row->wkb = malloc(reg->wkb_len ? reg->wkb_len : 1);
        if (!row->code || !row->name || !row->wkb) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        memcpy(row->wkb, reg->wkb, reg->wkb_len);
        row->wkb_len = reg->wkb_len;
    }
    return FP_OK;
}

/* Moves a loaded level into a set's items (sorted by code already). */
static fp_status set_from_store(fp_store *store, fp_region_set *set, const char *main, int threads, fp_error *err)
{
    fp_region *countries = NULL;
    size_t nc = 0;
    char **cparent = NULL, **csub = NULL, **ccont = NULL;
    fp_status st = load_store_level(store, "country", threads, &countries, &nc, &cparent, &csub, &ccont, NULL, err);
    if (st) goto out;
    if (nc == 0) {
        st = fp_error_set(err, FP_ERR_STATE, "%s: no country regions; run `footprint init`", fp_store_path(store));
        goto out;
    }
    if (strcmp(main, "admin1") == 0) {
        fp_region *a1 = NULL;
        size_t na = 0;
        char **aparent = NULL, **asub = NULL, **acont = NULL;
        st = load_store_level(store, "admin1", threads, &a1, &na, &aparent, &asub, &acont, NULL, err);
        set->items = a1;
        set->n = na;
        if (!st && na == 0)
            st = fp_error_set(err, FP_ERR_STATE, "%s: no admin-1 regions in the store", fp_store_path(store));
        /* Up codes: itself, its country, the country's subregion and continent. */
        country_info *ci = calloc(nc ? nc : 1, sizeof *ci);
        if (!st && !ci) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; !st && i < nc; i++) ci[i] = (country_info){ countries[i].code, csub[i], ccont[i] };
        char **sub = calloc(na ? na : 1, sizeof *sub), **cont = calloc(na ? na : 1, sizeof *cont);
        for (size_t i = 0; !st && i < na; i++) {
            country_info key = { .code = aparent[i] }, *c = bsearch(&key, ci, nc, sizeof *ci, compare_country);
            fp_region *reg = &set->items[i];
            reg->up[0] = strdup(reg->code);
            reg->up[1] = strdup(aparent[i]);
            reg->up[2] = strdup(c ? c->subregion : "");
            reg->up[3] = strdup(c ? c->continent : "");
            sub[i] = reg->up[2];
            cont[i] = reg->up[3];
        }
        set->nlevels = 4;
        if (!st) st = level_from_items(&set->levels[0], "admin1", set, aparent, err);
        /* Countries as they are; subregions and continents as unions of countries. */
        if (!st) {
            fp_region_set cs = { .kind = FP_SET_POLYGONS, .items = countries, .n = nc };
            st = level_from_items(&set->levels[1], "country", &cs, csub, err);
        }
        if (!st) {
            fp_output_level *const lvs[2] = { &set->levels[2], &set->levels[3] };
            st = derive_levels_cached(store, 2, lvs, group_names, countries, nc, (char **const[]){ csub, ccont },
                                      (char **const[]){ ccont, NULL }, threads, NULL, err);
        }
        free(sub);
        free(cont);
        free(ci);
        free_strings(aparent, na);
        free_strings(asub, na);
        free_strings(acont, na);
        goto out;
    }
    set->items = countries;
    set->n = nc;
    countries = NULL;
    int start = strcmp(main, "country") == 0 ? 0 : strcmp(main, "subregion") == 0 ? 1 : 2;
    for (size_t i = 0; i < set->n; i++) {
        fp_region *reg = &set->items[i];
        const char *chain[3] = { reg->code, csub[i], ccont[i] };
        for (int l = start; l < 3; l++) reg->up[l - start] = strdup(chain[l]);
    }
    set->nlevels = 3 - start;
    int l = 0;
    if (start == 0) st = level_from_items(&set->levels[l++], "country", set, csub, err);
    if (!st) {
        /* Subregions (unless the set is them) and continents. */
        int from = start <= 1 ? 0 : 1;
        fp_output_level *const lvs[2] = { &set->levels[l], &set->levels[l + 1] };
        st = derive_levels_cached(store, 2 - from, lvs, group_names + from, set->items, set->n,
                                  (char **const[]){ csub, ccont } + from, (char **const[]){ ccont, NULL } + from,
                                  threads, NULL, err);
    }
out:
    if (countries) {
        fp_region_set cs = { .items = countries, .n = nc };
        fpi_region_set_free_items(&cs);
    }
    free_strings(cparent, nc);
    free_strings(csub, nc);
    free_strings(ccont, nc);
    return st;
}

/* ------------------------------------------------------ from a file --- */

static int field_index_ci(OGRFeatureDefnH defn, const char *const *names)
{
    for (int k = 0; names[k]; k++)
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
            if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), names[k]) == 0) return i;
    return -1;
}

/* The field PREFIX<digit>SUFFIX (case aside) of the highest digit: the finest
 * level of an OCHA COD-AB layer (ADM2_PCODE over ADM1_PCODE, ADM2_EN) or a
 * GADM one (GID_2, NAME_2). -1 when none. */
static int admin_level_field(OGRFeatureDefnH defn, const char *prefix, const char *suffix)
{
    int best = -1, best_level = -1;
    size_t np = strlen(prefix), ns = strlen(suffix);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (strlen(f) != np + 1 + ns || strncasecmp(f, prefix, np) || !g_ascii_isdigit(f[np]) ||
            strcasecmp(f + np + 1, suffix))
            continue;
        if (f[np] - '0' > best_level) { best_level = f[np] - '0'; best = i; }
    }
    return best;
}

/* The only field whose name ends in _NAME (DIST_NAME, DISTRICT_NAME), or -1. */
static int only_name_field(OGRFeatureDefnH defn)
{
    int found = -1;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        size_t n = strlen(f);
        if (n > 5 && !strcasecmp(f + n - 5, "_name")) {
            if (found >= 0) return -1;
            found = i;
        }
    }
    return found;
}

static fp_status set_from_file(fp_region_set *set, const char *path, const char *code_field,
                               const char *cache_dir, fp_error *err)
{
    if (access(path, R_OK) != 0)
        return fp_error_set(err, FP_ERR_IO, "%s: cannot read the regions file: %s", path, strerror(errno));
    /* The same bytes prepared before: skip GDAL, the repair and the areas
     * (region_cache.c). */
    char key[65];
    int keyed = cache_dir && fpi_region_cache_key(path, code_field, key) == 0;
    if (keyed && fpi_region_cache_load(cache_dir, key, set)) {
        set->nlevels = 1;
        return level_from_items(&set->levels[0], "regions", set, NULL, err);
    }
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    char virt[300];
    if (fpi_sqlite_source_problem(path, virt, sizeof virt)) return fp_error_set(err, FP_ERR_INPUT, "%s: %s", path, virt);
    fpi_gdal_errors opening;
    GDALDatasetH ds = fpi_gdal_open_vector(path, NULL, &opening);
    if (!ds) return fp_error_set(err, FP_ERR_INPUT, "%s: not a vector format GDAL reads%s%s", path,
                                 opening.text[0] ? ": " : "", opening.text);
    OGRLayerH layer = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
    fp_status st = FP_OK;
    char why[640], from[192] = "";
    void *ct = NULL;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    GString *nocode = g_string_new(NULL);   /* features without a code: "12 (Kosovo), 40" */
    if (!layer) { st = fp_error_set(err, FP_ERR_INPUT, "%s: no layer", path); goto out; }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int code_idx;
    if (code_field) {
        code_idx = OGR_FD_GetFieldIndex(defn, code_field);
        if (code_idx < 0) {
            st = fp_error_set(err, FP_ERR_USAGE, "%s: no field '%s' for the region code", path, code_field);
            goto out;
        }
    } else {
        static const char *const guess[] = { "code", "id", "iso_a3", "iso", "gid", "pcode", NULL };
        code_idx = field_index_ci(defn, guess);
        /* Administrative boundaries as OCHA (HDX) and GADM publish them. */
        if (code_idx < 0) code_idx = admin_level_field(defn, "ADM", "_PCODE");
        if (code_idx < 0) code_idx = admin_level_field(defn, "GID_", "");
    }
    static const char *const names[] = { "name", "name_en", "label", NULL };
    static const char *const pops[] = { "population", "pop", "pop_est", NULL };
    int name_idx = field_index_ci(defn, names), pop_idx = field_index_ci(defn, pops);
    if (name_idx < 0) name_idx = admin_level_field(defn, "ADM", "_EN");
    if (name_idx < 0) name_idx = admin_level_field(defn, "ADM", "_NAME");
    if (name_idx < 0) name_idx = admin_level_field(defn, "NAME_", "");
    if (name_idx < 0) name_idx = only_name_field(defn);
    set->has_population = pop_idx >= 0;
    /* A CRS GDAL could not read (a broken .prj, an unknown or linked
     * GeoJSON crs) was taken as WGS 84: metres were read as degrees, every
     * project went unassigned and the areas were 0. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int crs_bad = fpi_declared_crs_problem(ds, path, opening.crs_failure, opening.text, why, sizeof why);
    int crs_rc = crs_bad ? 0 : fpi_layer_to_wgs84(layer, &ct, from, sizeof from);
    CPLPopErrorHandler();
    if (crs_bad) {
        st = fp_error_set(err, FP_ERR_INPUT, "%s: %s; a regions file needs a CRS PROJ knows (or none, for WGS 84 lon/lat)",
                          path, why);
        goto out;
    }
    if (crs_rc) {
        st = fp_error_set(err, FP_ERR_INPUT, "%s: PROJ cannot transform the layer's CRS (%s) to WGS 84", path,
                          from[0] ? from : "unnamed");
        goto out;
    }
    size_t cap = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    long feature = 0, nocode_n = 0;
    while (!st && (f = OGR_L_GetNextFeature(layer))) {
        feature++;
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        char fid[32];
        snprintf(fid, sizeof fid, "%lld", (long long)OGR_F_GetFID(f));
        /* The feature id is the code only of a layer with no code field at
         * all. A feature whose code field is empty or missing is named and
         * refused at the end (all of them at once): its id as code would
         * clash with another feature's real code, or pass unnoticed. */
        /* Code and name as valid UTF-8: a DBF whose code page GDAL does not
         * know (no .cpg) hands over its bytes, read as Windows-1252 rather
         * than stored as invalid UTF-8 (exports wrote them under a UTF-8
         * .cpg, and as invalid GeoJSON). */
        char *code_text = code_idx < 0 ? strdup(fid)
                        : OGR_F_IsFieldSetAndNotNull(f, code_idx) ? fpi_text_utf8(OGR_F_GetFieldAsString(f, code_idx), NULL)
                                                                  : NULL;
        char *name_text = name_idx >= 0 && OGR_F_IsFieldSetAndNotNull(f, name_idx)
                        ? fpi_text_utf8(OGR_F_GetFieldAsString(f, name_idx), NULL) : NULL;
        const char *code = code_text;
        if (!code || !*code) {
            if (nocode_n++ < 5) {
                const char *nm = name_text ? name_text : "";
                g_string_append_printf(nocode, "%s%ld%s%s%s", nocode_n > 1 ? ", " : "", feature, *nm ? " (" : "", nm,
                                       *nm ? ")" : "");
            }
            free(code_text);
            free(name_text);
            OGR_F_Destroy(f);
            continue;
        } else if (!geom || OGR_G_IsEmpty(geom)) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): no geometry", path, feature, code);
        } else if (wkbFlatten(OGR_G_GetGeometryType(geom)) != wkbPolygon &&
                   wkbFlatten(OGR_G_GetGeometryType(geom)) != wkbMultiPolygon) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): a %s, not a polygon", path, feature, code,
                              OGRGeometryTypeToName(OGR_G_GetGeometryType(geom)));
        } else if (ct && OGR_G_Transform(geom, (OGRCoordinateTransformationH)ct) != OGRERR_NONE) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): cannot transform to WGS 84", path, feature, code);
        } else if (fpi_region_extent_problem(geom, path, feature, code, name_text, from, why, sizeof why)) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s", why);
        }
        if (!st && set->n == cap) {
            cap = cap ? cap * 2 : 256;
            fp_region *ni = realloc(set->items, cap * sizeof *ni);
            if (!ni) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
            else set->items = ni;
        }
        if (!st) {
            OGR_G_FlattenTo2D(geom);
            int len = OGR_G_WkbSize(geom);
            unsigned char *wkb = malloc((size_t)len);
            GEOSGeometry *g = NULL;
            if (wkb && OGR_G_ExportToWkb(geom, wkbNDR, wkb) == OGRERR_NONE)
                g = GEOSWKBReader_read_r(h, rd, wkb, (size_t)len);
            free(wkb);
            if (g) {
                /* Cut at the antimeridian first, as aggregate reads every
                 * other geometry: Russia's ring from 179.87 E to -180 and
                 * back is valid once cut, and GEOS's repair of the uncut
                 * ring made a band round the world of it. */
                GEOSGeometry *c = fpi_cut_if_crossing(h, g);
                if (c != g) set->cut++;
                g = c;
            }
            if (g && GEOSisValid_r(h, g) != 1) {
                /* Repair rather than refuse: a user's layer often has small
                 * self-intersections; the repair keeps the covered area. */
                GEOSGeometry *fixed = fpi_make_valid(h, g);
                GEOSGeom_destroy_r(h, g);
                g = fixed;
                set->repaired++;
            }
            fp_region *reg = &set->items[set->n];
            memset(reg, 0, sizeof *reg);
            if (!g) {
                st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): GEOS cannot read the polygon", path, feature, code);
            } else {
                reg->code = strdup(code);
                reg->name = strdup(name_text ? name_text : code);
                reg->population = pop_idx >= 0 && OGR_F_IsFieldSetAndNotNull(f, pop_idx) ? OGR_F_GetFieldAsInteger64(f, pop_idx) : -1;
                reg->up[0] = strdup(code);
                reg->area_km2 = fpi_geodesic_area_m2(h, g) / 1e6;
                size_t wl = 0;
                unsigned char *gw = GEOSWKBWriter_write_r(h, w, g, &wl);
                reg->wkb = gw ? malloc(wl) : NULL;
                if (reg->wkb) { memcpy(reg->wkb, gw, wl); reg->wkb_len = wl; }
                if (gw) GEOSFree_r(h, gw);
                GEOSGeom_getXMin_r(h, g, &reg->minx);
                GEOSGeom_getYMin_r(h, g, &reg->miny);
                GEOSGeom_getXMax_r(h, g, &reg->maxx);
                GEOSGeom_getYMax_r(h, g, &reg->maxy);
                GEOSGeom_destroy_r(h, g);
                set->n++;
                if (!reg->code || !reg->name || !reg->up[0] || !reg->wkb)
                    st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
            }
        }
        free(code_text);
        free(name_text);
        OGR_F_Destroy(f);
    }
    if (!st && nocode_n) {
        const char *fname = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, code_idx));
        st = fp_error_set(err, FP_ERR_INPUT, "%s: %ld feature%s without a region code in field '%s': %s%s; "
                          "name a field every feature fills with regions:FILE:CODEFIELD", path, nocode_n,
                          nocode_n == 1 ? "" : "s", fname, nocode->str, nocode_n > 5 ? ", ..." : "");
    }
    if (!st && set->n == 0) st = fp_error_set(err, FP_ERR_INPUT, "%s: no polygons", path);
    if (!st) {
        qsort(set->items, set->n, sizeof *set->items, compare_regions);
        for (size_t i = 1; i < set->n && !st; i++)
            if (strcmp(set->items[i - 1].code, set->items[i].code) == 0)
                st = fp_error_set(err, FP_ERR_INPUT, "%s: region code '%s' appears more than once; "
                                  "name a unique field with regions:FILE:CODEFIELD", path, set->items[i].code);
    }
    if (!st) {
        set->nlevels = 1;
        st = level_from_items(&set->levels[0], "regions", set, NULL, err);
    }
    if (!st && keyed) fpi_region_cache_save(cache_dir, key, set);
out:
    g_string_free(nocode, TRUE);
    if (ct) OCTDestroyCoordinateTransformation((OGRCoordinateTransformationH)ct);
    GEOSWKBWriter_destroy_r(h, w);
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    GDALClose(ds);
    return st;
}

/* ------------------------------------------------------------- public --- */

static int parse_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == 0 && isfinite(*v);
}

fp_status fpi_region_set_load(fp_store *store, const char *by, const double extent[4], int threads,
                             fp_region_set **out, fp_error *err)
{
    *out = NULL;
    fp_region_set *set = calloc(1, sizeof *set);
    if (!set) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    snprintf(set->spec, sizeof set->spec, "%s", by);
    fp_status st;
    double v;
    if (!strcmp(by, "country") || !strcmp(by, "admin1") || !strcmp(by, "subregion") || !strcmp(by, "continent")) {
        set->kind = FP_SET_POLYGONS;
        set->has_population = 1;
        st = set_from_store(store, set, by, threads, err);
    } else if (!strncmp(by, "regions:", 8) && by[8]) {
        set->kind = FP_SET_POLYGONS;
        char *path = strdup(by + 8), *field = NULL;
        if (!path) { free(set); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
        char *colon = strrchr(path, ':');
        if (colon && access(path, F_OK) != 0) { *colon = 0; field = colon + 1; }
        st = set_from_file(set, path, field && *field ? field : NULL,
                           fp_context_cache_dir(fp_store_context(store)), err);
        free(path);
    } else if (!strncmp(by, "grid:", 5)) {
        st = parse_number(by + 5, &v) ? fpi_grid_generate(set, extent, v, err)
                                      : fp_error_set(err, FP_ERR_USAGE, "--by %s: expected grid:DEGREES, e.g. grid:1", by);
        if (!st) {
            for (size_t i = 0; i < set->n; i++) set->items[i].up[0] = strdup(set->items[i].code);
            set->nlevels = 1;
            st = level_from_items(&set->levels[0], "grid", set, NULL, err);
        }
    } else if (!strncmp(by, "hex:", 4)) {
        st = parse_number(by + 4, &v) ? fpi_hex_generate(set, extent, v, err)
                                      : fp_error_set(err, FP_ERR_USAGE, "--by %s: expected hex:KM, e.g. hex:100", by);
        if (!st) {
            for (size_t i = 0; i < set->n; i++)
                if (set->items[i].code) set->items[i].up[0] = strdup(set->items[i].code);
            set->nlevels = 1;
            st = level_from_items(&set->levels[0], "hex", set, NULL, err);
        }
    } else {
        st = fp_error_set(err, FP_ERR_USAGE, "--by %s: expected country, admin1, continent, subregion, "
                          "grid:DEGREES, hex:KM or regions:FILE[:CODEFIELD]", by);
    }
    if (st) {
        fpi_region_set_free(set);
        return st;
    }
    *out = set;
    return FP_OK;
}

/* A store level's polygons alone, for point look-ups (data QA): no up
 * codes and no output levels, so the subregion and continent unions are not
 * read (a third of a small import's CPU time went there). */
fp_status fpi_region_set_load_polygons(fp_store *store, const char *level, fp_region_set **out, fp_error *err)
{
    *out = NULL;
    fp_region_set *set = calloc(1, sizeof *set);
    if (!set) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    snprintf(set->spec, sizeof set->spec, "%s", level);
    set->kind = FP_SET_POLYGONS;
    set->has_population = 1;
    char **parent = NULL, **sub = NULL, **cont = NULL;
    fp_status st = load_store_level(store, level, 0, &set->items, &set->n, &parent, &sub, &cont, NULL, err);
    free_strings(parent, set->n);
    free_strings(sub, set->n);
    free_strings(cont, set->n);
    if (st) {
        fpi_region_set_free(set);
        return st;
    }
    *out = set;
    return FP_OK;
}

void fpi_region_set_free_items(fp_region_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        fp_region *r = &set->items[i];
        free(r->code);
        free(r->name);
        for (int l = 0; l < FP_MAX_LEVELS; l++) free(r->up[l]);
        free(r->wkb);
    }
    free(set->items);
    set->items = NULL;
    set->n = 0;
}

void fpi_region_set_free(fp_region_set *set)
{
    if (!set) return;
    fpi_region_set_free_items(set);
    for (int l = 0; l < FP_MAX_LEVELS; l++) free_level(&set->levels[l]);
    free(set);
}

/* The stored rows of a level as the prepared-regions cache needs them: in
 * fp_store_regions' order, each id, code and whether its area is stored. */
typedef struct stored_level {
    size_t n, cap;
    int64_t *ids;
    char **codes;
    unsigned char *has_area;
} stored_level;

static void stored_level_free(stored_level *sl)
{
    for (size_t i = 0; i < sl->n; i++) free(sl->codes[i]);
    free(sl->ids);
    free(sl->codes);
    free(sl->has_area);
    memset(sl, 0, sizeof *sl);
}

static int stored_level_add(stored_level *sl, int64_t id, const char *code, int has_area)
{
    if (sl->n == sl->cap) {
        size_t cap = sl->cap ? sl->cap * 2 : 512;
        int64_t *ni = realloc(sl->ids, cap * sizeof *ni);
        if (ni) sl->ids = ni;
        char **nc = realloc(sl->codes, cap * sizeof *nc);
        if (nc) sl->codes = nc;
        unsigned char *nh = realloc(sl->has_area, cap);
        if (nh) sl->has_area = nh;
        if (!ni || !nc || !nh) return -1;
        sl->cap = cap;
    }
    if (!(sl->codes[sl->n] = strdup(code ? code : ""))) return -1;
    sl->ids[sl->n] = id;
    sl->has_area[sl->n++] = (unsigned char)has_area;
    return 0;
}

/* One pass over the country and admin-1 rows: the digest (hex SHA-256) of
 * what fp_aggregate_prepare computes from (codes, names, parents, groups,
 * populations, geometries, in the order the store reads them), and rows[]
 * for matching a cache entry. Any change to the regions (a re-loaded file, a
 * Shapefile's edited .dbf, a hand-edited row) changes the digest. */
static fp_status read_stored_regions(fp_store *store, char digest[65], stored_level rows[2], fp_error *err)
{
    static const char *const levels[2] = { "country", "admin1" };
    fpi_sha256 *sum = fpi_sha256_new();
    if (!sum) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    fp_status st = FP_OK;
    for (int l = 0; l < 2 && !st; l++) {
        fp_rows *q;
        if ((st = fp_store_regions(store, levels[l], &q, err))) break;
        fpi_sha256_add_string(sum, levels[l]);
        while (!st && fp_rows_next(q)) {
            for (int c = 1; c <= 5; c++) {   /* code, name, parent, subregion, continent */
                const char *v = fp_rows_is_null(q, c) ? NULL : fp_rows_text(q, c);
                fpi_sha256_add(sum, v ? "t" : "n", 1);
                if (v) fpi_sha256_add_string(sum, v);
            }
            int64_t pop = fp_rows_is_null(q, 6) ? INT64_MIN : fp_rows_int64(q, 6);
            fpi_sha256_add(sum, &pop, sizeof pop);
            if (stored_level_add(&rows[l], fp_rows_int64(q, 0), fp_rows_text(q, 1), !fp_rows_is_null(q, 8)))
                st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
            fp_geom g;
            if (fp_rows_geom(q, 7, 1, &g) != 1) break;   /* the cursor's status says why */
            uint64_t wl = g.wkb_len;
            fpi_sha256_add(sum, &wl, sizeof wl);
            fpi_sha256_add(sum, g.wkb, g.wkb_len);
        }
        if (!st) st = fp_rows_status(q, err);
        fp_rows_free(q);
    }
    if (!st && fpi_sha256_hex(sum, digest)) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    fpi_sha256_free(sum);
    return st;
}

/* Fills a store's missing areas and region groups from a cache entry of the
 * same regions. *applied 0 (and the store untouched) when the entry does
 * not fit: a level's codes differ from the stored rows'. */
static fp_status apply_prepared(fp_store *store, const fpi_prepared_regions *p, const stored_level rows[2],
                                int *applied, fp_error *err)
{
    *applied = 0;
    for (int l = 0; l < 2; l++) {
        if (rows[l].n != p->n_areas[l]) return FP_OK;
        for (size_t i = 0; i < rows[l].n; i++)
            if (strcmp(rows[l].codes[i], p->codes[l][i])) return FP_OK;
    }
    fp_status st = FP_OK;
    for (int l = 0; l < 2 && !st; l++) {
        size_t n = rows[l].n, nset = 0;
        int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
        double *areas = malloc((n ? n : 1) * sizeof *areas);
        if (!ids || !areas) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n && !st; i++)
            if (!rows[l].has_area[i]) { ids[nset] = rows[l].ids[i]; areas[nset++] = p->areas[l][i]; }
        if (!st) st = fp_store_region_set_areas(store, ids, areas, nset, err);
        free(ids);
        free(areas);
    }
    for (int l = 0; l < 2 && !st; l++) {
        fp_rows *q;
        if ((st = fp_store_region_groups(store, group_names[l], &q, err))) break;
        int have = fp_rows_next(q);
        st = fp_rows_status(q, err);
        fp_rows_free(q);
        if (!st && !have) st = put_groups(store, group_names[l], &p->groups[l], err);
    }
    if (!st) *applied = 1;
    return st;
}

fp_status fp_aggregate_prepare(fp_store *store, fp_error *err)
{
    int threads = fpi_default_threads();
    fp_status st = fp_store_begin(store, err);
    if (st) return st;
    fp_region *countries = NULL, *a1 = NULL;
    size_t nc = 0, na = 0;
    char **cp = NULL, **cs = NULL, **cc = NULL, **ap = NULL, **as = NULL, **ac = NULL;
    /* FOOTPRINT_TIMING=1: the seconds of each step (init's time). */
    const fp_context *ctx = fp_store_context(store);
    fpi_steps steps;
    fpi_steps_start(&steps, ctx);
#define STEP(label) fpi_steps_mark(&steps, label)
    /* The cache folder may hold what this step computes for these regions
     * (region_cache.c); else loading computes and stores the missing areas,
     * and the derived levels are computed and stored when absent. */
    const char *cache_dir = fp_context_cache_dir(ctx), *shipped_dir = fp_context_prepared_dir(ctx);
    char digest[65], key[65];
    int keyed = 0;
    if (cache_dir || shipped_dir) {
        stored_level rows[2] = { { 0 }, { 0 } };
        fpi_prepared_regions cached;
        int applied = 0;
        st = read_stored_regions(store, digest, rows, err);
        STEP("digest");
        if (!st && fpi_prepared_cache_key(digest, key) == 0) {
            keyed = cache_dir != NULL;
            /* The entries the build made for the regions shipped with
             * footprint first (made by this very program: the user's cache
             * is shared by every build of the same version), then the
             * user's cache. A machine's first init of the default regions:
             * 0.4 s instead of 1 s. An entry is checked against the store's
             * rows either way (apply_prepared). */
            if (shipped_dir && fpi_prepared_cache_load(shipped_dir, key, &cached)) {
                st = apply_prepared(store, &cached, rows, &applied, err);
                fpi_prepared_regions_clear(&cached);
                STEP("shipped");
            }
            if (!st && !applied && cache_dir && fpi_prepared_cache_load(cache_dir, key, &cached)) {
                st = apply_prepared(store, &cached, rows, &applied, err);
                fpi_prepared_regions_clear(&cached);
                STEP("cached");
            }
        }
        stored_level_free(&rows[0]);
        stored_level_free(&rows[1]);
        if (st) { fp_store_rollback(store); return st; }
        if (applied) return fp_store_commit(store, err);
    }
    /* Written to the cache only when all of it was computed here: what a
     * store already held (from an older version, or edited) is not passed on. */
    int all_c = 0, all_a = 0;
    st = load_store_level(store, "country", threads, &countries, &nc, &cp, &cs, &cc, &all_c, err);
    STEP("countries");
    if (!st) st = load_store_level(store, "admin1", threads, &a1, &na, &ap, &as, &ac, &all_a, err);
    STEP("admin1");
    if (!st && nc) {
        fp_output_level sub = {0}, cont = {0};
        int computed[2];
        st = derive_levels_cached(store, 2, (fp_output_level *const[]){ &sub, &cont }, group_names, countries, nc,
                                  (char **const[]){ cs, cc }, (char **const[]){ cc, NULL }, threads, computed, err);
        if (!st && keyed && all_c && all_a && computed[0] && computed[1]) {
            const fp_region *const areas[2] = { countries, a1 };
            const size_t n_areas[2] = { nc, na };
            const fp_output_level *const groups[2] = { &sub, &cont };
            fpi_prepared_cache_save(cache_dir, key, areas, n_areas, groups);
        }
        free_level(&sub);
        free_level(&cont);
        STEP("unions");
    }
#undef STEP
    fp_region_set c1 = { .items = countries, .n = nc }, c2 = { .items = a1, .n = na };
    fpi_region_set_free_items(&c1);
    fpi_region_set_free_items(&c2);
    free_strings(cp, nc); free_strings(cs, nc); free_strings(cc, nc);
    free_strings(ap, na); free_strings(as, na); free_strings(ac, na);
    if (st) { fp_store_rollback(store); return st; }
    return fp_store_commit(store, err);
}
