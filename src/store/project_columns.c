/*
 * The column cache of the projects (SpatiaLite, schema 6): what aggregate
 * reads of every project, kept compact in parts of 65,536 ids.
 *
 * Aggregate reads every project: the id, the point, company, year, amount
 * and the group columns. Out of SQLite's rows that is 0.7 us of CPU a row
 * (10M points: 3.5-4 of an 8.5 s aggregation, on two threads); the same
 * values as arrays read back in a few hundredths of that. Table
 * `projects_columns` holds one blob per part: the projects with
 * part << 16 <= id < (part + 1) << 16, as aggregate's SQL read would give
 * them (the same accessors, the same NULL rules), for parts whose projects
 * are all points or without a geometry.
 *
 * A part's blob is there only while it is exact:
 *  - import writes the parts it fills (its ids follow every earlier one; a
 *    part it shares with earlier rows is dropped, not merged);
 *  - triggers drop a part when a row of it is inserted, deleted or has a
 *    cached column updated, by anyone (QGIS, sqlite3, check --fix);
 *  - writers that suspend the triggers (import, geocode) drop or write the
 *    parts they touch themselves.
 * A part without a blob is read from the rows: slower, never wrong.
 *
 * On PostGIS (schema 6 there too) the table, its triggers and the writer's
 * rules are the same; only a bulk import writes parts (pg_imports.c: it
 * alone holds the table so that no other session's row can land in a part
 * it fills); pg_columns.c does the reading and writing, and the blobs are
 * the rows as that engine gives them back (-0.0 stays -0.0 there). They
 * are read only on a reader's connection (REPEATABLE READ): there the
 * parts and the rows between them are of one snapshot, where the store's
 * own (READ COMMITTED) would take a new one for each statement.
 *
 * The blob: a 16-byte header ("FPC1", 0x01020304 in the writer's byte
 * order, n, the number of text columns), then 8-byte aligned arrays:
 * id offsets (uint16), has-geometry flags (uint8), x, y, amount (double,
 * NaN: NULL), year (int32, INT32_MIN: NULL), and per text column its
 * values (uint32 count, uint32 bytes, NUL-terminated strings in order of
 * first use) and codes (uint16, 0: NULL or empty, k: value k - 1). A column
 * with more than 65,535 values in a part is not kept (count UINT32_MAX).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "common/util.h"
#include "geom/geom.h"
#include "store/pg_internal.h"

#define PART_ROWS (1 << FP_COLUMNS_PART_BITS)
#define MAGIC "FPC1"
#define BYTE_ORDER_MARK 0x01020304u
#define NOT_KEPT UINT32_MAX
#define MAX_VALUES 65535u
#define MAX_TEXT_BYTES (16u << 20)   /* a column's values in one part */

static const char *const text_columns[FP_COLUMN_TEXTS] = {
    "company", "category", "status", "country", "country_code", "dataset", "source"
};

int fp_project_columns_text_index(const char *field)
{
    for (int i = 0; field && i < FP_COLUMN_TEXTS; i++)
        if (!strcmp(field, text_columns[i])) return i;
    return -1;
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Whether the store has the table (schema 6 or later), asked once. */
static int has_table(fp_store *s)
{
    if (s->pg && s->columns_table == 0) s->columns_table = fpi_pg_columns_available(s) ? 1 : -1;
    if (s->columns_table == 0) {
        sqlite3_stmt *q;
        s->columns_table = -1;
        if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projects_columns'",
                               -1, &q, NULL) == SQLITE_OK) {
            if (sqlite3_step(q) == SQLITE_ROW) s->columns_table = 1;
            sqlite3_finalize(q);
        }
    }
    return s->columns_table > 0;
}

/* ------------------------------------------------------------ reading --- */

void fp_project_columns_free(fp_project_columns *c)
{
    if (!c) return;
    for (int k = 0; k < FP_COLUMN_TEXTS; k++) free((void *)c->text[k].values);
    free(c->mem);
    free(c);
}

