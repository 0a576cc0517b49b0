/*
 * Geometry checks (emptiness, finite coordinates, WGS 84 range, validity
 * through GEOS) and conversion to SpatiaLite blobs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <geos_c.h>
#include "ingest/ingest_internal.h"
#include "geom/geom.h"

/* Coordinates this close beyond +-180 / +-90 are float noise, not errors:
 * Natural Earth has a coastline vertex at 180.0000004, and reprojection or
 * a float32 step leaves such residues. 1e-6 degrees is about 0.11 m, far
 * below the accuracy of any project location, and far above the noise of
 * double arithmetic; anything beyond it (180.01, -180.00001) is a real
 * error and still rejected. Such values are clamped onto the range. */
#define FP_RANGE_TOLERANCE 1e-6

int fpi_clamp_coordinate(double *v, double limit)
{
    if (*v >= -limit && *v <= limit) return 0;
    if (*v > limit && *v - limit <= FP_RANGE_TOLERANCE) { *v = limit; return 1; }
    if (*v < -limit && -limit - *v <= FP_RANGE_TOLERANCE) { *v = -limit; return 1; }
    return -1;
}

/* Walks every vertex, clamping float noise at the range's edges (counted
 * in *clamped); returns 0 ok, 1 non-finite, 2 out of range. */
static int check_vertices(OGRGeometryH g, double *bad_x, double *bad_y, long *clamped)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n > 0) {
        for (int i = 0; i < n; i++) {
            int r = check_vertices(OGR_G_GetGeometryRef(g, i), bad_x, bad_y, clamped);
            if (r) return r;
        }
        return 0;
    }
    int np = OGR_G_GetPointCount(g);
    int range = 0;
    for (int i = 0; i < np; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        if (!isfinite(x) || !isfinite(y)) { *bad_x = x; *bad_y = y; return 1; }
        if (range) continue;
        double cx = x, cy = y;
        int rx = fpi_clamp_coordinate(&cx, 180), ry = fpi_clamp_coordinate(&cy, 90);
        if (rx < 0 || ry < 0) { *bad_x = x; *bad_y = y; range = 1; continue; }
        if (rx || ry) {
            OGR_G_SetPoint_2D(g, i, cx, cy);
            (*clamped)++;
        }
    }
    return range ? 2 : 0;
}

/* A line or ring drawn with continuous longitudes across the antimeridian
 * (Leaflet's drawings, `ogr2ogr -wrapdateline`'s input: 170, 181, 200 for a
 * trans-Pacific cable). Such a leaf has latitudes in range, longitudes
 * within -540..540 and no edge longer than 180 degrees. Returns 1 if every
 * leaf that strays past +-180 is such a one, 0 if any other does (a wrong
 * coordinate, refused as before); *strays counts the vertices past +-180. */
static int continuous_longitudes(OGRGeometryH g, long *strays)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n > 0) {
        for (int i = 0; i < n; i++)
            if (!continuous_longitudes(OGR_G_GetGeometryRef(g, i), strays)) return 0;
        return 1;
    }
    int np = OGR_G_GetPointCount(g);
    long past = 0;
    double lo = 0, hi = 0;
    for (int i = 0; i < np; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        if (!(y >= -90 && y <= 90) || !(x >= -540 && x <= 540)) return 0;
        if (i > 0 && fabs(x - OGR_G_GetX(g, i - 1)) >= 180) return 0;
        if (x > 180 || x < -180) past++;
        if (i == 0 || x < lo) lo = x;
        if (i == 0 || x > hi) hi = x;
    }
    /* Round the world or more (0 -> 400): wrapped, it would be drawn twice
     * over part of its way (the review); refused as before. */
    if (hi - lo >= 360) return 0;
    *strays += past;
    return np > 1 || past == 0;
}

/* Brings every longitude into -180..180 (the edges that then jump are read
 * as crossing the antimeridian by every stage, geom.h). */
