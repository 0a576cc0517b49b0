/* Mapbox Vector Tiles (spec 2.1) of the store: the scene (everything read,
 * projected, clustered and simplified once) and the encoding of one tile.
 *
 * Coordinates. Every vertex is projected once, at scene load, with PROJ
 * (EPSG:4326 -> EPSG:3857) after cutting longitudes to +-180 and clamping
 * latitudes to +-85.0511 (the edge of the square Mercator world). The scene
 * keeps "world units": tile units of the zoom-0 tile, 0..4096 a side, y
 * down; tile z/x/y then sees a vertex at (w * 2^z - x * 4096, ...).
 *
 * Decisions (what a reader of the tiles can rely on):
 * - Extent 4096, layer version 2, one "regions" and one "projects" layer.
 * - Point projects are never dropped. Below maxzoom they are merged by a
 *   global grid of 32 x 32 px cells of a 256 px tile (8 x 8 cells a tile,
 *   512 tile units): every cell holding two or more points becomes one point
 *   feature at the mean of its points with `point_count` (the exact number
 *   merged), `category` (the most frequent; ties: the first by name) and
 *   `categories` ("name:count,..." by count). A point alone in its cell keeps
 *   its attributes and point_count 1. At maxzoom only points on the same tile
 *   pixel at extent 4096 are merged. The grid is global and aligned with the
 *   tiles, so clusters agree across tile boundaries and each cell belongs to
 *   exactly one tile. 32 px: a cluster circle of up to ~24 px stays about
 *   within its cell on a 256 px (MapLibre 512 px) tile; 64 px cells gave a
 *   4 x 4 grid on the whole world at zoom 0, too coarse to read.
 * - Owning tile: a point feature is written only in the tile containing its
 *   anchor (the tile pixel floor(w * 2^z * ...) lies in), never in a
 *   neighbour's buffer, so summing point_count over every tile of a zoom
 *   gives exactly the number of point projects. (The price: a circle whose
 *   centre is in the next tile may be cut at the tile edge by renderers that
 *   clip symbols per tile; MapLibre draws circles unclipped.)
 * - Lines, areas and multipoints of projects go into the same "projects"
 *   layer as LINESTRING / POLYGON / POINT features (MapLibre filters on
 *   ["geometry-type"]) with the project's attributes and no point_count.
 *   Lines and areas are clipped to the tile plus a 64-unit buffer (1/64 of
 *   the tile: wider than any line width drawn, so strokes join across tile
 *   edges); multipoints, like points, keep only their points inside the tile.
 * - Lines and polygons are simplified per zoom with a tolerance of 8 tile
 *   units: one pixel of a tile drawn at 512 px as MapLibre does (half a
 *   pixel of a 256 px raster tile). Polygons with GEOS's topology-preserving
 *   simplifier (rings stay valid and holes stay inside), lines with plain
 *   Douglas-Peucker. Parts smaller than one tile unit are left out at that
 *   zoom (rounding would collapse them).
 * - Timeline (the preview's year slider): when projects have years, the
 *   scene spans the first to the last of them (at most MVT_MAX_YEARS, the
 *   last ones; earlier projects count in the first year). Clusters carry
 *   `yYYYY` = their members with year <= YYYY, and regions (a choropleth
 *   of the `projects` field at the aggregation's own level) the same from
 *   the aggregation's assignments (fp_store_timeline_counts). Zeros are
 *   not written: an absent yYYYY is 0 (before the first project). Single
 *   projects, lines and areas carry `year` itself.
 * - Polygon rings are rounded to integers after clipping; consecutive
 *   duplicates are removed, rings with fewer than 3 points or zero area are
 *   dropped (with the holes of a dropped exterior), and exteriors are
 *   written with positive area by the spec's formula (clockwise on screen,
 *   y down), holes negative.
 *
 * Speed: scene_tile is read-only on the scene and allocates per call, so
 * threads share one scene. Point features of each zoom are kept sorted in
 * Morton (Z) order of their 40-bit fixed-point world coordinates: cells of
 * any power-of-two grid, tiles and clusters alike, are then contiguous runs,
 * so one sort serves the clustering of every zoom and a tile's points are
 * found by binary search. Shapes are found through a 64 x 64 grid over the
 * world; a part entirely inside the buffered tile is written without
 * clipping, others are cut with GEOS ClipByRect (a GEOS context per call).
 * Measured figures: see the comment at clip_part(). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <geos_c.h>
#include <jansson.h>
#include <proj.h>
#include "tiles/mvt.h"
#include "fp_tiles.h"
#include "common/util.h"
#include "fp_store.h"
#include "geom/geom.h"   /* fpi_wkb_to_geos, fpi_geos_shifted_x */
#include "vector_tile.pb-c.h"

#define MVT_EXTENT 4096
#define MVT_EXTENT_BITS 12
#define MVT_BUFFER 64.0           /* tile units around the tile kept when clipping shapes */
#define MVT_CLUSTER_BITS 3        /* 2^3 x 2^3 cluster cells a tile below maxzoom (32 px of 256) */
#define MVT_SIMPLIFY_UNITS 8.0    /* simplification tolerance, tile units */
#define MVT_MAX_ZOOM 22
#define WORLD 4096.0              /* world units a side: the zoom-0 tile's units */
#define FIX_BITS 40               /* fixed-point world coordinates of points: 2^40 a side */
#define FIX_PER_UNIT 268435456.0  /* 2^40 / 4096 */
#define GRID_BITS 6               /* the shape index: 2^6 x 2^6 cells over the world */
#define MVT_MAX_YEARS 100         /* timeline: yYYYY properties at most (the last years) */

enum { GEOM_POINT = FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT, GEOM_LINE = FPI_VECTOR_TILE__TILE__GEOM_TYPE__LINESTRING,
       GEOM_POLYGON = FPI_VECTOR_TILE__TILE__GEOM_TYPE__POLYGON };

/* ------------------------------------------------------------ the scene --- */

/* A project's attributes; strings interned in the scene's chunk (one
 * pointer per distinct text, which the tile's value table relies on), NULL
 * when empty. */
typedef struct mvt_project {
    int64_t id;
    const char *name, *company, *category, *source, *country_code, *status;
    const char *field_value;      /* the style's point field when not one of the above */
    int year, has_year;
    int category_index;           /* into scene->categories; -1: none */
    int field_index;              /* into scene->field_values; -1: none */
} mvt_project;

/* A point feature of one zoom: one project, or a cluster of them. */
typedef struct mvt_point {
    uint64_t fx, fy;              /* anchor, fixed point (2^40 a side, y down) */
    uint32_t count;               /* projects it stands for */
    uint32_t ref;                 /* count 1: project index; else cluster index */
} mvt_point;

typedef struct mvt_cluster {
    uint32_t first;               /* its members: scene->singles[first .. first + count) */
    const char *category;         /* most frequent category (NULL: none had one) */
    const char *categories;       /* "name:count,..." */
    const char *field_value;      /* most frequent value of the style's field, when not category */
} mvt_cluster;

typedef struct mvt_zoom_points {
    mvt_point *points;            /* Morton order */
    size_t n;
    mvt_cluster *clusters;
    size_t nclusters;
    int shared;                   /* points is the scene's singles array (no merge at this zoom) */
} mvt_zoom_points;

/* Shapes (lines, polygons, multipoints) in flat arrays: a shape has parts
 * (a polygon with its holes, one line, one point), a part has rings (runs
 * of x,y pairs; rings of polygons are closed). */
typedef struct mvt_ring { uint32_t first, n; } mvt_ring;   /* first: index of its first pair */
typedef struct mvt_part { double box[4]; uint32_t first_ring, nrings; } mvt_part;

typedef struct geomset {
    GArray *xy;                   /* double: x, y, x, y, ... (world units) */
    GArray *rings;                /* mvt_ring */
    GArray *parts;                /* mvt_part */
    GArray *shape_first;          /* uint32: first part of shape s; entry n = end */
} geomset;

typedef enum { SHAPES_PROJECTS, SHAPES_REGIONS } shapes_kind;

typedef struct mvt_shapes {
    shapes_kind kind;
    size_t n;
    unsigned char *type;          /* GEOM_* of each shape */
    uint32_t *owner;              /* project or region index */
    double (*box)[4];             /* full-resolution bounding box (simplified ones lie inside) */
    uint32_t *cell_start;         /* grid: shapes whose box reaches into cell c are */
    uint32_t *cell_items;         /* cell_items[cell_start[c] .. cell_start[c + 1]) */
    geomset **zoom;               /* [maxzoom - minzoom + 1]; several zooms may share a set */
    GPtrArray *sets;              /* the distinct sets (owned) */
} mvt_shapes;

typedef struct mvt_region {
    int64_t id;                   /* rowid of the aggregation (or regions) table */
    const char *code, *name, *fill;
    double value;                 /* NAN: no data */
    int value_is_int;
    int class_index;              /* 0-based; -1: no data */
} mvt_region;

struct fp_mvt_scene {
    const fp_context *ctx;        /* cancel flag while loading */
    GHashTable *value_kinds;      /* point field value (interned) -> KIND_* bits of its projects' geometries */
    int has_no_value;             /* a project drawn has no value of the point field */
    const char *dataset;          /* the projects' (--dataset), NULL: all; the caller's */
    int minzoom, maxzoom;
    GStringChunk *strings;
    mvt_project *projects;
    size_t nprojects, npoint_projects;
    const char **categories;      /* distinct categories, by name */
    size_t ncategories;
    const char **field_values;    /* distinct values of the style's point field, by name */
    size_t nfield_values;
    char point_field[32];         /* the style's point field (category, company, ...) */
    int point_field_extra;        /* 1: not one of the attributes always written */
    mvt_point *singles;           /* every point project, Morton order */
    mvt_zoom_points *zooms;       /* [maxzoom - minzoom + 1] */
    mvt_shapes project_shapes;
    mvt_shapes region_shapes;
    mvt_region *regions;
    size_t nregions;
    int has_regions;
    int choropleth;               /* 1: regions carry value/class; 0: plain land */
    char value_field[64];         /* the choropleth's field */
    /* Timeline: years year_first..year_first + nyears - 1 (nyears 0: no
     * project has a year), their keys "yYYYY", and with region_timeline
     * each region's cumulative counts (region_years[r * nyears + k]). */
    int year_first, nyears;
    size_t nundated;              /* projects without a year */
    const char **year_keys;
    int region_timeline;
    uint32_t *region_years;
};

/* ------------------------------------------------------- helpers: text --- */