/* Takes the next `bytes` (8-aligned) of the blob; NULL past its end. */
static const unsigned char *take(const unsigned char *mem, size_t len, size_t *at, size_t bytes)
{
    if (bytes > len || *at > len - bytes) return NULL;
    const unsigned char *p = mem + *at;
    *at = align8(*at + bytes);
    if (*at > len) *at = len;
    return p;
}

/* Decodes the blob in mem (taken over: freed with the set) into a new
 * set; NULL when it is not one this build wrote (another byte order, a
 * damaged blob): read the rows then. */
static fp_project_columns *decode(unsigned char *mem, size_t len)
{
    fp_project_columns *c = calloc(1, sizeof *c);
    if (!c) { free(mem); return NULL; }
    c->mem = mem;
    uint32_t head[3];
    if (len < 16 || memcmp(mem, MAGIC, 4)) goto bad;
    memcpy(head, mem + 4, sizeof head);
    if (head[0] != BYTE_ORDER_MARK || head[1] == 0 || head[1] > PART_ROWS || head[2] != FP_COLUMN_TEXTS) goto bad;
    size_t n = head[1], at = 16;
    c->n = n;
    if (!(c->offset = (const uint16_t *)take(mem, len, &at, n * 2)) ||
        !(c->has_geom = take(mem, len, &at, n)) ||
        !(c->x = (const double *)take(mem, len, &at, n * 8)) ||
        !(c->y = (const double *)take(mem, len, &at, n * 8)) ||
        !(c->amount = (const double *)take(mem, len, &at, n * 8)) ||
        !(c->year = (const int32_t *)take(mem, len, &at, n * 4)))
        goto bad;
    for (int k = 0; k < FP_COLUMN_TEXTS; k++) {
        const unsigned char *h = take(mem, len, &at, 8);
        if (!h) goto bad;
        uint32_t count, bytes;
        memcpy(&count, h, 4);
        memcpy(&bytes, h + 4, 4);
        c->text[k].nvalues = count;
        if (count == NOT_KEPT) continue;
        if (count > MAX_VALUES) goto bad;
        const char *strings = (const char *)take(mem, len, &at, bytes);
        const uint16_t *code = (const uint16_t *)take(mem, len, &at, n * 2);
        const char **values = malloc((count ? count : 1) * sizeof *values);
        if (!strings || !code || !values) { free(values); goto bad; }
        c->text[k].values = values;
        c->text[k].code = code;
        /* count strings, each NUL-terminated inside `bytes` */
        size_t off = 0;
        for (uint32_t v = 0; v < count; v++) {
            const char *end = off < bytes ? memchr(strings + off, 0, bytes - off) : NULL;
            if (!end) goto bad;
            values[v] = strings + off;
            off = (size_t)(end - strings) + 1;
        }
        for (size_t i = 0; i < n; i++)
            if (code[i] > count) goto bad;
    }
    for (size_t i = 1; i < n; i++)
        if (c->offset[i] <= c->offset[i - 1]) goto bad;
    return c;
bad:
    fp_project_columns_free(c);
    return NULL;
}

int fpi_columns_available(fp_store *s) { return has_table(s); }

/* Whether aggregate may read the cache through s (see the top). */
static int readable(fp_store *s)
{
    return (!s->pg || s->pg->one_snapshot) && has_table(s);
}

