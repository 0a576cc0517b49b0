/*
 * The OGR path of the import: GeoJSON, GeoJSONSeq, GeoPackage, Shapefile,
 * FlatGeobuf and anything else GDAL opens as vectors. Each layer's CRS is
 * honoured (reprojected to WGS 84 through OGR/PROJ); features are numbered
 * from 1 within their layer in rejects.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>
#include <cpl_conv.h>
#include "ingest/ingest_internal.h"
#include "common/util.h"

/* A readable stand-in for the feature's raw text: attributes as JSON, then
 * the geometry as WKT (capped). */
static char *feature_raw(OGRFeatureH f, OGRFeatureDefnH defn, OGRGeometryH g)
{
    json_t *o = json_object();
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        const char *v = OGR_F_GetFieldAsString(f, i);
        json_t *js = json_string(v);
        if (!js) js = json_string("(invalid UTF-8)");
        json_object_set_new(o, name, js);
    }
    char *props = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    char *wkt = NULL;
    if (g) OGR_G_ExportToWkt(g, &wkt);
    size_t n = (props ? strlen(props) : 0) + (wkt ? strlen(wkt) : 0) + 16;
    if (n > 8192) n = 8192;
    char *out = malloc(n);
    snprintf(out, n, "%s %s", props ? props : "{}", wkt ? wkt : "(no geometry)");
    free(props);
    CPLFree(wkt);
    return out;
}

/* A date, time or date-time field as ISO 8601 (YYYY-MM-DD, HH:MM:SS[.sss],
 * YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM]): OGR's own text is "2011/12/29". */
static json_t *iso_datetime(OGRFeatureH f, int i, OGRFieldType type)
{
    int y, mo, d, h, mi, tz;
    float sec;
    if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &sec, &tz)) return json_string(OGR_F_GetFieldAsString(f, i));
    char buf[64], secs[16], zone[16] = "";
    /* Whole seconds as two digits; fractions to the millisecond OGR keeps. */
    int ms = (int)lroundf((sec - floorf(sec)) * 1000);
    if (ms == 1000) ms = 999;
    if (ms) snprintf(secs, sizeof secs, "%02d.%03d", (int)floorf(sec), ms);
    else snprintf(secs, sizeof secs, "%02d", (int)floorf(sec));
    /* OGR's TZFlag: 0 unknown, 1 local time, 100 UTC, 100 +- n quarters of an hour. */
    if (tz == 100) snprintf(zone, sizeof zone, "Z");
    else if (tz > 1) {
        int q = tz - 100, m = abs(q) * 15;
        snprintf(zone, sizeof zone, "%c%02d:%02d", q < 0 ? '-' : '+', m / 60, m % 60);
    }
    if (type == OFTDate) snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
    else if (type == OFTTime) snprintf(buf, sizeof buf, "%02d:%02d:%s", h, mi, secs);
    else snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%s%s", y, mo, d, h, mi, secs, zone);
    return json_string(buf);
}

/* A real as JSON: JSON has no NaN or infinities (GeoJSON's NaN, 1e400):
 * keep the value as the text GDAL's readers accept, rather than drop it. */
static json_t *real_json(double d)
{
    if (isnan(d)) return json_string("NaN");
    if (isinf(d)) return json_string(d > 0 ? "Infinity" : "-Infinity");
    return json_real(d);
}

/* Attribute value as JSON, keeping what was read: integers (64-bit),
 * reals, booleans, lists as JSON arrays, dates in ISO 8601, strings as
 * they are; JSON-subtype strings (nested GeoJSON properties) embedded as
 * JSON. */
static json_t *field_json(OGRFeatureH f, OGRFieldDefnH fd, int i)
{
    int n = 0;
    switch (OGR_Fld_GetType(fd)) {
    case OFTInteger:
        if (OGR_Fld_GetSubType(fd) == OFSTBoolean) return json_boolean(OGR_F_GetFieldAsInteger(f, i));
        return json_integer(OGR_F_GetFieldAsInteger(f, i));
    case OFTInteger64: return json_integer(OGR_F_GetFieldAsInteger64(f, i));
    case OFTReal: return real_json(OGR_F_GetFieldAsDouble(f, i));
    case OFTDate:
    case OFTTime:
    case OFTDateTime: return iso_datetime(f, i, OGR_Fld_GetType(fd));
    case OFTIntegerList: {
        const int *v = OGR_F_GetFieldAsIntegerList(f, i, &n);
        json_t *a = json_array();
        for (int k = 0; k < n; k++)
            json_array_append_new(a, OGR_Fld_GetSubType(fd) == OFSTBoolean ? json_boolean(v[k]) : json_integer(v[k]));
        return a;
    }
    case OFTInteger64List: {
        const GIntBig *v = OGR_F_GetFieldAsInteger64List(f, i, &n);
        json_t *a = json_array();
        for (int k = 0; k < n; k++) json_array_append_new(a, json_integer(v[k]));
        return a;
    }
    case OFTRealList: {
        const double *v = OGR_F_GetFieldAsDoubleList(f, i, &n);
        json_t *a = json_array();
        for (int k = 0; k < n; k++) json_array_append_new(a, real_json(v[k]));
        return a;
    }
    case OFTStringList: {
        char **v = OGR_F_GetFieldAsStringList(f, i);
        json_t *a = json_array();
        for (int k = 0; v && v[k]; k++) {
            json_t *js = json_string(v[k]);
            json_array_append_new(a, js ? js : json_string("(invalid UTF-8)"));
        }
        return a;
    }
    case OFTString:
        if (OGR_Fld_GetSubType(fd) == OFSTJSON) {
            json_t *j = json_loads(OGR_F_GetFieldAsString(f, i), JSON_DECODE_ANY, NULL);
            if (j) return j;
        }
        /* fall through */
    default:
        return json_string(OGR_F_GetFieldAsString(f, i));
    }
}