static const char *intern(fp_mvt_scene *s, const char *text)
{
    return text && *text ? g_string_chunk_insert_const(s->strings, text) : NULL;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Index of text in a sorted array of interned strings; -1 if absent. */
static int string_index(const char *const *list, size_t n, const char *text)
{
    if (!text) return -1;
    const char *const *hit = bsearch(&text, list, n, sizeof *list, compare_strings);
    return hit ? (int)(hit - list) : -1;
}

/* ----------------------------------------------- helpers: projection --- */

/* lon/lat pairs (degrees) to world units, in place, through PROJ's
 * EPSG:4326 -> EPSG:3857. -1 when PROJ cannot (a NaN). */
static int to_world(PJ *pj, double *xy, size_t n, GArray *excess)
{
    if (!n) return 0;
    /* excess (a region continued past the antimeridian, see
     * extend_across_antimeridian): what lies beyond +-180 is kept, at the
     * world x it would have (Web Mercator's x is linear in longitude). */
    if (excess) g_array_set_size(excess, n);
    for (size_t i = 0; i < n; i++) {
        double *p = xy + 2 * i;
        double lon = p[0];
        if (p[0] < -180) p[0] = -180;
        if (p[0] > 180) p[0] = 180;
        if (excess) g_array_index(excess, double, i) = lon - p[0];
        if (p[1] < -FP_MERC_MAX_LAT) p[1] = -FP_MERC_MAX_LAT;
        if (p[1] > FP_MERC_MAX_LAT) p[1] = FP_MERC_MAX_LAT;
    }
    size_t done = proj_trans_generic(pj, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1, 2 * sizeof(double), n, NULL, 0,
                                     0, NULL, 0, 0);
    if (done != n) return -1;
    const double k = WORLD / (2 * FP_MERC_HALF);
    for (size_t i = 0; i < n; i++) {
        double *p = xy + 2 * i;
        if (!isfinite(p[0]) || !isfinite(p[1]) || p[0] == HUGE_VAL) return -1;
        double wx = (p[0] + FP_MERC_HALF) * k, wy = (FP_MERC_HALF - p[1]) * k;
        p[0] = wx < 0 ? 0 : wx > WORLD ? WORLD : wx;
        if (excess) p[0] += g_array_index(excess, double, i) * (WORLD / 360.0);
        p[1] = wy < 0 ? 0 : wy > WORLD ? WORLD : wy;
    }
    return 0;
}

/* World units to fixed point; the world's east and south edges (lon 180,
 * the clamped south) go to the last column/row, as fp_tile_from_lonlat. */
static uint64_t to_fixed(double w)
{
    double f = floor(w * FIX_PER_UNIT);
    const double max = (double)((UINT64_C(1) << FIX_BITS) - 1);
    return f <= 0 ? 0 : f >= max ? (uint64_t)max : (uint64_t)f;
}

/* Morton (Z) order of two fixed-point positions without computing the
 * interleaved code: the axis whose coordinates differ in the higher bit
 * decides (y before x on equal bits). */
static int less_msb(uint64_t a, uint64_t b)
{
    return a < b && a < (a ^ b);
}

static int morton_cmp(uint64_t ax, uint64_t ay, uint64_t bx, uint64_t by)
{
    uint64_t dx = ax ^ bx, dy = ay ^ by;
    if (less_msb(dy, dx)) return ax < bx ? -1 : ax > bx;
    return ay < by ? -1 : ay > by;
}

static int compare_points(const void *a, const void *b)
{
    const mvt_point *p = a, *q = b;
    int c = morton_cmp(p->fx, p->fy, q->fx, q->fy);
    if (c) return c;
    return (p->ref > q->ref) - (p->ref < q->ref);   /* same position: by project, so runs are stable */
}

/* ---------------------------------------------------------- geomsets --- */

static geomset *geomset_new(void)
{
    geomset *g = g_new0(geomset, 1);
    g->xy = g_array_new(FALSE, FALSE, sizeof(double));
    g->rings = g_array_new(FALSE, FALSE, sizeof(mvt_ring));
    g->parts = g_array_new(FALSE, FALSE, sizeof(mvt_part));
    g->shape_first = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return g;
}

static void geomset_free(gpointer p)
{
    geomset *g = p;
    if (!g) return;
    g_array_free(g->xy, TRUE);
    g_array_free(g->rings, TRUE);
    g_array_free(g->parts, TRUE);
    g_array_free(g->shape_first, TRUE);
    g_free(g);
}

static void shape_begin(geomset *g)
{
    uint32_t first = g->parts->len;
    g_array_append_val(g->shape_first, first);
}

static void part_begin(geomset *g)
{
    mvt_part p = { { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL }, g->rings->len, 0 };
    g_array_append_val(g->parts, p);
}

/* Appends a ring (n pairs) to the current part and widens its box. */
static void ring_add(geomset *g, const double *xy, uint32_t n)
{
    mvt_ring r = { g->xy->len / 2, n };
    g_array_append_vals(g->xy, xy, 2 * (guint)n);
    g_array_append_val(g->rings, r);
    mvt_part *p = &g_array_index(g->parts, mvt_part, g->parts->len - 1);
    p->nrings++;
    for (uint32_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (x < p->box[0]) p->box[0] = x;
        if (y < p->box[1]) p->box[1] = y;
        if (x > p->box[2]) p->box[2] = x;
        if (y > p->box[3]) p->box[3] = y;
    }
}

/* Drops the current part (empty exterior, too small). */
static void part_cancel(geomset *g)
{
    mvt_part *p = &g_array_index(g->parts, mvt_part, g->parts->len - 1);
    if (p->nrings) {
        mvt_ring *first = &g_array_index(g->rings, mvt_ring, p->first_ring);
        g_array_set_size(g->xy, 2 * first->first);
        g_array_set_size(g->rings, p->first_ring);
    }
    g_array_set_size(g->parts, g->parts->len - 1);
}

static size_t geomset_vertices(const geomset *g)
{
    return g->xy->len / 2;
}

/* The coordinates of a GEOS sequence appended to buf (pairs); returns n. */
static unsigned seq_pairs(GEOSContextHandle_t h, const GEOSGeometry *g, GArray *buf)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || !n) return 0;
    g_array_set_size(buf, 2 * n);
    if (!GEOSCoordSeq_copyToBuffer_r(h, cs, (double *)(void *)buf->data, 0, 0)) return 0;
    return n;
}

/* Adds the parts of g of one geometry type (GEOM_*) to the current shape
 * of gs, projecting lon/lat through pj when it is not NULL. -1 when a
 * coordinate cannot be projected. */
static int collect_parts(GEOSContextHandle_t h, const GEOSGeometry *g, int want, PJ *pj, geomset *gs, GArray *buf,
                         GArray *excess)
{
    if (GEOSisEmpty_r(h, g) == 1) return 0;
    int type = GEOSGeomTypeId_r(h, g);
    switch (type) {
    case GEOS_POINT:
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: {
        if ((type == GEOS_POINT) != (want == GEOM_POINT) || (type != GEOS_POINT && want != GEOM_LINE)) return 0;
        unsigned n = seq_pairs(h, g, buf);
        if (!n || (want == GEOM_LINE && n < 2)) return 0;
        if (pj && to_world(pj, (double *)(void *)buf->data, n, excess)) return -1;
        part_begin(gs);
        ring_add(gs, (const double *)(const void *)buf->data, n);
        return 0;
    }
    case GEOS_POLYGON: {
        if (want != GEOM_POLYGON) return 0;
        int holes = GEOSGetNumInteriorRings_r(h, g);
        part_begin(gs);
        for (int r = -1; r < holes; r++) {
            const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, r);
            unsigned n = ring ? seq_pairs(h, ring, buf) : 0;
            if (n < 4) {
                if (r < 0) { part_cancel(gs); return 0; }
                continue;
            }
            if (pj && to_world(pj, (double *)(void *)buf->data, n, excess)) { part_cancel(gs); return -1; }
            ring_add(gs, (const double *)(const void *)buf->data, n);
        }
        return 0;
    }
    default: {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            if (collect_parts(h, GEOSGetGeometryN_r(h, g, i), want, pj, gs, buf, excess)) return -1;
        return 0;
    }
    }
}

/* A GEOS geometry of one part, its coordinates mapped by x * scale - ox,
 * y * scale - oy (world units to tile units, or scale 1 to keep them).
 * NULL when GEOS refuses the rings (too few points). */
static GEOSGeometry *part_to_geos(GEOSContextHandle_t h, const geomset *gs, const mvt_part *p, int type, double scale,
                                  double ox, double oy, GArray *buf)
{
    GEOSGeometry **rings = g_new(GEOSGeometry *, p->nrings ? p->nrings : 1);
    unsigned made = 0;
    for (uint32_t r = 0; r < p->nrings; r++) {
        const mvt_ring *ring = &g_array_index(gs->rings, mvt_ring, p->first_ring + r);
        const double *src = &g_array_index(gs->xy, double, 2 * (size_t)ring->first);
        g_array_set_size(buf, 2 * ring->n);
        double *dst = (double *)(void *)buf->data;
        for (uint32_t i = 0; i < ring->n; i++) {
            dst[2 * i] = src[2 * i] * scale - ox;
            dst[2 * i + 1] = src[2 * i + 1] * scale - oy;
        }
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, dst, ring->n, 0, 0);
        GEOSGeometry *g = NULL;
        if (cs) g = type == GEOM_POLYGON ? GEOSGeom_createLinearRing_r(h, cs) : GEOSGeom_createLineString_r(h, cs);
        if (!g) {
            if (r == 0) break;           /* no exterior: nothing */
            continue;                    /* a broken hole: left out */
        }
        rings[made++] = g;
    }
    GEOSGeometry *g = NULL;
    if (made && type == GEOM_LINE) g = rings[0];
    else if (made) {
        g = GEOSGeom_createPolygon_r(h, rings[0], made > 1 ? rings + 1 : NULL, made - 1);
        if (!g)
            for (unsigned i = 0; i < made; i++) GEOSGeom_destroy_r(h, rings[i]);
    }
    g_free(rings);
    return g;
}

/* ------------------------------------------------------ shapes: build --- */

typedef struct shapes_builder {
    geomset *full;
    GArray *type;                 /* unsigned char */
    GArray *owner;                /* uint32_t */
} shapes_builder;

static void shapes_builder_init(shapes_builder *b)
{
    b->full = geomset_new();
    b->type = g_array_new(FALSE, FALSE, 1);
    b->owner = g_array_new(FALSE, FALSE, sizeof(uint32_t));
}

/* Adds g (lon/lat) as up to three shapes of owner: its points, its lines,
 * its polygons (a GeometryCollection may hold all three). */
