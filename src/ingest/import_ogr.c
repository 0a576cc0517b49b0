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
#include <glib.h>
#include "store/source_check.h"
#include "common/gdal_api.h"
#include "ingest/osm_tags.h"
#include "ingest/ingest_internal.h"
#include "ingest/location_columns.h"
#include "common/util.h"

/* A readable stand-in for the feature's raw text: attributes as JSON under
 * keys (the field names as valid UTF-8), then the geometry as WKT (capped).
 * Every value of the feature passes here once, so text that is not UTF-8
 * is counted here: *converted of them, read as Windows-1252, the first
 * one's field in *first (-1 when none). */
static char *feature_raw(OGRFeatureH f, OGRFeatureDefnH defn, OGRGeometryH g, char *const *keys, int *converted,
                         int *first)
{
    json_t *o = json_object();
    *converted = 0;
    *first = -1;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        int conv = 0;
        char *v = fpi_text_utf8(OGR_F_GetFieldAsString(f, i), &conv);
        if (conv && !(*converted)++) *first = i;
        json_object_set_new(o, keys[i], json_string(v ? v : ""));
        free(v);
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

/* The layer's field names as valid UTF-8 (a DBF's names come as its bytes,
 * like its values, when GDAL does not know their code page), each
 * malloc'd; those that were not are counted in res, the first's index in
 * *first (-1: none). Freed with free_names. */
static char **utf8_names(OGRFeatureDefnH defn, int n, fp_import_result *res, int *first)
{
    char **names = calloc((size_t)n + 1, sizeof *names);
    *first = -1;
    for (int i = 0; names && i < n; i++) {
        int conv = 0;
        names[i] = fpi_text_utf8(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), &conv);
        res->text_cp1252 += conv;
        if (conv && *first < 0) *first = i;
    }
    return names;
}

/* The names' converted one is named in the note after the layer's values,
 * when none of them was (a value says more than a column's name). */
static void free_names(char **names, int n, const char *path, int first, fp_import_result *res)
{
    if (names && first >= 0 && !res->text_cp1252_first[0]) {
        snprintf(res->text_cp1252_first, sizeof res->text_cp1252_first, "%s: the name of column %d: '%.80s'", path,
                 first + 1, names[first] ? names[first] : "");
        fpi_utf8_sanitize(res->text_cp1252_first);
    }
    for (int i = 0; names && i < n; i++) free(names[i]);
    free(names);
}

/* Where a feature is, as messages name it: "FILE: feature N", with
 * "layer L: " before the number when several layers are read, and the
 * source's own id after it when it has one: "feature 3 (FID 8)" (a
 * FileGDB's OBJECTID; a Shapefile's FID counts from 0, as ArcGIS shows it). */
static void feature_where(char *buf, size_t size, const char *path, const char *layer, const char *unit, long n,
                          GIntBig fid)
{
    char fids[40] = "";
    if (fid != OGRNullFID) snprintf(fids, sizeof fids, " (FID %lld)", (long long)fid);
    snprintf(buf, size, "%s: %s%s%s%s %ld%s", path, layer ? "layer " : "", layer ? layer : "", layer ? ": " : "", unit,
             n, fids);
}

/* Text that was not UTF-8, read as Windows-1252: counted; the first named
 * (where, the field and its value as read), and the first that looks like
 * another code page's text (fpi_looks_misread) too, for the warning that
 * --encoding may be wanted. raw: the bytes as GDAL handed them over. */
static void note_cp1252(fp_import_result *res, const char *where, const char *field, const char *raw)
{
    size_t n = raw ? strlen(raw) : 0, at;
    char *v = raw ? fpi_cp1252_to_utf8(raw, n) : NULL;
    res->text_cp1252++;
    if (!res->text_cp1252_first[0])
        snprintf(res->text_cp1252_first, sizeof res->text_cp1252_first, "%s, field %s: '%.80s'", where, field,
                 v ? v : "");
    if (raw && fpi_looks_misread(raw, n, &at) && !res->misread++) {
        snprintf(res->misread_where, sizeof res->misread_where, "%s, field %s", where, field);
        char *from = fpi_cp1252_to_utf8(raw + at, n - at);
        snprintf(res->misread_sample, sizeof res->misread_sample, "%s%.40s", at ? "..." : "", from ? from : "");
        free(from);
    }
    /* The cuts above may split a character: only whole ones are shown. */
    fpi_utf8_sanitize(res->text_cp1252_first);
    fpi_utf8_sanitize(res->misread_sample);
    free(v);
}

/* A date, time or date-time field as ISO 8601 (YYYY-MM-DD, HH:MM:SS[.sss],
 * YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM]): OGR's own text is "2011/12/29".
 * -1 when OGR cannot read it as a date. */
static int iso_datetime_text(OGRFeatureH f, int i, OGRFieldType type, char *buf, size_t size)
{
    int y, mo, d, h, mi, tz;
    float sec;
    if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &sec, &tz)) return -1;
    char secs[16], zone[16] = "";
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
    if (type == OFTDate) snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
    else if (type == OFTTime) snprintf(buf, size, "%02d:%02d:%s", h, mi, secs);
    else snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%s%s", y, mo, d, h, mi, secs, zone);
    return 0;
}

static json_t *iso_datetime(OGRFeatureH f, int i, OGRFieldType type)
{
    char buf[64];
    if (iso_datetime_text(f, i, type, buf, sizeof buf)) return json_string(OGR_F_GetFieldAsString(f, i));
    return json_string(buf);
}

/* A real as a spreadsheet shows it: integers without ".0", other values in
 * the fewest digits that read back the same, never in exponent notation
 * (a 12-digit amount stays 123456789012, 0.00001 stays 0.00001). */
static void real_text(double v, char *buf, size_t size)
{
    if (!isfinite(v)) { snprintf(buf, size, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"); return; }
    if (v == trunc(v) && fabs(v) < 1e21) { snprintf(buf, size, "%.0f", v); return; }
    int p = 1;
    for (; p < 17; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v) break;
    }
    snprintf(buf, size, "%.*g", p, v);
    const char *e = strpbrk(buf, "eE");
    if (e) {
        /* Only small magnitudes get here (integers were written above):
         * as many decimals as the significant digits need. */
        int exp10 = atoi(e + 1);
        snprintf(buf, size, "%.*f", p - 1 - exp10 > 0 ? p - 1 - exp10 : 0, v);
    }
}

/* A Float32 field's value (a FlatGeobuf's or GeoPackage's REAL(Float32))
 * as the fewest digits that read back as the same float: 0.1, not the
 * 0.1000000014901161 the float is as a double. */
static void float_text(double v, char *buf, size_t size)
{
    float f = (float)v;
    if (!isfinite(v) || v == trunc(v)) { real_text(v, buf, size); return; }
    int p = 1;
    for (; p < 9; p++) {
        snprintf(buf, size, "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f) break;
    }
    snprintf(buf, size, "%.*g", p, (double)f);
    if (strpbrk(buf, "eE")) real_text(strtod(buf, NULL), buf, size);
}

/* A cell as the user sees it in the sheet (or a DBF/GeoPackage attribute
 * as text): what the CSV twin of the table would hold. Text that is not
 * UTF-8 is read as Windows-1252, as a CSV row is; *converted (when not
 * NULL) says whether it was. */
static void cell_text(OGRFeatureH f, OGRFieldDefnH fd, int i, char *buf, size_t size, int *converted)
{
    if (converted) *converted = 0;
    OGRFieldType type = OGR_Fld_GetType(fd);
    buf[0] = '\0';
    if (!OGR_F_IsFieldSetAndNotNull(f, i)) return;
    switch (type) {
    case OFTInteger:
        if (OGR_Fld_GetSubType(fd) == OFSTBoolean) {
            snprintf(buf, size, "%s", OGR_F_GetFieldAsInteger(f, i) ? "TRUE" : "FALSE");
            return;
        }
        /* fall through */
    case OFTInteger64: snprintf(buf, size, "%lld", (long long)OGR_F_GetFieldAsInteger64(f, i)); return;
    case OFTReal: real_text(OGR_F_GetFieldAsDouble(f, i), buf, size); return;
    case OFTDate:
    case OFTTime:
    case OFTDateTime:
        if (iso_datetime_text(f, i, type, buf, size) == 0) return;
        /* fall through */
    default: {
        char *u = fpi_text_utf8(OGR_F_GetFieldAsString(f, i), converted);
        snprintf(buf, size, "%s", u ? u : "");
        free(u);
    }
    }
}

/* Digits at s[0..n), their value in *v. */
static int digits_at(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

/* A date cell in a column that also holds text: GDAL's XLSX and ODS
 * drivers type the column as text and hand the date as "2019/03/15" or
 * "2019/03/15 18:00:00", where the README promises ISO 8601 (a column of
 * dates alone is typed, and written so by iso_datetime_text). Exactly that
 * form becomes "2019-03-15" or "2019-03-15T18:00:00", in place; a text cell
 * typed so reads the same. Anything else is left as it is. */
static void slash_date_to_iso(char *s)
{
    size_t n = strlen(s);
    int y, mo, d, h, mi, sec;
    if (n != 10 && n != 19) return;
    if (!digits_at(s, 4, &y) || s[4] != '/' || !digits_at(s + 5, 2, &mo) || s[7] != '/' || !digits_at(s + 8, 2, &d) ||
        mo < 1 || mo > 12 || d < 1 || d > 31)
        return;
    if (n == 19 && (s[10] != ' ' || !digits_at(s + 11, 2, &h) || s[13] != ':' || !digits_at(s + 14, 2, &mi) ||
                    s[16] != ':' || !digits_at(s + 17, 2, &sec) || h > 23 || mi > 59 || sec > 60))
        return;
    s[4] = s[7] = '-';
    if (n == 19) s[10] = 'T';
}

/* The row's cells as one CSV line: the raw text kept with a reject. */
static char *row_raw(char **cells, int n)
{
    size_t cap = 64, len = 0;
    for (int i = 0; i < n; i++) cap += 2 * strlen(cells[i]) + 3;
    char *out = malloc(cap);
    for (int i = 0; i < n; i++) {
        if (i) out[len++] = ',';
        int quote = strpbrk(cells[i], ",\"\n\r") != NULL;
        if (quote) out[len++] = '"';
        for (const char *c = cells[i]; *c; c++) {
            if (*c == '"') out[len++] = '"';
            out[len++] = *c;
        }
        if (quote) out[len++] = '"';
    }
    out[len] = '\0';
    return out;
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
 * JSON, and in footprint's own export the JSON text it wrote a list or an
 * object as (fpi_typed_value). */
static json_t *field_json(OGRFeatureH f, OGRFieldDefnH fd, int i, int own_export)
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
            char *u = fpi_text_utf8(v[k], NULL);
            json_array_append_new(a, json_string(u ? u : ""));
            free(u);
        }
        return a;
    }
    default: {
        /* Text that is not UTF-8 (a DBF GDAL does not know the code page
         * of) is read as Windows-1252: json_string refuses it, and the
         * value was dropped from extra without a word. */
        char *u = fpi_text_utf8(OGR_F_GetFieldAsString(f, i), NULL);
        json_t *j = NULL;
        if (OGR_Fld_GetType(fd) == OFTString && OGR_Fld_GetSubType(fd) == OFSTJSON)
            j = json_loads(u ? u : "", JSON_DECODE_ANY, NULL);
        if (!j && OGR_Fld_GetType(fd) == OFTString) j = fpi_typed_value(u ? u : "", FPI_VALUE_TEXT, own_export);
        if (!j) j = json_string(u ? u : "");
        free(u);
        return j;
    }
    }
}

