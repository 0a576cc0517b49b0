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

static int32_t read_i32(const unsigned char *p, int little)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (int32_t)(little ? GUINT32_FROM_LE(v) : GUINT32_FROM_BE(v));
}

static double read_f64(const unsigned char *p, int little)
{
    uint64_t v;
    memcpy(&v, p, 8);
    v = little ? GUINT64_FROM_LE(v) : GUINT64_FROM_BE(v);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static int kind_of_class(int cls)
{
    switch (cls) {
    case GAIA_POINT: case GAIA_MULTIPOINT: return 0;
    case GAIA_LINESTRING: case GAIA_MULTILINESTRING: return 1;
    case GAIA_POLYGON: case GAIA_MULTIPOLYGON: return 2;
    default: return -1;          /* collections, Z/M: GeometryType's 'POINT Z' matched no kind */
    }
}

/* The plain format is read from its header; any other (compressed
 * classes, TinyPoint) through SpatiaLite's decoder, as GeometryType would. */
int fpi_blob_kind(const unsigned char *b, int len, double mbr[4])
{
    if (len >= 45 && b[0] == 0x00 && (b[1] == 0x00 || b[1] == 0x01) && b[38] == 0x7C && b[len - 1] == 0xFE) {
        int little = b[1] == 0x01, cls = read_i32(b + 39, little);
        if (kind_of_class(cls) >= 0) {
            for (int i = 0; i < 4; i++) mbr[i] = read_f64(b + 6 + 8 * i, little);
            return kind_of_class(cls);
        }
    }
    gaiaGeomCollPtr g = gaiaFromSpatiaLiteBlobWkb(b, (unsigned int)len);
    if (!g) return -1;
    gaiaMbrGeometry(g);
    int k = kind_of_class(gaiaGeometryType(g));
    mbr[0] = g->MinX;
    mbr[1] = g->MinY;
    mbr[2] = g->MaxX;
    mbr[3] = g->MaxY;
    gaiaFreeGeomColl(g);
    return k;
}

static void put_i32_le(unsigned char *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}

unsigned char *fpi_blob_to_multi(const unsigned char *b, int len, int kind, int *out_len)
{
    static const int multi[3] = { GAIA_MULTIPOINT, GAIA_MULTILINESTRING, GAIA_MULTIPOLYGON };
    *out_len = 0;
    if (kind < 0 || kind > 2) return NULL;
    if (len == 60 && b[1] == 0x01 && read_i32(b + 39, 1) == GAIA_POINT && b[59] == 0xFE) {
        /* header + box (39 bytes) | class | count | entity: 0x69, class, x, y | end */
        unsigned char *m = malloc(69);
        if (!m) return NULL;
        memcpy(m, b, 39);
        put_i32_le(m + 39, GAIA_MULTIPOINT);
        put_i32_le(m + 43, 1);
        m[47] = 0x69;
        put_i32_le(m + 48, GAIA_POINT);
        memcpy(m + 52, b + 43, 16);
        m[68] = 0xFE;
        *out_len = 69;
        return m;
    }
    gaiaGeomCollPtr g = gaiaFromSpatiaLiteBlobWkb(b, (unsigned int)len);
    if (!g) return NULL;
    g->DeclaredType = multi[kind];
    unsigned char *m = NULL;
    int n = 0;
    gaiaToSpatiaLiteBlobWkb(g, &m, &n);
    gaiaFreeGeomColl(g);
    *out_len = n;
    return m;
}

/* A SpatiaLite blob of a 2D POINT: fixed layout (header, MBR, class 1, x, y). */
int fpi_blob_point(const unsigned char *b, int len, double *x, double *y)
{
    if (len != 60 || b[0] != 0x00 || b[38] != 0x7C || b[59] != 0xFE) return 0;
    int little = b[1] == 0x01;
    if (read_i32(b + 39, little) != 1) return 0;
    *x = read_f64(b + 43, little);
    *y = read_f64(b + 51, little);
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

int fpi_wkb_dimension(const unsigned char *wkb, size_t len)
{
    if (!wkb || len < 5 || wkb[0] > 1) return -1;
    uint32_t t;
    memcpy(&t, wkb + 1, 4);
    t = wkb[0] == 0 ? GUINT32_FROM_BE(t) : GUINT32_FROM_LE(t);
    switch ((t & 0x0fffffffu) % 1000) {
    case 1: case 4: return 0;
    case 2: case 5: return 1;
    case 3: case 6: return 2;
    default: return -1;
    }
}
