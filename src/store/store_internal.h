/* Internals of the store shared with the other stages (not public API). */
#ifndef FP_STORE_INTERNAL_H
#define FP_STORE_INTERNAL_H

#include <glib.h>
#include <sqlite3.h>
#include "fp_store.h"

struct fp_store {
    sqlite3 *db;
    void *spatialite_cache;
    char *path;
    int flags;
    int in_txn;
    int fk_suspended;          /* foreign keys off for a bulk import's transaction */
    int opened_version;
    int busy_ms;
    int columns_table;         /* projects_columns exists: 1 yes, -1 no, 0 not asked yet */
    /* The PostGIS engine's state (pg_internal.h); NULL for SpatiaLite. Each
     * public function starts with `if (s->pg) return fp_pg_...`: one
     * predictable branch, so SpatiaLite's hot paths stay as they were. */
    struct fp_pg *pg;
    const fp_context *ctx;   /* borrowed from the caller; NULL: the defaults */
};

/* The SQLite handle, with SpatiaLite loaded: for src/store/ only (and the
 * files test_layering.sh lists as pending). */
sqlite3 *fpi_store_sqlite(fp_store *store);

/* SQLite's page-cache lines on huge pages (sqlite_memory.c); 1 if installed
 * (before SQLite's first use, not under ASan or Valgrind), else 0. */
int fpi_sqlite_memory_install(void);

/* The name of the VFS that gathers a store's consecutive page writes into
 * one pwrite (write_behind.c), registered on first call; NULL if it could
 * not be (the default VFS is then used). */
const char *fpi_write_behind_vfs(void);
/* Whether it is in use; whether this build and run would install it. */
int fpi_sqlite_memory_active(void);
int fpi_sqlite_memory_expected(void);
/* Maps the arena's next chunks, up to `bytes` ahead, and faults them in on
 * a thread of its own (a big import, before it writes); once per process. */
void fpi_sqlite_memory_prefault(size_t bytes);
/* Whether a block SQLite allocated came from the arena (tests). */
int fpi_sqlite_memory_owns(const void *p);
fp_status fpi_store_exec(fp_store *s, const char *sql, fp_error *err);
/* Prepares sql on the store's connection; the error names the store and
 * `what` was being done. Every statement of the store goes through it. */
fp_status fpi_store_prepare(fp_store *s, const char *sql, const char *what, sqlite3_stmt **q, fp_error *err);
/* The error of the store's last failed call, as fpi_store_prepare words it. */
fp_status fpi_store_db_error(fp_store *s, const char *what, fp_error *err);

/* Wraps a PostGIS result or cursor (pg_rows.c) as fp_rows. */
struct fp_pg_rows;
fp_rows *fpi_rows_wrap_pg(struct fp_pg_rows *p, fp_error *err);

/* Wraps a prepared statement (the cursor finalizes it) as fp_rows. Columns
 * in geom_cols (bit i: column i) hold SpatiaLite geometry blobs, those in
 * wkb_cols WKB: fp_rows_geom reads both. `what` names the query in errors. */
fp_rows *fpi_rows_wrap(fp_store *s, sqlite3_stmt *q, const char *what, unsigned geom_cols, unsigned wkb_cols,
                      fp_error *err);
/* The assignment table of an aggregation (g_free'd by the caller), from
 * the aggregations table; a usage error naming it when there is none. */
fp_status fpi_store_assign_table(fp_store *s, const char *aggregation, char **table, fp_error *err);
/* Opens at a given schema version: for tests of the in-place upgrade. */
fp_status fpi_store_open_at(const fp_context *ctx, const char *path, int flags, int target, fp_store **out, fp_error *err);
fp_status fpi_store_migrate(fp_store *s, int target, fp_error *err);
const char *fpi_store_migration_sql(int version);


/* The column cache's writer for an import (project_columns.c): NULL (and
 * every call a no-op) on a store without the table. The import's rows are
 * added in id order with the blob stored for each (NULL: no geometry). */
typedef struct fpi_columns_writer fpi_columns_writer;
/* Whether the store has the table (and, on PostGIS, may read it); asked once a handle. */
int fpi_columns_available(fp_store *s);
fp_status fpi_columns_writer_new(fp_store *s, const char *dataset, fpi_columns_writer **out, fp_error *err);
fp_status fpi_columns_writer_add(fpi_columns_writer *w, int64_t id, const fp_project_record *p,
                                 const unsigned char *blob, int blob_len, fp_error *err);
/* The same for an engine that stores no SpatiaLite blob (PostGIS):
 * has_geom 0 no geometry, 1 a point at x, y, -1 a line or polygon. */
fp_status fpi_columns_writer_add_point(fpi_columns_writer *w, int64_t id, const fp_project_record *p, int has_geom,
                                       double x, double y, fp_error *err);
