/* Layers written through GDAL/OGR: GeoPackage (several layers, spatial
 * index), FlatGeobuf (with its spatial index), Shapefile (field names cut to
 * 10 bytes), CSV (lon/lat columns for points, WKT otherwise, types in a
 * .csvt) and KML (several layers, a Placemark per feature labelled by its
 * name, the attributes as ExtendedData). Field names are made unique as each format compares them
 * (fpi_layer_field_names); where one differs from its property, NAME.fields.csv
 * next to the file maps them (always for a Shapefile). Fields are typed from
 * the store's columns and the values of `extra` (64-bit only when needed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/gdal_api.h"
#include <jansson.h>
#include <glib.h>
#include "export_internal.h"
#include "common/util.h"
#include "geom/geom.h"
#include "common/json_util.h"
#include "common/numfmt.h"

/* Whether a line or ring of g has an edge longer than 180 degrees of
 * longitude: the rule by which every output takes a geometry to cross the
 * antimeridian (geom.h). */
static int jumps_antimeridian(OGRGeometryH g)
{
    int parts = OGR_G_GetGeometryCount(g);
    if (parts > 0) {
        for (int i = 0; i < parts; i++)
            if (jumps_antimeridian(OGR_G_GetGeometryRef(g, i))) return 1;
        return 0;
    }
    int n = OGR_G_GetPointCount(g);
    for (int i = 1; i < n; i++)
        if (fabs(OGR_G_GetX(g, i) - OGR_G_GetX(g, i - 1)) > 180) return 1;
    return 0;
}

/* A store geometry as OGR writes it: a line or area across the antimeridian
 * cut there, as the GeoJSON export, the tiles, render and aggregate read it
 * (a GeoPackage or FlatGeobuf holding it uncut showed QGIS a band round the
 * world: 179..-179 read as 358 degrees wide). */
static OGRGeometryH geom_to_ogr(const fp_geom *geom)
{
    if (geom->is_point) {
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, geom->x, geom->y);
        return g;
    }
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkb(geom->wkb, NULL, &g, (int)geom->wkb_len) != OGRERR_NONE) return NULL;
    if (!jumps_antimeridian(g)) return g;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeometry *cut = fpi_wkb_to_geos(h, geom->wkb, geom->wkb_len);
    OGRGeometryH out = cut ? fpi_geos_to_ogr(h, cut) : NULL;
    if (cut) GEOSGeom_destroy_r(h, cut);
    GEOS_finish_r(h);
    if (!out) return g;                 /* cannot be cut (a ring round a pole): as stored */
    OGR_G_DestroyGeometry(g);
    return out;
}

static OGRFieldType field_type(fp_col_type t)
{
    return t == FP_COL_INT ? OFTInteger64 : t == FP_COL_REAL ? OFTReal : OFTString;
}

/* KML's ExtendedData types are int (32 bits), float (a double) and
 * string (GDAL's LIBKML driver: Integer, Real, String). A 64-bit integer
 * field is a float, which holds every integer to 2^53 (ids, years); one of
 * an extra key with a value past 2^53 (`wide`) is text, its digits whole
 * (a double would change them). Subtypes: a boolean stays an int of 0 and
 * 1; JSON is text. */
static OGRFieldType kml_field_type(OGRFieldType t, OGRFieldSubType *sub, int wide)
{
    if (*sub == OFSTJSON) *sub = OFSTNone;
    if (t == OFTInteger64) return wide ? OFTString : OFTReal;
    return t;
}

/* The Placemark's label (its <name>): the project's name, else its id (the
 * input's, source_key), else the feature id; the column indexes of name
 * and source_key in the layer's rows (-1: none). */
static void set_kml_label(OGRFeatureH f, int fi, fp_rows *r, int name_col, int key_col, long long id)
{
    const char *v = name_col >= 0 && !fp_rows_is_null(r, name_col) ? fp_rows_text(r, name_col) : NULL;
    if (!v || !*v) v = key_col >= 0 && !fp_rows_is_null(r, key_col) ? fp_rows_text(r, key_col) : NULL;
    if (v && *v) { OGR_F_SetFieldString(f, fi, v); return; }
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", id);
    OGR_F_SetFieldString(f, fi, buf);
}

/* The row column (col + 2, as fp_rows counts) of the layer's column so
 * named, not the extra one; -1 when it has none. */
