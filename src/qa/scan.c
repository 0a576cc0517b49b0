/*
 * The stored points for the checks, read in two parts at once.
 *
 * Reading a point row out of the store (SQLite's decoding, or libpq's
 * results) cost more than checking it: 0.6 of a 1M-point check's 1.4 s.
 * Two threads read the two halves of the id span, each through its own
 * reader connection (fp_store_open_reader), copying rows into batches; the
 * calling thread checks each batch as it arrives. The order rows reach the
 * checks in does not matter: findings are sorted by row and kind, and the
 * duplicate sweeps sort the rows themselves (duplicates.c).
 *
 * Readers see what is committed. A check that has already changed rows in
 * its own transaction (--undo, or the pass after --fix) reads through its
 * own connection, in one part (parallel = 0).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "fp_store_qa.h"
#include "qa/qa_internal.h"

/* Fewer rows than this are read in one part: threads and readers would
 * cost more than they save. */
#define PARALLEL_ROWS 50000
#define BATCH_ROWS 4096
#define QUEUED_MAX 8                 /* batches waiting for the checks, at most */

typedef struct scan_batch {
    fp_qa_store_row rows[BATCH_ROWS];
    size_t n;
    GStringChunk *text;
    struct scan_batch *next;
} scan_batch;

typedef struct scan_job scan_job;

typedef struct scan_part {
    scan_job *job;
    fp_store *reader;                /* opened by the calling thread, closed by the part's */
    int64_t from, to;
    scan_batch *filling;
    fp_status st;
    fp_error err;
} scan_part;

struct scan_job {
    fp_store *store;
    const char *dataset;
    pthread_mutex_t lock;
    pthread_cond_t ready, room;
    scan_batch *queued, *queued_last;
    int nqueued, running, stop;
    scan_part *failed;               /* the part that failed first, whose error is reported */
};

static scan_batch *batch_new(void)
{
    scan_batch *b = calloc(1, sizeof *b);
    if (b) b->text = g_string_chunk_new(1 << 16);
    return b;
}

static void batch_free(scan_batch *b)
{
    if (!b) return;
    g_string_chunk_free(b->text);
    free(b);
}

/* Queues a part's filled batch for the checks; 0 when the job stops. */
static int hand_over(scan_part *p)
{
    scan_job *j = p->job;
    pthread_mutex_lock(&j->lock);
    while (j->nqueued >= QUEUED_MAX && !j->stop) pthread_cond_wait(&j->room, &j->lock);
    int go = !j->stop;
    if (go) {
        p->filling->next = NULL;
        if (j->queued_last) j->queued_last->next = p->filling;
        else j->queued = p->filling;
        j->queued_last = p->filling;
        j->nqueued++;
        p->filling = NULL;
        pthread_cond_signal(&j->ready);
    }
    pthread_mutex_unlock(&j->lock);
    return go;
}

static const char *copy(scan_batch *b, const char *v)
{
    return v ? g_string_chunk_insert(b->text, v) : NULL;
}

static fp_status copy_row(const fp_qa_store_row *in, void *ctx, fp_error *err)
{
    scan_part *p = ctx;
    if (!p->filling && !(p->filling = batch_new())) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    scan_batch *b = p->filling;
    fp_qa_store_row *r = &b->rows[b->n++];
    *r = *in;
    r->dataset = copy(b, in->dataset);
    r->file = copy(b, in->file);
    r->format = copy(b, in->format);
    r->source_key = copy(b, in->source_key);
    r->company = copy(b, in->company);
    r->category = copy(b, in->category);
    r->name = copy(b, in->name);
    r->country = copy(b, in->country);
    r->country_code = copy(b, in->country_code);
    r->geocode_method = copy(b, in->geocode_method);
    r->geocode_precision = copy(b, in->geocode_precision);
    r->extra = copy(b, in->extra);
    r->place = copy(b, in->place);
    r->geocode_ref = copy(b, in->geocode_ref);      /* the reader's row is gone once this returns */
    if (b->n == BATCH_ROWS && !hand_over(p))
        return fp_error_set(err, FP_ERR_INTERRUPTED, "stopped");    /* the checks failed: their error is reported */
    return FP_OK;
}

