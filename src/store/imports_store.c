/*
 * Imports in the store: the `imports` record of each file, the bulk writer
 * of its projects and rejects, and the listings of rejects and repaired
 * rows (`footprint rejects`).
 *
 * Bulk loading. SpatiaLite keeps the spatial index and metadata current with
 * per-row triggers that run SQL prepared anew for every row: 1,000,000 points
 * took 20 s that way. Inside the import's transaction the loader drops the
 * projects triggers, inserts the R*Tree entries itself (the bounding box is
 * known here), and recreates the triggers from their own SQL before the
 * commit; a failed or killed import rolls all of it back. bench/ keeps the
 * comparison.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include "common/util.h"
#include "store/pg_internal.h"

/* ------------------------------------------------------ import record --- */

static fp_status import_forget_empty(fp_store *s, const char *dataset, const char *checksum, int64_t *forgotten,
                                     fp_error *err);

/* The id of the dataset's import with that checksum that sql (?1 dataset,
 * ?2 checksum, ?3 other) selects, or 0. */
static fp_status import_by_checksum(fp_store *s, const char *sql, const char *dataset, const char *checksum,
                                    int64_t other, int64_t *id, fp_error *err)
{
    *id = 0;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading imports", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, checksum, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(q) >= 3) sqlite3_bind_int64(q, 3, other);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fpi_store_db_error(s, "reading imports", err);
    return FP_OK;
}

fp_status fp_store_import_begin(fp_store *s, const char *file, const char *checksum, const char *dataset,
                                const char *started, int64_t *import_id, int64_t *previous, int64_t *forgotten,
                                fp_error *err)
{
    if (s->pg) return fpi_pg_import_begin(s, file, checksum, dataset, started, import_id, previous, forgotten, err);
    sqlite3_stmt *q;
    *import_id = 0;
    fp_status st = import_forget_empty(s, dataset, checksum, forgotten, err);
    if (!st) st = fp_store_import_find(s, dataset, checksum, previous, err);
    if (st || *previous) return st;
    if ((st = fpi_store_prepare(s, "INSERT INTO imports(file, checksum, dataset, started) VALUES(?,?,?,?)",
                               "recording the import", &q, err)))
        return st;
    sqlite3_bind_text(q, 1, file, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, checksum, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, dataset, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, started, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    *import_id = sqlite3_last_insert_rowid(s->db);
    return FP_OK;
}

fp_status fp_store_import_find(fp_store *s, const char *dataset, const char *checksum, int64_t *id, fp_error *err)
{
    *id = 0;
    if (s->pg) return fpi_pg_import_find(s, dataset, checksum, id, err);
    return import_by_checksum(s, "SELECT id FROM imports WHERE dataset = ?1 AND checksum = ?2", dataset, checksum, 0, id, err);
}

/* The dataset's import of the file with that checksum, when it stored no
 * project: its rejects and record deleted (fp_store_import_begin). */
static fp_status import_forget_empty(fp_store *s, const char *dataset, const char *checksum, int64_t *forgotten,
                                     fp_error *err)
{
    *forgotten = 0;
    sqlite3_stmt *q;
    int64_t id;
    fp_status st = import_by_checksum(s, "SELECT id FROM imports WHERE dataset = ?1 AND checksum = ?2 AND rows_stored = 0",
                                      dataset, checksum, 0, &id, err);
    if (st || !id) return st;
    static const char *const forget[] = { "DELETE FROM rejects WHERE import_id = ?", "DELETE FROM imports WHERE id = ?" };
    for (int k = 0; k < 2 && !st; k++) {
        if ((st = fpi_store_prepare(s, forget[k], "forgetting an import that stored nothing", &q, err))) break;
        sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) != SQLITE_DONE) st = fpi_store_db_error(s, "forgetting an import that stored nothing", err);
        sqlite3_finalize(q);
    }
    if (!st) *forgotten = id;
    return st;
}

static const char datasets_sql[] =
    "SELECT DISTINCT i.dataset FROM imports i WHERE EXISTS (SELECT 1 FROM projects p WHERE p.dataset = i.dataset) "
    "ORDER BY 1";

/* Every dataset some import went into, even one whose rows were all
 * rejected (`rejects --dataset`). */
static const char imported_datasets_sql[] = "SELECT DISTINCT dataset FROM imports ORDER BY 1";

