/*
 * Where imported rows go: the store's loader (fp_store_loader_*), the
 * per-kind counts, duplicate-id detection, year/amount parsing, country
 * resolution, progress and interruption.
 *
 * Two threads. The caller's thread reads and checks rows (CSV parsing,
 * numbers, geometry checks) and appends each project or reject, its text
 * copied, to a batch; a store thread takes the batches in order and writes
 * them through the loader, the only user of the store connection until
 * fpi_sink_finish has joined it. A 1M-point CSV spent a quarter of its rows
 * step reading and checking, on the one thread that then waited for SQLite.
 * The counts of what was stored and rejected are the store thread's (a
 * duplicate id is only found there); the caller reads them after the join.
 * A failed write stops the store thread; the caller's next row returns its
 * error, and the caller rolls back.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <geos_c.h>
#include <glib.h>
#include "ingest/ingest_internal.h"
#include "fp_store.h"
#include "fp_qa.h"
#include "geocode/country_index.h"
#include "common/util.h"
#include "common/json_util.h"

/* One row for the store thread: a project or a reject, its text in the
 * batch's chunk. */
typedef struct sink_op {
    int is_reject;
    fp_reject_kind kind;          /* a reject's */
    long line, feature;
    int has_fid;                  /* a project's: its source's id, for a refusal's reason */
    long long fid;
    const char *reason;           /* a reject's full reason ([FID n: ]kind: detail) */
    const char *prefix;           /* a project's layer before a refusal's reason, or NULL */
    const char *raw;              /* valid UTF-8, capped; or NULL */
    size_t raw_len;
    fp_project_record p;          /* a project's */
    int reprojected;              /* counted when stored, not when refused */
    int empty_geometry;           /* likewise (fp_row) */
    int country_defaulted;        /* --default-country's country (fp_row), counted when stored */
    int country_own_other;        /* a country of its own, not --default-country's: counted when stored */
} sink_op;

#define BATCH_ROWS 2048
#define BATCH_BYTES (8 << 20)     /* or this much text: rows of big polygons fill batches sooner */
#define PREFETCH_AHEAD 4           /* rows (fp_store_loader_prefetch) */
#define BATCHES 4                 /* in flight: one filling, the others queued or being written */
/* A row's raw text is kept for a duplicate id's reject, which stores at
 * most 64 KiB of it (reject_text). */
#define RAW_KEPT (65536 + 4)

typedef struct sink_batch {
    sink_op ops[BATCH_ROWS];
    size_t n;
    size_t bytes;                 /* text copied into it */
    GStringChunk *text;
    struct sink_batch *next;
} sink_batch;

struct fp_sink {
    fp_store *store;
    const char *path;
    long import_id;
    const char *dataset;
    fp_import_result *res;
    fp_store_loader *loader;
    fp_country_index *countries;
    double started, last_progress;
    long ticks;
    GEOSContextHandle_t geos;     /* geometry checks of this import (the caller's thread) */
    /* The batches and the store thread. */
    sink_batch *filling;          /* the caller's */
    sink_batch *queued, *queued_last, *spare;
    int nbatches;
    pthread_mutex_t lock;
    pthread_cond_t work, room;
    int writer_started, closing, failed;
    pthread_t writer;
    fp_error writer_err;          /* the store thread's error, once failed */
    /* The QA feed (the caller's thread) and the projects handed over,
     * each under its place in this count. */
    fp_qa_feed *qa;
    long long projects_sent;
    double writer_cpu;            /* the store thread's CPU seconds, once it ended */
    fpi_placements *placements;   /* footprint's own export: placements its rows record, or NULL */
    GStringChunk *prefixes;       /* the rows' reason prefixes, one copy each (alive with the sink) */
};

static const char *const kind_names[FP_REJECT_KINDS] = {
    [FP_REJECT_MALFORMED] = "malformed row",
    [FP_REJECT_NO_LOCATION] = "no location",
    [FP_REJECT_COORD_MISSING] = "coordinates missing",
    [FP_REJECT_COORD_NOT_NUMBER] = "coordinates not numbers",
    [FP_REJECT_COORD_NOT_FINITE] = "coordinates NaN or infinite",
    [FP_REJECT_COORD_RANGE] = "coordinates out of range",
    [FP_REJECT_BAD_WKT] = "unreadable WKT",
    [FP_REJECT_EMPTY_GEOMETRY] = "empty geometry",
    [FP_REJECT_INVALID_GEOMETRY] = "invalid geometry",
    [FP_REJECT_DUPLICATE_ID] = "duplicate id",
    [FP_REJECT_NOT_A_PROJECT] = "not a project",
};