static void wrap_longitudes(OGRGeometryH g)
{
    int n = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < n; i++) wrap_longitudes(OGR_G_GetGeometryRef(g, i));
    int np = n > 0 ? 0 : OGR_G_GetPointCount(g);
    for (int i = 0; i < np; i++) {
        double x = OGR_G_GetX(g, i);
        if (x > 180 || x < -180) OGR_G_SetPoint_2D(g, i, x - 360 * floor((x + 180) / 360), OGR_G_GetY(g, i));
    }
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

/* The parts of g of dimension dim (2 polygons, 1 lines, 0 points), as one
 * geometry: itself when it is all of that dimension, a Multi* of the
 * parts when MakeValid returned a collection, NULL when none is left. */
static GEOSGeometry *keep_dimension(GEOSContextHandle_t ctx, GEOSGeometry *g, int dim)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type != GEOS_GEOMETRYCOLLECTION) return GEOSGeom_getDimensions_r(ctx, g) == dim ? g : NULL;
    int n = GEOSGetNumGeometries_r(ctx, g), k = 0, total = 0;
    for (int i = 0; i < n; i++) total += GEOSGetNumGeometries_r(ctx, GEOSGetGeometryN_r(ctx, g, i));
    GEOSGeometry **parts = malloc(sizeof *parts * (size_t)(total ? total : 1));
    if (!parts) return NULL;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (GEOSGeom_getDimensions_r(ctx, p) != dim || GEOSisEmpty_r(ctx, p)) continue;
        /* Multi parts are flattened into their members. */
        int m = GEOSGetNumGeometries_r(ctx, p);
        for (int j = 0; j < m; j++) {
            const GEOSGeometry *q = GEOSGetGeometryN_r(ctx, p, j);
            if (GEOSGeom_getDimensions_r(ctx, q) == dim && !GEOSisEmpty_r(ctx, q)) parts[k++] = GEOSGeom_clone_r(ctx, q);
        }
    }
    GEOSGeometry *out = NULL;
    if (k == 1) out = parts[0];
    else if (k > 1)
        out = GEOSGeom_createCollection_r(ctx, dim == 2 ? GEOS_MULTIPOLYGON : dim == 1 ? GEOS_MULTILINESTRING : GEOS_MULTIPOINT,
                                          parts, (unsigned)k);
    free(parts);
    return out;
}

static int is_linear_ring(OGRGeometryH g)
{
    return !strcmp(OGR_G_GetGeometryName(g), "LINEARRING");
}

/* Whether g is a LinearRing or a collection holding one (not a polygon's:
 * those are its rings). */
static int holds_bare_ring(OGRGeometryH g)
{
    if (is_linear_ring(g)) return 1;
    if (wkbFlatten(OGR_G_GetGeometryType(g)) != wkbGeometryCollection) return 0;
    for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
        if (holds_bare_ring(OGR_G_GetGeometryRef(g, i))) return 1;
    return 0;
}

/* A bare LinearRing (a KML <Placemark> of a <LinearRing> alone, or in a
 * <MultiGeometry>) as the LineString it is: OGR writes a LinearRing's WKB
 * as a polygon's ring, without a header, which GEOS and SpatiaLite cannot
 * read ("too few points?"). Takes g; returns the geometry to use. */
static OGRGeometryH rings_to_lines(OGRGeometryH g)
{
    if (is_linear_ring(g)) return OGR_G_ForceToLineString(g);
    if (!holds_bare_ring(g)) return g;
    OGRGeometryH out = OGR_G_CreateGeometry(wkbGeometryCollection);
    for (int i = 0; out && i < OGR_G_GetGeometryCount(g); i++)
        OGR_G_AddGeometryDirectly(out, rings_to_lines(OGR_G_Clone(OGR_G_GetGeometryRef(g, i))));
    if (!out) return g;
    OGR_G_DestroyGeometry(g);
    return out;
}