/* The dataset names the query sql gives, sorted (fp_store_datasets). */
static fp_status list_datasets(fp_store *s, const char *sql, char ***names, size_t *n, fp_error *err)
{
    *names = NULL;
    *n = 0;
    if (s->pg) return fpi_pg_datasets(s, sql, names, n, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading imports", &q, err);
    if (st) return st;
    GPtrArray *a = g_ptr_array_new();
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) g_ptr_array_add(a, g_strdup((const char *)sqlite3_column_text(q, 0)));
    if (rc != SQLITE_DONE) st = fp_error_set(err, FP_ERR_DB, "%s: reading imports: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(q);
    *n = a->len;
    g_ptr_array_add(a, NULL);
    *names = (char **)g_ptr_array_free(a, FALSE);
    return st;
}

fp_status fp_store_datasets(fp_store *s, char ***names, size_t *n, fp_error *err)
{
    return list_datasets(s, datasets_sql, names, n, err);
}

/* The check of fp_store_dataset_check (projects) and
 * fp_store_imported_dataset_check (imports): FP_ERR_USAGE naming the
 * datasets there are when dataset is not among those sql lists. */
static fp_status dataset_check(fp_store *s, const char *sql, const char *what, const char *dataset, fp_error *err)
{
    char **names = NULL;
    size_t n = 0;
    fp_status st = list_datasets(s, sql, &names, &n, err);
    int found = 0;
    for (size_t i = 0; !st && i < n && !found; i++) found = !strcmp(names[i], dataset);
    if (!st && !found) {
        gchar *list = n ? g_strjoinv(", ", names) : g_strdup("none");
        st = fp_error_set(err, FP_ERR_USAGE, "--dataset %s: %s in %s (datasets: %.400s)", dataset, what, s->path, list);
        g_free(list);
    }
    g_strfreev(names);
    return st;
}

fp_status fp_store_dataset_check(fp_store *s, const char *dataset, fp_error *err)
{
    return dataset_check(s, datasets_sql, "no project of that dataset", dataset, err);
}

fp_status fp_store_imported_dataset_check(fp_store *s, const char *dataset, fp_error *err)
{
    return dataset_check(s, imported_datasets_sql, "no import into that dataset", dataset, err);
}

fp_status fp_store_dataset_drop(fp_store *s, const char *dataset, int64_t *projects, int64_t *imports, fp_error *err)
{
    *projects = *imports = 0;
    if (s->pg) return fpi_pg_dataset_drop(s, dataset, projects, imports, err);
    /* The aggregations' assignments of the dataset's projects go first: a
     * SQLite rowid is reused once the largest ids are gone, and an old
     * aggregation's assignment table then named another dataset's project
     * (the counts of its result table stay, a snapshot). */
    GPtrArray *assign = g_ptr_array_new_with_free_func(g_free);
    sqlite3_stmt *a;
    fp_status st = fpi_store_prepare(s, "SELECT assign_table FROM aggregations", "removing a dataset", &a, err);
    if (!st) {
        while (sqlite3_step(a) == SQLITE_ROW) g_ptr_array_add(assign, g_strdup((const char *)sqlite3_column_text(a, 0)));
        sqlite3_finalize(a);
    }
    for (guint i = 0; !st && i < assign->len; i++) {
        char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE project_id IN (SELECT id FROM projects WHERE dataset = ?1)",
                                    (const char *)g_ptr_array_index(assign, i));
        sqlite3_stmt *q;
        if (!(st = fpi_store_prepare(s, sql, "removing a dataset", &q, err))) {
            sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
            if (sqlite3_step(q) != SQLITE_DONE) st = fpi_store_db_error(s, "removing a dataset", err);
            sqlite3_finalize(q);
        }
        sqlite3_free(sql);
    }
    g_ptr_array_free(assign, TRUE);
    /* Children first: the store does not rely on foreign_keys being on. */
    static const char *const steps[] = {
        "DELETE FROM qa_fixes WHERE dataset = ?1",
        "DELETE FROM qa_findings WHERE dataset = ?1",
        "DELETE FROM projects WHERE dataset = ?1",
        "DELETE FROM rejects WHERE import_id IN (SELECT id FROM imports WHERE dataset = ?1)",
        "DELETE FROM imports WHERE dataset = ?1",
    };
    for (size_t k = 0; k < sizeof steps / sizeof steps[0] && !st; k++) {
        sqlite3_stmt *q;
        if ((st = fpi_store_prepare(s, steps[k], "removing a dataset", &q, err))) break;
        sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) st = fpi_store_db_error(s, "removing a dataset", err);
        else if (k == 2) *projects = sqlite3_changes(s->db);
        else if (k == 4) *imports = sqlite3_changes(s->db);
        sqlite3_finalize(q);
    }
    return st;
}