const char *fp_reject_kind_name(fp_reject_kind kind)
{
    return (kind >= 0 && kind < FP_REJECT_KINDS) ? kind_names[kind] : "unknown";
}

static void batch_free(sink_batch *b)
{
    if (!b) return;
    g_string_chunk_free(b->text);
    free(b);
}

static const char *copy_bytes(sink_batch *b, const char *v, size_t len)
{
    b->bytes += len + 1;
    return g_string_chunk_insert_len(b->text, v, (gssize)len);
}

static const char *copy_text(sink_batch *b, const char *v)
{
    return v ? copy_bytes(b, v, strlen(v)) : NULL;
}

/* The stored row's reject: the reason kind-prefixed and valid UTF-8, the
 * raw text kept only as valid UTF-8 and capped (into kept/keep). */
static void reject_text(fp_reject_kind kind, const long long *fid, const char *reason, const char *raw, size_t raw_len,
                        char full[1024], const char **kept, size_t *keep)
{
    if (fid) snprintf(full, 1024, "FID %lld: %s: %s", *fid, kind_names[kind], reason ? reason : "");
    else snprintf(full, 1024, "%s: %s", kind_names[kind], reason ? reason : "");
    /* Reasons quote the input cut to a length ("%.60s"), which can split a
     * character: only valid UTF-8 is stored (found by fuzzing, see
     * tests/fuzz/regressions/csv_import/). */
    fpi_utf8_sanitize(full);
    /* Raw text is stored only as valid UTF-8 (callers convert Windows-1252);
     * capped so a pathological row cannot bloat the store. */
    *kept = NULL;
    *keep = 0;
    if (raw && raw_len > 0 && fpi_utf8_valid(raw, raw_len)) {
        /* The cap must not split a character: back off to the start of
         * the one it would cut (found by the broken-input corpus: a long
         * row of 'é' stored with half a character at the end). */
        size_t k = raw_len;
        if (k > 65536) {
            k = 65536;
            while (k > 0 && ((unsigned char)raw[k] & 0xC0) == 0x80) k--;
        }
        *kept = raw;
        *keep = k;
    }
}

/* ---------------------------------------------------- the store thread --- */

static fp_status write_reject(fp_sink *s, long line, long feature, fp_reject_kind kind, const char *full,
                              const char *raw, size_t raw_len, fp_error *err)
{
    fp_status st = fp_store_loader_reject(s->loader, line, feature, full, raw, raw_len, err);
    if (st) return st;
    s->res->rejected++;
    s->res->by_kind[kind]++;
    return FP_OK;
}

static fp_status write_op(fp_sink *s, const sink_op *op, fp_error *err)
{
    if (op->is_reject) return write_reject(s, op->line, op->feature, op->kind, op->reason, op->raw, op->raw_len, err);
    fp_store_refusal refused;
    fp_status st = fp_store_loader_project(s->loader, &op->p, &refused, err);
    if (st) return st;
    if (refused != FP_STORE_STORED) {
        char reason[512], full[1024];
        fp_reject_kind kind = FP_REJECT_INVALID_GEOMETRY;
        if (refused == FP_STORE_DUPLICATE) {
            kind = FP_REJECT_DUPLICATE_ID;
            snprintf(reason, sizeof reason, "%sid '%.200s' is already stored in dataset '%.200s'",
                     op->prefix ? op->prefix : "", op->p.source_key ? op->p.source_key : "", s->dataset);
        } else {
            snprintf(reason, sizeof reason, "the store cannot encode it");
        }
        const char *kept;
        size_t keep;
        reject_text(kind, op->has_fid ? &op->fid : NULL, reason, op->raw, op->raw_len, full, &kept, &keep);
        return write_reject(s, op->line, op->feature, kind, full, kept, keep, err);
    }
    s->res->stored++;
    s->res->reprojected += op->reprojected;
    s->res->country_defaulted += op->country_defaulted;
    s->res->country_own_other += op->country_own_other;
    if (!op->p.wkb && !op->p.is_point) s->res->pending_geocode++;
    /* Its geometry was there but empty (coordinates GDAL could not read):
     * geocoded like a row without one, but counted and the first named. */
    if (op->empty_geometry && !s->res->empty_geometry++)
        snprintf(s->res->empty_geometry_first, sizeof s->res->empty_geometry_first, "%s: %sfeature %ld", s->path,
                 op->prefix ? op->prefix : "", op->feature);
    return FP_OK;
}