/* Appends "sheet NAME" (or "layer NAME") to res->layers for the summary. */
static void note_layer(fp_import_result *res, const char *word, const char *name, const char *why)
{
    size_t o = strlen(res->layers);
    if (o + 8 >= sizeof res->layers) return;
    snprintf(res->layers + o, sizeof res->layers - o, "%s%s %s%s%s", o ? "; " : "", word, name,
             why ? " skipped: " : "", why ? why : "");
}

/* The layer's next feature in *out, NULL at its end. GDAL's errors while
 * it reads it are collected (its last error alone was not enough: a driver
 * may clear it). A read error that ends the layer (a truncated DBF) is an
 * error naming the last row read. One raised while handing out a feature
 * is about that feature when the driver reads one a call (tied): a
 * truncated .shp hands out shapes it could not read without geometry, which
 * were stored "to geocode" and later put at town centroids; an error
 * naming the feature now, nothing stored. (show_fid: the message names the
 * source's FID too.) GeoJSONSeq skips a line it cannot parse and hands out
 * the next feature: its message is left in gdal_said (else "") for a reject.
 * GeoJSON reads the whole file on the first call, so its errors cannot be
 * tied to a feature (a geometry it cannot read comes as none): neither.
 * Warnings never fail. */
static fp_status next_feature(OGRLayerH layer, OGRFeatureH *out, const char *path, const char *word, const char *lname,
                              const char *unit, long done, int show_fid, int tied, char *gdal_said, size_t said_size,
                              fp_error *err)
{
    fpi_gdal_errors e;
    fpi_gdal_collect_begin(&e);
    *out = OGR_L_GetNextFeature(layer);
    fpi_gdal_collect_end();
    if (!*out && e.failures)
        return fp_error_set(err, FP_ERR_INPUT, "%s: %s %s: after %s %ld: %s; nothing of this import was stored", path,
                            word, lname, unit, done, e.text);
    if (gdal_said) g_strlcpy(gdal_said, *out && e.failures ? e.text : "", said_size);
    if (*out && e.failures && tied && !gdal_said) {
        char fid[40] = "";
        if (show_fid && OGR_F_GetFID(*out) != OGRNullFID)
            snprintf(fid, sizeof fid, " (FID %lld)", (long long)OGR_F_GetFID(*out));
        OGR_F_Destroy(*out);
        *out = NULL;
        return fp_error_set(err, FP_ERR_INPUT, "%s: %s %s: %s %ld%s: GDAL cannot read it (is the file truncated or "
                            "damaged?): %s; nothing of this import was stored", path, word, lname, unit, done + 1, fid,
                            e.text);
    }
    return FP_OK;
}

/* GDAL's name for a column whose header cell is empty: FieldN. */
static int placeholder_name(const char *name)
{
    int n, end = 0;
    return sscanf(name, "Field%d%n", &n, &end) == 1 && name[end] == '\0';
}

/* A sheet with a title above its header ("GreenBridge Foundation - project
 * list" on row 1, the column names on row 3): GDAL reads the first row as
 * the header, and the sheet seems to have no location column. Found as a
 * row among the first ten that, taken as the header, gives the sheet
 * something to locate rows by, with more cells than the first row and two
 * or more names footprint knows (a read-me's "Country | Kenya" line has
 * one). Says in why what to do; 0 when the sheet does not look so. */
static int title_over_header(const char *path, OGRLayerH layer, const fp_import_options *opts, char *why, size_t size)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ncols = OGR_FD_GetFieldCount(defn);
    if (ncols < 2) return 0;
    char **cells = calloc((size_t)ncols + 1, sizeof *cells);
    fp_import_result *scratch = calloc(1, sizeof *scratch);
    char title[160] = "", buf[4096];
    int first_filled = -1, found = 0;
    long first_row = 0, header_row = 0;
    GString *names = g_string_new(NULL);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    for (int k = 0; cells && scratch && !found && k < 10 && (f = OGR_L_GetNextFeature(layer)); k++) {
        long fid = (long)OGR_F_GetFID(f);
        /* The first row: the header GDAL took (its row 1), or the first
         * feature when GDAL found none (Field1..FieldN). */
        if (k == 0) {
            first_row = fid > 1 ? 1 : fid;
            if (fid > 1) {
                first_filled = 0;
                for (int i = 0; i < ncols; i++) {
                    const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
                    if (placeholder_name(name) || !*name) continue;
                    if (!first_filled++) fpi_column_display(name, title, sizeof title);
                }
            }
        }
        int filled = 0, known = 0;
        for (int i = 0; i < ncols; i++) {
            cell_text(f, OGR_FD_GetFieldDefn(defn, i), i, buf, sizeof buf, NULL);
            cells[i] = strdup(fpi_trim(buf));
            filled += *cells[i] != '\0';
            known += *cells[i] && (fpi_field_for_column(cells[i]) >= 0 || fpi_is_location_column(cells[i]));
        }
        if (first_filled < 0) {
            first_filled = filled;
            for (int i = 0; i < ncols && !*title; i++) fpi_column_display(cells[i], title, sizeof title);
        } else if (known >= 2 && filled > first_filled) {
            fp_table *t = NULL;
            memset(scratch, 0, sizeof *scratch);
            if (fpi_table_new(path, (const char *const *)cells, ncols, NULL, opts, 1, NULL, scratch, &t, NULL) == FP_OK) {
                found = 1;
                header_row = fid;
                for (int i = 0, shown = 0; i < ncols; i++) {
                    if (!*cells[i]) continue;
                    char name[64];
                    fpi_column_display(cells[i], name, sizeof name);
                    if (shown++ < 4) g_string_append_printf(names, "%s%s", names->len ? ", " : "", name);
                    else { g_string_append(names, ", ..."); break; }
                }
            }
            fpi_table_free(t);
        }
        for (int i = 0; i < ncols; i++) { free(cells[i]); cells[i] = NULL; }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(layer);
    if (found && header_row > first_row + 1)
        snprintf(why, size, "its header row (row %ld: '%.100s') looks like a title: the column names are on row %ld "
                 "(%s); delete rows %ld-%ld above them and import again (the first row of a sheet is its header)",
                 first_row, title, header_row, names->str, first_row, header_row - 1);
    else if (found)
        snprintf(why, size, "its header row (row %ld: '%.100s') looks like a title: the column names are on row %ld "
                 "(%s); delete row %ld above them and import again (the first row of a sheet is its header)",
                 first_row, title, header_row, names->str, first_row);
    g_string_free(names, TRUE);
    free(cells);
    free(scratch);
    return found;
}

/* --map FIELD=layer where the layer has no column of that name: FIELD is
 * filled with the layer's name (a Google My Maps layer, a KML folder, a
 * sheet: "Data centres" as the category). 1 when a map says so. */
static int maps_layer_name(const char *const *cols, int ncols, const fp_import_options *opts)
{
    for (int m = 0; m < opts->nmaps; m++)
        if (opts->maps[m].column && !strcasecmp(opts->maps[m].column, "layer")) {
            for (int i = 0; i < ncols; i++)
                if (!strcasecmp(cols[i], "layer")) return 0;
            return 1;
        }
    return 0;
}

/* The HXL hashtags of a table's first row that is not blank, when it is a
 * row of them (fpi_hxl_row; a sheet from HDX): one per column and one
 * more for the layer's name (NULL), from g_new0; *fid is the row's feature
 * id (a sheet's row number) and *ordinal its place among the features,
 * and the row is then no data. NULL otherwise. */
static char **layer_hxl_tags(OGRLayerH layer, long *fid, long *ordinal)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ncols = OGR_FD_GetFieldCount(defn);
    char **cells = g_new0(char *, ncols + 2), buf[4096];
    int blank = 1, tags = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    *ordinal = 0;
    while (blank && (f = OGR_L_GetNextFeature(layer))) {
        (*ordinal)++;
        for (int i = 0; i < ncols; i++) {
            cell_text(f, OGR_FD_GetFieldDefn(defn, i), i, buf, sizeof buf, NULL);
            g_free(cells[i]);
            cells[i] = g_strdup(fpi_trim(buf));
            blank &= !*cells[i];
        }
        tags = !blank && fpi_hxl_row((const char *const *)cells, ncols);
        *fid = (long)OGR_F_GetFID(f);
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(layer);
    if (!tags) {
        g_strfreev(cells);
        return NULL;
    }
    return cells;
}

/* A layer without geometry (a sheet, a DBF, an attribute-only GeoPackage
 * table) is a table: its rows go through the CSV rules (table_rows.c),
 * each cell as the user sees it. A sheet's rows are numbered as in the
 * spreadsheet (the header is row 1): the XLSX/ODS/XLS drivers give each
 * feature its row number as FID. Other tables number features from 1. */
