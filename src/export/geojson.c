/* A streaming GeoJSON writer, strictly RFC 7946:
 *   - lon/lat WGS 84 and no `crs` member;
 *   - polygon exteriors counter-clockwise, holes clockwise (section 3.1.6);
 *   - geometries crossing the antimeridian cut in two (3.1.9);
 *   - coordinates to --precision decimals, trailing zeros dropped;
 *   - numbers always valid JSON: NaN and infinities become null;
 *   - a numeric feature `id`, optional `bbox`, strings escaped as JSON needs.
 * GeoJSONSeq (RFC 8142) writes each feature as RS, the feature, LF.
 *
 * Why our own: GDAL's writer (ogr2ogr -lco RFC7946=YES) takes about 5 s for
 * a million points here; `make bench` keeps the comparison. The `extra`
 * column (arbitrary JSON) is parsed and re-encoded with jansson. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <jansson.h>
#include "export_internal.h"
#include "common/util.h"
#include "common/numfmt.h"
#include "geom/geom.h"
#include "common/json_util.h"

/* One writer per file: the stdio lock per character is pure cost. */
#define fputc(c, f) putc_unlocked((c), (f))
#define fputs(s, f) fputs_unlocked((s), (f))
#define fwrite(p, a, b, f) fwrite_unlocked((p), (a), (b), (f))

typedef struct out {
    FILE *f;
    int precision;
    double bbox[4];               /* over everything written */
    double fbox[4];               /* the current feature */
    double east_min, west_max;    /* its least x >= 0 and greatest x < 0 */
    int spans_zero;               /* a segment of it runs from x < 0 to x >= 0 */
} out;

static void box_reset(double b[4])
{
    b[0] = b[1] = HUGE_VAL;
    b[2] = b[3] = -HUGE_VAL;
}

static void box_add(double b[4], double x, double y)
{
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
}

/* A coordinate rounded to `precision` decimals, without trailing zeros.
 * Integer arithmetic for the usual case (printf's exact decimal expansion
 * was a fifth of the export's time); printf beyond it. */
static void put_number(out *o, double v)
{
    char buf[64];
    static const double scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
    if (o->precision <= 9 && fabs(v) < 1e8) {
        long long q = llround(fabs(v) * scale[o->precision]);
        long long p10 = (long long)scale[o->precision], ip = q / p10, fp = q % p10;
        int n = 0;
        if (v < 0 && q) buf[n++] = '-';
        n += (int)fpi_format_int(ip, buf + n);
        if (fp) {
            char frac[16];
            int d = o->precision;
            frac[d] = 0;
            for (int i = d - 1; i >= 0; i--) { frac[i] = (char)('0' + fp % 10); fp /= 10; }
            while (d > 0 && frac[d - 1] == '0') frac[--d] = 0;
            buf[n++] = '.';
            memcpy(buf + n, frac, (size_t)d);
            n += d;
        }
        fwrite(buf, 1, (size_t)n, o->f);
        return;
    }
    int n = snprintf(buf, sizeof buf, "%.*f", o->precision, v);
    if (o->precision > 0) {
        while (n > 0 && buf[n - 1] == '0') n--;
        if (n > 0 && buf[n - 1] == '.') n--;
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; n = 1; }   /* no "-0" */
    fwrite(buf, 1, (size_t)n, o->f);
}

static void put_position(out *o, double x, double y)
{
    fputc('[', o->f);
    put_number(o, x);
    fputc(',', o->f);
    put_number(o, y);
    fputc(']', o->f);
    box_add(o->fbox, x, y);
    if (x >= 0) { if (x < o->east_min) o->east_min = x; }
    else if (x > o->west_max) o->west_max = x;
}

/* A feature cut at the antimeridian (parts at 180 and at -180) gets its
 * bbox in RFC 7946 5.2's form, west > east ([170, s, -170, n]), when that
 * box is the narrower: [-180, s, 180, n] made a web map's fitBounds show
 * the whole world for a cable from Fiji to Samoa. */