static void *writer_main(void *arg)
{
    fp_sink *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->queued && !s->closing) pthread_cond_wait(&s->work, &s->lock);
        sink_batch *b = s->queued;
        if (!b) break;                                  /* closing, and nothing left */
        s->queued = b->next;
        if (!s->queued) s->queued_last = NULL;
        int failed = s->failed;
        pthread_mutex_unlock(&s->lock);
        fp_error err = {0};
        fp_status st = FP_OK;
        for (size_t i = 0; i < b->n && !failed && !st; i++) {
            /* (The batch is here whole: the store's key check of a row a
             * few ahead is fetched into the cache while this one is written.) */
            if (i + PREFETCH_AHEAD < b->n && !b->ops[i + PREFETCH_AHEAD].is_reject)
                fp_store_loader_prefetch(s->loader, &b->ops[i + PREFETCH_AHEAD].p);
            st = write_op(s, &b->ops[i], &err);
        }
        /* The store may keep rows waiting; their text is this batch's. */
        if (!failed && !st) st = fp_store_loader_flush(s->loader, &err);
        b->n = 0;
        b->bytes = 0;
        g_string_chunk_clear(b->text);
        pthread_mutex_lock(&s->lock);
        if (st && !s->failed) {
            s->writer_err = err;
            if (!s->writer_err.code) s->writer_err.code = st;
            __atomic_store_n(&s->failed, 1, __ATOMIC_RELEASE);
        }
        b->next = s->spare;
        s->spare = b;
        pthread_cond_signal(&s->room);
    }
    pthread_mutex_unlock(&s->lock);
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) s->writer_cpu = ts.tv_sec + ts.tv_nsec / 1e9;
    return NULL;
}

/* The store thread's error for the caller (once it failed). */
static fp_status writer_failure(fp_sink *s, fp_error *err)
{
    if (err) *err = s->writer_err;
    return s->writer_err.code ? s->writer_err.code : FP_ERR_DB;
}

/* Hands the filling batch to the store thread and, with take_new, takes
 * an empty one (reusing a written batch, or a new one while fewer than
 * BATCHES exist). */
static fp_status hand_over(fp_sink *s, int take_new, fp_error *err)
{
    pthread_mutex_lock(&s->lock);
    sink_batch *b = s->filling;
    b->next = NULL;
    if (s->queued_last) s->queued_last->next = b;
    else s->queued = b;
    s->queued_last = b;
    s->filling = NULL;
    pthread_cond_signal(&s->work);
    if (take_new) {
        while (!s->spare && s->nbatches >= BATCHES && !s->failed) pthread_cond_wait(&s->room, &s->lock);
        if (s->spare && !s->failed) {
            s->filling = s->spare;
            s->spare = s->spare->next;
        }
    }
    int failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    if (failed) return writer_failure(s, err);
    if (take_new && !s->filling) {
        sink_batch *nb = calloc(1, sizeof *nb);
        if (!nb) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        nb->text = g_string_chunk_new(1 << 18);
        s->filling = nb;
        s->nbatches++;
    }
    return FP_OK;
}

/* The next op of the filling batch (handed over first when full). */
static fp_status next_op(fp_sink *s, sink_op **op, fp_error *err)
{
    if (s->filling && (s->filling->n == BATCH_ROWS || s->filling->bytes >= BATCH_BYTES)) {
        fp_status st = hand_over(s, 1, err);
        if (st) return st;
    } else if (__atomic_load_n(&s->failed, __ATOMIC_ACQUIRE)) {
        return writer_failure(s, err);
    }
    if (!s->filling) return fp_error_set(err, FP_ERR_STATE, "the import's store thread has stopped");
    *op = &s->filling->ops[s->filling->n++];
    memset(*op, 0, sizeof **op);
    return FP_OK;
}

