/* `footprint aggregate`: reads the projects once into memory, assigns them to
 * regions on all cores, sums the metrics per region and output level, checks
 * that every level adds up to the number of projects, and stores the result
 * (aggregate_store.c) in one transaction. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "aggregate_internal.h"
#include "aggregate_run.h"
#include "common/util.h"

const char *fp_assign_method_name(fp_assign_method m)
{
    static const char *const names[] = { "contained", "boundary", "snapped", "split", "unassigned" };
    return (unsigned)m < FP_ASSIGN_METHODS ? names[m] : "?";
}

/* ------------------------------------------------------------- reading --- */

/* "2 datasets (2024, 2025)" when the store holds projects of more than one
 * (the editions of a list, imported side by side), else "": a sum over
 * every edition counts each project once per edition, so the summary says
 * so. From the imports catalogue (a few rows), not a scan of the projects. */
static fp_status datasets_note(fp_store *store, char *out, size_t size, fp_error *err)
{
    out[0] = '\0';
    char **names = NULL;
    size_t n = 0;
    fp_status st = fp_store_datasets(store, &names, &n, err);
    if (st || n < 2) { g_strfreev(names); return st; }
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%zu datasets (", n);
    for (size_t i = 0; i < n && i < 4; i++) g_string_append_printf(s, "%s%s", i ? ", " : "", names[i]);
    g_string_append(s, n > 4 ? ", ...)" : ")");
    snprintf(out, size, "%s", s->str);
    g_string_free(s, TRUE);
    g_strfreev(names);
    return FP_OK;
}

_Static_assert(sizeof(fp_project) == 48, "fp_project grew: see its comment");

/* Interning of attribute values to small integers. */
static int intern(GHashTable *map, GPtrArray *values, const char *v)
{
    gpointer idx;
    if (g_hash_table_lookup_extended(map, v, NULL, &idx)) return GPOINTER_TO_INT(idx);
    char *copy = g_strdup(v);
    int i = (int)values->len;
    g_ptr_array_add(values, copy);
    g_hash_table_insert(map, copy, GINT_TO_POINTER(i));
    return i;
}

/* Room for one more project in t (grown, or an error past a slice's end). */
static fp_status make_room(fp_store *store, fp_project_table *t, size_t *cap, int ngroups, fp_error *err)
{
    if (t->n < *cap) return FP_OK;
    if (t->fixed_cap)
        return fp_error_set(err, FP_ERR_STATE, "%s: more projects than ids in the range read", fp_store_path(store));
    size_t c = *cap ? *cap * 2 : 65536;
    fp_project *np = realloc(t->items, c * sizeof *np);
    if (np) t->items = np;
    int *ng = realloc(t->group_index, c * (size_t)(ngroups ? ngroups : 1) * sizeof *ng);
    if (ng) t->group_index = ng;
    if (!np || !ng) return fp_error_set(err, FP_ERR_NOMEM, "out of memory reading projects");
    *cap = c;
    return FP_OK;
}

static void extend(fp_project_table *t, const double bbox[4])
{
    if (bbox[0] < t->extent[0]) t->extent[0] = bbox[0];
    if (bbox[2] > t->extent[2]) t->extent[2] = bbox[2];
    if (bbox[1] < t->extent[1]) t->extent[1] = bbox[1];
    if (bbox[3] > t->extent[3]) t->extent[3] = bbox[3];
}

typedef struct read_state {
    fp_store *store;
    fp_project_table *t;
    char **groups;
    int ngroups;
    int group_column[FP_MAX_GROUPS];   /* the column cache's text index of each group */
    GHashTable *cmap, *gmap[FP_MAX_GROUPS];
    size_t cap;
    const char *dataset;          /* only this dataset's projects; NULL all */
} read_state;

/* The projects with lo <= id < hi, read from the rows. */
static fp_status read_rows(read_state *rs, int64_t lo, int64_t hi, fp_error *err)
{
    fp_project_table *t = rs->t;
    int ngroups = rs->ngroups;
    /* Columns: id, geometry, then company, year, amount, the groups. */
    const char **fields = calloc((size_t)ngroups + 3, sizeof *fields);
    if (!fields) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    fields[0] = "company";
    fields[1] = "year";
    fields[2] = "amount";
    for (int g = 0; g < ngroups; g++) fields[3 + g] = rs->groups[g];
    fp_project_filter f = { .id_min = lo, .id_max = hi, .order_by_id = 1, .fields_as_text = 1, .dataset = rs->dataset };
    fp_rows *q;
    fp_status st = fp_store_projects(rs->store, &f, fields, ngroups + 3, &q, err);
    free(fields);
    if (st) return st;
    while (fp_rows_next(q)) {
        if (fp_context_cancelled(fp_store_context(rs->store))) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted"); break; }
        fp_geom geom;
        int has = fp_rows_geom(q, 1, 0, &geom);
        if (has < 0) break;                       /* the cursor's status says why */
        if (has == 0) { t->without_geometry++; continue; }
        if ((st = make_room(rs->store, t, &rs->cap, ngroups, err))) break;
        fp_project *p = &t->items[t->n];
        memset(p, 0, sizeof *p);
        p->id = fp_rows_int64(q, 0);
        if (geom.is_point) {
            p->is_point = 1;
            p->x = geom.x;
            p->y = geom.y;
        } else {
            p->wkb = malloc(geom.wkb_len ? geom.wkb_len : 1);
            if (!p->wkb) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); break; }
            memcpy(p->wkb, geom.wkb, geom.wkb_len);
            p->wkb_len = geom.wkb_len;
        }
        extend(t, geom.bbox);
        const char *company = fp_rows_text(q, 2);
        p->company = company && *company ? intern(rs->cmap, t->companies, company) : -1;
        p->year = fp_rows_is_null(q, 3) ? INT32_MIN : fp_rows_int(q, 3);
        p->amount = fp_rows_is_null(q, 4) ? NAN : fp_rows_double(q, 4);
        for (int g = 0; g < ngroups; g++) {
            const char *v = fp_rows_text(q, 5 + g);
            t->group_index[t->n * (size_t)ngroups + (size_t)g] = intern(rs->gmap[g], t->group_values[g], v && *v ? v : "");
        }
        t->n++;
    }
    if (!st) st = fp_rows_status(q, err);
    fp_rows_free(q);
    return st;
}

/* A part's projects from the store's column cache: the same values, in
 * the same order, as read_rows gives (values interned at first use, as
 * the rows would intern them). */
