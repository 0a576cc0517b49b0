/* Repairing invalid geometry (the why is in geom.h: fpi_make_valid). */
#include "geom/geom.h"

GEOSGeometry *fpi_make_valid(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    if (GEOSGeom_getDimensions_r(h, g) != 2) return GEOSMakeValid_r(h, g);
    GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(h);
    if (!p) return NULL;
    GEOSMakeValidParams_setMethod_r(h, p, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(h, p, 0);
    GEOSGeometry *fixed = GEOSMakeValidWithParams_r(h, g, p);
    GEOSMakeValidParams_destroy_r(h, p);
    return fixed;
}