/* Stops the store thread: waits for the queued batches to be written,
 * unless abandoning (an import that failed before its end). */
static void writer_stop(fp_sink *s, int abandon)
{
    if (!s->writer_started) return;
    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    if (abandon && !s->failed) {
        s->failed = 1;
        fp_error_set(&s->writer_err, FP_ERR_INTERRUPTED, "import abandoned");
    }
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->writer, NULL);
    s->writer_started = 0;
}

/* ----------------------------------------------------- the caller's side --- */

/* The loader's hook once every row is stored: the ids are known now
 * (first_id, PostGIS) or were from the start (0, SQLite). */
static void feed_rows_done(void *qa, long long first_id)
{
    if (first_id > 0) fp_qa_feed_rebase(qa, first_id);
    fp_qa_feed_rows_done(qa);
}

fp_status fpi_sink_new(fp_store *store, const char *path, long import_id, const char *dataset,
                      fp_import_result *res, fp_qa_feed *qa, fp_sink **out, fp_error *err)
{
    fp_sink *s = calloc(1, sizeof *s);
    if (!s) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    s->qa = qa;
    s->store = store;
    s->path = path;
    s->import_id = import_id;
    s->dataset = dataset;
    s->res = res;
    s->started = s->last_progress = fpi_now();
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->room, NULL);
    fp_status st = fp_store_loader_new(store, import_id, dataset, path, &s->loader, err);
    if (st == FP_OK && qa) {
        /* The checks' rows under their ids to come, their duplicate sweep
         * beside the import's last steps. */
        fp_qa_feed_set_base(qa, fp_store_loader_next_id(s->loader));
        fp_store_loader_on_indexed(s->loader, feed_rows_done, qa);
    }
    if (st == FP_OK) st = fpi_country_index_new(store, &s->countries, err);
    if (st == FP_OK && !(s->filling = calloc(1, sizeof *s->filling))) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    if (st == FP_OK) {
        s->filling->text = g_string_chunk_new(1 << 18);
        s->nbatches = 1;
        if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
            st = fp_error_set(err, FP_ERR_NOMEM, "%s: cannot start the import's store thread", path);
        else
            s->writer_started = 1;
    }
    if (st) { fpi_sink_free(s); return st; }
    *out = s;
    return FP_OK;
}

void *fpi_sink_geos(fp_sink *s)
{
    if (!s->geos) s->geos = GEOS_init_r();
    return s->geos;
}

fp_status fpi_sink_finish(fp_sink *s, fp_error *err)
{
    fp_status st = FP_OK;
    if (s->filling && s->filling->n) st = hand_over(s, 0, err);
    writer_stop(s, 0);
    if (st) return st;
    if (s->failed) return writer_failure(s, err);
    return fp_store_loader_finish(s->loader, err);
}

fp_status fpi_sink_restore_placements(fp_sink *s, fp_error *err)
{
    return fpi_placements_restore(s->placements, s->store, s->dataset, s->import_id, s->res, err);
}

double fpi_sink_writer_cpu(const fp_sink *s)
{
    return s->writer_cpu;
}

int fpi_sink_id_span(const fp_sink *s, long long *first_id, long long *count)
{
    int64_t first = 0, n = 0;
    if (s->writer_started || s->failed || !fp_store_loader_ids(s->loader, &first, &n)) return 0;
    *first_id = first;
    *count = n;
    return n == s->projects_sent;     /* every project stored */
}

void fpi_sink_free(fp_sink *s)
{
    if (!s) return;
    writer_stop(s, 1);
    batch_free(s->filling);
    for (sink_batch *b = s->queued, *next; b; b = next) { next = b->next; batch_free(b); }
    for (sink_batch *b = s->spare, *next; b; b = next) { next = b->next; batch_free(b); }
    fp_store_loader_free(s->loader);
    fpi_country_index_free(s->countries);
    fpi_placements_free(s->placements);
    if (s->geos) GEOS_finish_r(s->geos);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->room);
    if (s->prefixes) g_string_chunk_free(s->prefixes);
    free(s);
}