static fp_status import_table_layer(fp_sink *sink, const char *path, OGRLayerH layer, int nlayers, int spreadsheet,
                                    int skip_unusable, int tag_layer, const fp_import_options *opts,
                                    fp_import_result *res, int *skipped, fp_error *err)
{
    const char *lname = OGR_L_GetName(layer);
    const char *word = spreadsheet ? "sheet" : "layer";
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ncols = OGR_FD_GetFieldCount(defn);
    int first_name;
    char **names = utf8_names(defn, ncols, res, &first_name);
    const char **cols = calloc(ncols + 1, sizeof *cols);
    for (int i = 0; i < ncols; i++) cols[i] = names[i];
    char prefix[300] = "";
    if (nlayers > 1) snprintf(prefix, sizeof prefix, "%s %s: ", word, lname);
    /* The layer's name as one more column, last, when --map names it. */
    int with_name = maps_layer_name(cols, ncols, opts);
    /* A column of the sheet's own named "layer" keeps extra.layer for its
     * values, in every row (a row whose cell is empty is not given the
     * sheet's name there: one key, one meaning). */
    int own_layer_column = 0;
    for (int i = 0; i < ncols; i++) own_layer_column |= !strcmp(cols[i], "layer");
    if (with_name) cols[ncols] = "layer";
    fp_table *table = NULL;
    /* A first row of HXL hashtags (a sheet from HDX): the columns' tags. */
    long tags_fid = 0, tags_ordinal = 0;
    char **tags = layer_hxl_tags(layer, &tags_fid, &tags_ordinal);
    /* Numbers typed as text in a sheet may carry a decimal comma ("12,5"). */
    fp_status st = fpi_table_new(path, cols, ncols + with_name, (const char *const *)tags, opts, 1, prefix, res, &table,
                                 err);
    free(cols);
    if (!st && tags) {
        char where[340];
        /* A sheet's row number is its FID; other tables number features. */
        if (spreadsheet && tags_fid > 0) snprintf(where, sizeof where, "%srow %ld", prefix, tags_fid);
        else snprintf(where, sizeof where, "%sfeature %ld", prefix, tags_ordinal);
        fpi_note_hxl_row(res, where, (const char *const *)tags, ncols, fpi_table_tagged(table));
    }
    long skip_feature = tags ? tags_ordinal : 0;
    g_strfreev(tags);
    if (st) {
        /* A sheet whose rows sit under a title is not a read-me: refused,
         * whether alone or beside others, saying what to do (skipped, its
         * rows were lost, and a workbook of it and a read-me stored 0 rows
         * with exit 0). */
        free_names(names, ncols, path, first_name, res);
        char why[600];
        if (spreadsheet && st == FP_ERR_INPUT && title_over_header(path, layer, opts, why, sizeof why))
            return fp_error_set(err, FP_ERR_INPUT, "%s: sheet %s: %s%s; nothing of this import was stored", path, lname,
                                why, nlayers > 1 ? " (or --layer NAME imports another sheet alone)" : "");
        /* In a workbook of several sheets, a sheet with nothing to locate
         * rows by (a "Read me" sheet) is left out and named in the summary. */
        if (skip_unusable && st == FP_ERR_INPUT) {
            note_layer(res, word, lname, "no coordinate, WKT, place or country column");
            if (err) memset(err, 0, sizeof *err);
            (*skipped)++;
            return FP_OK;
        }
        return st;
    }
    note_layer(res, word, lname, NULL);
    json_t *more = NULL;
    if (tag_layer && !own_layer_column) {
        more = json_object();
        json_object_set_new(more, "layer", json_string(lname));
    }
    char **cells = calloc(ncols + 2, sizeof *cells);
    char buf[4096];
    long feature = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while (!(st = next_feature(layer, &f, path, word, lname, spreadsheet ? "row" : "feature", feature,
                               spreadsheet ? 0 : 1, 1, NULL, 0, err)) && f) {
        feature++;
        int blank = 1;
        for (int i = 0; i < ncols; i++) {
            OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
            int converted = 0;
            cell_text(f, fd, i, buf, sizeof buf, &converted);
            if (converted) {
                char where[400];
                feature_where(where, sizeof where, path, nlayers > 1 ? lname : NULL, "feature", feature,
                              spreadsheet ? OGRNullFID : OGR_F_GetFID(f));
                note_cp1252(res, where, names[i], OGR_F_GetFieldAsString(f, i));
            }
            if (spreadsheet && OGR_Fld_GetType(fd) == OFTString) slash_date_to_iso(buf);
            cells[i] = strdup(buf);
            blank &= !*fpi_trim(buf);
        }
        if (with_name) cells[ncols] = strdup(lname);
        /* A blank sheet row between rows is skipped, as a blank CSV line is;
         * the row of HXL hashtags is no data. */
        int hxl = feature == skip_feature;
        if (!(blank && spreadsheet) && !hxl && !(st = fpi_sink_tick(sink, opts, err))) {
            char *raw = row_raw(cells, ncols);
            long fid = OGR_F_GetFID(f);
            long line = spreadsheet && fid > 0 ? fid : 0;
            st = fpi_table_row(table, sink, cells, line, line ? 0 : feature, raw, strlen(raw), more, err);
            if (tag_layer && own_layer_column) res->layer_tag_left_out++;
            free(raw);
        }
        for (int i = 0; i < ncols + with_name; i++) free(cells[i]);
        OGR_F_Destroy(f);
        if (st) break;
    }
    free(cells);
    json_decref(more);
    fpi_table_free(table);
    free_names(names, ncols, path, first_name, res);
    return st;
}

/* Whether field i of a LIBKML feature is one of the driver's own KML
 * fields holding its "not set" value: every row of a KML got
 * "tessellate":-1,"visibility":-1,"extrude":0 in extra, which is none of
 * the user's data. Set to anything else (a placemark hidden with
 * <visibility>0</visibility>, a line with <tessellate>1</tessellate>) they
 * are kept. (Null fields are left out of extra already.) */
static int libkml_unset_field(OGRFeatureH f, OGRFieldDefnH fd, int i)
{
    const char *name = OGR_Fld_GetNameRef(fd);
    if (!strcmp(name, "tessellate") || !strcmp(name, "visibility"))
        return OGR_Fld_GetType(fd) == OFTInteger && OGR_F_GetFieldAsInteger(f, i) == -1;
    if (!strcmp(name, "extrude")) return OGR_Fld_GetType(fd) == OFTInteger && OGR_F_GetFieldAsInteger(f, i) == 0;
    static const char *const others[] = { "altitudeMode", "drawOrder", "begin", "end", "timestamp", "icon", "snippet" };
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        if (!strcmp(name, others[k])) return !*OGR_F_GetFieldAsString(f, i);
    return 0;
}

/* ---- OpenStreetMap's layout ------------------------------------------ */

/* A layer as GDAL's OSM driver writes it (or an ogr2ogr copy) has its ids
 * in osm_id / osm_way_id, the tags it has no column for in other_tags.
 * 1: GDAL's OSM layout (osm_id / osm_way_id and other_tags); 2: Overpass
 * turbo's GeoJSON (osmtogeojson: an @id property, the tags as properties);
 * 0: neither. */
static int osm_layout(const char *const *cols, int ncols)
{
    int id = 0, tags = 0, at_id = 0;
    for (int i = 0; i < ncols; i++) {
        id |= !strcmp(cols[i], "osm_id") || !strcmp(cols[i], "osm_way_id");
        tags |= !strcmp(cols[i], FPI_OSM_TAGS_COLUMN);
        at_id |= !strcmp(cols[i], "@id");
    }
    return id && tags ? 1 : at_id ? 2 : 0;
}

/* Whether a --map names the field. */
static int maps_field(const fp_import_options *opts, const char *field)
{
    for (int m = 0; m < opts->nmaps; m++)
        if (!strcasecmp(opts->maps[m].field, field)) return 1;
    return 0;
}

/* The keys of a layer's other_tags in the order first met, leaving out
 * the file's own column names (at most 2,000: a project list's features
 * do not carry more). Reads the layer once; GDAL's errors on the way are
 * met again, and reported, when the layer is read for its rows. */
static void osm_tag_columns(OGRLayerH layer, int tags_col, const char *const *cols, int ncols, GPtrArray *keys)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < ncols; i++) g_hash_table_add(seen, (gpointer)cols[i]);
    GPtrArray *k = g_ptr_array_new_with_free_func(g_free), *v = g_ptr_array_new_with_free_func(g_free);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while (keys->len < 2000 && (f = OGR_L_GetNextFeature(layer))) {
        if (OGR_F_IsFieldSetAndNotNull(f, tags_col) && !fpi_osm_tags_parse(OGR_F_GetFieldAsString(f, tags_col), k, v))
            for (guint j = 0; j < k->len; j++) {
                const char *key = k->pdata[j];
                if (g_hash_table_contains(seen, key) || !fpi_utf8_valid(key, strlen(key))) continue;
                char *copy = g_strdup(key);
                g_ptr_array_add(keys, copy);
                g_hash_table_add(seen, copy);
            }
        g_ptr_array_set_size(k, 0);
        g_ptr_array_set_size(v, 0);
        OGR_F_Destroy(f);
    }
    g_ptr_array_free(k, TRUE);
    g_ptr_array_free(v, TRUE);
    g_hash_table_destroy(seen);
    CPLErrorReset();
    OGR_L_ResetReading(layer);
}

/* The value of one tag of a feature, NULL when it has none. */
static const char *osm_tag_value(const GPtrArray *k, const GPtrArray *v, const char *key)
{
    for (guint j = 0; j < k->len; j++)
        if (!strcmp(k->pdata[j], key)) return v->pdata[j];
    return NULL;
}

/* A feature's tags into extra, each under its own key, but those a field
 * took; a tag named as one of the file's columns is kept as
 * other_tags:KEY beside it. */