static int shapes_add(shapes_builder *b, GEOSContextHandle_t h, const GEOSGeometry *g, uint32_t owner, PJ *pj,
                      GArray *buf, GArray *excess)
{
    static const int types[] = { GEOM_POINT, GEOM_LINE, GEOM_POLYGON };
    for (int t = 0; t < 3; t++) {
        uint32_t before = b->full->parts->len;
        shape_begin(b->full);
        if (collect_parts(h, g, types[t], pj, b->full, buf, excess)) {
            g_array_set_size(b->full->shape_first, b->full->shape_first->len - 1);
            return -1;
        }
        if (b->full->parts->len == before) {
            g_array_set_size(b->full->shape_first, b->full->shape_first->len - 1);
            continue;
        }
        unsigned char type = (unsigned char)types[t];
        g_array_append_val(b->type, type);
        g_array_append_val(b->owner, owner);
    }
    return 0;
}

static void shapes_builder_clear(shapes_builder *b)
{
    geomset_free(b->full);
    g_array_free(b->type, TRUE);
    g_array_free(b->owner, TRUE);
}

static inline int grid_cell(double w)
{
    int c = (int)(w * (double)(1 << GRID_BITS) / WORLD);
    return c < 0 ? 0 : c >= (1 << GRID_BITS) ? (1 << GRID_BITS) - 1 : c;
}

/* A copy of src with lines and polygons simplified to tol (world units). */
static geomset *simplify_set(GEOSContextHandle_t h, const geomset *src, const unsigned char *types, size_t nshapes,
                             double tol, GArray *buf)
{
    geomset *out = geomset_new();
    for (size_t s = 0; s < nshapes; s++) {
        shape_begin(out);
        uint32_t p0 = g_array_index(src->shape_first, uint32_t, s), p1 = g_array_index(src->shape_first, uint32_t, s + 1);
        for (uint32_t pi = p0; pi < p1; pi++) {
            const mvt_part *p = &g_array_index(src->parts, mvt_part, pi);
            if (types[s] == GEOM_POINT) {
                const mvt_ring *r = &g_array_index(src->rings, mvt_ring, p->first_ring);
                part_begin(out);
                ring_add(out, &g_array_index(src->xy, double, 2 * (size_t)r->first), r->n);
                continue;
            }
            /* Smaller than one tile unit both ways: it would round to a dot. */
            if (p->box[2] - p->box[0] < tol / MVT_SIMPLIFY_UNITS && p->box[3] - p->box[1] < tol / MVT_SIMPLIFY_UNITS)
                continue;
            GEOSGeometry *g = part_to_geos(h, src, p, types[s], 1, 0, 0, buf);
            if (!g) continue;
            GEOSGeometry *simple = types[s] == GEOM_POLYGON ? GEOSTopologyPreserveSimplify_r(h, g, tol)
                                                            : GEOSSimplify_r(h, g, tol);
            if (simple) collect_parts(h, simple, types[s], NULL, out, buf, NULL);
            else collect_parts(h, g, types[s], NULL, out, buf, NULL);   /* GEOS refused: keep it as is */
            if (simple) GEOSGeom_destroy_r(h, simple);
            GEOSGeom_destroy_r(h, g);
        }
    }
    uint32_t end = out->parts->len;
    g_array_append_val(out->shape_first, end);
    return out;
}

/* Turns the builder into a scene's shapes: bounding boxes, the grid, and
 * a simplified set per zoom (from the finest zoom down, each simplified from
 * the previous; a zoom whose simplification keeps nearly every vertex
 * shares the previous set). */
static void shapes_finish(shapes_builder *b, mvt_shapes *sh, shapes_kind kind, int minzoom, int maxzoom,
                          GEOSContextHandle_t h, GArray *buf)
{
    geomset *full = b->full;
    uint32_t end = full->parts->len;
    g_array_append_val(full->shape_first, end);
    sh->kind = kind;
    sh->n = b->type->len;
    sh->type = (unsigned char *)g_array_free(b->type, FALSE);
    sh->owner = (uint32_t *)(void *)g_array_free(b->owner, FALSE);
    sh->box = g_malloc(sizeof *sh->box * (sh->n ? sh->n : 1));
    for (size_t s = 0; s < sh->n; s++) {
        double *box = sh->box[s];
        box[0] = box[1] = HUGE_VAL;
        box[2] = box[3] = -HUGE_VAL;
        uint32_t p0 = g_array_index(full->shape_first, uint32_t, s), p1 = g_array_index(full->shape_first, uint32_t, s + 1);
        for (uint32_t pi = p0; pi < p1; pi++) {
            const mvt_part *p = &g_array_index(full->parts, mvt_part, pi);
            box[0] = fmin(box[0], p->box[0]);
            box[1] = fmin(box[1], p->box[1]);
            box[2] = fmax(box[2], p->box[2]);
            box[3] = fmax(box[3], p->box[3]);
        }
    }
    /* The grid, in compressed rows: count, prefix sums, fill. */
    const int side = 1 << GRID_BITS;
    sh->cell_start = g_new0(uint32_t, (size_t)side * side + 1);
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = pass ? g_memdup2(sh->cell_start, sizeof(uint32_t) * ((size_t)side * side + 1)) : NULL;
        for (size_t s = 0; s < sh->n; s++) {
            int cx0 = grid_cell(sh->box[s][0]), cy0 = grid_cell(sh->box[s][1]);
            int cx1 = grid_cell(sh->box[s][2]), cy1 = grid_cell(sh->box[s][3]);
            for (int cy = cy0; cy <= cy1; cy++)
                for (int cx = cx0; cx <= cx1; cx++) {
                    size_t c = (size_t)cy * side + cx;
                    if (pass) sh->cell_items[fill[c]++] = (uint32_t)s;
                    else sh->cell_start[c + 1]++;
                }
        }
        if (!pass) {
            for (size_t c = 0; c < (size_t)side * side; c++) sh->cell_start[c + 1] += sh->cell_start[c];
            sh->cell_items = g_new(uint32_t, sh->cell_start[(size_t)side * side] + 1);
        }
        g_free(fill);
    }
    /* The generalisations. */
    sh->sets = g_ptr_array_new_with_free_func(geomset_free);
    g_ptr_array_add(sh->sets, full);
    sh->zoom = g_new0(geomset *, (size_t)(maxzoom - minzoom + 1));
    geomset *prev = full;
    for (int z = maxzoom; z >= minzoom; z--) {
        double tol = MVT_SIMPLIFY_UNITS / ldexp(1.0, z);
        geomset *cand = sh->n ? simplify_set(h, prev, sh->type, sh->n, tol, buf) : NULL;
        /* Under 3 % fewer vertices: not worth a copy (the data's own
         * resolution is reached at the high zooms). */
        if (!cand || geomset_vertices(cand) * 100 >= geomset_vertices(prev) * 97) {
            geomset_free(cand);
            sh->zoom[z - minzoom] = prev;
        } else {
            g_ptr_array_add(sh->sets, cand);
            sh->zoom[z - minzoom] = prev = cand;
        }
    }
}

static void shapes_clear(mvt_shapes *sh)
{
    g_free(sh->type);
    g_free(sh->owner);
    g_free(sh->box);
    g_free(sh->cell_start);
    g_free(sh->cell_items);
    g_free(sh->zoom);
    if (sh->sets) g_ptr_array_free(sh->sets, TRUE);
    memset(sh, 0, sizeof *sh);
}

/* ---------------------------------------------------- scene: projects --- */

/* Fields of `projects` a style may colour points by (as render allows). */
static const char *const point_fields[] = { "category", "company", "status", "dataset", "country_code",
                                            "geocode_precision", NULL };

/* The project's value of the style's point field (what its colour is by). */
static const char *point_field_value(const fp_mvt_scene *s, const mvt_project *p)
{
    if (s->point_field_extra) return p->field_value;
    if (!strcmp(s->point_field, "company")) return p->company;
    if (!strcmp(s->point_field, "status")) return p->status;
    if (!strcmp(s->point_field, "country_code")) return p->country_code;
    return p->category;
}

