/* Export of layers for QGIS and web maps: projects, aggregations and
 * assignments as RFC 7946 GeoJSON, GeoJSONSeq (RFC 8142), GeoPackage (with
 * QGIS styles), FlatGeobuf, Shapefile or CSV. */
#ifndef FP_EXPORT_H
#define FP_EXPORT_H

#include <stdio.h>
#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One --where FIELD=VALUE. Several values of one field are alternatives
 * (OR); different fields must all match (AND). Values are bound, never
 * pasted into SQL. */
typedef struct fp_where {
    const char *field;
    const char *value;
} fp_where;

typedef struct fp_export_options {
    const char *what;        /* "projects" (default), "aggregate:NAME[:LEVEL]", "assignments:NAME" */
    const char *format;      /* geojson, geojsonseq, gpkg, fgb, shp, csv, qgz; NULL: from the output's extension */
    const char *output;      /* a file; a folder with split_by for the one-file-per-layer formats */
    const char *split_by;    /* one layer per value of this field */
    const fp_where *where;
    int nwhere;
    int precision;           /* decimals of coordinates; < 0: 6 (about 0.1 m) */
    int bbox;                /* write bbox members (GeoJSON) */
    const char *style_path;  /* style for choropleth classes and QGIS styles; NULL: the default */
    int no_centroids;        /* aggregate: skip the centroid point layer */
    int append;              /* GeoPackage: add the layers to an existing file (replacing
                                layers of the same name) instead of a new file */
    const char *crs;         /* gpkg, fgb, shp, csv: the 2D CRS to write in ("EPSG:27700", WKT, a
                                PROJ string); NULL: WGS 84 lon/lat. GeoJSON is WGS 84 only */
    int bom;                 /* CSV: start with a UTF-8 byte-order mark (GDAL's WRITE_BOM), so
                                Excel on Windows reads the text as UTF-8, not its ANSI code page */
    const char *dataset;     /* the rows of this dataset only: --where dataset=NAME, checked to exist */
    const char *aggregation; /* qgz: the choropleth beside the projects (NULL: the world style's) */
} fp_export_options;

typedef struct fp_export_result {
    long features;           /* written, over all layers */
    long unlocated;          /* projects the conditions select that have no location: left out */
    int layers;
    char first_path[4096];   /* the (first) file written */
    double seconds;
    long values_cut;         /* text values longer than the format holds (a Shapefile's 254 bytes), cut by it */
    char first_cut[512];     /* the first of them: "layer L, feature F, field N (B bytes)" */
    long numbers_changed;    /* numbers a Shapefile's numeric fields cannot hold, which read back as others */
    char first_changed[512]; /* the first of them: "layer L, feature F, field N: V reads back as W" */
    /* GeoPackage tables whose default QGIS style is one a user saved, kept
     * so: footprint's style is stored beside it, not as the default. */
    long user_defaults;
    char first_user_default[512];   /* the first: "TABLE ('STYLE NAME')" */
    /* An aggregation's level: the projects of its _unassigned row (at sea,
     * in no region, or at a centroid coarser than the level), which no
     * region's row counts and no format gets as a feature. */
    double unassigned;
    char aggregation[64], level[64];
    /* Group columns whose names cannot spell their values (category_x for
     * "监控", category_smart_city_2 for "smart city" beside "Smart City"):
     * how many, the first, and the key written beside the file (every group
     * column: column, field, value), "" when none was needed. */
    long formula_values;     /* CSV text a spreadsheet would run as a formula (=, @, +/- not a number) */
    char first_formula[512];
    long group_unspelt;
    char first_unspelt[256];
    char group_key[4096];
} fp_export_result;

/* The export's notes for the user (values a format cut or changed, tables keeping a
 * user's default QGIS style), one line each, to f; nothing when none. */
void fp_export_print_notes(const fp_export_result *r, FILE *f);

/* Writes the layer(s). Every file is written under a temporary name in its
 * folder and renamed into place when complete: an interrupted or failed
 * export leaves earlier files untouched and no partial file. */
fp_status fp_export(fp_store *store, const fp_export_options *opts, fp_export_result *result, fp_error *err);

/* A QGIS 3.22 project: -o FILE.qgz and FILE.gpkg beside it (the base map,
 * the aggregation with its centroids, the projects), styled as the report
 * maps, with a print layout per shipped style and an atlas of the regions
 * with projects. what: NULL or "all" (projects and the choropleth of
 * opts->aggregation, else the world style's aggregation: a usage error
 * listing the store's when it has no such aggregation), "projects", or
 * "aggregate:NAME". The projects may be limited to datasets by --where
 * dataset=NAME (opts->dataset has become one); no other --where. fp_export
 * calls it for --format qgz or a .qgz output. */
fp_status fp_export_qgz(fp_store *store, const fp_export_options *opts, fp_export_result *result, fp_error *err);

/* On a PostGIS store: the QGIS styles an export would write into a
 * GeoPackage (the default style's), kept in the database's layer_styles
 * so QGIS opening a table applies them. only: NULL for the projects and
 * every aggregation, "projects", or an aggregation's name. A SpatiaLite
 * store: nothing (FP_OK). */
fp_status fp_export_store_styles(fp_store *store, const char *only, fp_error *err);

#ifdef __cplusplus
}
#endif

#endif
