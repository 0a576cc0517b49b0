/* Generated regions: square grids in degrees and hexagons of equal area.
 *
 * grid:DEGREES  cells are half-open [x, x+d) x [y, y+d), so a point on a
 *               cell edge goes to the cell east / north of it (the last row
 *               and column also take lat 90 and lon 180). The edges are the
 *               multiples of d from lon 0, lat 0, whatever the projects.
 * hex:KM        pointy-top hexagons KM wide (flat side to flat side) in the
 *               cylindrical equal-area projection of EASE-Grid 2.0
 *               (EPSG:6933: +proj=cea +lat_ts=30 on WGS 84). Membership is
 *               decided in that plane; the stored lon/lat polygons are
 *               densified so they follow the hexagon closely.
 * Only cells over the projects' extent are generated (all of them, empty
 * ones included), at most FP_MAX_CELLS. */
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate_internal.h"
#include "aggregate_run.h"

#define FP_MAX_CELLS 2000000L
/* A hex set has up to 4 x FP_MAX_CELLS slots, each a region index. */
_Static_assert(4 * FP_MAX_CELLS <= FP_MAX_REGION_INDEX, "region indexes must fit fp_project's field");
#define HEX_DENSIFY 6             /* segments per hexagon side */

static const char *const CEA = "+proj=cea +lat_ts=30 +lon_0=0 +ellps=WGS84 +units=m";

typedef struct tess_state {
    const fp_region_set *set;
    PJ_CONTEXT *ctx;
    PJ *pj;
    double radius;                /* hex circumradius, metres */
} tess_state;

static int project(PJ *pj, double lon, double lat, double *x, double *y)
{
    PJ_COORD c = proj_coord(proj_torad(lon), proj_torad(lat), 0, 0);
    c = proj_trans(pj, PJ_FWD, c);
    if (c.xy.x == HUGE_VAL || isnan(c.xy.x)) return -1;
    *x = c.xy.x;
    *y = c.xy.y;
    return 0;
}

static void unproject(PJ *pj, double x, double y, double *lon, double *lat)
{
    PJ_COORD c = proj_coord(x, y, 0, 0);
    c = proj_trans(pj, PJ_INV, c);
    *lon = proj_todeg(c.lp.lam);
    *lat = proj_todeg(c.lp.phi);
}

/* Axial coordinates of the hexagon containing (x, y), by cube rounding. */
static void hex_axial(double radius, double x, double y, long *q, long *r)
{
    double fq = (sqrt(3.0) / 3 * x - y / 3) / radius, fr = (2.0 / 3 * y) / radius, fs = -fq - fr;
    double rq = round(fq), rr = round(fr), rs = round(fs);
    double dq = fabs(rq - fq), dr = fabs(rr - fr), ds = fabs(rs - fs);
    if (dq > dr && dq > ds) rq = -rr - rs;
    else if (dr > ds) rr = -rq - rs;
    *q = (long)rq;
    *r = (long)rr;
}

static void hex_center(double radius, long q, long r, double *x, double *y)
{
    *x = radius * sqrt(3.0) * (q + r / 2.0);
    *y = radius * 1.5 * r;
}

void *fpi_tessellation_state_new(const fp_region_set *set)
{
    tess_state *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->set = set;
    if (set->kind == FP_SET_HEX) {
        t->ctx = proj_context_create();
        t->pj = t->ctx ? proj_create(t->ctx, CEA) : NULL;
        t->radius = set->step / sqrt(3.0);
        if (!t->pj) {
            if (t->ctx) proj_context_destroy(t->ctx);
            free(t);
            return NULL;
        }
    }
    return t;
}

void fpi_tessellation_state_free(void *state)
{
    tess_state *t = state;
    if (!t) return;
    if (t->pj) proj_destroy(t->pj);
    if (t->ctx) proj_context_destroy(t->ctx);
    free(t);
}

/* A grid's edges are the multiples k x step from lon 0 and lat 0: the same
 * cells and codes on every run and for every dataset. When the step is a
 * decimal of at most 12 places (units / 10^p), edge k is k x units / 10^p
 * in exact integers, divided once: the double nearest to the decimal value
 * (0.3 for k = 3 at step 0.1, where 3 * 0.1 is 0.30000000000000004), so a
 * coordinate written as an edge's decimal lies on that edge, and the
 * polygons written, the codes and the look-up agree. */
static void grid_decimal_step(double step, double *units, double *scale)
{
    double p10 = 1;
    for (int p = 0; p <= 12; p++, p10 *= 10) {
        double u = nearbyint(step * p10);
        if (u >= 1 && u < 1e15 && u / p10 == step) {
            *units = u;
            *scale = p10;
            return;
        }
    }
    *units = step;
    *scale = 0;
}

