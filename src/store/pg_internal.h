/* The PostGIS engine (pg_*.c): the functions of fp_store.h on a PostgreSQL
 * database with PostGIS, through libpq. store.c, rows.c and the *_store.c
 * files call these when the store's `pg` is set; nothing outside src/store/
 * includes this header. */
#ifndef FP_PG_INTERNAL_H
#define FP_PG_INTERNAL_H

#include <stdio.h>
#include <glib.h>
#include <libpq-fe.h>
#include "fp_store_qa.h"
#include "store/store_internal.h"

struct fp_pg {
    PGconn *conn;
    char *conninfo;          /* as given (may hold a password): for reader connections only */
    int in_txn;
    int analyze_after_commit; /* a big load: ANALYZE projects once committed */
    int bulk_import;         /* this transaction's import is a bulk load (pg_imports.c) */
    char *snapshot;          /* exported for reader connections, while in_txn */
    int one_snapshot;        /* a reader: REPEATABLE READ, every statement sees the same rows */
    int lock_timed_out;      /* a statement failed with lock_not_available (55P03) */
    GMutex snapshot_lock;    /* reader threads open at once: one exports it */
    unsigned cursors;        /* names of server-side cursors */
    unsigned cursor_txns;    /* open cursors in a read-only transaction of their own */
    struct fp_pg_rows *prefetching; /* a cursor whose next FETCH is in flight (pg_rows.c) */
    char *prefetch_error;    /* why a prefetched FETCH failed, for the next error message */
    char *schema;            /* the schema holding the store's tables (pg_store.c: pin_store_schema) */
    char *search_path;       /* the search_path set on the connection for it, for readers; NULL: the server's */
    /* The changes kept for export --what diff:OLD:NEW (pg_diff.c): an
     * array literal per column, bound into the layer's queries. */
#define FPI_PG_DIFF_COLS 7
    char *diff_cols[FPI_PG_DIFF_COLS];
};

/* Advisory lock keys (pg_advisory_xact_lock): schema migrations. */
#define FP_PG_LOCK_SCHEMA 0x66700001LL
#define FP_PG_LOCK_REGIONS 0x66700002LL

/* Runs a cache write (its failure only means no cache) so that a refusal
 * does not abort the store's transaction: inside a savepoint. */
void fpi_pg_cache_write(fp_store *s, const char *sql, int n, const char *const *values, const int *lengths,
                       const int *formats, int *ok);

/* 1 if db names a PostgreSQL server: postgresql://, postgres:// or PG:... */
int fpi_pg_is_url(const char *db);
/* The server as messages name it, never with the password. */
char *fpi_pg_display_name(const char *db);

fp_status fpi_pg_open(const fp_context *ctx, const char *db, int flags, int target, fp_store **out, fp_error *err);
void fpi_pg_close(fp_store *s);

/* Collects a cursor's prefetched batch, if one is in flight: called before
 * anything else is sent on the connection (fpi_pg_exec does). */
void fpi_pg_settle(fp_store *s);
/* Statements: values always as parameters (text; NULL for SQL NULL). */
PGresult *fpi_pg_exec(fp_store *s, const char *sql, int n, const char *const *values);
/* The error of a failed result (freed) as one line naming the server. */
fp_status fpi_pg_error(fp_store *s, PGresult *res, const char *what, fp_error *err);
/* Runs a statement that returns no rows. */
fp_status fpi_pg_command(fp_store *s, const char *sql, int n, const char *const *values, const char *what,
                        fp_error *err);
/* For the rest of the transaction, maintenance_work_mem at least 256 MB
 * before building big indexes: PostgreSQL's default (64 MB) spills the
 * sort of a million keys to disk. A server set higher keeps its setting. */
fp_status fpi_pg_index_memory(fp_store *s, const char *what, fp_error *err);
/* An identifier quoted for SQL (PQescapeIdentifier); free with PQfreemem. */
char *fpi_pg_ident(fp_store *s, const char *name);
/* Text of a COPY row field: appends v escaped for COPY's text format, or \N. */
void fpi_pg_copy_field(GString *line, const char *v);
/* Appends a geometry as hex EWKB with SRID 4326 (from 2D OGC WKB). */
void fpi_pg_copy_ewkb(GString *line, const unsigned char *wkb, size_t len);
/* COPY's binary format (FORMAT binary): header, trailer, a row's field
 * count, then its fields; text NULL writes a NULL. */