static fp_status read_columns(read_state *rs, int64_t part, const fp_project_columns *c, fp_error *err)
{
    fp_project_table *t = rs->t;
    int ngroups = rs->ngroups;
    int *remap[1 + FP_MAX_GROUPS] = {0};      /* code -> interned index; -2: not yet */
    fp_status st = FP_OK;
    for (int k = 0; k <= ngroups && !st; k++) {
        const int ci = k == 0 ? FP_COLUMN_COMPANY : rs->group_column[k - 1];
        remap[k] = malloc(((size_t)c->text[ci].nvalues + 1) * sizeof *remap[k]);
        if (!remap[k]) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); break; }
        for (size_t v = 0; v <= c->text[ci].nvalues; v++) remap[k][v] = -2;
    }
    int64_t base = part * ((int64_t)1 << FP_COLUMNS_PART_BITS);
    const uint16_t *company = c->text[FP_COLUMN_COMPANY].code;
    /* --dataset: the code of its name in this part (0: no row of it). */
    const uint16_t *dataset = rs->dataset ? c->text[FP_COLUMN_DATASET].code : NULL;
    uint32_t want = 0;
    for (uint32_t v = 0; dataset && v < c->text[FP_COLUMN_DATASET].nvalues && !want; v++)
        if (!strcmp(c->text[FP_COLUMN_DATASET].values[v], rs->dataset)) want = v + 1;
    for (size_t i = 0; !st && i < c->n; i++) {
        if (dataset && dataset[i] != want) continue;
        if (!c->has_geom[i]) { t->without_geometry++; continue; }
        if ((st = make_room(rs->store, t, &rs->cap, ngroups, err))) break;
        fp_project *p = &t->items[t->n];
        memset(p, 0, sizeof *p);
        p->id = base + c->offset[i];
        p->is_point = 1;
        p->x = c->x[i];
        p->y = c->y[i];
        const double bbox[4] = { p->x, p->y, p->x, p->y };
        extend(t, bbox);
        int *cm = &remap[0][company[i]];
        if (*cm == -2)
            *cm = company[i] ? intern(rs->cmap, t->companies, c->text[FP_COLUMN_COMPANY].values[company[i] - 1]) : -1;
        p->company = *cm;
        p->year = c->year[i];
        p->amount = c->amount[i];
        for (int g = 0; g < ngroups; g++) {
            const int ci = rs->group_column[g];
            uint16_t code = c->text[ci].code[i];
            int *gm = &remap[1 + g][code];
            if (*gm == -2)
                *gm = intern(rs->gmap[g], t->group_values[g], code ? c->text[ci].values[code - 1] : "");
            t->group_index[t->n * (size_t)ngroups + (size_t)g] = *gm;
        }
        t->n++;
    }
    for (int k = 0; k <= ngroups; k++) free(remap[k]);
    return st;
}

/* Whether a part's cached columns hold everything this read needs. */
static int columns_serve(const read_state *rs, const fp_project_columns *c)
{
    if (c->text[FP_COLUMN_COMPANY].nvalues == UINT32_MAX) return 0;
    if (rs->dataset && c->text[FP_COLUMN_DATASET].nvalues == UINT32_MAX) return 0;
    for (int g = 0; g < rs->ngroups; g++)
        if (c->text[rs->group_column[g]].nvalues == UINT32_MAX) return 0;
    return 1;
}

/* Reads the projects with lo <= id < hi (every project if whole) through
 * store (the main handle or a reader's): whole parts from the column cache
 * where it has them and every group is a column it keeps, the rest from
 * the rows, in id order. */
static fp_status read_range(fp_store *store, fp_project_table *t, char **groups, int ngroups,
                            int64_t lo, int64_t hi, int whole, fp_error *err)
{
    read_state rs = { .store = store, .t = t, .groups = groups, .ngroups = ngroups, .cap = t->fixed_cap,
                      .dataset = t->dataset };
    t->companies = g_ptr_array_new_with_free_func(g_free);
    rs.cmap = g_hash_table_new(g_str_hash, g_str_equal);
    t->ngroups = ngroups;
    /* Whole (ids at the int64 limits): no parts. The store's own PostGIS
     * connection lists none either (its statements are of several
     * snapshots); readers' connections do. */
    int cached = !whole;
    for (int g = 0; g < ngroups; g++) {
        t->group_values[g] = g_ptr_array_new_with_free_func(g_free);
        rs.gmap[g] = g_hash_table_new(g_str_hash, g_str_equal);
        rs.group_column[g] = fp_project_columns_text_index(groups[g]);
        if (rs.group_column[g] < 0) cached = 0;
    }
    t->extent[0] = t->extent[1] = HUGE_VAL;
    t->extent[2] = t->extent[3] = -HUGE_VAL;
    fp_status st = FP_OK;
    int64_t rows_from = lo;                   /* rows not yet read: [rows_from, part start) */
    int64_t *have = NULL;                     /* the parts the cache has (ids may be sparse) */
    size_t nhave = 0;
    if (cached)
        st = fp_store_project_columns_parts(store, lo >> FP_COLUMNS_PART_BITS, (hi - 1) >> FP_COLUMNS_PART_BITS,
                                            &have, &nhave, err);
    for (size_t k = 0; k < nhave && !st; k++) {
        const int64_t size = (int64_t)1 << FP_COLUMNS_PART_BITS;
        int64_t part = have[k], from = part * size, to = from + size;
        if (from < lo || to > hi) continue;   /* a part cut by the range: its rows */
        if (fp_context_cancelled(fp_store_context(store))) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted"); break; }
        fp_project_columns *c = NULL;
        if ((st = fp_store_project_columns_get(store, part, &c, err))) break;
        if (c && columns_serve(&rs, c)) {
            if (rows_from < from) st = read_rows(&rs, rows_from, from, err);
            if (!st) st = read_columns(&rs, part, c, err);
            rows_from = to;
        }
        fp_project_columns_free(c);
    }
    free(have);
    if (!st && whole) st = read_rows(&rs, 0, 0, err);   /* no id range: every row */
    else if (!st && rows_from < hi) st = read_rows(&rs, rows_from, hi, err);
    for (int g = 0; g < ngroups; g++) g_hash_table_destroy(rs.gmap[g]);
    g_hash_table_destroy(rs.cmap);
    return st;
}

typedef struct read_part {
    char **groups;
    int ngroups;
    int64_t lo, hi;
    int whole;                    /* every project, no id range */
    fp_project_table t;
    fp_error err;
    fp_status st;
} read_part;

/* The id range cut into parts, several per thread when the projects go
 * into one array (the threads then take the next part as they finish one:
 * two halves of 10M rows took 2.4 and 3.1 s). */
#define READ_PARTS_PER_THREAD 4
#define READ_PARTS_MAX (8 * READ_PARTS_PER_THREAD)

typedef struct read_job {
    fp_store *store;
    read_part *parts;
    int nparts;
    int next;                     /* atomically claimed */
    pthread_mutex_t lock;
    pthread_cond_t opened_cond;
    int opened;                   /* threads past opening their connection, under lock */
    int lock_waited;              /* a reader timed out on a lock: every part read again (atomic) */
    int open_failed;              /* a reader could not connect: every part read again (set under lock, read atomically) */
    fp_error open_err;            /* why, the first one's (under lock) */
} read_job;

/* A reader thread: its own read-only connection (a store is read by
 * several connections at once; our transaction has written nothing yet),
 * reading parts until none is left. */
static void *read_worker(void *arg)
{
    read_job *job = arg;
    fp_store *reader = NULL;
    fp_error open_err = {0};
    fp_status open_st = fp_store_open_reader(job->store, &reader, &open_err);
    if (!open_st) open_st = fp_store_reader_lock_timeout(reader, FP_STORE_READER_LOCK_TIMEOUT_MS, &open_err);
    pthread_mutex_lock(&job->lock);      /* the store's own connection is free of us now */
    job->opened++;
    if (open_st && !job->open_failed) {
        job->open_err = open_err;
        __atomic_store_n(&job->open_failed, 1, __ATOMIC_RELAXED);
    }
    pthread_cond_broadcast(&job->opened_cond);
    pthread_mutex_unlock(&job->lock);
    for (int i; (i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) < job->nparts;) {
        read_part *p = &job->parts[i];
        if (open_st) continue;                                                  /* all read again */
        if (__atomic_load_n(&job->lock_waited, __ATOMIC_RELAXED) || __atomic_load_n(&job->open_failed, __ATOMIC_RELAXED))
            continue;                                                           /* all read again anyway */
        p->st = read_range(reader, &p->t, p->groups, p->ngroups, p->lo, p->hi, p->whole, &p->err);
        if (p->st && fp_store_lock_timed_out(reader)) __atomic_store_n(&job->lock_waited, 1, __ATOMIC_RELAXED);
    }
    fp_store_close(reader);
    return NULL;
}

/* Appends part to t, renumbering its interned values into t's. A sliced
 * part already sits in t's arrays (at part->items) and only moves down to
 * t->n; any other part is copied. */