static void feature_bbox(const out *o, double b[4])
{
    memcpy(b, o->fbox, 4 * sizeof *b);
    /* A segment across the prime meridian covers the gap between the
     * eastern and western points: no box across 180 holds it (a line
     * round the equator, a band, a part from -10 to 10). */
    if (o->fbox[0] > -180 || o->fbox[2] < 180 || o->spans_zero) return;
    double across = (180 - o->east_min) + (o->west_max + 180);
    if (o->east_min <= 180 && o->west_max >= -180 && across < o->fbox[2] - o->fbox[0]) {
        b[0] = o->east_min;
        b[2] = o->west_max;
    }
}

/* JSON string with the escapes RFC 8259 requires (the store holds valid UTF-8). */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    /* Runs of characters that need no escape go out in one fwrite. */
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (;; p++) {
        unsigned char ch = *p;
        if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
        if (p > run) fwrite(run, 1, (size_t)(p - run), f);
        if (!ch) break;
        switch (ch) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default: fprintf(f, "\\u%04x", ch);
        }
        run = p + 1;
    }
    fputc('"', f);
}

static void put_real(FILE *f, double v)
{
    if (!isfinite(v)) { fputs("null", f); return; }
    char buf[40];
    fwrite(buf, 1, fpi_format_real(v, buf), f);     /* %.15g, or 16/17 digits where needed to read back the same */
}

static void put_int(FILE *f, long long v)
{
    char buf[24];
    fwrite(buf, 1, fpi_format_int(v, buf), f);
}

/* Signed area (shoelace) of a coordinate sequence: > 0 counter-clockwise. */
static double signed_area(GEOSContextHandle_t h, const GEOSCoordSequence *cs, unsigned n)
{
    double a = 0, x0, y0, x1, y1;
    if (n < 3) return 0;
    GEOSCoordSeq_getXY_r(h, cs, 0, &x0, &y0);
    for (unsigned i = 1; i < n; i++) {
        GEOSCoordSeq_getXY_r(h, cs, i, &x1, &y1);
        a += (x0 * y1 - x1 * y0);
        x0 = x1;
        y0 = y1;
    }
    return a / 2;
}

/* ccw: 1 exterior (counter-clockwise), 0 hole (clockwise), -1 as stored. */
static void put_sequence(out *o, GEOSContextHandle_t h, const GEOSCoordSequence *cs, int ccw)
{
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    int reverse = ccw >= 0 && ((signed_area(h, cs, n) > 0) != (ccw == 1));
    fputc('[', o->f);
    double prev_x = 0;
    for (unsigned k = 0; k < n; k++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, reverse ? n - 1 - k : k, &x, &y);
        if (k) fputc(',', o->f);
        if (k && (x < 0) != (prev_x < 0)) o->spans_zero = 1;
        put_position(o, x, y);
        prev_x = x;
    }
    fputc(']', o->f);
}

static void put_polygon_rings(out *o, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    fputc('[', o->f);
    put_sequence(o, h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), 1);
    int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int i = 0; i < holes; i++) {
        fputc(',', o->f);
        put_sequence(o, h, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)), 0);
    }
    fputc(']', o->f);
}

static void put_geometry(out *o, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g), n = GEOSGetNumGeometries_r(h, g);
    switch (type) {
    case GEOS_POINT: {
        double x, y;
        GEOSGeomGetX_r(h, g, &x);
        GEOSGeomGetY_r(h, g, &y);
        fputs("{\"type\":\"Point\",\"coordinates\":", o->f);
        put_position(o, x, y);
        break;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        fputs("{\"type\":\"LineString\",\"coordinates\":", o->f);
        put_sequence(o, h, GEOSGeom_getCoordSeq_r(h, g), -1);
        break;
    case GEOS_POLYGON:
        fputs("{\"type\":\"Polygon\",\"coordinates\":", o->f);
        put_polygon_rings(o, h, g);
        break;
    case GEOS_MULTIPOINT:
        fputs("{\"type\":\"MultiPoint\",\"coordinates\":[", o->f);
        for (int i = 0; i < n; i++) {
            double x, y;
            const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
            GEOSGeomGetX_r(h, p, &x);
            GEOSGeomGetY_r(h, p, &y);
            if (i) fputc(',', o->f);
            put_position(o, x, y);
        }
        fputc(']', o->f);
        break;
    case GEOS_MULTILINESTRING:
        fputs("{\"type\":\"MultiLineString\",\"coordinates\":[", o->f);
        for (int i = 0; i < n; i++) {
            if (i) fputc(',', o->f);
            put_sequence(o, h, GEOSGeom_getCoordSeq_r(h, GEOSGetGeometryN_r(h, g, i)), -1);
        }
        fputc(']', o->f);
        break;
    case GEOS_MULTIPOLYGON:
        fputs("{\"type\":\"MultiPolygon\",\"coordinates\":[", o->f);
        for (int i = 0; i < n; i++) {
            if (i) fputc(',', o->f);
            put_polygon_rings(o, h, GEOSGetGeometryN_r(h, g, i));
        }
        fputc(']', o->f);
        break;
    default:
        fputs("{\"type\":\"GeometryCollection\",\"geometries\":[", o->f);
        for (int i = 0; i < n; i++) {
            if (i) fputc(',', o->f);
            put_geometry(o, h, GEOSGetGeometryN_r(h, g, i));
        }
        fputc(']', o->f);
        break;
    }
    fputc('}', o->f);
}

