/* Internals of the export stage: a layer is a store cursor (fp_rows) whose
 * rows are (id, geometry, property columns...), written by the GeoJSON
 * writer (geojson.c) or through OGR (ogr_writer.c). */
#ifndef FP_EXPORT_INTERNAL_H
#define FP_EXPORT_INTERNAL_H

#include <stdint.h>
#include <geos_c.h>
#include "fp_export.h"
#include "fp_store.h"
#include "fp_style.h"

typedef enum { FP_COL_INT, FP_COL_REAL, FP_COL_TEXT } fp_col_type;

/* What the values of one key of `extra` are over a layer, for the field
 * type fixed-schema formats declare: 64-bit integers only where a value
 * needs it, booleans as such, text when the values mix. */
/* FP_X_JSON: every value a list or an object (written as JSON text,
 * declared String(JSON) where the format can say so). */
typedef enum { FP_X_INT, FP_X_INT64, FP_X_BOOL, FP_X_REAL, FP_X_TEXT, FP_X_JSON } fp_extra_type;

typedef struct fp_column {
    char *name;
    fp_col_type type;
    /* GeoJSON: a number column NULL in every row of the layer, left out of
     * its properties (readers that infer types take a property null in
     * every feature as text; absent, merging takes it from other files). */
    int left_out;
} fp_column;

typedef struct fp_layer {
    char *name;                   /* layer / table name */
    char *file;                   /* file base name (one-file-per-layer formats) */
    char *description;
    fp_rows *rows;                /* col 0 id, col 1 geometry, cols 2.. the columns */
    fp_column *columns;
    int ncolumns;
    int extra_col;                /* column (index into columns) holding `extra` JSON to flatten; -1 none */
    char **extra_keys;            /* keys of `extra` over the layer, in byte order */
    fp_extra_type *extra_types;
    int64_t *extra_min, *extra_max;    /* per key: its least and greatest integer value (0, 0: none) */
    int nextra;
    struct _GHashTable *extra_index;   /* key -> 1 + its index in extra_keys */
    const char *geometry;         /* "point", "line", "polygon" or "mixed": for styles */
    /* Choropleth: the class of columns[class_col] and its colour are added
     * as properties `class` and `fill`. */
    fp_classes *classes;
    int class_col;
    const char *category_field;   /* points: QML categorized on this column */
    int category_col;
    struct _GHashTable *category_seen;   /* its values met while writing */
    unsigned kinds_seen;          /* FP_GEOMETRY_* of the geometries written: the QML's symbols */
} fp_layer;

void fpi_layer_free(fp_layer *l);

/* The names a layer's fields get in a format whose names are at most
 * max_bytes long (0: no limit), in this order: "id" (not for GeoJSON's
 * properties, but kept out of the way there too), the columns but extra,
 * "class" and "fill" when classed, then the keys of extra. Rule, the same
 * for every format so names are predictable:
 *   1. a key of extra named like an earlier field, or a name the format
 *      keeps for itself (`reserved`, NULL: none), gets the prefix extra_;
 *   2. a name is cut to max_bytes at a character boundary;
 *   3. a name equal to an earlier one ignoring ASCII case (SQLite,
 *      GeoPackage, OGR and the DBF compare names so) gets _2, _3, ...
 *      (the stem cut so the whole fits max_bytes);
 *   4. an empty name becomes "field".
 * Earlier wins: columns before keys, keys in byte order (so FEATURECLA
 * keeps its name and featurecla becomes featurecla_2). Returns a
 * NULL-terminated array (g_strfreev) and sets *nnames. */
char **fpi_layer_field_names(const fp_layer *l, int max_bytes, int (*reserved)(const char *name), int *nnames);
/* The names no attribute takes, compared ignoring case: fid and geom (GDAL's
 * GeoPackage columns) in every format; in a CSV also its X, Y and WKT and
 * every name the importer takes for a coordinate or WKT column. */
int fpi_reserved_field_name(const char *name);
int fpi_reserved_csv_field_name(const char *name);
/* In a KML also the names footprint gives KML's own elements (footprint_kml_...). */
int fpi_reserved_kml_field_name(const char *name);

/* The names of the layer's fields as they are in the data: the same order
 * as fpi_layer_field_names. */
char **fpi_layer_source_names(const fp_layer *l, int *nnames);

/* Writes `map_path` (FILE.fields.csv): header "field,<format>_field", then
 * each property name and its name in the file, when any differs (always
 * when `always`). Names are quoted as CSV needs. */
fp_status fpi_write_field_map(const char *map_path, const char *format, const char *layer, char **props, char **names,
                             int n, int always, fp_error *err);
