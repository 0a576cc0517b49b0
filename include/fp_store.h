/* The store: one SpatiaLite database file (WGS 84, EPSG:4326).
 *
 * This header is the store's whole API: only src/store/ knows table and
 * column names or speaks SQL. The other stages ask for what they need --
 * projects through a filter, regions of a level, an aggregation's rows --
 * and write through named operations (record an import, store a project,
 * write an aggregation). Every function returns fp_status and fills a
 * caller-owned fp_error naming the store and the reason.
 *
 * Engines. The functions below are implemented per engine inside
 * src/store/: today SpatiaLite (store.c, rows.c and the *_store.c files);
 * a second engine (PostGIS through libpq) implements the same functions
 * behind the same opaque types and fp_store_open picks one by the --db
 * string. Nothing engine-specific crosses this header:
 *   - geometries cross as OGC WKB in WGS 84 (2D), with their bounding box
 *     (fp_geom below) and a single point as plain x, y, so neither
 *     SpatiaLite blobs nor EWKB leave the store;
 *   - results are read through fp_rows, a forward cursor with typed
 *     accessors, whose columns each query function lists in order;
 *   - identifiers (aggregation names, group columns) are validated or
 *     quoted by the store; values are always bound.
 *
 * MBTiles files are an output format, not the store: the SQL that writes
 * and reads them (for src/tiles/ and src/serve/) is in
 * src/common/mbtiles_file.c; the exported GeoPackage's QGIS styles, in
 * src/export/gpkg_styles.c.
 *
 * Nothing outside src/store/ prepares SQL on the store (but the two output
 * files above); tests/e2e/test_layering.sh fails when SQL appears anywhere
 * else. */
#ifndef FP_STORE_H
#define FP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "fp_context.h"
#include "fp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the schema this library writes; older stores are upgraded in place. */
#define FP_SCHEMA_VERSION 6

typedef struct fp_store fp_store;
typedef struct fp_rows fp_rows;      /* a query's result: see "results" below */

enum {
    FP_STORE_CREATE = 1 << 0,   /* create the file and schema if missing */
    FP_STORE_READONLY = 1 << 1
};

/* Opens (and with FP_STORE_CREATE creates) the store and upgrades an older
 * schema in place, in one transaction. Waits up to 5 s for a lock held by
 * another process, then fails with a message saying so. */
fp_status fp_store_open(const char *path, int flags, fp_store **out, fp_error *err);
/* The same in a context (fp_context.h: busy timeout, search paths, cancel
 * flag, messages), which the stages working on the store take from it.
 * ctx is borrowed: it must outlive the store. fp_store_open is
 * fp_store_open_ctx(NULL, ...): the defaults. */
fp_status fp_store_open_ctx(const fp_context *ctx, const char *path, int flags, fp_store **out, fp_error *err);
/* The store's context (NULL when opened without one; fp_context's getters
 * take NULL for the defaults). */
const fp_context *fp_store_context(const fp_store *store);
void fp_store_close(fp_store *store);

/* FP_OK when `command` runs on the store the --db string names: always on
 * SpatiaLite; on PostGIS every command of the CLI (all stages are behind
 * this API), else an error saying it is not supported there, naming the
 * server (never its password). */
fp_status fp_store_check_command(const char *db, const char *command, fp_error *err);
/* 1 when the store is a database server (PostGIS), not a file: outputs
 * have no store folder to go next to. */
int fp_store_is_server(const fp_store *store);

const char *fp_store_path(const fp_store *store);
int fp_store_schema_version(const fp_store *store);
/* Version the store had when opened (0 when created now); differs from
 * FP_SCHEMA_VERSION after an in-place upgrade. */
int fp_store_opened_version(const fp_store *store);

/* Sets the connection's page cache (PRAGMA cache_size: pages, or KiB when
 * negative) and returns the previous setting, to restore it after a stage
 * whose access pattern wants another size. */
int fp_store_cache_size(fp_store *store, int size);

/* Transactions; commit/rollback are no-ops if none is open. */
fp_status fp_store_begin(fp_store *store, fp_error *err);
/* A transaction for a bulk import, whose loader writes only rows whose
 * parents exist (its own import, its own projects): on SpatiaLite the
 * foreign keys go unchecked until it ends (0.4-0.6 s of a 1M-point
 * import's rows step), on PostGIS it is fp_store_begin. */
fp_status fp_store_begin_bulk(fp_store *store, fp_error *err);
fp_status fp_store_commit(fp_store *store, fp_error *err);
void fp_store_rollback(fp_store *store);

typedef struct fp_regions_result {
    long countries;
    long admin1;
    long other;              /* of another level, or none ('custom': a file without a level field) */
    int unchanged;           /* the same file was already loaded: nothing done */
} fp_regions_result;

/* Loads a region layer (path: a user's file with the same columns as the
 * default; NULL: the default, regions.gpkg of the store's context's data
 * folder, fp_data_path) into `regions`, replacing what is there, in one
 * transaction. Loading the same file again changes nothing. */
fp_status fp_store_load_regions(fp_store *store, const char *path,
                                fp_regions_result *result, fp_error *err);

/* The regions of one level ("country", "admin1") as layer rows, by code.
 * Columns: 0 id, 1 geometry (fp_rows_geom), 2 code, 3 name, 4 parent,
 * 5 continent, 6 subregion. For the QGIS project's base layers. */
fp_status fp_store_regions_rows(fp_store *store, const char *level, fp_rows **out, fp_error *err);
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