static fp_status load_projects(fp_mvt_scene *s, fp_store *store, PJ *pj, GEOSContextHandle_t h,
                               shapes_builder *shapes, GArray *buf, fp_error *err)
{
    /* Columns: 0 id, 1 geometry, then these (the point field when it is
     * not one of them). */
    const char *fields[8] = { "name", "company", "category", "source", "country_code", "status", "year",
                              s->point_field };
    fp_project_filter f = { .with_geometry = 1, .order_by_id = 1, .dataset = s->dataset };
    fp_rows *q;
    fp_status st = fp_store_projects(store, &f, fields, s->point_field_extra ? 8 : 7, &q, err);
    if (st) return st;
    GArray *projects = g_array_new(FALSE, TRUE, sizeof(mvt_project));
    GArray *lonlat = g_array_new(FALSE, FALSE, sizeof(double));   /* of the point projects */
    GArray *point_owner = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GHashTable *cats = g_hash_table_new(g_direct_hash, g_direct_equal);
    GHashTable *fvals = g_hash_table_new(g_direct_hash, g_direct_equal);
    int year_lo = 0, year_hi = 0;
    size_t year_seen = 0;
    while (fp_rows_next(q)) {
        if (fp_context_cancelled(s->ctx)) { st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted"); break; }
        mvt_project p = { 0 };
        p.id = fp_rows_int64(q, 0);
        p.name = intern(s, fp_rows_text(q, 2));
        p.company = intern(s, fp_rows_text(q, 3));
        p.category = intern(s, fp_rows_text(q, 4));
        p.source = intern(s, fp_rows_text(q, 5));
        p.country_code = intern(s, fp_rows_text(q, 6));
        p.status = intern(s, fp_rows_text(q, 7));
        p.has_year = !fp_rows_is_null(q, 8);
        p.year = fp_rows_int(q, 8);
        p.field_value = s->point_field_extra ? intern(s, fp_rows_text(q, 9)) : NULL;
        if (p.category) g_hash_table_add(cats, (gpointer)p.category);
        const char *fv = point_field_value(s, &p);
        if (fv) g_hash_table_add(fvals, (gpointer)fv);
        uint32_t index = projects->len;
        fp_geom geom;
        if (fp_rows_geom(q, 1, 0, &geom) <= 0) continue;
        if (!fv) s->has_no_value = 1;
        GEOSGeometry *g = geom.is_point ? NULL : fpi_wkb_to_geos(h, geom.wkb, geom.wkb_len);
        if (fv && (geom.is_point || g)) {
            int dim = g ? GEOSGeom_getDimensions_r(h, g) : 0;
            unsigned kinds = GPOINTER_TO_UINT(g_hash_table_lookup(s->value_kinds, fv));
            g_hash_table_insert(s->value_kinds, (gpointer)fv, GUINT_TO_POINTER(kinds | (dim == 1 ? 2u : dim == 2 ? 4u : 1u)));
        }
        if (geom.is_point) {
            /* A point as plain x, y: the fast path of a million-point store. */
            g_array_append_val(lonlat, geom.x);
            g_array_append_val(lonlat, geom.y);
            g_array_append_val(point_owner, index);
        } else if (g) {
            int bad = shapes_add(shapes, h, g, index, pj, buf, NULL);
            GEOSGeom_destroy_r(h, g);
            if (bad) {
                st = fp_error_set(err, FP_ERR_INPUT, "project %lld: a coordinate cannot be projected to Web Mercator",
                                  (long long)p.id);
                break;
            }
        } else {
            continue;   /* not a geometry GEOS reads: nothing to draw */
        }
        if (!p.has_year) s->nundated++;
        else if (!year_seen++) year_lo = year_hi = p.year;
        else {
            if (p.year < year_lo) year_lo = p.year;
            if (p.year > year_hi) year_hi = p.year;
        }
        g_array_append_val(projects, p);
    }
    if (!st) st = fp_rows_status(q, err);
    fp_rows_free(q);
    /* The timeline's years and their property names. */
    if (year_seen) {
        if (year_hi - year_lo + 1 > MVT_MAX_YEARS) year_lo = year_hi - MVT_MAX_YEARS + 1;
        s->year_first = year_lo;
        s->nyears = year_hi - year_lo + 1;
        s->year_keys = g_new(const char *, s->nyears);
        for (int k = 0; k < s->nyears; k++) {
            char key[16];
            snprintf(key, sizeof key, "y%d", year_lo + k);
            s->year_keys[k] = intern(s, key);
        }
    }
    /* The sorted lists of distinct categories and field values, and each
     * project's index into them (for the clusters' counts). */
    GList *keys = g_hash_table_get_keys(cats);
    s->ncategories = g_list_length(keys);
    s->categories = g_new(const char *, s->ncategories + 1);
    size_t i = 0;
    for (GList *k = keys; k; k = k->next) s->categories[i++] = k->data;
    g_list_free(keys);
    qsort(s->categories, s->ncategories, sizeof *s->categories, compare_strings);
    keys = g_hash_table_get_keys(fvals);
    s->nfield_values = g_list_length(keys);
    s->field_values = g_new(const char *, s->nfield_values + 1);
    i = 0;
    for (GList *k = keys; k; k = k->next) s->field_values[i++] = k->data;
    g_list_free(keys);
    qsort(s->field_values, s->nfield_values, sizeof *s->field_values, compare_strings);
    g_hash_table_destroy(cats);
    g_hash_table_destroy(fvals);
    s->nprojects = projects->len;
    s->projects = (mvt_project *)(void *)g_array_free(projects, FALSE);
    for (size_t k = 0; k < s->nprojects; k++) {
        mvt_project *p = &s->projects[k];
        p->category_index = string_index(s->categories, s->ncategories, p->category);
        p->field_index = string_index(s->field_values, s->nfield_values, point_field_value(s, p));
    }
    /* Points: projected in one call, then sorted in Morton order. */
    size_t n = point_owner->len;
    if (!st && to_world(pj, (double *)(void *)lonlat->data, n, NULL))
        st = fp_error_set(err, FP_ERR_INPUT, "a project point cannot be projected to Web Mercator");
    if (!st) {
        s->npoint_projects = n;
        s->singles = g_new(mvt_point, n ? n : 1);
        const double *w = (const double *)(const void *)lonlat->data;
        for (size_t k = 0; k < n; k++) {
            s->singles[k].fx = to_fixed(w[2 * k]);
            s->singles[k].fy = to_fixed(w[2 * k + 1]);
            s->singles[k].count = 1;
            s->singles[k].ref = g_array_index(point_owner, uint32_t, k);
        }
        qsort(s->singles, n, sizeof *s->singles, compare_points);
    }
    g_array_free(lonlat, TRUE);
    g_array_free(point_owner, TRUE);
    return st;
}

/* Most frequent of the members' indexes (ties: the lower index, i.e. the
 * first by name); counts[] is all zero on entry and on return. With
 * summary, a JSON object {"name":count,...} by count, then name: a name may
 * hold ',' or ':' (a plain "a,b:1" list could not be read back). */
static int dominant(const mvt_point *members, size_t n, const mvt_project *projects, int use_category,
                    const char *const *names, unsigned *counts, GArray *touched, GString *summary)
{
    g_array_set_size(touched, 0);
    for (size_t i = 0; i < n; i++) {
        const mvt_project *p = &projects[members[i].ref];
        int k = use_category ? p->category_index : p->field_index;
        if (k < 0) continue;
        if (!counts[k]++) g_array_append_val(touched, k);
    }
    int best = -1;
    for (guint i = 0; i < touched->len; i++) {
        int k = g_array_index(touched, int, i);
        if (best < 0 || counts[k] > counts[best] || (counts[k] == counts[best] && k < best)) best = k;
    }
    if (summary) {
        g_string_truncate(summary, 0);
        json_t *o = json_object();
        /* Selection by count, then index: a cluster has few categories. */
        for (guint done = 0; done < touched->len; done++) {
            int pick = -1;
            for (guint i = 0; i < touched->len; i++) {
                int k = g_array_index(touched, int, i);
                if (!counts[k]) continue;   /* already written (count zeroed) */
                if (pick < 0 || counts[k] > counts[pick] || (counts[k] == counts[pick] && k < pick)) pick = k;
            }
            json_object_set_new(o, names[pick], json_integer(counts[pick]));
            counts[pick] = 0;
        }
        char *text = json_object_size(o) ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text) g_string_assign(summary, text);
        free(text);
        json_decref(o);
    }
    for (guint i = 0; i < touched->len; i++) counts[g_array_index(touched, int, i)] = 0;
    return best;
}

/* The point features of every zoom: runs of equal cells in the Morton
 * order are merged (cells of 2^-(z+3) of the world below maxzoom, tile
 * pixels of 2^-(z+12) at maxzoom). */
static void build_zoom_points(fp_mvt_scene *s)
{
    size_t n = s->npoint_projects, nz = (size_t)(s->maxzoom - s->minzoom + 1);
    s->zooms = g_new0(mvt_zoom_points, nz);
    unsigned *cat_counts = g_new0(unsigned, s->ncategories + 1);
    unsigned *field_counts = g_new0(unsigned, s->nfield_values + 1);
    GArray *touched = g_array_new(FALSE, FALSE, sizeof(int));
    GString *summary = g_string_new(NULL);
    int field_is_category = !strcmp(s->point_field, "category");
    for (int z = s->minzoom; z <= s->maxzoom; z++) {
        mvt_zoom_points *zp = &s->zooms[z - s->minzoom];
        int level = z + (z < s->maxzoom ? MVT_CLUSTER_BITS : MVT_EXTENT_BITS);
        int shift = FIX_BITS - level;
        GArray *pts = g_array_new(FALSE, FALSE, sizeof(mvt_point));
        GArray *clusters = g_array_new(FALSE, FALSE, sizeof(mvt_cluster));
        for (size_t i = 0; i < n;) {
            uint64_t cx = s->singles[i].fx >> shift, cy = s->singles[i].fy >> shift;
            size_t j = i + 1;
            while (j < n && s->singles[j].fx >> shift == cx && s->singles[j].fy >> shift == cy) j++;
            if (j - i == 1) {
                g_array_append_val(pts, s->singles[i]);
                i = j;
                continue;
            }
            /* A cluster at the mean of its members, kept inside its cell
             * (rounding must not move it to a neighbour tile). */
            double mx = 0, my = 0;
            for (size_t k = i; k < j; k++) {
                mx += (double)s->singles[k].fx;
                my += (double)s->singles[k].fy;
            }
            uint64_t lo_x = cx << shift, lo_y = cy << shift, hi = (UINT64_C(1) << shift) - 1;
            double fx = floor(mx / (double)(j - i)), fy = floor(my / (double)(j - i));
            mvt_point c = { (uint64_t)fx, (uint64_t)fy, (uint32_t)(j - i), clusters->len };
            if (c.fx < lo_x) c.fx = lo_x;
            if (c.fx > lo_x + hi) c.fx = lo_x + hi;
            if (c.fy < lo_y) c.fy = lo_y;
            if (c.fy > lo_y + hi) c.fy = lo_y + hi;
            mvt_cluster cl = { (uint32_t)i, NULL, NULL, NULL };
            int k = dominant(s->singles + i, j - i, s->projects, 1, s->categories, cat_counts, touched, summary);
            if (k >= 0) {
                cl.category = s->categories[k];
                cl.categories = intern(s, summary->str);
            }
            if (!field_is_category) {
                k = dominant(s->singles + i, j - i, s->projects, 0, s->field_values, field_counts, touched, NULL);
                if (k >= 0) cl.field_value = s->field_values[k];
            }
            g_array_append_val(clusters, cl);
            g_array_append_val(pts, c);
            i = j;
        }
        if (clusters->len == 0) {   /* nothing merged: the singles serve */
            g_array_free(pts, TRUE);
            zp->points = s->singles;
            zp->n = n;
            zp->shared = 1;
        } else {
            zp->n = pts->len;
            zp->points = (mvt_point *)(void *)g_array_free(pts, FALSE);
        }
        zp->nclusters = clusters->len;
        zp->clusters = (mvt_cluster *)(void *)g_array_free(clusters, FALSE);
    }
    g_free(cat_counts);
    g_free(field_counts);
    g_array_free(touched, TRUE);
    g_string_free(summary, TRUE);
}

/* ----------------------------------------------------- scene: regions --- */

/* Regions being read into the scene. */
typedef struct regions_load {
    fp_mvt_scene *s;
    PJ *pj;
    GEOSContextHandle_t h;
    GEOSWKBReader *rd;
    shapes_builder *shapes;
    GArray *buf, *regions;
    fp_status st;
    fp_error *err;
} regions_load;

/* A region cut at the antimeridian (Russia, Fiji, Antarctica) has an edge
 * along +-180, and a line layer on its polygons (the style's borders)
 * stroked it: a white line through Chukotka at every zoom. The region is
 * continued across: what lies within MVT_WRAP_DEG of the other side is
 * added beyond +-180 (its copy moved by -+360) and merged, so the edge
 * falls in the tile buffer of the world's edge tiles, which no renderer
 * draws. NULL when g does not reach +-180 or is not polygonal. */
