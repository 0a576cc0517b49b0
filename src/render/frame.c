/* Where a region is, for a map that zooms to it (--region, a style's
 * view.region, --each): the lon/lat box of its main part, not of every
 * island it owns. The box of a whole country reached from Norway to Bouvet
 * Island in the South Atlantic, from Chile to Easter Island, from France to
 * Réunion; a continent's, the box of its members' boxes, went round the
 * world with Russia's Chukotka and centred Europe on the antimeridian.
 *
 * A region's parts (its polygons) are measured where they are: areas
 * geodesic (PROJ's geodesic library), distances by GEOS in a Lambert
 * azimuthal equal-area projection (PROJ) centred on the largest part. A part
 * is kept when it is at least MAIN_AREA_SHARE of the largest part's area
 * (an anchor: Alaska for the United States, the South Island for New
 * Zealand), or lies within near_m() of a part kept, island by island
 * (Corsica, Sicily, Tasmania, Kaliningrad, the Aleutians); the rest are
 * small and far (Bouvet, Easter Island, French Guiana, Hawaii) and left
 * out of the box, not of the map: what falls inside the frame is drawn. Parts are taken in the
 * longitudes nearest the largest part's, so a country across the
 * antimeridian (Russia, Fiji) gets one box across it (Russia: 19.6 E to
 * 169.7 W as 19.6 to 190.3), never -180..180.
 *
 * A group (continent, subregion) is framed by its member countries' boxes,
 * joined round the globe the short way (the smallest arc of longitude
 * holding every member). A member larger than all the others together and
 * lying away from them (its largest part's centroid outside their frame
 * grown by a quarter each way: Russia in Europe or Eastern Europe) counts
 * only with the main part of what of it lies within that grown frame:
 * Europe reaches the Urals, not the Bering Strait. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "render_internal.h"
#include "geom/geom.h"
#include "common/crs.h"

/* A part at least this share of the largest part's area is a main part:
 * Alaska (18 % of the lower 48 states' polygon) is, French Guiana (15 % of
 * metropolitan France's) is not. */
#define MAIN_AREA_SHARE (1.0 / 6)
/* A member counting only with its part near the others: their frame grown
 * by this share of its width and height on each side (Europe's reaches
 * 56 E, the Urals). */
#define OUTSIZE_GROWTH 0.25

/* How near a part kept another must lie to count: 200 km, or a tenth of
 * the size (square root of the area) of the largest part when that is
 * more. Corsica (170 km from the mainland) stays with France, Tasmania (207
 * km; Australia's tenth: 276 km) with Australia, Kaliningrad (350 km from
 * the rest of Russia; a tenth of Russia's mainland: 400 km) with Russia;
 * Svalbard (670 km from Norway), the Canaries (1,030 km from Spain), the
 * Galapagos (930 km from Ecuador) and New Zealand's Auckland Islands
 * (470 km) do not. */
static double near_m(double largest_area_m2)
{
    return fmax(200e3, 0.1 * sqrt(largest_area_m2));
}

static void collect_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, GPtrArray *out)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (!GEOSisEmpty_r(h, g)) g_ptr_array_add(out, (gpointer)g);
        return;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) collect_polygons(h, GEOSGetGeometryN_r(h, g, i), out);
    }
}

static void box_of(GEOSContextHandle_t h, const GEOSGeometry *g, double b[4])
{
    GEOSGeom_getXMin_r(h, g, &b[0]);
    GEOSGeom_getYMin_r(h, g, &b[1]);
    GEOSGeom_getXMax_r(h, g, &b[2]);
    GEOSGeom_getYMax_r(h, g, &b[3]);
}

static int project_xy(double *x, double *y, void *user)
{
    PJ_COORD c = proj_trans((PJ *)user, PJ_FWD, proj_coord(*x, *y, 0, 0));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL) return 0;
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

/* Lambert azimuthal equal-area on WGS 84 centred on (lon0, lat0), lon/lat
 * degrees in and metres out. A pipeline, not a CRS pair: PROJ makes it
 * without looking anything up in its database (crs_to_crs did, 10 ms a
 * country, half a second for Europe's). NULL if PROJ cannot make it. */
static PJ *laea_at(PJ_CONTEXT *ctx, double lon0, double lat0)
{
    char def[256];
    snprintf(def, sizeof def, "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
             "+step +proj=laea +lat_0=%.6f +lon_0=%.6f +ellps=WGS84", lat0, lon0);
    return proj_create(ctx, def);
}

void fpi_main_part_clear(GEOSContextHandle_t h, fpi_main_part *p)
{
    if (p->kept) GEOSGeom_destroy_r(h, p->kept);
    memset(p, 0, sizeof *p);
}