static int row_column(const fp_layer *l, const char *name)
{
    for (int c = 0; c < l->ncolumns; c++)
        if (c != l->extra_col && !strcmp(l->columns[c].name, name)) return c + 2;
    return -1;
}

/* The kind of geometry a Shapefile distinguishes. */
static const char *shape_kind(OGRGeometryH g)
{
    switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
    case wkbPoint: return "point";
    case wkbMultiPoint: return "multipoint";
    case wkbLineString: case wkbMultiLineString: return "line";
    case wkbPolygon: case wkbMultiPolygon: return "polygon";
    default: return "geometry collection";
    }
}

/* The field type of a key of extra. */
static OGRFieldType extra_field_type(fp_extra_type t, OGRFieldSubType *sub)
{
    *sub = t == FP_X_BOOL ? OFSTBoolean : t == FP_X_JSON ? OFSTJSON : OFSTNone;
    switch (t) {
    case FP_X_INT: case FP_X_BOOL: return OFTInteger;
    case FP_X_INT64: return OFTInteger64;
    case FP_X_REAL: return OFTReal;
    default: return OFTString;
    }
}

/* A real into field fi. GDAL's CSV writer prints 15 significant digits
 * (0.3333333333333333 became 0.333333333333333): a CSV's reals go in as the
 * shortest text that reads back as the same double, into a text field the
 * .csvt then declares Real (csvt_declare_reals). */
static void set_real(OGRFeatureH f, int fi, double v, int as_text)
{
    if (!as_text) { OGR_F_SetFieldDouble(f, fi, v); return; }
    char buf[48];
    buf[fpi_format_real(v, buf)] = 0;
    OGR_F_SetFieldString(f, fi, buf);
}

/* One value of extra into field fi as its declared type; text keeps
 * nested JSON and the digits of numbers. */
static void set_extra(OGRFeatureH f, int fi, fp_extra_type t, json_t *v, int real_as_text)
{
    if (t == FP_X_INT || t == FP_X_INT64) {
        if (json_is_integer(v)) { OGR_F_SetFieldInteger64(f, fi, json_integer_value(v)); return; }
    } else if (t == FP_X_BOOL) {
        if (json_is_boolean(v)) { OGR_F_SetFieldInteger(f, fi, json_is_true(v)); return; }
    } else if (t == FP_X_REAL) {
        if (json_is_number(v)) { set_real(f, fi, json_number_value(v), real_as_text); return; }
    }
    if (json_is_string(v)) { OGR_F_SetFieldString(f, fi, json_string_value(v)); return; }
    char *text = fpi_json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (text) OGR_F_SetFieldString(f, fi, text);
    free(text);
}

/* A Shapefile's text field holds 254 bytes: GDAL cuts longer values and
 * says so once per layer on stderr (hushed here). Counted instead, with the
 * first one named, for the command's summary. */
#define SHP_TEXT_MAX 254
static void note_cut_values(OGRFeatureH f, OGRFeatureDefnH defn, const char *layer, long long id, fp_export_result *notes)
{
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        if (OGR_Fld_GetType(fd) != OFTString || !OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        size_t len = strlen(OGR_F_GetFieldAsString(f, i));
        if (len <= SHP_TEXT_MAX) continue;
        if (!notes->values_cut++)
            snprintf(notes->first_cut, sizeof notes->first_cut, "layer %s, feature %lld, field %s (%zu bytes)", layer, id,
                     OGR_Fld_GetNameRef(fd), len);
    }
}

/* A CSV's text that a spreadsheet opening the file would take for a
 * formula (=HYPERLINK(...), +cmd|..., @SUM(...), a leading tab or CR):
 * counted, the first named, for a note. The values are written as they
 * are (a CSV hand-off keeps the data; a ' prefixed would change every
 * reader's value), and the note says to import, not open, such a file. */
static void note_formula_values(OGRFeatureH f, OGRFeatureDefnH defn, const char *layer, long long id,
                                fp_export_result *notes)
{
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        if (OGR_Fld_GetType(fd) != OFTString || !OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        const char *v = OGR_F_GetFieldAsString(f, i);
        int risky = v[0] == '=' || v[0] == '@' || v[0] == '\t' || v[0] == '\r';
        if (!risky && (v[0] == '+' || v[0] == '-') && v[1]) {    /* a lone "-" is a dash */
            char *end;
            (void)strtod(v, &end);
            risky = end == v || *end != '\0';   /* a number such as -1.3 is a number */
        }
        if (risky && !notes->formula_values++) {
            snprintf(notes->first_formula, sizeof notes->first_formula, "layer %s, feature %lld, field %s: '%.40s",
                     layer, id, OGR_Fld_GetNameRef(fd), v);
            fpi_text_for_message(notes->first_formula);     /* the note goes to a terminal */
            strncat(notes->first_formula, "'", sizeof notes->first_formula - strlen(notes->first_formula) - 1);
        }
    }
}