static fp_status merge_part(fp_project_table *t, fp_project_table *part, int sliced, GHashTable *cmap,
                            GHashTable **gmap, fp_error *err)
{
    int *cremap = malloc((part->companies->len + 1) * sizeof *cremap);
    int *gremap[FP_MAX_GROUPS] = {0};
    fp_status st = cremap ? FP_OK : fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    for (guint i = 0; !st && i < part->companies->len; i++)
        cremap[i] = intern(cmap, t->companies, g_ptr_array_index(part->companies, i));
    for (int g = 0; !st && g < t->ngroups; g++) {
        gremap[g] = malloc((part->group_values[g]->len + 1) * sizeof *gremap[g]);
        if (!gremap[g]) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); break; }
        for (guint i = 0; i < part->group_values[g]->len; i++)
            gremap[g][i] = intern(gmap[g], t->group_values[g], g_ptr_array_index(part->group_values[g], i));
    }
    size_t ng = (size_t)t->ngroups;
    if (!st) {
        for (size_t i = 0; i < part->n; i++) {
            fp_project *p = &part->items[i];
            if (p->company >= 0) p->company = cremap[p->company];
            for (size_t g = 0; g < ng; g++) part->group_index[i * ng + g] = gremap[g][part->group_index[i * ng + g]];
        }
    }
    if (!st && !sliced) {
        size_t n = t->n + part->n;
        fp_project *items = realloc(t->items, (n ? n : 1) * sizeof *items);
        int *gi = items ? realloc(t->group_index, (n ? n : 1) * (ng ? ng : 1) * sizeof *gi) : NULL;
        if (items) t->items = items;
        if (gi) t->group_index = gi;
        if (!items || !gi) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory reading projects");
    }
    if (!st) {
        if (part->n && part->items != t->items + t->n) {
            memmove(t->items + t->n, part->items, part->n * sizeof *t->items);
            memmove(t->group_index + t->n * ng, part->group_index, part->n * ng * sizeof *t->group_index);
        }
        t->n += part->n;
        part->n = 0;                              /* its rows (and wkb) now belong to t */
        t->without_geometry += part->without_geometry;
        for (int k = 0; k < 2; k++) if (part->extent[k] < t->extent[k]) t->extent[k] = part->extent[k];
        for (int k = 2; k < 4; k++) if (part->extent[k] > t->extent[k]) t->extent[k] = part->extent[k];
    }
    free(cremap);
    for (int g = 0; g < t->ngroups; g++) free(gremap[g]);
    return st;
}

fp_status fpi_projects_read(fp_store *store, fp_project_table *t, char **groups, int ngroups, int threads,
                            fpi_while_reading_fn while_reading, void *arg, fp_error *err)
{
    int64_t lo = 0, hi = 0, count = 0;
    fp_status st = fp_store_project_ids(store, &lo, &hi, &count, err);
    if (st) return st;
    fp_context_pause(fp_store_context(store), "aggregate:read");
    /* The range and its parts cut at the column cache's part boundaries,
     * so that every part can come from the cache (ids past the first and
     * last project are simply not there). */
    const int64_t part = (int64_t)1 << FP_COLUMNS_PART_BITS;
    /* Ids near the int64 limits (set by hand): one reader of every row, no
     * id arithmetic that could overflow. */
    int whole = hi > INT64_MAX - 2 * part || lo < INT64_MIN + 2 * part;
    if (whole) {
        lo = hi = 0;
    } else {
        lo = (lo >> FP_COLUMNS_PART_BITS) * part;          /* >> floors negative ids too */
        hi = ((hi >> FP_COLUMNS_PART_BITS) + 1) * part;
    }
    t->ctx = fp_store_context(store);
    /* Below ~100,000 rows a second connection costs more than it saves. */
    if (threads > 8) threads = 8;
    if (count < 100000 || whole) threads = 1;
    t->ngroups = ngroups;
    t->companies = g_ptr_array_new_with_free_func(g_free);
    for (int g = 0; g < ngroups; g++) t->group_values[g] = g_ptr_array_new_with_free_func(g_free);
    t->extent[0] = t->extent[1] = HUGE_VAL;
    t->extent[2] = t->extent[3] = -HUGE_VAL;
    read_part parts[READ_PARTS_MAX];
    pthread_t tid[8];
    memset(parts, 0, sizeof parts);
    int started[8] = {0};
    /* With dense ids (the usual case) every reader writes straight into its
     * slice of one array sized by the id span: no growth, no merge copy. */
    int64_t span = hi - lo;
    int sliced = threads > 1 && span > 0 && span <= 2 * count;
    if (sliced) {
        t->items = fpi_big_alloc((size_t)span * sizeof *t->items);
        t->group_index = fpi_big_alloc((size_t)span * (size_t)(ngroups ? ngroups : 1) * sizeof *t->group_index);
        if (!t->items || !t->group_index) return fp_error_set(err, FP_ERR_NOMEM, "out of memory for %lld projects", (long long)count);
    }
    int nparts = sliced ? threads * READ_PARTS_PER_THREAD : threads;
    for (int i = 0; i < nparts; i++) {
        /* 128-bit products: a sparse span times i may not fit 64 bits. */
        parts[i] = (read_part){ .groups = groups, .ngroups = ngroups, .whole = whole, .t.dataset = t->dataset,
                                .lo = lo + (int64_t)((__int128)span * i / nparts / part * part),
                                .hi = i + 1 == nparts ? hi : lo + (int64_t)((__int128)span * (i + 1) / nparts / part * part) };
        if (sliced) {
            parts[i].t.items = t->items + (parts[i].lo - lo);
            parts[i].t.group_index = t->group_index + (size_t)(parts[i].lo - lo) * (size_t)ngroups;
            parts[i].t.fixed_cap = (size_t)(parts[i].hi - parts[i].lo);
            parts[i].t.borrowed = 1;
        }
    }
    read_job job = { .store = store, .parts = parts, .nparts = nparts };
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.opened_cond, NULL);
    if (threads == 1) {
        parts[0].st = read_range(store, &parts[0].t, groups, ngroups, parts[0].lo, parts[0].hi, whole, &parts[0].err);
        if (while_reading) while_reading(arg);
    } else {
        int nstarted = 0;
        for (int i = 0; i < threads; i++) nstarted += started[i] = pthread_create(&tid[i], NULL, read_worker, &job) == 0;
        if (!nstarted) parts[0].st = fp_error_set(&parts[0].err, FP_ERR_STATE, "cannot start a reader thread");
        /* On PostGIS the readers read in the server while this thread
         * has little to do (1M points from the column cache: 0.25-0.4 s). */
        pthread_mutex_lock(&job.lock);
        while (job.opened < nstarted) pthread_cond_wait(&job.opened_cond, &job.lock);
        pthread_mutex_unlock(&job.lock);
        if (while_reading) while_reading(arg);
    }
    for (int i = 0; i < threads; i++)
        if (started[i]) pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&job.lock);
    pthread_cond_destroy(&job.opened_cond);
    /* A reader that failed because the store's own transaction did
     * (exporting its snapshot) is no reason to read there: that error is
     * the one reported. */
    int store_failed = job.open_failed && fp_store_failed_transaction(store);
    if (job.lock_waited || job.open_failed) {
        /* Every row again, in one read on the store's own connection, which
         * holds the locks (one statement: one moment, as with one thread;
         * the readers' parts are dropped rather than mixed with it). A
         * reader that cannot connect (the role's or server's connection
         * limit, a pooler of one connection, a replica that does not have
         * the snapshot) falls back the same way: slower, not failed. If
         * the store's own connection fails too, its error is reported. */
        if (job.lock_waited && !store_failed)
            fp_context_log(t->ctx, "footprint: a reader waited for a table lock that another session asked for "
                                   "behind this aggregation; reading on the store's own connection");
        else if (!store_failed)
            fp_context_log(t->ctx, "footprint: a second connection to read with could not be opened (%s); "
                                   "reading on the store's own connection", job.open_err.message);
        for (int i = 0; i < nparts; i++) fpi_project_table_free(&parts[i].t);
        if (sliced) {
            free(t->items);
            free(t->group_index);
            t->items = NULL;
            t->group_index = NULL;
            sliced = 0;
        }
        nparts = 1;
        parts[0] = (read_part){ .groups = groups, .ngroups = ngroups, .whole = whole, .lo = lo, .hi = hi,
                                .t.dataset = t->dataset };
        if (store_failed) {
            parts[0].err = job.open_err;
            parts[0].st = job.open_err.code ? job.open_err.code : FP_ERR_DB;
        } else {
            parts[0].st = read_range(store, &parts[0].t, groups, ngroups, lo, hi, whole, &parts[0].err);
        }
    }
    GHashTable *cmap = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *gmap[FP_MAX_GROUPS];
    for (int g = 0; g < ngroups; g++) gmap[g] = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < nparts; i++) {
        if (!st && parts[i].st) {
            st = parts[i].st;
            if (err) *err = parts[i].err;
        }
        if (!st) st = merge_part(t, &parts[i].t, sliced, cmap, gmap, err);
        fpi_project_table_free(&parts[i].t);
    }
    g_hash_table_destroy(cmap);
    for (int g = 0; g < ngroups; g++) g_hash_table_destroy(gmap[g]);
    if (t->n == 0) { t->extent[0] = t->extent[1] = -1; t->extent[2] = t->extent[3] = 1; }
    return st;
}