static void *read_part(void *arg)
{
    scan_part *p = arg;
    scan_job *j = p->job;
    fp_store *reader = p->reader;
    p->st = fp_qa_store_each_point_in(reader, j->dataset, p->from, p->to, copy_row, p, &p->err);
    if (!p->st && p->filling && p->filling->n) hand_over(p);
    fp_store_close(reader);
    pthread_mutex_lock(&j->lock);
    j->running--;
    if (p->st && !j->stop) j->failed = p;
    if (p->st) j->stop = 1;                              /* the other part need not go on */
    pthread_cond_broadcast(&j->ready);
    pthread_cond_broadcast(&j->room);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* The points read in one part on the store's own connection: every point
 * (ranged 0), or the nparts id ranges from[i]..to[i]. */
static fp_status read_on_store(fp_store *store, const char *dataset, int ranged, int nparts, const int64_t *from,
                               const int64_t *to, fp_qa_row_fn fn, void *ctx, fp_error *err)
{
    if (!ranged) return fp_qa_store_each_point(store, dataset, fn, ctx, err);
    fp_status st = FP_OK;
    for (int i = 0; i < nparts && !st; i++) st = fp_qa_store_each_point_in(store, dataset, from[i], to[i], fn, ctx, err);
    return st;
}

fp_status fpi_qa_scan_points(fp_store *store, const char *dataset, int parallel, long long skip_from, long long skip_to,
                         fp_qa_row_fn fn, void *ctx, fp_error *err)
{
    int64_t min = 0, max = 0, count = 0;
    int skipping = skip_from <= skip_to;
    /* Skipping, the count is needed only when rows lie on both sides. */
    fp_status st = parallel || skipping ? fp_store_project_ids(store, &min, &max, skipping ? NULL : &count, err) : FP_OK;
    if (st) return st;
    /* The id ranges to read: the span in two halves, or what lies on
     * either side of the rows skipped. */
    int64_t from[2], to[2];
    int nparts = 0;
    if (skipping) {
        if (min < skip_from) { from[nparts] = min; to[nparts++] = skip_from - 1; }
        if (max > skip_to) { from[nparts] = skip_to + 1; to[nparts++] = max; }
        if (parallel && nparts == 2 && (st = fp_store_project_ids(store, &min, &max, &count, err))) return st;
        if (!parallel || nparts < 2 || count - (skip_to - skip_from + 1) < PARALLEL_ROWS)
            return read_on_store(store, dataset, 1, nparts, from, to, fn, ctx, err);
    } else {
        if (!parallel || count < PARALLEL_ROWS) return read_on_store(store, dataset, 0, 0, from, to, fn, ctx, err);
        int64_t mid = min + (max - min) / 2;
        from[0] = min;
        to[0] = mid;
        from[1] = mid + 1;
        to[1] = max;
        nparts = 2;
    }

    /* The readers open here, before any row is read: one that cannot
     * connect (a connection limit, a pooler of one connection) or would
     * wait for a lock (another session's TRUNCATE or ALTER TABLE queued
     * behind the store's own connection, a wait PostgreSQL's deadlock check
     * cannot see) means reading on the store's own connection instead. */
    fp_context_pause(fp_store_context(store), "check:read");   /* the ids read, the readers not open (tests) */
    fp_store *readers[2] = { NULL, NULL };
    fp_error open_err = {0};
    fp_status open_st = FP_OK;
    int waited = 0;
    for (int i = 0; i < 2 && !open_st; i++) {
        open_st = fp_store_open_reader(store, &readers[i], &open_err);
        if (!open_st) open_st = fp_store_reader_take_locks(readers[i], FP_STORE_READER_LOCK_TIMEOUT_MS, &open_err);
        if (open_st) waited = fp_store_lock_timed_out(readers[i]);
    }
    if (open_st) {
        for (int i = 0; i < 2; i++) fp_store_close(readers[i]);
        if (fp_store_failed_transaction(store)) return fp_error_set(err, open_st, "%s", open_err.message);
        if (waited)
            fp_context_log(fp_store_context(store), "footprint: a reader waited for a table lock that another "
                           "session asked for behind this check; reading on the store's own connection");
        else
            fp_context_log(fp_store_context(store), "footprint: a second connection to read with could not be "
                           "opened (%s); reading on the store's own connection", open_err.message);
        /* Not skipping, one statement over every point (one moment on a
         * READ COMMITTED connection, as the readers' shared snapshot was). */
        return read_on_store(store, dataset, skipping, nparts, from, to, fn, ctx, err);
    }
    /* The checks keep 64 bytes of each row: mapped, the store's pages only
     * doubled the check's memory (1M points: 300 -> 161 MB, same time). */
    for (int i = 0; i < 2; i++) fp_store_reader_unmap(readers[i]);

    scan_job job = { .store = store, .dataset = dataset };
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.ready, NULL);
    pthread_cond_init(&job.room, NULL);
    scan_part parts[2] = { { .job = &job, .reader = readers[0], .from = from[0], .to = to[0] },
                           { .job = &job, .reader = readers[1], .from = from[1], .to = to[1] } };
    pthread_t tid[2];
    int started[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&job.lock);
        job.running++;
        pthread_mutex_unlock(&job.lock);
        started[i] = pthread_create(&tid[i], NULL, read_part, &parts[i]) == 0;
        if (!started[i]) {
            pthread_mutex_lock(&job.lock);
            job.running--;
            job.stop = 1;
            pthread_mutex_unlock(&job.lock);
            st = fp_error_set(err, FP_ERR_NOMEM, "cannot start a thread to read the points");
            for (int k = i; k < 2; k++) fp_store_close(readers[k]);   /* the parts not started */
            break;
        }
    }
    /* The checks, batch by batch, as the parts fill them. */
    for (;;) {
        pthread_mutex_lock(&job.lock);
        while (!job.queued && job.running > 0) pthread_cond_wait(&job.ready, &job.lock);
        scan_batch *b = job.queued;
        if (b) {
            job.queued = b->next;
            if (!job.queued) job.queued_last = NULL;
            job.nqueued--;
            pthread_cond_signal(&job.room);
        }
        pthread_mutex_unlock(&job.lock);
        if (!b) break;
        for (size_t i = 0; i < b->n && !st; i++) st = fn(&b->rows[i], ctx, err);
        batch_free(b);
        if (st) {
            pthread_mutex_lock(&job.lock);
            job.stop = 1;
            pthread_cond_broadcast(&job.room);
            pthread_mutex_unlock(&job.lock);
        }
    }
    for (int i = 0; i < 2; i++)
        if (started[i]) pthread_join(tid[i], NULL);
    for (scan_batch *b = job.queued, *next; b; b = next) { next = b->next; batch_free(b); }
    for (int i = 0; i < 2; i++) batch_free(parts[i].filling);
    /* The checks' error, else the first failed part's (a part stopped by
     * the other's failure or by the checks' reports nothing new). */
    if (!st && job.failed) {
        st = job.failed->st;
        if (err) *err = job.failed->err;
    }
    pthread_mutex_destroy(&job.lock);
    pthread_cond_destroy(&job.ready);
    pthread_cond_destroy(&job.room);
    return st;
}