static void put_bbox(FILE *f, const double b[4], int precision)
{
    out tmp = { .f = f, .precision = precision };
    fputs("\"bbox\":[", f);
    for (int i = 0; i < 4; i++) {
        if (i) fputc(',', f);
        put_number(&tmp, b[i]);
    }
    fputc(']', f);
}

/* Properties of the current row, under the names fpi_layer_field_names
 * gave (names[0] is "id", the feature's id, not a property). */
static void put_properties(fp_layer *l, char **names, FILE *f)
{
    fp_rows *r = l->rows;
    fputs("\"properties\":{", f);
    int first = 1, fi = 1;
    for (int c = 0; c < l->ncolumns; c++) {
        int col = c + 2;
        if (c == l->extra_col) continue;
        if (l->columns[c].left_out) { fi++; continue; }
        if (!first) fputc(',', f);
        first = 0;
        put_string(f, names[fi++]);
        fputc(':', f);
        /* A value as stored: a number in a text column is written as text. */
        switch (fp_rows_value_type(r, col)) {
        case 'n': fputs("null", f); break;
        case 'i':
            if (l->columns[c].type == FP_COL_TEXT) put_string(f, fp_rows_text(r, col));
            else put_int(f, (long long)fp_rows_int64(r, col));
            break;
        case 'r':
            if (l->columns[c].type == FP_COL_TEXT) put_string(f, fp_rows_text(r, col));
            else put_real(f, fp_rows_double(r, col));
            break;
        default:
            put_string(f, fp_rows_text(r, col));
        }
    }
    if (l->classes) {
        double v = fp_rows_is_null(r, l->class_col + 2) ? NAN : fp_rows_double(r, l->class_col + 2);
        int k = fp_classes_index(l->classes, v);
        char hex[10];
        fp_rgba_to_hex(k >= 0 ? l->classes->colors[k] : l->classes->nodata, hex);
        fputs(first ? "" : ",", f);
        put_string(f, names[fi]);
        fputc(':', f);
        if (k >= 0) fprintf(f, "%d", k + 1); else fputs("null", f);
        fputc(',', f);
        put_string(f, names[fi + 1]);
        fputc(':', f);
        put_string(f, hex);
        first = 0;
        fi += 2;
    }
    /* The input's other columns, flattened (names: fpi_layer_field_names). */
    if (l->extra_col >= 0 && fp_rows_value_type(r, l->extra_col + 2) == 't') {
        json_t *obj = json_loads(fp_rows_text(r, l->extra_col + 2), 0, NULL);
        const char *key;
        json_t *value;
        if (json_is_object(obj)) {
            json_object_foreach(obj, key, value) {
                int k = l->extra_index ? GPOINTER_TO_INT(g_hash_table_lookup(l->extra_index, key)) - 1 : -1;
                fputs(first ? "" : ",", f);
                first = 0;
                put_string(f, k >= 0 ? names[fi + k] : key);
                fputc(':', f);
                if (json_is_real(value) && !isfinite(json_real_value(value))) { fputs("null", f); continue; }
                char *text = fpi_json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
                fputs(text ? text : "null", f);
                free(text);
            }
        }
        json_decref(obj);
    }
    fputc('}', f);
}

