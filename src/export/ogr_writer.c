/* Layers written through GDAL/OGR: GeoPackage (several layers, spatial
 * index), FlatGeobuf (with its spatial index), Shapefile (field names cut to
 * 10 characters, the full names kept in NAME.fields.csv next to it) and CSV
 * (lon/lat columns for points, WKT otherwise). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_string.h>
#include <jansson.h>
#include <glib.h>
#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include "export_internal.h"
#include "common/util.h"

static OGRGeometryH blob_to_ogr(const unsigned char *blob, int len)
{
    double x, y;
    if (fp_blob_point(blob, len, &x, &y)) {
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, x, y);
        return g;
    }
    gaiaGeomCollPtr gg = gaiaFromSpatiaLiteBlobWkb(blob, len);
    if (!gg) return NULL;
    unsigned char *wkb = NULL;
    int wl = 0;
    gaiaToWkb(gg, &wkb, &wl);
    gaiaFreeGeomColl(gg);
    OGRGeometryH g = NULL;
    if (wkb && OGR_G_CreateFromWkb(wkb, NULL, &g, wl) != OGRERR_NONE) g = NULL;
    free(wkb);
    return g;
}

static OGRFieldType field_type(fp_col_type t)
{
    return t == FP_COL_INT ? OFTInteger64 : t == FP_COL_REAL ? OFTReal : OFTString;
}

/* Writes the shapefile's field-name map: full name, name in the .dbf. */
static void write_field_map(OGRLayerH lyr, const char *path, char **names, int n)
{
    char *map = g_strdup(path);
    char *dot = strrchr(map, '.');
    if (dot) *dot = 0;
    char *file = g_strdup_printf("%s.fields.csv", map);
    FILE *f = fopen(file, "w");
    if (f) {
        fputs("field,shapefile_field\n", f);
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
        for (int i = 0; i < n && i < OGR_FD_GetFieldCount(d); i++)
            fprintf(f, "%s,%s\n", names[i], OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)));
        fclose(f);
    }
    g_free(file);
    g_free(map);
}

static fp_status ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                           const fp_write_options *o, long *features, fp_error *err);