int fpi_main_part_find(GEOSContextHandle_t h, const GEOSGeometry *g, fpi_main_part *out)
{
    memset(out, 0, sizeof *out);
    GEOSGeometry *whole = fpi_cut_if_crossing(h, GEOSGeom_clone_r(h, g));
    if (!whole) return -1;
    GPtrArray *polys = g_ptr_array_new();
    collect_polygons(h, whole, polys);
    guint n = polys->len;
    if (!n) {
        g_ptr_array_free(polys, TRUE);
        GEOSGeom_destroy_r(h, whole);
        return -1;
    }
    double *area = g_new0(double, n);
    guint largest = 0;
    for (guint i = 0; i < n; i++) {
        area[i] = fpi_geodesic_area_m2(h, g_ptr_array_index(polys, i));
        if (area[i] > area[largest]) largest = i;
    }
    double cx = 0, cy = 0;
    GEOSGeometry *c = GEOSGetCentroid_r(h, g_ptr_array_index(polys, largest));
    if (c) {
        GEOSGeomGetX_r(h, c, &cx);
        GEOSGeomGetY_r(h, c, &cy);
        GEOSGeom_destroy_r(h, c);
    }
    out->centre[0] = cx;
    out->centre[1] = cy;
    /* Each part in the longitudes nearest the largest part's centroid: the
     * pieces of Chukotka west of 180 join those east of it. */
    GEOSGeometry **part = g_new0(GEOSGeometry *, n);
    for (guint i = 0; i < n; i++) {
        const GEOSGeometry *p = g_ptr_array_index(polys, i);
        double b[4];
        box_of(h, p, b);
        double k = round((cx - (b[0] + b[2]) / 2) / 360);
        part[i] = k != 0 ? fpi_geos_shifted_x(h, p, 360 * k) : GEOSGeom_clone_r(h, p);
    }
    /* Anchors, and the parts near one of them. */
    int *keep = g_new0(int, n);
    double near = near_m(area[largest]);
    PJ_CONTEXT *ctx = fpi_proj_context_quiet();
    PJ *pj = ctx ? laea_at(ctx, cx, cy) : NULL;
    GEOSGeometry **flat = g_new0(GEOSGeometry *, n);
    const GEOSPreparedGeometry **prep = g_new0(const GEOSPreparedGeometry *, n);
    for (guint i = 0; i < n; i++) {
        keep[i] = !(area[largest] > 0) || area[i] >= MAIN_AREA_SHARE * area[largest] || i == largest;
        if (part[i] && pj) flat[i] = GEOSGeom_transformXY_r(h, part[i], project_xy, pj);
        if (keep[i] && flat[i]) prep[i] = GEOSPrepare_r(h, flat[i]);
    }
    /* Island by island: each part kept brings in the parts near it. */
    guint *queue = g_new(guint, n), head = 0, tail = 0;
    for (guint i = 0; i < n; i++)
        if (keep[i] && prep[i]) queue[tail++] = i;
    while (head < tail) {
        guint a = queue[head++];
        double ab[4];
        box_of(h, flat[a], ab);
        for (guint i = 0; i < n; i++) {
            if (keep[i] || !flat[i]) continue;    /* a part PROJ cannot place is far */
            double pb[4], d = HUGE_VAL;
            box_of(h, flat[i], pb);
            double dx = fmax(0, fmax(ab[0] - pb[2], pb[0] - ab[2])), dy = fmax(0, fmax(ab[1] - pb[3], pb[1] - ab[3]));
            if (hypot(dx, dy) > near) continue;   /* the boxes alone are too far apart */
            if (!GEOSPreparedDistance_r(h, prep[a], flat[i], &d) || d > near) continue;
            keep[i] = 1;
            prep[i] = GEOSPrepare_r(h, flat[i]);
            if (prep[i]) queue[tail++] = i;
        }
    }
    g_free(queue);
    /* The box of the parts kept, and the parts themselves. */
    double box[4] = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
    GEOSGeometry **kept = g_new0(GEOSGeometry *, n);
    unsigned nk = 0;
    for (guint i = 0; i < n; i++) {
        if (!keep[i] || !part[i]) continue;
        double b[4];
        box_of(h, part[i], b);
        box[0] = fmin(box[0], b[0]);
        box[1] = fmin(box[1], b[1]);
        box[2] = fmax(box[2], b[2]);
        box[3] = fmax(box[3], b[3]);
        kept[nk++] = part[i];
        part[i] = NULL;
    }
    out->kept = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, kept, nk);
    if (!out->kept)
        for (unsigned i = 0; i < nk; i++) GEOSGeom_destroy_r(h, kept[i]);
    /* A part round a pole (Antarctica) goes all the way round. */
    if (box[2] - box[0] >= 360) {
        box[0] = -180;
        box[2] = 180;
    }
    memcpy(out->box, box, sizeof box);
    for (guint i = 0; i < n; i++) {
        if (prep[i]) GEOSPreparedGeom_destroy_r(h, prep[i]);
        if (flat[i]) GEOSGeom_destroy_r(h, flat[i]);
        if (part[i]) GEOSGeom_destroy_r(h, part[i]);
    }
    if (pj) proj_destroy(pj);
    if (ctx) proj_context_destroy(ctx);
    g_free(prep);
    g_free(flat);
    g_free(kept);
    g_free(keep);
    g_free(part);
    g_free(area);
    g_ptr_array_free(polys, TRUE);
    GEOSGeom_destroy_r(h, whole);
    return box[0] <= box[2] ? 0 : -1;
}