#define MVT_WRAP_DEG (360.0 / 64)   /* the buffer of a zoom-0 tile: 64 of 4096 units */
static GEOSGeometry *extend_across_antimeridian(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    double xmin, xmax;
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || !GEOSGeom_getXMin_r(h, g, &xmin) ||
        !GEOSGeom_getXMax_r(h, g, &xmax) || (xmin > -180 && xmax < 180))
        return NULL;
    GEOSGeometry *east = GEOSClipByRect_r(h, g, 180 - MVT_WRAP_DEG, -90, 180, 90);
    GEOSGeometry *west = GEOSClipByRect_r(h, g, -180, -90, -180 + MVT_WRAP_DEG, 90);
    GEOSGeometry *parts[3] = { GEOSGeom_clone_r(h, g), east ? fpi_geos_shifted_x(h, east, -360) : NULL,
                               west ? fpi_geos_shifted_x(h, west, 360) : NULL };
    if (east) GEOSGeom_destroy_r(h, east);
    if (west) GEOSGeom_destroy_r(h, west);
    int n = 0;
    for (int i = 0; i < 3; i++)
        if (parts[i]) parts[n++] = parts[i];
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    if (!all) {
        for (int i = 0; i < n; i++) GEOSGeom_destroy_r(h, parts[i]);
        return NULL;
    }
    GEOSGeometry *merged = GEOSUnaryUnion_r(h, all);
    GEOSGeom_destroy_r(h, all);
    return merged;   /* NULL (GEOS refused): the region as it is */
}

/* Adds a region's shape; 1 (and rl->st set) when it cannot be projected. */
static int add_region(regions_load *rl, mvt_region *r, const unsigned char *wkb, size_t len)
{
    if (fp_context_cancelled(rl->s->ctx)) {
        rl->st = fp_error_set(rl->err, FP_ERR_INTERRUPTED, "interrupted");
        return 1;
    }
    GEOSGeometry *g = wkb ? GEOSWKBReader_read_r(rl->h, rl->rd, wkb, len) : NULL;
    if (!g) return 0;
    GEOSGeometry *wrapped = extend_across_antimeridian(rl->h, g);
    GArray *excess = wrapped ? g_array_new(FALSE, FALSE, sizeof(double)) : NULL;
    int bad = shapes_add(rl->shapes, rl->h, wrapped ? wrapped : g, rl->regions->len, rl->pj, rl->buf, excess);
    if (excess) g_array_free(excess, TRUE);
    if (wrapped) GEOSGeom_destroy_r(rl->h, wrapped);
    GEOSGeom_destroy_r(rl->h, g);
    if (bad) {
        rl->st = fp_error_set(rl->err, FP_ERR_INPUT, "region %s: a coordinate cannot be projected to Web Mercator",
                              r->code ? r->code : "?");
        return 1;
    }
    g_array_append_val(rl->regions, *r);
    return 0;
}

/* A region of the choropleth with its value, class and fill. */
static int add_choropleth_region(void *user, const fp_choropleth_region *c)
{
    regions_load *rl = user;
    char hex[10];
    fp_rgba_to_hex(c->fill, hex);
    mvt_region r = { .id = c->id, .code = intern(rl->s, c->code), .name = intern(rl->s, c->name),
                     .value = c->value, .value_is_int = c->value_is_int, .class_index = c->class_index,
                     .fill = intern(rl->s, hex) };
    return add_region(rl, &r, c->wkb, c->wkb_len);
}

/* The countries as plain land, in the style's land colour. */
static fp_status add_land(regions_load *rl, fp_store *store, const fp_style *style)
{
    char land[10];
    fp_rgba_to_hex(fp_style_map(style)->land.fill, land);
    fp_rows *q;
    fp_status st = fp_store_region_shapes(store, "country", &q, rl->err);
    if (st) return st;
    while (fp_rows_next(q)) {
        mvt_region r = { .id = fp_rows_int64(q, 0), .code = intern(rl->s, fp_rows_text(q, 1)),
                         .name = intern(rl->s, fp_rows_text(q, 2)), .value = NAN, .class_index = -1,
                         .fill = intern(rl->s, land) };
        fp_geom geom;
        if (fp_rows_geom(q, 3, 1, &geom) <= 0) continue;
        if (add_region(rl, &r, geom.wkb, geom.wkb_len)) break;
    }
    if (!rl->st) rl->st = fp_rows_status(q, rl->err);
    fp_rows_free(q);
    return rl->st;
}

/* The choropleth's regions (classified by the caller's fp_choropleth, as
 * render and the raster tiles draw them), or without one the countries
 * as plain land. */
static fp_status load_regions(fp_mvt_scene *s, fp_store *store, const fp_style *style, const fp_choropleth *ch, PJ *pj,
                              GEOSContextHandle_t h, shapes_builder *shapes, GArray *buf, fp_error *err)
{
    s->choropleth = ch != NULL;
    if (ch) snprintf(s->value_field, sizeof s->value_field, "%s", fp_choropleth_field(ch));
    regions_load rl = { .s = s, .pj = pj, .h = h, .rd = GEOSWKBReader_create_r(h), .shapes = shapes, .buf = buf,
                        .regions = g_array_new(FALSE, TRUE, sizeof(mvt_region)), .err = err };
    fp_status st;
    if (ch) {
        st = fp_choropleth_each(ch, 0, add_choropleth_region, &rl, err);
        if (!st) st = rl.st;
    } else {
        st = add_land(&rl, store, style);
    }
    GEOSWKBReader_destroy_r(h, rl.rd);
    s->nregions = rl.regions->len;
    s->regions = (mvt_region *)(void *)g_array_free(rl.regions, FALSE);
    s->has_regions = 1;
    return st;
}

/* The regions' cumulative projects per year, for the timeline: only when
 * the choropleth counts projects (field `projects`) at the level its
 * aggregation assigns projects to, so a year's count is the same quantity
 * as the legend's classes; otherwise the regions carry no yYYYY and the
 * page keeps their fill. */
static fp_status load_region_years(fp_mvt_scene *s, fp_store *store, const fp_choropleth *ch, fp_error *err)
{
    if (!ch || !s->nyears || strcmp(fp_choropleth_field(ch), "projects")) return FP_OK;
    char *main_level = NULL;
    fp_status st = fp_store_aggregation_level(store, fp_choropleth_aggregation(ch), &main_level, err);
    int same = !st && main_level && !strcmp(main_level, fp_choropleth_level(ch));
    free(main_level);
    if (st || !same) return st;
    fp_rows *q;
    if ((st = fp_store_timeline_counts(store, fp_choropleth_aggregation(ch), &q, err))) return st;
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);   /* code -> region index + 1 */
    for (size_t i = 0; i < s->nregions; i++)
        if (s->regions[i].code) g_hash_table_insert(index, (gpointer)s->regions[i].code, GSIZE_TO_POINTER(i + 1));
    uint32_t *years = g_new0(uint32_t, s->nregions * (size_t)s->nyears);
    while (fp_rows_next(q)) {
        const char *code = fp_rows_text(q, 0);
        size_t r = code ? GPOINTER_TO_SIZE(g_hash_table_lookup(index, code)) : 0;
        if (!r) continue;   /* a region without a geometry (not in the tiles) */
        int k = fp_rows_int(q, 1) - s->year_first;
        if (k >= s->nyears) continue;   /* assigned, but no longer among the projects */
        if (k < 0) k = 0;               /* before the first year kept: counted in it */
        years[(r - 1) * (size_t)s->nyears + (size_t)k] += (uint32_t)fp_rows_int64(q, 2);
    }
    st = fp_rows_status(q, err);
    fp_rows_free(q);
    g_hash_table_destroy(index);
    if (st) {
        g_free(years);
        return st;
    }
    /* Per year -> up to each year. */
    for (size_t r = 0; r < s->nregions; r++)
        for (int k = 1; k < s->nyears; k++)
            years[r * (size_t)s->nyears + (size_t)k] += years[r * (size_t)s->nyears + (size_t)k - 1];
    s->region_years = years;
    s->region_timeline = 1;
    return FP_OK;
}

/* -------------------------------------------------------- scene: life --- */

fp_status fpi_mvt_scene_new(fp_store *store, const fp_style *style, const fp_choropleth *choropleth, int minzoom,
                           int maxzoom, const char *dataset, fp_mvt_scene **out, fp_error *err)
{
    *out = NULL;
    if (minzoom < 0 || maxzoom > MVT_MAX_ZOOM || minzoom > maxzoom)
        return fp_error_set(err, FP_ERR_USAGE, "zoom %d-%d: expected 0 <= MIN <= MAX <= %d", minzoom, maxzoom,
                            MVT_MAX_ZOOM);
    const char *field = fp_style_category_field(style);
    int known = 0;
    for (int i = 0; point_fields[i]; i++) known |= !strcmp(point_fields[i], field);
    if (!known)
        return fp_error_set(err, FP_ERR_USAGE, "points.field %s: expected one of category, company, status, dataset, "
                            "country_code, geocode_precision", field);
    fp_mvt_scene *s = g_new0(fp_mvt_scene, 1);
    s->ctx = fp_store_context(store);
    s->dataset = dataset;
    s->minzoom = minzoom;
    s->maxzoom = maxzoom;
    s->strings = g_string_chunk_new(1 << 16);
    s->value_kinds = g_hash_table_new(g_direct_hash, g_direct_equal);
    snprintf(s->point_field, sizeof s->point_field, "%s", field);
    s->point_field_extra = !strcmp(field, "dataset") || !strcmp(field, "geocode_precision");
    fp_status st = FP_OK;
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4326", "EPSG:3857", NULL);
    PJ *pj = raw ? proj_normalize_for_visualization(ctx, raw) : NULL;   /* lon, lat order */
    if (raw) proj_destroy(raw);
    GEOSContextHandle_t h = GEOS_init_r();
    GArray *buf = g_array_new(FALSE, FALSE, sizeof(double));
    shapes_builder projects, regions;
    shapes_builder_init(&projects);
    shapes_builder_init(&regions);
    if (!pj) {
        st = fp_error_set(err, FP_ERR_STATE, "PROJ cannot transform EPSG:4326 to EPSG:3857 (%s); is proj-data installed?",
                          proj_context_errno_string(ctx, proj_context_errno(ctx)));
    }
    if (!st) st = load_projects(s, store, pj, h, &projects, buf, err);
    if (!st) st = load_regions(s, store, style, choropleth, pj, h, &regions, buf, err);
    if (!st) st = load_region_years(s, store, choropleth, err);
    if (!st) build_zoom_points(s);
    /* The builders become the scene's shapes. */
    if (!st) {
        shapes_finish(&projects, &s->project_shapes, SHAPES_PROJECTS, minzoom, maxzoom, h, buf);
        shapes_finish(&regions, &s->region_shapes, SHAPES_REGIONS, minzoom, maxzoom, h, buf);
    } else {
        shapes_builder_clear(&projects);
        shapes_builder_clear(&regions);
    }
    g_array_free(buf, TRUE);
    GEOS_finish_r(h);
    if (pj) proj_destroy(pj);
    proj_context_destroy(ctx);
    if (st) {
        fpi_mvt_scene_free(s);
        return st;
    }
    *out = s;
    return FP_OK;
}

