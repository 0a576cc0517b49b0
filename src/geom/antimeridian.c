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

/* The pieces of a cut, growing. cap grows only once both arrays have: a
 * failed realloc leaves both as they were (the review). */
typedef struct {
    GEOSGeometry **pieces;
    size_t n, cap;
} piece_list;

static int piece_list_push(piece_list *pl, GEOSGeometry *g)
{
    if (!g) return -1;
    if (pl->n == pl->cap) {
        size_t grown = pl->cap ? pl->cap * 2 : 8;
        GEOSGeometry **p2 = realloc(pl->pieces, grown * sizeof *p2);
        if (!p2) return -1;
        pl->pieces = p2;
        pl->cap = grown;
    }
    pl->pieces[pl->n++] = g;
    return 0;
}

/* The whole turn (window k: longitudes -180 + 360k .. 180 + 360k) that x
 * lies in. */
static int window_of(double x)
{
    return (int)floor((x + 180) / 360);
}

/* The first seam (180 + 360m) strictly between x and x1 going from x
 * towards x1, or x1 when there is none. Computed from the seams' own
 * values rather than window_of, which rounded 179.99999999999997 into the
 * next turn and walked in place. */
static double next_seam(double x, double x1)
{
    if (x1 > x) {
        double s = 180 + 360.0 * (floor((x - 180) / 360) + 1);
        while (s <= x) s += 360;
        while (s - 360 > x) s -= 360;
        return s < x1 ? s : x1;
    }
    if (x1 < x) {
        double s = 180 + 360.0 * (ceil((x - 180) / 360) - 1);
        while (s >= x) s -= 360;
        while (s + 360 < x) s += 360;
        return s > x1 ? s : x1;
    }
    return x1;
}

/* A shifted longitude, its rounding kept within -180..180. */
static double into_world(double x)
{
    return x < -180 ? -180 : x > 180 ? 180 : x;
}

/* Ends the piece being walked (xy, *len points, already shifted into
 * -180..180) as a line when it has length. */
static int flush_line_piece(GEOSContextHandle_t h, piece_list *pl, const double *xy, unsigned *len)
{
    unsigned m = *len;
    *len = 0;
    if (m < 2) return 0;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, m, 2);
    if (!cs) return -1;
    for (unsigned i = 0; i < m; i++) GEOSCoordSeq_setXY_r(h, cs, i, xy[2 * i], xy[2 * i + 1]);
    GEOSGeometry *line = GEOSGeom_createLineString_r(h, cs);
    if (!line) return -1;
    if (piece_list_push(pl, line)) { GEOSGeom_destroy_r(h, line); return -1; }
    return 0;
}

/* An unwrapped line (each step under 180 degrees) cut where it crosses
 * 180 + 360k by walking its coordinates, each piece shifted by whole turns
 * into -180..180, in the order the line travels. GEOS's intersection with
 * one box per turn did the same but merged the parts of a line that
 * doubles back over itself: a cable out and back across 180 lost its
 * return leg. A crossing is interpolated linearly in longitude and
 * latitude, as that intersection did. */
static int cut_line_walk(GEOSContextHandle_t h, const GEOSGeometry *u, piece_list *pl)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, u);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n)) return -1;
    /* A piece has at most every vertex and one crossing per segment. */
    double *xy = malloc(sizeof *xy * 2 * (2 * (size_t)n + 2));
    if (!xy) return -1;
    unsigned len = 0;
    int k = 0, started = 0;
    double x0, y0;
    GEOSCoordSeq_getXY_r(h, cs, 0, &x0, &y0);
    for (unsigned i = 1; i < n; i++) {
        double x1, y1;
        GEOSCoordSeq_getXY_r(h, cs, i, &x1, &y1);
        /* The segment in sub-segments, one per turn it passes through. */
        double ax = x0, ay = y0;
        while (1) {
            double bx = x1, by = y1;
            double seam = next_seam(ax, x1);
            if (seam != x1) bx = seam, by = y0 + (y1 - y0) * (seam - x0) / (x1 - x0);
            if (ax != bx || ay != by) {
                /* The turn this sub-segment lies in: its middle's, or the
                 * current piece's when the middle is on that turn's edge
                 * (a stretch along the seam stays with its piece). */
                double mid = (ax + bx) / 2;
                int w = window_of(mid);
                if (started && mid >= -180 + 360.0 * k && mid <= 180 + 360.0 * k) w = k;
                if (!started || w != k) {
                    if (flush_line_piece(h, pl, xy, &len)) { free(xy); return -1; }
                    k = w;
                    started = 1;
                    xy[0] = into_world(ax - 360.0 * k);
                    xy[1] = ay;
                    len = 1;
                }
                xy[2 * len] = into_world(bx - 360.0 * k);
                xy[2 * len + 1] = by;
                len++;
            }
            if (bx == x1 && by == y1) break;
            ax = bx, ay = by;
        }
        x0 = x1, y0 = y1;
    }
    int rc = flush_line_piece(h, pl, xy, &len);
    free(xy);
    return rc;
}

GEOSGeometry *fpi_cut_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int n = GEOSGetNumGeometries_r(h, g), type = GEOSGeomTypeId_r(h, g);
    int polygonal = type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
    if (!polygonal && type != GEOS_LINESTRING && type != GEOS_MULTILINESTRING) return NULL;
    piece_list pl = { 0 };
    int failed = 0;
    for (int i = 0; i < n && !failed; i++) {
        GEOSGeometry *u = unwrap_geometry(h, GEOSGetGeometryN_r(h, g, i));
        if (!u) { failed = 1; break; }
        if (!polygonal) {
            failed = cut_line_walk(h, u, &pl) != 0;
            GEOSGeom_destroy_r(h, u);
            continue;
        }
        for (int k = -1; k <= 1 && !failed; k++) {
            GEOSGeometry *box = GEOSGeom_createRectangle_r(h, -180 + 360.0 * k, -90, 180 + 360.0 * k, 90);
            GEOSGeometry *part = box ? GEOSIntersection_r(h, u, box) : NULL;
            if (box) GEOSGeom_destroy_r(h, box);
            if (!part) { failed = 1; break; }
            GEOSGeometry *moved = k ? fpi_geos_shifted_x(h, part, -360.0 * k) : GEOSGeom_clone_r(h, part);
            GEOSGeom_destroy_r(h, part);
            if (!moved) { failed = 1; break; }
            /* Keep the parts of the right dimension. */
            int m = GEOSGetNumGeometries_r(h, moved);
            for (int j = 0; j < m && !failed; j++) {
                const GEOSGeometry *c = GEOSGetGeometryN_r(h, moved, j);
                if (GEOSisEmpty_r(h, c) || GEOSGeomTypeId_r(h, c) != GEOS_POLYGON) continue;
                GEOSGeometry *copy = GEOSGeom_clone_r(h, c);
                if (piece_list_push(&pl, copy)) { if (copy) GEOSGeom_destroy_r(h, copy); failed = 1; }
            }
            GEOSGeom_destroy_r(h, moved);
        }
        GEOSGeom_destroy_r(h, u);
    }
    GEOSGeometry *res = NULL;
    if (!failed && pl.n)
        res = GEOSGeom_createCollection_r(h, polygonal ? GEOS_MULTIPOLYGON : GEOS_MULTILINESTRING, pl.pieces, (unsigned)pl.n);
    else
        for (size_t i = 0; i < pl.n; i++) GEOSGeom_destroy_r(h, pl.pieces[i]);
    free(pl.pieces);
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