static fp_status import_layer(fp_sink *sink, const char *path, OGRLayerH layer, int nlayers,
                              const fp_import_options *opts, fp_import_result *res, fp_error *err)
{
    const char *lname = OGR_L_GetName(layer);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ncols = OGR_FD_GetFieldCount(defn);
    const char **cols = calloc(ncols + 1, sizeof *cols);
    for (int i = 0; i < ncols; i++) cols[i] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    int field_col[FP_F_COUNT];
    fp_status st = fp_resolve_fields(path, cols, ncols, opts->maps, opts->nmaps, field_col, err);
    if (st) { free(cols); return st; }

    OGRCoordinateTransformationH ct = NULL;
    if (fp_layer_to_wgs84(layer, (void **)&ct) != 0) {
        free(cols);
        return fp_error_set(err, FP_ERR_INPUT, "%s: layer %s: its CRS cannot be transformed to WGS 84", path, lname);
    }

    char reason[600], detail[512];
    long feature = 0;
    OGR_L_ResetReading(layer);
    for (;;) {
        CPLErrorReset();
        OGRFeatureH f = OGR_L_GetNextFeature(layer);
        if (!f) {
            if (CPLGetLastErrorType() >= CE_Failure)
                st = fp_error_set(err, FP_ERR_INPUT, "%s: layer %s: after feature %ld: %s; nothing of this import was stored",
                                  path, lname, feature, CPLGetLastErrorMsg());
            break;
        }
        feature++;
        if ((st = fp_sink_tick(sink, opts, err))) { OGR_F_Destroy(f); break; }
        OGRGeometryH g = OGR_F_StealGeometry(f);
        char *raw = feature_raw(f, defn, g);
        size_t raw_len = strlen(raw);
        fp_row row;
        memset(&row, 0, sizeof row);
        row.feature = feature;
        char *vals[FP_F_COUNT] = {0};
        for (int k = 0; k < FP_F_COUNT; k++) {
            int c = field_col[k];
            if (c >= 0 && OGR_F_IsFieldSetAndNotNull(f, c)) {
                const char *v = OGR_F_GetFieldAsString(f, c);
                vals[k] = fp_utf8_valid(v, strlen(v)) ? strdup(v) : fp_latin1_to_utf8(v, strlen(v));
            }
            row.values[k] = vals[k];
        }
        int have_place = (row.values[FP_F_PLACE] && *row.values[FP_F_PLACE]) ||
                         (row.values[FP_F_COUNTRY] && *row.values[FP_F_COUNTRY]);
        unsigned char *blob = NULL;
        int blob_len = 0, kind = FP_REJECT_KINDS;
        const char *prefix = nlayers > 1 ? lname : NULL;
        fp_geom_check chk = { .strict = opts->strict_geometry };
        if (!g || OGR_G_IsEmpty(g)) {
            if (!have_place) {
                kind = g ? FP_REJECT_EMPTY_GEOMETRY : FP_REJECT_NO_LOCATION;
                snprintf(detail, sizeof detail, "%s", g ? "the geometry is empty (GDAL reads NaN coordinates as empty) and there is no place or country to geocode"
                                                        : "no geometry and no place or country to geocode");
            }
        } else {
            if (ct) {
                if (OGR_G_Transform(g, ct) != OGRERR_NONE) {
                    kind = FP_REJECT_COORD_RANGE;
                    snprintf(detail, sizeof detail, "cannot be transformed to WGS 84");
                } else res->reprojected++;
            }
            if (kind == FP_REJECT_KINDS) {
                kind = fp_check_geometry(&g, &chk, detail, sizeof detail);
                res->z_dropped += chk.z_dropped;
                res->repaired += chk.repaired;
                res->clamped += chk.clamped;
            }
            if (kind == FP_REJECT_KINDS && fp_geometry_to_blob(g, &blob, &blob_len, &row.bbox)) {
                kind = FP_REJECT_INVALID_GEOMETRY;
                snprintf(detail, sizeof detail, "SpatiaLite cannot encode it");
            }
        }
        if (kind != FP_REJECT_KINDS) {
            if (prefix) snprintf(reason, sizeof reason, "layer %s: %s", prefix, detail);
            else snprintf(reason, sizeof reason, "%s", detail);
            st = fp_sink_reject(sink, 0, feature, (fp_reject_kind)kind, reason, raw, raw_len, err);
        } else {
            json_t *extra = json_object();
            for (int i = 0; i < ncols; i++) {
                int used = 0;
                for (int k = 0; k < FP_F_COUNT; k++) used |= field_col[k] == i;
                if (used || !OGR_F_IsFieldSetAndNotNull(f, i)) continue;
                json_t *v = field_json(f, OGR_FD_GetFieldDefn(defn, i), i);
                if (v) json_object_set_new(extra, cols[i], v);
            }
            if (nlayers > 1) json_object_set_new(extra, "layer", json_string(lname));
            if (chk.repaired) json_object_set_new(extra, FP_REPAIRED_KEY, json_string(chk.repair_note));
            row.extra = extra;
            row.geom_blob = blob;
            row.geom_len = blob_len;
            st = fp_sink_store(sink, &row, raw, raw_len, err);
            json_decref(extra);
        }
        free(blob);
        for (int k = 0; k < FP_F_COUNT; k++) free(vals[k]);
        free(raw);
        if (g) OGR_G_DestroyGeometry(g);
        OGR_F_Destroy(f);
        if (st) break;
    }
    if (ct) OCTDestroyCoordinateTransformation(ct);
    free(cols);
    return st;
}

