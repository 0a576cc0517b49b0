/* Internals of the store shared with the other stages (not public API). */
#ifndef FP_STORE_INTERNAL_H
#define FP_STORE_INTERNAL_H

#include <sqlite3.h>
#include "fp_store.h"

struct fp_store {
    sqlite3 *db;
    void *spatialite_cache;
    char *path;
    int flags;
    int in_txn;
    int opened_version;
    int busy_ms;
};

fp_status fp_store_exec(fp_store *s, const char *sql, fp_error *err);
/* Opens at a given schema version: for tests of the in-place upgrade. */
fp_status fp_store_open_at(const char *path, int flags, int target, fp_store **out, fp_error *err);
fp_status fp_store_migrate(fp_store *s, int target, fp_error *err);
const char *fp_store_migration_sql(int version);
/* Adds the projects that are missing from the typed geometry tables (v4):
 * after a bulk import, which suspends the triggers that keep them current. */
fp_status fp_store_sync_typed(fp_store *s, fp_error *err);

/* One R*Tree entry, coordinates already rounded outwards to float. */
typedef struct fp_rtree_entry {
    sqlite3_int64 id;
    float minx, maxx, miny, maxy;
} fp_rtree_entry;

float fp_rtree_round_down(double d);
float fp_rtree_round_up(double d);
/* Replaces the whole content of R*Tree `index` with entries (reordered in
 * place). Run inside a transaction. */
fp_status fp_rtree_bulk_load(sqlite3 *db, const char *index, fp_rtree_entry *entries, size_t n, fp_error *err);
/* Appends the rows of q (pkid, xmin, xmax, ymin, ymax: an R*Tree's own
 * entries, floats already rounded outwards) to out[*n], up to cap entries. */
void fp_rtree_read_entries(sqlite3_stmt *q, fp_rtree_entry *out, size_t cap, size_t *n);

#endif
