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

/* A PROJ definition for a short name, centred where asked. */
static void definition(const char *name, double lon0, double lat0, char *out, size_t size)
{
    if (!name || !strcmp(name, "equal-earth"))
        snprintf(out, size, "+proj=eqearth +lon_0=%.6g +datum=WGS84 +units=m +type=crs", lon0);
    else if (!strcmp(name, "robinson"))
        snprintf(out, size, "+proj=robin +lon_0=%.6g +datum=WGS84 +units=m +type=crs", lon0);
    else if (!strcmp(name, "web-mercator"))
        snprintf(out, size, "EPSG:3857");
    else if (!strcmp(name, "laea"))
        snprintf(out, size, "+proj=laea +lat_0=%.6g +lon_0=%.6g +datum=WGS84 +units=m +type=crs", lat0, lon0);
    else
        snprintf(out, size, "%s", name);
}

fp_status fpi_view_init(fp_view *v, const char *proj, double lon0, double lat0, fp_error *err)
{
    /* A map is drawn on a plane: a vertical or geocentric CRS drew a
     * distorted map and wrote a VERTCS .prj beside it. */
    definition(proj, lon0, lat0, v->proj_def, sizeof v->proj_def);
    /* The definition PROJ is given, not the name: a name ("equal-earth",
     * the style's default) sent PROJ searching its database's names, 0.1 s
     * of every map. */
    if (proj) {
        fp_status cst = fpi_crs_check_option("--proj", proj, v->proj_def, err);
        if (cst) return cst;
    }
    v->ctx = fpi_proj_context_quiet();   /* the message below says why, not PROJ's log */
    PJ *raw = proj_create_crs_to_crs(v->ctx, "EPSG:4326", v->proj_def, NULL);
    if (!raw) {
        fp_error_set(err, FP_ERR_USAGE, "--proj %s: PROJ does not know this projection (%s)", proj ? proj : "equal-earth",
                     proj_context_errno_string(v->ctx, proj_context_errno(v->ctx)));
        proj_context_destroy(v->ctx);
        v->ctx = NULL;
        return FP_ERR_USAGE;
    }
    v->pj = proj_normalize_for_visualization(v->ctx, raw);
    proj_destroy(raw);
    if (!v->pj) {
        proj_context_destroy(v->ctx);
        v->ctx = NULL;
        return fp_error_set(err, FP_ERR_USAGE, "--proj %s: cannot use this projection", v->proj_def);
    }
    /* The central meridian, whatever named the projection (EPSG code, PROJ
     * string): read back from PROJ's own description of it. */
    v->lon0 = 0;
    PJ *crs = proj_get_target_crs(v->ctx, v->pj);
    const char *def = crs ? proj_as_proj_string(v->ctx, crs, PJ_PROJ_5, NULL) : NULL;
    const char *l0 = def ? strstr(def, "+lon_0=") : NULL;
    if (l0) v->lon0 = atof(l0 + 7);
    if (crs) proj_destroy(crs);
    (void)lon0;
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

/* One ring or line: densify, project, simplify (radial distance on the
 * page), add to the path. */
static void path_sequence(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSCoordSequence *cs, int close)
{
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    double lastx = 0, lasty = 0, px = 0, py = 0, plon = 0, plat = 0;
    int started = 0;
    for (unsigned i = 0; i < n; i++) {
        double lon, lat;
        GEOSCoordSeq_getXY_r(h, cs, i, &lon, &lat);
        int steps = 1;
        if (i) {
            double d = fmax(fabs(lon - plon), fabs(lat - plat));
            steps = d > 1 ? (int)ceil(d) : 1;
        }
        for (int k = 1; k <= steps; k++) {
            double t = (double)k / steps;
            double a = i ? plon + (lon - plon) * t : lon, b = i ? plat + (lat - plat) * t : lat;
            double x, y;
            if (fpi_view_project(v, a, b, &x, &y)) continue;
            fp_view_page(v, x, y, &px, &py);
            if (!started) {
                cairo_move_to(cr, px, py);
                lastx = px;
                lasty = py;
                started = 1;
            } else if (fabs(px - lastx) + fabs(py - lasty) >= v->tolerance || (i == n - 1 && k == steps)) {
                cairo_line_to(cr, px, py);
                lastx = px;
                lasty = py;
            }
            if (i == 0) break;
        }
        plon = lon;
        plat = lat;
    }
    if (started && close) cairo_close_path(cr);
}

static void path_clipped(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    switch (type) {
    case GEOS_POLYGON: {
        path_sequence(cr, v, h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), 1);
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; i++) path_sequence(cr, v, h, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)), 1);
        break;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        path_sequence(cr, v, h, GEOSGeom_getCoordSeq_r(h, g), 0);
        break;
    case GEOS_POINT:
        break;
    default: {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) path_clipped(cr, v, h, GEOSGetGeometryN_r(h, g, i));
    }
    }
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

void fpi_path_geometry(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g)
{
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
        GEOSGeometry *cut = NULL;
        if (gx0 >= w && gx1 <= e && gy0 >= v->clip[1] && gy1 <= v->clip[3]) cut = GEOSGeom_clone_r(h, g);
        else cut = GEOSClipByRect_r(h, g, w, v->clip[1], e, v->clip[3]);
        if (!cut) continue;
        if (k) {
            shift_t s = { 360.0 * k };
            GEOSGeometry *moved = GEOSGeom_transformXY_r(h, cut, shift_lon, &s);
            GEOSGeom_destroy_r(h, cut);
            cut = moved;
        }
        if (cut) {
            path_clipped(cr, v, h, cut);
            GEOSGeom_destroy_r(h, cut);
        }
    }
}

void fpi_path_world(cairo_t *cr, const fp_view *v)
{
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, v->clip[0], v->clip[1], v->clip[2], v->clip[3]);
    path_clipped(cr, v, h, box);
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
        path_sequence(cr, v, h, cs, 0);
        GEOSCoordSeq_destroy_r(h, cs);
    }
    for (double lat = ceil(lat_min / step) * step; lat <= lat_max + 1e-9; lat += step) {
        GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
        GEOSCoordSeq_setXY_r(h, cs, 0, v->clip[0], lat);
        GEOSCoordSeq_setXY_r(h, cs, 1, v->clip[2], lat);
        path_sequence(cr, v, h, cs, 0);
        GEOSCoordSeq_destroy_r(h, cs);
    }
    GEOS_finish_r(h);
}
