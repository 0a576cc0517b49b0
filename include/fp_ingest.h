/* Import of project locations: CSV and any GDAL-readable source. */
#ifndef FP_INGEST_H
#define FP_INGEST_H

#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fields of the data model an input column can be mapped to with --map. */
#define FP_FIELD_LIST "id, company, category, name, place, country, year, status, amount, source"

/* The key of a project's `extra` that records why its geometry was
 * repaired on import (GEOS's reason and location before the repair). */
#define FP_REPAIRED_KEY "geometry_repaired"

/* Reasons a row is rejected; the summary counts them per kind. */
typedef enum fp_reject_kind {
    FP_REJECT_MALFORMED = 0,   /* wrong number of CSV fields, broken quoting */
    FP_REJECT_NO_LOCATION,     /* no coordinates and no place or country to geocode */
    FP_REJECT_COORD_MISSING,   /* one of lon/lat is empty */
    FP_REJECT_COORD_NOT_NUMBER,
    FP_REJECT_COORD_NOT_FINITE,
    FP_REJECT_COORD_RANGE,
    FP_REJECT_BAD_WKT,
    FP_REJECT_EMPTY_GEOMETRY,
    FP_REJECT_INVALID_GEOMETRY,
    FP_REJECT_DUPLICATE_ID,
    FP_REJECT_NOT_A_PROJECT,   /* a feature that is no project's location (a KML GroundOverlay's image) */
    FP_REJECT_KINDS
} fp_reject_kind;

const char *fp_reject_kind_name(fp_reject_kind kind);

typedef struct fp_column_map {
    const char *field;   /* one of FP_FIELD_LIST */
    const char *column;  /* input column or attribute name */
} fp_column_map;

typedef struct fp_import_options {
    const char *dataset;     /* default: the file's base name without extension */
    const char *lon_column, *lat_column;   /* CSV; default: detected by name */
    const char *wkt_column;  /* CSV; default: a column named wkt, if any */
    const char *crs;         /* CRS of CSV coordinates (default EPSG:4326); of a GIS layer's,
                                instead of the one it declares (NULL: its own) */
    const char *layer;       /* layer of a multi-layer source (default: all layers) */
    const char *encoding;    /* the text's encoding, any name iconv knows ("CP1251", "GBK"): a CSV
                                is converted from it (a sequence invalid in it: the row rejected);
                                a Shapefile/DBF gets it as GDAL's ENCODING open option; a format
                                whose text is always Unicode (XLSX, GeoPackage...) ignores it,
                                with a note. NULL: UTF-8, else Windows-1252 per row (CSV), or what
                                the file declares (GDAL) */
    const fp_column_map *maps;
    int nmaps;
    const char *default_country; /* the country of rows whose own is empty, or of every row without a
                                country column (--default-country): any text a country column
                                holds ("SOM", "SO", "Somalia"), resolved as a row's country is,
                                and stored as the row's own (country as given, country_code
                                resolved). Unknown: FP_ERR_USAGE before anything is read. NULL: none */
    int strict_geometry;     /* reject invalid geometries (and unclosed rings) instead of
                                repairing them with GEOS, the default */
    fp_progress_fn progress; /* about every 0.5 s (fp_context.h); NULL: the context's */
    void *progress_user;
    struct fp_qa_feed *qa_feed; /* the points checked as they are read (fp_qa.h); NULL: none */
} fp_import_options;

