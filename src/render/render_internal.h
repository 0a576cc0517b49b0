/* Internals of the render stage: the projected view and its mapping onto
 * the page (in points, 1/72 inch; PNGs scale points to pixels). */
#ifndef FP_RENDER_INTERNAL_H
#define FP_RENDER_INTERNAL_H

#include <cairo.h>
#include <geos_c.h>
#include <proj.h>
#include <stdint.h>
#include <glib.h>
#include "fp_render.h"
#include "fp_style.h"
#include "fp_store.h"
#include "render/draw.h"

typedef struct fp_view {
    PJ_CONTEXT *ctx;
    PJ *pj;                       /* lon/lat (EPSG:4326, lon first) -> map units */
    char proj_def[512];
    int world;                    /* the whole world is shown: no scale bar */
    double lon0;                  /* central meridian: data is cut at lon0 +- 180 */
    double clip[4];               /* lon/lat box of the data drawn (w, s, e, n) */
    double extent[4];             /* map units shown: x0, y0, x1, y1 */
    double map[4];                /* the map's area on the page: x, y, w, h (points) */
    double scale, ox, oy;         /* page = (ox + (x - x0) s, oy + (y1 - y) s) */
    double tolerance;             /* simplification, points (half a pixel on PNG) */
} fp_view;

/* Map units -> page points. */
static inline void fp_view_page(const fp_view *v, double x, double y, double *px, double *py)
{
    *px = v->ox + (x - v->extent[0]) * v->scale;
    *py = v->oy + (v->extent[3] - y) * v->scale;
}

/* The view's projection: proj (a name of fp_projection_names, or anything
 * PROJ reads; NULL: equal-earth) centred on (lon0, lat0). origin names where
 * proj came from in messages: "--proj", "styles/m.json: view.projection". */
fp_status fpi_view_init(fp_view *v, const char *proj, const char *origin, double lon0, double lat0, fp_error *err);
void fpi_view_clear(fp_view *v);
int fpi_view_project(const fp_view *v, double lon, double lat, double *x, double *y);
/* A longitude of the data (-180..180) moved by 360 degrees into the view's
 * clip where that brings it in; one on lon0 +- 180 itself, which the clip
 * leaves out by a hair (PROJ may put that meridian on either edge), onto
 * the map's edge: a project at 180 is drawn, not dropped. */
void fpi_view_wrap_lon(const fp_view *v, double *lon);
int fpi_view_unproject(const fp_view *v, double x, double y, double *lon, double *lat);

/* Adds g (lon/lat) to the cairo path, cut to the view's clip box, densified
 * to one degree, projected and simplified to the page's resolution: closed
 * rings, for filling. Returns 1 when a ring has an edge on a cut (the
 * antimeridian, the clip box, a pole): stroke such a geometry's
 * fpi_path_outline, not this path, or the cut is drawn as a border. */
int fpi_path_geometry(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g);
/* The same lines for stroking: rings open where an edge lies on a cut. */
void fpi_path_outline(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g);
/* The outline of the projected world (the clip box's boundary). */
void fpi_path_world(cairo_t *cr, const fp_view *v);
/* Graticule lines every step degrees. */
void fpi_path_graticule(cairo_t *cr, const fp_view *v, double step);

/* Fits the view's clip box into v->map (extent, scale, origin). */
void fpi_view_fit(fp_view *v);
/* A regional view's data box widened round the box asked for (vb). */
void fpi_view_widen_clip(fp_view *v, const double vb[4], const char *proj);

/* An ARGB32 image surface, its pixels on huge pages where possible. */
cairo_surface_t *fpi_image_surface_new(int width, int height);

/* Drawing a map's layers (render.c), shared with the small multiples. */
void fpi_draw_backdrop(cairo_t *cr, const fp_view *v, const fp_map_style *ms, int world);
/* A choropleth region in its class colour with the style's border (0: its
 * geometry could not be read). in_frame (may be NULL): set to whether the
 * region as drawn (projected, clipped) meets the frame v->map. */
