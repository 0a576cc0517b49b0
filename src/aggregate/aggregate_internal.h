/* Internals of the aggregate stage: region sets, the point-in-region index,
 * tessellations (grid, hex) and geodesic measures. Not public API. */
#ifndef FP_AGGREGATE_INTERNAL_H
#define FP_AGGREGATE_INTERNAL_H

#include <stddef.h>
#include <geos_c.h>
#include "fp_aggregate.h"
#include "geom/geom.h"   /* blobs, antimeridian, geodesic measures */

#define FP_MAX_LEVELS 4

/* ------------------------------------------------------------ regions --- */

/* One region of the set points are classified against. Geometry is kept as
 * WKB so that every thread parses its own GEOS copy (GEOS geometries and
 * prepared geometries are not safe to share between threads). */
typedef struct fp_region {
    char *code, *name;
    char *up[FP_MAX_LEVELS];      /* code of this region at each output level */
    long long population;         /* -1: unknown */
    double area_km2;              /* geodesic area */
    unsigned char *wkb;
    size_t wkb_len;
    double minx, miny, maxx, maxy;
} fp_region;

/* A row of an output level (the main level or a roll-up). */
typedef struct fp_level_region {
    char *code, *name, *parent;
    long long population;
    double area_km2;
    unsigned char *wkb;           /* NULL: no geometry */
    size_t wkb_len;
} fp_level_region;

typedef struct fp_output_level {
    char name[16];
    fp_level_region *rows;
    size_t n;
} fp_output_level;

typedef enum { FP_SET_POLYGONS, FP_SET_GRID, FP_SET_HEX } fp_set_kind;

typedef struct fp_region_set {
    fp_set_kind kind;
    char spec[512];               /* the --by value */
    fp_region *items;             /* sorted by code: the order that settles ties */
    size_t n;
    size_t cut, repaired;         /* regions:FILE: polygons cut at the antimeridian, repaired by GEOS */
    int has_population;
    int nlevels;                  /* output levels; [0] is the main one */
    fp_output_level levels[FP_MAX_LEVELS];
    /* grid and hex */
    double step;                  /* grid: degrees; hex: width in metres */
    double step_units, step_scale; /* grid: step = units / scale exactly (scale 0: no short decimal) */
    long kx0, ky0;                /* grid: lattice column and row of cell (0,0): its corner is k x step */
    int nx, ny;                   /* grid: columns and rows */
    long q0, r0, nq, nr;          /* hex: axial range */
} fp_region_set;

/* Parses LEVEL and loads or generates the regions. The bounding box of the
 * projects (minx, miny, maxx, maxy) bounds generated grids and hexagons. */
fp_status fpi_region_set_load(fp_store *store, const char *by, const double extent[4],
                             int threads, fp_region_set **out, fp_error *err);
/* A store level (country, admin1) as polygons only: items without up codes
 * or output levels, for fp_point_locator. */
fp_status fpi_region_set_load_polygons(fp_store *store, const char *level, fp_region_set **out, fp_error *err);
void fpi_region_set_free(fp_region_set *set);
void fpi_region_set_free_items(fp_region_set *set);
int fpi_region_set_find(const fp_region_set *set, const char *code);

/* region_cache.c: the prepared regions of a regions:FILE layer, kept in a
 * cache folder under a SHA-256 of the file (and sidecars) and code field.
 * key: -1 when the path is no regular file or cannot be read. load: 1 and
 * set->items/n/has_population filled on a hit, 0 on a miss or a damaged
 * entry. save: best effort (a cache that cannot be written is no error). */
int fpi_region_cache_key(const char *path, const char *code_field, char key[65]);
int fpi_region_cache_load(const char *dir, const char *key, fp_region_set *set);
void fpi_region_cache_save(const char *dir, const char *key, const fp_region_set *set);

/* The prepared state of a store's regions (fp_aggregate_prepare) as cached
 * in region_cache.c: [0] country, [1] admin1 areas by code; groups [0]
 * subregion, [1] continent. key: from a digest of the rows it is computed
 * from (hex, made by the caller). load: 1 on a hit
 * (p owned by the caller, fpi_prepared_regions_clear), 0 on a miss or a
 * damaged entry. save: best effort; nothing when a level's codes are not
 * unique. */
typedef struct fpi_prepared_regions {
    size_t n_areas[2];
    char **codes[2];
    double *areas[2];
    fp_output_level groups[2];
} fpi_prepared_regions;
/* 0, or -1 (out of memory: run uncached). */
int fpi_prepared_cache_key(const char *digest, char key[65]);
int fpi_prepared_cache_load(const char *dir, const char *key, fpi_prepared_regions *p);
void fpi_prepared_cache_save(const char *dir, const char *key, const fp_region *const areas[2],
                             const size_t n_areas[2], const fp_output_level *const groups[2]);