/* ------------------------------------------------------------ results --- */

/* A query's result, read forward row by row:
 *     while (fp_rows_next(r)) { ... fp_rows_text(r, 0) ... }
 *     st = fp_rows_status(r, err);  fp_rows_free(r);
 * Values (text, blobs, WKB) stay valid until the next fp_rows_next. */

/* 1 when a row is ready, 0 at the end or on an error (see fp_rows_status). */
int fp_rows_next(fp_rows *r);
/* FP_OK, or the error that ended the rows early, with err filled. */
fp_status fp_rows_status(const fp_rows *r, fp_error *err);
void fp_rows_free(fp_rows *r);

int fp_rows_is_null(fp_rows *r, int col);
int64_t fp_rows_int64(fp_rows *r, int col);
int fp_rows_int(fp_rows *r, int col);
double fp_rows_double(fp_rows *r, int col);
const char *fp_rows_text(fp_rows *r, int col);   /* NULL for a NULL value */
const void *fp_rows_blob(fp_rows *r, int col, size_t *len);
/* The type of the current row's value in col: 'n' NULL, 'i' integer,
 * 'r' real, 't' text, 'b' blob (a column may hold values of any type). */
char fp_rows_value_type(fp_rows *r, int col);
/* Number of columns and a column's name (queries whose columns vary). */
int fp_rows_columns(fp_rows *r);
const char *fp_rows_column_name(fp_rows *r, int col);
/* The declared type of a column: 'i' integer, 'r' real, 't' text (anything
 * else), for writers that create typed fields. */
char fp_rows_column_type(fp_rows *r, int col);

/* A geometry as it crosses the API. A POINT is x, y (no WKB made: the
 * fast path of a million-point scan); anything else (a MULTIPOINT too) is
 * WKB, owned by the cursor until the next row. bbox is minx, miny, maxx,
 * maxy. */
typedef struct fp_geom {
    int is_point;
    double x, y;
    const unsigned char *wkb;
    size_t wkb_len;
    double bbox[4];
} fp_geom;

/* The geometry column col: 1 and *g filled, 0 for NULL, -1 (and the
 * cursor's status set) when it cannot be read. Points come as WKB too when
 * want_wkb is set. */
int fp_rows_geom(fp_rows *r, int col, int want_wkb, fp_geom *g);

/* ----------------------------------------------------------- projects --- */

/* Which projects a query reads; zero-initialised means all of them. */
typedef struct fp_project_filter {
    const char *dataset;     /* NULL: every dataset */
    int with_geometry;       /* only projects that have a location */
    int has_bbox;            /* only projects whose bounding box meets bbox */
    double bbox[4];          /* W, S, E, N */
    int64_t id_min, id_max;  /* id_min <= id < id_max when id_max > id_min */
    /* Field = value conditions, all of which must hold; a field is a
     * project column or a key of `extra`; a NULL value matches NULL/"". */
    const char *const *where_fields;
    const char *const *where_values;
    int nwhere;
    int order_by_id;         /* rows in id order */
    /* The fields are read only through fp_rows_text/_int/_double, never
     * asked their type: PostGIS may then send them as text and the rest of
     * the row in binary (the aggregation's scan). */
    int fields_as_text;
} fp_project_filter;

/* Project columns a field may name (fp_store_is_project_column); anything
 * else is read as a key of the `extra` JSON object. */
int fp_store_is_project_column(const char *field);

/* Reads the projects the filter selects. Columns: 0 id, 1 geometry (WKB,
 * fp_rows_geom), then one per entry of fields: its value (a column's, or an
 * extra key's, as stored: text, number or NULL). */
fp_status fp_store_projects(fp_store *store, const fp_project_filter *f, const char *const *fields, int nfields,
                            fp_rows **out, fp_error *err);

/* The smallest and largest project id (both 0 if there is none) and the
 * number of projects: to split a scan into id ranges read in parallel.
 * count may be NULL: counting is a scan of the table on PostGIS (1M rows:
 * 0.12 s) unless the column cache covers it, min and max one step down
 * the primary key. For planning a scan: on PostGIS outside a snapshot of
 * its own the statements may see different moments. */
fp_status fp_store_project_ids(fp_store *store, int64_t *min, int64_t *max, int64_t *count, fp_error *err);

/* A second, read-only view of the store for a reader thread: its own
 * connection, the same busy wait. Close with fp_store_close. Used while
 * the main handle's transaction has written nothing yet. */
fp_status fp_store_open_reader(fp_store *store, fp_store **out, fp_error *err);
/* A reader that waits for a table lock gives up after ms milliseconds
 * (PostGIS's lock_timeout, unless the server or role set one; a no-op on
 * SpatiaLite), and fp_store_lock_timed_out says it did. For aggregate's
 * readers: the store's own connection holds a share lock on `projects`,
 * so a reader that waits queues behind another session's exclusive
 * request (TRUNCATE, ALTER TABLE) that waits for that connection, a cycle
 * PostgreSQL's deadlock check cannot see; the caller then reads on the
 * store's own connection, which holds the lock already. */
fp_status fp_store_reader_lock_timeout(fp_store *reader, int ms, fp_error *err);
/* The limit aggregate's and check's readers use: none of their locks
 * conflicts with what the store's own connection holds, so a wait is for
 * another session's request queued behind that connection. */