/* A Shapefile's numbers are text of a fixed width in the .dbf: reals
 * N(24,15), integers N(18). GDAL cuts a real whose whole part is wider
 * (1e300 read back as 1e23) and writes one below the 15th decimal as 0,
 * saying nothing (its warning, hushed here, names harmless cut decimals
 * too); an integer wider than its field widens it, and GDAL and QGIS read
 * a field wider than 18 digits as Real: each value past 2^53 in it then
 * reads back changed (1234567890123456789 as ...768). Counted, the first
 * named, as cut text is. read_as_real: the fields so widened. */
#define DBF_INTEGER_DIGITS 18
static void note_changed_numbers(OGRFeatureH f, OGRFeatureDefnH defn, const unsigned char *read_as_real,
                                 const char *layer, long long id, fp_export_result *notes)
{
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        OGRFieldType t = OGR_Fld_GetType(fd);
        if ((t != OFTReal && t != OFTInteger64) || !OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        char wrote[48], reads[48];
        if (t == OFTReal) {
            double v = OGR_F_GetFieldAsDouble(f, i);
            int width = OGR_Fld_GetWidth(fd), decimals = OGR_Fld_GetPrecision(fd);
            if (!isfinite(v) || width <= 0) continue;
            /* As the .dbf holds it: "%W.Df" cut to W characters. */
            char *text = g_strdup_printf("%*.*f", width, decimals, v);
            const char *dot = strchr(text, '.');
            int whole_cut = (dot ? (int)(dot - text) : (int)strlen(text)) > width;
            if ((int)strlen(text) > width) text[width] = 0;
            double back = g_ascii_strtod(text, NULL);
            g_free(text);
            if (!whole_cut && !(v != 0 && back == 0)) continue;
            wrote[fpi_format_real(v, wrote)] = 0;
            reads[fpi_format_real(back, reads)] = 0;
        } else {
            long long v = (long long)OGR_F_GetFieldAsInteger64(f, i);
            if (!read_as_real[i] || (v <= (1LL << 53) && v >= -(1LL << 53))) continue;
            snprintf(wrote, sizeof wrote, "%lld", v);
            snprintf(reads, sizeof reads, "%.0f", (double)v);
        }
        if (!notes->numbers_changed++)
            snprintf(notes->first_changed, sizeof notes->first_changed, "layer %s, feature %lld, field %s: %s reads back as %s",
                     layer, id, OGR_Fld_GetNameRef(fd), wrote, reads);
    }
}

static fp_status ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                           const fp_write_options *o, long *features, fp_error *err);

/* The .csvt beside a CSV: the fields written as text for their digits
 * (set_real) declared Real, so GDAL and QGIS read numbers. Its first types
 * are the geometry's (CoordX,CoordY or WKT), then one per field. */
static fp_status csvt_declare_reals(const char *csv_path, const unsigned char *is_real, int nfields, fp_error *err)
{
    char *path = g_strconcat(csv_path, "t", NULL);
    gchar *text = NULL;
    GError *ge = NULL;
    fp_status st = FP_OK;
    if (!g_file_get_contents(path, &text, NULL, &ge)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot read: %s", path, ge->message);
        g_error_free(ge);
        g_free(path);
        return st;
    }
    const char *eol = g_str_has_suffix(text, "\r\n") ? "\r\n" : "\n";
    g_strchomp(text);
    gchar **types = g_strsplit(text, ",", -1);
    int first = (int)g_strv_length(types) - nfields;
    if (first < 0) st = fp_error_set(err, FP_ERR_STATE, "%s: %d types for %d fields", path, first + nfields, nfields);
    for (int j = 0; j < nfields && !st; j++)
        if (is_real[j]) {
            g_free(types[first + j]);
            types[first + j] = g_strdup("Real");
        }
    gchar *joined = g_strjoinv(",", types);
    gchar *line = g_strconcat(joined, eol, NULL);
    if (!st && !g_file_set_contents(path, line, -1, &ge)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", path, ge->message);
        g_error_free(ge);
    }
    g_free(line);
    g_free(joined);
    g_strfreev(types);
    g_free(text);
    g_free(path);
    return st;
}

