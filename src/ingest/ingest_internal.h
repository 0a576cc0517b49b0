/* Shared pieces of the import paths (internal). */
#ifndef FP_INGEST_INTERNAL_H
#define FP_INGEST_INTERNAL_H

#include <stddef.h>
#include <jansson.h>
#include "common/gdal_api.h"
#include "fp_ingest.h"

/* Data-model fields an input column can fill. */
enum {
    FP_F_ID = 0, FP_F_COMPANY, FP_F_CATEGORY, FP_F_NAME, FP_F_PLACE, FP_F_COUNTRY,
    FP_F_YEAR, FP_F_STATUS, FP_F_AMOUNT, FP_F_SOURCE, FP_F_COUNT
};
extern const char *const fpi_field_names[FP_F_COUNT];

/* Index of a field by name, -1 if unknown. */
int fpi_field_index(const char *name);
/* Which field a column named `column` fills when nothing is mapped: -1 if
 * none. A name of exactly 10 bytes (a DBF's, cut) that begins names of one
 * field only counts as that field's ("COMPANY_NA"). */
int fpi_field_for_column(const char *column);
/* A column name as the aliases compare it: ASCII lower case, without
 * whitespace (spaces, line breaks, tabs, NBSP: fpi_space_at), dots,
 * underscores and hyphens, and without a trailing "(...)" qualifier
 * ("Longitude (deg)", "Longitude\n(deg)" are "longitude"). */
void fpi_normalize_column_name(const char *in, char *out, size_t size);
/* Bytes of the whitespace character at s, 0 if it is none: ASCII blanks
 * and line breaks, NBSP and the other Unicode spaces. */
size_t fpi_space_at(const char *s);
/* A column name on one line, as the summary and reasons show it and
 * --lon/--lat may name it: each run of whitespace one space, none at the
 * ends ("Latitude\n(WGS 84)" is "Latitude (WGS 84)"). */
void fpi_column_display(const char *in, char *out, size_t size);
/* Resolves explicit --map entries and name detection over `columns`: fills
 * field_col[FP_F_COUNT] with a column index or -1. Errors name the file. */
/* Whether the columns are footprint's own export's (source_key, dataset and
 * geocode_method; fields.c says why), and whether a column is one footprint
 * derives (id, dataset, country_code, geocode_*, qa), not kept on import. */
int fpi_is_footprint_export(const char *const *columns, int n);
int fpi_is_derived_column(const char *column);
/* In footprint's own export, the columns that record a row's placement:
 * the dataset it was exported from, geocode_method, geocode_precision
 * (-1 when absent). */
typedef struct fpi_own_columns {
    int dataset, method, precision;
} fpi_own_columns;
void fpi_own_export_columns(const char *const *columns, int n, fpi_own_columns *out);

/* A layer's column names as the export's properties were named
 * (own_export.c): from NAME.fields.csv beside the file (the rows of this
 * layer, for a GeoPackage), or for a Shapefile without it footprint's own
 * columns cut to 10 bytes (geocode_me). match: the name fields and
 * footprint's own export are recognised by; key: the name a value is kept
 * under in extra (they differ for an extra key the export renamed to keep
 * it apart from a store column, extra_dataset). note: what was restored,
 * or "". */
typedef struct fpi_names {
    int n;
    char **match, **key;
    char note[512];
} fpi_names;
void fpi_names_restore(const char *path, const char *layer, const char *driver, const char *const *cols, int n,
                       fpi_names *out);
void fpi_names_free(fpi_names *names);

/* HXL hashtags (hxl.c): whether text is one ("#org", "#adm1+name": '#',
 * a letter, letters, digits or '_', then any "+attribute" parts alike),
 * and whether a row is a row of them (every non-empty cell a tag, at
 * least one), which a file from HDX has right under its header. */
int fpi_hxl_is_tag(const char *text);
int fpi_hxl_row(const char *const *cells, int n);
/* What a column tagged so holds: FP_F_* (a field), FPI_HXL_LON or
 * FPI_HXL_LAT, or FPI_HXL_NONE; *rank orders the tags of one field, the
 * lowest first ("#country+code" before "#country+name"). */