static void osm_tags_to_extra(json_t *extra, const GPtrArray *k, const GPtrArray *v, const int field_col[FP_F_COUNT],
                              int tag_base, const GPtrArray *tag_keys)
{
    for (guint j = 0; j < k->len; j++) {
        const char *key = k->pdata[j];
        int used = 0;
        for (int f = 0; f < FP_F_COUNT; f++)
            used |= field_col[f] >= tag_base && !strcmp(tag_keys->pdata[field_col[f] - tag_base], key);
        if (used || !fpi_utf8_valid(key, strlen(key))) continue;
        char *value = fpi_text_utf8(v->pdata[j], NULL);
        if (!value) continue;
        if (json_object_get(extra, key)) {
            gchar *beside = g_strconcat(FPI_OSM_TAGS_COLUMN ":", key, NULL);
            json_object_set_new(extra, beside, json_string(value));
            g_free(beside);
        } else {
            json_object_set_new(extra, key, json_string(value));
        }
        free(value);
    }
}

/* A feature's OpenStreetMap id in Overpass's form: the points layer holds
 * nodes, lines ways, multipolygons relations (osm_id) and closed ways
 * (osm_way_id), the others relations. NULL when it has none. */
static char *osm_element_id(OGRFeatureH f, OGRFeatureDefnH defn, const char *layer_name)
{
    int id = OGR_FD_GetFieldIndex(defn, "osm_id"), way = OGR_FD_GetFieldIndex(defn, "osm_way_id");
    char buf[128];
    if (id >= 0 && OGR_F_IsFieldSetAndNotNull(f, id) && *OGR_F_GetFieldAsString(f, id)) {
        const char *kind = !strcmp(layer_name, "points") ? "node" : !strcmp(layer_name, "lines") ? "way" : "relation";
        snprintf(buf, sizeof buf, "%s/%.100s", kind, OGR_F_GetFieldAsString(f, id));
        return strdup(buf);
    }
    if (way >= 0 && OGR_F_IsFieldSetAndNotNull(f, way) && *OGR_F_GetFieldAsString(f, way)) {
        snprintf(buf, sizeof buf, "way/%.100s", OGR_F_GetFieldAsString(f, way));
        return strdup(buf);
    }
    return NULL;
}

/* seq_driver: the source is GeoJSONSeq (see the feature loop); scope_ids:
 * several layers with geometry contribute rows (ids as LAYER:ID);
 * tag_layer: several layers of any kind contribute rows (extra.layer);
 * by_dataset: footprint's own export of several datasets (ids as
 * DATASET:ID, see own_export_datasets). */