void fpi_project_table_free(fp_project_table *t)
{
    free(t->left_out);
    t->left_out = NULL;
    for (size_t i = 0; i < t->n; i++)
        if (!t->items[i].is_point) free(t->items[i].wkb);
    if (!t->borrowed) {
        free(t->items);
        free(t->group_index);
    }
    if (t->companies) g_ptr_array_free(t->companies, TRUE);
    for (int g = 0; g < t->ngroups; g++)
        if (t->group_values[g]) g_ptr_array_free(t->group_values[g], TRUE);
    free(t->shares);
    memset(t, 0, sizeof *t);
}

/* ----------------------------------------------------------- assigning --- */

#define CHUNK 4096

/* The projects are assigned in chunks of CHUNK, claimed by the threads in
 * turn; each finished chunk is handed, in project order, to the caller's
 * on_chunk on the calling thread, which stores the chunk's assignments
 * while the threads go on with the next chunks. */
typedef struct assign_chunk {
    fp_share_of *shares;          /* its non-point projects' shares, by project */
    size_t nshares;
    int done;                     /* under the job's lock */
} assign_chunk;

typedef struct assign_job {
    const fp_region_set *set;
    const fp_region_index *idx;
    fp_project_table *t;
    double snap_km;
    size_t next;                  /* atomically claimed chunks */
    int stop;                     /* atomic: claim no more (on_chunk or a thread failed, or all done) */
    assign_chunk *chunks;
    size_t nchunks;
    int running;                  /* threads still working, under lock */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} assign_job;

typedef struct assign_thread {
    assign_job *job;
    fp_locator *loc;              /* made on first use */
    GEOSWKBReader *rd;
    fp_share *extra;              /* shares of the current chunk's non-point projects */
    size_t nextra, capextra;
    size_t *extra_project;        /* project index of each share */
    size_t capproject;
    int failed;
} assign_thread;

/* True if a line or polygon has an edge spanning more than 180 degrees of
 * longitude: such an edge crosses the antimeridian (the export's rule,
 * RFC 7946 3.1.9), so a line stored as 170 -> -170 is 20 degrees long
 * across the Pacific, not 340 degrees round the world. */
static int has_long_edge(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            if (has_long_edge(h, GEOSGetGeometryN_r(h, g, i))) return 1;
        return 0;
    }
    if (type == GEOS_POLYGON)
        return has_long_edge(h, GEOSGetExteriorRing_r(h, g));   /* holes lie inside it */
    if (type != GEOS_LINESTRING && type != GEOS_LINEARRING) return 0;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n)) return 0;
    double prev = 0;
    for (unsigned i = 0; i < n; i++) {
        double x;
        GEOSCoordSeq_getX_r(h, cs, i, &x);
        if (i && fabs(x - prev) > 180) return 1;
        prev = x;
    }
    return 0;
}

/* The chunk's shares (gathered in project order, each project's in the
 * order found) as one array sorted by project, then region, then the order
 * found: the order the old global sort (glibc's stable merge sort) gave.
 * qsort with the found order as last key: n log n even for a multipoint of
 * 100,000 members in mixed regions. */
typedef struct found_share {
    fp_share_of s;
    size_t seq;
} found_share;

