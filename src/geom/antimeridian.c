/* Cutting geometries at the antimeridian (RFC 7946 section 3.1.9): a line
 * from Japan (140 E) to California (122 W) stored as 140 -> -122 means the
 * short way across the Pacific, not round the world. */
#include <math.h>
#include <stdlib.h>
#include "geom/geom.h"

/* A ring that goes once round the world (unwrapped, it ends 360 degrees
 * from where it began: Antarctica's coast, or a cap drawn round a pole)
 * encloses a pole. It is closed along that pole's latitude: down from its
 * end to the pole, across, and up to its start. The pole is the one on the
 * side of the ring's mean latitude (the south for Antarctica); winding is
 * not trusted, as files draw rings both ways. Frees cs. */
static GEOSCoordSequence *close_round_pole(GEOSContextHandle_t h, GEOSCoordSequence *cs, unsigned n)
{
    double sum = 0, x0, y0, x1, y1;
    for (unsigned i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        sum += y;
    }
    double pole = sum < 0 ? -90 : 90;
    GEOSCoordSequence *out = GEOSCoordSeq_create_r(h, n + 3, 2);
    if (!out) { GEOSCoordSeq_destroy_r(h, cs); return NULL; }
    for (unsigned i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        GEOSCoordSeq_setXY_r(h, out, i, x, y);
    }
    GEOSCoordSeq_getXY_r(h, cs, 0, &x0, &y0);
    GEOSCoordSeq_getXY_r(h, cs, n - 1, &x1, &y1);
    GEOSCoordSeq_setXY_r(h, out, n, x1, pole);
    GEOSCoordSeq_setXY_r(h, out, n + 1, x0, pole);
    GEOSCoordSeq_setXY_r(h, out, n + 2, x0, y0);
    GEOSCoordSeq_destroy_r(h, cs);
    return out;
}

/* A ring's longitude range. */
static void x_range(GEOSContextHandle_t h, const GEOSCoordSequence *cs, double *lo, double *hi)
{
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    *lo = 1e300, *hi = -1e300;
    for (unsigned i = 0; i < n; i++) {
        double x;
        GEOSCoordSeq_getX_r(h, cs, i, &x);
        if (x < *lo) *lo = x;
        if (x > *hi) *hi = x;
    }
}

/* Adds dx (whole turns) to a ring's longitudes. */
static void shift_ring(GEOSContextHandle_t h, GEOSCoordSequence *cs, double dx)
{
    if (dx == 0) return;
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    for (unsigned i = 0; i < n; i++) {
        double x;
        GEOSCoordSeq_getX_r(h, cs, i, &x);
        GEOSCoordSeq_setX_r(h, cs, i, x + dx);
    }
}

/* Shifts a ring round a pole by whole turns so that it starts at or east
 * of -180: rings of one polygon unwrapped from different starts then lie
 * in the same 360 degrees. */
static void shift_into_world(GEOSContextHandle_t h, GEOSCoordSequence *cs)
{
    double lo, hi;
    x_range(h, cs, &lo, &hi);
    shift_ring(h, cs, -360.0 * floor((lo + 180 + 1e-9) / 360));
}

/* The middle of a ring's longitude range. */
static double mid_x(GEOSContextHandle_t h, const GEOSCoordSequence *cs)
{
    double lo, hi;
    x_range(h, cs, &lo, &hi);
    return (lo + hi) / 2;
}

/* Moves a hole by whole turns next to its shell: each ring is unwrapped
 * from its own first vertex, so a hole starting on the other side of 180
 * from the shell's start lay 360 degrees away from it (and was lost when
 * the polygon was cut). */
static void shift_next_to(GEOSContextHandle_t h, GEOSCoordSequence *cs, double shell_mid)
{
    shift_ring(h, cs, 360.0 * floor((shell_mid - mid_x(h, cs)) / 360 + 0.5));
}

/* The sequence with longitudes made continuous (each step under 180). A
 * ring that goes once round the world is closed round its pole when pole
 * is not NULL (*pole set to 1), else refused (NULL). */