fp_status fp_store_dataset_has_imports(fp_store *s, const char *dataset, int *any, fp_error *err)
{
    if (s->pg) return fpi_pg_dataset_has_imports(s, dataset, any, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT EXISTS(SELECT 1 FROM imports WHERE dataset = ?1)", "reading imports", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) *any = sqlite3_column_int(q, 0);
    else st = fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_import_checksum(fp_store *s, int64_t import_id, const char *dataset, const char *checksum,
                                   int64_t *previous, fp_error *err)
{
    if (s->pg) return fpi_pg_import_checksum(s, import_id, dataset, checksum, previous, err);
    sqlite3_stmt *q;
    fp_status st = import_by_checksum(s, "SELECT id FROM imports WHERE dataset = ?1 AND checksum = ?2 AND id <> ?3",
                                      dataset, checksum, import_id, previous, err);
    if (st || *previous) return st;
    if ((st = fpi_store_prepare(s, "UPDATE imports SET checksum = ?1 WHERE id = ?2", "recording the import", &q, err)))
        return st;
    sqlite3_bind_text(q, 1, checksum, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, import_id);
    if (sqlite3_step(q) != SQLITE_DONE) st = fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_import_end(fp_store *s, int64_t import_id, const char *format, long rows_read, long stored,
                              long rejected, const char *finished, fp_error *err)
{
    if (s->pg) return fpi_pg_import_end(s, import_id, format, rows_read, stored, rejected, finished, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "UPDATE imports SET format=?, rows_read=?, rows_stored=?, rows_rejected=?, "
                                       "finished=? WHERE id=?", "recording the import", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, format, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, rows_read);
    sqlite3_bind_int64(q, 3, stored);
    sqlite3_bind_int64(q, 4, rejected);
    sqlite3_bind_text(q, 5, finished, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, import_id);
    if (sqlite3_step(q) != SQLITE_DONE) st = fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(q);
    return st;
}

/* ------------------------------------------------------------- loader --- */

/* Projects go LOAD_BATCH to a statement: a multi-row INSERT opens its
 * cursors on projects and on its key index once for them all (1M points
 * written through SQLite alone: 2.7-3.2 s one by one, 2.3 s 64 at a time).
 * A duplicate source key is then found before the row waits in the batch,
 * so that the caller still learns at once that it was refused: a set of
 * the hashes of the dataset's keys (read at the start, then this import's)
 * says which keys may be stored already, and the key index says whether
 * they are (a hash is 32 bits: at 1M keys about a hundred coincide, each
 * costing one look-up). */
#define LOAD_BATCH 64
#define LOAD_PARAMS 16           /* bound values of one project row */

typedef struct pending_project {
    fp_project_record p;       /* its text the caller's (alive until the flush: fp_store_loader_flush) */
    unsigned char *blob;       /* SpatiaLite geometry, owned; NULL: no location */
    int len;
    double bbox[4];
} pending_project;

/* The 32-bit hashes of source keys: open addressing, 0 for an empty slot. */
typedef struct key_hashes {
    uint32_t *slot;
    size_t cap, n;             /* cap: a power of two */
} key_hashes;

struct fp_store_loader {
    fp_store *store;
    int64_t import_id;
    const char *dataset, *file;
    sqlite3_stmt *insert_project, *insert_reject;
    sqlite3_stmt *insert_many;  /* LOAD_BATCH rows */
    /* insert_many's parameters that hold NULL (1): SQLite keeps bindings
     * across sqlite3_reset, and binding a value again costs what binding a
     * new one does (vdbeUnbind), so a NULL, and the import's id and dataset
     * once bound (their parameters then hold no NULL), are not bound again
     * (bind_project). */
    unsigned char many_null[LOAD_BATCH][LOAD_PARAMS];
    sqlite3_stmt *key_stored;   /* whether (dataset, source_key) is stored */
    pending_project pending[LOAD_BATCH];
    int npending;
    int64_t next_id;           /* what SQLite gives the next row: the largest id + 1 */
    int batched;               /* ids far from the largest rowid: rows go LOAD_BATCH at a time */
    key_hashes keys;
    void (*on_indexed)(void *, long long);
    void *on_indexed_user;
    GPtrArray *triggers;       /* SQL of the projects triggers dropped for the load */
    fpi_typed_writer *typed;   /* the typed geometry tables QGIS reads, written beside projects */
    fpi_columns_writer *columns;  /* aggregate's column cache (project_columns.c) */
    fp_rtree_entry *entries;   /* spatial index entries of this import */
    int64_t first_id, nstored; /* the projects stored: the first one's id, how many */
    int ids_in_order;          /* and each the one before's plus one */
    size_t nentries, cap_entries;
    fp_pg_loader *pg;          /* the PostGIS loader (pg_imports.c), or NULL */
};

static fp_status loader_error(fp_store_loader *l, fp_error *err);

/* FNV-1a, folded to 32 bits; never 0 (the empty slot). */
static uint32_t key_hash(const char *key)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++) h = (h ^ *c) * 1099511628211ull;
    uint32_t v = (uint32_t)(h ^ (h >> 32));
    return v ? v : 1;
}

static int key_hashes_has(const key_hashes *k, uint32_t h)
{
    if (!k->cap) return 0;
    for (size_t i = h & (k->cap - 1);; i = (i + 1) & (k->cap - 1)) {
        if (k->slot[i] == h) return 1;
        if (!k->slot[i]) return 0;
    }
}

static int key_hashes_add(key_hashes *k, uint32_t h)
{
    if ((k->n + 1) * 10 > k->cap * 7) {            /* load at most 0.7 */
        size_t cap = k->cap ? k->cap * 2 : 1024;
        /* On huge pages past 2 MiB (64 MB at 10M keys): a random slot each
         * look-up, on 4 KiB pages a TLB miss too, even when prefetched. */
        uint32_t *slot = fpi_big_alloc(cap * sizeof *slot);
        if (!slot) return -1;
        memset(slot, 0, cap * sizeof *slot);
        for (size_t j = 0; j < k->cap; j++) {
            if (!k->slot[j]) continue;
            size_t i = k->slot[j] & (cap - 1);
            while (slot[i]) i = (i + 1) & (cap - 1);
            slot[i] = k->slot[j];
        }
        free(k->slot);
        k->slot = slot;
        k->cap = cap;
    }
    size_t i = h & (k->cap - 1);
    while (k->slot[i] && k->slot[i] != h) i = (i + 1) & (k->cap - 1);
    if (!k->slot[i]) { k->slot[i] = h; k->n++; }
    return 0;
}

/* The id the next row gets, and the keys the dataset has already. */
static fp_status loader_start(fp_store_loader *l, fp_error *err)
{
    fp_store *s = l->store;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT max(id) FROM projects", "storing projects", &q, err);
    if (st) return st;
    sqlite3_int64 max = 0;
    if (sqlite3_step(q) != SQLITE_ROW) st = loader_error(l, err);
    else max = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    /* Near the largest rowid SQLite picks ids at random: one row at a time,
     * each asked its id. So too without the batch statement (an SQLite
     * allowing fewer than LOAD_BATCH * LOAD_PARAMS variables). */
    l->batched = !st && max < INT64_MAX - ((int64_t)1 << 40) && l->insert_many;
    l->next_id = l->batched ? max + 1 : 0;
    if (st) return st;
    st = fpi_store_prepare(s, "SELECT source_key FROM projects WHERE dataset = ?1 AND source_key IS NOT NULL",
                           "storing projects", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, l->dataset, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (key_hashes_add(&l->keys, key_hash((const char *)sqlite3_column_text(q, 0)))) break;
    if (rc == SQLITE_ROW) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    else if (rc != SQLITE_DONE) st = loader_error(l, err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_loader_new(fp_store *s, int64_t import_id, const char *dataset, const char *file,
                              fp_store_loader **out, fp_error *err)
{
    *out = NULL;
    fp_store_loader *l = calloc(1, sizeof *l);
    if (!l) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    l->store = s;
    l->import_id = import_id;
    l->dataset = dataset;
    l->file = file;
    l->ids_in_order = 1;
    if (s->pg) {
        fp_status st = fpi_pg_loader_new(s, import_id, dataset, file, &l->pg, err);
        if (st) { free(l); return st; }
        *out = l;
        return FP_OK;
    }
    /* A 1M-point CSV of 70 MB becomes 385 MB of pages in the cache (5.5x).
     * Text tables only: a GIS file's bytes say less about its rows (a
     * GeoPackage of polygons may store in less than its own size), and
     * memory faulted in for nothing would only raise the RSS. */
    struct stat sb;
    const char *dot = file ? strrchr(file, '.') : NULL;
    if (dot && (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".tsv") || !strcasecmp(dot, ".txt")) &&
        stat(file, &sb) == 0 && sb.st_size > 0)
        fpi_sqlite_memory_prefault((size_t)sb.st_size / 2 * 11);
    fp_status st = fpi_store_prepare(s,
        "INSERT INTO projects(import_id, dataset, source_key, source_line, company, category, name, place,"
        " country, country_code, year, status, amount, source, extra, geom, geocode_method, geocode_precision)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
        " CASE WHEN ?16 IS NULL THEN NULL ELSE 'input' END, CASE WHEN ?16 IS NULL THEN NULL ELSE 'point' END)",
        "storing projects", &l->insert_project, err);
    if (!st) st = fpi_store_prepare(s, "INSERT INTO rejects(import_id, line, feature, reason, raw) VALUES(?,?,?,?,?)",
                                   "storing rejects", &l->insert_reject, err);
    if (!st) {
        GString *many = g_string_new("INSERT INTO projects(import_id, dataset, source_key, source_line, company,"
                                     " category, name, place, country, country_code, year, status, amount, source,"
                                     " extra, geom, geocode_method, geocode_precision) VALUES");
        for (int k = 0; k < LOAD_BATCH; k++) {
            int b = k * LOAD_PARAMS;
            g_string_append(many, k ? ", (" : " (");
            for (int i = 1; i <= LOAD_PARAMS; i++) g_string_append_printf(many, "?%d,", b + i);
            g_string_append_printf(many, " CASE WHEN ?%d IS NULL THEN NULL ELSE 'input' END,"
                                   " CASE WHEN ?%d IS NULL THEN NULL ELSE 'point' END)", b + 16, b + 16);
        }
        /* Not fatal: rows then go one at a time (loader_start). */
        if (sqlite3_prepare_v2(s->db, many->str, -1, &l->insert_many, NULL) != SQLITE_OK) {
            sqlite3_finalize(l->insert_many);
            l->insert_many = NULL;
        }
        memset(l->many_null, 1, sizeof l->many_null);   /* a new statement's parameters are NULL */
        g_string_free(many, TRUE);
    }
    if (!st) st = fpi_store_prepare(s, "SELECT 1 FROM projects WHERE dataset = ?1 AND source_key = ?2",
                                   "storing projects", &l->key_stored, err);
    if (!st) st = loader_start(l, err);
    if (!st) st = fpi_store_triggers_suspend(s, "projects", &l->triggers, err);
    if (!st) st = fpi_typed_writer_new(s, &l->typed, err);
    if (!st) st = fpi_columns_writer_new(s, dataset, &l->columns, err);
    if (st) { fp_store_loader_free(l); return st; }
    *out = l;
    return FP_OK;
}

void fp_store_loader_free(fp_store_loader *l)
{
    if (!l) return;
    fpi_pg_loader_free(l->pg);
    for (int i = 0; i < l->npending; i++) free(l->pending[i].blob);
    free(l->keys.slot);
    sqlite3_finalize(l->insert_many);
    sqlite3_finalize(l->key_stored);
    sqlite3_finalize(l->insert_project);
    sqlite3_finalize(l->insert_reject);
    free(l->entries);
    if (l->triggers) g_ptr_array_free(l->triggers, TRUE);
    fpi_typed_writer_free(l->typed);
    fpi_columns_writer_free(l->columns);
    free(l);
}

/* The message for a failed write (disk full, ...) while importing. */
static fp_status loader_error(fp_store_loader *l, fp_error *err)
{
    const char *file = l->file;
    fp_store *s = l->store;
    int rc = sqlite3_errcode(s->db);
    if (rc == SQLITE_FULL || rc == SQLITE_IOERR)
        return fp_error_set(err, FP_ERR_DB, "%s: cannot write (disk full or file size limit) while importing %s; nothing of it was stored",
                            s->path, file);
    return fp_error_set(err, FP_ERR_DB, "%s: %s (importing %s; nothing of it was stored)", s->path,
                        sqlite3_errmsg(s->db), file);
}

/* The last SQLite error was the disk (full, or an I/O error): what
 * loader_error words for the user. Other errors keep their own message. */
static int write_failed(fp_store *s)
{
    int rc = sqlite3_errcode(s->db);
    return rc == SQLITE_FULL || rc == SQLITE_IOERR;
}

fp_status fp_store_loader_reject(fp_store_loader *l, long line, long feature, const char *reason, const char *raw,
                                 size_t raw_len, fp_error *err)
{
    if (l->pg) return fpi_pg_loader_reject(l->pg, line, feature, reason, raw, raw_len, err);
    sqlite3_stmt *q = l->insert_reject;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, l->import_id);
    if (line > 0) sqlite3_bind_int64(q, 2, line); else sqlite3_bind_null(q, 2);
    if (feature > 0) sqlite3_bind_int64(q, 3, feature); else sqlite3_bind_null(q, 3);
    sqlite3_bind_text(q, 4, reason, -1, SQLITE_TRANSIENT);
    if (raw) sqlite3_bind_text(q, 5, raw, (int)raw_len, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, 5);
    return sqlite3_step(q) == SQLITE_DONE ? FP_OK : loader_error(l, err);
}

/* The project's geometry as a SpatiaLite blob and its bounding box, as
 * SpatiaLite computes it for the blob. */
static int make_blob(const fp_project_record *p, unsigned char **blob, int *len, double bbox[4])
{
    *blob = NULL;
    if (p->is_point) {
        gaiaMakePoint(p->x, p->y, 4326, blob, len);
        bbox[0] = bbox[2] = p->x;
        bbox[1] = bbox[3] = p->y;
        return *blob ? 0 : -1;
    }
    gaiaGeomCollPtr g = gaiaFromWkb(p->wkb, (unsigned int)p->wkb_len);
    if (!g) return -1;
    g->Srid = 4326;
    gaiaMbrGeometry(g);
    bbox[0] = g->MinX;
    bbox[1] = g->MinY;
    bbox[2] = g->MaxX;
    bbox[3] = g->MaxY;
    gaiaToSpatiaLiteBlobWkb(g, blob, len);
    gaiaFreeGeomColl(g);
    return *blob ? 0 : -1;
}

/* Parameter i (1-based within the row) of a row slot to NULL, unless the
 * slot's record says it is NULL already (null: NULL for the one-row
 * statement, which is cleared and bound whole every time). A value other
 * than NULL is always bound: the row's strings are its own. */
static void bind_null_slot(sqlite3_stmt *q, int b, int i, unsigned char *null)
{
    if (null && null[i - 1]) return;
    sqlite3_bind_null(q, b + i);
    if (null) null[i - 1] = 1;
}

/* Records that parameter i of the slot now holds a value. */
static void slot_holds_value(unsigned char *null, int i)
{
    if (null) null[i - 1] = 0;
}

/* Text, or NULL for none or "" (an empty cell is no value). */
static void bind_text_slot(sqlite3_stmt *q, int b, int i, const char *v, unsigned char *null)
{
    if (!v || !*v) { bind_null_slot(q, b, i, null); return; }
    sqlite3_bind_text(q, b + i, v, -1, SQLITE_STATIC);
    slot_holds_value(null, i);
}

/* Binds project p to q's row k; in insert_many, only what the row slot
 * does not already hold. Measured on bench case A (1M rows of 8 columns:
 * 6 of the 16 parameters NULL, 2 the import's), four imports each interleaved: the store thread's
 * CPU 2.94-3.22 s binding every value, 2.66-2.95 s binding only the
 * changed ones; the stored rows the same (sha256 of a full dump). */
static void bind_project(fp_store_loader *l, sqlite3_stmt *q, int k, const pending_project *pp)
{
    const fp_project_record *p = &pp->p;
    int b = k * LOAD_PARAMS;
    unsigned char *null = q == l->insert_many ? l->many_null[k] : NULL;
    if (!null || null[0]) {           /* the import's id and dataset: bound once per slot */
        sqlite3_bind_int64(q, b + 1, l->import_id);
        sqlite3_bind_text(q, b + 2, l->dataset, -1, SQLITE_STATIC);
        slot_holds_value(null, 1);
        slot_holds_value(null, 2);
    }
    bind_text_slot(q, b, 3, p->source_key, null);
    sqlite3_bind_int64(q, b + 4, p->source_line);
    slot_holds_value(null, 4);
    bind_text_slot(q, b, 5, p->company, null);
    bind_text_slot(q, b, 6, p->category, null);
    bind_text_slot(q, b, 7, p->name, null);
    bind_text_slot(q, b, 8, p->place, null);
    bind_text_slot(q, b, 9, p->country, null);
    bind_text_slot(q, b, 10, p->country_code, null);
    if (p->has_year) { sqlite3_bind_int(q, b + 11, p->year); slot_holds_value(null, 11); }
    else bind_null_slot(q, b, 11, null);
    bind_text_slot(q, b, 12, p->status, null);
    if (p->has_amount) { sqlite3_bind_double(q, b + 13, p->amount); slot_holds_value(null, 13); }
    else bind_null_slot(q, b, 13, null);
    bind_text_slot(q, b, 14, p->source, null);
    if (p->extra) { sqlite3_bind_text(q, b + 15, p->extra, -1, SQLITE_STATIC); slot_holds_value(null, 15); }   /* "" kept */
    else bind_null_slot(q, b, 15, null);
    if (pp->blob) { sqlite3_bind_blob(q, b + 16, pp->blob, pp->len, SQLITE_STATIC); slot_holds_value(null, 16); }
    else bind_null_slot(q, b, 16, null);
}

/* What follows a stored row: the column cache, the typed table, the
 * spatial index entry, and the ids for fp_store_loader_ids. */
static fp_status after_insert(fp_store_loader *l, sqlite3_int64 id, const pending_project *pp, fp_error *err)
{
    if (l->nstored == 0) l->first_id = id;
    else if (id != l->first_id + l->nstored) l->ids_in_order = 0;
    l->nstored++;
    fp_status st = fpi_columns_writer_add(l->columns, id, &pp->p, pp->blob, pp->len, err);
    if (st || !pp->blob) return st;
    st = fpi_typed_writer_add(l->typed, id, pp->blob, pp->len, l->entries, l->nentries, err);
    if (st) return st == FP_ERR_DB && write_failed(l->store) ? loader_error(l, err) : st;
    if (fpi_rtree_entries_add(&l->entries, &l->nentries, &l->cap_entries, id, pp->bbox))
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    return FP_OK;
}

fp_status fp_store_loader_flush(fp_store_loader *l, fp_error *err)
{
    if (l->pg || l->npending == 0) return FP_OK;
    fp_status st = FP_OK;
    int n = l->npending;
    if (n == LOAD_BATCH) {
        /* One statement; SQLite gives the rows the ids after the largest,
         * in order (checked). */
        sqlite3_stmt *q = l->insert_many;
        for (int k = 0; k < n; k++) bind_project(l, q, k, &l->pending[k]);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        /* The bindings stay (bind_project's record of them): the strings
         * and blobs they point to are rebound before the next step. */
        if (rc != SQLITE_DONE) st = loader_error(l, err);
        else if (sqlite3_last_insert_rowid(l->store->db) != l->next_id + n - 1)
            st = fp_error_set(err, FP_ERR_DB, "%s: projects got other ids than the next ones (importing %s; nothing of it was stored)",
                              l->store->path, l->file);
        for (int k = 0; !st && k < n; k++) st = after_insert(l, l->next_id + k, &l->pending[k], err);
        l->next_id += n;
    } else {
        sqlite3_stmt *q = l->insert_project;
        for (int k = 0; !st && k < n; k++) {
            bind_project(l, q, 0, &l->pending[k]);
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) { st = loader_error(l, err); break; }
            sqlite3_int64 id = sqlite3_last_insert_rowid(l->store->db);
            st = after_insert(l, id, &l->pending[k], err);
            if (l->batched && id >= l->next_id) l->next_id = id + 1;
        }
        sqlite3_clear_bindings(q);
    }
    for (int k = 0; k < n; k++) free(l->pending[k].blob);
    l->npending = 0;
    return st;
}

/* The key check's slot is a random one of a table of 4 bytes a key (8 MB
 * at 1M keys): a cache miss each row, a tenth of the store thread's time
 * in a 1M-point import, unless fetched ahead. */
void fp_store_loader_prefetch(const fp_store_loader *l, const fp_project_record *p)
{
    if (!l || l->pg || !l->keys.cap || !p->source_key || !*p->source_key) return;
    __builtin_prefetch(&l->keys.slot[key_hash(p->source_key) & (l->keys.cap - 1)]);
}

fp_status fp_store_loader_project(fp_store_loader *l, const fp_project_record *p, fp_store_refusal *refused,
                                  fp_error *err)
{
    if (l->pg) return fpi_pg_loader_project(l->pg, p, refused, err);
    *refused = FP_STORE_STORED;
    fp_status st;
    if (p->source_key && *p->source_key) {
        uint32_t h = key_hash(p->source_key);
        if (key_hashes_has(&l->keys, h)) {
            /* Maybe stored: the rows waiting go first, then the index says. */
            if ((st = fp_store_loader_flush(l, err))) return st;
            sqlite3_stmt *q = l->key_stored;
            sqlite3_bind_text(q, 1, l->dataset, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, p->source_key, -1, SQLITE_STATIC);
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc == SQLITE_ROW) {
                *refused = FP_STORE_DUPLICATE;
                return FP_OK;
            }
            if (rc != SQLITE_DONE) return loader_error(l, err);
        } else if (key_hashes_add(&l->keys, h)) {
            return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        }
    }
    pending_project *pp = &l->pending[l->npending];
    *pp = (pending_project){ .p = *p };
    if ((p->is_point || p->wkb) && make_blob(p, &pp->blob, &pp->len, pp->bbox)) {
        free(pp->blob);
        *refused = FP_STORE_BAD_GEOMETRY;
        return FP_OK;
    }
    l->npending++;
    if (l->npending == LOAD_BATCH || !l->batched) return fp_store_loader_flush(l, err);
    return FP_OK;
}