int fpi_fill_region(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, GEOSWKBReader *rd, const fp_map_style *ms,
                    const fp_choropleth_region *r, int *in_frame, GArray *small);
/* Regions with a value drawn smaller than FPI_SMALL_REGION_PT both ways
 * (Singapore, Bahrain, Luxembourg on a world map) would show no colour:
 * fpi_fill_region adds them to small (may be NULL; elements
 * fpi_small_region), and fpi_draw_small_regions draws each as a dot of its
 * class colour over the map, as atlases do. */
#define FPI_SMALL_REGION_PT 3.0
/* A region's label: placed by legend.c in value order. beside > 0: the
 * label goes that far right of its point (a small region's dot), not
 * centred on it. */
typedef struct label_cand { char *text; double lon, lat, value, beside; } label_cand;
typedef struct fpi_small_region {
    double x, y;                  /* the dot's centre, user units */
    fp_rgba fill;
} fpi_small_region;
void fpi_draw_small_regions(cairo_t *cr, const GArray *small);
/* The countries as plain land, in the style's land fill and stroke. */
struct fp_store;
fp_status fpi_draw_land(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, GEOSWKBReader *rd, const fp_map_style *ms,
                       struct fp_store *store, fp_error *err);
void fpi_draw_world_outline(cairo_t *cr, const fp_view *v);
struct fp_store;
/* kinds (may be NULL): category -> how it was drawn, FPI_DRAWN_POINT |
 * FPI_DRAWN_LINE (GINT_TO_POINTER; keys g_free'd), added to over calls. */
enum { FPI_DRAWN_POINT = 1, FPI_DRAWN_LINE = 2 };
fp_status fpi_draw_projects(cairo_t *cr, struct fp_store *store, const fp_view *v, const fp_style *style,
                           const fp_facet_filter *panel, const char *dataset, GPtrArray *categories, double *size_max,
                           GHashTable *kinds, fp_error *err);
void fpi_sort_categories(const fp_style *style, GPtrArray *categories);

/* ---- Where a region is (frame.c) ---- */
/* A region's main part: its polygons at least MAIN_AREA_SHARE of the
 * largest one's area, and those near one of these; small, far parts
 * (Bouvet Island for Norway) are left out. */
typedef struct fpi_main_part {
    double box[4];                /* lon/lat box of the parts kept (w, s, e, n): w < e, e past 180 across the antimeridian */
    double centre[2];             /* the largest polygon's centroid */
    GEOSGeometry *kept;           /* the parts kept (MultiPolygon), in the longitudes of box */
} fpi_main_part;
/* g's main part (g: lon/lat, cut at the antimeridian or not); -1 when g has
 * no polygon. Clear out with fpi_main_part_clear in any case. */
int fpi_main_part_find(GEOSContextHandle_t h, const GEOSGeometry *g, fpi_main_part *out);
void fpi_main_part_clear(GEOSContextHandle_t h, fpi_main_part *p);
/* The box framing a group's members (a continent's countries): their boxes
 * joined round the globe the short way; a member larger than all the
 * others together and lying away from them counts with its part near them
 * only (m[i].box is changed for it). -1 when no member has a box. */
int fpi_group_frame(GEOSContextHandle_t h, fpi_main_part *m, size_t n, double box[4]);
/* A box moved by a multiple of 360 degrees so its middle is in -180..180. */
void fpi_frame_normalise(double box[4]);

/* ---- The changes between two editions (diff_map.c) ---- */
typedef struct fp_diff_map fp_diff_map;
/* Parses o->diff and o->changes, compares the two editions (fp_diff, the
 * changes kept for the layer FP_LAYER_DIFF) and picks the symbols: the
 * style's own when its points are on the field `change`, else those of
 * the shipped diff style. Bad arguments and unknown datasets are usage
 * errors. */
fp_status fpi_diff_map_new(struct fp_store *store, const fp_render_options *o, const fp_style *style, fp_diff_map **out,
                          fp_error *err);
