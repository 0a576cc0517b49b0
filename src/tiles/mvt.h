/* Mapbox Vector Tiles (spec 2.1) of the store: a "projects" layer (points
 * clustered with exact counts where too dense, lines and areas simplified
 * per zoom) and a "regions" layer (the style's choropleth aggregation with
 * its class and fill colour). The scene is read from the store once; tiles
 * are then encoded concurrently from it. Internal to the tiles stage. */
#ifndef FP_MVT_H
#define FP_MVT_H

#include <stddef.h>
#include "fp_error.h"
#include "fp_style.h"

typedef struct fp_mvt_scene fp_mvt_scene;

/* Reads projects and the choropleth's regions (resolved by the caller,
 * kept while the scene lives) for zooms minzoom..maxzoom (0..22). A style without a choropleth gets the
 * countries as plain land in the regions layer (code, name, fill = the
 * style's land colour), as render draws it. Layers and attributes:
 *   projects  points: id (also the feature id), name, company, category,
 *             year, source, country_code, status, point_count = 1; clusters
 *             (no feature id): point_count > 1, category (most frequent),
 *             categories ("name:count,..."); lines, areas, multipoints: the
 *             project's attributes without point_count. The style's point
 *             field, when dataset or geocode_precision, is added under its
 *             name (clusters: the most frequent value; likewise company,
 *             status or country_code).
 *   regions   code, name, the choropleth's field (e.g. projects; absent =
 *             no data), class (1 = lowest; absent = no data), fill ("#rrggbb").
 *   Timeline: clusters, and regions of a `projects` choropleth at the
 *             aggregation's own level, carry yYYYY = projects with year <=
 *             YYYY for each year of the projects (absent: 0).
 * The design decisions (cluster grid, buffer, simplification, owning tile)
 * are in mvt.c's header comment. */
struct fp_store;
fp_status fpi_mvt_scene_new(struct fp_store *store, const fp_style *style, const fp_choropleth *choropleth, int minzoom,
                           int maxzoom, const char *dataset, fp_mvt_scene **out, fp_error *err);
void fpi_mvt_scene_free(fp_mvt_scene *scene);

/* Encodes tile z/x/y as an uncompressed protobuf in *data (malloc'd,
 * caller frees) of *len bytes; *data NULL and *len 0 when the tile has no
 * feature. Safe to call from several threads at once. */
fp_status fpi_mvt_scene_tile(const fp_mvt_scene *scene, int z, int x, int y, unsigned char **data, size_t *len,
                            fp_error *err);

/* What a scene holds, for the TileJSON and the preview page. */
int fpi_mvt_scene_minzoom(const fp_mvt_scene *scene);
int fpi_mvt_scene_maxzoom(const fp_mvt_scene *scene);
int fpi_mvt_scene_has_regions(const fp_mvt_scene *scene);
/* The choropleth's field (e.g. "projects"); NULL when the regions are plain land. */
const char *fpi_mvt_scene_value_field(const fp_mvt_scene *scene);
/* The style's point field (category, company, ...) and its distinct values
 * in the data, sorted by name. */
const char *fpi_mvt_scene_point_field(const fp_mvt_scene *scene);
size_t fpi_mvt_scene_point_values(const fp_mvt_scene *scene, const char *const **values);
/* Whether every project of that point field value (one of
 * fpi_mvt_scene_point_values' strings, not a copy) is a line (a cable, a
 * route): the preview's legend shows a stroke, not a dot. */
int fpi_mvt_scene_value_line_only(const fp_mvt_scene *scene, const char *value);
/* 1 when a project drawn has no value of the point field (NULL or ""). */
int fpi_mvt_scene_has_no_value(const fp_mvt_scene *scene);
/* The timeline's years: how many (0: no project has a year), the first in
 * *first. */
int fpi_mvt_scene_years(const fp_mvt_scene *scene, int *first);
/* 1 when the regions carry the yYYYY counts (see fpi_mvt_scene_new). */
int fpi_mvt_scene_region_timeline(const fp_mvt_scene *scene);
/* Projects in the tiles without a year (the timeline leaves them out). */
size_t fpi_mvt_scene_undated(const fp_mvt_scene *scene);
/* Projects with a POINT geometry (the sum of point_count over a zoom's tiles). */
size_t fpi_mvt_scene_point_projects(const fp_mvt_scene *scene);

/* The TileJSON / MBTiles `vector_layers` array (JSON text, malloc'd; NULL
 * when out of memory). */
char *fpi_mvt_vector_layers_json(const fp_mvt_scene *scene);

/* A MapLibre GL style (v8, JSON text, malloc'd; NULL when out of memory) drawing the layers like
 * the raster style: sea background, choropleth fills by class colour,
 * borders, project points by category colour with clusters sized by
 * count, lines. Its single vector source is {"type":"vector","url":tilejson_url}. */
char *fpi_mvt_maplibre_style(const fp_mvt_scene *scene, const fp_style *style, const char *tilejson_url);

#endif