static GEOSCoordSequence *unwrap(GEOSContextHandle_t h, const GEOSCoordSequence *cs, int ring, int *pole)
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
        if (y0 != y1 || fabs(fabs(x1 - x0) - 360) > 1e-9 * 360) {
            if (x0 != x1 || y0 != y1) {      /* neither closed nor once round the world */
                GEOSCoordSeq_destroy_r(h, out);
                return NULL;
            }
        } else if (pole) {
            out = close_round_pole(h, out, n);
            *pole = out ? 1 : 0;
        } else {
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
        GEOSCoordSequence *cs = unwrap(h, GEOSGeom_getCoordSeq_r(h, g), 0, NULL);
        return cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
    }
    if (type != GEOS_POLYGON) return NULL;
    int nh = GEOSGetNumInteriorRings_r(h, g), k = 0, poles = 0;
    GEOSCoordSequence **rings = calloc((size_t)nh + 1, sizeof *rings);
    if (!rings) return NULL;
    for (int i = 0; i <= nh; i++) {
        const GEOSGeometry *r = i ? GEOSGetInteriorRingN_r(h, g, i - 1) : GEOSGetExteriorRing_r(h, g);
        int pole = 0;
        GEOSCoordSequence *cs = unwrap(h, GEOSGeom_getCoordSeq_r(h, r), 1, &pole);
        if (!cs && i == 0) { free(rings); return NULL; }
        if (cs && pole) shift_into_world(h, cs);
        else if (cs && i > 0 && rings[0]) shift_next_to(h, cs, mid_x(h, rings[0]));
        if (cs) rings[k++] = cs;
        poles += pole;
    }
    GEOSGeometry *p = NULL;
    if (!poles) {
        GEOSGeometry **holes = calloc((size_t)(k ? k : 1), sizeof *holes);
        for (int i = 1; holes && i < k; i++) holes[i - 1] = GEOSGeom_createLinearRing_r(h, rings[i]);
        if (holes) p = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, rings[0]), holes, (unsigned)(k - 1));
        else for (int i = 0; i < k; i++) GEOSCoordSeq_destroy_r(h, rings[i]);
        free(holes);
    } else {
        /* A ring closed round a pole covers the pole; which ring is the
         * shell and which a hole then depends on the file's idea of the
         * sphere (world-atlas's Antarctica: a "shell" circling the pole at
         * -89.999 and the coast as its "hole"). Read them by the even-odd
         * rule instead: inside where inside an odd number of rings, which
         * is shell minus holes for a plain polygon and the land between
         * coast and polar cap for world-atlas. */
        for (int i = 0; i < k; i++) {
            GEOSGeometry *ring = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, rings[i]), NULL, 0);
            GEOSGeometry *valid = ring ? fpi_make_valid(h, ring) : NULL;
            if (ring) GEOSGeom_destroy_r(h, ring);
            if (!valid) { if (p) GEOSGeom_destroy_r(h, p); p = NULL; for (int j = i + 1; j < k; j++) GEOSCoordSeq_destroy_r(h, rings[j]); break; }
            if (!p) { p = valid; continue; }
            GEOSGeometry *x = GEOSSymDifference_r(h, p, valid);
            GEOSGeom_destroy_r(h, p);
            GEOSGeom_destroy_r(h, valid);
            p = x;
            if (!p) { for (int j = i + 1; j < k; j++) GEOSCoordSeq_destroy_r(h, rings[j]); break; }
        }
    }
    free(rings);
    return p;
}

typedef struct { double dx; } shift_t;

static int shift_x(double *x, double *y, void *user)
{
    (void)y;
    *x += ((shift_t *)user)->dx;
    return 1;
}

GEOSGeometry *fpi_geos_shifted_x(GEOSContextHandle_t h, const GEOSGeometry *g, double dx)
{
    shift_t s = { dx };
    return GEOSGeom_transformXY_r(h, g, shift_x, &s);
}

