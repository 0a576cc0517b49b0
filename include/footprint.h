/*
 * footprint — map where organisations are present in the world.
 *
 * Public API of libfootprint. The library is organised as one header per
 * pipeline stage; this umbrella header pulls them all in:
 *
 *   fp_context.h  the context: search paths, busy timeout, cancel flag, messages
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
 *   fp_version.h  FOOTPRINT_VERSION, FP_VERSION_NUMBER
 *
 * Above the library, not in it (and not installed): src/run/fp_run.h, the
 * main job and the summaries the CLI prints. The library prints nothing.
 *
 * Conventions (after PROJ's proj.h), for every header:
 *
 *   Handles. A handle on an outside resource (a database, a file being
 *   written, a socket) is opened and closed: fp_X_open / fp_X_close
 *   (fp_store_open/fp_store_close). A value built in memory is made and
 *   freed: fp_X_new / fp_X_free (fp_context_new/free, fp_point_locator_new/
 *   free). Exception, kept for now: values read whole from a file are
 *   fp_X_load / fp_X_free (fp_style_load, fp_gazetteer_load). Every _free
 *   and _close accepts NULL.
 *
 *   Status. A function that can fail returns fp_status (FP_OK = 0) and
 *   fills a caller-owned fp_error (which may be NULL) with one message
 *   naming the input (file, line or feature) and the reason. Predicates
 *   return int (non-zero: true); counts return long (-1: unknown). A few
 *   internal protocols answer with their own codes and say so where
 *   declared (fp_http_parse_request: 0, 1 = more bytes, or an HTTP status).
 *
 *   Arguments. The handle or context comes first (fp_store_open_ctx(ctx,
 *   ...), fp_export(store, ...)), then inputs, options (const struct,
 *   NULL: the defaults where documented), outputs, and fp_error *err last.
 *   Callbacks take their data first and the user pointer last (before an
 *   fp_error * if they have one): fp_progress_fn(done, seconds, user),
 *   fp_log_fn(line, user), ready(url, user). NULL given for an argument
 *   that has no default (a store, a path, options that name the work, an
 *   out-pointer) is FP_ERR_USAGE, the message naming it ("fp_export: opts
 *   is NULL"), never a crash or a line on stderr.
 *
 *   Results. A result struct pointer (fp_X_result *) may be NULL when the
 *   caller does not want the numbers; out-pointers for handles (fp_X **out)
 *   may not, and are set to NULL on failure.
 *
 *   Ownership. "Borrowed": the caller keeps it alive for as long as the
 *   receiver uses it (a context outlives the stores opened in it). "Owned by
 *   the caller": the caller frees it with the named function (a handle with
 *   its _free/_close; strings with free() unless a g_free is named). Strings
 *   passed in are copied unless borrowed is said. Nothing in the library
 *   calls exit() or prints.
 *
 *   Names. fp_ (and FP_) is this API's prefix and nothing else's: every
 *   fp_ function the library defines is declared in these headers. The
 *   library's internal functions, declared in each folder's own headers
 *   under src/, are fpi_ (footprint internal) and are not promised to
 *   library users (tests/e2e/test_layering.sh holds the line).
 *
 *   Context. Environment variables are read by the program (the CLI), once,
 *   into an fp_context (fp_context.h); the library reads none. NULL
 *   anywhere a context is taken means the defaults.
 */
#ifndef FOOTPRINT_H
#define FOOTPRINT_H

#include "fp_version.h"
#include "fp_context.h"
#include "fp_error.h"
#include "fp_store.h"
#include "fp_ingest.h"
#include "fp_qa.h"
#include "fp_diff.h"
#include "fp_geocode.h"
#include "fp_aggregate.h"
#include "fp_style.h"
#include "fp_export.h"
#include "fp_render.h"
#include "fp_tiles.h"
#include "fp_serve.h"

#endif