#define FP_STORE_READER_LOCK_TIMEOUT_MS 2000
int fp_store_lock_timed_out(const fp_store *reader);
/* The same limit, and the reader's share locks on the tables a scan of the
 * points reads taken at once: a reader that would wait fails here, before
 * it has read anything (check's readers hand rows on as they read them,
 * so a part cannot be dropped later). */
fp_status fp_store_reader_take_locks(fp_store *reader, int ms, fp_error *err);
/* Whether the store's own transaction has failed (PostGIS; never on
 * SpatiaLite): a reader that failed because of it (its snapshot could not
 * be exported) is no reason to read on that connection instead. */
int fp_store_failed_transaction(const fp_store *store);
/* A reader's pages read with read() rather than mapped (SpatiaLite; a
 * no-op on PostGIS): for scans that keep little of each row, where the
 * mapping only adds the file's pages to the process's memory. */
void fp_store_reader_unmap(fp_store *reader);

/* The column cache (schema 6; src/store/project_columns.c):
 * what aggregate reads of each project, for the projects with ids in
 * [part << FP_COLUMNS_PART_BITS, (part + 1) << FP_COLUMNS_PART_BITS), kept
 * while it is exact (import writes it, triggers drop a part whose rows
 * change). Values are those fp_store_projects reads: a point's x and y,
 * year (INT32_MIN: NULL), amount (NaN: NULL), and the text columns below
 * (code 0: NULL or empty; code k: values[k - 1]; nvalues UINT32_MAX: the
 * column is not kept for this part). */
#define FP_COLUMNS_PART_BITS 16
enum { FP_COLUMN_COMPANY, FP_COLUMN_CATEGORY, FP_COLUMN_STATUS, FP_COLUMN_COUNTRY, FP_COLUMN_COUNTRY_CODE,
       FP_COLUMN_DATASET, FP_COLUMN_SOURCE, FP_COLUMN_TEXTS };
typedef struct fp_project_columns {
    size_t n;
    const uint16_t *offset;          /* id - (part << FP_COLUMNS_PART_BITS), increasing */
    const uint8_t *has_geom;         /* 1: a point (x, y); 0: no geometry */
    const double *x, *y, *amount;
    const int32_t *year;
    struct {
        uint32_t nvalues;
        const char *const *values;
        const uint16_t *code;
    } text[FP_COLUMN_TEXTS];
    void *mem;
} fp_project_columns;
/* The index of a project column the cache keeps as text, else -1. */
int fp_project_columns_text_index(const char *field);
/* A part's columns, or *out NULL when the store does not have them (the
 * part holds a line or polygon, changed since, the store's own PostGIS
 * connection rather than a reader's, ...): read the rows then. */
fp_status fp_store_project_columns_get(fp_store *store, int64_t part, fp_project_columns **out, fp_error *err);
void fp_project_columns_free(fp_project_columns *c);
/* The parts the cache has with first <= part <= last, in order (malloc'd
 * into *parts; none on an older schema, or through the store's own PostGIS
 * connection). */
fp_status fp_store_project_columns_parts(fp_store *store, int64_t first, int64_t last, int64_t **parts, size_t *n,
                                         fp_error *err);

/* Counts projects per value of field (as text, NULL as "(none)") in a
 * dataset (NULL: all), largest first then by value. Columns: 0 value,
 * 1 count. */
fp_status fp_store_project_counts(fp_store *store, const char *field, const char *dataset, fp_rows **out,
                                  fp_error *err);

/* Whether any project has a value for `extra` key `key`. */
fp_status fp_store_extra_key_used(fp_store *store, const char *key, int *used, fp_error *err);

/* ------------------------------------------------------------ imports --- */

/* Records the start of an import of file (checksum, dataset) inside the
 * caller's transaction. When the same checksum was already imported into
 * the dataset, nothing is written and *previous holds that import's id
 * (else 0 and *import_id the new one). An earlier import of that checksum
 * that stored no project (every row rejected, say a projected CSV read
 * without --crs) is forgotten first, its record and rejects, so that the
 * file can be imported again with other options: *forgotten is its id, or
 * 0. (On PostgreSQL after the bulk import's locks, which must be the
 * transaction's first.) */
fp_status fp_store_import_begin(fp_store *store, const char *file, const char *checksum, const char *dataset,
                                const char *started, int64_t *import_id, int64_t *previous, int64_t *forgotten,
                                fp_error *err);
/* The datasets that have projects, sorted (*names: a NULL-terminated
 * g_strfreev list, *n of them), from the imports catalogue and one index
 * look-up each: cheap on a store of millions of projects. */
fp_status fp_store_datasets(fp_store *store, char ***names, size_t *n, fp_error *err);
/* FP_OK when some project is of dataset (a --dataset option's check), else
 * FP_ERR_USAGE naming the datasets there are. */
fp_status fp_store_dataset_check(fp_store *store, const char *dataset, fp_error *err);
/* The same for a dataset some import went into, projects or not (a
 * dataset whose rows were all rejected: `rejects --dataset`). */
fp_status fp_store_imported_dataset_check(fp_store *store, const char *dataset, fp_error *err);
/* Removes a dataset inside the caller's transaction: its projects (their
 * typed geometries, spatial index entries and column cache parts go with
 * them, by the store's triggers), QA findings and fixes, and its imports
 * with their rejects. *projects and *imports: how many rows of each were
 * deleted. Aggregations made before keep their tables (a snapshot). */
fp_status fp_store_dataset_drop(fp_store *store, const char *dataset, int64_t *projects, int64_t *imports,
                                fp_error *err);