fp_status fp_ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                       const fp_write_options *o, long *features, fp_error *err)
{
    *features = 0;
    /* GDAL's own messages (laundered field names, driver errors) would go to
     * stderr; ours name the file, the layer and the feature instead. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    fp_status st = ogr_write(driver, layers, nlayers, path, o, features, err);
    CPLPopErrorHandler();
    return st;
}

static fp_status ogr_write(const char *driver, fp_layer **layers, int nlayers, const char *path,
                           const fp_write_options *o, long *features, fp_error *err)
{
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv) return fp_error_set(err, FP_ERR_STATE, "GDAL has no %s driver", driver);
    GDALDatasetH ds = o->update ? GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL)
                                : GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) return fp_error_set(err, FP_ERR_IO, "%s: cannot %s: %s", path, o->update ? "open" : "create", CPLGetLastErrorMsg());
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    int shp = !strcmp(driver, "ESRI Shapefile"), csv = !strcmp(driver, "CSV"), gpkg = !strcmp(driver, "GPKG");
    fp_status st = FP_OK;
    for (int li = 0; li < nlayers && !st; li++) {
        fp_layer *l = layers[li];
        char **lco = NULL;
        if (csv) lco = CSLSetNameValue(lco, "GEOMETRY", !strcmp(l->geometry, "point") ? "AS_XY" : "AS_WKT");
        if (shp) lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
        if (!strcmp(driver, "FlatGeobuf")) lco = CSLSetNameValue(lco, "SPATIAL_INDEX", "YES");
        if (gpkg) lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
        OGRwkbGeometryType gt = !strcmp(l->geometry, "polygon") ? wkbMultiPolygon
                              : !strcmp(l->geometry, "point") ? wkbPoint : wkbUnknown;
        if (o->update) lco = CSLSetNameValue(lco, "OVERWRITE", "YES");   /* a layer of the same name is replaced */
        OGRLayerH lyr = GDALDatasetCreateLayer(ds, l->name, srs, gt, lco);
        CSLDestroy(lco);
        if (!lyr) { st = fp_error_set(err, FP_ERR_IO, "%s: cannot create layer %s: %s", path, l->name, CPLGetLastErrorMsg()); break; }
        /* Fields: id, the columns, the flattened extra keys, class and fill. */
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(names, g_strdup("id"));
        for (int c = 0; c < l->ncolumns; c++)
            if (c != l->extra_col) g_ptr_array_add(names, g_strdup(l->columns[c].name));
        int first_extra = (int)names->len;
        for (int k = 0; k < l->nextra; k++) {
            int taken = 0;
            for (guint j = 0; j < names->len && !taken; j++) taken = !strcmp(g_ptr_array_index(names, j), l->extra_keys[k]);
            g_ptr_array_add(names, taken ? g_strdup_printf("extra_%s", l->extra_keys[k]) : g_strdup(l->extra_keys[k]));
        }
        if (l->classes) { g_ptr_array_add(names, g_strdup("class")); g_ptr_array_add(names, g_strdup("fill")); }
        for (guint j = 0; j < names->len && !st; j++) {
            OGRFieldType t = OFTString;
            if (j == 0) t = OFTInteger64;
            else if ((int)j < first_extra) {
                int c = 0, seen = 0;
                for (c = 0; c < l->ncolumns; c++) {
                    if (c == l->extra_col) continue;
                    if (++seen == (int)j) break;
                }
                t = field_type(l->columns[c].type);
            } else if (l->classes && j == names->len - 2) t = OFTInteger;
            OGRFieldDefnH fd = OGR_Fld_Create(g_ptr_array_index(names, j), t);
            if (OGR_L_CreateField(lyr, fd, TRUE) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot create field %s", path, (char *)g_ptr_array_index(names, j));
            OGR_Fld_Destroy(fd);
        }
        if (shp && !st) write_field_map(lyr, path, (char **)names->pdata, (int)names->len);
        if (!st && gpkg) GDALDatasetStartTransaction(ds, FALSE);
        int rc;
        long n = 0;
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
        while (!st && (rc = sqlite3_step(l->stmt)) == SQLITE_ROW) {
            if (fp_interrupted) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted"); break; }
            fp_layer_note_row(l);
            OGRFeatureH f = OGR_F_Create(defn);
            long long id = sqlite3_column_int64(l->stmt, 0);
            if (gpkg) OGR_F_SetFID(f, id);
            OGR_F_SetFieldInteger64(f, 0, id);
            int fi = 1;
            for (int c = 0; c < l->ncolumns; c++) {
                if (c == l->extra_col) continue;
                int col = c + 2;
                if (sqlite3_column_type(l->stmt, col) == SQLITE_NULL) OGR_F_SetFieldNull(f, fi);
                else if (l->columns[c].type == FP_COL_INT) OGR_F_SetFieldInteger64(f, fi, sqlite3_column_int64(l->stmt, col));
                else if (l->columns[c].type == FP_COL_REAL) {
                    double v = sqlite3_column_double(l->stmt, col);
                    if (isfinite(v)) OGR_F_SetFieldDouble(f, fi, v); else OGR_F_SetFieldNull(f, fi);
                } else OGR_F_SetFieldString(f, fi, (const char *)sqlite3_column_text(l->stmt, col));
                fi++;
            }
            if (l->nextra && sqlite3_column_type(l->stmt, l->extra_col + 2) == SQLITE_TEXT) {
                json_t *obj = json_loads((const char *)sqlite3_column_text(l->stmt, l->extra_col + 2), 0, NULL);
                for (int k = 0; k < l->nextra; k++) {
                    json_t *v = json_object_get(obj, l->extra_keys[k]);
                    if (!v || json_is_null(v)) continue;
                    if (json_is_string(v)) OGR_F_SetFieldString(f, first_extra + k, json_string_value(v));
                    else {
                        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
                        if (text) OGR_F_SetFieldString(f, first_extra + k, text);
                        free(text);
                    }
                }
                json_decref(obj);
            }
            if (l->classes) {
                double v = sqlite3_column_type(l->stmt, l->class_col + 2) == SQLITE_NULL ? NAN
                                                                                   : sqlite3_column_double(l->stmt, l->class_col + 2);
                int k = fp_classes_index(l->classes, v);
                char hex[10];
                fp_rgba_to_hex(k >= 0 ? l->classes->colors[k] : l->classes->nodata, hex);
                if (k >= 0) OGR_F_SetFieldInteger(f, (int)names->len - 2, k + 1);
                else OGR_F_SetFieldNull(f, (int)names->len - 2);
                OGR_F_SetFieldString(f, (int)names->len - 1, hex);
            }
            const unsigned char *blob = sqlite3_column_blob(l->stmt, 1);
            if (blob) {
                OGRGeometryH g = blob_to_ogr(blob, sqlite3_column_bytes(l->stmt, 1));
                if (g && !strcmp(l->geometry, "polygon") && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
                    g = OGR_G_ForceToMultiPolygon(g);
                if (g) OGR_F_SetGeometryDirectly(f, g);
            }
            if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_INPUT, "%s: layer %s, feature %lld: %s", path, l->name, id,
                                  *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg() : "the driver refused it");
            OGR_F_Destroy(f);
            n++;
        }
        if (gpkg) {
            if (st) GDALDatasetRollbackTransaction(ds);
            else if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
                st = fp_error_set(err, FP_ERR_IO, "%s: %s", path, CPLGetLastErrorMsg());
        }
        *features += n;
        g_ptr_array_free(names, TRUE);
    }
    OSRDestroySpatialReference(srs);
    /* Closing flushes; a full disk shows here. */
    CPLErrorReset();
    GDALClose(ds);
    if (!st && CPLGetLastErrorType() >= CE_Failure)
        st = fp_error_set(err, FP_ERR_IO, "%s: %s", path, CPLGetLastErrorMsg());
    return st;
}
