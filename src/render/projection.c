/* The map's projection (PROJ) and the way lon/lat geometry becomes cairo
 * paths: cut to the data box (so nothing wraps round the projection's edge:
 * no streaks across the map), densified to one degree (parallels and long
 * edges curve as they should), projected, and simplified to the output
 * resolution (fast drawing, small PDFs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "render_internal.h"
#include "common/crs.h"

void fpi_set_color(cairo_t *cr, fp_rgba c)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0);
}

fp_status fpi_view_init(fp_view *v, const char *proj, const char *origin, double lon0, double lat0, fp_error *err)
{
    /* The definition PROJ is given, not the name: a name ("equal-earth",
     * the style's default) sent PROJ searching its database's names, 0.1 s
     * of every map. */
    fp_projection_definition(proj, lon0, lat0, v->proj_def, sizeof v->proj_def);
    /* A map is drawn on a plane: a vertical or geocentric CRS drew a
     * distorted map and wrote a VERTCS .prj beside it. */
    if (proj) {
        fp_status cst = fpi_crs_check_option(origin, proj, v->proj_def, err);
        if (cst) return cst;
    }
    v->ctx = fpi_proj_context_quiet();   /* the message below says why, not PROJ's log */
    PJ *raw = proj_create_crs_to_crs(v->ctx, "EPSG:4326", v->proj_def, NULL);
    if (!raw) {
        /* Named where the value came from (--proj, or the style file's
         * view.projection), with the names a typo was likely meant for. */
        char hint[400];
        fp_projection_hint(proj, hint, sizeof hint);
        fp_error_set(err, FP_ERR_USAGE, "%s %s: PROJ does not know this projection (%s; %s)", origin,
                     proj ? proj : "equal-earth", proj_context_errno_string(v->ctx, proj_context_errno(v->ctx)), hint);
        proj_context_destroy(v->ctx);
        v->ctx = NULL;
        return FP_ERR_USAGE;
    }
    v->pj = proj_normalize_for_visualization(v->ctx, raw);
    proj_destroy(raw);
    if (!v->pj) {
        proj_context_destroy(v->ctx);
        v->ctx = NULL;
        return fp_error_set(err, FP_ERR_USAGE, "%s %s: cannot use this projection", origin, v->proj_def);
    }
    /* The central meridian, whatever named the projection (EPSG code, PROJ
     * string): read back from PROJ's own description of it. */
    v->lon0 = 0;
    PJ *crs = proj_get_target_crs(v->ctx, v->pj);
    const char *def = crs ? proj_as_proj_string(v->ctx, crs, PJ_PROJ_5, NULL) : NULL;
    const char *l0 = def ? strstr(def, "+lon_0=") : NULL;
    if (l0) v->lon0 = atof(l0 + 7);
    if (crs) proj_destroy(crs);
    return FP_OK;
}

void fpi_view_clear(fp_view *v)
{
    if (v->pj) proj_destroy(v->pj);
    if (v->ctx) proj_context_destroy(v->ctx);
    memset(v, 0, sizeof *v);
}

int fpi_view_project(const fp_view *v, double lon, double lat, double *x, double *y)
{
    PJ_COORD c = proj_trans(v->pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL) return -1;
    *x = c.xy.x;
    *y = c.xy.y;
    return 0;
}

int fpi_view_unproject(const fp_view *v, double x, double y, double *lon, double *lat)
{
    PJ_COORD c = proj_trans(v->pj, PJ_INV, proj_coord(x, y, 0, 0));
    if (!isfinite(c.lp.lam) || c.lp.lam == HUGE_VAL) return -1;
    *lon = c.lp.lam;
    *lat = c.lp.phi;
    return 0;
}

/* Whether the edge (lon1, lat1)-(lon2, lat2) lies on a cut rather than on
 * a border: along the antimeridian (where the data is cut, in the store or
 * by fpi_cut_if_crossing, and shifted by 360 degrees), along the edge of
 * the view's clip box (GEOSClipByRect's cut), or along a pole (Antarctica's
 * ring closes there). Such an edge is filled across but never stroked: a
 * border drawn on it was a seam through Taveuni and Chukotka. */