/* Whether the dataset has any import (*any): with none, no checksum can
 * match, and the import can start before its file's SHA-256 is known. */
fp_status fp_store_dataset_has_imports(fp_store *store, const char *dataset, int *any, fp_error *err);
/* Gives an import begun with a placeholder checksum its real one, unless
 * another import of the dataset has it (committed meanwhile by another
 * session): then *previous is that import's id and nothing is changed. */
fp_status fp_store_import_checksum(fp_store *store, int64_t import_id, const char *dataset, const char *checksum,
                                   int64_t *previous, fp_error *err);
/* The id of the dataset's import of the file with that checksum (*id), 0
 * when there is none. */
fp_status fp_store_import_find(fp_store *store, const char *dataset, const char *checksum, int64_t *id, fp_error *err);
/* Records how an import ended (its format and counts). */
fp_status fp_store_import_end(fp_store *store, int64_t import_id, const char *format, long rows_read, long stored,
                              long rejected, const char *finished, fp_error *err);

/* One project to store. Empty or NULL text stores NULL. */
typedef struct fp_project_record {
    const char *source_key;
    long source_line;
    const char *company, *category, *name, *place, *country, *country_code, *status, *source;
    int has_year;
    int year;
    int has_amount;
    double amount;
    const char *extra;                 /* JSON object text, or NULL */
    /* Location: WKB (WGS 84), or a point, or neither (to geocode). */
    const unsigned char *wkb;
    size_t wkb_len;
    int is_point;
    double x, y;
} fp_project_record;

/* Bulk writer for one import of file, inside the caller's transaction:
 * prepared inserts, the spatial index kept in memory and written in bulk
 * by fp_store_loader_finish. A failed write's message names the store and
 * the file and says that nothing of it was stored (the caller rolls back). */
typedef struct fp_store_loader fp_store_loader;
fp_status fp_store_loader_new(fp_store *store, int64_t import_id, const char *dataset, const char *file,
                              fp_store_loader **out, fp_error *err);
/* Why a project was not stored (not an error: the caller rejects the row). */
typedef enum fp_store_refusal {
    FP_STORE_STORED = 0,
    FP_STORE_DUPLICATE,       /* its source_key is already in the dataset */
    FP_STORE_BAD_GEOMETRY     /* the engine cannot encode its geometry */
} fp_store_refusal;
/* Stores a project, or says why not in *refused. The row may wait in a
 * batch: its text (and WKB) must stay as they are until the next
 * fp_store_loader_flush or fp_store_loader_finish. */
fp_status fp_store_loader_project(fp_store_loader *l, const fp_project_record *p, fp_store_refusal *refused,
                                  fp_error *err);
/* A hint, for a writer that holds rows ahead: p comes to
 * fp_store_loader_project soon, so what checking its source_key touches
 * is fetched into the CPU cache now. Changes nothing else. */
void fp_store_loader_prefetch(const fp_store_loader *l, const fp_project_record *p);
/* Writes the projects waiting in the batch. */
fp_status fp_store_loader_flush(fp_store_loader *l, fp_error *err);
/* The id the next project stored will get, when the engine knows it in
 * advance (SQLite: the largest id + 1); else 0. */
int64_t fp_store_loader_next_id(const fp_store_loader *l);
/* fn(user, first_id) is called by fp_store_loader_finish once every row is
 * stored and the index's memory freed (SQLite: after the spatial index,
 * before the QGIS tables and the commit; PostGIS: after the COPY, before
 * the server builds the indexes): work that can run beside those starts
 * there (the QA feed's duplicate sweep). first_id: the id the first row
 * got, when only known now (PostGIS); 0 when fp_store_loader_next_id told
 * it. Not called when the ids are not known to be in order. */
void fp_store_loader_on_indexed(fp_store_loader *l, void (*fn)(void *user, long long first_id), void *user);
/* After fp_store_loader_finish: whether the projects stored got the ids
 * *first_id .. *first_id + *count - 1, in the order they were given
 * (SQLite: followed row by row; PostGIS: the span of the ids the COPY took,
 * checked to hold this import's rows alone). What the QA feed needs
 * (fp_qa_feed_ids). */
int fp_store_loader_ids(const fp_store_loader *l, int64_t *first_id, int64_t *count);
/* Stores a reject: line (CSV) or feature number (> 0), reason, raw text
 * (valid UTF-8, capped) or NULL. */
fp_status fp_store_loader_reject(fp_store_loader *l, long line, long feature, const char *reason, const char *raw,
                                 size_t raw_len, fp_error *err);
/* Writes the spatial index and the QGIS tables; before the commit. */
fp_status fp_store_loader_finish(fp_store_loader *l, fp_error *err);
void fp_store_loader_free(fp_store_loader *l);

/* A rejected row, or a stored row whose geometry was repaired. */
typedef struct fp_reject_row {
    const char *dataset, *file, *format;
    long line;              /* > 0 for a CSV-like row number, else 0 */
    long feature;           /* > 0 for a feature number, else 0 */
    const char *reason;
    const char *raw;        /* NULL when not kept */
    const char *source_key; /* repaired rows: the input's id, "" if none */
} fp_reject_row;
typedef int (*fp_reject_cb)(const fp_reject_row *row, void *user);   /* non-zero stops */

/* Rejects of a dataset (NULL: all) in the order stored, at most limit (<0:
 * all). */
fp_status fp_store_rejects(fp_store *store, const char *dataset, long limit, fp_reject_cb cb, void *user,
                           fp_error *err);