GEOSGeometry *fpi_geom_to_geos(GEOSContextHandle_t h, const fp_geom *g)
{
    return g->is_point || !g->wkb ? NULL : fpi_wkb_to_geos(h, g->wkb, g->wkb_len);
}

fp_status fpi_geojson_write(fp_layer *l, const char *path, const fp_write_options *wo, long *features, fp_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    /* A 64 KiB stdio buffer of this call's own (freed after fclose). */
    char *buffer = malloc(1 << 16);
    if (buffer) setvbuf(f, buffer, _IOFBF, 1 << 16);
    out o = { .f = f, .precision = wo->precision };
    box_reset(o.bbox);
    GEOSContextHandle_t h = GEOS_init_r();
    int nnames = 0;
    char **names = fpi_layer_field_names(l, 0, fpi_reserved_field_name, &nnames);
    if (!wo->seq) {
        fputs("{\"type\":\"FeatureCollection\",\"name\":", f);
        put_string(f, l->name);
        if (l->description) { fputs(",\"description\":", f); put_string(f, l->description); }
        if (wo->attribution) { fputs(",\"attribution\":", f); put_string(f, wo->attribution); }
        fputs(",\"features\":[\n", f);
    }
    long n = 0;
    fp_status st = FP_OK;
    while (fp_rows_next(l->rows)) {
        if (fp_context_cancelled(wo->ctx)) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted"); break; }
        box_reset(o.fbox);
        o.east_min = HUGE_VAL;
        o.west_max = -HUGE_VAL;
        o.spans_zero = 0;
        if (wo->seq) fputc(0x1E, f);
        else if (n) fputs(",\n", f);
        fputs("{\"type\":\"Feature\",\"id\":", f);
        put_int(f, (long long)fp_rows_int64(l->rows, 0));
        fputs(",\"geometry\":", f);
        fp_geom geom;
        int has = fp_rows_geom(l->rows, 1, 0, &geom);
        if (has < 0) break;                        /* the cursor's status says why */
        if (has) fpi_layer_note_geometry(l, &geom);
        GEOSGeometry *g = has ? fpi_geom_to_geos(h, &geom) : NULL;
        if (has && geom.is_point) {
            fputs("{\"type\":\"Point\",\"coordinates\":", f);
            put_position(&o, geom.x, geom.y);
            fputc('}', f);
        } else if (g) {
            put_geometry(&o, h, g);
            GEOSGeom_destroy_r(h, g);
        } else {
            fputs("null", f);
        }
        fputc(',', f);
        if (wo->bbox && o.fbox[0] <= o.fbox[2]) {
            double b[4];
            feature_bbox(&o, b);
            put_bbox(f, b, wo->precision);
            fputc(',', f);
        }
        put_properties(l, names, f);
        fpi_layer_note_row(l);
        fputc('}', f);
        if (wo->seq) fputc('\n', f);
        if (o.fbox[0] <= o.fbox[2]) {
            box_add(o.bbox, o.fbox[0], o.fbox[1]);
            box_add(o.bbox, o.fbox[2], o.fbox[3]);
        }
        n++;
    }
    if (!st) st = fp_rows_status(l->rows, err);
    if (!wo->seq) {
        fputs("\n]", f);
        if (wo->bbox && o.bbox[0] <= o.bbox[2]) {
            fputc(',', f);
            put_bbox(f, o.bbox, wo->precision);
        }
        fputs("}\n", f);
    }
    GEOS_finish_r(h);
    /* Where a property had to be renamed, NAME.fields.csv says so. */
    if (!st) {
        int nsrc = 0;
        char **props = fpi_layer_source_names(l, &nsrc);
        char *map_path = g_strdup_printf("%.*s.fields.csv", (int)(strrchr(path, '.') - path), path);
        st = fpi_write_field_map(map_path, fpi_field_map_format(".geojson"), NULL, props, names, nnames, 0, err);
        g_free(map_path);
        g_strfreev(props);
    }
    g_strfreev(names);
    if (fflush(f) != 0 || ferror(f)) {
        if (!st) st = fp_error_set(err, FP_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    }
    if (fclose(f) != 0 && !st) st = fp_error_set(err, FP_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    free(buffer);
    *features = n;
    return st;
}
