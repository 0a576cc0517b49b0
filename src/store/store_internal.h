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
};

fp_status fp_store_exec(fp_store *s, const char *sql, fp_error *err);
/* Opens at a given schema version: for tests of the in-place upgrade. */
fp_status fp_store_open_at(const char *path, int flags, int target, fp_store **out, fp_error *err);
fp_status fp_store_migrate(fp_store *s, int target, fp_error *err);
const char *fp_store_migration_sql(int version);

#endif