/* Stored projects whose geometry the import repaired: `reason` is the
 * repair note (extra key repaired_key), line the source line. */
fp_status fp_store_repaired(fp_store *store, const char *dataset, long limit, const char *repaired_key,
                            fp_reject_cb cb, void *user, fp_error *err);

/* ------------------------------------------------------------ regions --- */

/* Regions of a level (country, admin1, ...) with a geometry, by code.
 * Columns: 0 id, 1 code, 2 name, 3 parent, 4 subregion, 5 continent,
 * 6 population, 7 geometry (fp_rows_geom, WKB), 8 area_km2 (NULL until
 * cached). */
fp_status fp_store_regions(fp_store *store, const char *level, fp_rows **out, fp_error *err);
/* Caches regions' geodesic areas (regions.area_km2): areas[i] for ids[i]. */
fp_status fp_store_region_set_areas(fp_store *store, const int64_t *ids, const double *areas, size_t n,
                                    fp_error *err);

/* Derived region groups (continents, subregions: unions of countries),
 * cached per level. Columns: 0 code, 1 name, 2 parent, 3 population,
 * 4 area_km2, 5 geometry (WKB blob). */
fp_status fp_store_region_groups(fp_store *store, const char *level, fp_rows **out, fp_error *err);
typedef struct fp_region_group {
    const char *code, *name, *parent;  /* parent may be NULL */
    int64_t population;                /* < 0: unknown */
    double area_km2;
    const unsigned char *wkb;
    size_t wkb_len;
} fp_region_group;
/* Stores computed groups of a level; a read-only store keeps none (*stored 0). */
fp_status fp_store_region_groups_put(fp_store *store, const char *level, const fp_region_group *rows, size_t n,
                                     int *stored, fp_error *err);

/* ------------------------------------------------------- aggregations --- */

/* An aggregation to write: its catalogue entry and the group columns. */
typedef struct fp_aggregation_desc {
    const char *name;          /* validated identifier: tables agg_NAME... */
    const char *table, *assign_table;
    const char *level, *spec, *group_fields;   /* group_fields may be NULL */
    double snap_km;
    int64_t projects;
    double unassigned;
    size_t ncolumns;           /* group columns */
    const char *const *column_names, *const *column_fields, *const *column_values;
    int has_length;            /* some projects are lines: a length_km column (km of them per region) */
} fp_aggregation_desc;

/* One row of an aggregation result (a region of an output level). */
typedef struct fp_aggregation_row {
    const char *level, *code, *name, *parent;  /* parent may be NULL */
    int has_area;
    double area_km2;
    int64_t population;        /* < 0: NULL */
    int64_t projects, companies;
    double weighted, amount;
    int has_amount;            /* 0: no project counted here has an amount: NULL, not 0 */
    int has_year;
    int year_first, year_last;
    int has_per_area, has_per_million;
    double per_10k_km2, per_million;
    double length_km;          /* desc.has_length: the lines' km in the region (share x length; 0: none) */
    const unsigned char *wkb;  /* NULL: no geometry */
    size_t wkb_len;
    const double *group;       /* ncolumns values */
} fp_aggregation_row;

/* Writes an aggregation inside the caller's transaction, replacing one of
 * the same name: open (drops the old tables, creates the new), add the
 * rows and the assignments (in either order: the assignments can be stored
 * while the rows are still being summed), then finish (spatial index,
 * catalogue). */
typedef struct fp_aggregation_writer fp_aggregation_writer;
fp_status fp_store_aggregation_new(fp_store *store, const fp_aggregation_desc *d, fp_aggregation_writer **out,
                                   fp_error *err);
fp_status fp_aggregation_add_row(fp_aggregation_writer *w, const fp_aggregation_row *row, fp_error *err);
/* region NULL: unassigned; distance_km < 0: NULL. */
fp_status fp_aggregation_add_assignment(fp_aggregation_writer *w, int64_t project_id, const char *region,
                                        double share, const char *method, double distance_km, fp_error *err);
/* The catalogue's unassigned count, when it was not known at open. */
void fp_aggregation_set_unassigned(fp_aggregation_writer *w, double unassigned);
fp_status fp_aggregation_finish(fp_aggregation_writer *w, fp_error *err);
void fp_aggregation_writer_free(fp_aggregation_writer *w);

/* The main level of a stored aggregation; *level NULL (malloc'd otherwise)
 * when there is none of that name. */
fp_status fp_store_aggregation_level(fp_store *store, const char *name, char **level, fp_error *err);
/* Whether column is one of aggregation's group columns (aggregate --group:
 * category_surveillance), and which field and value it counts: *field and
 * *value (malloc'd) are NULL when it is not. */
fp_status fp_store_aggregation_group_column(fp_store *store, const char *aggregation, const char *column, char **field,
                                            char **value, fp_error *err);
/* The names of the stored aggregations, in byte order (a NULL-terminated
 * array: fp_store_strings_free). */
fp_status fp_store_aggregation_names(fp_store *store, char ***names, size_t *n, fp_error *err);
/* The regions of an aggregation's level with the most projects.
 * Columns: 0 code, 1 name, 2 projects, 3 companies. */
fp_status fp_store_aggregation_top(fp_store *store, const char *table, const char *level, int limit, fp_rows **out,
                                   fp_error *err);

/* ------------------------------------------------------------ geocode --- */

/* The rows to geocode: projects without a location (with redo also those
 * an earlier geocode placed) of a dataset (NULL: all), by id. Columns:
 * 0 id, 1 file, 2 source line, 3 place, 4 country, 5 the import's format,
 * 6 extra (JSON text). */