static int on_cut(const fp_view *v, double lon1, double lat1, double lon2, double lat2)
{
    const double eps = 1e-7;
    if (fabs(lon1 - lon2) < eps &&
        (fabs(remainder(lon1 - 180, 360)) < eps || fabs(lon1 - v->clip[0]) < eps || fabs(lon1 - v->clip[2]) < eps))
        return 1;
    if (fabs(lat1 - lat2) < eps &&
        (fabs(lat1 - v->clip[1]) < eps || fabs(lat1 - v->clip[3]) < eps || fabs(fabs(lat1) - 90) < eps))
        return 1;
    return 0;
}

/* One ring or line: densify, project, simplify (radial distance on the
 * page), add to the path. outline: a ring with edges on a cut (on_cut) is
 * added as open lines that leave those edges out, starting just after one
 * of them, for stroking; otherwise the ring is closed, for filling. Returns
 * whether the sequence has an edge on a cut. */
static int path_sequence(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSCoordSequence *cs, int close,
                         int outline)
{
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    /* The first edge on a cut, if any (n: none). */
    unsigned cut = n;
    double plon = 0, plat = 0;
    for (unsigned i = 0; close && i < n && cut == n; i++) {
        double lon, lat;
        GEOSCoordSeq_getXY_r(h, cs, i, &lon, &lat);
        if (i && on_cut(v, plon, plat, lon, lat)) cut = i - 1;
        plon = lon;
        plat = lat;
    }
    int open = outline && cut < n && n > 3;
    /* A closed ring's last vertex repeats its first: an open outline walks
     * its n - 1 edges from the vertex after the first cut one. */
    unsigned first = open ? (cut + 1) % (n - 1) : 0;
    double lastx = 0, lasty = 0, px = 0, py = 0;
    int started = 0;
    for (unsigned m = 0; m < n; m++) {
        unsigned i = open ? (first + m) % (n - 1) : m;
        double lon, lat;
        GEOSCoordSeq_getXY_r(h, cs, i, &lon, &lat);
        int steps = 1, lifted = m && open && on_cut(v, plon, plat, lon, lat);
        if (lifted) {
            /* Lift the pen: the edge's start drawn (not simplified away),
             * its end the start of the next line. */
            if (started && (px != lastx || py != lasty)) cairo_line_to(cr, px, py);
            started = 0;
        } else if (m) {
            double d = fmax(fabs(lon - plon), fabs(lat - plat));
            steps = d > 1 ? (int)ceil(d) : 1;
        }
        for (int k = 1; k <= steps; k++) {
            double t = (double)k / steps;
            int along = m && !lifted;
            double a = along ? plon + (lon - plon) * t : lon, b = along ? plat + (lat - plat) * t : lat;
            double x, y;
            if (fpi_view_project(v, a, b, &x, &y)) continue;
            fp_view_page(v, x, y, &px, &py);
            if (!started) {
                cairo_move_to(cr, px, py);
                lastx = px;
                lasty = py;
                started = 1;
            } else if (fabs(px - lastx) + fabs(py - lasty) >= v->tolerance || (m == n - 1 && k == steps)) {
                cairo_line_to(cr, px, py);
                lastx = px;
                lasty = py;
            }
            if (m == 0) break;
        }
        plon = lon;
        plat = lat;
    }
    if (started && close && !open) cairo_close_path(cr);
    return cut < n;
}

static int path_clipped(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g, int outline)
{
    int type = GEOSGeomTypeId_r(h, g), cut = 0;
    switch (type) {
    case GEOS_POLYGON: {
        cut |= path_sequence(cr, v, h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), 1, outline);
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; i++)
            cut |= path_sequence(cr, v, h, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)), 1, outline);
        break;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        path_sequence(cr, v, h, GEOSGeom_getCoordSeq_r(h, g), 0, outline);
        break;
    case GEOS_POINT:
        break;
    default: {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) cut |= path_clipped(cr, v, h, GEOSGetGeometryN_r(h, g, i), outline);
    }
    }
    return cut;
}