/* Writes the last part; on PostGIS (after the rows' COPY has ended) drops
 * every part the import touched and COPYs in the ones it filled. */
fp_status fpi_columns_writer_finish(fpi_columns_writer *w, fp_error *err);
void fpi_columns_writer_free(fpi_columns_writer *w);

/* The number of projects with min <= id <= max from the column cache's
 * part sizes, the parts it lacks counted by id range; *counted 0 (and
 * nothing read) when it lacks more than a quarter of the parts. */
fp_status fpi_columns_count(fp_store *s, int64_t min, int64_t max, int64_t *count, int *counted, fp_error *err);

/* Foreign keys checked again after a bulk import's transaction
 * (fp_store_begin_bulk). */
void fpi_store_foreign_keys_back(fp_store *s);

/* Drops the triggers of table (SpatiaLite's per-row index upkeep), their
 * SQL kept in *saved; restore recreates them and frees *saved. Inside the
 * caller's transaction. */
fp_status fpi_store_triggers_suspend(fp_store *s, const char *table, GPtrArray **saved, fp_error *err);
fp_status fpi_store_triggers_restore(fp_store *s, GPtrArray **saved, fp_error *err);
/* Runs sql with the triggers of table suspended. */
fp_status fpi_store_exec_without_triggers(fp_store *s, const char *table, const char *sql, fp_error *err);

/* One R*Tree entry, coordinates already rounded outwards to float. */
typedef struct fp_rtree_entry {
    sqlite3_int64 id;
    float minx, maxx, miny, maxy;
} fp_rtree_entry;

float fpi_rtree_round_down(double d);
float fpi_rtree_round_up(double d);
/* Appends id's entry for box (minx, miny, maxx, maxy), rounded outwards as
 * SQLite's R*Tree stores it, to a[0..*n), doubling *cap as it fills; -1 out
 * of memory. The import, the typed tables and geocode gather theirs so. */
int fpi_rtree_entries_add(fp_rtree_entry **a, size_t *n, size_t *cap, sqlite3_int64 id, const double box[4]);
/* Replaces the whole content of R*Tree `index` with entries (reordered in
 * place). Run inside a transaction. */
fp_status fpi_rtree_bulk_load(sqlite3 *db, const char *index, fp_rtree_entry *entries, size_t n, fp_error *err);
/* Appends the rows of q (pkid, xmin, xmax, ymin, ymax: an R*Tree's own
 * entries, floats already rounded outwards) to out[*n], up to cap entries;
 * -1 when the query fails or has more rows than cap. */
int fpi_rtree_read_entries(sqlite3_stmt *q, fp_rtree_entry *out, size_t cap, size_t *n);
/* Adds entries to R*Tree `index`: one INSERT each when they are fewer than
 * those already there, else a bulk rebuild (of these alone when the index
 * is empty: then reordered in place, not copied); `replacing` (SQL
 * selecting ids, or NULL) names rows whose old entries go. `what` names the
 * job in errors. */
fp_status fpi_rtree_add(fp_store *s, const char *index, fp_rtree_entry *entries, size_t n,
                        const char *replacing, const char *what, fp_error *err);

/* The typed geometry tables (v4) written by a bulk import, which suspends
 * the projects triggers that keep them current (typed_sync.c): new sets
 * up (NULL writer for a store older than v4: add and finish do nothing),
 * add copies one stored project's blob, finish writes the spatial indexes
 * and restores the typed tables' triggers before the commit. */
typedef struct fpi_typed_writer fpi_typed_writer;
fp_status fpi_typed_writer_new(fp_store *s, fpi_typed_writer **out, fp_error *err);
/* loaders[0..nloaders): the loader's index entries so far (this row's
 * not yet), the point entries while every row was a point. */
fp_status fpi_typed_writer_add(fpi_typed_writer *w, sqlite3_int64 id, const unsigned char *blob, int len,
                               const fp_rtree_entry *loaders, size_t nloaders, fp_error *err);
/* *same: the writer's rows are all points whose index entries equal
 * entries[0..n) (the projects' index entries of the same import, before
 * that index is written: the bulk load reorders them), and index and the
 * point table's index are both empty: then the two indexes come out node
 * for node the same. */
fp_status fpi_typed_writer_same_points(fpi_typed_writer *w, const char *index, const fp_rtree_entry *entries, size_t n,
                                       int *same, fp_error *err);
/* copy_from: the index whose shadow tables the point index copies (when
 * fpi_typed_writer_same_points said so), else NULL. */
fp_status fpi_typed_writer_finish(fpi_typed_writer *w, const char *copy_from, fp_rtree_entry *loaders,
                                  size_t nloaders, fp_error *err);
void fpi_typed_writer_free(fpi_typed_writer *w);

#endif