void fpi_pg_bin_header(GString *b);
void fpi_pg_bin_trailer(GString *b);
void fpi_pg_bin_row(GString *b, int nfields);
void fpi_pg_bin_null(GString *b);
void fpi_pg_bin_int8(GString *b, int64_t v);
void fpi_pg_bin_int4(GString *b, int32_t v);
void fpi_pg_bin_double(GString *b, double v);
/* The value when has, else NULL. */
void fpi_pg_bin_int8_or_null(GString *b, int has, int64_t v);
void fpi_pg_bin_int4_or_null(GString *b, int has, int32_t v);
void fpi_pg_bin_double_or_null(GString *b, int has, double v);
void fpi_pg_bin_text(GString *b, const char *v);
void fpi_pg_bin_bytea(GString *b, const void *data, size_t len);
/* A geometry as EWKB with SRID 4326 (from 2D OGC WKB), as geometry_recv reads it. */
void fpi_pg_bin_ewkb(GString *b, const unsigned char *wkb, size_t len);
/* Sends buffered COPY data; ends the COPY and reads its result. */
fp_status fpi_pg_copy_send(fp_store *s, GString *buf, const char *what, fp_error *err);
fp_status fpi_pg_copy_end(fp_store *s, const char *what, fp_error *err);
void fpi_pg_copy_abort(fp_store *s);

fp_status fpi_pg_begin(fp_store *s, fp_error *err);
fp_status fpi_pg_commit(fp_store *s, fp_error *err);
void fpi_pg_rollback(fp_store *s);
int fpi_pg_schema_version(fp_store *s);
long fpi_pg_count(fp_store *s, const char *table);
fp_status fpi_pg_open_reader(fp_store *s, fp_store **out, fp_error *err);

/* fp_rows over a complete result, or over a server-side cursor (DECLAREd
 * here, FETCHed in batches; inside the store's transaction, or one of its
 * own). wkb_cols: bytea columns holding WKB (bit i: column i), and
 * FPI_PG_ROWS_BINARY for results in binary format: then integer columns
 * read through fpi_pg_rows_int64 (or as text, printed here), bytea as bytes,
 * text as text; other types must be cast to text by the query. */
#define FPI_PG_ROWS_BINARY 0x80000000u
fp_rows *fpi_pg_rows_query(fp_store *s, const char *sql, int n, const char *const *values, const char *what,
                          unsigned wkb_cols, int cursor, fp_error *err);
int fpi_pg_rows_next(struct fp_pg_rows *p);
fp_status fpi_pg_rows_status(const struct fp_pg_rows *p, fp_error *err);
void fpi_pg_rows_free(struct fp_pg_rows *p);
int fpi_pg_rows_is_null(struct fp_pg_rows *p, int col);
const char *fpi_pg_rows_text(struct fp_pg_rows *p, int col);
int64_t fpi_pg_rows_int64(struct fp_pg_rows *p, int col);
const void *fpi_pg_rows_blob(struct fp_pg_rows *p, int col, size_t *len);
int fpi_pg_rows_columns(struct fp_pg_rows *p);
const char *fpi_pg_rows_column_name(struct fp_pg_rows *p, int col);
char fpi_pg_rows_column_type(struct fp_pg_rows *p, int col);
char fpi_pg_rows_value_type(struct fp_pg_rows *p, int col);
int fpi_pg_rows_geom(struct fp_pg_rows *p, int col, int want_wkb, fp_geom *g);

/* Regions (pg_regions.c). */
fp_status fpi_pg_load_regions(fp_store *s, const char *path, fp_regions_result *res, fp_error *err);
fp_status fpi_pg_regions(fp_store *s, const char *level, fp_rows **out, fp_error *err);
fp_status fpi_pg_region_set_areas(fp_store *s, const int64_t *ids, const double *areas, size_t n, fp_error *err);
fp_status fpi_pg_region_groups(fp_store *s, const char *level, fp_rows **out, fp_error *err);
fp_status fpi_pg_region_groups_put(fp_store *s, const char *level, const fp_region_group *rows, size_t n,
                                  int *stored, fp_error *err);