static fp_status import_layer(fp_sink *sink, const char *path, OGRLayerH layer, int nlayers, int spreadsheet,
                              int seq_driver, int scope_ids, int tag_layer, int by_dataset,
                              const fp_import_options *opts, fp_import_result *res, int *skipped, fp_error *err)
{
    /* Without geometry, a table: read as its CSV twin would be. */
    if (OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(layer)) == 0)
        return import_table_layer(sink, path, layer, nlayers, spreadsheet, nlayers > 1 && !opts->layer, tag_layer, opts,
                                  res, skipped, err);
    const char *lname = OGR_L_GetName(layer);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ncols = OGR_FD_GetFieldCount(defn);
    /* The names as valid UTF-8 (a DBF's, when GDAL does not know its code
     * page, come as its bytes): for the fields, extra's keys and the raw text. */
    int first_name;
    char **fnames = utf8_names(defn, ncols, res, &first_name);
    const char **written = calloc(ncols + 1, sizeof *written);
    for (int i = 0; i < ncols; i++) written[i] = fnames[i];
    /* The names the export gave its properties (a Shapefile's geocode_me
     * is geocode_method): fields and footprint's own export are found by
     * them, and extra keeps its keys as they were. */
    fpi_names names;
    fpi_names_restore(path, lname, res->format, written, ncols, &names);
    free(written);
    const char *const *cols = (const char *const *)names.match;
    if (names.note[0] && !res->names_note[0]) snprintf(res->names_note, sizeof res->names_note, "%s", names.note);
    int field_col[FP_F_COUNT];
    /* --map FIELD=layer: the layer's name as a column after the others. */
    int name_col = maps_layer_name(cols, ncols, opts) ? ncols : -1;
    /* OpenStreetMap's other_tags (GDAL's OSM layers and their ogr2ogr
     * copies): each tag a column of its own after the file's, so that
     * `operator` fills the company as a column of that name would, --map
     * reaches any tag, and extra keeps them apart. */
    int tags_col = -1;
    for (int i = 0; i < ncols; i++)
        if (!strcmp(cols[i], FPI_OSM_TAGS_COLUMN)) tags_col = i;
    GPtrArray *tag_keys = g_ptr_array_new_with_free_func(g_free);
    if (tags_col >= 0) osm_tag_columns(layer, tags_col, cols, ncols, tag_keys);
    int tag_base = ncols + (name_col >= 0);
    const char **with_name = g_new(const char *, tag_base + tag_keys->len + 1);
    for (int i = 0; i < ncols; i++) with_name[i] = cols[i];
    if (name_col >= 0) with_name[ncols] = "layer";
    for (guint j = 0; j < tag_keys->len; j++) with_name[tag_base + j] = tag_keys->pdata[j];
    /* With several layers, the one without a --map's column is named
     * (a QuickOSM GeoPackage: `telecom` in its points, not its polygons). */
    gchar *map_where = nlayers > 1 ? g_strdup_printf("%s: layer %s", path, lname) : g_strdup(path);
    fp_status st = fpi_resolve_fields(map_where, with_name, tag_base + (int)tag_keys->len, opts->maps, opts->nmaps,
                                      field_col, err);
    g_free(map_where);
    /* In OpenStreetMap's layout, `type` says how a relation is built
     * (multipolygon, route) and `place` what kind of settlement a node is
     * (city, village): neither is a category or a place name to geocode,
     * so neither is taken for one unless --map says so. Its own ids are
     * read instead (osm_ids below). */
    int osm = osm_layout(cols, ncols);
    if (!st && osm) {
        static const int unguessed[] = { FP_F_CATEGORY, FP_F_PLACE };
        static const char *const unguessed_names[] = { "type", "place" };
        for (int u = 0; u < 2; u++) {
            int c = field_col[unguessed[u]];
            if (c >= 0 && c != name_col && !strcmp(with_name[c], unguessed_names[u]) &&
                !maps_field(opts, fpi_field_names[unguessed[u]]))
                field_col[unguessed[u]] = -1;
        }
    }
    g_free(with_name);
    /* The summary's columns line, as for a CSV: which field fills which
     * (a GeoJSON whose country property is "Land" imported without a
     * country said nothing of it). Several layers: one part each. */
    if (!st) {
        char *buf = res->mapping;
        size_t size = sizeof res->mapping, o = strlen(buf);
        int any = 0;
        for (int f = 0; f < FP_F_COUNT; f++) any |= field_col[f] >= 0;
        if (o && o + 3 < size) o += snprintf(buf + o, size - o, "; ");
        if (nlayers > 1 && o + 8 < size) o += snprintf(buf + o, size - o, "layer %s: ", lname);
        for (int f = 0; f < FP_F_COUNT && o + 4 < size; f++)
            if (field_col[f] >= 0)
                o += snprintf(buf + o, size - o, "%s%s=%s%s", o && buf[o - 1] != ' ' ? ", " : "", fpi_field_names[f],
                              field_col[f] == name_col     ? "layer (its name)"
                              : field_col[f] >= tag_base ? (const char *)tag_keys->pdata[field_col[f] - tag_base]
                                                         : fnames[field_col[f]],
                              field_col[f] >= tag_base ? " (in other_tags)" : "");
        if (osm == 1 && field_col[FP_F_ID] < 0 && o + 40 < size) {
            o += snprintf(buf + o, size - o, "%sid=its OpenStreetMap id", any ? ", " : "");
            any = 1;
        }
        if (!any && o + 4 < size)
            snprintf(buf + o, size - o, "no property fills id, company, category, name, place, country, year, "
                     "status, amount or source (name them with --map FIELD=PROPERTY)");
    }
    int own_export = fpi_is_footprint_export(cols, ncols);
    int own_layer_field = 0;
    for (int i = 0; i < ncols; i++) own_layer_field |= !strcmp(cols[i], "layer");
    /* A list's JSON text is told by its look in footprint's own export, in
     * a GeoPackage too: a column of lists and objects alone is declared JSON
     * there (field_json reads it so), but a column mixing them with text
     * cannot be, and GeoPackages of earlier versions declare none. (Taking
     * a plain text column as text kept "[1]" text but made such lists
     * strings: a mixed column is the likelier of the two.) */
    int nested_by_look = own_export;
    fpi_own_columns own;
    fpi_own_export_columns(cols, ncols, &own);
    if (st) {
        fpi_names_free(&names);
        g_ptr_array_free(tag_keys, TRUE);
        free_names(fnames, ncols, path, first_name, res);
        return st;
    }

    /* --crs: the layer's coordinates are in that CRS, whatever the file
     * declares (a Shapefile without its .prj, a wrong one). */
    OGRCoordinateTransformationH ct = NULL;
    char overridden[64], from[192];
    int crs_rc = fpi_layer_crs_to_wgs84(layer, opts->crs, (void **)&ct, overridden, sizeof overridden, from, sizeof from);
    if (crs_rc == 0 && ct) fpi_note_reprojected_from(res, from);
    if (crs_rc == 0 && overridden[0])
        snprintf(res->crs_overridden, sizeof res->crs_overridden, "--crs %s read instead of the file's %s",
                 opts->crs, overridden);
    if (crs_rc == -2) {
        fpi_names_free(&names);
        g_ptr_array_free(tag_keys, TRUE);
        free_names(fnames, ncols, path, first_name, res);
        return fp_error_set(err, FP_ERR_USAGE, "--crs %s: GDAL does not know this CRS", opts->crs);
    }
    if (crs_rc != 0) {
        fpi_names_free(&names);
        g_ptr_array_free(tag_keys, TRUE);
        free_names(fnames, ncols, path, first_name, res);
        if (opts->crs && *opts->crs)
            return fp_error_set(err, FP_ERR_INPUT, "%s: layer %s: --crs %s cannot be transformed to WGS 84", path, lname,
                                opts->crs);
        /* Refused as a whole, naming the CRS (a .prj of a projection
         * method PROJ does not implement): every feature was rejected as
         * "out of range" before. */
        return fp_error_set(err, FP_ERR_INPUT, "%s: layer %s: its CRS (%s) cannot be transformed to WGS 84 by PROJ; "
                            "nothing of this import was stored (--crs names the CRS to read it in instead)", path,
                            lname, from[0] ? from : "unnamed");
    }
    /* No CRS at all (a Shapefile without its .prj): read as WGS 84, which
     * is said, so the assumption is seen (projected numbers are rejected
     * as out of range with a hint; degrees in another datum are not). */
    if (!ct && !OGR_L_GetSpatialRef(layer) && !(opts->crs && *opts->crs) && !res->crs_assumed[0]) {
        const char *dot = strrchr(path, '.');
        int shp = dot && !strcasecmp(dot, ".shp");
        snprintf(res->crs_assumed, sizeof res->crs_assumed, "%s%s%s declares no CRS%s: its coordinates were read as "
                 "WGS 84 lon/lat (--crs names another)", path, nlayers > 1 ? ", layer " : "", nlayers > 1 ? lname : "",
                 shp ? " (no .prj)" : "");
    }
    /* Out-of-range coordinates in a layer that declares no CRS are most
     * likely projected: the reject says so, as a CSV's does. */
    int hint_crs = !ct && !OGR_L_GetSpatialRef(layer) && !(opts->crs && *opts->crs);

    /* LIBKML hands a <GroundOverlay> (an image laid over the map) out as a
     * polygon feature with its icon field set to the image. A Placemark
     * with a geometry always has its tessellate field set (-1 when the KML
     * says nothing), a GroundOverlay never: so a Placemark whose own data
     * has a field named icon is not taken for one. (A Placemark's icon
     * style is its OGR style, not this field.) */
    int kml_icon = -1, kml_tessellate = -1, libkml = !strcmp(res->format, "LIBKML");
    if (libkml) {
        kml_icon = OGR_FD_GetFieldIndex(defn, "icon");
        kml_tessellate = OGR_FD_GetFieldIndex(defn, "tessellate");
    }

    char reason[600], detail[512];
    long feature = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    /* GeoJSONSeq parses one record a call, so an error GDAL raised during a
     * call that still handed out a feature with a geometry was about a
     * record it skipped. Other drivers (GeoJSON reads the whole file on the
     * first call) raise errors that cannot be tied to a feature. */
    char gdal_said[400] = "";
    int per_record = seq_driver, tied = strcmp(res->format, "GeoJSON") != 0;
    while (!(st = next_feature(layer, &f, path, "layer", lname, "feature", feature, 1, tied,
                               per_record ? gdal_said : NULL, sizeof gdal_said, err)) && f) {
        feature++;
        if ((st = fpi_sink_tick(sink, opts, err))) { OGR_F_Destroy(f); break; }
        OGRGeometryH g = OGR_F_StealGeometry(f);
        /* GDAL complained while reading and handed out a feature with a
         * geometry: the complaint was about a record it skipped (a broken
         * GeoJSONSeq line), which is counted and rejected under its own
         * number, never lost without a word. */
        if (*gdal_said && g) {
            snprintf(reason, sizeof reason, "%s%s%sGDAL could not read this record and skipped it: %s",
                     nlayers > 1 ? "layer " : "", nlayers > 1 ? lname : "", nlayers > 1 ? ": " : "", gdal_said);
            if ((st = fpi_sink_tick(sink, opts, err)) ||
                (st = fpi_sink_reject(sink, 0, feature, FP_REJECT_MALFORMED, reason, "", 0, err))) {
                OGR_G_DestroyGeometry(g);
                OGR_F_Destroy(f);
                break;
            }
            feature++;
        }
        /* The source's own id, named beside the read position in rejects
         * (a FileGDB written with gaps in its OBJECTIDs: feature 3 is
         * OBJECTID 8; a Shapefile's FID counts from 0). */
        GIntBig fid = OGR_F_GetFID(f);
        int converted, first_converted;
        char *raw = feature_raw(f, defn, g, fnames, &converted, &first_converted);
        size_t raw_len = strlen(raw);
        if (converted) {
            char where[400];
            feature_where(where, sizeof where, path, nlayers > 1 ? lname : NULL, "feature", feature, fid);
            for (int i = first_converted; i < ncols; i++) {
                if (!OGR_F_IsFieldSetAndNotNull(f, i)) continue;
                const char *v = OGR_F_GetFieldAsString(f, i);
                if (!fpi_utf8_valid(v, strlen(v))) note_cp1252(res, where, fnames[i], v);
            }
        }
        fp_row row;
        memset(&row, 0, sizeof row);
        row.feature = feature;
        row.has_fid = fid != OGRNullFID;
        row.fid = (long long)fid;
        char *vals[FP_F_COUNT] = {0};
        /* This feature's OpenStreetMap tags, when it has them in hstore form. */
        GPtrArray *tag_k = NULL, *tag_v = NULL;
        int tagged = 0;
        if (tags_col >= 0 && OGR_F_IsFieldSetAndNotNull(f, tags_col)) {
            tag_k = g_ptr_array_new_with_free_func(g_free);
            tag_v = g_ptr_array_new_with_free_func(g_free);
            tagged = !fpi_osm_tags_parse(OGR_F_GetFieldAsString(f, tags_col), tag_k, tag_v);
        }
        for (int k = 0; k < FP_F_COUNT; k++) {
            int c = field_col[k];
            if (c >= tag_base) {
                const char *v = tagged ? osm_tag_value(tag_k, tag_v, tag_keys->pdata[c - tag_base]) : NULL;
                vals[k] = v ? fpi_text_utf8(v, NULL) : NULL;
            } else if (c >= 0 && c == name_col) vals[k] = strdup(lname);
            else if (c >= 0 && OGR_F_IsFieldSetAndNotNull(f, c)) {
                /* A real as the fewest digits that read back as the same
                 * double: GDAL's own text keeps 15 (0.30000000000000004
                 * came back as 0.3, an amount changed by a round trip). */
                OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, c);
                if (OGR_Fld_GetType(fd) == OFTReal) {
                    char num[64];
                    if (OGR_Fld_GetSubType(fd) == OFSTFloat32) float_text(OGR_F_GetFieldAsDouble(f, c), num, sizeof num);
                    else real_text(OGR_F_GetFieldAsDouble(f, c), num, sizeof num);
                    vals[k] = strdup(num);
                } else {
                    vals[k] = fpi_text_utf8(OGR_F_GetFieldAsString(f, c), NULL);
                }
            }
            row.values[k] = vals[k];
        }
        /* No id column in OpenStreetMap's layout: the element's own id, as
         * Overpass writes it (node/123, way/456, relation/789), so that a
         * new extract of the same area is a new edition of the same
         * features, not rows added beside them. Unique across layers. */
        int osm_id_given = 0;
        if (osm == 1 && field_col[FP_F_ID] < 0) {
            vals[FP_F_ID] = osm_element_id(f, defn, lname);
            row.values[FP_F_ID] = vals[FP_F_ID];
            osm_id_given = vals[FP_F_ID] != NULL;
        }
        /* Several layers with geometry into one dataset: each layer's ids
         * are its own (a GeoPackage's layers often each number from 1), so
         * the key is LAYER:ID; otherwise the second layer's rows were
         * rejected as duplicates of the first's. Attribute tables beside
         * one layer (a GeoPackage's layer_styles) do not count: a file of
         * one layer keeps its ids as they are. The layers of footprint's
         * own export (--split-by into a GeoPackage) hold one dataset's
         * source keys, unique across them: kept as they are. */
        if (scope_ids && !own_export && !osm_id_given && vals[FP_F_ID] && *vals[FP_F_ID]) {
            size_t n = strlen(lname) + strlen(vals[FP_F_ID]) + 2;
            char *scoped = malloc(n);
            if (scoped) {
                snprintf(scoped, n, "%s:%s", lname, vals[FP_F_ID]);
                free(vals[FP_F_ID]);
                vals[FP_F_ID] = scoped;
                row.values[FP_F_ID] = scoped;
            }
        }
        char *exported_key = NULL;        /* the key in the dataset exported from, when scoped */
        if (by_dataset && own_export && own.dataset >= 0 && OGR_F_IsFieldSetAndNotNull(f, own.dataset) &&
            vals[FP_F_ID] && *vals[FP_F_ID]) {
            exported_key = vals[FP_F_ID];
            gchar *scoped = g_strdup_printf("%s:%s", OGR_F_GetFieldAsString(f, own.dataset), exported_key);
            vals[FP_F_ID] = strdup(scoped);
            g_free(scoped);
            row.values[FP_F_ID] = vals[FP_F_ID];
        }
        fpi_row_default_country(&row, opts);
        int have_place = (row.values[FP_F_PLACE] && *row.values[FP_F_PLACE]) ||
                         (row.values[FP_F_COUNTRY] && *row.values[FP_F_COUNTRY]);
        unsigned char *blob = NULL;    /* WKB */
        size_t blob_len = 0;
        int kind = FP_REJECT_KINDS;
        const char *prefix = nlayers > 1 ? lname : NULL;
        fp_geom_check chk = { .strict = opts->strict_geometry, .geos = fpi_sink_geos(sink) };
        if (g && kml_icon >= 0 && OGR_F_IsFieldSetAndNotNull(f, kml_icon) && *OGR_F_GetFieldAsString(f, kml_icon) &&
            (kml_tessellate < 0 || !OGR_F_IsFieldSetAndNotNull(f, kml_tessellate))) {
            kind = FP_REJECT_NOT_A_PROJECT;
            snprintf(detail, sizeof detail, "a KML GroundOverlay (an image laid over the map: %.300s), not a placemark",
                     OGR_F_GetFieldAsString(f, kml_icon));
        } else if (!g || OGR_G_IsEmpty(g)) {
            /* A geometry there but empty (a KML <coordinates> of "36.8 -1.3",
             * which GDAL cannot read) with a place: geocoded as a row
             * without one, counted so the unreadable coordinates are seen. */
            row.empty_geometry = g != NULL && have_place;
            if (!have_place) {
                kind = g ? FP_REJECT_EMPTY_GEOMETRY : FP_REJECT_NO_LOCATION;
                snprintf(detail, sizeof detail, "%s", g ? "the geometry is empty (GDAL reads NaN coordinates as empty) and there is no place or country to geocode"
                                                        : "no geometry and no place or country to geocode");
            }
        } else {
            if (ct) {
                if (OGR_G_Transform(g, ct) != OGRERR_NONE) {
                    kind = FP_REJECT_COORD_RANGE;
                    snprintf(detail, sizeof detail, "cannot be transformed from %s to WGS 84", from);
                } else row.reprojected = 1;
            }
            if (kind == FP_REJECT_KINDS) {
                kind = fpi_check_geometry(&g, &chk, detail, sizeof detail);
                if (kind == FP_REJECT_COORD_RANGE && hint_crs && strlen(detail) + 40 < sizeof detail)
                    strcat(detail, " (another CRS? use --crs)");
                res->z_dropped += chk.z_dropped;
                res->repaired += chk.repaired;
                res->clamped += chk.clamped;
            }
            if (kind == FP_REJECT_KINDS && fpi_geometry_to_wkb(g, &blob, &blob_len)) {
                kind = FP_REJECT_INVALID_GEOMETRY;
                snprintf(detail, sizeof detail, "out of memory encoding it");
            }
        }
        if (kind != FP_REJECT_KINDS) {
            if (prefix) snprintf(reason, sizeof reason, "layer %s: %s", prefix, detail);
            else snprintf(reason, sizeof reason, "%s", detail);
            st = row.has_fid ? fpi_sink_reject_fid(sink, feature, row.fid, (fp_reject_kind)kind, reason, raw, raw_len, err)
                             : fpi_sink_reject(sink, 0, feature, (fp_reject_kind)kind, reason, raw, raw_len, err);
        } else {
            json_t *extra = json_object();
            for (int i = 0; i < ncols; i++) {
                int used = 0;
                for (int k = 0; k < FP_F_COUNT; k++) used |= field_col[k] == i;
                if (used || !OGR_F_IsFieldSetAndNotNull(f, i) || (own_export && fpi_is_derived_column(cols[i]))) continue;
                if (i == tags_col && tagged) continue;      /* its tags, one by one, below */
                if (libkml && libkml_unset_field(f, OGR_FD_GetFieldDefn(defn, i), i)) continue;
                json_t *v = field_json(f, OGR_FD_GetFieldDefn(defn, i), i, nested_by_look);
                if (v) json_object_set_new(extra, names.key[i], v);
            }
            if (tagged) osm_tags_to_extra(extra, tag_k, tag_v, field_col, tag_base, tag_keys);
            /* A placement geocode made, as the export recorded it: kept
             * once the rows are stored where the point has not moved. */
            /* The dataset name whole (a cut name would be looked up as
             * another dataset, and a moved point keep its old placement). */
            char method[64] = "", precision[64] = "";
            char *exported_from = NULL;
            if (own_export && own.method >= 0 && OGR_F_IsFieldSetAndNotNull(f, own.method))
                snprintf(method, sizeof method, "%s", OGR_F_GetFieldAsString(f, own.method));
            if (*method && strcmp(method, "input")) {
                if (own.precision >= 0 && OGR_F_IsFieldSetAndNotNull(f, own.precision))
                    snprintf(precision, sizeof precision, "%s", OGR_F_GetFieldAsString(f, own.precision));
                if (own.dataset >= 0 && OGR_F_IsFieldSetAndNotNull(f, own.dataset))
                    exported_from = g_strdup(OGR_F_GetFieldAsString(f, own.dataset));
                row.placed_method = method;
                row.placed_precision = precision;
                row.placed_from = exported_from ? exported_from : "";
                row.placed_key = exported_key;
            }
            /* Which layer, when several contribute rows (a GeoPackage's
             * layer_styles table does not: footprint's own export has it). */
            if (tag_layer && !own_export) {
                /* A property of the layer's own named "layer" keeps the key
                 * for its values, in every feature (one key, one meaning). */
                if (own_layer_field || json_object_get(extra, "layer")) res->layer_tag_left_out++;
                else json_object_set_new(extra, "layer", json_string(lname));
            }
            if (chk.repaired) json_object_set_new(extra, FP_REPAIRED_KEY, json_string(chk.repair_note));
            row.extra = extra;
            row.wkb = blob;
            row.wkb_len = blob_len;
            char layer_prefix[300];
            if (prefix) {
                snprintf(layer_prefix, sizeof layer_prefix, "layer %s: ", prefix);
                row.reason_prefix = layer_prefix;
            }
            st = fpi_sink_store(sink, &row, raw, raw_len, err);
            json_decref(extra);
            g_free(exported_from);
        }
        free(blob);
        if (tag_k) g_ptr_array_free(tag_k, TRUE);
        if (tag_v) g_ptr_array_free(tag_v, TRUE);
        for (int k = 0; k < FP_F_COUNT; k++) free(vals[k]);
        free(exported_key);
        free(raw);
        if (g) OGR_G_DestroyGeometry(g);
        OGR_F_Destroy(f);
        if (st) break;
    }
    if (ct) OCTDestroyCoordinateTransformation(ct);
    fpi_names_free(&names);
    g_ptr_array_free(tag_keys, TRUE);
    free_names(fnames, ncols, path, first_name, res);
    return st;
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

