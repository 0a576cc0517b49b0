/* OGR helpers shared by the stages that read layers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <glib.h>
#include <jansson.h>
#include "common/gdal_api.h"
#include "common/util.h"

static void collect_errors(CPLErr level, CPLErrorNum num, const char *msg)
{
    (void)num;
    fpi_gdal_errors *e = CPLGetErrorHandlerUserData();
    if (!e || level < CE_Failure || !msg) return;
    e->failures++;
    if (strstr(msg, "PROJ") || strstr(msg, "crs") || strstr(msg, "CRS") || strstr(msg, "SRS"))
        e->crs_failure = 1;
    size_t len = strlen(e->text);
    if (len + 8 < sizeof e->text && !strstr(e->text, msg))
        snprintf(e->text + len, sizeof e->text - len, "%s%s", len ? "; " : "", msg);
}

/* The LIBKML driver's options naming a field that becomes a KML element
 * (GDAL 3.6, ogrlibkmlfield.cpp), as LIBKML_<element>_FIELD. */
static const char *const libkml_field_options[] = {
    "NAME", "DESCRIPTION", "TIMESTAMP", "BEGIN", "END", "ALTITUDEMODE", "TESSELLATE", "EXTRUDE", "VISIBILITY",
    "DRAWORDER", "ICON", "SNIPPET", "HEADING", "TILT", "ROLL", "SCALE_X", "SCALE_Y", "SCALE_Z", "MODEL",
    "NETWORKLINK", "NETWORKLINK_REFRESHVISIBILITY", "NETWORKLINK_FLYTOVIEW", "NETWORKLINK_REFRESHMODE",
    "NETWORKLINK_REFRESHINTERVAL", "NETWORKLINK_VIEWREFRESHMODE", "NETWORKLINK_VIEWREFRESHTIME",
    "NETWORKLINK_VIEWBOUNDSCALE", "NETWORKLINK_VIEWFORMAT", "NETWORKLINK_HTTPQUERY", "CAMERA_LONGITUDE",
    "CAMERA_LATITUDE", "CAMERA_ALTITUDE", "CAMERA_ALTITUDEMODE", "PHOTOOVERLAY", "PHOTOOVERLAY_SHAPE", "LEFTFOV",
    "RIGHTFOV", "BOTTOMFOV", "TOPFOV", "NEARFOV", NULL };

void fpi_libkml_private_fields(int on)
{
    for (int i = 0; libkml_field_options[i]; i++) {
        char key[64], value[64];
        snprintf(key, sizeof key, "LIBKML_%s_FIELD", libkml_field_options[i]);
        /* footprint_kml_name, footprint_kml_scale_x, ... */
        snprintf(value, sizeof value, "%s%s", FPI_KML_FIELD_PREFIX, libkml_field_options[i]);
        for (char *c = value + strlen(FPI_KML_FIELD_PREFIX); *c; c++) *c = (char)g_ascii_tolower(*c);
        CPLSetThreadLocalConfigOption(key, on ? value : NULL);
    }
}

const char *const *fpi_gdal_input_drivers(void)
{
    return (const char *const *)fpi_gdal()->input_drivers;
}

void *fpi_gdal_open_vector(const char *path, const char *const *open_options, fpi_gdal_errors *e)
{
    memset(e, 0, sizeof *e);
    const char *const *allowed = fpi_gdal_input_drivers();
    CPLPushErrorHandlerEx(collect_errors, e);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, allowed, open_options, NULL);
    CPLPopErrorHandler();
    return ds;
}

void fpi_gdal_collect_begin(fpi_gdal_errors *e)
{
    memset(e, 0, sizeof *e);
    CPLPushErrorHandlerEx(collect_errors, e);
}

void fpi_gdal_collect_end(void)
{
    CPLPopErrorHandler();
}

/* BASE + ext (".dbf") or its upper case (".DBF"), as GDAL looks for them,
 * the case of the .shp's own extension first: 1 and the name in out when
 * one is a file, with its size. */
static int shapefile_part(const char *path, size_t base, const char *ext, char *out, size_t size, long long *bytes)
{
    int upper = path[base + 1] == 'S';
    for (int k = 0; k < 2; k++) {
        char e[8];
        snprintf(e, sizeof e, "%s", ext);
        if ((k == 0) == upper)
            for (char *c = e; *c; c++) *c = (char)g_ascii_toupper(*c);
        snprintf(out, size, "%.*s%s", (int)base, path, e);
        struct stat sb;
        if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode)) {
            *bytes = (long long)sb.st_size;
            return 1;
        }
    }
    return 0;
}