static fp_status sink_reject(fp_sink *s, long line, long feature, const long long *fid, fp_reject_kind kind,
                             const char *reason, const char *raw, size_t raw_len, fp_error *err)
{
    char full[1024];
    const char *kept;
    size_t keep;
    reject_text(kind, fid, reason, raw, raw_len, full, &kept, &keep);
    sink_op *op;
    fp_status st = next_op(s, &op, err);
    if (st) return st;
    sink_batch *b = s->filling;
    op->is_reject = 1;
    op->kind = kind;
    op->line = line;
    op->feature = feature;
    op->reason = copy_text(b, full);
    op->raw = kept ? copy_bytes(b, kept, keep) : NULL;
    op->raw_len = keep;
    return FP_OK;
}

fp_status fpi_sink_reject(fp_sink *s, long line, long feature, fp_reject_kind kind, const char *reason,
                         const char *raw, size_t raw_len, fp_error *err)
{
    return sink_reject(s, line, feature, NULL, kind, reason, raw, raw_len, err);
}

fp_status fpi_sink_reject_fid(fp_sink *s, long feature, long long fid, fp_reject_kind kind, const char *reason,
                             const char *raw, size_t raw_len, fp_error *err)
{
    return sink_reject(s, 0, feature, &fid, kind, reason, raw, raw_len, err);
}

void fpi_row_default_country(fp_row *row, const fp_import_options *opts)
{
    const char *own = row->values[FP_F_COUNTRY];
    if (!opts || !opts->default_country || (own && *own)) return;
    row->values[FP_F_COUNTRY] = opts->default_country;
    row->country_defaulted = 1;
}

static const char *nonempty(const char *v)
{
    return v && *v ? v : NULL;
}

/* Leading four-digit year in 1000..2999 ("2019", "2019-2021", "2019.0"). */
static int parse_year(const char *v, int *year)
{
    while (*v == ' ') v++;
    if (strlen(v) < 4) return 0;
    for (int i = 0; i < 4; i++) if (v[i] < '0' || v[i] > '9') return 0;
    if (v[4] >= '0' && v[4] <= '9') return 0;
    int y = atoi(v);
    if (y < 1000 || y > 2999) return 0;
    *year = y;
    return 1;
}

/* Whether text[0..n) is digits in thousands groups: 1-3 digits, then
 * groups of 3 after each sep ("12,500,000" with ','). */
static int thousands_groups(const char *text, size_t n, char sep)
{
    size_t run = 0, groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == sep) {
            if (run == 0 || (groups == 0 ? run > 3 || text[0] == '0' : run != 3)) return 0;   /* "0.500.000" */
            groups++;
            run = 0;
        } else if (text[i] >= '0' && text[i] <= '9') run++;
        else return 0;
    }
    return run > 0 && (groups == 0 || run == 3);
}

/* The separators of an amount as written (sign and blanks aside): none, a
 * decimal comma (one comma, or dots grouping thousands: "3,5", "0,500",
 * "1.234.567", "1.234,50"), a decimal point ("2.5", "0.500", "12,500,000",
 * "1,234.50"), or one separator before exactly three digits after 1-3
 * digits not starting with 0 ("12.500", "1.000", "12,500"): thousands or a
 * decimal, the value cannot tell. Text with anything else: none. */