fp_status fpi_pg_each_admin1(fp_store *s, fp_admin1_fn fn, void *ud, fp_error *err);
fp_status fpi_pg_each_country(fp_store *s, fp_country_fn fn, void *ud, fp_error *err);

/* Projects (pg_projects.c). */
fp_status fpi_pg_projects(fp_store *s, const fp_project_filter *f, const char *const *fields, int nfields,
                         fp_rows **out, fp_error *err);
fp_status fpi_pg_project_ids(fp_store *s, int64_t *min, int64_t *max, int64_t *count, fp_error *err);
fp_status fpi_pg_project_counts(fp_store *s, const char *field, const char *dataset, fp_rows **out, fp_error *err);
fp_status fpi_pg_extra_key_used(fp_store *s, const char *key, int *used, fp_error *err);
fp_status fpi_pg_project_values(fp_store *s, const char *column, char ***values, size_t *n, fp_error *err);

/* Imports (pg_imports.c). */
fp_status fpi_pg_import_begin(fp_store *s, const char *file, const char *checksum, const char *dataset,
                             const char *started, int64_t *import_id, int64_t *previous, int64_t *forgotten,
                             fp_error *err);
fp_status fpi_pg_import_end(fp_store *s, int64_t import_id, const char *format, long rows_read, long stored,
                           long rejected, const char *finished, fp_error *err);
typedef struct fp_pg_loader fp_pg_loader;
fp_status fpi_pg_loader_new(fp_store *s, int64_t import_id, const char *dataset, const char *file,
                           fp_pg_loader **out, fp_error *err);
fp_status fpi_pg_loader_project(fp_pg_loader *l, const fp_project_record *p, fp_store_refusal *refused,
                               fp_error *err);
fp_status fpi_pg_loader_reject(fp_pg_loader *l, long line, long feature, const char *reason, const char *raw,
                              size_t raw_len, fp_error *err);
fp_status fpi_pg_loader_finish(fp_pg_loader *l, void (*on_copied)(void *, long long), void *user, fp_error *err);
fp_status fpi_pg_datasets(fp_store *s, const char *sql, char ***names, size_t *n, fp_error *err);
fp_status fpi_pg_dataset_has_imports(fp_store *s, const char *dataset, int *any, fp_error *err);
fp_status fpi_pg_dataset_drop(fp_store *s, const char *dataset, int64_t *projects, int64_t *imports, fp_error *err);
fp_status fpi_pg_import_find(fp_store *s, const char *dataset, const char *checksum, int64_t *id, fp_error *err);
fp_status fpi_pg_import_forget_empty(fp_store *s, const char *dataset, const char *checksum, int64_t *forgotten,
                                     fp_error *err);
fp_status fpi_pg_import_checksum(fp_store *s, int64_t import_id, const char *dataset, const char *checksum,
                                 int64_t *previous, fp_error *err);
int fpi_pg_loader_ids(const fp_pg_loader *l, int64_t *first_id, int64_t *count);
void fpi_pg_loader_free(fp_pg_loader *l);
fp_status fpi_pg_rejects(fp_store *s, const char *dataset, long limit, fp_reject_cb cb, void *user, fp_error *err);
fp_status fpi_pg_repaired(fp_store *s, const char *dataset, long limit, const char *repaired_key, fp_reject_cb cb,
                         void *user, fp_error *err);

/* The column cache (pg_columns.c; encoded by project_columns.c). */
int fpi_pg_columns_available(fp_store *s);
/* Whether this role may delete the cache's parts itself (else the
 * triggers, which run as the schema's owner, do it). */
int fpi_pg_columns_writable(fp_store *s);
fp_status fpi_pg_columns_parts(fp_store *s, int64_t first, int64_t last, int64_t **parts, size_t *n, fp_error *err);
/* A part's blob in a new fpi_big_alloc buffer; *mem NULL when it has none. */
fp_status fpi_pg_columns_get(fp_store *s, int64_t part, unsigned char **mem, size_t *len, fp_error *err);
/* A part's first 16 bytes (its header): 1 if it has them. */
int fpi_pg_columns_head(fp_store *s, int64_t part, unsigned char head[16]);
/* count(*) of the projects with from <= id < to. */
fp_status fpi_pg_count_range(fp_store *s, int64_t from, int64_t to, int64_t *n, fp_error *err);
fp_status fpi_pg_columns_max_id(fp_store *s, int *had_rows, int64_t *max, fp_error *err);
/* The insert trigger off (a bulk import, holding the table) or on again. */
fp_status fpi_pg_columns_insert_trigger(fp_store *s, int on, fp_error *err);
/* footprint.columns = 'kept' for the transaction (the update trigger
 * skips its rows: the writer drops their parts itself), or cleared. */