fp_status fp_store_project_columns_get(fp_store *s, int64_t part, fp_project_columns **out, fp_error *err)
{
    *out = NULL;
    if (!readable(s)) return FP_OK;
    if (s->pg) {
        unsigned char *mem;
        size_t len;
        fp_status st = fpi_pg_columns_get(s, part, &mem, &len, err);
        if (!st && mem) *out = decode(mem, len);
        return st;
    }
    /* The blob read once, straight into a buffer on huge pages (a part is
     * 2.5 MB): through sqlite3_column_blob it was copied twice, SQLite's
     * buffer then ours, each a fresh malloc of 4 KiB pages, 1,300 page
     * faults a part; on this platform's VMs a first touch of a page costs
     * far more than the copy (1M-point aggregation: see bench/README.md,
     * "Huge pages"). */
    sqlite3_blob *blob = NULL;
    int rc = sqlite3_blob_open(s->db, "main", "projects_columns", "data", part, 0, &blob);
    if (rc != SQLITE_OK) {
        sqlite3_blob_close(blob);
        /* No row for the part, or a value that is no blob (a number stored
         * by hand): no cache for the part, its rows are read. The table is
         * there (has_table); busy, locked, I/O errors are errors. */
        if (rc == SQLITE_ERROR) return FP_OK;
        return fpi_store_db_error(s, "reading projects", err);
    }
    size_t len = (size_t)sqlite3_blob_bytes(blob);
    unsigned char *mem = fpi_big_alloc(len ? len : 1);
    if (!mem) {
        sqlite3_blob_close(blob);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory reading projects");
    }
    rc = sqlite3_blob_read(blob, mem, (int)len, 0);
    sqlite3_blob_close(blob);
    if (rc != SQLITE_OK) {
        free(mem);
        return fpi_store_db_error(s, "reading projects", err);
    }
    *out = decode(mem, len);
    return FP_OK;
}

/* The parts the table has in first..last. */
static fp_status list_parts(fp_store *s, int64_t first, int64_t last, int64_t **parts, size_t *n, fp_error *err)
{
    *parts = NULL;
    *n = 0;
    if (!has_table(s)) return FP_OK;
    if (s->pg) return fpi_pg_columns_parts(s, first, last, parts, n, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT part FROM projects_columns WHERE part BETWEEN ?1 AND ?2 ORDER BY part",
                                     "reading projects", &q, err);
    if (st) return st;
    sqlite3_bind_int64(q, 1, first);
    sqlite3_bind_int64(q, 2, last);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *np = realloc(*parts, cap * sizeof *np);
            if (!np) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory"); break; }
            *parts = np;
        }
        (*parts)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    if (!st && rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading projects", err);
    sqlite3_finalize(q);
    if (st) { free(*parts); *parts = NULL; *n = 0; }
    return st;
}

fp_status fp_store_project_columns_parts(fp_store *s, int64_t first, int64_t last, int64_t **parts, size_t *n,
                                         fp_error *err)
{
    *parts = NULL;
    *n = 0;
    return readable(s) ? list_parts(s, first, last, parts, n, err) : FP_OK;
}

/* The number of rows a part's blob says it holds, or -1 if it is not a
 * blob this build wrote. Reads the 16-byte header only. */
static int64_t part_rows(fp_store *s, int64_t part)
{
    unsigned char head[16];
    int ok;
    if (s->pg) ok = fpi_pg_columns_head(s, part, head);
    else {
        sqlite3_blob *b;
        if (sqlite3_blob_open(s->db, "main", "projects_columns", "data", part, 0, &b) != SQLITE_OK) return -1;
        ok = sqlite3_blob_bytes(b) >= 16 && sqlite3_blob_read(b, head, 16, 0) == SQLITE_OK;
        sqlite3_blob_close(b);
    }
    uint32_t h[3];
    if (!ok || memcmp(head, MAGIC, 4)) return -1;
    memcpy(h, head + 4, sizeof h);
    if (h[0] != BYTE_ORDER_MARK || h[1] == 0 || h[1] > PART_ROWS || h[2] != FP_COLUMN_TEXTS) return -1;
    return h[1];
}