/* The smallest arc of longitude holding the intervals iv[i] = (west,
 * east), east > west, east - west < 360: it starts at some interval's west
 * end; from there, every interval is taken at its first longitude at or
 * after that start, and the arc ends where the last of them does. */
static void arc_union(const double (*iv)[2], size_t n, double arc[2])
{
    double best = HUGE_VAL;
    arc[0] = -180;
    arc[1] = 180;
    for (size_t s = 0; s < n; s++) {
        double start = iv[s][0], end = start;
        for (size_t j = 0; j < n; j++) {
            double w = iv[j][0] - 360 * floor((iv[j][0] - start) / 360);   /* in [start, start + 360) */
            end = fmax(end, w + (iv[j][1] - iv[j][0]));
        }
        if (end - start < best) {
            best = end - start;
            arc[0] = start;
            arc[1] = end;
        }
    }
}

/* The frame of the members' boxes, but member skip's (skip = n: all). */
static int frame_of(const fpi_main_part *m, size_t n, size_t skip, double box[4])
{
    double (*iv)[2] = g_malloc(sizeof(double[2]) * (n ? n : 1));
    size_t k = 0;
    double s = HUGE_VAL, north = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        if (i == skip || !(m[i].box[0] <= m[i].box[2])) continue;
        iv[k][0] = m[i].box[0];
        iv[k][1] = m[i].box[2];
        k++;
        s = fmin(s, m[i].box[1]);
        north = fmax(north, m[i].box[3]);
    }
    double arc[2];
    if (k) arc_union((const double (*)[2])iv, k, arc);
    g_free(iv);
    if (!k) return -1;
    if (arc[1] - arc[0] >= 360) {
        arc[0] = -180;
        arc[1] = 180;
    }
    box[0] = arc[0];
    box[1] = s;
    box[2] = arc[1];
    box[3] = north;
    return 0;
}

/* Area of a lon/lat box, to compare members' sizes. */
static double box_area(GEOSContextHandle_t h, const double b[4])
{
    GEOSGeometry *r = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
    double a = r ? fpi_lonlat_area_m2(h, r) : 0;
    if (r) GEOSGeom_destroy_r(h, r);
    return a;
}

int fpi_group_frame(GEOSContextHandle_t h, fpi_main_part *m, size_t n, double box[4])
{
    /* At most one member's box can be larger than the frame of all the
     * others, which holds every other member's box. */
    for (size_t i = 0; n > 1 && i < n; i++) {
        double others[4];
        if (!m[i].kept || frame_of(m, n, i, others) || box_area(h, m[i].box) <= box_area(h, others)) continue;
        double gw = (others[2] - others[0]) * OUTSIZE_GROWTH, gh = (others[3] - others[1]) * OUTSIZE_GROWTH;
        double g[4] = { others[0] - gw, fmax(-90, others[1] - gh), others[2] + gw, fmin(90, others[3] + gh) };
        double k = round((m[i].centre[0] - (g[0] + g[2]) / 2) / 360);   /* in the member's longitudes */
        g[0] += 360 * k;
        g[2] += 360 * k;
        if (m[i].centre[0] >= g[0] && m[i].centre[0] <= g[2] && m[i].centre[1] >= g[1] && m[i].centre[1] <= g[3])
            break;                                /* it lies among them: all of it counts */
        /* The main part of what lies in that frame: Russia west of the
         * Urals with Novaya Zemlya's south, not the slivers of Franz Josef
         * Land the frame's corner holds. */
        GEOSGeometry *near = GEOSClipByRect_r(h, m[i].kept, g[0], g[1], g[2], g[3]);
        fpi_main_part inside = {0};
        if (near && !GEOSisEmpty_r(h, near) && !fpi_main_part_find(h, near, &inside))
            memcpy(m[i].box, inside.box, sizeof inside.box);
        else
            m[i].box[0] = HUGE_VAL;               /* none of it near them: left out */
        fpi_main_part_clear(h, &inside);
        if (near) GEOSGeom_destroy_r(h, near);
        break;
    }
    return frame_of(m, n, n, box);
}

void fpi_frame_normalise(double box[4])
{
    double k = round((box[0] + box[2]) / 2 / 360);
    box[0] -= 360 * k;
    box[2] -= 360 * k;
}