int fpi_check_geometry(OGRGeometryH *gp, fp_geom_check *chk, char *reason, size_t size)
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
    if (holds_bare_ring(g)) *gp = g = rings_to_lines(g);
    /* Triangles, TINs and polyhedral surfaces (WKT, GML, CityGML-ish
     * sources) are areas SpatiaLite and GEOS do not read: as the polygons
     * they are made of. */
    OGRwkbGeometryType surface = wkbFlatten(OGR_G_GetGeometryType(g));
    if (surface == wkbTriangle || surface == wkbTIN || surface == wkbPolyhedralSurface) {
        OGRGeometryH poly = OGR_G_ForceTo(OGR_G_Clone(g), wkbMultiPolygon, NULL);
        if (!poly || wkbFlatten(OGR_G_GetGeometryType(poly)) != wkbMultiPolygon) {
            if (poly) OGR_G_DestroyGeometry(poly);
            snprintf(reason, size, "a %s that cannot be read as polygons", OGRGeometryTypeToName(surface));
            return FP_REJECT_INVALID_GEOMETRY;
        }
        OGR_G_DestroyGeometry(g);
        *gp = g = poly;
        /* A TIN's or surface's faces share edges, which a MultiPolygon may
         * not: merged into the area they cover (not a repair, nor refused
         * under --strict-geometry: the surface was valid). */
        GEOSGeometry *faces = surface != wkbTriangle && chk->geos ? fpi_ogr_to_geos(chk->geos, g) : NULL;
        GEOSGeometry *area = faces ? GEOSUnaryUnion_r(chk->geos, faces) : NULL;
        OGRGeometryH merged = area ? fpi_geos_to_ogr(chk->geos, area) : NULL;
        if (faces) GEOSGeom_destroy_r(chk->geos, faces);
        if (area) GEOSGeom_destroy_r(chk->geos, area);
        if (merged) {
            OGR_G_DestroyGeometry(g);
            *gp = g = merged;
        }
    }
    double x = 0, y = 0;
    int r = check_vertices(g, &x, &y, &chk->clamped);
    OGRwkbGeometryType kind = wkbFlatten(OGR_G_GetGeometryType(g));
    long strays = 0;
    if (r == 2 && kind != wkbPoint && kind != wkbMultiPoint && continuous_longitudes(g, &strays) && strays > 0) {
        snprintf(chk->repair_note, sizeof chk->repair_note,
                 "%ld longitude%s past +-180 (such as %.10g) wrapped into -180..180: a line or ring drawn with "
                 "continuous longitudes across the antimeridian", strays, strays == 1 ? "" : "s", x);
        if (chk->strict) {
            snprintf(reason, size, "%s (--strict-geometry; wrapped by default)", chk->repair_note);
            chk->repair_note[0] = 0;
            return FP_REJECT_COORD_RANGE;
        }
        wrap_longitudes(g);
        r = check_vertices(g, &x, &y, &chk->clamped);
    }
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

    /* An unclosed ring (WKT and GeoJSON readers accept them): closed, and
     * noted; refused with --strict-geometry. */
    double open[4];
    if (find_open_ring(g, open)) {
        size_t had = strlen(chk->repair_note);
        snprintf(chk->repair_note + had, sizeof chk->repair_note - had,
                 "%sa polygon ring is not closed: it starts at %.10g %.10g and ends at %.10g %.10g", had ? "; " : "",
                 open[0], open[1], open[2], open[3]);
        if (chk->strict) {
            snprintf(reason, size, "%s (--strict-geometry; closed by default)", chk->repair_note);
            chk->repair_note[0] = 0;
            return FP_REJECT_INVALID_GEOMETRY;
        }
        OGR_G_CloseRings(g);
    }

    GEOSContextHandle_t ctx = chk->geos;   /* the import's (fpi_sink_geos) */
    GEOSGeometry *gg = ctx ? fpi_ogr_to_geos(ctx, g) : NULL;
    if (!gg) {
        snprintf(reason, size, "GEOS cannot read it (too few points?)");
        chk->repair_note[0] = 0;
        return FP_REJECT_INVALID_GEOMETRY;
    }
    char *why = NULL;
    int valid = GEOSisValid_r(ctx, gg);
    if (valid == 1) {
        GEOSGeom_destroy_r(ctx, gg);
        if (chk->repair_note[0]) chk->repaired = 1;   /* the ring was closed */
        return FP_REJECT_KINDS;
    }
    why = GEOSisValidReason_r(ctx, gg);   /* "Self-intersection[0.5 0.5]": the reason and where */
    if (chk->strict) {
        snprintf(reason, size, "%s (--strict-geometry; repaired by default)", why ? why : "not valid");
        if (why) GEOSFree_r(ctx, why);
        GEOSGeom_destroy_r(ctx, gg);
        chk->repair_note[0] = 0;
        return FP_REJECT_INVALID_GEOMETRY;
    }
    /* Repaired with GEOS, keeping the part of the input's dimension: a
     * polygon stays polygonal (a bow-tie becomes two triangles), a line
     * lineal; what collapses below it (a ring of three points) is refused. */
    int dim = GEOSGeom_getDimensions_r(ctx, gg);
    /* A polygon with an edge longer than 180 degrees of longitude is read
     * cut at the antimeridian by every stage (geom.h), so it is repaired
     * cut: Russia's and Fiji's rings are valid once cut there, and GEOS's
     * repair of the uncut ring made a band round the world of them. The
     * cut (repaired if it still is not valid) is what is stored. */
    int was_cut = 0;
    if (dim == 2 && fpi_crosses_antimeridian(ctx, gg)) {
        GEOSGeometry *cut = fpi_cut_antimeridian(ctx, gg);
        if (cut) {
            GEOSGeom_destroy_r(ctx, gg);
            gg = cut;
            was_cut = 1;
        }
    }
    GEOSGeometry *fixed = was_cut && GEOSisValid_r(ctx, gg) == 1 ? GEOSGeom_clone_r(ctx, gg) : fpi_make_valid(ctx, gg);
    GEOSGeom_destroy_r(ctx, gg);
    GEOSGeometry *kept = fixed && t != wkbGeometryCollection ? keep_dimension(ctx, fixed, dim) : fixed;
    if (kept != fixed && fixed) GEOSGeom_destroy_r(ctx, fixed);
    OGRGeometryH out = kept && !GEOSisEmpty_r(ctx, kept) ? fpi_geos_to_ogr(ctx, kept) : NULL;
    if (kept) GEOSGeom_destroy_r(ctx, kept);
    if (!out) {
        snprintf(reason, size, "%s (repair leaves no %s)", why ? why : "not valid",
                 dim == 2 ? "polygon" : dim == 1 ? "line" : "geometry");
        if (why) GEOSFree_r(ctx, why);
        chk->repair_note[0] = 0;
        return FP_REJECT_INVALID_GEOMETRY;
    }
    size_t used = strlen(chk->repair_note);
    snprintf(chk->repair_note + used, sizeof chk->repair_note - used, "%s%s%s%s", used ? "; " : "",
             was_cut ? "cut at the antimeridian (as given: " : "", why ? why : "not valid", was_cut ? ")" : "");
    if (why) GEOSFree_r(ctx, why);
    OGR_G_DestroyGeometry(g);
    *gp = out;
    chk->repaired = 1;
    return FP_REJECT_KINDS;
}

int fpi_geometry_to_wkb(OGRGeometryH g, unsigned char **wkb_out, size_t *len)
{
    size_t wkb_size = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(wkb_size);
    if (!wkb) return -1;
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    *wkb_out = wkb;
    *len = wkb_size;
    return 0;
}
