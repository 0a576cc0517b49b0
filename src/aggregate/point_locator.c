/*
 * Point location for the other stages (data QA): one level of the store's
 * regions, the aggregate stage's point-in-region index, one thread.
 */
#include <stdlib.h>
#include <string.h>
#include <geos_c.h>
#include "fp_aggregate.h"
#include "aggregate/aggregate_internal.h"

struct fp_point_locator {
    fp_region_set *set;
    fp_region_index *idx;
    fp_locator *loc;
};

fp_status fp_point_locator_new(fp_store *store, const char *level, fp_point_locator **out, fp_error *err)
{
    *out = NULL;
    fp_point_locator *pl = calloc(1, sizeof *pl);
    if (!pl) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    fp_status st = strcmp(level, "country") && strcmp(level, "admin1")
                       ? fp_error_set(err, FP_ERR_USAGE, "point look-up: no store level '%s'", level)
                       : fpi_region_set_load_polygons(store, level, &pl->set, err);
    if (!st && pl->set->n == 0)
        st = fp_error_set(err, FP_ERR_STATE, "%s: no %s regions in the store; run `footprint init`", fp_store_path(store),
                          level);
    /* Built as the look-ups need it: a check of a few rows (every import
     * runs one) cuts the few regions around them, not the world's. */
    if (!st) st = fpi_region_index_new_lazy(pl->set, &pl->idx, err);
    if (!st && !(pl->loc = fpi_locator_new(pl->set, pl->idx))) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    if (st) {
        fp_point_locator_free(pl);
        return st;
    }
    *out = pl;
    return FP_OK;
}

void fp_point_locator_free(fp_point_locator *pl)
{
    if (!pl) return;
    fpi_locator_free(pl->loc);
    fpi_region_index_free(pl->idx);
    fpi_region_set_free(pl->set);
    free(pl);
}

const char *fp_point_locator_find(fp_point_locator *pl, double lon, double lat, double snap_km, const char **name,
                                  double *snapped_km)
{
    fp_share s = fpi_locate_point(pl->loc, lon, lat, snap_km);
    if (snapped_km) *snapped_km = s.region >= 0 && s.method == FP_ASSIGN_SNAPPED ? s.distance_km : 0;
    if (s.region < 0) {
        if (name) *name = NULL;
        return NULL;
    }
    if (name) *name = pl->set->items[s.region].name;
    return pl->set->items[s.region].code;
}

fp_status fp_point_locator_status(const fp_point_locator *pl, fp_error *err)
{
    if (pl && fpi_region_index_failed(pl->idx))
        return fp_error_set(err, FP_ERR_INPUT, "could not build the region index (GEOS failed on a region geometry, "
                            "or out of memory)");
    return FP_OK;
}

double fp_point_locator_distance_km(fp_point_locator *pl, const char *code, double lon, double lat)
{
    int r = fpi_region_set_find(pl->set, code);
    if (r < 0) return -1;
    const fp_region *reg = &pl->set->items[r];
    GEOSContextHandle_t h = fpi_locator_geos(pl->loc);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = rd ? GEOSWKBReader_read_r(h, rd, reg->wkb, reg->wkb_len) : NULL;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
    double km = -1;
    /* The nearest point in degrees, then the geodesic distance to it: near
     * enough for evidence ("about 6,480 km"), which is all it is used for. */
    GEOSCoordSequence *near = g && pt ? GEOSNearestPoints_r(h, g, pt) : NULL;
    if (near) {
        double x, y;
        if (GEOSCoordSeq_getXY_r(h, near, 0, &x, &y)) km = fpi_geodesic_distance_m(lon, lat, x, y) / 1000.0;
        GEOSCoordSeq_destroy_r(h, near);
    }
    if (pt) GEOSGeom_destroy_r(h, pt);
    if (g) GEOSGeom_destroy_r(h, g);
    if (rd) GEOSWKBReader_destroy_r(h, rd);
    return km;
}