typedef struct { double dx; } shift_t;
static int shift_lon(double *x, double *y, void *u)
{
    (void)y;
    *x += ((shift_t *)u)->dx;
    return 1;
}

void fpi_view_wrap_lon(const fp_view *v, double *lon)
{
    /* On the edge meridian: at the edge its sign names (180 east, -180 west). */
    if (*lon > v->clip[2] && *lon - v->clip[2] < 1e-6) { *lon = v->clip[2]; return; }
    if (*lon < v->clip[0] && v->clip[0] - *lon < 1e-6) { *lon = v->clip[0]; return; }
    if (*lon < v->clip[0]) *lon += 360;
    if (*lon > v->clip[2]) *lon -= 360;
    if (*lon < v->clip[0] && v->clip[0] - *lon < 1e-6) *lon = v->clip[0];
    else if (*lon > v->clip[2] && *lon - v->clip[2] < 1e-6) *lon = v->clip[2];
}

static int path_geometry(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g, int outline)
{
    int cut = 0;
    /* Data lies in -180..180; a view centred elsewhere shows lon0 +- 180:
     * cut the data there and shift the far part by 360 degrees. */
    for (int k = -1; k <= 1; k++) {
        double w = v->clip[0] - 360.0 * k, e = v->clip[2] - 360.0 * k;
        if (e < -180 || w > 180) continue;
        double gx0, gx1, gy0, gy1;
        GEOSGeom_getXMin_r(h, g, &gx0);
        GEOSGeom_getXMax_r(h, g, &gx1);
        GEOSGeom_getYMin_r(h, g, &gy0);
        GEOSGeom_getYMax_r(h, g, &gy1);
        if (gx1 < w || gx0 > e || gy1 < v->clip[1] || gy0 > v->clip[3]) continue;
        GEOSGeometry *part = NULL;
        if (gx0 >= w && gx1 <= e && gy0 >= v->clip[1] && gy1 <= v->clip[3]) part = GEOSGeom_clone_r(h, g);
        else part = GEOSClipByRect_r(h, g, w, v->clip[1], e, v->clip[3]);
        if (!part) continue;
        if (k) {
            shift_t s = { 360.0 * k };
            GEOSGeometry *moved = GEOSGeom_transformXY_r(h, part, shift_lon, &s);
            GEOSGeom_destroy_r(h, part);
            part = moved;
        }
        if (part) {
            cut |= path_clipped(cr, v, h, part, outline);
            GEOSGeom_destroy_r(h, part);
        }
    }
    return cut;
}

int fpi_path_geometry(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    return path_geometry(cr, v, h, g, 0);
}

void fpi_path_outline(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    path_geometry(cr, v, h, g, 1);
}

void fpi_path_world(cairo_t *cr, const fp_view *v)
{
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, v->clip[0], v->clip[1], v->clip[2], v->clip[3]);
    path_clipped(cr, v, h, box, 0);
    GEOSGeom_destroy_r(h, box);
    GEOS_finish_r(h);
}

void fpi_path_graticule(cairo_t *cr, const fp_view *v, double step)
{
    if (!(step > 0)) return;
    GEOSContextHandle_t h = GEOS_init_r();
    double lat_min = fmax(v->clip[1], -90), lat_max = fmin(v->clip[3], 90);
    for (double lon = ceil(v->clip[0] / step) * step; lon <= v->clip[2] + 1e-9; lon += step) {
        GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
        GEOSCoordSeq_setXY_r(h, cs, 0, lon, lat_min);
        GEOSCoordSeq_setXY_r(h, cs, 1, lon, lat_max);
        path_sequence(cr, v, h, cs, 0, 0);
        GEOSCoordSeq_destroy_r(h, cs);
    }
    for (double lat = ceil(lat_min / step) * step; lat <= lat_max + 1e-9; lat += step) {
        GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
        GEOSCoordSeq_setXY_r(h, cs, 0, v->clip[0], lat);
        GEOSCoordSeq_setXY_r(h, cs, 1, v->clip[2], lat);
        path_sequence(cr, v, h, cs, 0, 0);
        GEOSCoordSeq_destroy_r(h, cs);
    }
    GEOS_finish_r(h);
}