fp_status fp_store_geocode_rows(fp_store *store, const char *dataset, int redo, fp_rows **out, fp_error *err);
/* The point projects of a dataset that have a source key (of one import
 * when import_id > 0), and how each was placed: what an import of
 * footprint's own export compares its rows with. Columns: 0 id,
 * 1 source_key, 2 x, 3 y, 4 geocode_method, 5 geocode_precision,
 * 6 geocode_ref. */
fp_status fp_store_placed_points(fp_store *store, const char *dataset, int64_t import_id, fp_rows **out, fp_error *err);
/* Whether any project was placed at a gazetteer place (geocode precision
 * city: GeoNames' positions, whose licence asks for credit). Reads the
 * projects until the first such one: a store with none is read whole. */
fp_status fp_store_gazetteer_placed(fp_store *store, int *any, fp_error *err);
/* The ids, ascending, of the projects (of a dataset; NULL: all) that a
 * geocode placed at a centroid: precision 'country' (and 'admin1' too when
 * with_admin1). An aggregation finer than that leaves them out: a country's
 * centroid says nothing about the admin-1 region or cell the project is in.
 * *ids is malloc'd (NULL when none). */
fp_status fp_store_centroid_placed_ids(fp_store *store, const char *dataset, int with_admin1, int64_t **ids,
                                       size_t *n, fp_error *err);
/* A region's geometry as WKB (malloc'd; *wkb NULL when there is no region
 * of that code or it has none). */
fp_status fp_store_region_wkb(fp_store *store, const char *code, unsigned char **wkb, size_t *len, fp_error *err);

/* Bulk writer of placed points (geocode), inside the caller's transaction:
 * created before the rows to place are read; the projects' spatial index
 * and QGIS's typed tables are brought up to date in bulk by finish (the
 * per-row triggers are suspended meanwhile), before the commit. A point
 * replaces the row's geometry (redo). */
typedef struct fp_point_writer fp_point_writer;
typedef struct fp_placed_point {
    int64_t id;
    double x, y;
    const char *method, *ref, *precision;
    const char *country_code;   /* NULL: the row keeps its own */
} fp_placed_point;
fp_status fp_store_point_writer_new(fp_store *store, fp_point_writer **out, fp_error *err);
fp_status fp_store_point_writer_set(fp_point_writer *w, const fp_placed_point *p, fp_error *err);
fp_status fp_store_point_writer_finish(fp_point_writer *w, fp_error *err);
void fp_store_point_writer_free(fp_point_writer *w);

/* ------------------------------------------------------ export layers --- */

/* What a layer of `footprint export` reads: the projects, the rows of one
 * level of an aggregation, or an aggregation's assignments (each joined to
 * its project's geometry, company, category, name and year). */
typedef enum fp_layer_kind { FP_LAYER_PROJECTS, FP_LAYER_AGGREGATE, FP_LAYER_ASSIGNMENTS,
                             FP_LAYER_DIFF   /* the changes fp_store_diff_keep_* kept (fp_diff.h) */
} fp_layer_kind;

/* A property column of a layer: its name and type ('i' integer, 'r' real,
 * 't' text, by SQLite's affinity rules for an aggregation's own columns). */
typedef struct fp_layer_column {
    char *name;
    char type;
} fp_layer_column;

/* The property columns of a layer kind, in the order fp_store_layer_rows
 * gives them (aggregate: those of the aggregation's table). The fields a
 * layer can be filtered or split by are these, "id" for projects, and for
 * projects any key of `extra`. Freed with fp_store_layer_columns_free. */
fp_status fp_store_layer_columns(fp_store *store, fp_layer_kind kind, const char *aggregation,
                                 fp_layer_column **columns, int *n, fp_error *err);
void fp_store_layer_columns_free(fp_layer_column *columns, int n);

/* Which rows of a layer (only rows with a geometry, but for assignments and
 * changes). */
typedef struct fp_layer_query {
    fp_layer_kind kind;
    const char *aggregation;   /* AGGREGATE, ASSIGNMENTS: a validated name */
    const char *level;         /* AGGREGATE: the level whose rows are read */
    int centroids;             /* AGGREGATE: a point inside each region instead of it */
    /* FIELD=VALUE conditions: the values of one field are alternatives, the
     * fields all hold; a field's value is compared as text (NULL matches
     * nothing). */
    const char *const *where_fields;
    const char *const *where_values;
    int nwhere;
    /* Only rows whose split_field, as text (NULL as ""), is split_value. */
    const char *split_field;
    const char *split_value;
} fp_layer_query;

/* A layer's rows: projects by id, an aggregation's by code, assignments and
 * changes in the order written. Columns: 0 id, 1 geometry (fp_rows_geom;
 * NULL for an assignment or a change whose project has none), then the
 * fp_store_layer_columns. */
fp_status fp_store_layer_rows(fp_store *store, const fp_layer_query *q, fp_rows **out, fp_error *err);
/* How many projects the query's conditions select that have no geometry (not
 * geocoded, or not placeable): an export of projects leaves them out and says
 * so. 0 for the other kinds of layer. */
fp_status fp_store_layer_unlocated(fp_store *store, const fp_layer_query *q, int64_t *n, fp_error *err);
/* The distinct values of field over the rows q selects (its split ignored),
 * as text (NULL as ""), sorted; freed with fp_store_strings_free. */