fpi_amount_seps fpi_amount_separators(const char *text)
{
    while (*text == ' ') text++;
    if (*text == '-' || *text == '+') text++;
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == ' ') n--;
    const char *last_comma = NULL, *last_dot = NULL;
    int commas = 0, dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == ',') { last_comma = text + i; commas++; }
        else if (text[i] == '.') { last_dot = text + i; dots++; }
        else if (text[i] < '0' || text[i] > '9') return FPI_AMOUNT_SEPS_NONE;
    }
    if (!commas && !dots) return FPI_AMOUNT_SEPS_NONE;
    const char *last = last_comma > last_dot ? last_comma : last_dot;
    if (last + 1 == text + n || last == text) return FPI_AMOUNT_SEPS_NONE;    /* "3,", ",5": not understood */
    /* Both: the later is the decimal separator, once, after groups of the
     * other ("1.234,50"); several of one: groups ("1.234.567"). */
    if (commas && dots) {
        char group = last == last_comma ? '.' : ',';
        if ((last == last_comma ? commas : dots) > 1 || !thousands_groups(text, (size_t)(last - text), group))
            return FPI_AMOUNT_SEPS_NONE;
        return group == '.' ? FPI_AMOUNT_SEPS_COMMA : FPI_AMOUNT_SEPS_POINT;
    }
    if (dots > 1 || commas > 1) {
        if (!thousands_groups(text, n, *last)) return FPI_AMOUNT_SEPS_NONE;
        return dots > 1 ? FPI_AMOUNT_SEPS_COMMA : FPI_AMOUNT_SEPS_POINT;
    }
    if (thousands_groups(text, n, *last)) return FPI_AMOUNT_SEPS_EITHER;
    return *last == ',' ? FPI_AMOUNT_SEPS_COMMA : FPI_AMOUNT_SEPS_POINT;
}

/* An amount as spreadsheets and lists write it: a plain number ("1234.5",
 * "1e6"), or with thousands separators and/or a decimal comma:
 * "12,500,000", "1.234.567", "1,234.50", "1.234,50", "3,5". A single comma
 * before exactly three digits ("12,500") is read as thousands, a single dot
 * ("12.500") as a decimal point, unless decimal_comma says the column's
 * other values write decimal commas (import_csv.c): then that dot groups
 * thousands and that comma is the decimal one. Anything else (currency
 * signs, "3.5m", words) is not understood: 0 returned, the caller keeps the
 * text. */
static int parse_amount(const char *text, int decimal_comma, double *out)
{
    while (*text == ' ') text++;
    char *end;
    if (decimal_comma && fpi_amount_separators(text) == FPI_AMOUNT_SEPS_EITHER) {
        /* "12.500" is 12500 and "12,500" 12.5 in such a column. */
        char buf[16];
        size_t o = 0;
        for (const char *c = text; *c && *c != ' ' && o + 1 < sizeof buf; c++)
            if (*c != '.') buf[o++] = *c == ',' ? '.' : *c;
        buf[o] = '\0';
        *out = strtod(buf, &end);
        return *end == '\0';
    }
    errno = 0;
    double a = strtod(text, &end);
    const char *digits = text + (*text == '-' || *text == '+');
    int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
    while (*end == ' ') end++;
    if (*end == '\0' && end != text && !hex && isfinite(a)) { *out = a; return 1; }
    size_t n = strlen(digits);
    while (n > 0 && digits[n - 1] == ' ') n--;
    if (n == 0 || n > 60) return 0;
    const char *last_comma = NULL, *last_dot = NULL;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] == ',') last_comma = digits + i;
        else if (digits[i] == '.') last_dot = digits + i;
        else if (digits[i] < '0' || digits[i] > '9') return 0;
    }
    /* The decimal separator: the later of the two when both appear; a lone
     * comma not followed by exactly three digits; else none. */
    const char *dec = NULL;
    char group = 0;
    if (last_comma && last_dot) {
        dec = last_comma > last_dot ? last_comma : last_dot;
        group = *dec == ',' ? '.' : ',';
    } else if (last_comma) {
        /* "0,500" is a half: a thousands group never follows a lone 0. */
        int once = strchr(digits, ',') == last_comma;
        if (once && ((size_t)(digits + n - last_comma - 1) != 3 || (last_comma - digits == 1 && digits[0] == '0')))
            dec = last_comma;
        else group = ',';
    } else if (strchr(digits, '.') != last_dot) {
        group = '.';      /* several dots: "1.234.567" (one, strtod read) */
    } else return 0;
    /* dec is the last separator of either kind: only digits follow it. */
    if (dec && dec + 1 == digits + n) return 0;
    size_t int_len = dec ? (size_t)(dec - digits) : n;
    if (group ? !thousands_groups(digits, int_len, group) : int_len == 0) return 0;
    char buf[64];
    size_t o = 0;
    if (*text == '-') buf[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (digits + i == dec) buf[o++] = '.';
        else if (digits[i] != group) buf[o++] = digits[i];
    }
    buf[o] = '\0';
    a = strtod(buf, &end);
    if (*end != '\0' || !isfinite(a)) return 0;
    *out = a;
    return 1;
}