enum { FPI_HXL_NONE = -1, FPI_HXL_LON = -2, FPI_HXL_LAT = -3 };
int fpi_hxl_target(const char *tag, int *rank);

/* What an extra value read as text becomes (a CSV's .csvt declares it). */
typedef enum fpi_value_type {
    FPI_VALUE_TEXT = 0, FPI_VALUE_INTEGER, FPI_VALUE_REAL, FPI_VALUE_BOOLEAN, FPI_VALUE_JSON
} fpi_value_type;
/* The types a CSV's sibling NAME.csvt declares, one per column (calloc'd),
 * or NULL without one or when its count is not the header's; note says
 * which (or ""). */
fpi_value_type *fpi_csvt_read(const char *csv_path, int ncols, char *note, size_t size);
/* text as a JSON value of the declared type; text it cannot be read as
 * stays text. With own_export, text that is a JSON object or array (how
 * the export writes a nested value) is that value. */
json_t *fpi_typed_value(const char *text, fpi_value_type type, int own_export);
fp_status fpi_resolve_fields(const char *path, const char *const *columns, int ncolumns,
                            const fp_column_map *maps, int nmaps, int field_col[FP_F_COUNT],
                            fp_error *err);

/* What an amount's separators say (fpi_amount_separators): nothing, a
 * decimal comma ("3,5", "1.234.567", "1.234,50"), a decimal point ("2.5",
 * "12,500,000", "1,234.50"), or either (one separator before exactly three
 * digits: "12.500", "12,500"). */
typedef enum fpi_amount_seps {
    FPI_AMOUNT_SEPS_NONE = 0, FPI_AMOUNT_SEPS_COMMA, FPI_AMOUNT_SEPS_POINT, FPI_AMOUNT_SEPS_EITHER
} fpi_amount_seps;
fpi_amount_seps fpi_amount_separators(const char *text);
/* How a row's amount is read (fp_row.amount_style): by the rule for one
 * value ("12.500" is 12.5, "12,500" 12500); in a column of a file with
 * decimal commas whose other values write decimal commas ("12.500" is
 * 12500, "12,500" 12.5); or by the rule, counted when the value could be
 * either (a file with decimal commas whose column does not tell). */
typedef enum fpi_amount_style {
    FPI_AMOUNT_PLAIN = 0, FPI_AMOUNT_COMMA_DECIMAL, FPI_AMOUNT_UNSURE
} fpi_amount_style;

typedef struct fp_row {
    const char *values[FP_F_COUNT];  /* NULL or NUL-terminated */
    json_t *extra;                   /* other attributes (borrowed), may be NULL */
    /* Location: WKB (WGS 84), or a point, or neither (pending geocode). */
    const unsigned char *wkb;
    size_t wkb_len;
    int is_point;
    double x, y;
    long line, feature;              /* one of them > 0 */
    /* The feature's own id in its source (OGR's FID: a FileGDB's OBJECTID,
     * a Shapefile's record number from 0, as ArcGIS and QGIS show them),
     * named beside the read position in a reject when has_fid. */
    int has_fid;
    long long fid;
    int reprojected;                 /* transformed to WGS 84: counted once stored */
    int empty_geometry;              /* a geometry present but empty, stored to geocode: counted once stored */
    int country_defaulted;           /* its country is --default-country's (fpi_row_default_country) */
    fpi_amount_style amount_style;   /* how the amount's separators are read */
    /* footprint's own export: the placement the row records (a
     * geocode_method other than input, its precision, and the dataset it
     * was exported from), checked against that dataset once the rows are
     * stored (placements.c); NULL otherwise. placed_key: its source key
     * in that dataset, when the import keys it otherwise (DATASET:ID). */
    const char *placed_method, *placed_precision, *placed_from, *placed_key;
    /* Put before the reason when the store refuses the row (a duplicate
     * id found by the store thread), as the reader's own rejects have it:
     * "sheet NAME: " or "layer NAME: " when several contribute; or NULL. */
    const char *reason_prefix;
} fp_row;