void fpi_prepared_regions_clear(fpi_prepared_regions *p);

/* -------------------------------------------------------------- index --- */

typedef struct fp_region_index fp_region_index;

/* Builds the point-in-region index over a polygon set, using `threads`. */
/* Threads a stage uses by default: one a core (at most 64). */
int fpi_default_threads(void);
fp_status fpi_region_index_new(const fp_region_set *set, int threads, fp_region_index **out, fp_error *err);
/* The same index built as look-ups reach it: a region is cut into cells the
 * first time a look-up reads a cell its extent covers (a check of a few
 * rows builds a few countries, not all of them), and everything left is
 * built at once when look-ups spread over many cells. Answers are those of
 * the eager index. It may be read by one locator only. */
fp_status fpi_region_index_new_lazy(const fp_region_set *set, fp_region_index **out, fp_error *err);
/* 1 once a lazy build failed: look-ups since then answered "none". */
int fpi_region_index_failed(const fp_region_index *idx);
/* How many regions have been cut into cells (all of them when eager). */
size_t fpi_region_index_regions_built(const fp_region_index *idx);
void fpi_region_index_free(fp_region_index *idx);
/* A complete (eager) index as bytes appended to b (-1 and nothing written
 * for a lazy or failed one), and read back for the same set: NULL when the
 * bytes do not describe an index of that many regions. */
struct _GByteArray;   /* GLib's GByteArray */
int fpi_region_index_write(const fp_region_index *idx, struct _GByteArray *b);
fp_region_index *fpi_region_index_read(const fp_region_set *set, const unsigned char *p, size_t len);
/* region_cache.c: the eager index kept in the cache folder under a digest
 * of the set's codes, boxes and geometries (key), so that the same regions
 * are cut into cells once. load: NULL on a miss or a damaged entry. save:
 * best effort. key: 0, or -1 (out of memory: run uncached). */
int fpi_region_index_cache_key(const fp_region_set *set, char key[65]);
fp_region_index *fpi_region_index_cache_load(const char *dir, const char *key, const fp_region_set *set);
void fpi_region_index_cache_save(const char *dir, const char *key, const fp_region_index *idx);
/* fpi_region_index_new, read from the cache folder when an entry of the
 * same regions is there, and saved there when it was cut (dir NULL: cut). */
fp_status fpi_region_index_new_cached(const fp_region_set *set, int threads, const char *dir, fp_region_index **out,
                                      fp_error *err);

/* Per-thread state of look-ups: its own GEOS handle and lazily parsed,
 * prepared copies of the geometries it touches. */
typedef struct fp_locator fp_locator;
fp_locator *fpi_locator_new(const fp_region_set *set, const fp_region_index *idx);
void fpi_locator_free(fp_locator *loc);
/* Tests only: 0 makes every piece test go through GEOS (region_index.c,
 * piece_locate), to compare the two answers. */
void fpi_locator_set_fast_pieces(fp_locator *loc, int on);
GEOSContextHandle_t fpi_locator_geos(fp_locator *loc);

/* One region's part of a project. */
typedef struct fp_share {
    int region;                   /* index in the set; -1: unassigned */
    double share;
    fp_assign_method method;
    double distance_km;           /* snapped points; else 0 */
} fp_share;

/* Assigns a point: the region containing it (interior first, then boundary,
 * first in code order), else the nearest within snap_km on the ellipsoid,
 * else unassigned (region -1). */
fp_share fpi_locate_point(fp_locator *loc, double x, double y, double snap_km);

/* Assigns any geometry: points as above, lines and polygons to every region
 * they cross with their length/area share, the rest unassigned. Shares are
 * appended to *out (grown with realloc); returns the number appended, or -1
 * when out of memory. */
long fpi_assign_geometry(fp_locator *loc, const GEOSGeometry *g, double weight, double snap_km,
                        fp_share **out, size_t *n, size_t *cap);

/* Grid and hex: the cell of a point (index in the set, or -1), computed. */
int fpi_tessellation_locate(fp_locator *loc, double x, double y);

/* tessellation.c: generation over the projects' extent, and per-thread state
 * (a PROJ object for hexagons). */
fp_status fpi_grid_generate(fp_region_set *set, const double extent[4], double step, fp_error *err);
fp_status fpi_hex_generate(fp_region_set *set, const double extent[4], double width_km, fp_error *err);
void *fpi_tessellation_state_new(const fp_region_set *set);
void fpi_tessellation_state_free(void *state);
int fpi_tessellation_locate_state(void *state, double x, double y);
long fpi_tessellation_candidates(void *state, const double env[4], int **cand, size_t *n, size_t *cap);

/* Exact reference used by tests: the same rules on full geometries, without
 * the grid of pieces. */
fp_share fpi_locate_point_reference(fp_locator *loc, double x, double y, double snap_km);

#endif
