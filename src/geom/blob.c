/* SpatiaLite geometry blobs to WKB, OGR and GEOS, without a round trip
 * through SQL (SpatiaLite's own decoder), and GEOS <-> OGR through WKB. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
/* SpatiaLite's geometry codec (no database use here: its header names
 * SQLite's types, which spatialite/sqlite.h brings). */
#include <spatialite/sqlite.h>
#include <spatialite/gaiageo.h>
#include "geom/geom.h"

/* A SpatiaLite blob of a 2D POINT: fixed layout (header, MBR, class 1, x, y). */
int fpi_blob_point(const unsigned char *b, int len, double *x, double *y)
{
    if (len != 60 || b[0] != 0x00 || b[38] != 0x7C || b[59] != 0xFE) return 0;
    int little = b[1] == 0x01;
    uint32_t cls;
    memcpy(&cls, b + 39, 4);
    if (!little) cls = GUINT32_SWAP_LE_BE(cls);
    if (cls != 1) return 0;
    uint64_t ux, uy;
    memcpy(&ux, b + 43, 8);
    memcpy(&uy, b + 51, 8);
    if (!little) { ux = GUINT64_SWAP_LE_BE(ux); uy = GUINT64_SWAP_LE_BE(uy); }
    memcpy(x, &ux, 8);
    memcpy(y, &uy, 8);
    return 1;
}


unsigned char *fpi_blob_to_wkb(const unsigned char *blob, int len, size_t *wkb_len, double bbox[4])
{
    *wkb_len = 0;
    gaiaGeomCollPtr gg = gaiaFromSpatiaLiteBlobWkb(blob, len);
    if (!gg) return NULL;
    unsigned char *wkb = NULL;
    int wl = 0;
    gaiaToWkb(gg, &wkb, &wl);
    if (bbox) {
        bbox[0] = gg->MinX;
        bbox[1] = gg->MinY;
        bbox[2] = gg->MaxX;
        bbox[3] = gg->MaxY;
    }
    gaiaFreeGeomColl(gg);
    if (wkb) *wkb_len = (size_t)wl;
    return wkb;
}

GEOSGeometry *fpi_ogr_to_geos(GEOSContextHandle_t h, OGRGeometryH g)
{
    size_t wkb_size = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(wkb_size);
    if (!wkb) return NULL;
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSGeometry *gg = GEOSWKBReader_read_r(h, rd, wkb, wkb_size);
    GEOSWKBReader_destroy_r(h, rd);
    free(wkb);
    return gg;
}

OGRGeometryH fpi_geos_to_ogr(GEOSContextHandle_t h, const GEOSGeometry *gg)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    size_t n = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, w, gg, &n);
    GEOSWKBWriter_destroy_r(h, w);
    OGRGeometryH g = NULL;
    if (wkb && OGR_G_CreateFromWkb(wkb, NULL, &g, (int)n) != OGRERR_NONE) g = NULL;
    GEOSFree_r(h, wkb);
    return g;
}