typedef struct fp_sink fp_sink;
struct fp_store;

/* qa: the checks fed each point as it is read (fp_qa.h), or NULL. */
fp_status fpi_sink_new(struct fp_store *store, const char *path, long import_id, const char *dataset,
                      fp_import_result *res, struct fp_qa_feed *qa, fp_sink **out, fp_error *err);
/* Finishes the bulk load: spatial index triggers back, timestamps set.
 * Must be called before the commit; on error the caller rolls back. */
fp_status fpi_sink_finish(fp_sink *sink, fp_error *err);
/* After fpi_sink_finish: whether the projects stored got the ids
 * *first_id + k, k their order (every one stored, the store telling each
 * id), and how many: what the QA feed needs (fp_qa_feed_ids). */
int fpi_sink_id_span(const fp_sink *sink, long long *first_id, long long *count);
/* After fpi_sink_finish: the CPU seconds of the store thread, which the
 * rows step waits for when the store is the slower side. */
double fpi_sink_writer_cpu(const fp_sink *sink);
void fpi_sink_free(fp_sink *sink);
/* --default-country: a row without a country of its own (empty, or no
 * country column) gets opts->default_country as its country, before its
 * location is checked (a place or that country is enough to geocode). */
void fpi_row_default_country(fp_row *row, const fp_import_options *opts);
/* Stores a project row (or a reject, if its id is a duplicate). */
fp_status fpi_sink_store(fp_sink *sink, const fp_row *row, const char *raw, size_t raw_len, fp_error *err);
/* Stores a reject; `reason` is the detail, the kind is counted. */
fp_status fpi_sink_reject(fp_sink *sink, long line, long feature, fp_reject_kind kind, const char *reason,
                         const char *raw, size_t raw_len, fp_error *err);
/* The same for a feature with an id of its source's (fp_row's fid): the
 * stored reason begins "FID 8: ", which `footprint rejects` shows as
 * "feature 3 (FID 8): ..." (no column of the rejects table holds it). */
fp_status fpi_sink_reject_fid(fp_sink *sink, long feature, long long fid, fp_reject_kind kind, const char *reason,
                             const char *raw, size_t raw_len, fp_error *err);
/* The placements the rows of footprint's own export record (placements.c):
 * added as the rows are stored, checked against the dataset each was
 * exported from once they all are, inside the import's transaction. */
typedef struct fpi_placements fpi_placements;
fpi_placements *fpi_placements_new(void);
/* key: the row's source key in this import; from_key: in dataset from
 * (NULL: the same). */
void fpi_placements_add(fpi_placements *p, const char *key, const char *from, const char *from_key, const char *method,
                        const char *precision);
fp_status fpi_placements_restore(fpi_placements *p, struct fp_store *store, const char *dataset, int64_t import_id,
                                 fp_import_result *res, fp_error *err);
void fpi_placements_free(fpi_placements *p);
/* After fpi_sink_finish: the placements the stored rows of footprint's
 * own export record (fp_row.placed_*), kept where the point is still
 * where that export's dataset has it (placements.c). */
fp_status fpi_sink_restore_placements(fp_sink *sink, fp_error *err);
/* Progress and interruption check, once per row. */
fp_status fpi_sink_tick(fp_sink *sink, const fp_import_options *opts, fp_error *err);
/* The import's GEOS context (for fp_geom_check.geos): one per import,
 * which runs on one thread; freed with the sink. */
void *fpi_sink_geos(fp_sink *sink);

/* Geometry checks shared by the WKT and OGR paths. Works on *g in place (may
 * replace it when repairing). Returns FP_REJECT_KINDS when the geometry is
 * fine, else the kind, with the detail in reason. */