fp_status fpi_pg_columns_kept(fp_store *s, int kept, fp_error *err);
/* Appends a part's blob to spill as COPY binary rows (part, seq, piece). */
fp_status fpi_pg_columns_spill(FILE *spill, int64_t part, const void *data, size_t len, fp_error *err);
/* Drops the parts first..last and COPYs in the rows spilled. */
fp_status fpi_pg_columns_store(fp_store *s, FILE *spill, int64_t first, int64_t last, fp_error *err);
/* Aggregations (pg_aggregations.c). */
typedef struct fp_pg_agg_writer fp_pg_agg_writer;
fp_status fpi_pg_aggregation_new(fp_store *s, const fp_aggregation_desc *d, fp_pg_agg_writer **out, fp_error *err);
fp_status fpi_pg_aggregation_add_row(fp_pg_agg_writer *w, const fp_aggregation_row *row, fp_error *err);
fp_status fpi_pg_aggregation_add_assignment(fp_pg_agg_writer *w, int64_t project_id, const char *region, double share,
                                           const char *method, double distance_km, fp_error *err);
fp_status fpi_pg_aggregation_finish(fp_pg_agg_writer *w, fp_error *err);
void fpi_pg_aggregation_set_unassigned(fp_pg_agg_writer *w, double unassigned);
void fpi_pg_aggregation_writer_free(fp_pg_agg_writer *w);
fp_status fpi_pg_aggregation_level(fp_store *s, const char *name, char **level, fp_error *err);
fp_status fpi_pg_aggregation_group_column(fp_store *s, const char *aggregation, const char *column, char **field,
                                          char **value, fp_error *err);
fp_status fpi_pg_aggregation_top(fp_store *s, const char *table, const char *level, int limit, fp_rows **out,
                                fp_error *err);
int fpi_pg_has_aggregation(fp_store *s, const char *name);

/* Export layers (pg_export.c). */
fp_status fpi_pg_layer_columns(fp_store *s, fp_layer_kind kind, const char *aggregation, fp_layer_column **out,
                              int *n, fp_error *err);
fp_status fpi_pg_layer_rows(fp_store *s, const fp_layer_query *q, fp_rows **out, fp_error *err);
fp_status fpi_pg_layer_values(fp_store *s, const fp_layer_query *q, const char *field, char ***values, size_t *n,
                             fp_error *err);
fp_status fpi_pg_layer_mixed(fp_store *s, const fp_layer_query *q, int *mixed, fp_error *err);
fp_status fpi_pg_layer_unlocated(fp_store *s, const fp_layer_query *q, int64_t *n, fp_error *err);
fp_status fpi_pg_layer_field_has_values(fp_store *s, const fp_layer_query *q, const char *field, int *has,
                                        fp_error *err);
fp_status fpi_pg_layer_kinds(fp_store *s, const fp_layer_query *q, int *points, int *lines, int *areas,
                             fp_error *err);
fp_status fpi_pg_layer_extra_keys(fp_store *s, const fp_layer_query *q, fp_rows **out, fp_error *err);
fp_status fpi_pg_aggregation_unassigned(fp_store *s, const char *name, const char *level, double *projects, fp_error *err);
fp_status fpi_pg_aggregation_level_rows(fp_store *s, const char *name, const char *level, int64_t *n, fp_error *err);
fp_status fpi_pg_regions_rows(fp_store *s, const char *level, fp_rows **out, fp_error *err);

/* Maps and tiles (pg_render.c). */
fp_status fpi_pg_region_lookup(fp_store *s, const char *code_or_name, fp_rows **out, fp_error *err);
fp_status fpi_pg_region_shapes(fp_store *s, const char *level, fp_rows **out, fp_error *err);
fp_status fpi_pg_aggregation_values(fp_store *s, const char *aggregation, const char *level, const char *column,
                                   int flags, fp_rows **out, fp_error *err);
