/* The points of a geometry that render and raster tiles draw as symbols. */
#include "geom/geom.h"

int fpi_collect_points(GEOSContextHandle_t h, const GEOSGeometry *g, GArray *pts)
{
    int type = GEOSGeomTypeId_r(h, g), others = 0;
    if (type == GEOS_POINT) {
        double p[2];
        if (!GEOSisEmpty_r(h, g) && GEOSGeomGetX_r(h, g, &p[0]) && GEOSGeomGetY_r(h, g, &p[1])) g_array_append_vals(pts, p, 1);
        return 0;
    }
    if (type != GEOS_MULTIPOINT && type != GEOS_GEOMETRYCOLLECTION) return 1;
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++) others |= fpi_collect_points(h, GEOSGetGeometryN_r(h, g, i), pts);
    return others;
}