void fpi_diff_map_free(fp_diff_map *m);
/* The comparison's warning when the editions could hardly be matched
 * (fp_diff_match_warning), "" otherwise. */
const char *fpi_diff_map_warning(const fp_diff_map *m);
/* "New since OLD", or "Changes from OLD to NEW" for several kinds. */
const char *fpi_diff_map_subtitle(const fp_diff_map *m);
/* The style the change symbols (and their legend entries) come from. */
const fp_style *fpi_diff_map_symbols(const fp_diff_map *m);
/* Draws the chosen kinds' changes (added last, on top) and fills the
 * legend: categories gets the kinds' names in legend order, labels the
 * same with their counts ("added  (3)"). */
fp_status fpi_diff_map_draw(cairo_t *cr, struct fp_store *store, const fp_view *v, const fp_diff_map *m,
                           GPtrArray *categories, GPtrArray *labels, fp_error *err);

/* ---- Small multiples (facets.c) ---- */
typedef struct fp_facets fp_facets;
/* The panels o->facet asks for, checked against the store: the field
 * exists, values or bins parse, bins and --cumulative have numbers. */
fp_status fpi_facets_new(struct fp_store *store, const fp_style *style, const fp_render_options *o, fp_facets **out,
                        fp_error *err);
void fpi_facets_free(fp_facets *f);
/* The note for the user when some panels hold none of the page's
 * projects ("" when none is empty). */
void fpi_facets_note(const fp_facets *f, char *out, size_t size);
/* The page the panels are drawn on, and the view each panel repeats. */
typedef struct fp_facet_page {
    cairo_t *cr;
    double w, h;                  /* points */
    const fp_view *view;          /* chosen (projection, clip); fitted per panel */
    int world;
    const double *view_box;       /* a regional view's box */
    const char *proj;
    const fp_style *style;
    const fp_render_options *o;
    int transparent;              /* no paper: see fpi_page_transparent */
    char *note;                   /* out: fpi_no_value_note when no region of any panel has a value */
    size_t note_size;
} fp_facet_page;
/* The note of a choropleth whose regions all lack a value (every one
 * empty, or 0 where the style counts 0 as none): the map is all in the
 * no-data colour, and says why beside it. */
void fpi_no_value_note(char *out, size_t size, const char *aggregation, const char *field, int zero_is_nodata,
                       int panels);
fp_status fpi_facets_draw(struct fp_store *store, const fp_facets *f, const fp_facet_page *p, fp_error *err);

/* A style whose background is "none" gets no paper either: the page is
 * transparent where nothing is drawn (a PNG with an alpha channel, a PDF
 * or SVG with nothing behind the map), to lay over a web page or another
 * map. A GeoTIFF (kind 3: RGB, for GIS) keeps its white paper. */
int fpi_page_transparent(const struct fp_map_style *ms, int kind);

/* What a rendered file says about itself (render.c builds it; PDF
 * metadata, PNG text chunks, GeoTIFF tags, the SVG's <title> and <desc>). */
typedef struct fpi_map_meta {
    char *title;                  /* the map's title ("footprint map" without one) */
    char *description;            /* what it shows: legend, aggregation, style, view */
    char *software;               /* "footprint 0.1.0 (18a893a)": fp_version */
    const char *credits;          /* the credit line under the map */
} fpi_map_meta;

/* The opaque ARGB32 page img as a GeoTIFF at tmp (geotransform gt, CRS wkt
 * or NULL, resolution dpi, the text tags of meta: TIFFTAG_SOFTWARE,
 * TIFFTAG_IMAGEDESCRIPTION, TIFFTAG_COPYRIGHT); path names the final file
 * in messages (geotiff.c). */
fp_status fpi_write_geotiff(cairo_surface_t *img, const char *tmp, const char *path, const double gt[6], const char *wkt,
                           double dpi, const fpi_map_meta *meta, fp_error *err);
/* 1 if GDAL finds a CRS inside the GeoTIFF file itself (PAM off). */
int fpi_geotiff_has_crs(const char *file);

#endif