int64_t fp_store_loader_next_id(const fp_store_loader *l)
{
    return l->pg || !l->batched ? 0 : l->next_id;
}

void fp_store_loader_on_indexed(fp_store_loader *l, void (*fn)(void *user, long long first_id), void *user)
{
    l->on_indexed = fn;
    l->on_indexed_user = user;
}

int fp_store_loader_ids(const fp_store_loader *l, int64_t *first_id, int64_t *count)
{
    if (l->pg) return fpi_pg_loader_ids(l->pg, first_id, count);
    *first_id = l->first_id;
    *count = l->nstored;
    return l->ids_in_order;
}

fp_status fp_store_loader_finish(fp_store_loader *l, fp_error *err)
{
    if (l->pg) return fpi_pg_loader_finish(l->pg, l->on_indexed, l->on_indexed_user, err);
    fp_store *s = l->store;
    fp_status fst = fp_store_loader_flush(l, err);
    if (fst) return fst;
    fpi_steps steps;
    fpi_steps_start(&steps, s->ctx);
    /* This import's entries into the spatial index (the bounding boxes were
     * known when the rows were written). */
    int same = 0;
    fp_status st = fpi_columns_writer_finish(l->columns, err);   /* the last part's columns */
    if (!st) st = fpi_typed_writer_same_points(l->typed, "idx_projects_geom", l->entries, l->nentries, &same, err);
    if (!st) st = fpi_rtree_add(s, "idx_projects_geom", l->entries, l->nentries, NULL, "indexing projects", err);
    if (st == FP_ERR_DB && write_failed(s)) return loader_error(l, err);   /* names the input and the cause */
    if (st) return st;
    fpi_steps_mark(&steps, "index");
    if (l->on_indexed) l->on_indexed(l->on_indexed_user, 0);
    fp_context_pause(s->ctx, "import:index");
    if ((st = fpi_store_triggers_restore(s, &l->triggers, err)) != FP_OK) return st;
    /* The typed geometry tables' spatial indexes, and their triggers back. */
    st = fpi_typed_writer_finish(l->typed, same ? "idx_projects_geom" : NULL, l->entries, l->nentries, err);
    if (st == FP_ERR_DB && write_failed(s)) return loader_error(l, err);
    if (st) return st;
    fpi_steps_mark(&steps, "typed");
    if (sqlite3_exec(s->db, "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                            "WHERE f_table_name = 'projects' AND f_geometry_column = 'geom'", NULL, NULL, NULL) != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    return FP_OK;
}

/* ----------------------------------------------------------- listings --- */

fp_status fp_store_rejects(fp_store *s, const char *dataset, long limit, fp_reject_cb cb, void *user, fp_error *err)
{
    if (s->pg) return fpi_pg_rejects(s, dataset, limit, cb, user, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s,
        "SELECT i.dataset, i.file, i.format, r.line, r.feature, r.reason, r.raw FROM rejects r "
        "JOIN imports i ON i.id = r.import_id WHERE (?1 IS NULL OR i.dataset = ?1) ORDER BY r.id LIMIT ?2",
        "reading rejects", &q, err);
    if (st) return st;
    if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        fp_reject_row r = { (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
                            (const char *)sqlite3_column_text(q, 2),
                            sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 : (long)sqlite3_column_int64(q, 3),
                            (long)sqlite3_column_int64(q, 4), (const char *)sqlite3_column_text(q, 5),
                            (const char *)sqlite3_column_text(q, 6), "" };
        if (cb(&r, user)) { rc = SQLITE_DONE; break; }
    }
    if (rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading rejects", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_repaired(fp_store *s, const char *dataset, long limit, const char *repaired_key, fp_reject_cb cb,
                            void *user, fp_error *err)
{
    if (s->pg) return fpi_pg_repaired(s, dataset, limit, repaired_key, cb, user, err);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s,
        "SELECT i.dataset, i.file, i.format, p.source_line, coalesce(p.source_key, ''), json_extract(p.extra, ?3) "
        "FROM projects p JOIN imports i ON i.id = p.import_id "
        "WHERE json_extract(p.extra, ?3) IS NOT NULL AND (?1 IS NULL OR p.dataset = ?1) ORDER BY p.id LIMIT ?2",
        "reading repaired rows", &q, err);
    if (st) return st;
    if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, limit);
    char path[256];
    snprintf(path, sizeof path, "$.%s", repaired_key);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        /* The source line is a row number for CSV-like files, else a feature number. */
        const char *format = (const char *)sqlite3_column_text(q, 2);
        long n = (long)sqlite3_column_int64(q, 3);
        int csv = format && !strcmp(format, "CSV");
        fp_reject_row r = { (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1), format,
                            csv ? n : 0, csv ? 0 : n, (const char *)sqlite3_column_text(q, 5), NULL,
                            (const char *)sqlite3_column_text(q, 4) };
        if (cb(&r, user)) { rc = SQLITE_DONE; break; }
    }
    if (rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading repaired rows", err);
    sqlite3_finalize(q);
    return st;
}