fp_status fpi_sink_store(fp_sink *s, const fp_row *row, const char *raw, size_t raw_len, fp_error *err)
{
    const char *const *v = row->values;
    fp_project_record p = { .source_key = v[FP_F_ID], .source_line = row->line > 0 ? row->line : row->feature,
                            .company = v[FP_F_COMPANY], .category = v[FP_F_CATEGORY], .name = v[FP_F_NAME],
                            .place = v[FP_F_PLACE], .country = v[FP_F_COUNTRY], .status = v[FP_F_STATUS],
                            .source = v[FP_F_SOURCE], .wkb = row->wkb, .wkb_len = row->wkb_len,
                            .is_point = row->is_point, .x = row->x, .y = row->y };
    const fp_country *c = fpi_country_index_find(s->countries, v[FP_F_COUNTRY]);
    if (c) p.country_code = c->a3;
    /* "NA" is Namibia's alpha-2 code and R's missing value (write.csv):
     * read as the code, as it may well be meant, but counted and warned. */
    if (c && v[FP_F_COUNTRY] && !strcmp(v[FP_F_COUNTRY], "NA") && !s->res->country_na++)
        s->res->country_na_line = row->line > 0 ? row->line : row->feature;
    /* --default-country (fp_import_file resolved it): a row's own country
     * other than it is kept, and counted for the summary. */
    int own_other = !row->country_defaulted && s->res->default_country[0] && v[FP_F_COUNTRY] && *v[FP_F_COUNTRY] &&
                    (!c || strcmp(c->a3, s->res->default_country) != 0);

    json_t *extra = row->extra;
    /* R's missing value (write.csv, read.csv) in a number's column: no
     * number is spelt NA, so it is empty, not a value not understood. */
    int year_na = v[FP_F_YEAR] && !strcmp(v[FP_F_YEAR], "NA"), amount_na = v[FP_F_AMOUNT] && !strcmp(v[FP_F_AMOUNT], "NA");
    s->res->na_missing += year_na + amount_na;
    if (v[FP_F_YEAR] && *v[FP_F_YEAR] && !year_na) {
        if (parse_year(v[FP_F_YEAR], &p.year)) p.has_year = 1;
        else if (extra) {
            json_object_set_new(extra, "year_raw", json_string(v[FP_F_YEAR]));
            s->res->year_not_understood++;
        }
    }
    if (v[FP_F_AMOUNT] && *v[FP_F_AMOUNT] && !amount_na) {
        if (parse_amount(v[FP_F_AMOUNT], row->amount_style == FPI_AMOUNT_COMMA_DECIMAL, &p.amount)) {
            p.has_amount = 1;
            /* A file with decimal commas whose amount column does not say
             * which "12.500" is: read as the rule for one value says, and
             * counted, the first named (the summary's warning). */
            if (row->amount_style == FPI_AMOUNT_UNSURE &&
                fpi_amount_separators(v[FP_F_AMOUNT]) == FPI_AMOUNT_SEPS_EITHER && !s->res->amount_ambiguous++) {
                s->res->amount_ambiguous_line = row->line > 0 ? row->line : row->feature;
                snprintf(s->res->amount_ambiguous_text, sizeof s->res->amount_ambiguous_text, "%s", v[FP_F_AMOUNT]);
                s->res->amount_ambiguous_read = p.amount;
            }
            /* "-0" is 0: SQLite stores -0.0 as the integer 0, PostgreSQL
             * keeps the sign, and the engines' exports differed. */
            if (p.amount == 0) p.amount = 0;
        }
        else if (extra) {
            json_object_set_new(extra, "amount_raw", json_string(v[FP_F_AMOUNT]));
            s->res->amount_not_understood++;
        }
    }
    char *extra_text = NULL;
    if (extra && json_object_size(extra) > 0) extra_text = fpi_json_dumps(extra, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
    p.extra = extra_text;

    /* The row for the store thread: its text copied (the reader reuses
     * its buffers), the raw line kept in case the store refuses it. */
    sink_op *op;
    fp_status st = next_op(s, &op, err);
    if (st) { free(extra_text); return st; }
    sink_batch *b = s->filling;
    op->line = row->line;
    op->feature = row->feature;
    op->has_fid = row->has_fid;
    op->fid = row->fid;
    op->reprojected = row->reprojected;
    op->empty_geometry = row->empty_geometry;
    op->country_defaulted = row->country_defaulted;
    op->country_own_other = own_other;
    op->prefix = NULL;
    if (row->reason_prefix && *row->reason_prefix) {
        if (!s->prefixes) s->prefixes = g_string_chunk_new(256);
        op->prefix = g_string_chunk_insert_const(s->prefixes, row->reason_prefix);
    }
    p.source_key = copy_text(b, p.source_key);
    p.company = copy_text(b, p.company);
    p.category = copy_text(b, p.category);
    p.name = copy_text(b, p.name);
    p.place = copy_text(b, p.place);
    p.country = copy_text(b, p.country);
    p.status = copy_text(b, p.status);
    p.source = copy_text(b, p.source);
    p.extra = copy_text(b, extra_text);               /* country_code: the country index's, alive with the sink */
    if (p.wkb) p.wkb = (const unsigned char *)copy_bytes(b, (const char *)p.wkb, p.wkb_len);
    free(extra_text);
    op->p = p;
    /* A placement the row records is known once every row is stored
     * (fpi_sink_restore_placements): the checks read such rows back. */
    if (row->placed_method && (p.wkb || p.is_point)) {
        if (!s->placements) s->placements = fpi_placements_new();
        fpi_placements_add(s->placements, p.source_key, row->placed_from, row->placed_key, row->placed_method,
                           row->placed_precision);
        fp_qa_feed_abandon(s->qa);
    }
    /* The QA feed: the point as the store will hold it (empty text is
     * NULL there), under its place among the projects handed over. */
    if (s->qa && p.wkb) {
        fp_qa_feed_abandon(s->qa);    /* read back from the store, as SpatiaLite decodes it */
    } else if (s->qa && p.is_point) {
        fp_qa_store_row q = { .dataset = s->dataset, .file = s->path, .format = s->res->format,
                              .line = p.source_line, .source_key = nonempty(p.source_key),
                              .company = nonempty(p.company), .category = nonempty(p.category),
                              .name = nonempty(p.name), .country = nonempty(p.country),
                              .country_code = nonempty(p.country_code), .geocode_method = "input",
                              .geocode_precision = "point", .x = p.x, .y = p.y, .is_point = 1 };
        fp_qa_feed_point(s->qa, s->projects_sent, &q);
    }
    s->projects_sent++;
    if (raw && raw_len > 0) {
        /* Cut where a character starts: the reject keeps 64 KiB at most. */
        size_t keep = raw_len;
        if (keep > RAW_KEPT) {
            keep = RAW_KEPT;
            while (keep > 0 && ((unsigned char)raw[keep] & 0xC0) == 0x80) keep--;
        }
        op->raw = copy_bytes(b, raw, keep);
        op->raw_len = keep;
    }
    return FP_OK;
}

fp_status fpi_sink_tick(fp_sink *s, const fp_import_options *opts, fp_error *err)
{
    s->res->rows_read++;
    if ((++s->ticks & 1023) != 0) return FP_OK;
    const fp_context *ctx = fp_store_context(s->store);
    if (s->ticks == 65536) fp_context_pause(ctx, "import:rows");   /* mid-import (tests) */
    if (fp_context_cancelled(ctx))
        return fp_error_set(err, FP_ERR_INTERRUPTED, "%s: interrupted; nothing of this import was stored", s->path);
    double now = fpi_now();
    /* The import's own progress callback, else the context's. */
    if (now - s->last_progress >= 0.5 && ((opts && opts->progress) || fp_context_has_progress(ctx))) {
        if (opts && opts->progress) opts->progress(s->res->rows_read, now - s->started, opts->progress_user);
        else fp_context_progress(ctx, s->res->rows_read, now - s->started);
        s->last_progress = now;
    }
    return FP_OK;
}