static double grid_edge(const fp_region_set *set, long k)
{
    if (set->step_scale > 0) return (double)k * set->step_units / set->step_scale;
    return (double)k * set->step;
}

/* The k with edge(k) <= v < edge(k + 1). v / step alone lands a hair off
 * an edge (0.3 / 0.1 = 2.9999999999999996, -1.6 / 0.1 =
 * -16.000000000000004: 0.3 went to the cell of 0.2, -1.6 to -1.7), so the
 * edges themselves settle it. */
static long grid_index(const fp_region_set *set, double v)
{
    long k = (long)floor(v / set->step);
    while (v < grid_edge(set, k)) k--;
    while (v >= grid_edge(set, k + 1)) k++;
    return k;
}

/* Column of a longitude, row of a latitude (within -180..180, -90..90):
 * no cell begins at lon 180 or lat 90, so they go to the last column and
 * row, closed there. */
static long grid_column(const fp_region_set *set, double x)
{
    long k = grid_index(set, x);
    return grid_edge(set, k) >= 180 ? k - 1 : k;
}

static long grid_row(const fp_region_set *set, double y)
{
    long k = grid_index(set, y);
    return grid_edge(set, k) >= 90 ? k - 1 : k;
}

static long grid_cell(const fp_region_set *set, double x, double y)
{
    if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90)) return -1;
    long cx = grid_column(set, x) - set->kx0, cy = grid_row(set, y) - set->ky0;
    if (cx < 0 || cy < 0 || cx >= set->nx || cy >= set->ny) return -1;
    return cy * set->nx + cx;
}

/* Items of a hex set are numbered (r - r0) * nq + (q - q0); cells not
 * generated (outside the extent) keep an empty code and no geometry. */
static long hex_cell(const fp_region_set *set, long q, long r)
{
    if (q < set->q0 || r < set->r0 || q >= set->q0 + set->nq || r >= set->r0 + set->nr) return -1;
    long i = (r - set->r0) * set->nq + (q - set->q0);
    return set->items[i].wkb ? i : -1;
}

int fpi_tessellation_locate_state(void *state, double x, double y)
{
    tess_state *t = state;
    const fp_region_set *set = t->set;
    if (set->kind == FP_SET_GRID) return (int)grid_cell(set, x, y);
    double px, py;
    long q, r;
    if (project(t->pj, x, y, &px, &py)) return -1;
    hex_axial(t->radius, px, py, &q, &r);
    return (int)hex_cell(set, q, r);
}

/* Candidate cells for a geometry with envelope env: every generated cell
 * whose bounding box meets it. */
long fpi_tessellation_candidates(void *state, const double env[4], int **cand, size_t *n, size_t *cap)
{
    tess_state *t = state;
    const fp_region_set *set = t->set;
    *n = 0;
    for (size_t i = 0; i < set->n; i++) {
        const fp_region *reg = &set->items[i];
        if (!reg->wkb || reg->maxx < env[0] || reg->minx > env[2] || reg->maxy < env[1] || reg->miny > env[3])
            continue;
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 64;
            int *p = realloc(*cand, c * sizeof *p);
            if (!p) return -1;
            *cand = p;
            *cap = c;
        }
        (*cand)[(*n)++] = (int)i;
    }
    return (long)*n;
}

/* ---------------------------------------------------------- generation --- */

static int set_item_geometry(GEOSContextHandle_t h, GEOSWKBWriter *w, fp_region *reg, GEOSGeometry *g)
{
    size_t len = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, w, g, &len);
    if (!wkb) return -1;
    reg->wkb = malloc(len);
    if (!reg->wkb) { GEOSFree_r(h, wkb); return -1; }
    memcpy(reg->wkb, wkb, len);
    reg->wkb_len = len;
    GEOSFree_r(h, wkb);
    GEOSGeom_getXMin_r(h, g, &reg->minx);
    GEOSGeom_getYMin_r(h, g, &reg->miny);
    GEOSGeom_getXMax_r(h, g, &reg->maxx);
    GEOSGeom_getYMax_r(h, g, &reg->maxy);
    return 0;
}

/* Area on the ellipsoid of the lon/lat rectangle: the zone between two
 * parallels is closed-form, b^2 * dlon * [f(lat2) - f(lat1)]. */
static double zone(double lat)
{
    const double e2 = 0.00669437999014, e = sqrt(e2);
    double s = sin(lat * M_PI / 180);
    return s / (2 * (1 - e2 * s * s)) + log((1 + e * s) / (1 - e * s)) / (4 * e);
}

static double rect_area_km2(double x0, double y0, double x1, double y1)
{
    const double a = 6378137.0, b2 = a * a * (1 - 0.00669437999014);
    return b2 * (x1 - x0) * M_PI / 180 * (zone(y1) - zone(y0)) / 1e6;
}

