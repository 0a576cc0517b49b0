/* Geodesic lengths, areas and distances on the WGS 84 ellipsoid, through
 * PROJ's geodesic library (Karney's algorithms). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <geodesic.h>
#include "geom/geom.h"

static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void wgs84_init(void)
{
    geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
}

/* The WGS 84 ellipsoid, set up once (then only read, by any thread). */
static const struct geod_geodesic *fp_wgs84(void)
{
    pthread_once(&wgs84_once, wgs84_init);
    return &wgs84;
}

double fpi_geodesic_distance_m(double lon1, double lat1, double lon2, double lat2)
{
    double s12 = 0;
    geod_inverse(fp_wgs84(), lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

/* Unsigned geodesic area of a ring. */
static double ring_area(GEOSContextHandle_t h, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4) return 0;
    double *lat = malloc(sizeof(double) * n * 2);
    if (!lat) return 0;
    double *lon = lat + n;
    for (unsigned int i = 0; i < n; i++) GEOSCoordSeq_getXY_r(h, cs, i, &lon[i], &lat[i]);
    double area = 0;
    geod_polygonarea(fp_wgs84(), lat, lon, (int)n - 1, &area, NULL);   /* the ring closes itself */
    free(lat);
    return fabs(area);
}


/* ------------------------------------------ edges straight in lon/lat --- */

/* Lines and polygons are cut in lon/lat (GEOS), where an edge is a straight
 * line from vertex to vertex, and they are drawn so on a lon/lat map. The
 * measures below take the edges so too, whatever the number of vertices
 * along them: a box from 40 to 55 N cut at 49 N has the same share in both
 * parts with 4 or with 12 vertices, where geodesic edges bulge poleward by
 * up to 0.7 degrees over 25 degrees of longitude. Grid cells' closed-form
 * areas (tessellation.c) follow the same rule. */

static const double WGS84_A = 6378137.0;
static const double WGS84_E2 = 0.00669437999014132;  /* f (2 - f), f = 1 / 298.257223563 */

/* Integral of M(phi) N(phi) cos(phi) from 0 to phi, over b^2: the area of
 * the zone between the equator and phi is b^2 * dlon * zone(phi). */
static double zone(double phi)
{
    double e = sqrt(WGS84_E2), s = sin(phi);
    return s / (2 * (1 - WGS84_E2 * s * s)) + atanh(e * s) / (2 * e);
}

/* Gauss-Legendre, 4 nodes on [-1, 1]: exact for polynomials of degree 7,
 * so on a sub-interval of at most 2 degrees of latitude the smooth
 * integrands below come out to the last digits of a double. */
static const double GL_NODE[4] = { -0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526 };
static const double GL_WEIGHT[4] = { 0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538 };
#define GL_MAX_SPAN (2 * M_PI / 180)

/* Sub-intervals of an edge's latitude span (not 0) for the quadratures. */
static int edge_pieces(double dphi)
{
    return (int)ceil(fabs(dphi) / GL_MAX_SPAN);
}

/* Length of the edge from (lam0, phi0) to (lam1, phi1) (radians) along
 * which lon and lat change in proportion: the integral over t of
 * sqrt((M dphi)^2 + (N cos(phi) dlam)^2). */
static double edge_length(double lam0, double phi0, double lam1, double phi1)
{
    double dlam = lam1 - lam0, dphi = phi1 - phi0;
    if (dphi == 0) return WGS84_A / sqrt(1 - WGS84_E2 * sin(phi0) * sin(phi0)) * cos(phi0) * fabs(dlam);
    int k = edge_pieces(dphi);
    double total = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < 4; j++) {
            double t = (i + (GL_NODE[j] + 1) / 2) / k, phi = phi0 + t * dphi, s = sin(phi);
            double w = 1 - WGS84_E2 * s * s, n = WGS84_A / sqrt(w), m = n * (1 - WGS84_E2) / w;
            total += GL_WEIGHT[j] / 2 / k * hypot(m * dphi, n * cos(phi) * dlam);
        }
    return total;
}

/* By Green's theorem in the (lon, lat) plane the ring encloses
 * -b^2 * closed integral of zone(phi) dlam; zone is taken relative to the
 * first vertex's latitude (the constant integrates to 0 round a closed
 * ring) so that a small ring's area is not the difference of two large
 * numbers. Unsigned. */
static double ring_area_lonlat(GEOSContextHandle_t h, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4) return 0;
    double sum = 0, lam0 = 0, phi0 = 0, ref = 0;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        double lam1 = x * M_PI / 180, phi1 = y * M_PI / 180;
        if (i == 0) {
            ref = zone(phi1);
        } else if (lam1 != lam0) {
            double dphi = phi1 - phi0, mean = 0;
            if (dphi == 0) {
                mean = zone(phi0) - ref;
            } else {
                int k = edge_pieces(dphi);
                for (int p = 0; p < k; p++)
                    for (int j = 0; j < 4; j++)
                        mean += GL_WEIGHT[j] / 2 / k * (zone(phi0 + (p + (GL_NODE[j] + 1) / 2) / k * dphi) - ref);
            }
            sum += (lam1 - lam0) * mean;
        }
        lam0 = lam1;
        phi0 = phi1;
    }
    return fabs(sum) * WGS84_A * WGS84_A * (1 - WGS84_E2);
}

/* A geometry's length or area, part by part, with each edge or ring
 * measured by the given function (geodesic, or edges straight in lon/lat). */
typedef double (*edge_measure)(double lon0, double lat0, double lon1, double lat1);   /* degrees */
typedef double (*ring_measure)(GEOSContextHandle_t h, const GEOSGeometry *ring);

/* An edge along which lon and lat change in proportion, in metres. */
static double lonlat_edge_m(double lon0, double lat0, double lon1, double lat1)
{
    const double r = M_PI / 180;
    return edge_length(lon0 * r, lat0 * r, lon1 * r, lat1 * r);
}

static double sequence_length(GEOSContextHandle_t h, const GEOSCoordSequence *cs, edge_measure edge)
{
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    double total = 0, px = 0, py = 0;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        if (i) total += edge(px, py, x, y);
        px = x;
        py = y;
    }
    return total;
}

static double length_by(GEOSContextHandle_t h, const GEOSGeometry *g, edge_measure measure)
{
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        return sequence_length(h, GEOSGeom_getCoordSeq_r(h, g), measure);
    case GEOS_MULTILINESTRING:
    case GEOS_GEOMETRYCOLLECTION: {
        double total = 0;
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) total += length_by(h, GEOSGetGeometryN_r(h, g, i), measure);
        return total;
    }
    default:
        return 0;
    }
}

static double area_by(GEOSContextHandle_t h, const GEOSGeometry *g, ring_measure measure)
{
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_POLYGON: {
        double area = measure(h, GEOSGetExteriorRing_r(h, g));
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; i++) area -= measure(h, GEOSGetInteriorRingN_r(h, g, i));
        return area > 0 ? area : 0;
    }
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        double total = 0;
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) total += area_by(h, GEOSGetGeometryN_r(h, g, i), measure);
        return total;
    }
    default:
        return 0;
    }
}

double fpi_geodesic_length_m(GEOSContextHandle_t h, const GEOSGeometry *g) { return length_by(h, g, fpi_geodesic_distance_m); }

double fpi_geodesic_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g) { return area_by(h, g, ring_area); }

double fpi_lonlat_length_m(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    return length_by(h, g, lonlat_edge_m);
}

double fpi_lonlat_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g) { return area_by(h, g, ring_area_lonlat); }
