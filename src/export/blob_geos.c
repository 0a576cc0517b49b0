/* SpatiaLite blob -> GEOS, cut at the antimeridian, for the vector tiles
 * (src/tiles/mvt.c), which still read the store's blobs with their own SQL.
 * Export reads WKB through fp_rows (fp_geom_to_geos). This file goes when
 * tiles read through fp_rows (their branch) or the geometry module
 * (src/geom/, issue 13 item 3) takes blob decoding over; until then
 * tests/e2e/test_layering.sh lists it as pending: it includes SQLite's
 * header, which SpatiaLite's needs. */
#include <stdlib.h>
#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include "export_internal.h"
#include "common/util.h"

GEOSGeometry *fp_blob_to_geos(GEOSContextHandle_t h, const unsigned char *blob, int len, int *is_point,
                              double *x, double *y)
{
    *is_point = fp_blob_point(blob, len, x, y);
    if (*is_point) return NULL;
    gaiaGeomCollPtr gg = gaiaFromSpatiaLiteBlobWkb(blob, len);
    if (!gg) return NULL;
    unsigned char *wkb = NULL;
    int wl = 0;
    gaiaToWkb(gg, &wkb, &wl);
    gaiaFreeGeomColl(gg);
    if (!wkb) return NULL;
    GEOSGeometry *g = fp_wkb_to_geos(h, wkb, (size_t)wl);
    free(wkb);
    return g;
}