void fpi_mvt_scene_free(fp_mvt_scene *s)
{
    if (!s) return;
    if (s->zooms)
        for (int z = s->minzoom; z <= s->maxzoom; z++) {
            mvt_zoom_points *zp = &s->zooms[z - s->minzoom];
            if (!zp->shared) g_free(zp->points);
            g_free(zp->clusters);
        }
    g_free(s->zooms);
    g_free(s->singles);
    g_free(s->projects);
    g_free(s->categories);
    g_free(s->field_values);
    if (s->value_kinds) g_hash_table_destroy(s->value_kinds);
    g_free(s->regions);
    g_free(s->year_keys);
    g_free(s->region_years);
    shapes_clear(&s->project_shapes);
    shapes_clear(&s->region_shapes);
    if (s->strings) g_string_chunk_free(s->strings);
    g_free(s);
}

int fpi_mvt_scene_minzoom(const fp_mvt_scene *s) { return s->minzoom; }
int fpi_mvt_scene_maxzoom(const fp_mvt_scene *s) { return s->maxzoom; }
int fpi_mvt_scene_has_regions(const fp_mvt_scene *s) { return s->has_regions; }
const char *fpi_mvt_scene_value_field(const fp_mvt_scene *s) { return s->choropleth ? s->value_field : NULL; }
const char *fpi_mvt_scene_point_field(const fp_mvt_scene *s) { return s->point_field; }
size_t fpi_mvt_scene_point_projects(const fp_mvt_scene *s) { return s->npoint_projects; }

int fpi_mvt_scene_years(const fp_mvt_scene *s, int *first)
{
    *first = s->year_first;
    return s->nyears;
}
int fpi_mvt_scene_region_timeline(const fp_mvt_scene *s) { return s->region_timeline; }
size_t fpi_mvt_scene_undated(const fp_mvt_scene *s) { return s->nundated; }

int fpi_mvt_scene_has_no_value(const fp_mvt_scene *s) { return s->has_no_value; }

int fpi_mvt_scene_value_line_only(const fp_mvt_scene *s, const char *value)
{
    /* value is one of fpi_mvt_scene_point_values' interned strings, the key. */
    return GPOINTER_TO_UINT(g_hash_table_lookup(s->value_kinds, value)) == 2u;
}

size_t fpi_mvt_scene_point_values(const fp_mvt_scene *s, const char *const **values)
{
    *values = s->field_values;
    return s->nfield_values;
}

/* --------------------------------------------------- tile: the layers --- */

/* A value of a layer's table; strings are the scene's interned pointers,
 * so the pointer identifies the text. */
typedef enum { VAL_STRING, VAL_UINT, VAL_SINT, VAL_DOUBLE } value_type;
typedef struct tile_value { value_type type; uint64_t bits; const char *text; } tile_value;

typedef struct tile_feature {
    int has_id;
    uint64_t id;
    int type;
    size_t tag_first, ntags, geom_first, ngeom;
} tile_feature;

#define MAX_KEYS (16 + MVT_MAX_YEARS)

/* One layer being written: features with their tags and commands in shared
 * arrays, the key and value tables. */
typedef struct layer_builder {
    const char *name;
    GArray *features;             /* tile_feature */
    GArray *tags;                 /* uint32_t */
    GArray *geom;                 /* uint32_t */
    const char *keys[MAX_KEYS];
    int nkeys;
    GArray *values;               /* tile_value */
    uint32_t *slots;              /* open addressing: value index + 1, 0 empty */
    size_t nslots;
    tile_feature cur;
} layer_builder;

static void lb_init(layer_builder *lb, const char *name)
{
    memset(lb, 0, sizeof *lb);
    lb->name = name;
    lb->features = g_array_new(FALSE, FALSE, sizeof(tile_feature));
    lb->tags = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    lb->geom = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    lb->values = g_array_new(FALSE, FALSE, sizeof(tile_value));
    lb->nslots = 64;
    lb->slots = g_new0(uint32_t, lb->nslots);
}

static void lb_clear(layer_builder *lb)
{
    g_array_free(lb->features, TRUE);
    g_array_free(lb->tags, TRUE);
    g_array_free(lb->geom, TRUE);
    g_array_free(lb->values, TRUE);
    g_free(lb->slots);
}

static uint32_t lb_key(layer_builder *lb, const char *key)
{
    for (int i = 0; i < lb->nkeys; i++)
        if (lb->keys[i] == key || !strcmp(lb->keys[i], key)) return (uint32_t)i;
    /* At most 12 distinct keys (projects; regions 5), plus the timeline's
     * yYYYY (at most MVT_MAX_YEARS): within MAX_KEYS. */
    lb->keys[lb->nkeys] = key;
    return (uint32_t)lb->nkeys++;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* The index of v in the layer's value table, added when new (spec 4.4:
 * values are shared by the features of the layer). */
static uint32_t lb_value(layer_builder *lb, tile_value v)
{
    if (v.type == VAL_STRING) v.bits = (uint64_t)(uintptr_t)v.text;
    size_t mask = lb->nslots - 1, i = (size_t)mix64(v.bits ^ ((uint64_t)v.type << 62)) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t slot = lb->slots[i];
        if (!slot) break;
        const tile_value *have = &g_array_index(lb->values, tile_value, slot - 1);
        if (have->type == v.type && have->bits == v.bits) return slot - 1;
    }
    uint32_t index = lb->values->len;
    g_array_append_val(lb->values, v);
    lb->slots[i] = index + 1;
    if (lb->values->len * 2 > lb->nslots) {   /* keep the table at most half full */
        size_t n = lb->nslots * 2;
        uint32_t *slots = g_new0(uint32_t, n);
        for (guint k = 0; k < lb->values->len; k++) {
            const tile_value *t = &g_array_index(lb->values, tile_value, k);
            size_t j = (size_t)mix64(t->bits ^ ((uint64_t)t->type << 62)) & (n - 1);
            while (slots[j]) j = (j + 1) & (n - 1);
            slots[j] = k + 1;
        }
        g_free(lb->slots);
        lb->slots = slots;
        lb->nslots = n;
    }
    return index;
}

static void lb_begin(layer_builder *lb, int type, int has_id, uint64_t id)
{
    lb->cur = (tile_feature){ has_id, id, type, lb->tags->len, 0, lb->geom->len, 0 };
}

/* Keeps the feature if it has geometry; returns 1 if kept. */
static int lb_geometry_done(layer_builder *lb)
{
    lb->cur.ngeom = lb->geom->len - lb->cur.geom_first;
    if (!lb->cur.ngeom) return 0;
    return 1;
}

static void lb_end(layer_builder *lb)
{
    lb->cur.ntags = lb->tags->len - lb->cur.tag_first;
    g_array_append_val(lb->features, lb->cur);
}

static void lb_tag(layer_builder *lb, const char *key, tile_value v)
{
    uint32_t pair[2] = { lb_key(lb, key), lb_value(lb, v) };
    g_array_append_vals(lb->tags, pair, 2);
}

static void tag_string(layer_builder *lb, const char *key, const char *text)
{
    if (text) lb_tag(lb, key, (tile_value){ VAL_STRING, 0, text });
}

static void tag_int(layer_builder *lb, const char *key, int64_t v)
{
    if (v >= 0) lb_tag(lb, key, (tile_value){ VAL_UINT, (uint64_t)v, NULL });
    else lb_tag(lb, key, (tile_value){ VAL_SINT, (uint64_t)v, NULL });
}

static void tag_double(layer_builder *lb, const char *key, double v)
{
    tile_value t = { VAL_DOUBLE, 0, NULL };
    memcpy(&t.bits, &v, sizeof v);
    lb_tag(lb, key, t);
}

/* ------------------------------------------------ tile: geometry codes --- */

static inline uint32_t command(uint32_t id, uint32_t count) { return (id & 7) | (count << 3); }
static inline uint32_t zigzag(int32_t v) { return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31); }

enum { CMD_MOVE_TO = 1, CMD_LINE_TO = 2, CMD_CLOSE_PATH = 7 };

/* The commands of one feature: the cursor carries over between its parts. */
typedef struct geom_writer {
    GArray *out;                  /* uint32_t: the layer's geometry array */
    int32_t cx, cy;
    GArray *ints;                 /* scratch: int32 pairs */
} geom_writer;

static void put_point(geom_writer *w, int32_t x, int32_t y)
{
    uint32_t d[2] = { zigzag(x - w->cx), zigzag(y - w->cy) };
    g_array_append_vals(w->out, d, 2);
    w->cx = x;
    w->cy = y;
}

/* Rounds tile-unit coordinates into w->ints, without consecutive
 * duplicates (and without the closing point of a ring); returns the count. */
static size_t round_points(geom_writer *w, const double *xy, size_t n, int ring)
{
    g_array_set_size(w->ints, 2 * n);
    int32_t *p = (int32_t *)(void *)w->ints->data;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t x = (int32_t)lround(xy[2 * i]), y = (int32_t)lround(xy[2 * i + 1]);
        if (m && p[2 * m - 2] == x && p[2 * m - 1] == y) continue;
        p[2 * m] = x;
        p[2 * m + 1] = y;
        m++;
    }
    while (ring && m > 1 && p[0] == p[2 * m - 2] && p[1] == p[2 * m - 1]) m--;
    return m;
}

static void put_line(geom_writer *w, const double *xy, size_t n)
{
    size_t m = round_points(w, xy, n, 0);
    if (m < 2) return;
    const int32_t *p = (const int32_t *)(const void *)w->ints->data;
    uint32_t c = command(CMD_MOVE_TO, 1);
    g_array_append_val(w->out, c);
    put_point(w, p[0], p[1]);
    c = command(CMD_LINE_TO, (uint32_t)(m - 1));
    g_array_append_val(w->out, c);
    for (size_t i = 1; i < m; i++) put_point(w, p[2 * i], p[2 * i + 1]);
}

/* Twice the ring's area by the spec's surveyor's formula, in tile units
 * (y down): positive for an exterior ring (clockwise on screen). */
static int64_t ring_area2(const int32_t *p, size_t m)
{
    int64_t a = 0;
    for (size_t i = 0; i < m; i++) {
        size_t j = i + 1 == m ? 0 : i + 1;
        a += (int64_t)p[2 * i] * p[2 * j + 1] - (int64_t)p[2 * j] * p[2 * i + 1];
    }
    return a;
}

/* One polygon ring; returns 0 when it is degenerate after rounding (left
 * out). Exteriors get positive area, holes negative. */