static char *format_code(const char *fmt, double a, double b)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, a, b);
    return strdup(buf);
}

fp_status fpi_grid_generate(fp_region_set *set, const double extent[4], double step, fp_error *err)
{
    /* Below 1e-9 degrees (0.1 mm) the lattice indexes of the world's
     * longitudes would no longer be exact in a double. */
    if (!(step >= 1e-9) || step > 90 || !isfinite(step))
        return fp_error_set(err, FP_ERR_USAGE, "grid:%g: the cell size must be a number of degrees from 1e-9 to 90", step);
    set->kind = FP_SET_GRID;
    set->step = step;
    grid_decimal_step(step, &set->step_units, &set->step_scale);
    /* The columns and rows over the extent, within the world (a coordinate
     * outside it is in no cell). */
    double ex0 = fmin(fmax(extent[0], -180), 180), ey0 = fmin(fmax(extent[1], -90), 90);
    double ex1 = fmin(fmax(extent[2], ex0), 180), ey1 = fmin(fmax(extent[3], ey0), 90);
    long kx0 = grid_column(set, ex0), ky0 = grid_row(set, ey0);
    double nxd = (double)(grid_column(set, ex1) - kx0 + 1), nyd = (double)(grid_row(set, ey1) - ky0 + 1);
    if (nxd * nyd > FP_MAX_CELLS)
        return fp_error_set(err, FP_ERR_USAGE, "grid:%g gives %.0f cells over the projects' extent (at most %ld); "
                            "choose larger cells", step, nxd * nyd, FP_MAX_CELLS);
    set->kx0 = kx0;
    set->ky0 = ky0;
    set->nx = (int)nxd;
    set->ny = (int)nyd;
    set->n = (size_t)(nxd * nyd);
    set->items = calloc(set->n, sizeof *set->items);
    if (!set->items) return fp_error_set(err, FP_ERR_NOMEM, "out of memory for %zu grid cells", set->n);
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    fp_status st = FP_OK;
    for (int cy = 0; cy < set->ny && !st; cy++)
        for (int cx = 0; cx < set->nx; cx++) {
            fp_region *reg = &set->items[(size_t)cy * set->nx + cx];
            /* A cell the world's edge cuts (the step does not divide 180
             * or 90) is named by its corner within the world. */
            double ax = fmax(grid_edge(set, kx0 + cx), -180), ay = fmax(grid_edge(set, ky0 + cy), -90);
            double bx = fmin(grid_edge(set, kx0 + cx + 1), 180), by = fmin(grid_edge(set, ky0 + cy + 1), 90);
            /* 15 significant digits: an edge the double nearest its decimal
             * value prints as that decimal (0.3), and the smallest step
             * (1e-9) still names neighbours apart at lon 179.999999999
             * (10 digits gave two cells of grid:1e-8 one code near lon 100). */
            reg->code = format_code("%.15g_%.15g", ax, ay);
            reg->name = format_code("%.15g,%.15g", ax, ay);
            reg->population = -1;
            reg->area_km2 = rect_area_km2(ax, ay, bx, by);
            GEOSGeometry *g = GEOSGeom_createRectangle_r(h, ax, ay, bx, by);
            if (!reg->code || !reg->name || !g || set_item_geometry(h, w, reg, g)) {
                if (g) GEOSGeom_destroy_r(h, g);
                st = fp_error_set(err, FP_ERR_NOMEM, "out of memory generating the grid");
                break;
            }
            GEOSGeom_destroy_r(h, g);
        }
    GEOSWKBWriter_destroy_r(h, w);
    GEOS_finish_r(h);
    return st;
}

