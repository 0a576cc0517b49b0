/* Cutting geometries at the antimeridian (RFC 7946 section 3.1.9): a line
 * from Japan (140 E) to California (122 W) stored as 140 -> -122 means the
 * short way across the Pacific, not round the world. */
#include <math.h>
#include <stdlib.h>
#include "geom/geom.h"

/* The sequence with longitudes made continuous (each step under 180). */
static GEOSCoordSequence *unwrap(GEOSContextHandle_t h, const GEOSCoordSequence *cs, int ring)
{
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    GEOSCoordSequence *out = GEOSCoordSeq_create_r(h, n, 2);
    if (!out) return NULL;
    double offset = 0, prev = 0;
    for (unsigned i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        if (i) {
            if (x - prev > 180) offset -= 360;
            else if (prev - x > 180) offset += 360;
        }
        prev = x;
        GEOSCoordSeq_setXY_r(h, out, i, x + offset, y);
    }
    if (ring && n > 0) {
        double x0, y0, x1, y1;
        GEOSCoordSeq_getXY_r(h, out, 0, &x0, &y0);
        GEOSCoordSeq_getXY_r(h, out, n - 1, &x1, &y1);
        if (x0 != x1 || y0 != y1) {          /* goes round a pole: not cut */
            GEOSCoordSeq_destroy_r(h, out);
            return NULL;
        }
    }
    return out;
}

static GEOSGeometry *unwrap_geometry(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_LINESTRING) {
        GEOSCoordSequence *cs = unwrap(h, GEOSGeom_getCoordSeq_r(h, g), 0);
        return cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
    }
    if (type == GEOS_POLYGON) {
        GEOSCoordSequence *shell = unwrap(h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), 1);
        if (!shell) return NULL;
        int nh = GEOSGetNumInteriorRings_r(h, g);
        GEOSGeometry **holes = calloc((size_t)(nh ? nh : 1), sizeof *holes);
        int k = 0;
        for (int i = 0; holes && i < nh; i++) {
            GEOSCoordSequence *cs = unwrap(h, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)), 1);
            if (cs) holes[k++] = GEOSGeom_createLinearRing_r(h, cs);
        }
        GEOSGeometry *p = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, shell), holes, (unsigned)k);
        free(holes);
        return p;
    }
    return NULL;
}

typedef struct { double dx; } shift_t;

static int shift_x(double *x, double *y, void *user)
{
    (void)y;
    *x += ((shift_t *)user)->dx;
    return 1;
}

GEOSGeometry *fpi_cut_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int n = GEOSGetNumGeometries_r(h, g), type = GEOSGeomTypeId_r(h, g);
    int polygonal = type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
    if (!polygonal && type != GEOS_LINESTRING && type != GEOS_MULTILINESTRING) return NULL;
    GEOSGeometry **pieces = NULL;
    size_t np = 0, cap = 0;
    int failed = 0;
    for (int i = 0; i < n && !failed; i++) {
        GEOSGeometry *u = unwrap_geometry(h, GEOSGetGeometryN_r(h, g, i));
        if (!u) { failed = 1; break; }
        for (int k = -1; k <= 1; k++) {
            GEOSGeometry *box = GEOSGeom_createRectangle_r(h, -180 + 360.0 * k, -90, 180 + 360.0 * k, 90);
            GEOSGeometry *part = box ? GEOSIntersection_r(h, u, box) : NULL;
            if (box) GEOSGeom_destroy_r(h, box);
            if (!part) { failed = 1; break; }
            shift_t s = { -360.0 * k };
            GEOSGeometry *moved = k ? GEOSGeom_transformXY_r(h, part, shift_x, &s) : GEOSGeom_clone_r(h, part);
            GEOSGeom_destroy_r(h, part);
            if (!moved) { failed = 1; break; }
            /* Keep the parts of the right dimension. */
            int m = GEOSGetNumGeometries_r(h, moved);
            for (int j = 0; j < m; j++) {
                const GEOSGeometry *c = GEOSGetGeometryN_r(h, moved, j);
                int t = GEOSGeomTypeId_r(h, c);
                if (GEOSisEmpty_r(h, c) || (polygonal ? t != GEOS_POLYGON : t != GEOS_LINESTRING)) continue;
                if (np == cap) {
                    cap = cap ? cap * 2 : 8;
                    GEOSGeometry **p2 = realloc(pieces, cap * sizeof *p2);
                    if (!p2) { failed = 1; break; }
                    pieces = p2;
                }
                pieces[np++] = GEOSGeom_clone_r(h, c);
            }
            GEOSGeom_destroy_r(h, moved);
        }
        GEOSGeom_destroy_r(h, u);
    }
    GEOSGeometry *res = NULL;
    if (!failed && np)
        res = GEOSGeom_createCollection_r(h, polygonal ? GEOS_MULTIPOLYGON : GEOS_MULTILINESTRING, pieces, (unsigned)np);
    else
        for (size_t i = 0; i < np; i++) GEOSGeom_destroy_r(h, pieces[i]);
    free(pieces);
    return res;
}

/* g, cut at the antimeridian when an edge is longer than 180 degrees of
 * longitude (taken as crossing it): unwrapped, cut at +-180, shifted back. */
GEOSGeometry *fpi_cut_if_crossing(GEOSContextHandle_t h, GEOSGeometry *g)
{
    if (!g) return NULL;
    int crosses = 0;
    int parts = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < parts && !crosses; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        int t = GEOSGeomTypeId_r(h, p);
        const GEOSGeometry *rings[1 + 256];
        int nr = 0;
        if (t == GEOS_LINESTRING) rings[nr++] = p;
        else if (t == GEOS_POLYGON) {
            rings[nr++] = GEOSGetExteriorRing_r(h, p);
            int holes = GEOSGetNumInteriorRings_r(h, p);
            for (int k = 0; k < holes && nr < 257; k++) rings[nr++] = GEOSGetInteriorRingN_r(h, p, k);
        }
        for (int k = 0; k < nr && !crosses; k++) {
            const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, rings[k]);
            unsigned n = 0;
            GEOSCoordSeq_getSize_r(h, cs, &n);
            double px = 0, py, cx;
            for (unsigned m = 0; m < n; m++) {
                GEOSCoordSeq_getXY_r(h, cs, m, &cx, &py);
                if (m && fabs(cx - px) > 180) { crosses = 1; break; }
                px = cx;
            }
        }
    }
    if (!crosses) return g;
    GEOSGeometry *cut = fpi_cut_antimeridian(h, g);
    if (cut) { GEOSGeom_destroy_r(h, g); return cut; }
    return g;
}

GEOSGeometry *fpi_wkb_to_geos(GEOSContextHandle_t h, const unsigned char *wkb, size_t len)
{
    GEOSWKBReader *r = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = GEOSWKBReader_read_r(h, r, wkb, len);
    GEOSWKBReader_destroy_r(h, r);
    return fpi_cut_if_crossing(h, g);
}