/* GDAL's error messages while opening a source, joined with "; ": the last
 * one alone is often only "Failed to read GeoJSON data", while the first
 * says why (e.g. "Too many nested objects and/or arrays"). */
typedef struct gdal_errors {
    char text[768];
    int failures;
    int crs_failure;           /* a CRS GDAL could not interpret */
} gdal_errors;

static void collect_errors(CPLErr level, CPLErrorNum num, const char *msg)
{
    (void)num;
    gdal_errors *e = CPLGetErrorHandlerUserData();
    if (!e || level < CE_Failure || !msg) return;
    e->failures++;
    if (strstr(msg, "PROJ") || strstr(msg, "crs") || strstr(msg, "CRS") || strstr(msg, "SRS"))
        e->crs_failure = 1;
    size_t len = strlen(e->text);
    if (len + 8 < sizeof e->text && !strstr(e->text, msg))
        snprintf(e->text + len, sizeof e->text - len, "%s%s", len ? "; " : "", msg);
}

/* Open options go to the driver GDAL picks: given to another driver, GDAL
 * warns. So only to files that look like GeoJSON. */
static int is_geojson_path(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return 0;
    return !strcasecmp(dot, ".geojson") || !strcasecmp(dot, ".json") || !strcasecmp(dot, ".geojsonl") ||
           !strcasecmp(dot, ".geojsons") || !strcasecmp(dot, ".geojsonseq");
}

fp_status fp_import_ogr(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err)
{
    gdal_errors opening = { .text = "" };
    CPLPushErrorHandlerEx(collect_errors, &opening);
    CPLErrorReset();
    /* GeoJSON dates stay the text they are ("2011-12-29"), not OGR dates;
     * other drivers ignore the option (their dates are written in ISO 8601
     * by field_json). */
    static const char *const open_options[] = { "DATE_AS_STRING=YES", NULL };
    const char *const *oo = is_geojson_path(path) ? open_options : NULL;
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, oo, NULL);
    CPLPopErrorHandler();
    if (!ds)
        return fp_error_set(err, FP_ERR_INPUT, "%s: not a file GDAL can read as vectors%s%s", path,
                            opening.text[0] ? ": " : "", opening.text);
    /* GDAL opens a source whose CRS it cannot interpret (e.g. a GeoJSON
     * `crs` member naming an unknown EPSG code) and reads it as WGS 84:
     * refuse it rather than misread the coordinates. */
    if (opening.crs_failure) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        GDALClose(ds);
        CPLPopErrorHandler();
        return fp_error_set(err, FP_ERR_INPUT, "%s: its coordinate reference system cannot be used (%s); "
                            "nothing of this import was stored", path, opening.text);
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    snprintf(res->format, sizeof res->format, "%s", GDALGetDriverShortName(GDALGetDatasetDriver(ds)));
    fp_status st = FP_OK;
    int nlayers = GDALDatasetGetLayerCount(ds);
    if (opts->layer) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, opts->layer);
        if (!l) st = fp_error_set(err, FP_ERR_INPUT, "%s: no layer named '%s'", path, opts->layer);
        else st = import_layer(sink, path, l, 1, opts, res, err);
    } else if (nlayers == 0) {
        st = fp_error_set(err, FP_ERR_INPUT, "%s: no layers", path);
    } else {
        for (int i = 0; i < nlayers && st == FP_OK; i++)
            st = import_layer(sink, path, GDALDatasetGetLayer(ds, i), nlayers, opts, res, err);
    }
    GDALClose(ds);
    CPLPopErrorHandler();
    return st;
}