/* count(*) of the projects with from <= id < to: a walk of that range of the table. */
static fp_status count_range(fp_store *s, int64_t from, int64_t to, int64_t *n, fp_error *err)
{
    if (s->pg) return fpi_pg_count_range(s, from, to, n, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT count(*) FROM projects WHERE id >= ?1 AND id < ?2", "reading projects",
                                     &q, err);
    if (st) return st;
    sqlite3_bind_int64(q, 1, from);
    sqlite3_bind_int64(q, 2, to);
    if (sqlite3_step(q) == SQLITE_ROW) *n = sqlite3_column_int64(q, 0);
    else st = fpi_store_db_error(s, "reading projects", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fpi_columns_count(fp_store *s, int64_t min, int64_t max, int64_t *count, int *counted, fp_error *err)
{
    *counted = 0;
    /* Ids within two parts of the int64 limits: count(*), no part arithmetic near overflow. */
    if (!has_table(s) || max < min || max > INT64_MAX - 2 * PART_ROWS || min < INT64_MIN + 2 * PART_ROWS) return FP_OK;
    int64_t first = min >> FP_COLUMNS_PART_BITS, last = max >> FP_COLUMNS_PART_BITS;
    int64_t *have;
    size_t nhave;
    /* (On PostGIS several statements, perhaps of several snapshots: a
     * count for planning the read, not to be reported.) */
    fp_status st = list_parts(s, first, last, &have, &nhave, err);
    if (st || (int64_t)nhave * 4 < (last - first + 1) * 3) { free(have); return st; }
    /* The parts' sizes, and count(*) of the id ranges between them (and of
     * a part whose blob this build cannot read). */
    int64_t total = 0, from = min;      /* ids from `from` not yet counted */
    for (size_t k = 0; k <= nhave && !st; k++) {
        int64_t n = k < nhave ? part_rows(s, have[k]) : -1;
        int64_t to = k < nhave ? have[k] * PART_ROWS : max + 1;
        if (k < nhave && n < 0) continue;                   /* counted with the next gap */
        if (from < to) {
            int64_t m = 0;
            st = count_range(s, from, to, &m, err);
            total += m;
        }
        total += n > 0 ? n : 0;
        from = to + PART_ROWS;
    }
    free(have);
    if (st) return st;
    *count = total;
    *counted = 1;
    return FP_OK;
}

/* ------------------------------------------------------------ writing --- */

/* A part's distinct values of one text column, in order of first use. */
typedef struct dictionary {
    GHashTable *index;           /* value (own copy) -> code */
    GString *strings;            /* the values in code order, each with its NUL */
    uint32_t nvalues;
    int overflow;                /* too many values or bytes: column not kept */
} dictionary;

struct fpi_columns_writer {
    fp_store *store;
    sqlite3_stmt *put, *drop;
    FILE *spill;                 /* PostGIS: the parts as COPY rows, sent by finish */
    int64_t first_part, last_part;   /* PostGIS: the parts this import touched */
    int touched;
    const char *dataset;         /* the import's (borrowed) */
    int64_t before_max;          /* the largest id before this import */
    int had_rows;                /* any project before this import */
    int filling;                 /* a part is being filled: part */
    int64_t part;
    int usable;                  /* only points or no geometry so far, not shared with earlier rows */
    int64_t last_id;
    size_t n;
    uint16_t offset[PART_ROWS];
    uint8_t has_geom[PART_ROWS];
    double x[PART_ROWS], y[PART_ROWS], amount[PART_ROWS];
    int32_t year[PART_ROWS];
    uint16_t code[FP_COLUMN_TEXTS][PART_ROWS];
    dictionary dict[FP_COLUMN_TEXTS];
    GByteArray *blob;
};

static void dictionary_reset(dictionary *d)
{
    if (d->index) g_hash_table_remove_all(d->index);
    if (d->strings) g_string_truncate(d->strings, 0);
    d->nvalues = 0;
    d->overflow = 0;
}

static void dictionary_free(dictionary *d)
{
    if (d->index) g_hash_table_destroy(d->index);
    if (d->strings) g_string_free(d->strings, TRUE);
}

/* The code of v in d (0: NULL or empty, or the column not kept), added if new. */
static uint16_t dictionary_code(dictionary *d, const char *v)
{
    if (!v || !*v || d->overflow) return 0;
    if (!d->index) {
        d->index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        d->strings = g_string_sized_new(4096);
    }
    gpointer code;
    if (g_hash_table_lookup_extended(d->index, v, NULL, &code)) return (uint16_t)GPOINTER_TO_UINT(code);
    size_t len = strlen(v);
    /* Too many values, or too much text for a blob (a free-text column): not kept. */
    if (d->nvalues == MAX_VALUES || d->strings->len + len + 1 > MAX_TEXT_BYTES) {
        d->overflow = 1;
        return 0;
    }
    g_string_append_len(d->strings, v, (gssize)len + 1);   /* with its NUL */
    g_hash_table_insert(d->index, g_strdup(v), GUINT_TO_POINTER(++d->nvalues));
    return (uint16_t)d->nvalues;
}

fp_status fpi_columns_writer_new(fp_store *s, const char *dataset, fpi_columns_writer **out, fp_error *err)
{
    *out = NULL;
    if (!has_table(s)) return FP_OK;            /* an older schema: nothing to keep */
    fpi_columns_writer *w = calloc(1, sizeof *w);
    if (!w) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    w->store = s;
    w->dataset = dataset;
    w->blob = g_byte_array_new();
    if (s->pg) {
        fp_status st = fpi_pg_columns_max_id(s, &w->had_rows, &w->before_max, err);
        /* No room for the parts' temporary file: the import goes on without them. */
        if (!st && (w->spill = tmpfile())) *out = w;
        else fpi_columns_writer_free(w);
        return st;
    }
    sqlite3_stmt *q = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT max(id) FROM projects", "storing projects", &q, err);
    if (!st) {
        if (sqlite3_step(q) == SQLITE_ROW) {
            w->had_rows = sqlite3_column_type(q, 0) != SQLITE_NULL;
            w->before_max = sqlite3_column_int64(q, 0);
        }
        else st = fpi_store_db_error(s, "storing projects", err);
        sqlite3_finalize(q);
    }
    if (!st) st = fpi_store_prepare(s, "INSERT OR REPLACE INTO projects_columns(part, data) VALUES(?1, ?2)",
                                   "storing projects", &w->put, err);
    if (!st) st = fpi_store_prepare(s, "DELETE FROM projects_columns WHERE part = ?1", "storing projects", &w->drop, err);
    if (st) { fpi_columns_writer_free(w); return st; }
    *out = w;
    return FP_OK;
}

void fpi_columns_writer_free(fpi_columns_writer *w)
{
    if (!w) return;
    sqlite3_finalize(w->put);
    sqlite3_finalize(w->drop);
    if (w->spill) fclose(w->spill);
    for (int k = 0; k < FP_COLUMN_TEXTS; k++) dictionary_free(&w->dict[k]);
    if (w->blob) g_byte_array_free(w->blob, TRUE);
    free(w);
}

static void put_bytes(GByteArray *b, const void *p, size_t n)
{
    g_byte_array_append(b, p, (guint)n);
    static const unsigned char zero[8];
    size_t pad = align8(b->len) - b->len;
    if (pad) g_byte_array_append(b, zero, (guint)pad);
}

/* The part being filled as a blob, into w->blob. */
static void encode_part(fpi_columns_writer *w)
{
    GByteArray *b = w->blob;
    g_byte_array_set_size(b, 0);
    uint32_t head[3] = { BYTE_ORDER_MARK, (uint32_t)w->n, FP_COLUMN_TEXTS };
    g_byte_array_append(b, (const guint8 *)MAGIC, 4);
    put_bytes(b, head, sizeof head);
    put_bytes(b, w->offset, w->n * 2);
    put_bytes(b, w->has_geom, w->n);
    put_bytes(b, w->x, w->n * 8);
    put_bytes(b, w->y, w->n * 8);
    put_bytes(b, w->amount, w->n * 8);
    put_bytes(b, w->year, w->n * 4);
    for (int k = 0; k < FP_COLUMN_TEXTS; k++) {
        dictionary *d = &w->dict[k];
        uint32_t h[2] = { d->overflow ? NOT_KEPT : d->nvalues, d->strings ? (uint32_t)d->strings->len : 0 };
        if (d->overflow) h[1] = 0;
        put_bytes(b, h, sizeof h);
        if (d->overflow) continue;
        put_bytes(b, d->strings ? d->strings->str : "", h[1]);
        put_bytes(b, w->code[k], w->n * 2);
    }
}

/* Writes the part being filled, or drops its blob when it cannot be kept. */
static fp_status flush_part(fpi_columns_writer *w, fp_error *err)
{
    if (!w->filling) return FP_OK;
    w->filling = 0;
    fp_store *s = w->store;
    int keep = w->usable && w->n;
    if (keep) encode_part(w);
    if (s->pg) {
        /* Parts come in id order; every one touched is dropped by finish,
         * those kept go in again from the spill file. */
        if (!w->touched) w->first_part = w->part;
        w->last_part = w->part;
        w->touched = 1;
        return keep ? fpi_pg_columns_spill(w->spill, w->part, w->blob->data, w->blob->len, err) : FP_OK;
    }
    sqlite3_stmt *q = keep ? w->put : w->drop;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, w->part);
    if (keep) sqlite3_bind_blob(q, 2, w->blob->data, (int)w->blob->len, SQLITE_STATIC);
    fp_status st = sqlite3_step(q) == SQLITE_DONE ? FP_OK : fpi_store_db_error(s, "storing projects", err);
    sqlite3_reset(q);
    return st;
}

/* Adds a project: has_geom 0 (no geometry), 1 (a point at x, y) or -1 (a
 * line or polygon: the part is not kept). */
static fp_status writer_add(fpi_columns_writer *w, int64_t id, const fp_project_record *p, int has_geom, double x,
                            double y, fp_error *err)
{
    int64_t part = id >> FP_COLUMNS_PART_BITS;
    if (!w->filling || part != w->part) {
        fp_status st = flush_part(w, err);
        if (st) return st;
        w->filling = 1;
        w->part = part;
        w->n = 0;
        /* Earlier rows in this part (ids below ours): not this import's to describe. */
        w->usable = !w->had_rows || (id > w->before_max && (w->before_max >> FP_COLUMNS_PART_BITS) < part);
        w->last_id = -1;
        for (int k = 0; k < FP_COLUMN_TEXTS; k++) dictionary_reset(&w->dict[k]);
    }
    if (!w->usable) return FP_OK;
    if (id <= w->last_id) { w->usable = 0; return FP_OK; }   /* ids out of order: not expected; not kept */
    w->last_id = id;
    size_t i = w->n++;
    w->offset[i] = (uint16_t)(id & (PART_ROWS - 1));
    if (has_geom < 0) { w->usable = 0; return FP_OK; }
    w->has_geom[i] = (uint8_t)has_geom;
    w->x[i] = has_geom ? x : 0;
    w->y[i] = has_geom ? y : 0;
    w->year[i] = p->has_year ? p->year : INT32_MIN;
    /* SQLite stores a NaN as NULL, and a whole REAL as an integer: -0.0
     * reads back as 0.0. PostgreSQL gives back the double it was sent. */
    w->amount[i] = !p->has_amount ? NAN : p->amount == 0 && !w->store->pg ? 0.0 : p->amount;
    const char *text[FP_COLUMN_TEXTS] = { p->company, p->category, p->status, p->country, p->country_code,
                                          w->dataset, p->source };
    for (int k = 0; k < FP_COLUMN_TEXTS; k++) w->code[k][i] = dictionary_code(&w->dict[k], text[k]);
    return FP_OK;
}

fp_status fpi_columns_writer_add(fpi_columns_writer *w, int64_t id, const fp_project_record *p,
                                 const unsigned char *blob, int blob_len, fp_error *err)
{
    if (!w) return FP_OK;
    double x = 0, y = 0;
    /* A point as aggregate reads it back: the blob's own coordinates. */
    int has_geom = !blob ? 0 : fpi_blob_point(blob, blob_len, &x, &y) ? 1 : -1;
    return writer_add(w, id, p, has_geom, x, y, err);
}

fp_status fpi_columns_writer_add_point(fpi_columns_writer *w, int64_t id, const fp_project_record *p, int has_geom,
                                       double x, double y, fp_error *err)
{
    return w ? writer_add(w, id, p, has_geom, x, y, err) : FP_OK;
}

fp_status fpi_columns_writer_finish(fpi_columns_writer *w, fp_error *err)
{
    if (!w) return FP_OK;
    fp_status st = flush_part(w, err);
    if (!st && w->store->pg && w->touched) {
        if (fflush(w->spill) != 0)
            return fp_error_set(err, FP_ERR_IO, "cannot keep the column cache in a temporary file");
        st = fpi_pg_columns_store(w->store, w->spill, w->first_part, w->last_part, err);
    }
    return st;
}