fp_status fp_store_layer_values(fp_store *store, const fp_layer_query *q, const char *field, char ***values,
                                size_t *n, fp_error *err);
/* Whether any row q selects has a geometry other than a 2D point. */
fp_status fp_store_layer_mixed(fp_store *store, const fp_layer_query *q, int *mixed, fp_error *err);
/* Whether any row q selects (its split too) has a value (not NULL) in
 * field: stops at the first such row. */
fp_status fp_store_layer_field_has_values(fp_store *store, const fp_layer_query *q, const char *field, int *has,
                                          fp_error *err);
/* Which kinds of geometry the rows q selects hold: *points (points and
 * multipoints), *lines, *areas set to 1 or 0 (a collection is none). One
 * scan of the rows. */
fp_status fp_store_layer_kinds(fp_store *store, const fp_layer_query *q, int *points, int *lines, int *areas,
                               fp_error *err);
/* The keys of `extra` over the projects q selects, in byte order, with what
 * their values are. Columns: 0 key, 1 any integer, 2 any real, 3 any
 * boolean, 4 any text, 5 smallest and 6 largest integer, 7 any array or
 * object (a column of lists or objects alone is declared JSON). */
fp_status fp_store_layer_extra_keys(fp_store *store, const fp_layer_query *q, fp_rows **out, fp_error *err);
/* The projects (weighted) of a level's _unassigned row; 0 when none. */
fp_status fp_store_aggregation_unassigned(fp_store *store, const char *name, const char *level, double *projects,
                                          fp_error *err);
/* Number of rows of a level in an aggregation's result. */
fp_status fp_store_aggregation_level_rows(fp_store *store, const char *name, const char *level, int64_t *n,
                                          fp_error *err);

/* --------------------------------------------------- maps and tiles --- */

/* The region a map zooms to: code, or name in any case, a country first.
 * Columns: 0 geometry (WKB; NULL when it has none), 1 name. No row: no
 * such region. */
fp_status fp_store_region_lookup(fp_store *store, const char *code_or_name, fp_rows **out, fp_error *err);
/* Regions of a level with a geometry, in drawing order (plain land).
 * Columns: 0 id, 1 code, 2 name, 3 geometry (WKB). */
fp_status fp_store_region_shapes(fp_store *store, const char *level, fp_rows **out, fp_error *err);

/* What fp_store_aggregation_values reads besides the value. */
enum {
    FP_AGG_VALUES_GEOMETRY = 1 << 0,   /* column 4: the region (WKB) */
    FP_AGG_VALUES_LABEL = 1 << 1       /* columns 5, 6: a point inside it (lon, lat) */
};
/* The regions of one level of aggregation `aggregation` that have a
 * geometry, in drawing order, with the value of column `column` (as
 * stored: fp_rows_value_type tells an integer from a real). Columns: 0 id,
 * 1 value, 2 code, 3 name, 4 geometry, 5 label lon, 6 label lat (NULL
 * unless asked by flags). An error when there is no such aggregation or
 * column. */
fp_status fp_store_aggregation_values(fp_store *store, const char *aggregation, const char *level, const char *column,
                                      int flags, fp_rows **out, fp_error *err);
/* The codes of the regions of a level of an aggregation that have projects
 * and a geometry, by code (an atlas's pages). Column 0 code. */
fp_status fp_store_aggregation_codes(fp_store *store, const char *aggregation, const char *level, fp_rows **out,
                                     fp_error *err);
/* The largest value of a numeric project column (amount, year) over the
 * projects with a geometry; 0 when there is none. */
fp_status fp_store_project_max(fp_store *store, const char *column, double *max, fp_error *err);

/* Small multiples (render --facet): the projects one panel shows are
 * those whose field (a project column or a key of `extra`) equals value,
 * or, ranged, holds a number lo <= v <= hi; of dataset only, unless NULL. */
typedef struct fp_facet_filter {
    const char *field;
    const char *value;       /* NULL: ranged */
    double lo, hi;           /* ranged: -HUGE_VAL for "up to hi" (cumulative) */
    const char *dataset;     /* NULL: every dataset */
    /* What fp_store_facet_counts' column 1 holds: the aggregation column a
     * panel's choropleth shows, computed over the panel's projects as
     * aggregate computes it over all of them. 0 (FP_FACET_PROJECTS): the
     * distinct projects (`projects`). */
    int measure;
    /* Only projects whose group_field (a project column or a key of
     * `extra`), as text with NULL as "", equals group_value: a group
     * column's projects (category_surveillance: category = surveillance).
     * NULL: every project. */
    const char *group_field, *group_value;
} fp_facet_filter;
/* fp_facet_filter.measure: distinct projects (projects), the sum of their
 * shares (projects_weighted, and a group column's weighted count), the sum
 * of amount x share (amount). */
enum { FP_FACET_PROJECTS = 0, FP_FACET_SHARES = 1, FP_FACET_AMOUNT = 2 };
/* The projects a page of small multiples shows: those aggregation
 * `aggregation` assigned (NULL: every project) of dataset (NULL: every
 * dataset). The distinct values of field over them (NULL and "" left
 * out), numbers in numeric order, then text in text order. Column 0 value
 * (as text), 1 projects. */
fp_status fp_store_facet_values(fp_store *store, const char *field, const char *aggregation, const char *dataset,
                                fp_rows **out, fp_error *err);
/* How many projects that is (*count), with a value of field or not. */
fp_status fp_store_facet_projects(fp_store *store, const char *aggregation, const char *dataset, int64_t *count,
                                  fp_error *err);
