/*
 * footprint — map where organisations are present in the world.
 *
 * Public API of libfootprint. The library is organised as one header per
 * pipeline stage; this umbrella header pulls them all in:
 *
 *   fp_store.h    the SpatiaLite store (schema, regions)
 *   fp_ingest.h   import of CSV and any GDAL-readable source
 *   fp_geocode.h  offline geocoding against the shipped gazetteer
 *   fp_qa.h       data QA: swapped/sign mistakes, placeholders, wrong country, duplicates
 *   fp_aggregate.h  projects per region (countries, admin-1, grids, hexagons)
 *   fp_style.h    map styles: choropleth classes, ColorBrewer palettes, QGIS QML
 *   fp_export.h   GeoJSON (RFC 7946), GeoJSONSeq, GeoPackage, FlatGeobuf, Shapefile, CSV
 *   fp_render.h   report maps with cairo: PNG, PDF, SVG
 *   fp_tiles.h    map tiles: XYZ/MBTiles raster and vector tiles, TileJSON, preview
 *   fp_serve.h    a local HTTP server for the preview, tiles and GeoJSON
 *   fp_run.h      the main job on the embedded default
 *
 * Conventions (after PROJ's proj.h): opaque handles with open/close or
 * new/free pairs (fp_store_open/fp_store_close, fp_gazetteer_load/fp_gazetteer_free); every function that can fail returns an fp_status and
 * fills a caller-owned fp_error with a message naming the input and reason.
 * Nothing in the library calls exit().
 */
#ifndef FOOTPRINT_H
#define FOOTPRINT_H

#define FOOTPRINT_VERSION "0.1.0"

#include "fp_error.h"
#include "fp_store.h"
#include "fp_ingest.h"
#include "fp_qa.h"
#include "fp_geocode.h"
#include "fp_aggregate.h"
#include "fp_style.h"
#include "fp_export.h"
#include "fp_render.h"
#include "fp_tiles.h"
#include "fp_serve.h"
#include "fp_run.h"

#endif