static int compare_found(const void *a, const void *b)
{
    const found_share *x = a, *y = b;
    if (x->s.project != y->s.project) return x->s.project < y->s.project ? -1 : 1;
    if (x->s.share.region != y->s.share.region) return x->s.share.region < y->s.share.region ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int chunk_finish(assign_thread *th, size_t c)
{
    assign_job *job = th->job;
    fp_share_of *out = NULL;
    if (th->nextra) {
        out = malloc(th->nextra * sizeof *out);
        found_share *tmp = malloc(th->nextra * sizeof *tmp);
        if (!out || !tmp) { free(out); free(tmp); return -1; }
        for (size_t k = 0; k < th->nextra; k++) tmp[k] = (found_share){ { th->extra_project[k], th->extra[k] }, k };
        qsort(tmp, th->nextra, sizeof *tmp, compare_found);
        for (size_t k = 0; k < th->nextra; k++) out[k] = tmp[k].s;
        free(tmp);
    }
    pthread_mutex_lock(&job->lock);
    job->chunks[c].shares = out;
    job->chunks[c].nshares = th->nextra;
    job->chunks[c].done = 1;
    pthread_cond_broadcast(&job->changed);
    pthread_mutex_unlock(&job->lock);
    th->nextra = 0;
    return 0;
}

/* Claims the next chunk: its first project, or (size_t)-1 when there is
 * none left or the run stops. */
static size_t claim_chunk(assign_job *job)
{
    fp_project_table *t = job->t;
    size_t start = __atomic_fetch_add(&job->next, CHUNK, __ATOMIC_RELAXED);
    if (start >= t->n || fp_context_cancelled(t->ctx) || __atomic_load_n(&job->stop, __ATOMIC_RELAXED))
        return (size_t)-1;
    return start;
}

/* Assigns the chunk from project start on and publishes it; th->failed
 * set on failure. The thread's locator is made on first use. */
static void assign_one_chunk(assign_thread *th, size_t start)
{
    assign_job *job = th->job;
    fp_project_table *t = job->t;
    if (!th->loc && !(th->loc = fpi_locator_new(job->set, job->idx))) { th->failed = 1; return; }
    fp_locator *loc = th->loc;
    GEOSContextHandle_t h = fpi_locator_geos(loc);
    size_t end = start + CHUNK < t->n ? start + CHUNK : t->n;
    for (size_t i = start; i < end; i++) {
        fp_project *p = &t->items[i];
        if (t->left_out && t->left_out[i]) {
            p->region = -1;
            p->method = FP_ASSIGN_UNASSIGNED;
            p->distance_km = 0;
            continue;
        }
        if (p->is_point) {
            fp_share s = fpi_locate_point(loc, p->x, p->y, job->snap_km);
            p->region = s.region;
            p->method = (unsigned char)s.method;
            p->distance_km = (float)s.distance_km;
            continue;
        }
        if (!th->rd && !(th->rd = GEOSWKBReader_create_r(h))) { th->failed = 1; return; }
        GEOSGeometry *g = GEOSWKBReader_read_r(h, th->rd, p->wkb, p->wkb_len);
        if (g && has_long_edge(h, g)) {
            /* Cut where it crosses the antimeridian, as export draws it. */
            GEOSGeometry *cut = fpi_cut_antimeridian(h, g);
            if (cut) { GEOSGeom_destroy_r(h, g); g = cut; }
        }
        size_t before = th->nextra;
        /* A line's length, measured as its shares are (edges straight in
         * lon/lat, geodesic metres): the km each region gets. */
        int gt = g ? GEOSGeomTypeId_r(h, g) : -1;
        p->length_km = gt == GEOS_LINESTRING || gt == GEOS_MULTILINESTRING ? (float)(fpi_lonlat_length_m(h, g) / 1000) : 0;
        long added = g ? fpi_assign_geometry(loc, g, 1.0, job->snap_km, &th->extra, &th->nextra, &th->capextra) : -1;
        if (g) GEOSGeom_destroy_r(h, g);
        if (added < 0) { th->failed = 1; return; }
        if (th->nextra > th->capproject) {
            size_t c = th->capextra;
            size_t *np = realloc(th->extra_project, c * sizeof *np);
            if (!np) { th->failed = 1; return; }
            th->extra_project = np;
            th->capproject = c;
        }
        for (size_t k = before; k < th->nextra; k++) th->extra_project[k] = i;
        p->region = -2;           /* shares elsewhere */
    }
    if (chunk_finish(th, start / CHUNK)) th->failed = 1;
}

static void assign_thread_free(assign_thread *th)
{
    if (th->rd) GEOSWKBReader_destroy_r(fpi_locator_geos(th->loc), th->rd);
    fpi_locator_free(th->loc);
    free(th->extra);
    free(th->extra_project);
}

static void *assign_worker(void *arg)
{
    assign_thread *th = arg;
    assign_job *job = th->job;
    for (size_t start; !th->failed && (start = claim_chunk(job)) != (size_t)-1;) assign_one_chunk(th, start);
    /* A failed chunk is never done: the others stop claiming at once
     * rather than assign the rest for nothing. */
    if (th->failed) __atomic_store_n(&job->stop, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&job->lock);
    job->running--;
    pthread_cond_broadcast(&job->changed);
    pthread_mutex_unlock(&job->lock);
    return NULL;
}

static int chunk_done(assign_job *job, size_t c)
{
    pthread_mutex_lock(&job->lock);
    int done = job->chunks[c].done;
    pthread_mutex_unlock(&job->lock);
    return done;
}

/* Waits for chunk c; 0 if it will never come (every thread has stopped). */
static int wait_chunk(assign_job *job, size_t c)
{
    pthread_mutex_lock(&job->lock);
    while (!job->chunks[c].done && job->running > 0) pthread_cond_wait(&job->changed, &job->lock);
    int done = job->chunks[c].done;
    pthread_mutex_unlock(&job->lock);
    return done;
}

fp_status fpi_projects_assign(fp_project_table *t, const fp_region_set *set, const fp_region_index *idx,
                             double snap_km, int threads, fpi_assigned_fn on_chunk, void *user, fp_error *err)
{
    assign_job job = { .set = set, .idx = idx, .t = t, .snap_km = snap_km };
    job.nchunks = (t->n + CHUNK - 1) / CHUNK;
    job.chunks = calloc(job.nchunks ? job.nchunks : 1, sizeof *job.chunks);
    if (threads < 1) threads = 1;
    /* th[0] is this thread's: it stores the chunks in order and, while the
     * next one is not ready, assigns chunks itself; threads - 1 others
     * only assign. A writer slower than the assigning (points) keeps its
     * core; a faster one (lines, polygons) lends it. */
    assign_thread *th = calloc((size_t)threads, sizeof *th);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!th || !tid || !job.chunks) {
        free(th); free(tid); free(job.chunks);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.changed, NULL);
    th[0].job = &job;
    for (int i = 1; i < threads; i++) {
        th[i].job = &job;
        pthread_mutex_lock(&job.lock);
        job.running++;
        pthread_mutex_unlock(&job.lock);
        if (pthread_create(&tid[i], NULL, assign_worker, &th[i]) != 0) {
            th[i].failed = 2;
            pthread_mutex_lock(&job.lock);
            job.running--;
            pthread_mutex_unlock(&job.lock);
        }
    }
    fp_status st = FP_OK;
    for (size_t c = 0; c < job.nchunks && !th[0].failed; c++) {
        /* Chunk c: assigned here if nobody has it; else other chunks
         * meanwhile, and wait when none is left. */
        int ready = chunk_done(&job, c);
        while (!ready && !th[0].failed) {
            size_t start = claim_chunk(&job);
            if (start == (size_t)-1) {
                ready = wait_chunk(&job, c);
                break;
            }
            assign_one_chunk(&th[0], start);
            ready = chunk_done(&job, c);
        }
        if (!ready || th[0].failed) break;  /* a thread failed or the run was cancelled: see below */
        if (on_chunk) {
            size_t start = c * CHUNK, end = start + CHUNK < t->n ? start + CHUNK : t->n;
            st = on_chunk(t, start, end, job.chunks[c].shares, job.chunks[c].nshares, user, err);
            if (st) break;
        }
    }
    __atomic_store_n(&job.stop, 1, __ATOMIC_RELAXED);       /* nothing more to claim in any case */
    for (int i = 1; i < threads; i++)
        if (th[i].failed != 2) pthread_join(tid[i], NULL);
    if (!st && fp_context_cancelled(t->ctx)) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    for (int i = 0; i < threads; i++)
        if (th[i].failed == 1 && !st) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory assigning projects");
    for (size_t c = 0; !st && c < job.nchunks; c++)
        if (!job.chunks[c].done) st = fp_error_set(err, FP_ERR_STATE, "projects %zu.. were not assigned", c * CHUNK);
    /* Every share, by project: the chunks' arrays one after the other. */
    size_t total = 0;
    for (size_t c = 0; c < job.nchunks; c++) total += job.chunks[c].nshares;
    if (!st && total) {
        t->shares = malloc(total * sizeof *t->shares);
        if (!t->shares) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        for (size_t c = 0; !st && c < job.nchunks; c++) {
            if (!job.chunks[c].nshares) continue;        /* its shares are NULL */
            memcpy(t->shares + t->nshares, job.chunks[c].shares, job.chunks[c].nshares * sizeof *t->shares);
            t->nshares += job.chunks[c].nshares;
        }
    }
    for (size_t c = 0; c < job.nchunks; c++) free(job.chunks[c].shares);
    free(job.chunks);
    for (int i = 0; i < threads; i++) assign_thread_free(&th[i]);
    pthread_mutex_destroy(&job.lock);
    pthread_cond_destroy(&job.changed);
    free(th);
    free(tid);
    return st;
}

/* ---------------------------------------------------------- accumulate --- */

static int compare_codes(const void *a, const void *b)
{
    return strcmp(((const fp_level_region *)a)->code, ((const fp_level_region *)b)->code);
}

/* Index of each set region's row at level l (-1: none). */
static int *level_map(const fp_region_set *set, int l)
{
    const fp_output_level *lv = &set->levels[l];
    int *map = malloc((set->n ? set->n : 1) * sizeof *map);
    if (!map) return NULL;
    /* Rows are sorted by code for every level but hex (in slot order). */
    fp_level_region *sorted = malloc((lv->n ? lv->n : 1) * sizeof *sorted);
    int *pos = malloc((lv->n ? lv->n : 1) * sizeof *pos);
    if (!sorted || !pos) { free(map); free(sorted); free(pos); return NULL; }
    for (size_t i = 0; i < lv->n; i++) {
        sorted[i] = lv->rows[i];
        sorted[i].population = (long long)i;   /* carry the row index through the sort */
    }
    qsort(sorted, lv->n, sizeof *sorted, compare_codes);
    for (size_t i = 0; i < set->n; i++) {
        map[i] = -1;
        const char *code = set->items[i].up[l];
        if (!code) continue;
        fp_level_region key = { .code = (char *)code }, *hit = bsearch(&key, sorted, lv->n, sizeof *sorted, compare_codes);
        if (hit) map[i] = (int)hit->population;
    }
    free(sorted);
    free(pos);
    return map;
}