GEOSGeometry *fpi_cut_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int n = GEOSGetNumGeometries_r(h, g), type = GEOSGeomTypeId_r(h, g);
    int polygonal = type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
    if (!polygonal && type != GEOS_LINESTRING && type != GEOS_MULTILINESTRING) return NULL;
    GEOSGeometry **pieces = NULL;
    double *along = NULL;         /* a line piece's start, as a distance along its unwrapped line */
    size_t np = 0, cap = 0;
    int failed = 0;
    for (int i = 0; i < n && !failed; i++) {
        GEOSGeometry *u = unwrap_geometry(h, GEOSGetGeometryN_r(h, g, i));
        if (!u) { failed = 1; break; }
        size_t first = np;
        for (int k = -1; k <= 1 && !failed; k++) {
            GEOSGeometry *box = GEOSGeom_createRectangle_r(h, -180 + 360.0 * k, -90, 180 + 360.0 * k, 90);
            GEOSGeometry *part = box ? GEOSIntersection_r(h, u, box) : NULL;
            if (box) GEOSGeom_destroy_r(h, box);
            if (!part) { failed = 1; break; }
            GEOSGeometry *moved = k ? fpi_geos_shifted_x(h, part, -360.0 * k) : GEOSGeom_clone_r(h, part);
            if (!moved) { GEOSGeom_destroy_r(h, part); failed = 1; break; }
            /* Keep the parts of the right dimension. */
            int m = GEOSGetNumGeometries_r(h, moved);
            for (int j = 0; j < m; j++) {
                const GEOSGeometry *c = GEOSGetGeometryN_r(h, moved, j);
                int t = GEOSGeomTypeId_r(h, c);
                if (GEOSisEmpty_r(h, c) || (polygonal ? t != GEOS_POLYGON : t != GEOS_LINESTRING)) continue;
                if (np == cap) {
                    /* cap grows only once both arrays have: a failed
                     * realloc leaves both as they were (the review). */
                    size_t grown = cap ? cap * 2 : 8;
                    GEOSGeometry **p2 = realloc(pieces, grown * sizeof *p2);
                    if (p2) pieces = p2;
                    double *a2 = p2 ? realloc(along, grown * sizeof *a2) : NULL;
                    if (a2) along = a2;
                    if (!p2 || !a2) { failed = 1; break; }
                    cap = grown;
                }
                along[np] = 0;
                if (!polygonal) {
                    GEOSGeometry *start = GEOSGeomGetStartPoint_r(h, GEOSGetGeometryN_r(h, part, j));
                    if (start) { along[np] = GEOSProject_r(h, u, start); GEOSGeom_destroy_r(h, start); }
                }
                pieces[np++] = GEOSGeom_clone_r(h, c);
            }
            GEOSGeom_destroy_r(h, moved);
            GEOSGeom_destroy_r(h, part);
        }
        /* A line's pieces in the order it travels (a westward cable's
         * Pacific leg came after its Asian one, being east of 180 once
         * unwrapped): insertion sort, a handful of pieces. */
        for (size_t a = first + 1; !polygonal && a < np; a++)
            for (size_t b = a; b > first && along[b - 1] > along[b]; b--) {
                GEOSGeometry *tg = pieces[b]; pieces[b] = pieces[b - 1]; pieces[b - 1] = tg;
                double ta = along[b]; along[b] = along[b - 1]; along[b - 1] = ta;
            }
        GEOSGeom_destroy_r(h, u);
    }
    GEOSGeometry *res = NULL;
    if (!failed && np)
        res = GEOSGeom_createCollection_r(h, polygonal ? GEOS_MULTIPOLYGON : GEOS_MULTILINESTRING, pieces, (unsigned)np);
    else
        for (size_t i = 0; i < np; i++) GEOSGeom_destroy_r(h, pieces[i]);
    free(pieces);
    free(along);
    return res;
}

/* g, cut at the antimeridian when an edge is longer than 180 degrees of
 * longitude (taken as crossing it): unwrapped, cut at +-180, shifted back. */
int fpi_crosses_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g)
{
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
    return crosses;
}

GEOSGeometry *fpi_cut_if_crossing(GEOSContextHandle_t h, GEOSGeometry *g)
{
    if (!g || !fpi_crosses_antimeridian(h, g)) return g;
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
