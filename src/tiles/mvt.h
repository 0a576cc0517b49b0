/* Mapbox Vector Tiles (spec 2.1) of the store: a "projects" layer (points
 * clustered with exact counts where too dense, lines and areas simplified
 * per zoom) and a "regions" layer (the style's choropleth aggregation with
 * its class and fill colour). The scene is read from the store once; tiles
 * are then encoded concurrently from it. Internal to the tiles stage. */
#ifndef FP_MVT_H
#define FP_MVT_H

#include <stddef.h>
#include <sqlite3.h>
#include "fp_error.h"
#include "fp_style.h"

typedef struct fp_mvt_scene fp_mvt_scene;

/* Reads projects and the aggregation (NULL: the style's choropleth one; no
 * regions layer if the style has none) for zooms minzoom..maxzoom. */
fp_status fp_mvt_scene_new(sqlite3 *db, const fp_style *style, const char *aggregation, int minzoom, int maxzoom,
                           fp_mvt_scene **out, fp_error *err);
void fp_mvt_scene_free(fp_mvt_scene *scene);

/* Encodes tile z/x/y as an uncompressed protobuf in *data (malloc'd,
 * caller frees) of *len bytes; *data NULL and *len 0 when the tile has no
 * feature. Safe to call from several threads at once. */
fp_status fp_mvt_scene_tile(const fp_mvt_scene *scene, int z, int x, int y, unsigned char **data, size_t *len,
                            fp_error *err);

/* The TileJSON / MBTiles `vector_layers` array (JSON text, malloc'd). */
char *fp_mvt_vector_layers_json(const fp_mvt_scene *scene);

/* A MapLibre GL style (v8, JSON text, malloc'd) drawing the layers like
 * the raster style: sea background, choropleth fills by class colour,
 * borders, project points by category colour with clusters sized by
 * count, lines. Its single vector source is {"type":"vector","url":tilejson_url}. */
char *fp_mvt_maplibre_style(const fp_mvt_scene *scene, const fp_style *style, const char *tilejson_url);

#endif
