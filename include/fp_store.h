/* The store: one SpatiaLite database file (WGS 84, EPSG:4326). */
#ifndef FP_STORE_H
#define FP_STORE_H

#include "fp_error.h"

/* Version of the schema this library writes; older stores are upgraded in place. */
#define FP_SCHEMA_VERSION 4

typedef struct fp_store fp_store;
struct sqlite3;

enum {
    FP_STORE_CREATE = 1 << 0,   /* create the file and schema if missing */
    FP_STORE_READONLY = 1 << 1
};

/* Opens (and with FP_STORE_CREATE creates) the store and upgrades an older
 * schema in place, in one transaction. Waits up to 5 s for a lock held by
 * another process, then fails with a message saying so. */
fp_status fp_store_open(const char *path, int flags, fp_store **out, fp_error *err);
void fp_store_close(fp_store *store);

const char *fp_store_path(const fp_store *store);
int fp_store_schema_version(const fp_store *store);
/* Version the store had when opened (0 when created now); differs from
 * FP_SCHEMA_VERSION after an in-place upgrade. */
int fp_store_opened_version(const fp_store *store);

/* The SQLite handle, with SpatiaLite loaded, for the other stages. */
struct sqlite3 *fp_store_sqlite(fp_store *store);

/* Sets the connection's page cache (PRAGMA cache_size: pages, or KiB when
 * negative) and returns the previous setting, to restore it after a stage
 * whose access pattern wants another size. */
int fp_store_cache_size(fp_store *store, int size);

/* Transactions; commit/rollback are no-ops if none is open. */
fp_status fp_store_begin(fp_store *store, fp_error *err);
fp_status fp_store_commit(fp_store *store, fp_error *err);
void fp_store_rollback(fp_store *store);

typedef struct fp_regions_result {
    long countries;
    long admin1;
    int unchanged;           /* the same file was already loaded: nothing done */
} fp_regions_result;

/* Loads a region layer (the default geodata/regions.gpkg or a user's file with
 * the same columns) into `regions`, replacing what is there, in one
 * transaction. Loading the same file again changes nothing. */
fp_status fp_store_load_regions(fp_store *store, const char *path,
                                fp_regions_result *result, fp_error *err);

/* The regions of one level ("country", "admin1") as layer rows: id,
 * SpatiaLite geometry, code, name, parent, continent, subregion, by code.
 * The caller finalizes *out. For the QGIS project's base layers. */
struct sqlite3_stmt;
fp_status fp_store_regions_rows(fp_store *store, const char *level, struct sqlite3_stmt **out, fp_error *err);
/* 1 if the store holds an aggregation of this name. */
int fp_store_has_aggregation(fp_store *store, const char *name);

/* The distinct values of a projects column, as text (NULL as ""), over the
 * projects that have a geometry: the categories a style colours. *values is
 * a NULL-terminated array of *n strings, freed with fp_store_strings_free.
 * A name that is not a projects column gives no values, not an error: a
 * style may name a field of another dataset. */
fp_status fp_store_project_values(fp_store *store, const char *column, char ***values, size_t *n, fp_error *err);
void fp_store_strings_free(char **values);

/* Counts rows of a store table (tables of the schema only). -1 on error. */
long fp_store_count(fp_store *store, const char *table);

/* Path of a file in the data directory (env FOOTPRINT_DATA, else the build's
 * geodata/). Writes into buf and returns it. */
const char *fp_data_path(const char *name, char *buf, size_t size);

/* Once per process, before and after using the library. */
void fp_global_init(void);
void fp_global_cleanup(void);

#endif