/* Overpass API's own JSON ({"version": 0.6, "generator": "Overpass API",
 * "osm3s": {...}, "elements": [...]}), by its first 4 KB: what an analyst
 * saves from the API, not the GeoJSON Overpass turbo exports. */
static int overpass_json(const char *path)
{
    char head[4097];
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = 0;
    return strstr(head, "\"elements\"") && (strstr(head, "\"osm3s\"") || strstr(head, "Overpass"));
}

/* An OpenStreetMap file by its name (.osm XML, .pbf). */
static int is_osm_path(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return 0;
    return !strcasecmp(dot, ".osm") || !strcasecmp(dot, ".pbf");
}

/* A sheet GDAL read without a header although its first row is all text:
 * GDAL's guess (HEADERS=AUTO) wants a later row that is not all text, so a
 * sheet of text cells (numbers typed as text, as ogr2ogr writes a CSV)
 * comes back as Field1..FieldN, all strings, with the header as data. */
static int sheet_header_missed(OGRLayerH layer)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        char expect[32];
        snprintf(expect, sizeof expect, "Field%d", i + 1);
        if (OGR_Fld_GetType(fd) != OFTString || strcmp(OGR_Fld_GetNameRef(fd), expect)) return 0;
    }
    return n > 0;
}

/* A layer has rows to import: a feature, or for a sheet a row with a
 * non-blank cell (blank sheet rows are skipped as blank CSV lines are). */
static int layer_has_rows(OGRLayerH layer, int spreadsheet)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int table = OGR_FD_GetGeomFieldCount(defn) == 0, found = 0;
    char buf[4096];
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while (!found && (f = OGR_L_GetNextFeature(layer))) {
        if (!(table && spreadsheet)) found = 1;
        for (int i = 0; !found && i < OGR_FD_GetFieldCount(defn); i++) {
            cell_text(f, OGR_FD_GetFieldDefn(defn, i), i, buf, sizeof buf, NULL);
            found = *fpi_trim(buf) != '\0';
        }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(layer);
    return found;
}

/* A table (a sheet) is read only when it has something to locate rows by
 * (import_table_layer skips a read-me): the same test, on a scratch result. */
static int table_usable(const char *path, OGRLayerH layer, const fp_import_options *opts)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ncols = OGR_FD_GetFieldCount(defn);
    const char **cols = calloc(ncols + 1, sizeof *cols);
    fp_import_result *scratch = calloc(1, sizeof *scratch);
    fp_table *t = NULL;
    if (cols && scratch) {
        for (int i = 0; i < ncols; i++) cols[i] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        int with_name = maps_layer_name(cols, ncols, opts);
        if (with_name) cols[ncols] = "layer";
        long fid, ordinal;
        char **tags = layer_hxl_tags(layer, &fid, &ordinal);
        fpi_table_new(path, cols, ncols + with_name, (const char *const *)tags, opts, 1, NULL, scratch, &t, NULL);
        g_strfreev(tags);
    }
    int usable = t != NULL;
    fpi_table_free(t);
    free(scratch);
    free(cols);
    return usable;
}

/* How many layers of a multi-layer source contribute rows (read, not
 * skipped, and not empty), in all and with geometry. A sheet's rows are
 * tagged with extra.layer, and a layer's ids scoped as LAYER:ID, only when
 * several do: a workbook of a read-me and one data sheet stores what the
 * data sheet alone (or its CSV twin) stores, so diff finds no change. */
static void count_contributing(const char *path, GDALDatasetH ds, int spreadsheet, const fp_import_options *opts,
                               const unsigned char *left_out, int *all, int *with_geometry)
{
    *all = *with_geometry = 0;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++) {
        if (left_out && left_out[i]) continue;
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        int geometry = OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(l)) > 0;
        if (!geometry && !table_usable(path, l, opts)) continue;
        if (!layer_has_rows(l, spreadsheet)) continue;
        (*all)++;
        *with_geometry += geometry;
    }
}

/* Whether a layer is footprint's own projects export: geometry, and its
 * columns (their names as exported) source_key, dataset, geocode_method. */
static int own_export_layer(const char *path, const char *driver, OGRLayerH l)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    int n = OGR_FD_GetFieldCount(defn);
    if (OGR_FD_GetGeomFieldCount(defn) == 0 || n == 0) return 0;
    const char **cols = calloc((size_t)n + 1, sizeof *cols);
    if (!cols) return 0;
    for (int i = 0; i < n; i++) cols[i] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    fpi_names names;
    fpi_names_restore(path, OGR_L_GetName(l), driver, cols, n, &names);
    int own = fpi_is_footprint_export((const char *const *)names.match, n);
    fpi_names_free(&names);
    free(cols);
    return own;
}

/* How many datasets footprint's own export layers hold (0, 1 or 2 for
 * more): one layer (only) or every layer not left out. Source keys are
 * unique within a dataset only: an export of several (the whole store,
 * --split-by dataset) read back keyed as it is lost every key two
 * datasets share as a "duplicate id". */