typedef struct fp_geom_check {
    int strict;                /* --strict-geometry: refuse what would be repaired */
    void *geos;                /* the import's GEOSContextHandle_t (fpi_sink_geos) */
    int repaired, z_dropped;
    long clamped;              /* vertices moved onto +-180 / +-90 (float noise) */
    char repair_note[256];     /* when repaired: what was wrong and where, as GEOS says */
} fp_geom_check;
int fpi_check_geometry(OGRGeometryH *g, fp_geom_check *chk, char *reason, size_t reason_size);

/* A coordinate against its range [-limit, limit]: 0 inside, 1 within the
 * float-noise tolerance beyond it (then *v is clamped onto the limit), -1
 * outside. */
int fpi_clamp_coordinate(double *v, double limit);

/* The CRS rows are transformed from, for the summary: the first one, or
 * "several CRSs" when layers differ. */
void fpi_note_reprojected_from(fp_import_result *res, const char *crs);

/* OGR geometry (WGS 84) to WKB, the form geometries cross the store's API
 * in (malloc'd; free with free()). */
int fpi_geometry_to_wkb(OGRGeometryH g, unsigned char **wkb, size_t *len);

/* The rules for rows of a table (CSV, or a layer without geometry): its
 * coordinate, WKT and field columns, found once from the header. */
typedef struct fp_table fp_table;
/* `prefix` ("layer NAME: ") goes before reasons and errors, may be NULL;
 * decimal_comma: a lone comma in a coordinate is a decimal point. Adds the
 * column mapping to res->mapping. tags: the HXL hashtag of each column
 * (NULL or "" for none; tags itself NULL without a hashtag row): a column
 * whose name says nothing is read as its tag says, for what no name fills. */
fp_status fpi_table_new(const char *path, const char *const *columns, int ncols, const char *const *tags,
                       const fp_import_options *opts, int decimal_comma, const char *prefix, fp_import_result *res,
                       fp_table **out, fp_error *err);
/* What columns fpi_table_new took by their HXL tag ("company=Agence
 * (#org), lat=Latitud (#geo+lat)"), or "". */
const char *fpi_table_tagged(const fp_table *t);
/* Adds to res->hxl_note that the row `where` ("line 2", "sheet S: row 2")
 * is a row of HXL hashtags (the first few of tags[0..n) shown), read as
 * tags and not as data, and what was taken by them (tagged, may be NULL). */
void fpi_note_hxl_row(fp_import_result *res, const char *where, const char *const *tags, int n, const char *tagged);
/* Stores or rejects one row of ncols fields (trimmed in place); line or
 * feature numbers it. more_extra (may be NULL) is added to its extra. */
fp_status fpi_table_row(fp_table *t, fp_sink *sink, char **fields, long line, long feature,
                       const char *raw, size_t raw_len, json_t *more_extra, fp_error *err);
void fpi_table_free(fp_table *t);
/* The names extra keeps values under, one per column (NULL: the column's
 * name; copied), and the types values become (taken; NULL: text). */
void fpi_table_set_extra(fp_table *t, const char *const *keys, fpi_value_type *types);
/* footprint's own export: the column of its dataset names, else -1. */
int fpi_table_own_dataset_column(const fp_table *t);
/* The column that fills a field (FP_F_*), else -1. */
int fpi_table_field_column(const fp_table *t, int field);
/* How the rows' amounts are read (default FPI_AMOUNT_PLAIN). */
void fpi_table_set_amount_style(fp_table *t, fpi_amount_style style);
/* Ids read as DATASET:ID: the export held several datasets, and a source
 * key is unique within its dataset only. */
void fpi_table_set_by_dataset(fp_table *t, int on);
/* Leading and trailing blanks and tabs off, in place. */
char *fpi_trim(char *s);

/* Whether bytes that are not UTF-8, read as Windows-1252, look like text
 * of another code page (import_csv.c): 1 and where it starts in *at. */
int fpi_looks_misread(const char *text, size_t n, size_t *at);

fp_status fpi_import_csv(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err);
fp_status fpi_import_ogr(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err);

#endif
