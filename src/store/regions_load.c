/*
 * Loading a region layer into the store's `regions` table.
 *
 * The layer is read through OGR (any polygon format), reprojected to WGS 84
 * if it is in another CRS, forced to MULTIPOLYGON and written in one
 * transaction. The file's SHA-256 is kept in meta, so loading the same file
 * again is a no-op.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include "fp_store.h"
#include "store/pg_internal.h"
#include "common/util.h"

static const char *field_or_null(OGRFeatureH f, int idx)
{
    if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx)) return NULL;
    const char *v = OGR_F_GetFieldAsString(f, idx);
    return (v && *v) ? v : NULL;
}

static void bind_text_or_null(sqlite3_stmt *q, int col, const char *v)
{
    if (v) sqlite3_bind_text(q, col, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, col);
}

fp_status fp_store_load_regions(fp_store *s, const char *path, fp_regions_result *res, fp_error *err)
{
    if (s->pg) return fpi_pg_load_regions(s, path, res, err);
    fp_regions_result local = {0};
    if (!res) res = &local;
    memset(res, 0, sizeof *res);

    char sha[65];
    fp_status st = fpi_file_sha256(path, sha, err);
    if (st) return st;

    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='regions_sha256'", -1, &q, NULL) == SQLITE_OK) {
        int same = sqlite3_step(q) == SQLITE_ROW &&
                   strcmp((const char *)sqlite3_column_text(q, 0), sha) == 0;
        sqlite3_finalize(q);
        if (same) {
            res->unchanged = 1;
            res->countries = -1;
            res->admin1 = -1;
            if (sqlite3_prepare_v2(s->db, "SELECT sum(level='country'), sum(level='admin1') FROM regions",
                                   -1, &q, NULL) == SQLITE_OK) {
                if (sqlite3_step(q) == SQLITE_ROW) {
                    res->countries = sqlite3_column_int64(q, 0);
                    res->admin1 = sqlite3_column_int64(q, 1);
                }
                sqlite3_finalize(q);
            }
            return FP_OK;
        }
    }

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return fp_error_set(err, FP_ERR_INPUT, "%s: not a vector data set GDAL can read", path);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "regions");
    if (!layer) layer = GDALDatasetGetLayer(ds, 0);
    if (!layer) {
        GDALClose(ds);
        return fp_error_set(err, FP_ERR_INPUT, "%s: no layer", path);
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    static const char *const names[] = { "level", "code", "iso_a2", "name", "name_long",
                                         "parent", "continent", "subregion", "population" };
    int idx[9];
    for (int i = 0; i < 9; i++) idx[i] = OGR_FD_GetFieldIndex(defn, names[i]);
    if (idx[1] < 0 || idx[3] < 0) {
        GDALClose(ds);
        return fp_error_set(err, FP_ERR_INPUT, "%s: region layer needs the fields `code` and `name`", path);
    }

    OGRCoordinateTransformationH ct = NULL;
    if (fpi_layer_to_wgs84(layer, (void **)&ct) != 0) {
        GDALClose(ds);
        return fp_error_set(err, FP_ERR_INPUT, "%s: cannot transform its CRS to WGS 84", path);
    }

    if ((st = fp_store_begin(s, err)) != FP_OK) goto done;
    if ((st = fpi_store_exec(s, "DELETE FROM regions; DELETE FROM region_groups;", err)) != FP_OK) goto done;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO regions(level, code, iso_a2, name, name_long, parent, continent, subregion, population, geom) "
            "VALUES(?,?,?,?,?,?,?,?,?, CastToMultiPolygon(GeomFromWKB(?, 4326)))",
            -1, &q, NULL) != SQLITE_OK) {
        st = fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
        goto done;
    }
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    long n = 0;
    unsigned char *wkb = NULL;
    size_t wkb_cap = 0;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        const char *code = field_or_null(f, idx[1]);
        const char *level = field_or_null(f, idx[0]);
        if (!code || !g || OGR_G_IsEmpty(g)) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld: %s", path, n,
                              code ? "no geometry" : "no code");
            OGR_F_Destroy(f);
            break;
        }
        OGRwkbGeometryType gt = wkbFlatten(OGR_G_GetGeometryType(g));
        if (gt != wkbPolygon && gt != wkbMultiPolygon) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): geometry is %s, not a polygon",
                              path, n, code, OGR_G_GetGeometryName(g));
            OGR_F_Destroy(f);
            break;
        }
        if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): cannot reproject", path, n, code);
            OGR_F_Destroy(f);
            break;
        }
        OGR_G_FlattenTo2D(g);
        size_t sz = (size_t)OGR_G_WkbSize(g);
        if (sz > wkb_cap) { free(wkb); wkb_cap = sz; wkb = malloc(sz); }
        OGR_G_ExportToWkb(g, wkbNDR, wkb);
        sqlite3_reset(q);
        bind_text_or_null(q, 1, level ? level : "custom");
        bind_text_or_null(q, 2, code);
        for (int i = 2; i < 8; i++) bind_text_or_null(q, i + 1, field_or_null(f, idx[i]));
        if (idx[8] >= 0 && OGR_F_IsFieldSetAndNotNull(f, idx[8]))
            sqlite3_bind_int64(q, 9, OGR_F_GetFieldAsInteger64(f, idx[8]));
        else
            sqlite3_bind_null(q, 9);
        sqlite3_bind_blob(q, 10, wkb, (int)sz, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): %s", path, n, code,
                              rc == SQLITE_CONSTRAINT ? "duplicate region code" : sqlite3_errmsg(s->db));
            OGR_F_Destroy(f);
            break;
        }
        if (level && strcmp(level, "country") == 0) res->countries++;
        else if (level && strcmp(level, "admin1") == 0) res->admin1++;
        n++;
        OGR_F_Destroy(f);
    }
    free(wkb);
    if (st == FP_OK && n == 0)
        st = fp_error_set(err, FP_ERR_INPUT, "%s: no regions in the layer", path);
    if (st == FP_OK) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('regions_sha256', '%s')", sha);
        st = fpi_store_exec(s, sql, err);
    }
    if (st == FP_OK) st = fp_store_commit(s, err);
done:
    if (q) sqlite3_finalize(q);
    if (st != FP_OK) fp_store_rollback(s);
    if (ct) OCTDestroyCoordinateTransformation(ct);
    GDALClose(ds);
    return st;
}