static int put_ring(geom_writer *w, const double *xy, size_t n, int exterior)
{
    size_t m = round_points(w, xy, n, 1);
    if (m < 3) return 0;
    int32_t *p = (int32_t *)(void *)w->ints->data;
    int64_t a = ring_area2(p, m);
    if (a == 0) return 0;
    if ((a < 0) == (exterior != 0))
        for (size_t i = 0, j = m - 1; i < j; i++, j--) {
            int32_t tx = p[2 * i], ty = p[2 * i + 1];
            p[2 * i] = p[2 * j];
            p[2 * i + 1] = p[2 * j + 1];
            p[2 * j] = tx;
            p[2 * j + 1] = ty;
        }
    uint32_t c = command(CMD_MOVE_TO, 1);
    g_array_append_val(w->out, c);
    put_point(w, p[0], p[1]);
    c = command(CMD_LINE_TO, (uint32_t)(m - 1));
    g_array_append_val(w->out, c);
    for (size_t i = 1; i < m; i++) put_point(w, p[2 * i], p[2 * i + 1]);
    c = command(CMD_CLOSE_PATH, 1);
    g_array_append_val(w->out, c);
    return 1;
}

/* ---------------------------------------------------- tile: encoding --- */

typedef struct tile_job {
    const fp_mvt_scene *scene;
    int z, x, y;
    double scale;                 /* world units -> tile units: 2^z */
    double ox, oy;                /* tile units of the tile's origin at that scale: x * 4096, y * 4096 */
    double clip[4];               /* the buffered tile in world units */
    GEOSContextHandle_t h;        /* made on the first clip */
    GArray *buf;                  /* doubles */
    geom_writer w;
    uint32_t *year_counts;        /* scene->nyears: a cluster's members per year */
} tile_job;

/* Writes a part's rings (world units) in tile units, unclipped. */
static void write_part_plain(tile_job *t, const geomset *gs, const mvt_part *p, int type, int *wrote)
{
    int exterior_kept = 0;
    for (uint32_t r = 0; r < p->nrings; r++) {
        const mvt_ring *ring = &g_array_index(gs->rings, mvt_ring, p->first_ring + r);
        const double *src = &g_array_index(gs->xy, double, 2 * (size_t)ring->first);
        g_array_set_size(t->buf, 2 * ring->n);
        double *dst = (double *)(void *)t->buf->data;
        for (uint32_t i = 0; i < ring->n; i++) {
            dst[2 * i] = src[2 * i] * t->scale - t->ox;
            dst[2 * i + 1] = src[2 * i + 1] * t->scale - t->oy;
        }
        if (type == GEOM_LINE) {
            put_line(&t->w, dst, ring->n);
            *wrote = 1;
        } else if (r == 0) {
            exterior_kept = put_ring(&t->w, dst, ring->n, 1);
            *wrote |= exterior_kept;
        } else if (exterior_kept) {
            put_ring(&t->w, dst, ring->n, 0);
        }
    }
}

/* Writes the polygons or lines of a GEOS geometry in tile units. */
static void write_geos(tile_job *t, const GEOSGeometry *g, int type, int *wrote)
{
    GEOSContextHandle_t h = t->h;
    if (GEOSisEmpty_r(h, g) == 1) return;
    int gt = GEOSGeomTypeId_r(h, g);
    if (gt == GEOS_POLYGON && type == GEOM_POLYGON) {
        int holes = GEOSGetNumInteriorRings_r(h, g);
        unsigned n = seq_pairs(h, GEOSGetExteriorRing_r(h, g), t->buf);
        if (!n || !put_ring(&t->w, (const double *)(const void *)t->buf->data, n, 1)) return;
        *wrote = 1;
        for (int i = 0; i < holes; i++) {
            n = seq_pairs(h, GEOSGetInteriorRingN_r(h, g, i), t->buf);
            if (n) put_ring(&t->w, (const double *)(const void *)t->buf->data, n, 0);
        }
    } else if ((gt == GEOS_LINESTRING || gt == GEOS_LINEARRING) && type == GEOM_LINE) {
        unsigned n = seq_pairs(h, g, t->buf);
        if (n) {
            size_t before = t->w.out->len;
            put_line(&t->w, (const double *)(const void *)t->buf->data, n);
            *wrote |= t->w.out->len > before;
        }
    } else if (gt == GEOS_MULTIPOLYGON || gt == GEOS_MULTILINESTRING || gt == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) write_geos(t, GEOSGetGeometryN_r(h, g, i), type, wrote);
    }
}

/* A part reaching over the buffered tile's edge, cut with GEOS ClipByRect
 * in tile units (a GEOS geometry is built from the part for the call: GEOS
 * objects are not shared between threads).
 *
 * Why GEOS and not a hand-written Sutherland-Hodgman clipper: it is fast
 * enough by far. Figures (2 shared cores, -O2, one thread; bench/gen_points.py
 * 100,000 points + the world's 252 countries, all 5,461 tiles of z0-6):
 * scene 0.49 s, tiles 0.14 s (~38,000 tiles/s, 9.5 MB); with the 4,596
 * admin-1 regions as the choropleth: scene 0.96 s, tiles 0.16 s (~34,000
 * tiles/s). The driver needs several hundred tiles/s. */
static void clip_part(tile_job *t, const geomset *gs, const mvt_part *p, int type, int *wrote)
{
    if (!t->h) t->h = GEOS_init_r();
    GEOSGeometry *g = part_to_geos(t->h, gs, p, type, t->scale, t->ox, t->oy, t->buf);
    if (!g) return;
    const double lo = -MVT_BUFFER, hi = MVT_EXTENT + MVT_BUFFER;
    GEOSGeometry *cut = GEOSClipByRect_r(t->h, g, lo, lo, hi, hi);
    if (!cut && type == GEOM_POLYGON) {
        /* ClipByRect refuses some invalid polygons: repair, then cut. */
        GEOSGeometry *valid = GEOSMakeValid_r(t->h, g);
        if (valid) {
            cut = GEOSClipByRect_r(t->h, valid, lo, lo, hi, hi);
            GEOSGeom_destroy_r(t->h, valid);
        }
    }
    if (cut) {
        write_geos(t, cut, type, wrote);
        GEOSGeom_destroy_r(t->h, cut);
    }
    GEOSGeom_destroy_r(t->h, g);
}

static int box_overlaps(const double a[4], const double b[4])
{
    return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

static int box_inside(const double in[4], const double out[4])
{
    return in[0] >= out[0] && in[2] <= out[2] && in[1] >= out[1] && in[3] <= out[3];
}

/* The geometry of shape s in this tile; 1 when something was written. */
static int write_shape(tile_job *t, const mvt_shapes *sh, size_t s)
{
    const geomset *gs = sh->zoom[t->z - t->scene->minzoom];
    uint32_t p0 = g_array_index(gs->shape_first, uint32_t, s), p1 = g_array_index(gs->shape_first, uint32_t, s + 1);
    int type = sh->type[s], wrote = 0;
    if (type == GEOM_POINT) {
        /* Multipoints: each point only in the tile that owns it, like the
         * point features, as one MoveTo with every point. */
        GArray *own = t->w.ints;
        g_array_set_size(own, 0);
        for (uint32_t pi = p0; pi < p1; pi++) {
            const mvt_part *p = &g_array_index(gs->parts, mvt_part, pi);
            const mvt_ring *r = &g_array_index(gs->rings, mvt_ring, p->first_ring);
            const double *xy = &g_array_index(gs->xy, double, 2 * (size_t)r->first);
            /* The tile pixel of the point, by the same fixed point and floor
             * as the point features' anchors. */
            uint64_t fx = to_fixed(xy[0]) >> (FIX_BITS - t->z - MVT_EXTENT_BITS);
            uint64_t fy = to_fixed(xy[1]) >> (FIX_BITS - t->z - MVT_EXTENT_BITS);
            if (fx >> MVT_EXTENT_BITS != (uint64_t)t->x || fy >> MVT_EXTENT_BITS != (uint64_t)t->y) continue;
            int32_t q[2] = { (int32_t)(fx & (MVT_EXTENT - 1)), (int32_t)(fy & (MVT_EXTENT - 1)) };
            g_array_append_vals(own, q, 2);
        }
        if (!own->len) return 0;
        uint32_t c = command(CMD_MOVE_TO, own->len / 2);
        g_array_append_val(t->w.out, c);
        for (guint i = 0; i < own->len / 2; i++)
            put_point(&t->w, g_array_index(own, int32_t, 2 * i), g_array_index(own, int32_t, 2 * i + 1));
        return 1;
    }
    for (uint32_t pi = p0; pi < p1; pi++) {
        const mvt_part *p = &g_array_index(gs->parts, mvt_part, pi);
        if (!box_overlaps(p->box, t->clip)) continue;
        if (box_inside(p->box, t->clip)) write_part_plain(t, gs, p, type, &wrote);
        else clip_part(t, gs, p, type, &wrote);
    }
    return wrote;
}

static void project_tags(layer_builder *lb, const fp_mvt_scene *s, const mvt_project *p, int point_count)
{
    tag_int(lb, "id", p->id);
    tag_string(lb, "name", p->name);
    tag_string(lb, "company", p->company);
    tag_string(lb, "category", p->category);
    if (p->has_year) tag_int(lb, "year", p->year);
    tag_string(lb, "source", p->source);
    tag_string(lb, "country_code", p->country_code);
    tag_string(lb, "status", p->status);
    if (s->point_field_extra) tag_string(lb, s->point_field, p->field_value);
    if (point_count) tag_int(lb, "point_count", point_count);
}

/* The timeline's yYYYY of cumulative counts; zeros (before the first
 * project) are left out. */
static void year_tags(layer_builder *lb, const fp_mvt_scene *s, const uint32_t *cumulative)
{
    for (int k = 0; k < s->nyears; k++)
        if (cumulative[k]) tag_int(lb, s->year_keys[k], cumulative[k]);
}

/* A cluster's members up to each year, into t->year_counts. */
static void cluster_years(tile_job *t, const mvt_cluster *cl, uint32_t count)
{
    const fp_mvt_scene *s = t->scene;
    memset(t->year_counts, 0, sizeof *t->year_counts * (size_t)s->nyears);
    for (uint32_t i = 0; i < count; i++) {
        const mvt_project *p = &s->projects[s->singles[cl->first + i].ref];
        if (!p->has_year) continue;
        int k = p->year - s->year_first;
        t->year_counts[k < 0 ? 0 : k]++;
    }
    for (int k = 1; k < s->nyears; k++) t->year_counts[k] += t->year_counts[k - 1];
}

/* Every shape of sh meeting the buffered tile, found through the grid; a
 * shape listed in several cells is taken only in the cell holding the
 * lower-left corner of its box's overlap with the tile. */
static void write_shapes(tile_job *t, const mvt_shapes *sh, layer_builder *lb)
{
    const fp_mvt_scene *s = t->scene;
    if (!sh->n) return;
    int cx0 = grid_cell(t->clip[0]), cy0 = grid_cell(t->clip[1]);
    int cx1 = grid_cell(t->clip[2]), cy1 = grid_cell(t->clip[3]);
    const int side = 1 << GRID_BITS;
    for (int cy = cy0; cy <= cy1; cy++)
        for (int cx = cx0; cx <= cx1; cx++) {
            size_t c = (size_t)cy * side + cx;
            for (uint32_t k = sh->cell_start[c]; k < sh->cell_start[c + 1]; k++) {
                uint32_t i = sh->cell_items[k];
                const double *box = sh->box[i];
                if (!box_overlaps(box, t->clip)) continue;
                if (grid_cell(fmax(box[0], t->clip[0])) != cx || grid_cell(fmax(box[1], t->clip[1])) != cy) continue;
                uint32_t owner = sh->owner[i];
                int has_id = 1;
                uint64_t id = sh->kind == SHAPES_PROJECTS ? (uint64_t)s->projects[owner].id : (uint64_t)s->regions[owner].id;
                lb_begin(lb, sh->type[i], has_id, id);
                t->w.cx = t->w.cy = 0;
                write_shape(t, sh, i);
                if (!lb_geometry_done(lb)) continue;
                if (sh->kind == SHAPES_PROJECTS) {
                    project_tags(lb, s, &s->projects[owner], 0);
                } else {
                    const mvt_region *r = &s->regions[owner];
                    tag_string(lb, "code", r->code);
                    tag_string(lb, "name", r->name);
                    if (s->choropleth && !isnan(r->value)) {
                        if (r->value_is_int) tag_int(lb, s->value_field, (int64_t)r->value);
                        else tag_double(lb, s->value_field, r->value);
                    }
                    if (s->choropleth && r->class_index >= 0) tag_int(lb, "class", r->class_index + 1);
                    tag_string(lb, "fill", r->fill);
                    if (s->region_timeline) year_tags(lb, s, s->region_years + (size_t)owner * (size_t)s->nyears);
                }
                lb_end(lb);
            }
        }
}

/* The point features whose anchor lies in this tile: a contiguous run of
 * the zoom's Morton-ordered array. */
static void write_points(tile_job *t, layer_builder *lb)
{
    const fp_mvt_scene *s = t->scene;
    const mvt_zoom_points *zp = &s->zooms[t->z - s->minzoom];
    int shift = FIX_BITS - t->z;
    uint64_t tx = (uint64_t)t->x, ty = (uint64_t)t->y;
    size_t lo = 0, hi = zp->n;   /* first with tile >= (tx, ty) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (morton_cmp(zp->points[mid].fx >> shift, zp->points[mid].fy >> shift, tx, ty) < 0) lo = mid + 1;
        else hi = mid;
    }
    int pixel_shift = FIX_BITS - t->z - MVT_EXTENT_BITS;
    for (size_t i = lo; i < zp->n; i++) {
        const mvt_point *p = &zp->points[i];
        if (p->fx >> shift != tx || p->fy >> shift != ty) break;
        /* The tile pixel (extent 4096) holding the anchor: floor, so the
         * point stays in 0..4095 of its own tile. */
        int32_t px = (int32_t)((p->fx >> pixel_shift) & (MVT_EXTENT - 1));
        int32_t py = (int32_t)((p->fy >> pixel_shift) & (MVT_EXTENT - 1));
        const mvt_project *proj = p->count == 1 ? &s->projects[p->ref] : NULL;
        lb_begin(lb, GEOM_POINT, proj != NULL, proj ? (uint64_t)proj->id : 0);
        uint32_t c = command(CMD_MOVE_TO, 1);
        g_array_append_val(lb->geom, c);
        t->w.cx = t->w.cy = 0;
        put_point(&t->w, px, py);
        lb_geometry_done(lb);
        if (proj) {
            project_tags(lb, s, proj, 1);
        } else {
            const mvt_cluster *cl = &zp->clusters[p->ref];
            tag_int(lb, "point_count", p->count);
            tag_string(lb, "category", cl->category);
            tag_string(lb, "categories", cl->categories);
            if (strcmp(s->point_field, "category")) tag_string(lb, s->point_field, cl->field_value);
            if (s->nyears) {
                cluster_years(t, cl, p->count);
                year_tags(lb, s, t->year_counts);
            }
        }
        lb_end(lb);
    }
}

