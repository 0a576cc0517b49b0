/*
 * `footprint diff --report FILE.csv`: every change, one row each, for a
 * spreadsheet. Written by GDAL's CSV driver (quoting, a .csvt naming the
 * numeric columns) into a hidden folder next to the target and renamed
 * into place, so a failed write leaves no half file (as check's report).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "common/gdal_api.h"
#include "common/util.h"
#include "diff/diff_internal.h"

static const fp_report_field fields[] = {
    { "change", OFTString }, { "matched_by", OFTString }, { "source_key", OFTString }, { "name", OFTString },
    { "company", OFTString }, { "country", OFTString }, { "distance_m", OFTReal }, { "changed_fields", OFTString },
    { "details", OFTString }, { "old_id", OFTInteger64 }, { "new_id", OFTInteger64 }, { "old_row", OFTString },
    { "new_row", OFTString },
};
enum { F_CHANGE, F_MATCHED, F_KEY, F_NAME, F_COMPANY, F_COUNTRY, F_DISTANCE, F_FIELDS, F_DETAILS, F_OLD_ID, F_NEW_ID,
       F_OLD_ROW, F_NEW_ROW, F_N };

/* "file:line" of a row read by line, "file: feature N" of a feature, as
 * rejects and check name rows. */
static void set_row(OGRFeatureH ft, int field, const char *file, long line, int by_line)
{
    if (!*file) return;
    char *s = fp_diff_row_ref(file, line, by_line);
    OGR_F_SetFieldString(ft, field, s);
    g_free(s);
}

static fp_status write_layer(GDALDatasetH ds, const char *path, const fp_diff_result *r, fp_error *err)
{
    char **lco = CSLSetNameValue(NULL, "CREATE_CSVT", "YES");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "diff", NULL, wkbNone, lco);
    CSLDestroy(lco);
    if (!lyr) return fp_error_set(err, FP_ERR_IO, "%s: cannot create the layer: %s", path, CPLGetLastErrorMsg());
    fp_status fst = fpi_report_fields_create(lyr, fields, F_N, path, err);
    if (fst) return fst;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    fp_status st = FP_OK;
    for (size_t i = 0; i < r->nentries && !st; i++) {
        const fp_diff_entry *e = &r->entries[i];
        OGRFeatureH ft = OGR_F_Create(defn);
        OGR_F_SetFieldString(ft, F_CHANGE, fp_change_name(e->change));
        if (e->change == FP_CHANGE_MOVED || e->change == FP_CHANGE_CHANGED)
            OGR_F_SetFieldString(ft, F_MATCHED, e->by_id ? "id" : "name");
        OGR_F_SetFieldString(ft, F_KEY, e->source_key);
        OGR_F_SetFieldString(ft, F_NAME, e->name);
        OGR_F_SetFieldString(ft, F_COMPANY, e->company);
        OGR_F_SetFieldString(ft, F_COUNTRY, e->country);
        if (e->distance_m >= 0) OGR_F_SetFieldDouble(ft, F_DISTANCE, e->distance_m);
        OGR_F_SetFieldString(ft, F_FIELDS, e->fields);
        OGR_F_SetFieldString(ft, F_DETAILS, e->details);
        if (e->old_id) OGR_F_SetFieldInteger64(ft, F_OLD_ID, e->old_id);
        if (e->new_id) OGR_F_SetFieldInteger64(ft, F_NEW_ID, e->new_id);
        set_row(ft, F_OLD_ROW, e->old_file, e->old_line, e->old_by_line);
        set_row(ft, F_NEW_ROW, e->new_file, e->new_line, e->new_by_line);
        if (OGR_L_CreateFeature(lyr, ft) != OGRERR_NONE)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write change %zu: %s", path, i + 1, CPLGetLastErrorMsg());
        OGR_F_Destroy(ft);
    }
    return st;
}

fp_status fpi_diff_write_report(const char *path, const fp_diff_result *r, fp_error *err)
{
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    GDALDriverH drv = GDALGetDriverByName("CSV");
    if (!drv) return fp_error_set(err, FP_ERR_STATE, "GDAL has no CSV driver");
    /* A missing folder is created, as export and render do for -o. */
    fp_status dst = fpi_make_parent_dir(path, err);
    if (dst) return dst;
    char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    fpi_temp_cleanup(path, 0);
    /* A hidden folder (the name fpi_temp_cleanup knows) keeps the file's own
     * name, which the CSV driver needs (a name without .csv is a folder). */
    char *tmpl = g_strdup_printf("%s/.footprint-export-%d-XXXXXX", dir, (int)getpid());
    char *tmp = NULL;
    fp_status st = FP_OK;
    if (!g_mkdtemp(tmpl)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write in %s: %s", path, dir, strerror(errno));
        goto out;
    }
    tmp = g_build_filename(tmpl, base, NULL);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    else {
        st = write_layer(ds, path, r, err);
        GDALClose(ds);
        if (!st) st = fpi_csv_check_complete(tmp, (long)r->nentries, path, err);
    }
    CPLPopErrorHandler();
    /* The file and its .csvt move into place. */
    const char *sidecars[] = { "", "t" };
    for (int i = 0; !st && i < 2; i++) {
        char *from = g_strconcat(tmp, sidecars[i], NULL), *to = g_strconcat(path, sidecars[i], NULL);
        if (g_rename(from, to) != 0) st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", to, strerror(errno));
        g_free(from);
        g_free(to);
    }
    fpi_remove_tree(tmpl);
out:
    g_free(tmp);
    g_free(tmpl);
    g_free(dir);
    g_free(base);
    return st;
}