int fpi_shapefile_parts_problem(const char *path, char *why, size_t size)
{
    size_t n = strlen(path);
    if (n < 5 || g_ascii_strcasecmp(path + n - 4, ".shp")) return 0;
    size_t base = n - 4;
    char shx[4096], dbf[4096];
    long long shx_bytes = 0, dbf_bytes = 0;
    if (n + 1 > sizeof shx || !shapefile_part(path, base, ".shx", shx, sizeof shx, &shx_bytes)) return 0;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (!shapefile_part(path, base, ".dbf", dbf, sizeof dbf, &dbf_bytes)) {
        snprintf(why, size, "its .dbf (%.*s.dbf) is missing: the features' attributes (ids, names, places) are in "
                 "it, and ArcGIS does not open a Shapefile without one; copy it beside the .shp (a Shapefile is its "
                 ".shp, .shx and .dbf together)", (int)(n - 4 - (size_t)(name - path)), name);
        return 1;
    }
    if (shx_bytes < 100) return 0;     /* no header: GDAL refuses it as it opens it */
    long long shapes = (shx_bytes - 100) / 8;
    unsigned char head[8];
    FILE *f = fopen(dbf, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    if (got < sizeof head) return 0;  /* unreadable or cut in its header: GDAL says so */
    long long records = (long long)head[4] | (long long)head[5] << 8 | (long long)head[6] << 16 |
                        (long long)head[7] << 24;
    if (shapes == records) return 0;
    const char *dslash = strrchr(dbf, '/'), *xslash = strrchr(shx, '/');
    long long fewer = shapes < records ? shapes : records;
    snprintf(why, size, "its .shx (%s) indexes %lld shape%s but its .dbf (%s) holds %lld record%s: the parts do "
             "not belong together (a .dbf of another edition, or a part cut short?), and GDAL reads the first %lld "
             "of each, leaving out the rest without a word; ArcGIS refuses such a Shapefile",
             xslash ? xslash + 1 : shx, shapes, shapes == 1 ? "" : "s", dslash ? dslash + 1 : dbf, records,
             records == 1 ? "" : "s", fewer);
    return 1;
}

void fpi_srs_describe(void *srs_handle, char *out, size_t size)
{
    OGRSpatialReferenceH srs = srs_handle;
    const char *auth = OSRGetAuthorityName(srs, NULL), *code = OSRGetAuthorityCode(srs, NULL);
    const char *name = OSRGetName(srs);
    if (auth && code) snprintf(out, size, "%s:%s%s%s", auth, code, name && *name ? ", " : "", name ? name : "");
    else if (name && *name && strcasecmp(name, "unknown")) snprintf(out, size, "%s", name);
    else snprintf(out, size, "the file's CRS, which has no name");
}

/* The same CRS, however each was written: the same authority code, or
 * equivalent definitions whatever the axis mapping (a Shapefile's ESRI
 * .prj of EPSG:3035 beside --crs EPSG:3035 was "another CRS"). */
static int same_crs(OGRSpatialReferenceH a, OGRSpatialReferenceH b)
{
    const char *aa = OSRGetAuthorityName(a, NULL), *ac = OSRGetAuthorityCode(a, NULL);
    const char *ba = OSRGetAuthorityName(b, NULL), *bc = OSRGetAuthorityCode(b, NULL);
    if (aa && ac && ba && bc && !strcasecmp(aa, ba) && !strcmp(ac, bc)) return 1;
    static const char *const opts[] = { "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                                        "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", NULL };
    return OSRIsSameEx(a, b, opts);
}

/* Whether ct transforms the layer's coordinates at all: PROJ builds a
 * transformation for a CRS whose method it does not implement (a .prj's
 * "Frobnicated_Conic") that then fails on every point, which read as every
 * feature out of range. Tried on the middle and the corners of the layer's
 * extent, when the driver knows it without reading the features (else the
 * features' own transformations say so). */
static int transforms_layer(OGRLayerH layer, OGRCoordinateTransformationH ct)
{
    OGREnvelope e;
    if (OGR_L_GetExtent(layer, &e, 0) != OGRERR_NONE || !isfinite(e.MinX) || !isfinite(e.MaxX) ||
        !isfinite(e.MinY) || !isfinite(e.MaxY) || e.MinX > e.MaxX)
        return 1;
    const double xs[5] = { (e.MinX + e.MaxX) / 2, e.MinX, e.MaxX, e.MinX, e.MaxX };
    const double ys[5] = { (e.MinY + e.MaxY) / 2, e.MinY, e.MinY, e.MaxY, e.MaxY };
    for (int i = 0; i < 5; i++) {
        double x = xs[i], y = ys[i];
        if (OCTTransform(ct, 1, &x, &y, NULL) && isfinite(x) && isfinite(y)) return 1;
    }
    return 0;
}

int fpi_layer_to_wgs84(void *layer_handle, void **ct_out, char *from, size_t from_size)
{
    return fpi_layer_crs_to_wgs84(layer_handle, NULL, ct_out, NULL, 0, from, from_size);
}

int fpi_layer_crs_to_wgs84(void *layer_handle, const char *crs, void **ct_out, char *overridden, size_t size,
                           char *from, size_t from_size)
{
    OGRLayerH layer = layer_handle;
    *ct_out = NULL;
    if (overridden && size) overridden[0] = '\0';
    if (from && from_size) from[0] = '\0';
    OGRSpatialReferenceH given = NULL, src = OGR_L_GetSpatialRef(layer);
    if (crs && *crs) {
        given = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(given, crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(given);
            return -2;
        }
        /* The file declares another CRS: said, as the user may have meant
         * --crs for the CSV files of a batch only. */
        if (src && overridden && size && !same_crs(src, given)) {
            const char *auth = OSRGetAuthorityName(src, NULL), *code = OSRGetAuthorityCode(src, NULL);
            if (auth && code) snprintf(overridden, size, "%s:%s", auth, code);
            else snprintf(overridden, size, "a CRS without an EPSG code");
        }
        src = given;
    }
    if (!src) return 0;                 /* no CRS: read as WGS 84, as GeoJSON says */
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(NULL);
    OSRSetWellKnownGeogCS(wgs84, "WGS84");
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    int rc = 0;
    if (!OSRIsSame(src, wgs84)) {
        /* Longitude first on both sides, whatever the CRS's axis order. */
        OGRSpatialReferenceH copy = OSRClone(src);
        OSRSetAxisMappingStrategy(copy, OAMS_TRADITIONAL_GIS_ORDER);
        *ct_out = OCTNewCoordinateTransformation(copy, wgs84);
        OSRDestroySpatialReference(copy);
        if (*ct_out && !transforms_layer(layer, *ct_out)) {
            OCTDestroyCoordinateTransformation(*ct_out);
            *ct_out = NULL;
        }
        rc = *ct_out ? 0 : -1;
        if (from && from_size) fpi_srs_describe(src, from, from_size);
    }
    OSRDestroySpatialReference(wgs84);
    if (given) OSRDestroySpatialReference(given);
    return rc;
}

/* GDAL does not say what a GeoJSON's crs member held when it cannot use
 * it (an unknown EPSG code reads as "crs not found", a link is fetched or
 * dropped). The member is read here from the file's head, where writers
 * put it (before "features"): its key found as text, its value parsed by
 * jansson, which stops at the value's end. */
int fpi_geojson_crs_member(const char *path, char *type, size_t tsize, char *value, size_t vsize)
{
    enum { HEAD = 1 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char *buf = malloc(HEAD);
    size_t n = buf ? fread(buf, 1, HEAD - 1, f) : 0;
    fclose(f);
    if (!buf) return 0;
    buf[n] = '\0';
    int found = 0;
    for (char *p = buf; !found && (p = strstr(p, "\"crs\"")) != NULL; p += 5) {
        const char *q = p + 5;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
        if (*q++ != ':') continue;
        json_error_t je;
        json_t *v = json_loadb(q, n - (size_t)(q - buf), JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
        json_t *t = json_object_get(v, "type"), *props = json_object_get(v, "properties");
        if (json_is_string(t) && json_is_object(props)) {
            json_t *x;
            snprintf(type, tsize, "%s", json_string_value(t));
            if ((x = json_object_get(props, "name")) && json_is_string(x)) snprintf(value, vsize, "%s", json_string_value(x));
            else if ((x = json_object_get(props, "href")) && json_is_string(x)) {
                json_t *lt = json_object_get(props, "type");
                snprintf(value, vsize, "%s%s%s", json_string_value(x), json_is_string(lt) ? ", type " : "",
                         json_is_string(lt) ? json_string_value(lt) : "");
            } else if ((x = json_object_get(props, "code")) && json_is_integer(x))
                snprintf(value, vsize, "EPSG:%lld", (long long)json_integer_value(x));
            else snprintf(value, vsize, "no name");
            found = 1;
        }
        json_decref(v);
    }
    free(buf);
    return found;
}

int fpi_declared_crs_problem(void *ds_handle, const char *path, int gdal_crs_error, const char *gdal_said, char *why,
                             size_t size)
{
    GDALDatasetH ds = ds_handle;
    const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    char type[32], value[256];
    if (!strcmp(driver, "GeoJSON") && fpi_geojson_crs_member(path, type, sizeof type, value, sizeof value)) {
        /* A link (a URL to a proj4 or WKT text) GDAL would download, and
         * without a network read as WGS 84. */
        if (!strcasecmp(type, "link") || !strcasecmp(type, "url")) {
            snprintf(why, size, "its crs member is a link (%.200s), which footprint does not follow", value);
            return 1;
        }
        if (gdal_crs_error) {
            snprintf(why, size, "its crs member names a CRS PROJ does not know (%.200s)", value);
            return 1;
        }
    }
    /* A Shapefile's .prj GDAL cannot read leaves its layer without a CRS,
     * as if it had none: read as WGS 84, its coordinates misplaced. */
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!strcmp(driver, "ESRI Shapefile") && dot && (!slash || dot > slash) && !strcasecmp(dot, ".shp") &&
        GDALDatasetGetLayerCount(ds) > 0 && !OGR_L_GetSpatialRef(GDALDatasetGetLayer(ds, 0))) {
        for (int upper = 0; upper < 2; upper++) {
            char *prj = g_strdup_printf("%.*s%s", (int)(dot - path), path, upper ? ".PRJ" : ".prj");
            FILE *f = fopen(prj, "rb");
            if (f) {
                char head[64] = "";
                size_t n = fread(head, 1, sizeof head - 1, f);
                fclose(f);
                head[n] = '\0';
                head[strcspn(head, "\r\n")] = '\0';
                fpi_utf8_sanitize(head);
                snprintf(why, size, "its .prj (%s: '%s%s') is not a CRS GDAL can read", prj, head,
                         n == sizeof head - 1 ? "..." : "");
                g_free(prj);
                return 1;
            }
            g_free(prj);
        }
    }
    if (gdal_crs_error) {
        snprintf(why, size, "its coordinate reference system cannot be used (%s)", gdal_said);
        return 1;
    }
    return 0;
}

fp_status fpi_report_fields_create(void *layer_handle, const fp_report_field *fields, int n, const char *path,
                                  fp_error *err)
{
    OGRLayerH lyr = layer_handle;
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, (OGRFieldType)fields[i].type);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) return fp_error_set(err, FP_ERR_IO, "%s: cannot create field %s", path, fields[i].name);
    }
    return FP_OK;
}

int fpi_region_extent_problem(void *geom, const char *path, long feature, const char *code, const char *name,
                              const char *from, char *why, size_t size)
{
    OGREnvelope e;
    OGR_G_GetEnvelope((OGRGeometryH)geom, &e);
    const double tol = 1e-6;            /* float noise, as import clamps it */
    if (e.MinX >= -180 - tol && e.MaxX <= 180 + tol && e.MinY >= -90 - tol && e.MaxY <= 90 + tol) return 0;
    int named = name && *name && strcmp(name, code);
    snprintf(why, size, "%s: feature %ld (%s%s%s): coordinates x %.10g..%.10g, y %.10g..%.10g are outside lon "
             "-180..180, lat -90..90%s%s%s", path, feature, code, named ? ", " : "", named ? name : "", e.MinX, e.MaxX,
             e.MinY, e.MaxY, from && *from ? " once reprojected from " : "", from && *from ? from : "",
             from && *from ? "" : ": the file declares no CRS (a Shapefile without its .prj?), so they were read as "
                                   "WGS 84 degrees; give the file its CRS");
    return 1;
}

fp_status fpi_csv_check_complete(const char *path, long records, const char *shown, fp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fp_error_set(err, FP_ERR_IO, "%s: cannot read back: %s", shown, strerror(errno));
    long lines = 0;
    int quoted = 0;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '"') quoted = !quoted;            /* a doubled quote toggles twice */
            else if (buf[i] == '\n' && !quoted) lines++;
        }
    }
    int read_error = ferror(f);
    fclose(f);
    if (read_error) return fp_error_set(err, FP_ERR_IO, "%s: cannot read back", shown);
    if (lines < records + 1)
        return fp_error_set(err, FP_ERR_IO, "%s: the file was cut short while being written (%ld of %ld rows and the "
                            "header; the disk full?); nothing written", shown, lines, records + 1);
    char *csvt = g_strconcat(path, "t", NULL);
    struct stat sb;
    int empty = stat(csvt, &sb) == 0 && sb.st_size == 0;
    g_free(csvt);
    if (empty)
        return fp_error_set(err, FP_ERR_IO, "%s: its .csvt was cut short while being written (the disk full?); nothing "
                            "written", shown);
    return FP_OK;
}