/* The protobuf Layer of a builder; its arrays point into lb and into
 * *mem, which the caller frees after packing. */
static void lb_to_layer(layer_builder *lb, FpiVectorTile__Tile__Layer *layer, GPtrArray *mem)
{
    fpi_vector_tile__tile__layer__init(layer);
    layer->version = 2;
    layer->name = (char *)lb->name;
    layer->has_extent = 1;
    layer->extent = MVT_EXTENT;
    layer->n_keys = (size_t)lb->nkeys;
    layer->keys = g_new(char *, lb->nkeys ? lb->nkeys : 1);
    g_ptr_array_add(mem, layer->keys);
    for (int i = 0; i < lb->nkeys; i++) layer->keys[i] = (char *)lb->keys[i];
    size_t nv = lb->values->len;
    FpiVectorTile__Tile__Value *vals = g_new(FpiVectorTile__Tile__Value, nv ? nv : 1);
    layer->values = g_new(FpiVectorTile__Tile__Value *, nv ? nv : 1);
    g_ptr_array_add(mem, vals);
    g_ptr_array_add(mem, layer->values);
    layer->n_values = nv;
    for (size_t i = 0; i < nv; i++) {
        const tile_value *v = &g_array_index(lb->values, tile_value, i);
        fpi_vector_tile__tile__value__init(&vals[i]);
        switch (v->type) {
        case VAL_STRING: vals[i].string_value = (char *)v->text; break;
        case VAL_UINT: vals[i].has_uint_value = 1; vals[i].uint_value = v->bits; break;
        case VAL_SINT: vals[i].has_sint_value = 1; vals[i].sint_value = (int64_t)v->bits; break;
        case VAL_DOUBLE: vals[i].has_double_value = 1; memcpy(&vals[i].double_value, &v->bits, sizeof(double)); break;
        }
        layer->values[i] = &vals[i];
    }
    size_t nf = lb->features->len;
    FpiVectorTile__Tile__Feature *feats = g_new(FpiVectorTile__Tile__Feature, nf ? nf : 1);
    layer->features = g_new(FpiVectorTile__Tile__Feature *, nf ? nf : 1);
    g_ptr_array_add(mem, feats);
    g_ptr_array_add(mem, layer->features);
    layer->n_features = nf;
    for (size_t i = 0; i < nf; i++) {
        const tile_feature *f = &g_array_index(lb->features, tile_feature, i);
        fpi_vector_tile__tile__feature__init(&feats[i]);
        feats[i].has_id = f->has_id;
        feats[i].id = f->id;
        feats[i].has_type = 1;
        feats[i].type = (FpiVectorTile__Tile__GeomType)f->type;
        feats[i].n_tags = f->ntags;
        feats[i].tags = &g_array_index(lb->tags, uint32_t, f->tag_first);
        feats[i].n_geometry = f->ngeom;
        feats[i].geometry = &g_array_index(lb->geom, uint32_t, f->geom_first);
        layer->features[i] = &feats[i];
    }
}

fp_status fpi_mvt_scene_tile(const fp_mvt_scene *scene, int z, int x, int y, unsigned char **data, size_t *len,
                            fp_error *err)
{
    *data = NULL;
    *len = 0;
    if (z < scene->minzoom || z > scene->maxzoom)
        return fp_error_set(err, FP_ERR_USAGE, "tile %d/%d/%d: zoom outside the scene's %d-%d", z, x, y,
                            scene->minzoom, scene->maxzoom);
    long n = 1L << z;
    if (x < 0 || y < 0 || x >= n || y >= n)
        return fp_error_set(err, FP_ERR_USAGE, "tile %d/%d/%d: x and y must be in 0..%ld", z, x, y, n - 1);
    tile_job t = { 0 };
    t.scene = scene;
    t.z = z;
    t.x = x;
    t.y = y;
    t.scale = ldexp(1.0, z);
    t.ox = (double)x * MVT_EXTENT;
    t.oy = (double)y * MVT_EXTENT;
    t.clip[0] = (t.ox - MVT_BUFFER) / t.scale;
    t.clip[1] = (t.oy - MVT_BUFFER) / t.scale;
    t.clip[2] = (t.ox + MVT_EXTENT + MVT_BUFFER) / t.scale;
    t.clip[3] = (t.oy + MVT_EXTENT + MVT_BUFFER) / t.scale;
    t.buf = g_array_new(FALSE, FALSE, sizeof(double));
    t.w.ints = g_array_new(FALSE, FALSE, sizeof(int32_t));
    t.year_counts = g_new(uint32_t, scene->nyears ? scene->nyears : 1);

    layer_builder regions, projects;
    lb_init(&regions, "regions");
    lb_init(&projects, "projects");
    if (scene->has_regions) {
        t.w.out = regions.geom;
        write_shapes(&t, &scene->region_shapes, &regions);
    }
    t.w.out = projects.geom;
    write_points(&t, &projects);
    write_shapes(&t, &scene->project_shapes, &projects);

    FpiVectorTile__Tile tile;
    fpi_vector_tile__tile__init(&tile);
    FpiVectorTile__Tile__Layer layers[2], *lp[2];
    GPtrArray *mem = g_ptr_array_new_with_free_func(g_free);
    size_t nl = 0;
    if (regions.features->len) { lb_to_layer(&regions, &layers[nl], mem); lp[nl] = &layers[nl]; nl++; }
    if (projects.features->len) { lb_to_layer(&projects, &layers[nl], mem); lp[nl] = &layers[nl]; nl++; }
    fp_status st = FP_OK;
    if (nl) {
        tile.n_layers = nl;
        tile.layers = lp;
        size_t size = fpi_vector_tile__tile__get_packed_size(&tile);
        unsigned char *out = malloc(size ? size : 1);
        if (!out) {
            st = fp_error_set(err, FP_ERR_NOMEM, "tile %d/%d/%d: out of memory (%zu bytes)", z, x, y, size);
        } else {
            *len = fpi_vector_tile__tile__pack(&tile, out);
            *data = out;
        }
    }
    g_ptr_array_free(mem, TRUE);
    lb_clear(&regions);
    lb_clear(&projects);
    g_array_free(t.buf, TRUE);
    g_array_free(t.w.ints, TRUE);
    g_free(t.year_counts);
    if (t.h) GEOS_finish_r(t.h);
    return st;
}
