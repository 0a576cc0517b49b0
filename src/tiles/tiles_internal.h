/* Internals of the tiles stage: the raster scene (raster.c), the tile
 * stores (sink.c: z/x/y directory or MBTiles) and the preview (preview.c). */
#ifndef FP_TILES_INTERNAL_H
#define FP_TILES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "fp_error.h"
#include "fp_style.h"
#include "fp_tiles.h"

/* ------------------------------------------------------ raster scene --- */
/* Everything a raster tile draws, read from the store once and projected to
 * Web Mercator with PROJ: region polygons with their class colours and
 * label points, project points bucketed on a grid, project lines. Metatiles
 * are then drawn concurrently from it (read-only). */
typedef struct fp_raster_scene fp_raster_scene;

struct fp_store;
/* choropleth: the regions' classes (NULL: plain land), kept by the caller
 * while the scene lives. */
/* dataset: the projects of that dataset only (NULL: all); kept, not copied. */
fp_status fpi_raster_scene_new(struct fp_store *store, const fp_style *style, const fp_choropleth *choropleth, int scale,
                              const char *dataset, fp_raster_scene **out, fp_error *err);
void fpi_raster_scene_free(fp_raster_scene *s);

/* One worker's canvas; not shared between threads. */
typedef struct fp_raster_canvas fp_raster_canvas;
fp_raster_canvas *fpi_raster_canvas_new(const fp_raster_scene *s);
void fpi_raster_canvas_free(fp_raster_canvas *c);

/* Draws the metatile of n x n tiles whose top-left tile is z/x0/y0 (n is
 * cut at the world's edge), with a buffer around it so symbols and lines
 * crossing tile edges are whole; labels are placed inside the metatile. */
void fpi_raster_draw_metatile(fp_raster_canvas *c, int z, int x0, int y0, int n);
/* Encodes tile (x0 + i, y0 + j) of the last metatile drawn as PNG or WebP
 * (malloc'd in *data). */
fp_status fpi_raster_encode_tile(fp_raster_canvas *c, int i, int j, int webp, unsigned char **data, size_t *len,
                                fp_error *err);
/* 1 and the colour (0xAARRGGBB) when tile (i, j) of the last metatile is
 * flat (callers encode those once per colour). */
int fpi_raster_tile_uniform(fp_raster_canvas *c, int i, int j, unsigned int *colour);

/* Legend data for the preview: the categories drawn, in legend order. */
/* line_only (may be NULL): per category, 1 when its projects are all lines. */
size_t fpi_raster_scene_categories(const fp_raster_scene *s, const char *const **names, const fp_rgba **colors,
                                   const unsigned char **line_only);

/* ------------------------------------------------------- tile stores --- */
typedef struct fp_tile_sink fp_tile_sink;

typedef struct fp_tile_sink_options {
    const char *output;      /* DIR, FILE.mbtiles or FILE.pmtiles */
    const char *ext;         /* png, webp, pbf */
    int tms;                 /* directory rows counted from the south */
    int resume;
    int gzip;                /* MBTiles pbf: gzip the tile data (the MBTiles spec) */
    const fp_context *ctx;   /* the store's: test pause points */
} fp_tile_sink_options;

/* Opens the store being written: DIR.partial/ or FILE.mbtiles.partial
 * (continued with resume; a fresh one otherwise), or DIR itself when
 * resuming without a partial one. */
fp_status fpi_tile_sink_open(const fp_tile_sink_options *o, fp_tile_sink **out, fp_error *err);
/* 1 when tile z/x/y is already stored (resume). */
int fpi_tile_sink_has(fp_tile_sink *s, int z, int x, int y);
/* Stores a tile; thread-safe. Identical MBTiles tiles share one blob. */
fp_status fpi_tile_sink_put(fp_tile_sink *s, int z, int x, int y, const unsigned char *data, size_t len, fp_error *err);
/* The folder preview files go to (inside the partial directory, or the
 * MBTiles' preview folder being built). */
const char *fpi_tile_sink_preview_dir(const fp_tile_sink *s);
/* MBTiles metadata (name, format, bounds, ...); ignored for directories. */
fp_status fpi_tile_sink_metadata(fp_tile_sink *s, const char *key, const char *value, fp_error *err);
/* commit: flush, then move the finished output into place (the previous
 * output is replaced only now). Without commit: keep what was written for
 * --resume and leave the previous output untouched. Frees s. */
fp_status fpi_tile_sink_close(fp_tile_sink *s, int commit, long *unique, fp_error *err);

/* ----------------------------------------------------- PMTiles v3 --- */
/* The writer behind FILE.pmtiles (pmtiles.c): tiles spooled as they come
 * (thread-safe, distinct tiles once), the archive written by close. */
typedef struct fp_pmtiles fp_pmtiles;
fp_status fpi_pmtiles_open(const char *path, const char *ext, fp_pmtiles **out, fp_error *err);
fp_status fpi_pmtiles_put(fp_pmtiles *pm, int z, int x, int y, const unsigned char *data, size_t len, fp_error *err);
void fpi_pmtiles_metadata(fp_pmtiles *pm, const char *key, const char *value);
/* commit: write the archive and rename it into place; frees pm. */
fp_status fpi_pmtiles_close(fp_pmtiles *pm, int commit, long *unique, const fp_context *ctx, fp_error *err);
/* The spec's TileID: the position on the Hilbert curves of zooms 0..z. */
uint64_t fpi_pmtiles_tile_id(int z, uint32_t x, uint32_t y);

/* ----------------------------------------------------------- preview --- */
typedef struct fp_preview_info {
    const char *name, *description;   /* plain text */
    const char *attribution;          /* HTML, as TileJSON's is by convention: the credits escaped */
    const char *format;      /* png, webp, mvt */
    int minzoom, maxzoom, tms, scale;
    double bounds[4], center[3];
    const char *tiles_url;   /* relative template, e.g. "{z}/{x}/{y}.png" */
    const char *vector_layers_json;   /* mvt: the vector_layers array */
    const char *maplibre_style;       /* mvt: style.json text */
    const fp_classes *classes;
    const char *legend_title;
    const char *const *categories;
    const fp_rgba *category_colors;
    const unsigned char *category_line_only;   /* may be NULL: a category drawn only as lines (cables) */
    size_t ncategories;
    const char *web_dir;     /* the web files (MapLibre): the context's */
    const char *regions_layer;        /* file name under layers/, NULL: none */
    const char *pmtiles_url;          /* the archive relative to the page ("../NAME.pmtiles"), NULL: none */
    /* mvt: the timeline (year slider) over year_first .. year_first +
     * nyears - 1 (nyears 0: no slider); region_timeline: the regions
     * carry yYYYY counts the fill can be restyled by; undated: projects
     * the timeline leaves out. */
    int year_first, nyears, region_timeline;
    long undated;
} fp_preview_info;

/* Writes tiles.json (TileJSON 3.0), index.html, lib/ (Leaflet from Debian's
 * libjs-leaflet or the vendored MapLibre) into dir. */
fp_status fpi_preview_write(const char *dir, const fp_preview_info *info, fp_error *err);
/* The TileJSON document (malloc'd JSON text). */
char *fpi_tilejson(const fp_preview_info *info);
/* Appends s (NULL: nothing) with < > & " written as HTML entities. */
void fpi_html_escape(GString *out, const char *s);

#endif