/* The format name a map's header gives ("field,csv_field") for the data
 * files ending in ext (".gpkg" -> "gpkg", ".shp" -> "shapefile"; GeoJSON's
 * and GeoJSONSeq's "geojson"). */
const char *fpi_field_map_format(const char *ext);
/* Whether the map at path exists and is of that format. Every format
 * written under one name shares the map's file name: one format's export
 * must not remove or carry another's map. */
int fpi_field_map_is_format(const char *path, const char *format);
/* --append to a GeoPackage: the rows of old_map (FILE.fields.csv) for
 * layers the export does not replace, copied to new_map (the map of the
 * copy being written), so renames of layers kept stay on record. */
fp_status fpi_field_map_carry(const char *old_map, const char *new_map, fp_layer *const *layers, int nlayers,
                              fp_error *err);
/* Writers call this for every row they write (notes the row's category). */
void fpi_layer_note_row(fp_layer *l);
/* Writers call this for every geometry they write (notes its kind). */
void fpi_layer_note_geometry(fp_layer *l, const fp_geom *g);

typedef struct fp_write_options {
    int precision;
    int bbox;
    int seq;                      /* GeoJSONSeq: RS + feature + LF per feature */
    const char *attribution;
    int update;                   /* OGR: open path (existing) for update */
    int bom;                      /* CSV: a UTF-8 byte-order mark first (WRITE_BOM) */
    const fp_context *ctx;        /* the store's: the cancel flag */
    fp_export_result *notes;      /* where values the format cut are counted (NULL: not) */
    const char *crs;              /* OGR formats: the CRS to write in; NULL: WGS 84 */
} fp_write_options;

/* Writes one layer as GeoJSON to `path` (already a temporary name). */
fp_status fpi_geojson_write(fp_layer *layer, const char *path, const fp_write_options *o, long *features, fp_error *err);

/* Writes layers through an OGR driver into `path` (a temporary name):
 * GPKG (all layers in one file), FlatGeobuf, ESRI Shapefile, CSV (one
 * layer). */
fp_status fpi_ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                       const fp_write_options *o, long *features, fp_error *err);
/* Whether GDAL reads crs (export --crs) and WGS 84 lon/lat transforms to it:
 * FP_OK, or FP_ERR_USAGE naming it. */
fp_status fpi_ogr_check_crs(const char *crs, fp_error *err);

/* The GeoPackage's own QGIS styles (its layer_styles table, which QGIS
 * reads): the output file's business, like an MBTiles file's tables, not
 * the store's (gpkg_styles.c). footprint's rows are its own (description
 * 'footprint style'); the others a QGIS user saved, and they stay.
 * Drops footprint's styles of layers being replaced; failures are ignored
 * (the table may not exist yet). */
void fpi_gpkg_styles_drop(const char *path, fp_layer **layers, int nlayers);
/* The styles a QGIS user saved in the GeoPackage old_path (if it exists)
 * copied into path's layer_styles: a project's GeoPackage is written anew
 * and keeps them. A table with a user's default keeps it: footprint's row
 * is made not the default (each counted in notes). */
fp_status fpi_gpkg_styles_keep_user(const char *path, const char *old_path, fp_export_result *notes, fp_error *err);
/* Every table's gpkg_contents.last_change set to `epoch` (< 0: nothing
 * done): GDAL stamps a table it replaces in an existing file with its own
 * clock, whatever OGR_CURRENT_DATE says. */
fp_status fpi_gpkg_set_last_change(const char *path, long long epoch, fp_error *err);
/* Stores each layer's QML (fpi_layer_qml) as its default style, but for a
 * table with a default a QGIS user saved: that stays the default, ours is
 * written beside it (counted in notes, which may be NULL). update_time:
 * `epoch` (fp_context_source_date; < 0: now). */
fp_status fpi_gpkg_styles_write(const char *path, const fp_style *style, fp_layer **layers, int nlayers, long long epoch,
                                fp_export_result *notes, fp_error *err);
/* footprint's latest style QML of table (malloc'd), or NULL. */
char *fpi_gpkg_style_qml(const char *path, const char *table, int *len);

/* A GEOS geometry of a store geometry (fp_rows_geom), cut at the
 * antimeridian where an edge jumps more than 180 degrees of longitude
 * (RFC 7946 section 3.1.9). NULL for a point (its x, y are in g) or when
 * the WKB cannot be read. */
GEOSGeometry *fpi_geom_to_geos(GEOSContextHandle_t h, const fp_geom *g);


/* QGIS style sidecar / layer_styles text for a layer (malloc'd; NULL when
 * the layer has no style to give). */
char *fpi_layer_qml(const fp_style *style, const fp_layer *layer);

#endif