static int own_export_datasets(const char *path, const char *driver, GDALDatasetH ds, const unsigned char *left_out,
                               OGRLayerH only)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int n = only ? 1 : GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n && g_hash_table_size(seen) < 2; i++) {
        OGRLayerH l = only ? only : GDALDatasetGetLayer(ds, i);
        if ((!only && left_out && left_out[i]) || !own_export_layer(path, driver, l)) continue;
        int fi = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "dataset");
        if (fi < 0) continue;
        /* Only the dataset field read: the others and the geometry ignored. */
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
        int nf = OGR_FD_GetFieldCount(defn);
        const char **ignored = calloc((size_t)nf + 3, sizeof *ignored);
        int k = 0;
        for (int j = 0; ignored && j < nf; j++)
            if (j != fi) ignored[k++] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j));
        if (ignored) { ignored[k++] = "OGR_GEOMETRY"; ignored[k++] = "OGR_STYLE"; }
        if (ignored) OGR_L_SetIgnoredFields(l, ignored);
        OGR_L_ResetReading(l);
        OGRFeatureH f;
        while (g_hash_table_size(seen) < 2 && (f = OGR_L_GetNextFeature(l))) {
            if (OGR_F_IsFieldSetAndNotNull(f, fi)) g_hash_table_add(seen, g_strdup(OGR_F_GetFieldAsString(f, fi)));
            OGR_F_Destroy(f);
        }
        OGR_L_SetIgnoredFields(l, NULL);
        OGR_L_ResetReading(l);
        free(ignored);
    }
    int count = (int)g_hash_table_size(seen);
    g_hash_table_destroy(seen);
    return count;
}

/* footprint's hand-off GeoPackage (`footprint run`, `export --format qgz`)
 * holds its projects beside the base map (countries, admin-1, sea,
 * graticules) and the aggregations: read back, only the projects layers
 * are the projects; the rest, 5,000 polygons and lines, flooded the
 * dataset. Marks the other layers in left_out and names them in the
 * summary; 0 (nothing marked) when no layer is footprint's own. */
static int leave_out_all_but_own(const char *path, const char *driver, GDALDatasetH ds, unsigned char *left_out,
                                 const fp_import_options *opts, fp_import_result *res)
{
    int n = GDALDatasetGetLayerCount(ds), own = 0;
    for (int i = 0; i < n; i++) own += !(left_out[i] = !own_export_layer(path, driver, GDALDatasetGetLayer(ds, i)));
    if (!own) {
        memset(left_out, 0, (size_t)n);
        return 0;
    }
    /* The names, as many as the summary's line holds, then how many more. */
    GString *read = g_string_new(NULL), *out = g_string_new(NULL);
    int more = 0;
    for (int i = 0; i < n; i++) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        /* A table nothing could be imported from (layer_styles) goes unnamed. */
        if (left_out[i] && OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(l)) == 0 && !table_usable(path, l, opts)) continue;
        GString *to = left_out[i] ? out : read;
        if (to->len > 180) { more += left_out[i]; continue; }
        g_string_append_printf(to, "%s%s", to->len ? ", " : "", OGR_L_GetName(l));
    }
    if (more) g_string_append_printf(out, " and %d more", more);
    if (out->len)
        snprintf(res->layers_left_out, sizeof res->layers_left_out, "footprint's own export: only its projects (layer%s "
                 "%s) read; left out: %s (--layer NAME reads one of them)", own > 1 ? "s" : "", read->str, out->str);
    g_string_free(read, TRUE);
    g_string_free(out, TRUE);
    return 1;
}

/* GDAL's GPX driver reads each route and track twice: as a line (layers
 * routes, tracks) and as its vertices, one point feature each (layers
 * route_points, track_points): a track of 300 points became 300 projects.
 * The point layers are left out unless --layer names one, and the note
 * names those that hold points. 0 when the source is not a GPX file. */
static int leave_out_gpx_points(const char *driver, GDALDatasetH ds, unsigned char *left_out, fp_import_result *res)
{
    if (strcmp(driver, "GPX")) return 0;
    GString *names = g_string_new(NULL);
    const char *example = NULL;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        const char *name = OGR_L_GetName(l);
        if (strcmp(name, "route_points") && strcmp(name, "track_points")) continue;
        left_out[i] = 1;
        GIntBig n = OGR_L_GetFeatureCount(l, 1);
        if (n <= 0) continue;           /* no routes (tracks): nothing to say */
        g_string_append_printf(names, "%s%s (%lld point%s)", names->len ? ", " : "", name, (long long)n,
                               n == 1 ? "" : "s");
        if (!example || !strcmp(name, "track_points")) example = name;
    }
    if (example)
        snprintf(res->layers_left_out, sizeof res->layers_left_out, "GPX: left out %s: the vertices of the routes "
                 "and tracks, which are read as lines (layers routes, tracks); --layer %s reads them as points",
                 names->str, example);
    g_string_free(names, TRUE);
    return 1;
}

/* The KML text of a KML or KMZ source: the file itself, or a KMZ's
 * doc.kml (else the first .kml at its root, as GDAL takes it), read
 * through GDAL's /vsizip/. NULL when there is none (or it is over 256 MB);
 * freed with VSIFree. */
static char *kml_text(const char *path)
{
    GByte *buf = NULL;
    vsi_l_offset size = 0;
    if (!VSIIngestFile(NULL, path, &buf, &size, 256 << 20)) return NULL;
    if (size < 4 || memcmp(buf, "PK\x03\x04", 4)) return (char *)buf;   /* a .kml; VSIIngestFile ends it with a NUL */
    VSIFree(buf);
    buf = NULL;
    gchar *zip = g_strdup_printf("/vsizip/%s", path);
    char **names = VSIReadDir(zip);
    const char *inner = NULL;
    for (int i = 0; names && names[i]; i++) {
        size_t n = strlen(names[i]);
        if (!strcasecmp(names[i], "doc.kml")) { inner = names[i]; break; }
        if (!inner && n > 4 && !strcasecmp(names[i] + n - 4, ".kml")) inner = names[i];
    }
    if (inner) {
        gchar *member = g_strdup_printf("%s/%s", zip, inner);
        if (!VSIIngestFile(NULL, member, &buf, &size, 256 << 20)) buf = NULL;
        g_free(member);
    }
    CSLDestroy(names);
    g_free(zip);
    return (char *)buf;
}

/* The text of the first <TAG>...</TAG> in [from, to), trimmed, its CDATA
 * markers and &amp; undone, in out; 0 when there is none. */
static int element_text(const char *from, const char *to, const char *tag, char *out, size_t size)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = g_strstr_len(from, to - from, open);
    if (!a) return 0;
    a += strlen(open);
    const char *b = g_strstr_len(a, to - a, close);
    if (!b) return 0;
    while (a < b && g_ascii_isspace(*a)) a++;
    while (b > a && g_ascii_isspace(b[-1])) b--;
    if (b - a >= 12 && !strncmp(a, "<![CDATA[", 9) && !strncmp(b - 3, "]]>", 3)) { a += 9; b -= 3; }
    size_t k = 0;
    for (const char *c = a; c < b && k + 1 < size; c++) {
        if (!strncmp(c, "&amp;", 5) && c + 5 <= b) { out[k++] = '&'; c += 4; }
        else out[k++] = *c;
    }
    out[k] = '\0';
    return k > 0;
}

/* A KML's <NetworkLink>s to http(s) files: Google Earth fetches them,
 * GDAL does not, and a file of links alone read as 0 rows without a word.
 * They are named in a note (a link to a file inside the KMZ is followed by
 * GDAL, and says nothing). Returns how many there are. */
static int note_network_links(const char *path, fp_import_result *res)
{
    char *text = kml_text(path);
    if (!text) return 0;
    GString *list = g_string_new(NULL);
    int count = 0;
    for (const char *p = text; (p = strstr(p, "NetworkLink")); p += 11) {
        /* An opening tag (<NetworkLink> or <kml:NetworkLink id=...>), not
         * a closing one nor <NetworkLinkControl>. */
        if (p == text || (p[-1] != '<' && p[-1] != ':') || !(p[11] == '>' || g_ascii_isspace(p[11]))) continue;
        const char *end = strstr(p + 11, "NetworkLink>");
        if (!end) end = p + strlen(p);
        char name[160] = "", href[400] = "";
        element_text(p, end, "name", name, sizeof name);
        if (!element_text(p, end, "href", href, sizeof href)) continue;
        if (g_ascii_strncasecmp(href, "http://", 7) && g_ascii_strncasecmp(href, "https://", 8)) continue;
        if (count++ < 4) {
            if (name[0]) g_string_append_printf(list, "%s'%s' (%s)", list->len ? ", " : "", name, href);
            else g_string_append_printf(list, "%s%s", list->len ? ", " : "", href);
        }
    }
    if (count > 4) g_string_append_printf(list, " and %d more", count - 4);
    if (count == 1)
        snprintf(res->network_links, sizeof res->network_links, "network link %s not followed by footprint: download "
                 "the linked file and import it", list->str);
    else if (count > 1)
        snprintf(res->network_links, sizeof res->network_links, "%d network links not followed by footprint: %s; "
                 "download the linked files and import them", count, list->str);
    g_string_free(list, TRUE);
    VSIFree(text);
    return count;
}

/* --encoding for a GIS file: a driver with an ENCODING open option (the
 * Shapefile's, for a DBF without .cpg or language byte, or one that says
 * wrongly) gets it: the dataset is opened again with it. Other formats' text
 * is Unicode by definition (XLSX, ODS, GeoPackage, GeoJSON): ignored, and
 * the summary says so. *ds is NULL when it could not be opened again. */
static int takes_encoding(GDALDatasetH ds)
{
    const char *list = GDALGetMetadataItem(GDALGetDatasetDriver(ds), GDAL_DMD_OPENOPTIONLIST, NULL);
    return list && strstr(list, "name='ENCODING'");
}

static void apply_encoding(const char *path, GDALDatasetH *ds, const fp_import_options *opts, fp_import_result *res)
{
    const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(*ds));
    if (!takes_encoding(*ds)) {
        snprintf(res->encoding_note, sizeof res->encoding_note, "--encoding %.64s does not apply to %s files "
                 "(GDAL reads their text as Unicode): ignored", opts->encoding, driver);
        return;
    }
    char **oo = CSLSetNameValue(NULL, "ENCODING", opts->encoding);
    GDALClose(*ds);
    *ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, fpi_gdal_input_drivers(), (const char *const *)oo, NULL);
    CSLDestroy(oo);
    snprintf(res->encoding_note, sizeof res->encoding_note, "text read as %.64s (--encoding, GDAL's %s ENCODING "
             "open option, instead of what the file declares)", opts->encoding, driver);
}

