/*
 * The QA report: one row per finding, as CSV (for a spreadsheet) or as
 * GeoJSON (points at the row's stored coordinates: a layer QGIS loads next
 * to the projects). Written by GDAL/OGR into a hidden folder next to the
 * target and renamed into place, so a failed write leaves no half file.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "common/gdal_api.h"
#include "common/util.h"
#include "qa/qa_internal.h"

static const fp_report_field fields[] = {
    { "row", OFTString }, { "check", OFTString }, { "evidence", OFTString }, { "suggestion", OFTString },
    { "project_id", OFTInteger64 }, { "dataset", OFTString }, { "other_id", OFTInteger64 }, { "fix", OFTString },
    { "fix_lon", OFTReal }, { "fix_lat", OFTReal }, { "lon", OFTReal }, { "lat", OFTReal },
};
enum { F_ROW, F_CHECK, F_EVIDENCE, F_SUGGESTION, F_ID, F_DATASET, F_OTHER, F_FIX, F_FIX_LON, F_FIX_LAT, F_LON, F_LAT, F_N };

static fp_status write_layer(GDALDatasetH ds, int geojson, const char *path, const qa_finding *f, size_t n, fp_error *err)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char **lco = NULL;
    /* The CSV's .csvt tells GDAL and QGIS which columns are numbers. */
    if (!geojson) lco = CSLSetNameValue(lco, "CREATE_CSVT", "YES");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "qa", srs, geojson ? wkbPoint : wkbNone, lco);
    CSLDestroy(lco);
    OSRDestroySpatialReference(srs);
    if (!lyr) return fp_error_set(err, FP_ERR_IO, "%s: cannot create the layer: %s", path, CPLGetLastErrorMsg());
    fp_status fst = fpi_report_fields_create(lyr, fields, F_N, path, err);
    if (fst) return fst;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    fp_status st = FP_OK;
    for (size_t i = 0; i < n && !st; i++) {
        OGRFeatureH ft = OGR_F_Create(defn);
        OGR_F_SetFieldString(ft, F_ROW, f[i].row_ref);
        OGR_F_SetFieldString(ft, F_CHECK, fp_qa_kind_name(f[i].kind));
        OGR_F_SetFieldString(ft, F_EVIDENCE, f[i].evidence);
        if (f[i].suggestion) OGR_F_SetFieldString(ft, F_SUGGESTION, f[i].suggestion);
        OGR_F_SetFieldInteger64(ft, F_ID, f[i].id);
        OGR_F_SetFieldString(ft, F_DATASET, f[i].dataset);
        if (f[i].other_id) OGR_F_SetFieldInteger64(ft, F_OTHER, f[i].other_id);
        if (f[i].fix) {
            OGR_F_SetFieldString(ft, F_FIX, f[i].fix);
            OGR_F_SetFieldDouble(ft, F_FIX_LON, f[i].fix_lon);
            OGR_F_SetFieldDouble(ft, F_FIX_LAT, f[i].fix_lat);
        }
        OGR_F_SetFieldDouble(ft, F_LON, f[i].lon);
        OGR_F_SetFieldDouble(ft, F_LAT, f[i].lat);
        if (geojson) {
            OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
            OGR_G_SetPoint_2D(g, 0, f[i].lon, f[i].lat);
            OGR_F_SetGeometryDirectly(ft, g);
        }
        if (OGR_L_CreateFeature(lyr, ft) != OGRERR_NONE)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write finding %zu: %s", path, i + 1, CPLGetLastErrorMsg());
        OGR_F_Destroy(ft);
    }
    return st;
}

fp_status fpi_qa_write_report(const char *path, const qa_finding *f, size_t n, fp_error *err)
{
    int geojson = g_str_has_suffix(path, ".geojson") || g_str_has_suffix(path, ".json");
    if (!geojson && !g_str_has_suffix(path, ".csv"))
        return fp_error_set(err, FP_ERR_USAGE, "--report %s: expected FILE.csv or FILE.geojson", path);
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    GDALDriverH drv = GDALGetDriverByName(geojson ? "GeoJSON" : "CSV");
    if (!drv) return fp_error_set(err, FP_ERR_STATE, "GDAL has no %s driver", geojson ? "GeoJSON" : "CSV");
    /* A missing folder is created, as export and render do for -o. */
    fp_status dst = fpi_make_parent_dir(path, err);
    if (dst) return dst;
    char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    fpi_temp_cleanup(path, 0);
    /* A hidden folder (the name fpi_temp_cleanup knows) keeps the file's own
     * name, which the CSV driver needs (a name without .csv is a folder). */
    char *tmpl = g_strdup_printf("%s/.footprint-export-%d-XXXXXX", dir, (int)getpid());
    fp_status st = FP_OK;
    if (!g_mkdtemp(tmpl)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write in %s: %s", path, dir, strerror(errno));
        goto out;
    }
    char *tmp = g_build_filename(tmpl, base, NULL);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    else {
        st = write_layer(ds, geojson, path, f, n, err);
        GDALClose(ds);
        if (!st && !geojson) st = fpi_csv_check_complete(tmp, (long)n, path, err);
    }
    CPLPopErrorHandler();
    /* The file and, for CSV, its .csvt move into place. */
    const char *sidecars[] = { "", "t" };
    for (int i = 0; !st && i < (geojson ? 1 : 2); i++) {
        char *from = g_strconcat(tmp, sidecars[i], NULL), *to = g_strconcat(path, sidecars[i], NULL);
        if (g_rename(from, to) != 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", to, strerror(errno));
        g_free(from);
        g_free(to);
    }
    fpi_remove_tree(tmpl);
    g_free(tmp);
out:
    g_free(tmpl);
    g_free(dir);
    g_free(base);
    return st;
}