/* The CRS features are written in (srs, x = easting or longitude) and the
 * transformation to it from the store's WGS 84 (*ct: NULL when srs is WGS
 * 84 itself). -1 when GDAL does not read crs or cannot transform to it. */
static int target_crs(const char *crs, OGRSpatialReferenceH *srs, OGRCoordinateTransformationH *ct)
{
    *srs = OSRNewSpatialReference(NULL);
    *ct = NULL;
    OSRImportFromEPSG(*srs, 4326);
    OSRSetAxisMappingStrategy(*srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (!crs) return 0;
    OGRSpatialReferenceH wgs84 = *srs;
    *srs = OSRNewSpatialReference(NULL);
    int rc = 0;
    if (OSRSetFromUserInput(*srs, crs) != OGRERR_NONE) rc = -1;
    else {
        OSRSetAxisMappingStrategy(*srs, OAMS_TRADITIONAL_GIS_ORDER);
        if (!OSRIsSame(*srs, wgs84) && !(*ct = OCTNewCoordinateTransformation(wgs84, *srs))) rc = -1;
    }
    OSRDestroySpatialReference(wgs84);
    return rc;
}

fp_status fpi_ogr_check_crs(const char *crs, fp_error *err)
{
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    OGRSpatialReferenceH srs;
    OGRCoordinateTransformationH ct;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int rc = target_crs(crs, &srs, &ct);
    CPLPopErrorHandler();
    if (ct) OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(srs);
    return rc ? fp_error_set(err, FP_ERR_USAGE, "--crs %s: GDAL does not know this CRS, or cannot transform WGS 84 to it", crs)
              : FP_OK;
}

fp_status fpi_ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                       const fp_write_options *o, long *features, fp_error *err)
{
    *features = 0;
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    /* GDAL's own messages (laundered field names, driver errors) would go to
     * stderr; ours name the file, the layer and the feature instead. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    /* A GeoPackage's gpkg_contents.last_change is GDAL's clock unless
     * OGR_CURRENT_DATE says (a fixed SOURCE_DATE_EPOCH: the same bytes). */
    long long epoch = fp_context_source_date(o->ctx);
    char when[32];
    if (epoch >= 0) {
        fpi_timestamp_at(epoch, "%Y-%m-%dT%H:%M:%S.000Z", when);
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", when);
    }
    /* KML: GDAL's LIBKML driver, else its KML driver (a GDAL built without
     * libkml). LIBKML takes fields of certain names for KML elements: set to
     * footprint's own names while it writes (util.h). */
    if (!strcmp(driver, "LIBKML") && !GDALGetDriverByName("LIBKML")) driver = "KML";
    int libkml = !strcmp(driver, "LIBKML");
    if (libkml) fpi_libkml_private_fields(1);
    fp_status st = ogr_write(driver, layers, nlayers, path, o, features, err);
    if (libkml) fpi_libkml_private_fields(0);
    if (epoch >= 0) CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    CPLPopErrorHandler();
    return st;
}