fp_status fpi_hex_generate(fp_region_set *set, const double extent[4], double width_km, fp_error *err)
{
    if (!(width_km >= 1) || width_km > 5000 || !isfinite(width_km))
        return fp_error_set(err, FP_ERR_USAGE, "hex:%g: the hexagon width must be a number of km from 1 to 5000", width_km);
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *pj = ctx ? proj_create(ctx, CEA) : NULL;
    if (!pj) {
        if (ctx) proj_context_destroy(ctx);
        return fp_error_set(err, FP_ERR_STATE, "PROJ cannot create the equal-area projection %s", CEA);
    }
    double wx0, wy0, wx1, wy1, ex0, ey0, ex1, ey1;
    project(pj, -180, -90, &wx0, &wy0);
    project(pj, 180, 90, &wx1, &wy1);
    project(pj, extent[0], extent[1], &ex0, &ey0);
    project(pj, extent[2], extent[3], &ex1, &ey1);
    double width = width_km * 1000, radius = width / sqrt(3.0);
    long r0 = (long)floor(ey0 / (1.5 * radius)) - 1, r1 = (long)ceil(ey1 / (1.5 * radius)) + 1;
    long q0 = (long)floor(ex0 / width - r1 / 2.0) - 1, q1 = (long)ceil(ex1 / width - r0 / 2.0) + 1;
    double slots = (double)(q1 - q0 + 1) * (double)(r1 - r0 + 1);
    fp_status st = FP_OK;
    if (slots > 4.0 * FP_MAX_CELLS) {
        st = fp_error_set(err, FP_ERR_USAGE, "hex:%g gives too many hexagons over the projects' extent (at most %ld); "
                          "choose wider ones", width_km, FP_MAX_CELLS);
        goto out;
    }
    set->kind = FP_SET_HEX;
    set->step = width;
    set->q0 = q0; set->nq = q1 - q0 + 1;
    set->r0 = r0; set->nr = r1 - r0 + 1;
    set->n = (size_t)(set->nq * set->nr);
    set->items = calloc(set->n, sizeof *set->items);
    if (!set->items) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory for hexagons"); goto out; }
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    long made = 0;
    for (long r = r0; r <= r1 && !st; r++)
        for (long q = q0; q <= q1; q++) {
            fp_region *reg = &set->items[(r - r0) * set->nq + (q - q0)];
            reg->population = -1;
            double cx, cy;
            hex_center(radius, q, r, &cx, &cy);
            /* Only hexagons whose centre is within one radius of the extent. */
            if (cx < ex0 - radius || cx > ex1 + radius || cy < ey0 - radius || cy > ey1 + radius) continue;
            if (++made > FP_MAX_CELLS) {
                st = fp_error_set(err, FP_ERR_USAGE, "hex:%g gives more than %ld hexagons over the projects' extent; "
                                  "choose wider ones", width_km, FP_MAX_CELLS);
                break;
            }
            /* The hexagon in the plane, cut to the projection's world. */
            GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 7, 2);
            for (int k = 0; k <= 6; k++) {
                double a = M_PI / 180 * (60 * (k % 6) - 30);
                GEOSCoordSeq_setXY_r(h, cs, k, cx + radius * cos(a), cy + radius * sin(a));
            }
            GEOSGeometry *hex = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs), NULL, 0);
            GEOSGeometry *cut = hex ? GEOSClipByRect_r(h, hex, wx0, wy0, wx1, wy1) : NULL;
            double area = 0;
            if (cut) GEOSArea_r(h, cut, &area);
            if (hex) GEOSGeom_destroy_r(h, hex);
            if (!cut || GEOSisEmpty_r(h, cut) || !(area > 0)) {
                if (cut) GEOSGeom_destroy_r(h, cut);
                continue;
            }
            GEOSGeometry *dense = GEOSDensify_r(h, cut, width / sqrt(3.0) / HEX_DENSIFY);
            GEOSGeom_destroy_r(h, cut);
            GEOSGeometry *ll = dense;
            if (!ll) { st = fp_error_set(err, FP_ERR_NOMEM, "out of memory generating hexagons"); break; }
            /* Back to lon/lat, vertex by vertex. */
            const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, ll);
            const GEOSCoordSequence *rc = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
            unsigned int nv = 0;
            if (rc) GEOSCoordSeq_getSize_r(h, rc, &nv);
            GEOSCoordSequence *out = GEOSCoordSeq_create_r(h, nv, 2);
            for (unsigned int k = 0; k < nv; k++) {
                double x, y, lon, lat;
                GEOSCoordSeq_getXY_r(h, rc, k, &x, &y);
                unproject(pj, x, y, &lon, &lat);
                /* The world's edge exactly: unprojected, x = wx1 came back
                 * as 179.99999999999997, and a line along 180 fell between
                 * the hexagons (an outside tester's cable). */
                if (x == wx0) lon = -180;
                if (x == wx1) lon = 180;
                if (y == wy0) lat = -90;
                if (y == wy1) lat = 90;
                GEOSCoordSeq_setXY_r(h, out, k, lon, lat);
            }
            GEOSGeom_destroy_r(h, ll);
            GEOSGeometry *poly = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, out), NULL, 0);
            char code[64];
            snprintf(code, sizeof code, "%ld_%ld", q, r);
            reg->code = strdup(code);
            double clon, clat;
            unproject(pj, cx, cy, &clon, &clat);
            reg->name = format_code("%.4f,%.4f", clon, clat);
            reg->area_km2 = area / 1e6;
            if (!poly || !reg->code || !reg->name || set_item_geometry(h, w, reg, poly))
                st = fp_error_set(err, FP_ERR_NOMEM, "out of memory generating hexagons");
            if (poly) GEOSGeom_destroy_r(h, poly);
            if (st) break;
        }
    GEOSWKBWriter_destroy_r(h, w);
    GEOS_finish_r(h);
out:
    proj_destroy(pj);
    proj_context_destroy(ctx);
    return st;
}
