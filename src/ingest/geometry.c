/*
 * Geometry checks (emptiness, finite coordinates, WGS 84 range, validity
 * through GEOS) and conversion to SpatiaLite blobs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <geos_c.h>
#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include "ingest/ingest_internal.h"

/* Walks every vertex; returns 0 ok, 1 non-finite, 2 out of range. */
static int check_vertices(OGRGeometryH g, double *bad_x, double *bad_y)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n > 0) {
        for (int i = 0; i < n; i++) {
            int r = check_vertices(OGR_G_GetGeometryRef(g, i), bad_x, bad_y);
            if (r) return r;
        }
        return 0;
    }
    int np = OGR_G_GetPointCount(g);
    int range = 0;
    for (int i = 0; i < np; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        if (!isfinite(x) || !isfinite(y)) { *bad_x = x; *bad_y = y; return 1; }
        if (!range && (x < -180 || x > 180 || y < -90 || y > 90)) { *bad_x = x; *bad_y = y; range = 1; }
    }
    return range ? 2 : 0;
}

/* Finds the first polygon ring whose last point is not its first (GEOS
 * cannot even read such a polygon, so its own reason would be unhelpful).
 * Returns 1 and the ring's first and last points, or 0 if all are closed. */
static int find_open_ring(OGRGeometryH g, double xy[4])
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int n = OGR_G_GetGeometryCount(g);
    if (t == wkbPolygon || t == wkbTriangle) {
        for (int i = 0; i < n; i++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(g, i);
            int np = OGR_G_GetPointCount(ring);
            if (np < 2) continue;             /* too few points: GEOS says so */
            double x0 = OGR_G_GetX(ring, 0), y0 = OGR_G_GetY(ring, 0);
            double x1 = OGR_G_GetX(ring, np - 1), y1 = OGR_G_GetY(ring, np - 1);
            if (x0 != x1 || y0 != y1) {
                xy[0] = x0; xy[1] = y0; xy[2] = x1; xy[3] = y1;
                return 1;
            }
        }
        return 0;
    }
    for (int i = 0; i < n; i++)
        if (find_open_ring(OGR_G_GetGeometryRef(g, i), xy)) return 1;
    return 0;
}

/* One GEOS context for the import (imports run on one thread). */
static GEOSContextHandle_t geos_ctx;

static GEOSContextHandle_t geos_context(void)
{
    if (!geos_ctx) geos_ctx = GEOS_init_r();
    return geos_ctx;
}

void fp_ingest_cleanup(void)
{
    if (geos_ctx) GEOS_finish_r(geos_ctx);
    geos_ctx = NULL;
}

int fp_check_geometry(OGRGeometryH *gp, fp_geom_check *chk, char *reason, size_t size)
{
    OGRGeometryH g = *gp;
    if (!g || OGR_G_IsEmpty(g)) {
        snprintf(reason, size, "the geometry is empty");
        return FP_REJECT_EMPTY_GEOMETRY;
    }
    if (OGR_G_Is3D(g) || OGR_G_IsMeasured(g)) {
        OGR_G_FlattenTo2D(g);
        OGR_G_SetMeasured(g, 0);
        chk->z_dropped = 1;
    }
    /* Curves (CircularString...) are linearised: SpatiaLite stores none. */
    if (OGR_GT_IsNonLinear(OGR_G_GetGeometryType(g))) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (!lin) {                       /* keep *gp valid for the caller to free */
            snprintf(reason, size, "the curve cannot be linearised");
            return FP_REJECT_INVALID_GEOMETRY;
        }
        OGR_G_DestroyGeometry(g);
        *gp = g = lin;
        if (OGR_G_IsEmpty(g)) {
            snprintf(reason, size, "the geometry is empty once its curves are linearised");
            return FP_REJECT_EMPTY_GEOMETRY;
        }
    }
    double x = 0, y = 0;
    int r = check_vertices(g, &x, &y);
    if (r == 1) {
        snprintf(reason, size, "coordinate %g %g is not a finite number", x, y);
        return FP_REJECT_COORD_NOT_FINITE;
    }
    if (r == 2) {
        snprintf(reason, size, "coordinate %.10g %.10g is outside lon -180..180, lat -90..90", x, y);
        return FP_REJECT_COORD_RANGE;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPoint || t == wkbMultiPoint) return FP_REJECT_KINDS;

    /* An unclosed ring (WKT and GeoJSON readers accept them): say so, or
     * close it with --make-valid. */
    double open[4];
    if (find_open_ring(g, open)) {
        if (!chk->make_valid) {
            snprintf(reason, size, "a polygon ring is not closed: it starts at %.10g %.10g and ends at %.10g %.10g "
                     "(use --make-valid to close it)", open[0], open[1], open[2], open[3]);
            return FP_REJECT_INVALID_GEOMETRY;
        }
        OGR_G_CloseRings(g);
        chk->repaired = 1;
    }

    GEOSContextHandle_t ctx = geos_context();
    size_t wkb_size = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(wkb_size);
    if (!wkb) { snprintf(reason, size, "out of memory"); return FP_REJECT_INVALID_GEOMETRY; }
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(ctx);
    GEOSGeometry *gg = GEOSWKBReader_read_r(ctx, rd, wkb, wkb_size);
    GEOSWKBReader_destroy_r(ctx, rd);
    free(wkb);
    if (!gg) {
        snprintf(reason, size, "GEOS cannot read it (too few points?)");
        return FP_REJECT_INVALID_GEOMETRY;
    }
    char *why = NULL;
    int valid = GEOSisValid_r(ctx, gg);
    if (valid != 1) why = GEOSisValidReason_r(ctx, gg);
    GEOSGeom_destroy_r(ctx, gg);
    if (valid == 1) return FP_REJECT_KINDS;
    if (chk->make_valid) {
        OGRGeometryH fixed = OGR_G_MakeValid(g);
        if (fixed && !OGR_G_IsEmpty(fixed)) {
            OGR_G_DestroyGeometry(g);
            *gp = fixed;
            chk->repaired = 1;
            GEOSFree_r(ctx, why);
            return FP_REJECT_KINDS;
        }
        if (fixed) OGR_G_DestroyGeometry(fixed);
    }
    snprintf(reason, size, "%s%s", why ? why : "not valid",
             chk->make_valid ? " (could not be repaired)" : " (use --make-valid to repair)");
    if (why) GEOSFree_r(ctx, why);
    return FP_REJECT_INVALID_GEOMETRY;
}

int fp_geometry_to_blob(OGRGeometryH g, unsigned char **blob, int *len, OGREnvelope *bbox)
{
    size_t wkb_size = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(wkb_size);
    if (!wkb) return -1;
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    gaiaGeomCollPtr geom = gaiaFromWkb(wkb, (unsigned int)wkb_size);
    free(wkb);
    if (!geom) return -1;
    geom->Srid = 4326;
    gaiaMbrGeometry(geom);
    bbox->MinX = geom->MinX; bbox->MaxX = geom->MaxX;
    bbox->MinY = geom->MinY; bbox->MaxY = geom->MaxY;
    *blob = NULL;
    gaiaToSpatiaLiteBlobWkb(geom, blob, len);
    gaiaFreeGeomColl(geom);
    return *blob ? 0 : -1;
}

int fp_point_to_blob(double lon, double lat, unsigned char **blob, int *len, OGREnvelope *bbox)
{
    bbox->MinX = bbox->MaxX = lon;
    bbox->MinY = bbox->MaxY = lat;
    *blob = NULL;
    gaiaMakePoint(lon, lat, 4326, blob, len);
    return *blob ? 0 : -1;
}
