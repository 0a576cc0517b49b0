/* Map tiles for web maps: Web Mercator XYZ tiles (raster PNG/WebP drawn with
 * the same style as `render`, or Mapbox Vector Tiles) in a z/x/y directory
 * or an MBTiles 1.3 file, with a TileJSON 3.0 document and an index.html
 * preview (Leaflet for raster, MapLibre for vector) next to them. */
#ifndef FP_TILES_H
#define FP_TILES_H

#include <stddef.h>
#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------- tile math --- */
/* Spherical (Web) Mercator, EPSG:3857, as in the OSM slippy-map scheme:
 * z/x/y with y counted from the north; latitudes beyond +-85.0511287798
 * are outside the square world. */
#define FP_MERC_HALF 20037508.342789244    /* pi * 6378137 */
#define FP_MERC_MAX_LAT 85.0511287798066

/* Tile containing lon/lat at zoom z (lon 180 belongs to the last column,
 * latitudes beyond the limit are clamped to the first/last row). */
void fp_tile_from_lonlat(double lon, double lat, int z, int *x, int *y);
/* Bounds of tile z/x/y: west, south, east, north in degrees. */
void fp_tile_bounds_lonlat(int z, int x, int y, double bounds[4]);
/* Bounds of tile z/x/y in EPSG:3857 metres: x0, y0, x1, y1. */
void fp_tile_bounds_merc(int z, int x, int y, double bounds[4]);
/* lon/lat <-> EPSG:3857 metres (spherical formulas; the renderer uses PROJ). */
void fp_merc_from_lonlat(double lon, double lat, double *x, double *y);
void fp_lonlat_from_merc(double x, double y, double *lon, double *lat);

/* -------------------------------------------------------------- tiles --- */
typedef struct fp_tiles_progress {
    long done, total;        /* tiles */
    double tiles_per_s, eta_s;
} fp_tiles_progress;

typedef struct fp_tiles_options {
    const char *style_path;  /* NULL: the default style (world choropleth) */
    const char *aggregation; /* override the style's choropleth aggregation */
    int minzoom, maxzoom;    /* 0..22 */
    int has_bbox;
    double bbox[4];          /* west, south, east, north: tiles outside are not written */
    int scale;               /* 1: 256 px, 2: 512 px */
    const char *format;      /* png (default), webp, mvt */
    int threads;             /* 0: all cores */
    int resume;              /* skip tiles already written */
    int tms;                 /* directory rows in TMS order (y from the south) */
    int metatile;            /* metatile side in tiles (default 8) */
    const char *name;        /* TileJSON/MBTiles name; default from the style */
    const char *output;      /* DIR or NAME.mbtiles (the preview then goes to NAME.preview/) */
    int no_preview;          /* do not write index.html, tiles.json, layers */
    const char *dataset;     /* project points of this dataset only (one edition); NULL: every project */
    void (*progress)(const fp_tiles_progress *p, void *user);
    void *progress_user;
} fp_tiles_options;

typedef struct fp_tiles_result {
    long tiles;              /* tiles addressed (written, or skipped on resume) */
    long written;            /* tiles written by this run */
    long skipped;            /* already there (--resume) */
    long unique;             /* distinct tile images/blobs */
    double seconds;
    char tilejson[4096];     /* path of the TileJSON document */
    char index_html[4096];   /* path of the preview page */
} fp_tiles_result;

/* result may be NULL. */
fp_status fp_tiles(fp_store *store, const fp_tiles_options *opts, fp_tiles_result *result, fp_error *err);
/* The checks fp_tiles makes of its options (format, zoom range, output,
 * bbox), without a store: for a caller that wants a usage error before
 * opening anything. FP_ERR_USAGE with the reason. */
fp_status fp_tiles_check_options(const fp_tiles_options *opts, fp_error *err);

#ifdef __cplusplus
}
#endif

#endif