fp_status fpi_pg_aggregation_codes(fp_store *s, const char *aggregation, const char *level, fp_rows **out,
                                  fp_error *err);
fp_status fpi_pg_project_max(fp_store *s, const char *column, double *max, fp_error *err);

/* Small multiples (pg_facets.c). */
fp_status fpi_pg_facet_values(fp_store *s, const char *field, const char *aggregation, const char *dataset, fp_rows **out,
                             fp_error *err);
fp_status fpi_pg_facet_projects(fp_store *s, const char *aggregation, const char *dataset, int64_t *count, fp_error *err);
fp_status fpi_pg_facet_counts(fp_store *s, const char *aggregation, const fp_facet_filter *f, fp_rows **out,
                             fp_error *err);
fp_status fpi_pg_timeline_counts(fp_store *s, const char *aggregation, fp_rows **out, fp_error *err);

/* Editions and the changes kept for the diff layer (pg_diff.c). */
fp_status fpi_pg_edition_rows(fp_store *s, const char *dataset, fp_rows **out, fp_error *err);
typedef struct fp_pg_diff_keeper fp_pg_diff_keeper;
fp_status fpi_pg_diff_keep_new(fp_store *s, fp_pg_diff_keeper **out, fp_error *err);
fp_status fpi_pg_diff_keep_add(fp_pg_diff_keeper *k, const fp_diff_kept *r, fp_error *err);
fp_status fpi_pg_diff_keep_finish(fp_pg_diff_keeper *k, fp_error *err);
void fpi_pg_diff_keep_free(fp_pg_diff_keeper *k);

/* QGIS styles in layer_styles, the aggregations' names (pg_styles.c). */
fp_status fpi_pg_qgis_style_put(fp_store *s, const char *table, const char *style_name, const char *qml,
                               fp_error *err);
fp_status fpi_pg_aggregation_names(fp_store *s, char ***names, size_t *n, fp_error *err);
/* init: layer_styles in the store's schema (current_schema()), if missing
 * there (a role without CREATE on it leaves it missing, without an error);
 * inside a transaction (migrate's). */
fp_status fpi_pg_layer_styles_create(fp_store *s, fp_error *err);

/* Geocode (pg_geocode.c). */
fp_status fpi_pg_geocode_rows(fp_store *s, const char *dataset, int redo, fp_rows **out, fp_error *err);
fp_status fpi_pg_placed_points(fp_store *s, const char *dataset, int64_t import_id, fp_rows **out, fp_error *err);
fp_status fpi_pg_region_wkb(fp_store *s, const char *code, unsigned char **wkb, size_t *len, fp_error *err);
fp_status fpi_pg_gazetteer_placed(fp_store *s, int *any, fp_error *err);
fp_status fpi_pg_centroid_placed_rows(fp_store *s, const char *dataset, int with_admin1, fp_rows **out,
                                      fp_error *err);
typedef struct fp_pg_point_writer fp_pg_point_writer;
fp_status fpi_pg_point_writer_new(fp_store *s, fp_pg_point_writer **out, fp_error *err);
fp_status fpi_pg_point_writer_set(fp_pg_point_writer *w, const fp_placed_point *p, fp_error *err);
fp_status fpi_pg_point_writer_finish(fp_pg_point_writer *w, fp_error *err);
void fpi_pg_point_writer_free(fp_pg_point_writer *w);

/* Data QA (pg_qa.c): fp_store_qa.h's functions. */
fp_status fpi_pg_qa_each_point(fp_store *s, const char *dataset, int ranged, int64_t from, int64_t to, fp_qa_row_fn fn,
                              void *ctx, fp_error *err);
fp_status fpi_pg_qa_save(fp_store *s, const char *dataset, const fp_qa_store_finding *f, size_t n, fp_error *err);
fp_status fpi_pg_qa_next_batch(fp_store *s, long long *batch, fp_error *err);
fp_status fpi_pg_qa_fix(fp_store *s, long long batch, long long id, const char *fix, double lon, double lat,
                       fp_error *err);
fp_status fpi_pg_qa_undo_last(fp_store *s, const char *dataset, long *rows, long *kept, fp_error *err);

#endif