static fp_status ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                           const fp_write_options *o, long *features, fp_error *err)
{
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv) return fp_error_set(err, FP_ERR_STATE, "GDAL has no %s driver", driver);
    int kml = !strcmp(driver, "LIBKML") || !strcmp(driver, "KML");
    /* GDAL's KML driver names the fields for <name> and <description> in
     * creation options (LIBKML: configuration options, fpi_ogr_write). */
    char **dsco = NULL;
    if (!strcmp(driver, "KML")) {
        dsco = CSLSetNameValue(dsco, "NameField", FPI_KML_FIELD_PREFIX "name");
        dsco = CSLSetNameValue(dsco, "DescriptionField", FPI_KML_FIELD_PREFIX "description");
    }
    GDALDatasetH ds = o->update ? GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL)
                                : GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, dsco);
    CSLDestroy(dsco);
    if (!ds) return fp_error_set(err, FP_ERR_IO, "%s: cannot %s: %s", path, o->update ? "open" : "create", CPLGetLastErrorMsg());
    OGRSpatialReferenceH srs;
    OGRCoordinateTransformationH ct;
    if (target_crs(o->crs, &srs, &ct)) {      /* checked before (fpi_ogr_check_crs) */
        OSRDestroySpatialReference(srs);
        GDALClose(ds);
        return fp_error_set(err, FP_ERR_USAGE, "--crs %s: GDAL does not know this CRS", o->crs);
    }
    int shp = !strcmp(driver, "ESRI Shapefile"), csv = !strcmp(driver, "CSV"), gpkg = !strcmp(driver, "GPKG");
    fp_status st = FP_OK;
    unsigned char *csv_real = NULL;       /* CSV (one layer a file): fields of reals written as text */
    int csv_nfields = 0;
    for (int li = 0; li < nlayers && !st; li++) {
        fp_layer *l = layers[li];
        char **lco = NULL;
        if (csv) lco = CSLSetNameValue(lco, "GEOMETRY", !strcmp(l->geometry, "point") ? "AS_XY" : "AS_WKT");
        /* CSV: a .csvt beside it declares the types (Integer64, Real...), so
         * GDAL and QGIS read numbers as numbers, 64-bit ones whole. */
        if (csv) lco = CSLSetNameValue(lco, "CREATE_CSVT", "YES");
        /* Excel on Windows reads a CSV without the mark in its ANSI code page. */
        if (csv && o->bom) lco = CSLSetNameValue(lco, "WRITE_BOM", "YES");
        if (shp) lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
        if (!strcmp(driver, "FlatGeobuf")) lco = CSLSetNameValue(lco, "SPATIAL_INDEX", "YES");
        if (gpkg) lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
        /* gpkg_contents.description: what the layer is and whose data it
         * holds, as the GeoJSON's description and attribution say it (QGIS
         * shows it in the layer's properties). */
        if (gpkg && (l->description || o->attribution)) {
            char *about = g_strdup_printf("%s%s%s", l->description ? l->description : "",
                                          l->description && o->attribution ? ". " : "", o->attribution ? o->attribution : "");
            lco = CSLSetNameValue(lco, "DESCRIPTION", about);
            g_free(about);
        }
        /* The layer's folder in Google Earth says what it holds. */
        if (!strcmp(driver, "LIBKML") && l->description) lco = CSLSetNameValue(lco, "DESCRIPTION", l->description);
        /* KML: a polygon stays a Polygon (a MultiGeometry only when it has
         * several parts), as drawn. */
        OGRwkbGeometryType gt = kml ? wkbUnknown : !strcmp(l->geometry, "polygon") ? wkbMultiPolygon
                              : !strcmp(l->geometry, "point") ? wkbPoint : wkbUnknown;
        if (o->update) lco = CSLSetNameValue(lco, "OVERWRITE", "YES");   /* a layer of the same name is replaced */
        OGRLayerH lyr = GDALDatasetCreateLayer(ds, l->name, srs, gt, lco);
        CSLDestroy(lco);
        if (!lyr) { st = fp_error_set(err, FP_ERR_IO, "%s: cannot create layer %s: %s", path, l->name, CPLGetLastErrorMsg()); break; }
        /* Fields the driver makes itself come first (GDAL's KML driver:
         * Name and Description, left empty): ours are counted from base. */
        int base = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(lyr));
        /* Fields: id, the columns, class and fill, the flattened extra keys,
         * named uniquely as the format allows (fpi_layer_field_names), the
         * mapping kept next to the file when a name had to change. */
        int nnames = 0, nsrc = 0;
        char **names = fpi_layer_field_names(l, shp ? 10 : 0, csv ? fpi_reserved_csv_field_name
                                                              : kml ? fpi_reserved_kml_field_name : fpi_reserved_field_name,
                                             &nnames);
        char **source_names = fpi_layer_source_names(l, &nsrc);
        int first_class = 1 + l->ncolumns - (l->extra_col >= 0);
        int first_extra = first_class + (l->classes ? 2 : 0);
        if (csv) {
            g_free(csv_real);
            csv_real = g_new0(unsigned char, nnames + 1);
            csv_nfields = nnames;
        }
        /* Shapefile: the integer keys whose values are wider than a .dbf
         * integer, so GDAL widens the field and reads it as Real. */
        unsigned char *read_as_real = g_new0(unsigned char, nnames + 1);
        for (int k = 0; shp && k < l->nextra; k++) {
            char lo[24], hi[24];
            if (l->extra_types[k] != FP_X_INT64) continue;
            snprintf(lo, sizeof lo, "%lld", (long long)l->extra_min[k]);
            snprintf(hi, sizeof hi, "%lld", (long long)l->extra_max[k]);
            read_as_real[first_extra + k] = strlen(lo) > DBF_INTEGER_DIGITS || strlen(hi) > DBF_INTEGER_DIGITS;
        }
        for (int j = 0; j < nnames && !st; j++) {
            OGRFieldType t = OFTString;
            OGRFieldSubType sub = OFSTNone;
            if (j == 0) t = OFTInteger64;
            else if (j < first_class) {
                int c = 0, seen = 0;
                for (c = 0; c < l->ncolumns; c++) {
                    if (c == l->extra_col) continue;
                    if (++seen == j) break;
                }
                t = field_type(l->columns[c].type);
            } else if (j < first_extra) t = j == first_class ? OFTInteger : OFTString;
            else t = extra_field_type(l->extra_types[j - first_extra], &sub);
            if (csv && t == OFTReal) { t = OFTString; csv_real[j] = 1; }
            if (kml) {
                int k = j - first_extra, wide = k >= 0 && (l->extra_min[k] < -(1LL << 53) || l->extra_max[k] > (1LL << 53));
                t = kml_field_type(t, &sub, wide);
            }
            OGRFieldDefnH fd = OGR_Fld_Create(names[j], t);
            OGR_Fld_SetSubType(fd, sub);
            /* Shapefile: GDAL declares 64-bit integers N(18): it reads wider
             * numeric fields as reals, so 18 digits is the most a .dbf
             * integer holds (values to 10^18 - 1). */
            if (OGR_L_CreateField(lyr, fd, FALSE) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_IO, "%s: layer %s: cannot create field %s (property %s): %s", path, l->name,
                                  names[j], source_names[j], CPLGetLastErrorMsg());
            OGR_Fld_Destroy(fd);
        }
        /* KML: the Placemark's label, a field of footprint's own name that
         * the driver writes as <name>, not as an attribute (fpi_ogr_write). */
        int label_field = -1;
        if (!st && kml) {
            OGRFieldDefnH fd = OGR_Fld_Create(FPI_KML_FIELD_PREFIX "name", OFTString);
            if (OGR_L_CreateField(lyr, fd, FALSE) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_IO, "%s: layer %s: cannot create the Placemark's name: %s", path, l->name,
                                  CPLGetLastErrorMsg());
            OGR_Fld_Destroy(fd);
            label_field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), FPI_KML_FIELD_PREFIX "name");
        }
        int name_col = row_column(l, "name"), key_col = row_column(l, "source_key");
        if (!st) {
            /* The names as the driver made them (it may launder them). */
            OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
            for (int j = 0; j < nnames && base + j < OGR_FD_GetFieldCount(d); j++) {
                g_free(names[j]);
                names[j] = g_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, base + j)));
            }
            char *map_path = g_strdup_printf("%.*s.fields.csv", (int)(strrchr(path, '.') - path), path);
            st = fpi_write_field_map(map_path, fpi_field_map_format(strrchr(path, '.')), gpkg || kml ? l->name : NULL,
                                    source_names, names, nnames, shp, err);
            g_free(map_path);
        }
        g_strfreev(source_names);
        g_strfreev(names);
        if (!st && gpkg) GDALDatasetStartTransaction(ds, FALSE);
        long n = 0;
        const char *shp_kind = NULL;      /* the kind of the layer's first geometry */
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
        fp_rows *r = l->rows;
        while (!st && fp_rows_next(r)) {
            if (fp_context_cancelled(o->ctx)) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted"); break; }
            fpi_layer_note_row(l);
            OGRFeatureH f = OGR_F_Create(defn);
            long long id = fp_rows_int64(r, 0);
            if (gpkg) OGR_F_SetFID(f, id);
            OGR_F_SetFieldInteger64(f, base, id);
            if (label_field >= 0) set_kml_label(f, label_field, r, name_col, key_col, id);
            int fi = base + 1;
            for (int c = 0; c < l->ncolumns; c++) {
                if (c == l->extra_col) continue;
                int col = c + 2;
                if (fp_rows_is_null(r, col)) OGR_F_SetFieldNull(f, fi);
                else if (l->columns[c].type == FP_COL_INT) OGR_F_SetFieldInteger64(f, fi, fp_rows_int64(r, col));
                else if (l->columns[c].type == FP_COL_REAL) {
                    double v = fp_rows_double(r, col);
                    if (isfinite(v)) set_real(f, fi, v, csv); else OGR_F_SetFieldNull(f, fi);
                } else OGR_F_SetFieldString(f, fi, fp_rows_text(r, col));
                fi++;
            }
            if (l->classes) {
                double v = fp_rows_is_null(r, l->class_col + 2) ? NAN : fp_rows_double(r, l->class_col + 2);
                int k = fp_classes_index(l->classes, v);
                char hex[10];
                fp_rgba_to_hex(k >= 0 ? l->classes->colors[k] : l->classes->nodata, hex);
                if (k >= 0) OGR_F_SetFieldInteger(f, base + first_class, k + 1);
                else OGR_F_SetFieldNull(f, base + first_class);
                OGR_F_SetFieldString(f, base + first_class + 1, hex);
            }
            if (l->nextra && fp_rows_value_type(r, l->extra_col + 2) == 't') {
                json_t *obj = json_loads(fp_rows_text(r, l->extra_col + 2), 0, NULL);
                const char *key;
                json_t *v;
                json_object_foreach(obj, key, v) {
                    int k = GPOINTER_TO_INT(g_hash_table_lookup(l->extra_index, key)) - 1;
                    if (k >= 0 && !json_is_null(v)) set_extra(f, base + first_extra + k, l->extra_types[k], v, csv);
                }
                json_decref(obj);
            }
            fp_geom geom;
            int has = fp_rows_geom(r, 1, 0, &geom);
            if (has < 0) { OGR_F_Destroy(f); break; }   /* the cursor's status says why */
            if (has) fpi_layer_note_geometry(l, &geom);
            if (has) {
                OGRGeometryH g = geom_to_ogr(&geom);
                if (g && !kml && !strcmp(l->geometry, "polygon") && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
                    g = OGR_G_ForceToMultiPolygon(g);
                /* A Shapefile holds one kind of geometry: GDAL would quietly
                 * write a polygon after a line as its outline. Refused, naming
                 * the feature, rather than altered or dropped. */
                const char *kind = g ? shape_kind(g) : NULL;
                if (shp && kind && !shp_kind) shp_kind = kind;
                if (shp && kind && (kind != shp_kind || !strcmp(kind, "geometry collection")))
                    st = fp_error_set(err, FP_ERR_INPUT, "%s: layer %s, feature %lld is a %s%s%s: a Shapefile holds one kind of "
                                      "geometry and no collections; nothing written (use --format gpkg or fgb, or --where "
                                      "to export one kind)", path, l->name, id, kind, kind != shp_kind ? " after a " : "",
                                      kind != shp_kind ? shp_kind : "");
                /* A point the projection cannot hold (the far side of a
                 * LAEA's globe): refused with its id, nothing written. */
                if (g && ct && !st && OGR_G_Transform(g, ct) != OGRERR_NONE)
                    st = fp_error_set(err, FP_ERR_INPUT, "%s: layer %s, feature %lld cannot be transformed to %s; nothing "
                                      "written (leave it out with --where, or choose a CRS that covers it)", path, l->name,
                                      id, o->crs);
                if (g) OGR_F_SetGeometryDirectly(f, g);
            }
            if (!st && csv && o->notes) note_formula_values(f, defn, l->name, id, o->notes);
            if (!st && shp && o->notes) {
                note_cut_values(f, defn, l->name, id, o->notes);
                note_changed_numbers(f, defn, read_as_real, l->name, id, o->notes);
            }
            if (!st && OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_INPUT, "%s: layer %s, feature %lld: %s", path, l->name, id,
                                  *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg() : "the driver refused it");
            OGR_F_Destroy(f);
            n++;
        }
        if (!st) st = fp_rows_status(r, err);
        if (gpkg) {
            if (st) GDALDatasetRollbackTransaction(ds);
            else if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_IO, "%s: %s", path, CPLGetLastErrorMsg());
        }
        *features += n;
        g_free(read_as_real);
    }
    if (ct) OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(srs);
    /* Closing flushes; a full disk shows here. */
    CPLErrorReset();
    GDALClose(ds);
    if (!st && CPLGetLastErrorType() >= CE_Failure)
        st = fp_error_set(err, FP_ERR_IO, "%s: %s", path, CPLGetLastErrorMsg());
    if (!st && csv) st = fpi_csv_check_complete(path, *features, path, err);
    if (!st && csv && csv_real) st = csvt_declare_reals(path, csv_real, csv_nfields, err);
    g_free(csv_real);
    return st;
}
