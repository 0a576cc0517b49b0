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

static double sequence_length(GEOSContextHandle_t h, const GEOSCoordSequence *cs)
{
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    double total = 0, px = 0, py = 0;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        if (i) total += fpi_geodesic_distance_m(px, py, x, y);
        px = x;
        py = y;
    }
    return total;
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

double fpi_geodesic_length_m(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        return sequence_length(h, GEOSGeom_getCoordSeq_r(h, g));
    case GEOS_MULTILINESTRING:
    case GEOS_GEOMETRYCOLLECTION: {
        double total = 0;
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) total += fpi_geodesic_length_m(h, GEOSGetGeometryN_r(h, g, i));
        return total;
    }
    default:
        return 0;
    }
}

double fpi_geodesic_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_POLYGON: {
        double area = ring_area(h, GEOSGetExteriorRing_r(h, g));
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; i++) area -= ring_area(h, GEOSGetInteriorRingN_r(h, g, i));
        return area > 0 ? area : 0;
    }
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        double total = 0;
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) total += fpi_geodesic_area_m2(h, GEOSGetGeometryN_r(h, g, i));
        return total;
    }
    default:
        return 0;
    }
}