fp_status fpi_import_ogr(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err)
{
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    fpi_gdal_errors opening;
    /* GeoJSON dates stay the text they are ("2011-12-29"), not OGR dates;
     * other drivers ignore the option (their dates are written in ISO 8601
     * by field_json). */
    static const char *const open_options[] = { "DATE_AS_STRING=YES", NULL };
    const char *const *oo = is_geojson_path(path) ? open_options : NULL;
    const int given_crs = opts->crs && *opts->crs;
    char crs_problem[400] = "", ctype[32], cvalue[256];
    /* A GeoJSON crs member that is a link is refused before GDAL opens the
     * file, which would download it. */
    if (!given_crs && oo && fpi_geojson_crs_member(path, ctype, sizeof ctype, cvalue, sizeof cvalue) &&
        (!strcasecmp(ctype, "link") || !strcasecmp(ctype, "url"))) {
        return fp_error_set(err, FP_ERR_INPUT, "%s: its crs member is a link (%.200s), which footprint does not follow; "
                            "nothing of this import was stored (--crs names the CRS to read it in)", path, cvalue);
    }
    /* A Shapefile whose .shx and .dbf disagree, or without its .dbf: GDAL
     * reads what it can without a word (the extra records left out, the
     * features without attributes), and an import of the .shp alone is
     * "already imported" once the .dbf is found, its checksum the same. */
    char parts[700];
    if (fpi_shapefile_parts_problem(path, parts, sizeof parts))
        return fp_error_set(err, FP_ERR_INPUT, "%s: %s; nothing of this import was stored", path, parts);
    if (fpi_sqlite_source_problem(path, parts, sizeof parts))
        return fp_error_set(err, FP_ERR_INPUT, "%s: %s; nothing of this import was stored", path, parts);
    /* GDAL's OSM driver indexes nodes its own way by default, which needs
     * their ids in increasing order, as planet extracts have them, and
     * refuses a file written otherwise as damaged ("Non increasing node
     * id"): a hand-edited or merged .osm. Its SQLite index takes any order
     * (read when the file opens); the user's own setting wins. */
    int osm_index = is_osm_path(path) && !CPLGetConfigOption("OSM_USE_CUSTOM_INDEXING", NULL);
    if (osm_index) CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", "NO");
    GDALDatasetH ds = fpi_gdal_open_vector(path, oo, &opening);
    if (osm_index) CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", NULL);
    if (!ds && overpass_json(path))
        return fp_error_set(err, FP_ERR_INPUT, "%s: Overpass API JSON (its \"elements\"), which GDAL does not read: "
                            "export GeoJSON from Overpass turbo (Export > GeoJSON), or ask the API for XML "
                            "([out:xml]) and import the .osm; nothing of this import was stored", path);
    if (!ds)
        return fp_error_set(err, FP_ERR_INPUT, "%s: not a file GDAL can read as vectors%s%s", path,
                            opening.text[0] ? ": " : "", opening.text);
    /* GDAL opens a source whose CRS it cannot interpret (a GeoJSON crs
     * member naming an unknown EPSG code, a link; a Shapefile's .prj it
     * cannot parse) and reads it as WGS 84: refused rather than misread,
     * naming what declares the CRS, unless --crs says which CRS it is. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int problem = fpi_declared_crs_problem(ds, path, opening.crs_failure, opening.text, crs_problem, sizeof crs_problem);
    CPLPopErrorHandler();
    if (problem && !given_crs) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        GDALClose(ds);
        CPLPopErrorHandler();
        return fp_error_set(err, FP_ERR_INPUT, "%s: %s; nothing of this import was stored (--crs names the CRS to read "
                            "it in)", path, crs_problem);
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (opts->encoding && (apply_encoding(path, &ds, opts, res), !ds)) {
        CPLPopErrorHandler();
        return fp_error_set(err, FP_ERR_INPUT, "%s: GDAL cannot read it with ENCODING=%s", path, opts->encoding);
    }
    const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    snprintf(res->format, sizeof res->format, "%s", driver);
    res->encoding_applies = takes_encoding(ds);
    int spreadsheet = fpi_driver_is_spreadsheet(driver);
    int network_links = !strcmp(driver, "LIBKML") || !strcmp(driver, "KML") ? note_network_links(path, res) : 0;
    /* A sheet whose first row is all text has a header: GDAL 3.6 takes
     * OGR_<DRIVER>_HEADERS=FORCE as a configuration option (GDAL 3.8 adds
     * the HEADERS open option); set for this thread while the layers are
     * read, as the drivers read sheets lazily. */
    char headers_key[32] = "";
    if (spreadsheet) {
        int missed = 0;
        if (opts->layer) {
            OGRLayerH l = GDALDatasetGetLayerByName(ds, opts->layer);
            missed = l && sheet_header_missed(l);
        } else {
            for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
                missed |= sheet_header_missed(GDALDatasetGetLayer(ds, i));
        }
        if (missed) {
            GDALClose(ds);
            snprintf(headers_key, sizeof headers_key, "OGR_%s_HEADERS", driver);
            CPLSetThreadLocalConfigOption(headers_key, "FORCE");
            ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, fpi_gdal_input_drivers(), NULL, NULL);
            if (!ds) {
                CPLSetThreadLocalConfigOption(headers_key, NULL);
                CPLPopErrorHandler();
                return fp_error_set(err, FP_ERR_INPUT, "%s: GDAL cannot read it again with its first row as header", path);
            }
        }
    }
    /* footprint's own KML export: read again with the LIBKML driver's fields
     * for KML's elements under footprint's names (util.h), as the export
     * wrote it. GDAL's reader otherwise takes the Placemark's <name>, the
     * project's name or else its id, for the field `name` and hides the
     * ExtendedData of that name, so a project without a name came back
     * named by its id; and an attribute named like an element (visibility,
     * begin) was read as that element. */
    int kml_private = 0;
    if (!strcmp(driver, "LIBKML")) {
        int own = 0;
        for (int i = 0; i < GDALDatasetGetLayerCount(ds) && !own; i++)
            own = own_export_layer(path, driver, GDALDatasetGetLayer(ds, i));
        if (own) {
            GDALClose(ds);
            fpi_libkml_private_fields(1);
            kml_private = 1;
            ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, fpi_gdal_input_drivers(), NULL, NULL);
            if (!ds) {
                fpi_libkml_private_fields(0);
                CPLPopErrorHandler();
                return fp_error_set(err, FP_ERR_INPUT, "%s: GDAL cannot read it again as footprint's own KML export", path);
            }
        }
    }
    fp_status st = FP_OK;
    int nlayers = GDALDatasetGetLayerCount(ds), contributing = 0, with_geometry = 0, skipped = 0;
    unsigned char *left_out = NULL;
    if (!opts->layer && nlayers > 1) {
        left_out = calloc((size_t)nlayers, 1);
        if (left_out && !leave_out_all_but_own(path, driver, ds, left_out, opts, res) &&
            !leave_out_gpx_points(driver, ds, left_out, res)) {
            free(left_out);
            left_out = NULL;
        }
        count_contributing(path, ds, spreadsheet, opts, left_out, &contributing, &with_geometry);
    }
    int seq = !strcmp(driver, "GeoJSONSeq");
    OGRLayerH only = opts->layer ? GDALDatasetGetLayerByName(ds, opts->layer) : NULL;
    int by_dataset = nlayers > 0 && own_export_datasets(path, driver, ds, left_out, only) > 1;
    if (by_dataset)
        snprintf(res->ids_note, sizeof res->ids_note,
                 "footprint's own export of several datasets: ids read as DATASET:ID (a source key is unique within "
                 "its dataset only)");
    if (opts->layer) {
        OGRLayerH l = only;
        if (!l) {
            /* The names there are, so the user need not run ogrinfo. */
            GString *names = g_string_new(NULL);
            for (int i = 0; i < nlayers; i++) {
                if (names->len > 300) { g_string_append_printf(names, " and %d more", nlayers - i); break; }
                g_string_append_printf(names, "%s'%s'", i ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
            }
            st = fp_error_set(err, FP_ERR_INPUT, "%s: no layer named '%s'; its %s: %s", path, opts->layer,
                              spreadsheet ? (nlayers == 1 ? "sheet is" : "sheets are")
                                          : (nlayers == 1 ? "layer is" : "layers are"),
                              nlayers ? names->str : "(none)");
            g_string_free(names, TRUE);
        }
        else st = import_layer(sink, path, l, 1, spreadsheet, seq, 0, 0, by_dataset, opts, res, &skipped, err);
    } else if (nlayers == 0) {
        st = fp_error_set(err, FP_ERR_INPUT, "%s: no layers", path);
    } else {
        int tried = 0;
        for (int i = 0; i < nlayers && st == FP_OK; i++)
            if (!left_out || !left_out[i]) {
                tried++;
                st = import_layer(sink, path, GDALDatasetGetLayer(ds, i), nlayers, spreadsheet, seq, with_geometry > 1,
                                  contributing > 1, by_dataset, opts, res, &skipped, err);
            }
        /* Every sheet skipped: nothing could be read, which is not a
         * success of 0 rows (a lone such sheet is refused, naming its
         * columns). */
        if (st == FP_OK && tried > 0 && skipped == tried)
            st = fp_error_set(err, FP_ERR_INPUT, "%s: no %s has a coordinate, WKT, place or country column (%s); "
                              "--layer NAME imports one %s, naming its columns (then --lon/--lat, --wkt or --map "
                              "place=COLUMN); nothing of this import was stored", path, spreadsheet ? "sheet" : "layer",
                              res->layers, spreadsheet ? "sheet" : "layer");
    }
    free(left_out);
    GDALClose(ds);
    if (headers_key[0]) CPLSetThreadLocalConfigOption(headers_key, NULL);
    if (kml_private) fpi_libkml_private_fields(0);
    CPLPopErrorHandler();
    if (!st && res->rows_read == 0) res->network_links_only = network_links;
    if (!st && problem)
        snprintf(res->crs_overridden, sizeof res->crs_overridden, "--crs %s read instead of the file's CRS: %s",
                 opts->crs, crs_problem);
    return st;
}