/* The panel's projects per region of aggregation `aggregation`'s main
 * level, from its assignments (a project counted once in each region it
 * was assigned to, as the aggregation's `projects` column counts), of the
 * filter's dataset only when it names one; the filter's measure of them
 * (f->measure, f->group_field).
 * Columns: 0 region code, 1 the measure. Regions without such projects: no row. */
fp_status fp_store_facet_counts(fp_store *store, const char *aggregation, const fp_facet_filter *f, fp_rows **out,
                                fp_error *err);

/* ---------------------------------------------------- QGIS styles --- */

/* Keeps qml (a QGIS style document) as the default style of a store table
 * (its geometry column geom) where QGIS opening the table finds it: on
 * PostGIS the layer_styles table QGIS uses, replacing footprint's earlier
 * one (a default a QGIS user saved stays the default). A SpatiaLite store
 * keeps none (FP_OK): its exports carry the styles. */
fp_status fp_store_qgis_style_put(fp_store *store, const char *table, const char *style_name, const char *qml,
                                  fp_error *err);

/* ------------------------------------------------- editions (diff) --- */

/* The projects of one dataset, to compare two editions (src/diff/), by id.
 * Columns: 0 id, 1 geometry (fp_rows_geom), 2 source_key, 3 file (the
 * import's), 4 source_line, 5 company, 6 category, 7 name, 8 place,
 * 9 country, 10 country_code, 11 year, 12 status, 13 amount, 14 source,
 * 15 extra (JSON text), 16 the import's format (CSV, GeoJSON, GPKG...:
 * whether source_line is a line or a feature number). */
fp_status fp_store_edition_rows(fp_store *store, const char *dataset, fp_rows **out, fp_error *err);

/* The changes of one comparison, kept in a temporary table of this
 * connection (nothing is written to the store file; works on a read-only
 * store) for the layer FP_LAYER_DIFF: new (replacing the last ones), add
 * each, finish (commits). */
typedef struct fp_diff_keeper fp_diff_keeper;
typedef struct fp_diff_kept {
    const char *change;          /* added, removed, moved, changed */
    const char *matched_by;      /* "id", "name", or NULL (added, removed) */
    int64_t old_id, new_id;      /* 0: none */
    double distance_m;           /* < 0: NULL */
    const char *fields, *details;   /* NULL or "": NULL */
} fp_diff_kept;
fp_status fp_store_diff_keep_new(fp_store *store, fp_diff_keeper **out, fp_error *err);
fp_status fp_store_diff_keep_add(fp_diff_keeper *k, const fp_diff_kept *row, fp_error *err);
fp_status fp_store_diff_keep_finish(fp_diff_keeper *k, fp_error *err);
void fp_store_diff_keep_free(fp_diff_keeper *k);
/* The web preview's timeline: per region of aggregation `aggregation`'s
 * main level and per year, the projects of that year (from the
 * assignments, as fp_store_facet_counts counts them; projects without a
 * year left out). Columns: 0 region code, 1 year, 2 projects; by code,
 * then year. */
fp_status fp_store_timeline_counts(fp_store *store, const char *aggregation, fp_rows **out, fp_error *err);

/* Calls fn for every admin-1 region of the store (code, name, parent
 * country code), in code order. */
typedef void (*fp_admin1_fn)(const char *code, const char *name, const char *parent, void *ud);
fp_status fp_store_each_admin1(fp_store *store, fp_admin1_fn fn, void *ud, fp_error *err);
/* Calls fn for every country of the store, in code order: its code (ISO
 * alpha-3 or the shipped stand-in), ISO alpha-2, name and long name (any of
 * the last three may be NULL). */
typedef void (*fp_country_fn)(const char *code, const char *iso_a2, const char *name, const char *name_long,
                              void *ud);
fp_status fp_store_each_country(fp_store *store, fp_country_fn fn, void *ud, fp_error *err);

/* Path of a file in the data directory (ctx's, else the build's geodata/).
 * Writes into buf and returns it. */
const char *fp_data_path(const fp_context *ctx, const char *name, char *buf, size_t size);

/* Once per process, before and after using the library (SpatiaLite, and
 * GDAL/OGR if it was loaded; the drawing libraries:
 * fp_render_cleanup). The library loads GDAL and registers its drivers on
 * its own first GDAL call (README, Layout); a GDAL that cannot be loaded
 * is FP_ERR_IO of the call that needed it ("cannot load GDAL
 * (libgdal.so.32): ..."), its work undone. A program calling
 * GDAL itself links it and calls GDALAllRegister as usual. fp_global_init also gives
 * SQLite, process-wide, an allocator that keeps page-cache lines on huge
 * pages (src/store/sqlite_memory.c): it applies to every SQLite user in
 * the process (GDAL's, PROJ's, the program's own), keeps freed lines for
 * reuse until the process ends, and is installed only if SQLite has not
 * been used yet (else nothing changes). A host program that wants SQLite's
 * memory left as it is calls fp_global_init_flags(FP_INIT_KEEP_SQLITE_MALLOC)
 * instead: the same library, only large imports a little slower (README,
 * "Speed"). fp_global_init() is fp_global_init_flags(0). */
enum {
    FP_INIT_KEEP_SQLITE_MALLOC = 1 << 0   /* leave SQLite's allocator alone */
};
void fp_global_init(void);
void fp_global_init_flags(int flags);
void fp_global_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif
