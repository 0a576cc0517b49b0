/* Reading a region layer through OGR for either engine (regions_file.h). */
#include <stdlib.h>
#include <string.h>
#include "store/source_check.h"
#include "common/gdal_api.h"
#include "store/regions_file.h"
#include "common/util.h"

enum { F_LEVEL, F_CODE, F_ISO_A2, F_NAME, F_NAME_LONG, F_PARENT, F_CONTINENT, F_SUBREGION, F_POPULATION, F_N };
static const char *const field_names[F_N] = { "level", "code", "iso_a2", "name", "name_long",
                                              "parent", "continent", "subregion", "population" };

struct fpi_region_file {
    const char *path;
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRCoordinateTransformationH ct;
    char from[192];               /* the CRS reprojected from, "" when none */
    int idx[F_N];
    int multi;
    long n;
    OGRFeatureH f;                /* the current feature (its strings) */
    char *text[F_N];              /* its strings as valid UTF-8 (field_text) */
    unsigned char *wkb;
    size_t wkb_cap;
};

/* Field k of the current feature as valid UTF-8, NULL when empty: a DBF
 * whose code page GDAL does not know (no .cpg) hands over its bytes, which
 * are read as Windows-1252 rather than stored as invalid UTF-8 (exports
 * wrote them under a UTF-8 .cpg, and as invalid GeoJSON). Valid until the
 * next feature. */
static const char *field_text(fpi_region_file *rf, int k)
{
    int idx = rf->idx[k];
    if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(rf->f, idx)) return NULL;
    const char *v = OGR_F_GetFieldAsString(rf->f, idx);
    if (!v || !*v) return NULL;
    free(rf->text[k]);
    rf->text[k] = fpi_text_utf8(v, NULL);
    return rf->text[k];
}

fp_status fpi_region_file_open(const char *path, int multi, fpi_region_file **out, fp_error *err)
{
    *out = NULL;
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    fpi_region_file *rf = calloc(1, sizeof *rf);
    if (!rf) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    rf->path = path;
    rf->multi = multi;
    fpi_gdal_errors opening;
    char why[640];
    if (fpi_sqlite_source_problem(path, why, sizeof why)) {
        free(rf);
        return fp_error_set(err, FP_ERR_INPUT, "%s: %s", path, why);
    }
    rf->ds = fpi_gdal_open_vector(path, NULL, &opening);
    fp_status st = FP_OK;
    if (!rf->ds) st = fp_error_set(err, FP_ERR_INPUT, "%s: not a vector data set GDAL can read", path);
    if (!st) {
        rf->layer = GDALDatasetGetLayerByName(rf->ds, "regions");
        if (!rf->layer) rf->layer = GDALDatasetGetLayer(rf->ds, 0);
        if (!rf->layer) st = fp_error_set(err, FP_ERR_INPUT, "%s: no layer", path);
    }
    if (!st) {
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(rf->layer);
        for (int i = 0; i < F_N; i++) rf->idx[i] = OGR_FD_GetFieldIndex(defn, field_names[i]);
        if (rf->idx[F_CODE] < 0 || rf->idx[F_NAME] < 0)
            st = fp_error_set(err, FP_ERR_INPUT, "%s: region layer needs the fields `code` and `name`", path);
    }
    /* A CRS GDAL could not read was taken as WGS 84 (region_set.c). */
    if (!st) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        if (fpi_declared_crs_problem(rf->ds, path, opening.crs_failure, opening.text, why, sizeof why))
            st = fp_error_set(err, FP_ERR_INPUT, "%s: %s; a regions file needs a CRS PROJ knows (or none, for WGS 84 "
                              "lon/lat)", path, why);
        else if (fpi_layer_to_wgs84(rf->layer, (void **)&rf->ct, rf->from, sizeof rf->from) != 0)
            st = fp_error_set(err, FP_ERR_INPUT, "%s: cannot transform its CRS (%s) to WGS 84", path,
                              rf->from[0] ? rf->from : "unnamed");
        CPLPopErrorHandler();
    }
    if (st) { fpi_region_file_free(rf); return st; }
    OGR_L_ResetReading(rf->layer);
    *out = rf;
    return FP_OK;
}

int fpi_region_file_next(fpi_region_file *rf, fpi_region_row *row, fp_error *err)
{
    if (rf->f) { OGR_F_Destroy(rf->f); rf->f = NULL; }
    OGRFeatureH f = OGR_L_GetNextFeature(rf->layer);
    if (!f) return 0;
    rf->f = f;
    long n = ++rf->n;             /* from 1, as aggregate's regions:FILE numbers them */
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    const char *code = field_text(rf, F_CODE);
    if (!code || !g || OGR_G_IsEmpty(g)) {
        fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld: %s", rf->path, n, code ? "no geometry" : "no code");
        return -1;
    }
    OGRwkbGeometryType gt = wkbFlatten(OGR_G_GetGeometryType(g));
    if (gt != wkbPolygon && gt != wkbMultiPolygon) {
        fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): geometry is %s, not a polygon", rf->path, n, code,
                     OGR_G_GetGeometryName(g));
        return -1;
    }
    if (rf->ct && OGR_G_Transform(g, rf->ct) != OGRERR_NONE) {
        fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): cannot reproject", rf->path, n, code);
        return -1;
    }
    char why[640];
    if (fpi_region_extent_problem(g, rf->path, n, code, field_text(rf, F_NAME), rf->from, why, sizeof why)) {
        fp_error_set(err, FP_ERR_INPUT, "%s", why);
        return -1;
    }
    OGR_G_FlattenTo2D(g);
    if (rf->multi && gt == wkbPolygon) {
        g = OGR_G_ForceToMultiPolygon(OGR_F_StealGeometry(f));
        OGR_F_SetGeometryDirectly(f, g);
    }
    size_t sz = (size_t)OGR_G_WkbSize(g);
    if (sz > rf->wkb_cap) {
        unsigned char *w = realloc(rf->wkb, sz);
        if (!w) { fp_error_set(err, FP_ERR_NOMEM, "out of memory"); return -1; }
        rf->wkb = w;
        rf->wkb_cap = sz;
    }
    OGR_G_ExportToWkb(g, wkbNDR, rf->wkb);
    const char *level = field_text(rf, F_LEVEL);
    *row = (fpi_region_row){ .feature = n, .level = level ? level : "custom", .code = code,
                             .wkb = rf->wkb, .wkb_len = sz };
    for (int i = 0; i < 6; i++) row->text[i] = field_text(rf, F_ISO_A2 + i);
    int pi = rf->idx[F_POPULATION];
    row->has_population = pi >= 0 && OGR_F_IsFieldSetAndNotNull(f, pi);
    if (row->has_population) row->population = OGR_F_GetFieldAsInteger64(f, pi);
    return 1;
}

void fpi_region_file_free(fpi_region_file *rf)
{
    if (!rf) return;
    if (rf->f) OGR_F_Destroy(rf->f);
    for (int k = 0; k < F_N; k++) free(rf->text[k]);
    if (rf->ct) OCTDestroyCoordinateTransformation(rf->ct);
    if (rf->ds) GDALClose(rf->ds);
    free(rf->wkb);
    free(rf);
}
