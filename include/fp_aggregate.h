/* Aggregation of projects per region: countries, admin-1, continents,
 * subregions, a user's polygon layer, square grids and hexagons. */
#ifndef FP_AGGREGATE_H
#define FP_AGGREGATE_H

#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default distance within which a point outside every region is moved to the
 * nearest one (ports, landing stations, islands a generalised coast misses). */
#define FP_DEFAULT_SNAP_KM 25.0

/* How a project (or a share of it) reached its region. */
typedef enum fp_assign_method {
    FP_ASSIGN_CONTAINED = 0,  /* the point is in the region's interior */
    FP_ASSIGN_BOUNDARY,       /* on a border: the first region in code order */
    FP_ASSIGN_SNAPPED,        /* outside every region, within the snap distance */
    FP_ASSIGN_SPLIT,          /* a line or polygon: a share of its length or area */
    FP_ASSIGN_UNASSIGNED,     /* at sea / outside: counted in the unassigned row */
    FP_ASSIGN_METHODS
} fp_assign_method;

const char *fp_assign_method_name(fp_assign_method m);

typedef struct fp_aggregate_options {
    const char *by;        /* country, admin1, continent, subregion, grid:DEGREES,
                              hex:KM, regions:FILE[:CODEFIELD] */
    const char *group;     /* comma-separated fields (project columns or keys of
                              `extra`); NULL for none */
    double snap_km;        /* < 0: FP_DEFAULT_SNAP_KM; 0 turns snapping off */
    const char *name;      /* NULL: derived from `by` and `group` */
    int threads;           /* 0: all cores */
    const char *dataset;   /* only this dataset's projects (one edition of a list); NULL: every project */
    int keep_centroids;    /* count projects geocoded to a country's (or, in grid and hex cells, an
                              admin-1 region's) centroid where the centroid falls; 0: leave them
                              unassigned in an aggregation finer than that (the default) */
} fp_aggregate_options;

/* Totals of one level of the result (the main level and its roll-ups). */
typedef struct fp_level_total {
    char level[16];
    long regions;          /* rows of this level, zeros included */
    long with_projects;
    double weighted;       /* sum of shares over the level's regions */
    double unassigned;     /* the unassigned row */
} fp_level_total;

typedef struct fp_aggregate_result {
    char name[64];
    char dataset[256];     /* --dataset, "" for every project */
    char datasets_note[1100]; /* without --dataset in a store of several: "2 datasets (2024, 2025)", else "" */
    char table[80];        /* agg_NAME */
    char assign_table[96]; /* agg_NAME_assign */
    long projects;         /* projects read (with a geometry) */
    long without_geometry; /* not geocoded: not aggregated, reported */
    long centroids_left_out;  /* placed at a centroid coarser than the level: unassigned */
    int centroids_admin1;     /* those include admin-1 centroids (grid, hex), not only countries' */
    long by_method[FP_ASSIGN_METHODS];   /* projects (split ones once) */
    long group_columns;
    long regions_cut;      /* regions:FILE polygons cut at the antimeridian */
    long regions_repaired; /* regions:FILE polygons made valid by GEOS */
    int nlevels;
    fp_level_total levels[4];
    int check_passed;      /* every level's total equals `projects` */
    double seconds;
} fp_aggregate_result;

/* Runs one aggregation and stores it (replacing one of the same name) in one
 * transaction: the table agg_NAME (one row per region and level, zeros
 * included, plus an unassigned row per level), the per-project assignments
 * agg_NAME_assign, and a row in `aggregations`. */
fp_status fp_aggregate(fp_store *store, const fp_aggregate_options *opts,
                       fp_aggregate_result *result, fp_error *err);

/* Computes what aggregations need from the regions once, and caches it in
 * the store: geodesic areas, and continents and subregions as unions of
 * countries. `init` calls it; an aggregation does it itself when missing.
 * Does nothing when done. */
fp_status fp_aggregate_prepare(fp_store *store, fp_error *err);

/* Point location against the store's regions of one level (country or
 * admin1) for the other stages (data QA): the same point-in-region index
 * and rules as an aggregation. One thread. */
typedef struct fp_point_locator fp_point_locator;
fp_status fp_point_locator_new(fp_store *store, const char *level, fp_point_locator **out, fp_error *err);
void fp_point_locator_free(fp_point_locator *pl);

/* The region holding (lon, lat), else the nearest within snap_km (0: no
 * snapping): its code, and its name in *name when name is not NULL; NULL
 * when none. *snapped_km (may be NULL): the snap distance, 0 if inside. */
const char *fp_point_locator_find(fp_point_locator *pl, double lon, double lat, double snap_km,
                                  const char **name, double *snapped_km);

/* Geodesic distance in km from (lon, lat) to the nearest point of region
 * `code`; -1 when the level has no such region. */
double fp_point_locator_distance_km(fp_point_locator *pl, const char *code, double lon, double lat);

/* The index is cut around the points as they are looked up: FP_OK, or the
 * error that made a look-up answer "none" (a region geometry GEOS could
 * not cut, out of memory), filled into err. Check it after the look-ups. */
fp_status fp_point_locator_status(const fp_point_locator *pl, fp_error *err);

#ifdef __cplusplus
}
#endif

#endif