typedef struct fp_import_result {
    long import_id;
    char format[32];          /* "CSV", or the GDAL driver's short name */
    char dataset[256];        /* the dataset the rows went into (for the QA summary) */
    long rows_read;
    long stored;
    long rejected;
    long pending_geocode;     /* stored without geometry, with a place or country */
    long empty_geometry;      /* of those, features whose geometry is there but empty (a KML <coordinates>
                                 GDAL cannot read, "36.8 -1.3"): stored to geocode, counted so it is seen */
    char empty_geometry_first[320]; /* the first of them: "FILE: feature N" ("FILE: layer L: feature N") */
    long latin1_converted;    /* rows whose bytes were not UTF-8, read as Windows-1252 (Latin-1 with printable 0x80-0x9F) */
    long misread;             /* of those, rows that look like another code page's text (a C1 control,
                                 four non-ASCII bytes in a row): --encoding wanted? */
    long misread_line;        /* the first of them */
    char misread_sample[96];  /* its first such field as read (Windows-1252), cut */
    long text_cp1252;         /* GIS sources: values and column names that were not UTF-8, read as Windows-1252
                                 (GDAL hands a DBF's bytes over as they are when no .cpg or language byte it
                                 understands names their code page) */
    char text_cp1252_first[400]; /* the first: "FILE: feature N (FID F), field NAME: 'value'" */
    int encoding_applies;     /* a GIS source whose driver takes --encoding (GDAL's ENCODING open option) */
    char misread_where[400];  /* a GIS source's first value counted in misread: "FILE: feature N (FID F), field
                                 NAME" (misread_line is 0 then) */
    char encoding_note[256];  /* how the text was decoded when it said nothing (UTF-16 without a
                                 byte-order mark), or what --encoding did to a GIS file; or "" */
    long z_dropped;           /* geometries whose Z/M was dropped */
    long repaired;            /* invalid geometries repaired (extra.geometry_repaired says why) */
    long clamped;             /* coordinates within 1e-6 degrees beyond +-180/+-90, clamped */
    long reprojected;         /* rows or features transformed to WGS 84 and stored */
    long coords_decimal_comma;      /* coordinates written with a decimal comma in a file not read so ("-1,2921"
                                       quoted in a comma-separated CSV): read as decimals, counted */
    char coords_decimal_comma_text[48]; /* the first, as written */
    long pair_values_read;    /* rows located by a "Location"/"Position"/"GPS" column holding two decimal numbers */
    long year_not_understood; /* year kept in extra.year_raw, year left empty */
    long amount_not_understood; /* amount kept in extra.amount_raw, amount left empty */
    long amount_ambiguous;    /* a CSV with decimal commas whose amount column does not say what a lone
                                 separator before three digits is ("12.500"): read as for one value, counted */
    long amount_ambiguous_line; /* the first of them, its value as written and as read */
    char amount_ambiguous_text[48];
    double amount_ambiguous_read;
    char default_country[8];  /* the alpha-3 (region code) default_country resolved to, or "" */
    long country_defaulted;   /* rows stored with default_country as their country (none of their own) */
    long country_own_other;   /* rows stored with a country of their own other than default_country's
                                 (kept; a country not recognised counts too) */
    long country_na;          /* rows whose country is the text NA, read as Namibia's ISO code (R writes a
                                 missing value as NA: worth a warning); the first one's line */
    long country_na_line;
    long na_missing;          /* lon, lat, year or amount cells holding NA (R's missing value), read as empty */
    long by_kind[FP_REJECT_KINDS];
    int already_imported;     /* same file and dataset imported before: nothing done */
    int added_to_existing;    /* the dataset held projects of earlier imports (of other files) */
    long previous_import_id;
    long replaced_import_id;  /* an earlier import of this file that stored no row, forgotten (its rejects too) */
    double seconds;
    char layers[256];         /* sheets or layers read without geometry, by name ("" for CSV) */
    long layer_tag_left_out;  /* rows of a multi-sheet (multi-layer) file not tagged with their sheet in
                                 extra.layer: a column of theirs named "layer" holds a value, kept */
    char mapping[768];        /* which column fills which field: "company=Funding Agencies, ..." */
    char hxl_note[768];       /* the row of HXL hashtags under the header, read as column tags, not data
                                 (where, its first tags, the columns taken by them), or "" */
    char crs_overridden[512]; /* "--crs X read instead of the file's EPSG:Y", or "" */
    char crs_assumed[512];    /* "FILE declares no CRS (no .prj): ... read as WGS 84", or "" */
    char reprojected_from[192]; /* the CRS rows were transformed from ("EPSG:27700, OSGB36 /
                                   British National Grid"; "several CRSs"), or "" */
    /* footprint's own export read back (own_export.c, import_ogr.c, placements.c). */
    char names_note[512];     /* column names restored from NAME.fields.csv (a Shapefile's geocode_me), or "" */
    char ids_note[192];       /* ids read as DATASET:ID (own export of several datasets), or "" */
    char types_note[256];     /* a CSV's column types from its .csvt, or why it was ignored, or "" */
    char network_links[640];  /* a KML's NetworkLinks to http(s) files, which footprint does not follow, or "" */
    int network_links_only;   /* 0 rows read, and the file holds that many such links (else 0) */
    char layers_left_out[512];/* its multi-layer GeoPackage: the layers not read (base map, aggregations), or "" */
    long placements_kept;     /* points where their dataset has them: geocode method, precision, reference kept */
    long placements_moved;    /* moved more than FP_DIFF_MOVE_M since the export: stored as given (input) */
    long placements_unverified; /* their dataset is not in this store: placement kept as the file records it */
} fp_import_result;

/* Removes a dataset (`footprint drop`): its projects, QA findings and
 * fixes, imports and rejects, in one transaction; *projects and *imports
 * say how many were removed. FP_ERR_USAGE, naming the datasets there are,
 * when no import went into one of that name. Aggregations made before keep
 * their results until they are made again. */
fp_status fp_dataset_drop(fp_store *store, const char *dataset, int64_t *projects, int64_t *imports, fp_error *err);

/* Imports one file into the store in one transaction: on a fatal error or an
 * interrupt nothing of it is stored. Bad rows are stored in `rejects` with
 * their line (CSV) or feature number and the reason; they are not fatal. */
fp_status fp_import_file(fp_store *store, const char *path, const fp_import_options *opts,
                         fp_import_result *result, fp_error *err);

#ifdef __cplusplus
}
#endif

#endif