static void add_to_row(fp_row_metrics *m, const fp_project_table *t, size_t pi, double share,
                       unsigned char *company_bits, size_t ncomp)
{
    const fp_project *p = &t->items[pi];
    m->projects++;
    m->weighted += share;
    if (!p->is_point && p->region == -2) m->length_km += share * (double)p->length_km;
    if (!isnan(p->amount)) { m->amount += p->amount * share; m->has_amount = 1; }
    if (p->year != INT32_MIN) {
        if (!m->has_year || p->year < m->year_first) m->year_first = p->year;
        if (!m->has_year || p->year > m->year_last) m->year_last = p->year;
        m->has_year = 1;
    }
    if (p->company >= 0 && company_bits) {
        unsigned char *bit = company_bits + (size_t)p->company / 8;
        unsigned char mask = (unsigned char)(1u << (p->company % 8));
        if (!(*bit & mask)) { *bit |= mask; m->companies++; }
    }
    (void)ncomp;
    for (int g = 0; g < t->ngroups; g++) {
        int v = t->group_index[pi * (size_t)t->ngroups + (size_t)g];
        m->group[t->group_offset[g] + v] += share;
    }
}

static int by_bytes(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void fpi_group_columns(fp_project_table *t)
{
    /* A group's columns in byte order of their values: read in order of
     * first appearance, a re-sorted input sheet gave the same numbers under
     * another column order (the CSV header, the GeoPackage's fields), and
     * a needless republish. */
    for (int g = 0; g < t->ngroups; g++) {
        GPtrArray *v = t->group_values[g];
        guint n = v->len;
        if (n < 2) continue;
        char **old = g_memdup2(v->pdata, n * sizeof *old);
        g_ptr_array_sort(v, by_bytes);
        /* Old index -> new: the values are distinct, so a binary search of
         * each old value in the sorted array finds it. */
        int *remap = g_new(int, n);
        for (guint i = 0; i < n; i++) {
            guint lo = 0, hi = n;
            while (lo < hi) {
                guint mid = (lo + hi) / 2;
                if (strcmp(g_ptr_array_index(v, mid), old[i]) < 0) lo = mid + 1;
                else hi = mid;
            }
            remap[i] = (int)lo;
        }
        size_t ng = (size_t)t->ngroups;
        for (size_t i = 0; i < t->n; i++) t->group_index[i * ng + (size_t)g] = remap[t->group_index[i * ng + (size_t)g]];
        g_free(remap);
        g_free(old);
    }
    size_t ngcols = 0;
    for (int g = 0; g < t->ngroups; g++) {
        t->group_offset[g] = ngcols;
        ngcols += t->group_values[g]->len;
    }
    t->ngroup_columns = ngcols;
}

fp_status fpi_projects_accumulate(fp_project_table *t, const fp_region_set *set, fp_level_result *levels,
                                 fp_aggregate_result *res, fp_error *err)
{
    size_t ncomp = t->companies->len, ngcols = t->ngroup_columns;
    size_t bitmap_bytes = (ncomp + 7) / 8;
    for (int l = 0; l < set->nlevels; l++) {
        fp_level_result *lr = &levels[l];
        const fp_output_level *lv = &set->levels[l];
        lr->nrows = lv->n + 1;                          /* + the unassigned row, last */
        lr->rows = calloc(lr->nrows, sizeof *lr->rows);
        lr->group = calloc(lr->nrows * (ngcols ? ngcols : 1), sizeof *lr->group);
        lr->map = level_map(set, l);
        /* A company bitmap per row, when that stays small; else companies
         * are counted from sorted (row, company) pairs. */
        lr->bits = bitmap_bytes * lr->nrows <= (64u << 20) ? calloc(lr->nrows * (bitmap_bytes ? bitmap_bytes : 1), 1) : NULL;
        if (!lr->rows || !lr->group || !lr->map)
            return fp_error_set(err, FP_ERR_NOMEM, "out of memory accumulating");
        for (size_t r = 0; r < lr->nrows; r++) lr->rows[r].group = lr->group + r * ngcols;
    }
    /* Per project: its shares (one for a point), combined per row of each
     * level, so a line crossing two provinces of one country counts once
     * in that country's `projects`. */
    size_t sk = 0;
    fp_share one;
    typedef struct { int row; double share; } row_share;
    row_share *tmp = NULL;
    size_t captmp = 0;
    fp_share *buf = NULL;
    size_t capbuf = 0;
    for (size_t i = 0; i < t->n; i++) {
        const fp_project *p = &t->items[i];
        const fp_share *list;
        size_t nlist;
        if (p->region != -2) {
            one = (fp_share){ p->region, 1, p->method, p->distance_km };
            list = &one;
            nlist = 1;
            res->by_method[p->method]++;
        } else {
            size_t first = sk;
            while (sk < t->nshares && t->shares[sk].project == i) sk++;
            nlist = sk - first;
            /* Shares are contiguous in t->shares; gather them. */
            if (nlist > capbuf) {
                fp_share *nb = realloc(buf, nlist * 2 * sizeof *nb);
                if (!nb) { free(tmp); free(buf); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
                buf = nb;
                capbuf = nlist * 2;
            }
            for (size_t k = 0; k < nlist; k++) buf[k] = t->shares[first + k].share;
            list = buf;
            int assigned = 0;
            for (size_t k = 0; k < nlist; k++) assigned |= list[k].region >= 0;
            /* A line or polygon outside every region, snapped whole like a point. */
            if (nlist == 1 && list[0].method == FP_ASSIGN_SNAPPED) res->by_method[FP_ASSIGN_SNAPPED]++;
            else res->by_method[assigned ? FP_ASSIGN_SPLIT : FP_ASSIGN_UNASSIGNED]++;
        }
        for (int l = 0; l < set->nlevels; l++) {
            fp_level_result *lr = &levels[l];
            size_t nt = 0;
            if (nlist > captmp) {
                captmp = nlist * 2;
                row_share *n2 = realloc(tmp, captmp * sizeof *n2);
                if (!n2) { free(tmp); free(buf); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
                tmp = n2;
            }
            for (size_t k = 0; k < nlist; k++) {
                int row = list[k].region >= 0 ? lr->map[list[k].region] : -1;
                if (row < 0) row = (int)lr->nrows - 1;
                size_t j = 0;
                while (j < nt && tmp[j].row != row) j++;
                if (j == nt) tmp[nt++] = (row_share){ row, 0 };
                tmp[j].share += list[k].share;
            }
            for (size_t j = 0; j < nt; j++)
                add_to_row(&lr->rows[tmp[j].row], t, i, tmp[j].share,
                           lr->bits ? lr->bits + (size_t)tmp[j].row * bitmap_bytes : NULL, ncomp);
        }
    }
    free(tmp);
    free(buf);
    /* Companies without a bitmap: distinct (row, company) pairs. */
    for (int l = 0; l < set->nlevels; l++) {
        fp_level_result *lr = &levels[l];
        if (lr->bits) continue;
        GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
        sk = 0;
        for (size_t i = 0; i < t->n; i++) {
            const fp_project *p = &t->items[i];
            if (p->company < 0) continue;
            int rows[64], nr = 0;
            if (p->region != -2) rows[nr++] = p->region >= 0 && lr->map[p->region] >= 0 ? lr->map[p->region] : (int)lr->nrows - 1;
            else {
                while (sk < t->nshares && t->shares[sk].project < i) sk++;
                for (size_t k = sk; k < t->nshares && t->shares[k].project == i && nr < 64; k++) {
                    int r = t->shares[k].share.region;
                    rows[nr++] = r >= 0 && lr->map[r] >= 0 ? lr->map[r] : (int)lr->nrows - 1;
                }
            }
            for (int k = 0; k < nr; k++) {
                gint64 *key = g_new(gint64, 1);
                *key = ((gint64)rows[k] << 32) | (gint64)p->company;
                if (g_hash_table_add(seen, key)) lr->rows[rows[k]].companies++;
                else g_free(key);
            }
        }
        g_hash_table_destroy(seen);
    }
    /* The roll-up check: every level adds up to the number of projects. */
    res->nlevels = set->nlevels;
    res->check_passed = 1;
    for (int l = 0; l < set->nlevels; l++) {
        fp_level_result *lr = &levels[l];
        fp_level_total *lt = &res->levels[l];
        snprintf(lt->level, sizeof lt->level, "%s", set->levels[l].name);
        lt->regions = (long)set->levels[l].n;
        for (size_t r = 0; r + 1 < lr->nrows; r++) {
            lt->weighted += lr->rows[r].weighted;
            lt->with_projects += lr->rows[r].projects > 0;
        }
        lt->unassigned = lr->rows[lr->nrows - 1].weighted;
        if (fabs(lt->weighted + lt->unassigned - (double)t->n) > 1e-6 * (double)(t->n + 1)) res->check_passed = 0;
    }
    return FP_OK;
}

void fpi_level_results_free(fp_level_result *levels, int n)
{
    for (int l = 0; l < n; l++) {
        free(levels[l].rows);
        free(levels[l].group);
        free(levels[l].map);
        free(levels[l].bits);
    }
}

/* ---------------------------------------------------------------- main --- */

/* Below this many projects aggregate places them on one thread with a lazy
 * region index: building every country's cells costs more than placing a
 * few thousand points. */
#define FP_FEW_PROJECTS 2000

int fpi_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The region set, loaded on the store's own connection while reader
 * threads read the projects on theirs (fpi_projects_read). */
typedef struct regions_load {
    fp_store *store;
    const char *by;
    int threads;
    fp_region_set *set;
    fp_status st;
    fp_error err;
} regions_load;

static void load_regions(void *arg)
{
    regions_load *rl = arg;
    /* No extent: only grid and hex cells need one, and they wait for the read. */
    static const double world[4] = { -180, -90, 180, 90 };
    rl->st = fpi_region_set_load(rl->store, rl->by, world, rl->threads, &rl->set, &rl->err);
}

static int compare_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Projects a geocode placed at a country's centroid say nothing about the
 * admin-1 region, cell or district they are in: an aggregation finer than
 * the country would count each in whichever region the centroid falls in
 * (an outside tester's 3W: a Middle Juba activity counted in Hiraan). They
 * are left unassigned there, and said so; in grid and hex cells admin-1
 * centroids too. Country, subregion and continent aggregations count them
 * (the centroid is in its country); --keep-centroids counts them anywhere. */
static fp_status leave_out_centroids(fp_store *store, const fp_aggregate_options *opts, fp_project_table *t,
                                     fp_aggregate_result *res, fp_error *err)
{
    const char *by = opts->by;
    if (opts->keep_centroids || !t->n || !strcmp(by, "country") || !strcmp(by, "subregion") ||
        !strcmp(by, "continent"))
        return FP_OK;
    int cells = !strncmp(by, "grid:", 5) || !strncmp(by, "hex:", 4);
    int64_t *ids = NULL;
    size_t n = 0;
    fp_status st = fp_store_centroid_placed_ids(store, opts->dataset, cells, &ids, &n, err);
    if (st || !n) { free(ids); return st; }
    if (!(t->left_out = calloc(t->n, 1))) { free(ids); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    for (size_t i = 0; i < t->n; i++) {
        int64_t id = t->items[i].id;
        if (bsearch(&id, ids, n, sizeof *ids, compare_id)) {
            t->left_out[i] = 1;
            res->centroids_left_out++;
        }
    }
    res->centroids_admin1 = cells;
    free(ids);
    return FP_OK;
}

fp_status fp_aggregate(fp_store *store, const fp_aggregate_options *opts, fp_aggregate_result *res, fp_error *err)
{
    fp_aggregate_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_aggregate: store is NULL");
    if (!opts) return fp_error_set(err, FP_ERR_USAGE, "fp_aggregate: opts is NULL (it names the level, --by)");
    if (!opts->by || !*opts->by)
        return fp_error_set(err, FP_ERR_USAGE, "aggregate needs --by LEVEL");
    double snap = opts->snap_km < 0 ? FP_DEFAULT_SNAP_KM : opts->snap_km;
    if (!isfinite(snap) || snap > 1000)
        return fp_error_set(err, FP_ERR_USAGE, "--snap-km %g: expected a distance from 0 to 1000 km", snap);
    int threads = opts->threads > 0 ? opts->threads : fpi_default_threads();
    if (threads > 64) threads = 64;

    /* Group fields and the aggregation's name. */
    char *groups[FP_MAX_GROUPS];
    int ngroups = 0;
    gchar **parts = opts->group && *opts->group ? g_strsplit(opts->group, ",", -1) : NULL;
    fp_status st = FP_OK;
    for (int i = 0; parts && parts[i] && !st; i++) {
        char *f = g_strstrip(parts[i]);
        if (!*f) continue;
        if (ngroups == FP_MAX_GROUPS)
            st = fp_error_set(err, FP_ERR_USAGE, "--group: at most %d fields", FP_MAX_GROUPS);
        else if (!fpi_identifier_valid(f, 48))
            st = fp_error_set(err, FP_ERR_USAGE, "--group %s: a field name is letters, digits and _", f);
        else
            groups[ngroups++] = f;
    }
    char name[64];
    if (!st) {
        if (opts->name) {
            if (!fpi_identifier_valid(opts->name, 48))
                st = fp_error_set(err, FP_ERR_USAGE, "--name %s: use 1 to 48 letters, digits and _", opts->name);
            else
                snprintf(name, sizeof name, "%s", opts->name);
        } else {
            GString *n = g_string_new(NULL);
            for (const char *c = opts->by; *c && n->len < 24; c++)
                g_string_append_c(n, g_ascii_isalnum(*c) ? g_ascii_tolower(*c) : '_');
            if (!strncmp(opts->by, "regions:", 8)) g_string_assign(n, "regions");
            for (int g = 0; g < ngroups; g++) g_string_append_printf(n, "%s%s", g ? "_" : "_by_", groups[g]);
            snprintf(name, sizeof name, "%.48s", n->str);
            g_string_free(n, TRUE);
        }
    }
    /* "Cmp" and "cmp" are one table to SQLite (names ignore case), so the
     * second aggregation replaced the first's table while both kept their
     * rows in `aggregations`: an export of Cmp gave cmp's counts. Refused
     * on both engines, so that a name means the same everywhere (PostGIS,
     * QGIS and GDAL's SQLite driver included). */
    char **existing = NULL;
    size_t nexisting = 0;
    if (!st && fp_store_aggregation_names(store, &existing, &nexisting, NULL) == FP_OK) {
        /* Its tables (agg_N, agg_N_assign) against theirs, case aside:
         * "a_ASSIGN"'s agg_a_ASSIGN is "a"'s agg_a_assign. A name stored as
         * it is given is replaced (a PostGIS store may hold two names that
         * differ in case from before this rule). */
        int same = 0;
        for (size_t i = 0; i < nexisting; i++) same |= !strcmp(existing[i], name);
        char *mine[2] = { g_strdup_printf("agg_%s", name), g_strdup_printf("agg_%s_assign", name) };
        for (size_t i = 0; i < nexisting && !st && !same; i++) {
            if (!strcmp(existing[i], name)) continue;
            char *theirs[2] = { g_strdup_printf("agg_%s", existing[i]), g_strdup_printf("agg_%s_assign", existing[i]) };
            for (int a = 0; a < 2 && !st; a++)
                for (int b = 0; b < 2 && !st; b++)
                    if (!g_ascii_strcasecmp(mine[a], theirs[b]))
                        st = fp_error_set(err, FP_ERR_USAGE, "--name %s: its table %s is the aggregation '%s''s %s to SQLite,"
                                          " whose table names ignore case; give another name, or --name %s to replace it",
                                          name, mine[a], existing[i], theirs[b], existing[i]);
            g_free(theirs[0]);
            g_free(theirs[1]);
        }
        g_free(mine[0]);
        g_free(mine[1]);
    }
    fp_store_strings_free(existing);
    if (st) { g_strfreev(parts); return st; }
    snprintf(res->name, sizeof res->name, "%s", name);
    snprintf(res->table, sizeof res->table, "agg_%s", name);
    snprintf(res->assign_table, sizeof res->assign_table, "agg_%s_assign", name);

    fp_project_table t = { .dataset = opts->dataset };
    fp_region_set *set = NULL;
    fp_region_index *idx = NULL;
    fp_level_result levels[FP_MAX_LEVELS];
    memset(levels, 0, sizeof levels);
    fpi_aggregate_writer *aw = NULL;
    int cache = 0, cache_set = 0;
    /* FOOTPRINT_TIMING=1: the time of each step, the first from t0. */
    const fp_context *ctx = fp_store_context(store);
    fpi_steps steps;
    fpi_steps_start(&steps, ctx);
    steps.wall = t0;
#define STEP(label) fpi_steps_mark(&steps, label)
    if ((st = fp_store_begin(store, err))) goto out;
    /* On PostGIS, regions that do not depend on where the projects are
     * (all but grid and hex cells, made to cover their extent) load while
     * the projects are read: the readers wait on the server (1M points:
     * 0.18 s of a 1.8 s run saved). Not on SpatiaLite, whose read is
     * CPU-bound already (measured: no gain) and where loading the regions
     * may write (their groups' cache) beside the readers. */
    regions_load rl = { .store = store, .by = opts->by, .threads = threads };
    int early = fp_store_is_server(store) && strncmp(opts->by, "grid:", 5) != 0 && strncmp(opts->by, "hex:", 4) != 0;
    st = fpi_projects_read(store, &t, groups, ngroups, threads, early ? load_regions : NULL, &rl, err);
    set = rl.set;
    if (!st && rl.st) {
        st = rl.st;
        if (err) *err = rl.err;
    }
    if (st) goto out;
    STEP("read");
    res->projects = (long)t.n;
    if (opts->dataset) {
        snprintf(res->dataset, sizeof res->dataset, "%s", opts->dataset);
        if (!t.n && !t.without_geometry) {
            st = fp_error_set(err, FP_ERR_USAGE, "--dataset %s: no project of that dataset in %s", opts->dataset,
                              fp_store_path(store));
            goto out;
        }
    } else if ((st = datasets_note(store, res->datasets_note, sizeof res->datasets_note, err))) goto out;
    res->without_geometry = t.without_geometry;
    /* A field that is no column and that no project has is a typo, not a
     * group of one empty value. */
    for (int g = 0; g < ngroups && t.n; g++) {
        GPtrArray *v = t.group_values[g];
        if (!fp_store_is_project_column(groups[g]) && v->len == 1 && !*(const char *)g_ptr_array_index(v, 0)) {
            st = fp_error_set(err, FP_ERR_USAGE, "--group %s: no project has this field (fields: the columns company, "
                              "category, name, place, country, country_code, year, status, source, dataset, or a key "
                              "of the input's extra columns)", groups[g]);
            goto out;
        }
    }
    if (!early && (st = fpi_region_set_load(store, opts->by, t.extent, threads, &set, err))) goto out;
    if (set->n > FP_MAX_REGION_INDEX) {   /* fp_project's region field */
        st = fp_error_set(err, FP_ERR_INPUT, "%s: %zu regions, more than footprint aggregates into (%d)", opts->by,
                          set->n, FP_MAX_REGION_INDEX);
        goto out;
    }
    if ((st = leave_out_centroids(store, opts, &t, res, err))) goto out;
    res->regions_cut = (long)set->cut;
    res->regions_repaired = (long)set->repaired;
    STEP("regions");
    /* A few projects (a small list, a test): one thread, and the index cut
     * only around them as they are placed; the answers are the same. */
    int few = t.n < FP_FEW_PROJECTS;
    if (set->kind == FP_SET_POLYGONS &&
        (st = few ? fpi_region_index_new_lazy(set, &idx, err)
                  : fpi_region_index_new_cached(set, threads, fp_context_cache_dir(ctx), &idx, err)))
        goto out;
    STEP("index");
    /* The store's 512 MiB page cache suits imports. Here the projects are in
     * memory already and the assignment rows are appended in id order, so a
     * small cache will do: its dirty pages go to the file while the other
     * threads assign, not all at the commit, and fewer fresh pages are
     * touched (on this VM memory the host has to back again costs about
     * 10 ms a MB, far more than writing it: bench/README.md, "Fresh
     * memory"). Measured, interleaved, 128 MiB against 2-16 MiB: 10M points
     * 7.9-11.9 s against 4.8-8.7 s, the commit 1.0-1.5 s against 0.15-0.3 s;
     * 1M points 0.86-0.95 s against 0.58-0.74 s. */
    cache = fp_store_cache_size(store, -8192);
    cache_set = 1;
    /* The tables are created first; the assignments are stored, in project
     * order, by this thread while the others assign the next chunks (10M
     * points: assign 2.0 s and write 3.5 s one after the other). */
    fpi_group_columns(&t);
    double snap_km = set->kind == FP_SET_POLYGONS ? snap : 0;   /* snapping is for polygon regions only */
    fp_aggregate_store_options so = { .name = name, .by = opts->by, .groups = groups, .ngroups = ngroups,
                                      .snap_km = snap_km };
    if ((st = fpi_aggregate_write_begin(store, &so, &t, set, res, &aw, err))) goto out;
    if ((st = fpi_projects_assign(&t, set, idx, snap_km, few ? 1 : threads, fpi_aggregate_write_assigned, aw, err)))
        goto out;
    if (fpi_region_index_failed(idx)) {
        st = fp_error_set(err, FP_ERR_INPUT, "could not build the region index (GEOS failed on a region geometry)");
        goto out;
    }
    STEP("assign");
    if ((st = fpi_projects_accumulate(&t, set, levels, res, err))) goto out;
    STEP("sum");
    fp_context_pause(ctx, "aggregate:assigned");
    for (int g = 0; g < ngroups; g++) res->group_columns += (long)t.group_values[g]->len;
    if (!res->check_passed) {
        st = fp_error_set(err, FP_ERR_STATE, "aggregate %s: the roll-up check failed (a level's total differs from "
                          "the %zu projects); nothing stored", name, t.n);
        goto out;
    }
    st = fpi_aggregate_write_end(aw, levels, err);
    fp_store_cache_size(store, cache);
    cache_set = 0;
    if (st) goto out;
    STEP("write");
    fp_context_pause(ctx, "aggregate:written");
    st = fp_store_commit(store, err);
    STEP("commit");
    res->seconds = fpi_now() - t0;
#undef STEP
out:
    fpi_aggregate_writer_free(aw);
    if (cache_set) fp_store_cache_size(store, cache);
    if (st) fp_store_rollback(store);
    if (set) fpi_level_results_free(levels, set->nlevels);
    fpi_region_index_free(idx);
    fpi_region_set_free(set);
    fpi_project_table_free(&t);
    g_strfreev(parts);
    return st;
}
