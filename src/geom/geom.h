/* Geometry helpers below the stages, used by all of them: SpatiaLite
 * blobs <-> WKB, GEOS and OGR geometries; cutting at the antimeridian;
 * geodesic measures on WGS 84. Internal to the library (not public API:
 * geometries cross the public headers as WKB, fp_store.h), but not the
 * internals of one stage, so any folder may include it. Everything here is
 * thread-safe: GEOS calls take the caller's context handle. */
#ifndef FP_GEOM_H
#define FP_GEOM_H

#include <stddef.h>
#include <geos_c.h>
#include <glib.h>
#include "common/gdal_api.h"

/* ------------------------------------------------------ SpatiaLite blobs --- */

/* x, y of a SpatiaLite blob holding a 2D POINT (the fixed 60-byte layout:
 * header, MBR, class 1, x, y, end mark); 0 for anything else. The hot
 * loops of aggregate and export read millions of points this way. */
int fpi_blob_point(const unsigned char *blob, int len, double *x, double *y);

/* The kind of a SpatiaLite blob for QGIS's typed tables (0 point, 1 line,
 * 2 polygon, single or multi; -1 for collections, Z/M geometries or a blob
 * that cannot be read) and its box in mbr (minx, miny, maxx, maxy). */
int fpi_blob_kind(const unsigned char *blob, int len, double mbr[4]);

/* The blob cast to the multi type of its kind (fpi_blob_kind's), byte for
 * byte what SpatiaLite's CastToMultiPoint/Linestring/Polygon give
 * (malloc'd, free with free(), its length in *out_len); NULL when it cannot
 * be decoded or out of memory. */
unsigned char *fpi_blob_to_multi(const unsigned char *blob, int len, int kind, int *out_len);

/* The OGC WKB of a SpatiaLite blob (malloc'd, free with free()), its length
 * in *wkb_len and, when bbox is not NULL, its extent (minx, miny, maxx,
 * maxy). NULL when the blob cannot be read (or out of memory). */
unsigned char *fpi_blob_to_wkb(const unsigned char *blob, int len, size_t *wkb_len, double bbox[4]);

/* ------------------------------------------------------- GEOS <-> OGR --- */

/* Through WKB (little-endian); NULL when the other side refuses it. */
GEOSGeometry *fpi_ogr_to_geos(GEOSContextHandle_t h, OGRGeometryH g);
OGRGeometryH fpi_geos_to_ogr(GEOSContextHandle_t h, const GEOSGeometry *g);

/* ------------------------------------------------------------- repair --- */

/* A valid copy of g (NULL when GEOS fails). Polygons by GEOS's "structure"
 * method: shells are merged and holes cut out, as the person who drew them
 * meant (two overlapping parts of a MultiPolygon become one area of the
 * union's size, a bow-tie two triangles, a hole reaching out of its shell
 * only removes what it covers); GEOS's default "linework" method instead
 * takes every ring as a boundary, so an overlap became a hole (area 2.75 of
 * 3). Lines and points by the default method. What collapses (a ring of
 * zero area) is dropped. */
GEOSGeometry *fpi_make_valid(GEOSContextHandle_t h, const GEOSGeometry *g);

/* ------------------------------------------------------- antimeridian --- */

/* g cut at the antimeridian (edges with a longitude jump over 180 degrees
 * are taken to cross it): unwrapped, cut at +-180 and shifted back. NULL
 * when it cannot be cut; the caller keeps g. A line is cut by walking its
 * coordinates: its pieces come in the order it travels, and a stretch that
 * doubles back over another is kept. A ring that goes once round
 * the world encloses a pole and is closed along it (Antarctica); rings
 * round a pole are combined by the even-odd rule. */
GEOSGeometry *fpi_cut_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g);
/* A copy of g moved by dx degrees of longitude (NULL: GEOS failed). */
GEOSGeometry *fpi_geos_shifted_x(GEOSContextHandle_t h, const GEOSGeometry *g, double dx);
/* 1 when an edge of a line or polygon ring in g jumps more than 180
 * degrees of longitude (a vertex at -180 followed by one at 179.8 does):
 * the edge is taken to cross the antimeridian. */
int fpi_crosses_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g);
/* g itself, or, when an edge jumps more than 180 degrees of longitude, g
 * cut there (g is then freed): the one reading of a crossing geometry that
 * export, tiles, render and aggregate share. NULL stays NULL. */
GEOSGeometry *fpi_cut_if_crossing(GEOSContextHandle_t h, GEOSGeometry *g);

/* ------------------------------------------------------------- points --- */

/* Appends the Points of g (a MultiPoint's, a collection's, at any depth) to
 * pts, an array of elements of 2 doubles (lon, lat): a project of several
 * points is drawn as a symbol at each. Returns 1 when g also has parts
 * that are not points (lines, areas), to be drawn as such. */
int fpi_collect_points(GEOSContextHandle_t h, const GEOSGeometry *g, GArray *pts);

/* The dimension of an OGC WKB's outer type, from its header alone (either
 * byte order, ISO Z/M codes, EWKB flags): 0 points and multipoints, 1 lines,
 * 2 polygons; -1 a collection or not WKB. */
int fpi_wkb_dimension(const unsigned char *wkb, size_t len);

/* A GEOS geometry of OGC WKB (what the store's cursors hand out), cut at
 * the antimeridian when an edge jumps more than 180 degrees of longitude
 * (RFC 7946 section 3.1.9); NULL when unreadable. */
GEOSGeometry *fpi_wkb_to_geos(GEOSContextHandle_t h, const unsigned char *wkb, size_t len);

/* ------------------------------------------------------------ geodesy --- */

/* Geodesic length of the lines / area of the polygons in g (lon/lat); other
 * components count 0. On the WGS 84 ellipsoid, through PROJ's geodesic
 * library (Karney's algorithms). */
double fpi_geodesic_length_m(GEOSContextHandle_t h, const GEOSGeometry *g);
double fpi_geodesic_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g);
/* Geodesic distance in metres between two lon/lat points. */
double fpi_geodesic_distance_m(double lon1, double lat1, double lon2, double lat2);
/* Length of the lines / area of the polygons in g (lon/lat; other
 * components count 0) on the WGS 84 ellipsoid with every edge straight in
 * lon/lat, as GEOS cuts them and a lon/lat map draws them (an east-west
 * edge follows its parallel): the measure does not depend on how many
 * vertices lie along an edge. Lengths by quadrature along each edge, areas
 * by Green's theorem with the closed-form zone area (exact for edges along
 * parallels and meridians, as grid cells are). */
double fpi_lonlat_length_m(GEOSContextHandle_t h, const GEOSGeometry *g);
double fpi_lonlat_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g);

#endif
