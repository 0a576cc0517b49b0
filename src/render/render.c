/* `footprint render`: a report map drawn with cairo.
 *
 * Layout, in points (1/72 inch) on the page: a margin, the title and
 * subtitle at the top, the map filling the rest above the credit line, the
 * legend inside the map's frame in the style's corner. Every size in the
 * style is in points, so a 300 dpi PNG looks like the screen map, only
 * sharper; PDF and SVG are vector (shapes as paths, text as text). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <png.h>
#include <zlib.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "fp_store.h"
#include "render_internal.h"
#include "legend.h"
#include "footprint.h"
#include "common/util.h"
#include "geom/geom.h"

typedef struct paper { const char *name; double w, h; } paper;   /* portrait, points */
/* ISO 216 and US sizes, portrait, in points. */
static const paper papers[] = { { "A5", 419.528, 595.276 },   { "A4", 595.276, 841.890 },   { "A3", 841.890, 1190.551 },
                                { "A2", 1190.551, 1683.780 }, { "A1", 1683.780, 2383.937 }, { "letter", 612, 792 },
                                { "legal", 612, 1008 },       { "tabloid", 792, 1224 },     { NULL, 0, 0 } };
#define PAPER_NAMES "A5, A4, A3, A2, A1, letter, legal, tabloid, or WxHmm / WxHin (160x100mm: that page as given)"

/* --paper WxHmm or WxHin: a page of that width and height (points), as
 * given: no landscape turn. 0 if name is not of that form, -1 if it is
 * but out of range. */
static int custom_paper(const char *name, double *w, double *h)
{
    double a, b;
    char unit[3] = "", extra;
    if (sscanf(name, "%lf%*[xX]%lf%2[a-zA-Z]%c", &a, &b, unit, &extra) != 3) return 0;
    double pt = !g_ascii_strcasecmp(unit, "mm") ? 72 / 25.4 : !g_ascii_strcasecmp(unit, "in") ? 72 : 0;
    if (!pt) return 0;
    *w = a * pt;
    *h = b * pt;
    return *w >= 20 / 25.4 * 72 && *h >= 20 / 25.4 * 72 && *w <= 2000 / 25.4 * 72 && *h <= 2000 / 25.4 * 72 ? 1 : -1;
}

/* ------------------------------------------------------------------ PNG --- */

/* cairo's own PNG writer compresses at zlib's default level, a quarter of
 * the time of an A4 300 dpi map; libpng at level 3 with the Sub filter
 * wrote files a few percent larger in a third of the time. zlib's
 * run-length strategy with the Up filter takes two thirds of that again
 * (the A4 map of bench/render: 0.206 -> 0.135 CPU-s, 4.07 -> 4.15 MB):
 * a map's rows are long runs of one fill, and the Up filter turns a row
 * like the one above it into zeros. */
void fpi_argb_to_rgb_row(const uint32_t *src, unsigned char *row, int w)
{
    for (int x = 0; x < w; x++) {
        uint32_t p = src[x];
        row[3 * x] = (unsigned char)(p >> 16);
        row[3 * x + 1] = (unsigned char)(p >> 8);
        row[3 * x + 2] = (unsigned char)p;
    }
}

/* One PNG text chunk: tEXt when the text is ASCII (tEXt is Latin-1), else
 * iTXt, which holds UTF-8 (a title in Arabic or Chinese). Uncompressed. */
static void png_text_entry(png_text *t, const char *key, const char *text)
{
    int ascii = 1;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) ascii &= *c < 0x80;
    memset(t, 0, sizeof *t);
    t->compression = ascii ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
    t->key = (png_charp)key;
    t->text = (png_charp)text;
    t->text_length = strlen(text);
}

/* One row of premultiplied ARGB32 to straight (PNG's) 8-bit RGBA. */
static void argb_to_rgba_row(const uint32_t *src, unsigned char *row, int w)
{
    for (int x = 0; x < w; x++) {
        uint32_t p = src[x];
        unsigned a = p >> 24, c[3] = { (p >> 16) & 255, (p >> 8) & 255, p & 255 };
        for (int k = 0; k < 3; k++) row[4 * x + k] = (unsigned char)(a ? (c[k] * 255 + a / 2) / a : 0);
        row[4 * x + 3] = (unsigned char)a;
    }
}

int fpi_page_transparent(const fp_map_style *ms, int kind)
{
    return ms->background.a == 0 && kind != 3;
}

/* alpha: the page is transparent (fpi_page_transparent): RGBA, else RGB. */
static int fp_write_png(cairo_surface_t *s, const char *path, double dpi, const fpi_map_meta *meta, int alpha)
{
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)w * (alpha ? 4 : 3));
    int rc = -1;
    if (png && info && row && !setjmp(png_jmpbuf(png))) {
        png_init_io(png, f);
        png_set_compression_level(png, 1);
        png_set_compression_strategy(png, Z_RLE);
        png_set_filter(png, 0, PNG_FILTER_UP);
        png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        /* The resolution (pHYs, pixels per metre): printed or placed in a
         * layout, the map has the size of its paper. */
        png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
        /* What made the map, in the PNG's own text chunks (keywords of the
         * PNG specification, 11.3.4.2), before the pixels: no date (a rerun
         * writes the same bytes; the commit says which code). */
        png_text text[4];
        png_text_entry(&text[0], "Title", meta->title);
        png_text_entry(&text[1], "Description", meta->description);
        png_text_entry(&text[2], "Copyright", meta->credits);
        png_text_entry(&text[3], "Software", meta->software);
        png_set_text(png, info, text, 4);
        png_write_info(png, info);
        for (int y = 0; y < h; y++) {
            /* A transparent page to straight RGBA; an opaque one (painted
             * white first) to RGB. */
            const uint32_t *src = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
            if (alpha) argb_to_rgba_row(src, row, w);
            else fpi_argb_to_rgb_row(src, row, w);
            png_write_row(png, row);
        }
        png_write_end(png, NULL);
        rc = 0;
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0) rc = -1;
    return rc;
}

/* ------------------------------------------------------------- the view --- */

/* Lon/lat box of a region. A region across the antimeridian (Russia,
 * Fiji) gets its box in 0..360 longitudes when that is narrower. */
static void widen(double b[4], double x, double y)
{
    if (x < b[0]) b[0] = x;
    if (x > b[2]) b[2] = x;
    if (y < b[1]) b[1] = y;
    if (y > b[3]) b[3] = y;
}

static void geometry_boxes(GEOSContextHandle_t h, const GEOSGeometry *g, double plain[4], double shifted[4])
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        geometry_boxes(h, GEOSGetExteriorRing_r(h, g), plain, shifted);
        return;
    }
    if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        for (unsigned i = 0; i < n; i++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
            widen(plain, x, y);
            widen(shifted, x < 0 ? x + 360 : x, y);
        }
        return;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++) geometry_boxes(h, GEOSGetGeometryN_r(h, g, i), plain, shifted);
}

/* The boxes of a WKB geometry (lon/lat), plain and in 0..360 longitudes;
 * 0 when it has a point. */
static int wkb_box(const unsigned char *wkb, size_t len, double box[4])
{
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = wkb && len ? GEOSWKBReader_read_r(h, rd, wkb, len) : NULL;
    double plain[4] = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL }, shifted[4] = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
    if (g) {
        geometry_boxes(h, g, plain, shifted);
        GEOSGeom_destroy_r(h, g);
    }
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    memcpy(box, shifted[2] - shifted[0] < plain[2] - plain[0] - 1e-9 ? shifted : plain, 4 * sizeof(double));
    return plain[0] <= plain[2] ? 0 : -1;
}

/* The box framing one region's main part (frame.c); -1 without a polygon. */
static int main_part_box(const unsigned char *wkb, size_t len, double box[4])
{
    if (!wkb || !len) return -1;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, wkb, len);
    fpi_main_part m = {0};
    int rc = g ? fpi_main_part_find(h, g, &m) : -1;
    if (!rc) memcpy(box, m.box, sizeof m.box);
    fpi_main_part_clear(h, &m);
    if (g) GEOSGeom_destroy_r(h, g);
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    return rc;
}

/* The box framing a continent or subregion (level, code): its member
 * countries' main parts (fpi_group_frame); -1 when no country names it. */
static int group_box(fp_store *store, const char *level, const char *code, double box[4])
{
    fp_rows *r;
    fp_error ignored = {0};
    if (fp_store_regions(store, "country", &r, &ignored)) return -1;
    int col = !strcmp(level, "continent") ? 5 : 4;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GArray *members = g_array_new(FALSE, TRUE, sizeof(fpi_main_part));
    while (fp_rows_next(r)) {
        const char *key = fp_rows_text(r, col);
        fp_geom geom;
        /* Countries without one roll up into the group "none" (region_set.c). */
        if (strcmp(key && *key ? key : "none", code) || fp_rows_geom(r, 7, 1, &geom) <= 0) continue;
        GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, geom.wkb, geom.wkb_len);
        fpi_main_part m = {0};
        if (g && !fpi_main_part_find(h, g, &m)) g_array_append_val(members, m);
        else fpi_main_part_clear(h, &m);
        if (g) GEOSGeom_destroy_r(h, g);
    }
    fp_rows_free(r);
    int rc = members->len ? fpi_group_frame(h, (fpi_main_part *)(void *)members->data, members->len, box) : -1;
    for (guint i = 0; i < members->len; i++) fpi_main_part_clear(h, &g_array_index(members, fpi_main_part, i));
    g_array_free(members, TRUE);
    GEOSWKBReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    return rc;
}

/* The lon/lat box and name of a region by code or name (any case): a
 * country or admin-1 region of the store's regions, else a continent or
 * subregion (the unions init derives: "Africa", "Western Europe"); -1 when
 * there is none (or it has no geometry). The box frames the region's main
 * part (frame.c): west < east, east past 180 for a region across the
 * antimeridian, its middle within -180..180. */
static int region_box(fp_store *store, const char *code, double box[4], char *name, size_t name_size)
{
    fp_rows *r;
    fp_error ignored = {0};
    if (fp_store_region_lookup(store, code, &r, &ignored)) return -1;
    fp_geom geom;
    int found = fp_rows_next(r) && fp_rows_geom(r, 0, 1, &geom) > 0;
    if (found) {
        snprintf(name, name_size, "%s", fp_rows_text(r, 1));
        found = !main_part_box(geom.wkb, geom.wkb_len, box) || !wkb_box(geom.wkb, geom.wkb_len, box);
    }
    fp_rows_free(r);
    static const char *const groups[] = { "continent", "subregion" };
    for (int l = 0; l < 2 && !found; l++) {
        if (fp_store_region_groups(store, groups[l], &r, &ignored)) continue;
        char *gcode = NULL;
        double union_box[4];
        int union_ok = 0;
        while (!gcode && fp_rows_next(r)) {
            const char *c = fp_rows_text(r, 0), *n = fp_rows_text(r, 1);
            if (!c || (g_ascii_strcasecmp(c, code) && !(n && !g_ascii_strcasecmp(n, code)))) continue;
            size_t len = 0;
            const void *wkb = fp_rows_blob(r, 5, &len);
            union_ok = !wkb_box(wkb, len, union_box);
            gcode = g_strdup(c);
            snprintf(name, name_size, "%s", n ? n : c);
        }
        fp_rows_free(r);               /* closed before the countries are read (one cursor at a time on PostGIS) */
        if (!gcode) continue;
        /* The members' frame; the union's own box when no country names
         * the group (regions loaded from a file of other levels). */
        found = !group_box(store, groups[l], gcode, box);
        if (!found && union_ok) {
            memcpy(box, union_box, sizeof union_box);
            found = 1;
        }
        g_free(gcode);
    }
    if (found) fpi_frame_normalise(box);
    return found ? 0 : -1;
}

/* The continents the store knows, for a message: "Africa, Asia, ...". */
static char *continent_list(fp_store *store)
{
    GString *s = g_string_new(NULL);
    fp_rows *r;
    fp_error ignored = {0};
    if (!fp_store_region_groups(store, "continent", &r, &ignored)) {
        while (fp_rows_next(r)) g_string_append_printf(s, "%s%s", s->len ? ", " : "", fp_rows_text(r, 1) ? fp_rows_text(r, 1) : "");
        fp_rows_free(r);
    }
    return g_string_free(s, FALSE);
}

/* Fits the view's clip box into the map area: extent from the projected,
 * densified boundary of the box. */
void fpi_view_fit(fp_view *v)
{
    double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
    for (int i = 0; i <= 100; i++)
        for (int j = 0; j <= 100; j++) {
            if (i && i < 100 && j && j < 100 && (i % 10 || j % 10)) continue;   /* the edges and a 10x10 grid */
            double lon = v->clip[0] + (v->clip[2] - v->clip[0]) * i / 100.0;
            double lat = v->clip[1] + (v->clip[3] - v->clip[1]) * j / 100.0;
            double x, y;
            if (fpi_view_project(v, lon, lat, &x, &y)) continue;
            x0 = fmin(x0, x); x1 = fmax(x1, x);
            y0 = fmin(y0, y); y1 = fmax(y1, y);
        }
    v->extent[0] = x0; v->extent[1] = y0; v->extent[2] = x1; v->extent[3] = y1;
    double sw = v->map[2] / (x1 - x0), sh = v->map[3] / (y1 - y0);
    v->scale = fmin(sw, sh);
    v->ox = v->map[0] + (v->map[2] - (x1 - x0) * v->scale) / 2;
    v->oy = v->map[1] + (v->map[3] - (y1 - y0) * v->scale) / 2;
}

/* GDAL's PAM file for a PNG (NAME.png.aux.xml): the CRS as WKT2 from
 * PROJ. dataAxisToSRSAxisMapping says the image's x is the CRS's first
 * axis unless that axis points north or south (latitude first, as in
 * EPSG:4326): the world file is always easting/longitude first. NULL if
 * PROJ cannot describe the CRS. */
static char *pam_xml(PJ_CONTEXT *ctx, const PJ *crs)
{
    const char *const opts[] = { "MULTILINE=NO", NULL };
    const char *wkt = proj_as_wkt(ctx, crs, PJ_WKT2_2019, opts);
    if (!wkt) return NULL;
    const char *mapping = "1,2";
    PJ *cs = proj_crs_get_coordinate_system(ctx, crs);
    const char *dir = NULL;
    if (cs && proj_cs_get_axis_info(ctx, cs, 0, NULL, NULL, &dir, NULL, NULL, NULL, NULL) && dir &&
        (!g_ascii_strcasecmp(dir, "north") || !g_ascii_strcasecmp(dir, "south")))
        mapping = "2,1";
    if (cs) proj_destroy(cs);
    char *esc = g_markup_escape_text(wkt, -1);
    char *xml = g_strdup_printf("<PAMDataset>\n  <SRS dataAxisToSRSAxisMapping=\"%s\">%s</SRS>\n</PAMDataset>\n", mapping, esc);
    g_free(esc);
    return xml;
}

/* ------------------------------------------------------------ drawing --- */

typedef struct map_data {
    fp_classes classes;
    int have_classes;
    long nodata;
    char field[64];
    char title[512];              /* the legend's (legend.title: at most 300 bytes) */
    GPtrArray *labels;            /* label_cand* */
    char aggregation[128];        /* the choropleth's aggregation ("" without one) */
    /* A regional map: the regions drawn within the frame, by class (the
     * legend's counts); the world map keeps the classification's counts. */
    long *in_frame_counts;        /* in_frame_classes entries */
    int in_frame_classes;
    long in_frame_nodata;
} map_data;

static void label_free(gpointer p)
{
    label_cand *l = p;
    g_free(l->text);
    g_free(l);
}

static int compare_labels(gconstpointer a, gconstpointer b)
{
    const label_cand *x = *(label_cand *const *)a, *y = *(label_cand *const *)b;
    return (x->value < y->value) - (x->value > y->value);
}

/* One region of the choropleth: filled in its class colour, outlined,
 * and a label candidate when it has a value. */
typedef struct region_draw {
    cairo_t *cr;
    const fp_view *v;
    const fp_map_style *ms;
    GEOSContextHandle_t h;
    GEOSWKBReader *rd;
    map_data *md;
    int in_frame;                 /* count the regions met by the frame (a regional map) */
    const fp_context *ctx;        /* its cancel flag stops the walk */
    GArray *small;                /* fpi_small_region: dots drawn after every region */
} region_draw;

/* Whether the segment (x0, y0)-(x1, y1) meets the rectangle x in [rx0,
 * rx1], y in [ry0, ry1] (Liang-Barsky: the part of the segment's parameter
 * range [0, 1] left inside each of the four half-planes). */
static int segment_meets_rect(double x0, double y0, double x1, double y1, double rx0, double ry0, double rx1, double ry1)
{
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    const double p[4] = { -dx, dx, -dy, dy }, q[4] = { x0 - rx0, rx1 - x0, y0 - ry0, ry1 - y0 };
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;                /* parallel to this edge and outside it */
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) { if (t > t1) return 0; if (t > t0) t0 = t; }
        else { if (t < t0) return 0; if (t < t1) t1 = t; }
    }
    return 1;
}

/* Whether the area of cr's current path (filled with the current fill
 * rule) meets the rectangle frame (x, y, w, h in user space): what a
 * regional map's legend counts. Either an edge of the path (the projected,
 * clipped, simplified outline the map draws) crosses or lies in the frame,
 * or the region covers the frame's corner (a country larger than the map). */
static int path_meets_frame(cairo_t *cr, const double frame[4])
{
    if (!cairo_has_current_point(cr)) return 0;    /* nothing of it in the view's clip */
    double rx0 = frame[0], ry0 = frame[1], rx1 = frame[0] + frame[2], ry1 = frame[1] + frame[3];
    double x0, y0, x1, y1;
    cairo_path_extents(cr, &x0, &y0, &x1, &y1);
    if (x1 < rx0 || x0 > rx1 || y1 < ry0 || y0 > ry1) return 0;          /* the boxes apart */
    if (x0 >= rx0 && x1 <= rx1 && y0 >= ry0 && y1 <= ry1) return 1;      /* wholly inside */
    if (cairo_in_fill(cr, rx0, ry0)) return 1;     /* covers the frame (or at least its corner) */
    cairo_path_t *path = cairo_copy_path_flat(cr);
    int meets = 0;
    double sx = 0, sy = 0, px = 0, py = 0;         /* the subpath's start, the last point */
    for (int i = 0; i < path->num_data && !meets; i += path->data[i].header.length) {
        const cairo_path_data_t *d = &path->data[i];
        switch (d->header.type) {
        case CAIRO_PATH_MOVE_TO:
            sx = px = d[1].point.x;
            sy = py = d[1].point.y;
            /* A lone point inside counts too (a region reduced to one). */
            meets = px >= rx0 && px <= rx1 && py >= ry0 && py <= ry1;
            break;
        case CAIRO_PATH_LINE_TO:
            meets = segment_meets_rect(px, py, d[1].point.x, d[1].point.y, rx0, ry0, rx1, ry1);
            px = d[1].point.x;
            py = d[1].point.y;
            break;
        case CAIRO_PATH_CLOSE_PATH:
            meets = segment_meets_rect(px, py, sx, sy, rx0, ry0, rx1, ry1);
            px = sx;
            py = sy;
            break;
        default: break;                            /* no curves in a flattened path */
        }
    }
    cairo_path_destroy(path);
    return meets;
}

/* Fills the current path (g's, fpi_path_geometry: cut tells whether it has
 * edges on a cut) in the current source and strokes g's outline: the path
 * itself, or without the edges on the antimeridian and the clip box. */
static void stroke_outline(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, const GEOSGeometry *g, int cut,
                           fp_rgba stroke, double width)
{
    if (cut) {
        cairo_fill(cr);
        fpi_path_outline(cr, v, h, g);
    } else {
        cairo_fill_preserve(cr);
    }
    cairo_set_line_width(cr, width);
    fpi_set_color(cr, stroke);
    cairo_stroke(cr);
}

/* A choropleth region filled in its class colour with the style's border;
 * 0 when its geometry cannot be read (nothing drawn). in_frame (may be
 * NULL) is set to whether what was drawn meets the map's frame (v->map). */
int fpi_fill_region(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, GEOSWKBReader *rd, const fp_map_style *ms,
                    const fp_choropleth_region *r, int *in_frame, GArray *small)
{
    if (in_frame) *in_frame = 0;
    GEOSGeometry *g = r->wkb ? fpi_cut_if_crossing(h, GEOSWKBReader_read_r(h, rd, r->wkb, r->wkb_len)) : NULL;
    if (!g) return 0;
    cairo_new_path(cr);
    int cut = fpi_path_geometry(cr, v, h, g);
    int meets = in_frame || small ? path_meets_frame(cr, v->map) : 0;
    if (in_frame) *in_frame = meets;
    if (small && r->class_index >= 0 && meets) {
        double x0, y0, x1, y1;
        cairo_path_extents(cr, &x0, &y0, &x1, &y1);
        int tiny = x1 > x0 && x1 - x0 < FPI_SMALL_REGION_PT && y1 - y0 < FPI_SMALL_REGION_PT;
        double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
        int parts = GEOSGetNumGeometries_r(h, g);
        if (!tiny && parts > 1 && x1 > x0) {
            /* An archipelago (Fiji, Tonga, Kiribati, Vanuatu): its extent
             * is wide, every island a few pixels, and no colour showed under
             * its label (an outside tester's Pacific cable map). Every
             * island under twice the size of a small region: a dot, on the
             * largest island as drawn. */
            cairo_path_t *whole = cairo_copy_path(cr);
            double best = -1;
            tiny = 1;
            for (int i = 0; i < parts && tiny; i++) {
                double a0, b0, a1, b1;
                cairo_new_path(cr);
                fpi_path_geometry(cr, v, h, GEOSGetGeometryN_r(h, g, i));
                cairo_path_extents(cr, &a0, &b0, &a1, &b1);
                if (!(a1 > a0)) continue;                      /* outside the view */
                if (a1 - a0 >= 2 * FPI_SMALL_REGION_PT || b1 - b0 >= 2 * FPI_SMALL_REGION_PT) tiny = 0;
                else if (!path_meets_frame(cr, v->map)) continue;   /* in the margin: no dot there (the review) */
                else if ((a1 - a0) * (b1 - b0) > best) {
                    best = (a1 - a0) * (b1 - b0);
                    cx = (a0 + a1) / 2;
                    cy = (b0 + b1) / 2;
                }
            }
            cairo_new_path(cr);
            cairo_append_path(cr, whole);
            cairo_path_destroy(whole);
            if (best < 0) tiny = 0;
        }
        if (tiny) {
            fpi_small_region d = { cx, cy, r->fill };
            g_array_append_val(small, d);
        }
    }
    fpi_set_color(cr, r->fill);
    stroke_outline(cr, v, h, g, cut, ms->borders.stroke, ms->borders.width);
    GEOSGeom_destroy_r(h, g);
    return 1;
}

void fpi_draw_small_regions(cairo_t *cr, const GArray *small)
{
    cairo_save(cr);
    cairo_set_line_width(cr, 0.35);
    for (guint i = 0; i < small->len; i++) {
        const fpi_small_region *d = &g_array_index(small, fpi_small_region, i);
        cairo_new_path(cr);
        cairo_arc(cr, d->x, d->y, FPI_SMALL_REGION_PT * 0.75, 0, 2 * M_PI);
        fpi_set_color(cr, d->fill);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);   /* seen on sea and land alike */
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

static int draw_region(void *user, const fp_choropleth_region *r)
{
    region_draw *d = user;
    if (fp_context_cancelled(d->ctx)) return 1;   /* interrupted: render_one says so */
    int in_frame = 0;
    guint small_before = d->small->len;
    if (!fpi_fill_region(d->cr, d->v, d->h, d->rd, d->ms, r, &in_frame, d->small)) return 0;
    /* A regional map's legend counts the regions in its frame, by class. */
    if (d->in_frame && in_frame) {
        if (r->class_index >= 0 && r->class_index < d->md->in_frame_classes) d->md->in_frame_counts[r->class_index]++;
        else if (r->class_index < 0) d->md->in_frame_nodata++;
    }
    if (r->class_index >= 0 && r->has_label) {
        label_cand *l = g_new0(label_cand, 1);
        l->text = g_strdup(r->name);
        l->lon = r->label_lon;
        l->lat = r->label_lat;
        l->value = r->value;
        l->beside = d->small->len > small_before ? FPI_SMALL_REGION_PT : 0;   /* not over its dot */
        g_ptr_array_add(d->md->labels, l);
    }
    return 0;
}

/* No choropleth: the countries as plain land (a facet page's panels too). */
fp_status fpi_draw_land(cairo_t *cr, const fp_view *v, GEOSContextHandle_t h, GEOSWKBReader *rd, const fp_map_style *ms,
                       fp_store *store, fp_error *err)
{
    fp_rows *r;
    fp_status st = fp_store_region_shapes(store, "country", &r, err);
    if (st) return st;
    while (fp_rows_next(r)) {
        fp_geom geom;
        if (fp_rows_geom(r, 3, 1, &geom) <= 0) continue;
        GEOSGeometry *g = fpi_cut_if_crossing(h, GEOSWKBReader_read_r(h, rd, geom.wkb, geom.wkb_len));
        if (!g) continue;
        cairo_new_path(cr);
        int cut = fpi_path_geometry(cr, v, h, g);
        fpi_set_color(cr, ms->land.fill);
        stroke_outline(cr, v, h, g, cut, ms->land.stroke, ms->land.width);
        GEOSGeom_destroy_r(h, g);
    }
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    return st;
}

/* Land, or the choropleth of an aggregation level, and the borders. With
 * count_in_frame (a regional map), the legend's class counts become those
 * of the regions drawn within the frame: "none (215)" of the whole world
 * describes no map of Zimbabwe. The world map keeps the classification's
 * counts (every region of the level, those without a geometry too). */
static fp_status draw_regions(cairo_t *cr, fp_store *store, const fp_view *v, const fp_style *style,
                              const char *aggregation, int count_in_frame, map_data *md, fp_error *err)
{
    region_draw d = { .cr = cr, .v = v, .ms = fp_style_map(style), .md = md, .in_frame = count_in_frame,
                      .ctx = fp_store_context(store) };
    fp_choropleth *ch = NULL;
    fp_status st = fp_choropleth_new(store, style, aggregation, NULL, &ch, err);
    if (st) return st;
    d.h = GEOS_init_r();
    d.rd = GEOSWKBReader_create_r(d.h);
    if (ch) {
        snprintf(md->field, sizeof md->field, "%s", fp_choropleth_field(ch));
        snprintf(md->title, sizeof md->title, "%s", fp_choropleth_title(ch));
        snprintf(md->aggregation, sizeof md->aggregation, "%s", fp_choropleth_aggregation(ch));
        md->in_frame_classes = fp_choropleth_classes(ch)->n;
        md->in_frame_counts = g_new0(long, md->in_frame_classes + 1);
        md->in_frame_nodata = 0;
        d.small = g_array_new(FALSE, FALSE, sizeof(fpi_small_region));
        st = fp_choropleth_each(ch, FP_CHOROPLETH_LABELS, draw_region, &d, err);
        if (!st) fpi_draw_small_regions(cr, d.small);
        g_array_free(d.small, TRUE);
        fp_choropleth_take_classes(ch, &md->classes);   /* md owns the classes from here */
        md->have_classes = 1;
        if (!st && count_in_frame) {
            for (int i = 0; i < md->classes.n && i < md->in_frame_classes; i++) md->classes.counts[i] = md->in_frame_counts[i];
            md->classes.nodata_count = md->in_frame_nodata;
        }
        fp_choropleth_free(ch);
    } else {
        st = fpi_draw_land(d.cr, d.v, d.h, d.rd, d.ms, store, err);
    }
    GEOSWKBReader_destroy_r(d.h, d.rd);
    GEOS_finish_r(d.h);
    return st;
}

/* A point symbol of the style: circle, square, triangle or diamond. */
void fpi_draw_symbol(cairo_t *cr, fp_shape shape, double x, double y, double size)
{
    double r = size / 2;
    switch (shape) {
    case FP_SHAPE_SQUARE: cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r); break;
    case FP_SHAPE_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r * 1.1, y + r * 0.8);
        cairo_line_to(cr, x - r * 1.1, y + r * 0.8);
        cairo_close_path(cr);
        break;
    case FP_SHAPE_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.3);
        cairo_line_to(cr, x + r * 1.3, y);
        cairo_line_to(cr, x, y + r * 1.3);
        cairo_line_to(cr, x - r * 1.3, y);
        cairo_close_path(cr);
        break;
    default: cairo_new_sub_path(cr); cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
    }
}

/* A symbol rendered once (antialiased, premultiplied ARGB) and copied onto
 * the page for every point of its category: 100,000 points rasterised one
 * by one were three quarters of an A4 300 dpi map's time. */
void fpi_sprite_free(gpointer p)
{
    fp_sprite *s = p;
    cairo_surface_destroy(s->img);
    g_free(s);
}

/* Sprites come in 4 x 4 sub-pixel phases, so a stamped symbol is at most an
 * eighth of a pixel from where the path would have put it. */
fp_sprite *fpi_sprite_for(GHashTable *cache, cairo_t *cr, const fp_rgba *col, fp_shape shape, double sz, int phase)
{
    gpointer key = (gpointer)((const char *)col + phase);   /* col points into a 2-element array: +0..15 stays unique per col */
    fp_sprite *s = g_hash_table_lookup(cache, key);
    if (s) return s;
    double k = 1, ky = 1;
    cairo_user_to_device_distance(cr, &k, &ky);
    int half = (int)ceil((sz * 0.75 + sz * 0.15) * k) + 2;
    s = g_new0(fp_sprite, 1);
    s->size = 2 * half + 1;
    s->half = half;
    s->img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, s->size, s->size);
    cairo_t *c = cairo_create(s->img);
    cairo_translate(c, half + ((phase & 3) + 0.5) / 4, half + ((phase >> 2) + 0.5) / 4);
    cairo_scale(c, k, k);
    fpi_draw_symbol(c, shape, 0, 0, sz);
    fpi_set_color(c, col[0]);
    cairo_fill_preserve(c);
    cairo_set_source_rgba(c, 1, 1, 1, 0.9);
    cairo_set_line_width(c, sz * 0.15);
    cairo_stroke(c);
    cairo_destroy(c);
    cairo_surface_flush(s->img);
    g_hash_table_insert(cache, key, s);
    return s;
}

/* OVER of premultiplied ARGB32 pixels, clipped to the map frame. */
void fpi_sprite_stamp(cairo_surface_t *dst, const fp_sprite *s, double dx, double dy, const double frame[4])
{
    int x0 = (int)floor(dx) - s->half, y0 = (int)floor(dy) - s->half;
    int w = cairo_image_surface_get_width(dst), h = cairo_image_surface_get_height(dst);
    int fx0 = (int)ceil(frame[0]), fy0 = (int)ceil(frame[1]), fx1 = (int)floor(frame[2]), fy1 = (int)floor(frame[3]);
    if (fx0 < 0) fx0 = 0;
    if (fy0 < 0) fy0 = 0;
    if (fx1 > w) fx1 = w;
    if (fy1 > h) fy1 = h;
    unsigned char *dd = cairo_image_surface_get_data(dst), *sd = cairo_image_surface_get_data(s->img);
    int ds = cairo_image_surface_get_stride(dst), ss = cairo_image_surface_get_stride(s->img);
    /* The sprite's columns inside the frame, clipped once per sprite. */
    int xs = fx0 - x0 > 0 ? fx0 - x0 : 0, xe = fx1 - x0 < s->size ? fx1 - x0 : s->size;
    for (int y = 0; y < s->size; y++) {
        int py = y0 + y;
        if (py < fy0 || py >= fy1) continue;
        const uint32_t *src = (const uint32_t *)(const void *)(sd + (size_t)y * (size_t)ss);
        uint32_t *out = (uint32_t *)(void *)(dd + (size_t)py * (size_t)ds);
        for (int x = xs; x < xe; x++) {
            uint32_t p = src[x];
            if (!p) continue;
            uint32_t a = p >> 24;
            uint32_t *o = &out[x0 + x];
            if (a == 255) { *o = p; continue; }   /* opaque: OVER gives the sprite's pixel */
            /* OVER on premultiplied ARGB, two channels per 32-bit word
             * (red and blue, then alpha and green, 16 bits each): each
             * lane is q * (255 - a) rounded / 255, exactly (t + 127) / 255,
             * as (t + 128 + ((t + 128) >> 8)) >> 8 is for t <= 255 * 255.
             * A premultiplied channel is at most a, so p + q * (255 - a) /
             * 255 stays within 255 and never carries into the next lane.
             * A third of the instructions of a loop over the four
             * channels (the A4 map's 100,000 points: 19 % of the render). */
            uint32_t q = *o, inv = 255 - a;
            uint32_t rb = (q & 0x00FF00FFu) * inv + 0x00800080u;
            uint32_t ag = ((q >> 8) & 0x00FF00FFu) * inv + 0x00800080u;
            rb = ((rb + ((rb >> 8) & 0x00FF00FFu)) >> 8) & 0x00FF00FFu;
            ag = (ag + ((ag >> 8) & 0x00FF00FFu)) & 0xFF00FF00u;
            *o = p + rb + ag;
        }
    }
}

static void flush_batch(cairo_t *cr, const fp_rgba *col)
{
    /* Non-zero winding: symbols stacked on one spot must not cancel out as
     * they would under the even-odd rule the polygons (holes) use. */
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    fpi_set_color(cr, col[0]);
    cairo_fill_preserve(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_stroke(cr);
}

/* Whether a project's facet field (column col of q) puts it in the panel:
 * the same test as fp_store_facet_counts (text equality, or a number in
 * [lo, hi]), so a panel's points and its counts agree. */
static int in_panel(fp_rows *q, int col, const fp_facet_filter *panel)
{
    const char *t = fp_rows_text(q, col);
    if (panel->value) return !strcmp(t ? t : "", panel->value);
    if (!t || !*t) return 0;
    double x = fp_rows_double(q, col);
    return x >= panel->lo && x <= panel->hi;
}

/* Legend order of categories: the style's list first, then the others by name. */
void fpi_sort_categories(const fp_style *style, GPtrArray *categories)
{
    const char *const *order;
    size_t norder = fp_style_categories(style, &order);
    for (guint i = 0; i < categories->len; i++)
        for (guint j = i + 1; j < categories->len; j++) {
            const char *a = g_ptr_array_index(categories, i), *b = g_ptr_array_index(categories, j);
            size_t ra = norder, rb = norder;
            for (size_t k = 0; k < norder; k++) {
                if (!strcmp(order[k], a)) ra = k;
                if (!strcmp(order[k], b)) rb = k;
            }
            if (rb < ra || (ra == rb && strcmp(b, a) < 0)) {
                categories->pdata[i] = (gpointer)b;
                categories->pdata[j] = (gpointer)a;
            }
        }
}

/* Projects at one place (a town's or a country's centroid, one site with
 * several contracts) would be drawn on top of each other: only the last
 * category would show, and the legend would list colours found nowhere on
 * the map. The first point at a page position stays there; the n-th more
 * goes on a sunflower (Vogel) spiral around it, golden angle apart, at a
 * radius growing with sqrt(n): side by side, without knowing how many
 * will come, in id order so a rerun draws the same. As QGIS's point
 * displacement renderer does, at the cost of a symbol's offset.
 *
 * The positions seen are counted in an open-addressing table of their
 * keys: GLib's GHashTable cost 0.07 s of CPU on the 100,000-point A4
 * 300 dpi map of bench/render (0.80 -> 0.87 s), this one a few ms. */
typedef struct point_counts {
    guint64 *keys;                /* 0: empty slot */
    guint32 *counts;
    size_t cap, used;             /* cap a power of two */
} point_counts;

static guint32 *point_counts_slot(point_counts *t, guint64 key)
{
    if (2 * (t->used + 1) > t->cap) {          /* at most half full */
        point_counts old = *t;
        t->cap = old.cap ? 2 * old.cap : 4096;
        t->keys = g_new0(guint64, t->cap);
        t->counts = g_new0(guint32, t->cap);
        t->used = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) *point_counts_slot(t, old.keys[i]) = old.counts[i];
        g_free(old.keys);
        g_free(old.counts);
    }
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (t->cap - 1);
    while (t->keys[i] && t->keys[i] != key) i = (i + 1) & (t->cap - 1);
    if (!t->keys[i]) {
        t->keys[i] = key;
        t->used++;
    }
    return &t->counts[i];
}

static void displace_coincident(point_counts *taken, double *px, double *py, double sz)
{
    if (!isfinite(*px) || !isfinite(*py)) return;
    /* Hundredths of a point, offset to be positive: the key is never 0. */
    double ix = fmin(fmax(round(*px * 100), -1e9), 1e9) + 1e9, iy = fmin(fmax(round(*py * 100), -1e9), 1e9) + 1e9;
    guint32 *seen = point_counts_slot(taken, ((guint64)ix << 32 | (guint64)iy) + 1);
    guint32 n = (*seen)++;
    if (!n) return;
    double a = n * 2.399963229728653, r = 0.75 * sz * sqrt(n + 0.8);
    *px += r * cos(a);
    *py += r * sin(a);
}

/* Project points coloured and shaped by category; lines as lines; with a
 * panel, only its projects. Adds the categories drawn (for the legend)
 * that categories does not hold yet. */
fp_status fpi_draw_projects(cairo_t *cr, fp_store *store, const fp_view *v, const fp_style *style,
                           const fp_facet_filter *panel, const char *dataset, GPtrArray *categories, double *size_max,
                           GHashTable *kinds, fp_error *err)
{
    const fp_map_style *ms = fp_style_map(style);
    const char *field = fp_style_category_field(style);
    static const char *const allowed[] = { "category", "company", "status", "dataset", "country_code", "geocode_precision", NULL };
    int ok = 0;
    for (int i = 0; allowed[i]; i++) ok |= !strcmp(allowed[i], field);
    if (!ok) return fp_error_set(err, FP_ERR_USAGE, "points.field %s: expected one of category, company, status, dataset, "
                                 "country_code, geocode_precision", field);
    /* Proportional symbols: the symbol's area grows with size_field (a
     * numeric project column), the largest value drawn at 4x the size. */
    const char *sf = ms->points.size_field;
    if (sf && strcmp(sf, "amount") && strcmp(sf, "year"))
        return fp_error_set(err, FP_ERR_USAGE, "points.size_field %s: expected amount or year", sf);
    double vmax = 0;
    fp_status st;
    if (sf) {
        if ((st = fp_store_project_max(store, sf, &vmax, err))) return st;
        *size_max = vmax;
    }
    /* Columns: 0 id, 1 geometry, 2 the point field, 3 the size field,
     * then a panel's field. */
    const char *fields[3] = { field, sf ? sf : field, panel ? panel->field : NULL };
    int panel_col = 4;
    /* In id order on both engines: later points are drawn over earlier ones,
     * and PostgreSQL's heap order changes with every UPDATE (geocode, fixes). */
    fp_project_filter all = { .with_geometry = 1, .order_by_id = 1, .dataset = dataset };
    fp_rows *q;
    if ((st = fp_store_projects(store, &all, fields, panel ? 3 : sf ? 2 : 1, &q, err))) return st;
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < categories->len; i++) g_hash_table_add(seen, g_strdup(g_ptr_array_index(categories, i)));
    GEOSContextHandle_t h = GEOS_init_r();
    GArray *pts = g_array_new(FALSE, FALSE, 2 * sizeof(double));
    double size = ms->points.size > 0 ? ms->points.size : 4;
    cairo_set_line_width(cr, size * 0.15);
    /* The colour and shape of each category, looked up once. */
    GHashTable *looks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    fp_rgba *batch_col = NULL;
    int batch_n = 0;
    /* On an image surface, symbols are stamped (see sprite_stamp). */
    cairo_surface_t *target = cairo_get_target(cr);
    cairo_surface_t *stamp = cairo_surface_get_type(target) == CAIRO_SURFACE_TYPE_IMAGE ? target : NULL;
    GHashTable *sprites = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, fpi_sprite_free);
    /* Points drawn so far at each page position: see displace_coincident. */
    point_counts taken = { 0 };
    double frame[4] = { v->map[0], v->map[1], v->map[0] + v->map[2], v->map[1] + v->map[3] };
    cairo_user_to_device(cr, &frame[0], &frame[1]);
    cairo_user_to_device(cr, &frame[2], &frame[3]);
    if (stamp) cairo_surface_flush(stamp);
    const fp_context *ctx = fp_store_context(store);
    long row = 0;
    while (fp_rows_next(q)) {
        /* Interrupted: stop drawing (the caller reports it). */
        if (!(++row & 1023) && fp_context_cancelled(ctx)) break;
        if (panel && !in_panel(q, panel_col, panel)) continue;
        const char *cat = fp_rows_text(q, 2);
        if (!cat) cat = "";                        /* no value: its own category */
        fp_rgba *col = g_hash_table_lookup(looks, cat);
        if (!col) {
            col = g_new0(fp_rgba, 4);   /* 16 bytes: col + 0..15 are the sprite keys of its phases */
            col[0] = fp_style_category_color(style, cat);
            col[1].r = (unsigned char)fp_style_category_shape(style, cat);
            g_hash_table_insert(looks, g_strdup(cat), col);
        }
        if (!g_hash_table_contains(seen, cat)) {
            g_hash_table_add(seen, g_strdup(cat));
            g_ptr_array_add(categories, g_strdup(cat));
        }
        double lon, lat, x, y, px, py;
        fp_geom geom;
        if (fp_rows_geom(q, 1, 0, &geom) <= 0) continue;
        /* The points drawn as symbols: a Point, or the points of a
         * MultiPoint or a collection; lines and areas are stroked first. */
        double one[2] = { geom.x, geom.y };
        const double *xy = one;
        guint npts = 1;
        if (!geom.is_point) {
            g_array_set_size(pts, 0);
            if (batch_n) { flush_batch(cr, batch_col); batch_n = 0; }
            /* Lines (cables, routes) and areas: the line style in the
             * category's colour. */
            GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
            GEOSGeometry *g = fpi_cut_if_crossing(h, GEOSWKBReader_read_r(h, rd, geom.wkb, geom.wkb_len));
            GEOSWKBReader_destroy_r(h, rd);
            if (g && fpi_collect_points(h, g, pts)) {
                cairo_save(cr);
                cairo_new_path(cr);
                fpi_path_outline(cr, v, h, g);   /* an area's outline, not its cut at 180 */
                /* A line or area smaller on the page than a point's symbol
                 * (a campus, a data centre's building: a few hundred metres
                 * on a world map) is also drawn as that symbol at its
                 * centre: its outline alone was two or three pixels. */
                double ex0, ey0, ex1, ey1;
                cairo_path_extents(cr, &ex0, &ey0, &ex1, &ey1);
                if (cairo_has_current_point(cr) && ex1 - ex0 < size && ey1 - ey0 < size) {
                    GEOSGeometry *c = GEOSGetCentroid_r(h, g);
                    double cx, cy;
                    if (c && !GEOSisEmpty_r(h, c) && GEOSGeomGetX_r(h, c, &cx) && GEOSGeomGetY_r(h, c, &cy)) {
                        double at[2] = { cx, cy };
                        g_array_append_vals(pts, at, 1);     /* one element: a lon/lat pair */
                    }
                    if (c) GEOSGeom_destroy_r(h, c);
                }
                fpi_set_color(cr, col[0]);
                cairo_set_line_width(cr, ms->lines.width > 0 ? ms->lines.width : 1);
                cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
                cairo_stroke(cr);
                cairo_restore(cr);
            }
            if (g) GEOSGeom_destroy_r(h, g);
            xy = (const double *)(void *)pts->data;
            npts = pts->len;
        }
        if (kinds) {
            int k = GPOINTER_TO_INT(g_hash_table_lookup(kinds, cat));
            int now = k | (npts ? FPI_DRAWN_POINT : 0) | (geom.is_point ? 0 : FPI_DRAWN_LINE);
            if (now != k) g_hash_table_insert(kinds, g_strdup(cat), GINT_TO_POINTER(now));
        }
        for (guint k = 0; k < npts; k++) {
            lon = xy[2 * k];
            lat = xy[2 * k + 1];
            if (lon < v->clip[0] - 360 || lat < v->clip[1] || lat > v->clip[3]) continue;
            fpi_view_wrap_lon(v, &lon);
            if (lon < v->clip[0] || lon > v->clip[2] || fpi_view_project(v, lon, lat, &x, &y)) continue;
            fp_view_page(v, x, y, &px, &py);
            double sz = size;
            if (sf && vmax > 0) {
                double val = fp_rows_is_null(q, 3) ? 0 : fp_rows_double(q, 3);
                sz = fp_symbol_size(size, val, vmax);
            }
            displace_coincident(&taken, &px, &py, sz);
            if (stamp && !sf) {
                /* PNG: the symbol drawn once per category, then copied. */
                double dx = px, dy = py;
                cairo_user_to_device(cr, &dx, &dy);
                int phase = (int)((dx - floor(dx)) * 4) + 4 * (int)((dy - floor(dy)) * 4);
                fp_sprite *sp = fpi_sprite_for(sprites, cr, col, (fp_shape)col[1].r, sz, phase & 15);
                if (sp) {
                    fpi_sprite_stamp(stamp, sp, dx, dy, frame);
                    continue;
                }
            }
            /* Symbols are drawn in batches of one colour: one fill and one
             * stroke per few thousand symbols instead of per symbol (a third
             * of the time of 100,000 points at 300 dpi). */
            if (batch_n && (batch_col != col || batch_n >= 4096)) {
                flush_batch(cr, batch_col);
                batch_n = 0;
            }
            if (!batch_n) cairo_new_path(cr);
            fpi_draw_symbol(cr, (fp_shape)col[1].r, px, py, sz);
            batch_col = col;
            batch_n++;
        }
    }
    g_array_free(pts, TRUE);
    g_free(taken.keys);
    g_free(taken.counts);
    if (batch_n) flush_batch(cr, batch_col);
    if (stamp) cairo_surface_mark_dirty(stamp);
    g_hash_table_destroy(sprites);
    st = fp_rows_status(q, err);
    fp_rows_free(q);
    g_hash_table_destroy(looks);
    g_hash_table_destroy(seen);
    GEOS_finish_r(h);
    fpi_sort_categories(style, categories);
    return st;
}

/* ------------------------------------------------------------ one map --- */

typedef struct page_setup {
    double w, h;                  /* points */
    double dpi;
    int kind;                     /* 0 png, 1 pdf, 2 svg, 3 GeoTIFF */
    const fp_context *ctx;        /* the store's: test pause point */
} page_setup;

/* One map in the making: what it shows, the page's layout, the surface
 * drawn on and what was drawn (for the legend). */
typedef struct map_job {
    const fp_render_options *o;
    const fp_style *style;
    const fp_map_style *ms;
    const page_setup *pg;
    const char *region, *path;
    fp_view v;
    int world;
    char region_name[256];
    int style_region;             /* the view is the style's view.region */
    const char *proj;
    double view_box[4];           /* the lon/lat box asked for, with its margin */
    const char *title, *subtitle;
    char auto_sub[300];
    double margin, text_scale, top, credit_size;
    char *tmp;                    /* the temporary file the map is written to */
    cairo_surface_t *surface;
    cairo_t *cr;
    int pw, ph;                   /* pixels (PNG, GeoTIFF) */
    map_data md;
    GPtrArray *categories;
    double size_max;
    char *tif_pam;                /* a GeoTIFF's CRS its keys cannot hold */
    const fp_facets *facets;      /* a page of small multiples: no world file */
    const fp_diff_map *diff;      /* --diff: the changes instead of the projects */
    GPtrArray *category_labels;   /* --diff: the legend's texts, with counts */
    GHashTable *kinds;            /* how each category was drawn (points, lines) */
    fpi_map_meta meta;            /* what the file records about itself (map_meta) */
} map_job;

/* What is shown: the whole world, a region or a box; the projection
 * centred on it. */
static fp_status choose_view(fp_store *store, map_job *j, fp_error *err)
{
    const fp_render_options *o = j->o;
    const fp_map_style *ms = j->ms;
    double box[4] = { -180, -90, 180, 90 };
    j->world = 1;
    /* The command's --region or --bbox first, then the style's region or
     * box (a style's region also titles the map, as --region does). */
    const char *region = j->region ? j->region : !o->has_bbox ? ms->view.region : NULL;
    if (region) {
        if (region_box(store, region, box, j->region_name, sizeof j->region_name)) {
            char *continents = continent_list(store);
            fp_status st = fp_error_set(err, FP_ERR_USAGE, "%s%s%s %s: no region with this code or name (a country or "
                                        "admin-1 region by code or name, a subregion, or a continent: %s)",
                                        j->region ? "" : fp_style_origin(j->style), j->region ? "" : ": ",
                                        j->region ? "--region" : "view.region", region, *continents ? continents : "none stored");
            g_free(continents);
            return st;
        }
        j->world = 0;
        j->style_region = !j->region;
    } else if (o->has_bbox) {
        memcpy(box, o->bbox, sizeof box);
        char why[160];
        if (fp_bbox_normalise(box, why, sizeof why))   /* the CLI checked it; a library caller may not have */
            return fp_error_set(err, FP_ERR_USAGE, "--bbox %g,%g,%g,%g: %s", o->bbox[0], o->bbox[1], o->bbox[2],
                                o->bbox[3], why);
        j->world = 0;
    } else if (ms->view.has_bbox) {
        memcpy(box, ms->view.bbox, sizeof box);
        j->world = 0;
    }
    int world = j->world;
    if (!world) {
        /* A margin of a tenth around the region. */
        double mx = (box[2] - box[0]) * 0.1 + 0.5, my = (box[3] - box[1]) * 0.1 + 0.5;
        box[0] -= mx; box[2] += mx;
        box[1] = fmax(-90, box[1] - my); box[3] = fmin(90, box[3] + my);
    }
    double lon0 = world ? 0 : (box[0] + box[2]) / 2, lat0 = world ? 0 : (box[1] + box[3]) / 2;
    /* A box across the antimeridian (a region's, the United States with the
     * Aleutians: 172..293; a --bbox 170,-25,-170,-10 read as 170..190)
     * whose centre lies past 180:
     * the box moves with its centre into the view's frame (-188..-67 around
     * -127), where the clip, the projection and the data's shifts agree.
     * Left in 0..360, the clip around lon0 +- 180 kept one degree of it and
     * the map came out empty. */
    if (lon0 > 180) {
        box[0] -= 360;
        box[2] -= 360;
        lon0 -= 360;
    }
    /* --region and --bbox on the command line ask for a regional map: LAEA
     * centred on it unless --proj says otherwise; a style's own view keeps
     * its projection. */
    j->proj = o->proj ? o->proj : (j->region || o->has_bbox) ? "laea"
            : ms->view.projection ? ms->view.projection : world ? "equal-earth" : "laea";
    /* Where the projection came from, for a message about it. */
    char origin[700];
    if (o->proj) snprintf(origin, sizeof origin, "--proj");
    else if (ms->view.projection && !(j->region || o->has_bbox))
        snprintf(origin, sizeof origin, "%s: view.projection", fp_style_origin(j->style));
    else snprintf(origin, sizeof origin, "the default projection");
    if (fp_projection_is_mercator(j->proj)) { box[1] = fmax(box[1], -85.0511); box[3] = fmin(box[3], 85.0511); }
    fp_status st = fpi_view_init(&j->v, j->proj, origin, lon0, lat0, err);
    if (st) return st;
    j->v.world = world;
    memcpy(j->v.clip, box, sizeof box);
    memcpy(j->view_box, box, sizeof box);
    /* A hair inside lon0 +- 180: on that meridian PROJ may put a point on
     * either edge of the map. */
    if (world) { j->v.clip[0] = j->v.lon0 - 180 + 1e-9; j->v.clip[2] = j->v.lon0 + 180 - 1e-9; }
    return FP_OK;
}

/* Title block, map frame and credits on the page; the view fitted into
 * the frame. Text is measured on the map's cairo_t (open_surface). */
static void lay_out_page(map_job *j)
{
    const page_setup *pg = j->pg;
    const fp_map_style *ms = j->ms;
    fp_view *v = &j->v;
    j->margin = fmin(pg->w, pg->h) * 0.04;
    /* Text shrinks on small pages (down to 55 %) so furniture leaves room
     * for the map; from about a half-letter page up it keeps its size. */
    j->text_scale = fmin(1, fmax(0.55, fmin(pg->w, pg->h) / 420));
    double title_size = (ms->title.size > 0 ? ms->title.size : 14) * j->text_scale;
    j->title = j->o->title ? j->o->title : ms->title.text;
    j->subtitle = j->o->subtitle ? j->o->subtitle : ms->title.subtitle;
    if ((j->region || (j->style_region && !ms->title.subtitle)) && !j->o->subtitle) {
        snprintf(j->auto_sub, sizeof j->auto_sub, "%s", j->region_name);
        j->subtitle = j->auto_sub;
    }
    /* A "new since" map says what it compares (and where, on a region). */
    if (j->diff && !j->o->subtitle) {
        if (j->region) snprintf(j->auto_sub, sizeof j->auto_sub, "%s, %s", fpi_diff_map_subtitle(j->diff), j->region_name);
        else snprintf(j->auto_sub, sizeof j->auto_sub, "%s", fpi_diff_map_subtitle(j->diff));
        j->subtitle = j->auto_sub;
    }
    /* Long titles wrap within the margins: the block grows by their lines. */
    j->top = j->margin + fpi_title_block_height(j->cr, ms, j->title, j->subtitle, title_size, pg->w - 2 * j->margin);
    j->credit_size = 6.5 * j->text_scale;
    v->map[0] = j->margin;
    v->map[1] = j->top;
    v->map[2] = pg->w - 2 * j->margin;
    v->map[3] = pg->h - j->top - j->margin - j->credit_size * 2;
    v->tolerance = pg->kind == 0 || pg->kind == 3 ? 36.0 / pg->dpi : 0.1;
    fpi_view_fit(v);
    if (!j->world) fpi_view_widen_clip(v, j->view_box, j->proj);
    /* The frame hugs the map, and title, frame and credits are centred on
     * the page together: balanced margins whatever the map's shape. */
    double fw = (v->extent[2] - v->extent[0]) * v->scale, fh = (v->extent[3] - v->extent[1]) * v->scale;
    double top_block = j->top - j->margin, bottom_block = j->credit_size * 3.4;   /* room for two credit lines */
    double start = (pg->h - (top_block + fh + bottom_block)) / 2;
    v->ox = (pg->w - fw) / 2;
    v->oy = start + top_block;
    v->map[0] = v->ox; v->map[1] = v->oy; v->map[2] = fw; v->map[3] = fh;
}

/* An ARGB32 image surface over pixels on huge pages where the kernel gives
 * them (fpi_big_alloc). On this platform's VMs a first touch of a 4 KiB
 * page costs far more than writing it: an A4 300 dpi map is 35 MB, 8,500
 * page faults; `render` of bench/render's map took 0.74-0.98 s with
 * cairo's own buffer and 0.52-0.58 s with malloc on huge pages throughout
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, three runs each, interleaved). */
static void free_pixels(void *pixels) { free(pixels); }

cairo_surface_t *fpi_image_surface_new(int width, int height)
{
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, width);
    size_t bytes = stride > 0 && height > 0 ? (size_t)stride * (size_t)height : 0;
    unsigned char *pixels = bytes >= FPI_HUGE_PAGE ? fpi_big_alloc(bytes) : NULL;
    if (!pixels) return cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    memset(pixels, 0, bytes);                     /* transparent, as cairo's own */
    cairo_surface_t *s = cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_ARGB32, width, height, stride);
    static const cairo_user_data_key_t key;
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_set_user_data(s, &key, pixels, free_pixels) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);                 /* an error surface: cairo's own reports why */
        free(pixels);
        return cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    }
    return s;
}

/* The surface, on a hidden temporary name next to the target (leftovers
 * of killed runs removed first), renamed into place when complete. PNG
 * pixels = points x dpi/72. */
static void open_surface(map_job *j)
{
    const page_setup *pg = j->pg;
    fpi_temp_cleanup(j->path, 0);
    j->tmp = fpi_temp_path(j->path);
    j->pw = (int)lround(pg->w * pg->dpi / 72);
    j->ph = (int)lround(pg->h * pg->dpi / 72);
    if (pg->kind == 0 || pg->kind == 3) j->surface = fpi_image_surface_new(j->pw, j->ph);
    else if (pg->kind == 1) {
        j->surface = cairo_pdf_surface_create(j->tmp, pg->w, pg->h);
        /* cairo dates the PDF now; a fixed time (SOURCE_DATE_EPOCH) makes a
         * rerun on the same data the same bytes. */
        long long epoch = fp_context_source_date(pg->ctx);
        if (epoch >= 0) {
            char when[32];
            fpi_timestamp_at(epoch, "%Y-%m-%dT%H:%M:%SZ", when);
            cairo_pdf_surface_set_metadata(j->surface, CAIRO_PDF_METADATA_CREATE_DATE, when);
            cairo_pdf_surface_set_metadata(j->surface, CAIRO_PDF_METADATA_MOD_DATE, when);
        }
    }
    else j->surface = cairo_svg_surface_create(j->tmp, pg->w, pg->h);
    j->cr = cairo_create(j->surface);
    if (pg->kind == 0 || pg->kind == 3) cairo_scale(j->cr, pg->dpi / 72, pg->dpi / 72);
}

/* Inside the map's frame (the caller clips): the sea and the graticule. */
void fpi_draw_backdrop(cairo_t *cr, const fp_view *v, const fp_map_style *ms, int world)
{
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    if (!world) {                                  /* the sea fills the frame */
        fpi_set_color(cr, ms->background);
        cairo_paint(cr);
    } else {                                       /* the sea fills the projected world */
        cairo_new_path(cr);
        fpi_path_world(cr, v);
        fpi_set_color(cr, ms->background);
        cairo_fill(cr);
    }
    if (ms->graticule.enabled) {
        cairo_new_path(cr);
        fpi_path_graticule(cr, v, ms->graticule.step > 0 ? ms->graticule.step : 30);
        cairo_set_line_width(cr, ms->graticule.width);
        fpi_set_color(cr, ms->graticule.stroke);
        cairo_stroke(cr);
    }
}

/* Over the data of a world map: the world's outline. */
void fpi_draw_world_outline(cairo_t *cr, const fp_view *v)
{
    cairo_new_path(cr);
    fpi_path_world(cr, v);
    cairo_set_line_width(cr, 0.6);
    cairo_set_source_rgb(cr, 0.55, 0.6, 0.65);
    cairo_stroke(cr);
}

/* Paper, then the map clipped to its frame: sea, graticule, regions,
 * projects, the world's outline. */
static fp_status draw_map(fp_store *store, map_job *j, fp_error *err)
{
    cairo_t *cr = j->cr;
    const fp_map_style *ms = j->ms;
    const fp_view *v = &j->v;
    if (!fpi_page_transparent(ms, j->pg->kind)) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
    }
    cairo_save(cr);
    cairo_rectangle(cr, v->map[0], v->map[1], v->map[2], v->map[3]);
    cairo_clip(cr);
    fpi_draw_backdrop(cr, v, ms, j->world);
    fp_status st = draw_regions(cr, store, v, j->style, j->o->aggregation, !j->world, &j->md, err);
    if (!st && j->diff)
        st = fpi_diff_map_draw(cr, store, v, j->diff, j->categories, j->category_labels, err);
    else if (!st && ms->points.enabled)
        st = fpi_draw_projects(cr, store, v, j->style, NULL, j->o->dataset, j->categories, &j->size_max, j->kinds, err);
    if (j->world) fpi_draw_world_outline(cr, v);
    cairo_restore(cr);
    return st;
}

/* Furniture: legend, labels, title, scale bar, credits. */
static void draw_map_furniture(map_job *j)
{
    const page_setup *pg = j->pg;
    fp_furniture f = { .view = &j->v, .style = j->style, .classes = j->md.have_classes ? &j->md.classes : NULL,
                       .legend_title = j->md.title, .categories = j->categories, .title = j->title,
                       .subtitle = j->subtitle, .margin = j->margin, .page_w = pg->w, .page_h = pg->h,
                       .credit_size = j->credit_size, .title_top = j->v.map[1] - (j->top - j->margin),
                       .size_max = j->size_max, .text_scale = j->text_scale, .category_kinds = j->kinds };
    if (j->diff) {
        f.category_labels = j->category_labels;
        f.category_style = fpi_diff_map_symbols(j->diff);
    }
    g_ptr_array_sort(j->md.labels, compare_labels);
    f.labels = j->md.labels;
    fpi_draw_furniture(j->cr, &f);
}

/* The frame shows more than the box in most projections: draw the data of
 * a wider box (the frame clips it), at most 120 degrees of longitude either
 * side of the centre (or the box itself, if wider): azimuthal projections
 * blow the land round the antipode up into rings over the whole frame, and
 * a continent's box (Oceania: 113 E to 150 W) widened by its width reached
 * it. */
void fpi_view_widen_clip(fp_view *v, const double vb[4], const char *proj)
{
    double wx = fmax(vb[2] - vb[0], 20), wy = fmax(vb[3] - vb[1], 20);
    double half = fmin(180, fmax(120, (vb[2] - vb[0]) / 2));
    v->clip[0] = fmax(vb[0] - wx, v->lon0 - half + 1e-9);
    v->clip[2] = fmin(vb[2] + wx, v->lon0 + half - 1e-9);
    v->clip[1] = fmax(vb[1] - wy, -90);
    v->clip[3] = fmin(vb[3] + wy, 90);
    if (fp_projection_is_mercator(proj)) { v->clip[1] = fmax(v->clip[1], -85.0511); v->clip[3] = fmin(v->clip[3], 85.0511); }
}

/* What the file records about itself, from what was drawn: the title
 * (else the subtitle, else "footprint map"), a description (the legend's
 * title and aggregation, the style, the view, the edition or comparison),
 * the software with its commit (fp_version) and the credit line. No date:
 * only the PDF carries one, SOURCE_DATE_EPOCH's when set (open_surface). */
static void map_meta(map_job *j)
{
    const fp_render_options *o = j->o;
    const char *title = j->title ? j->title : o->title ? o->title : j->ms->title.text;
    const char *sub = j->subtitle ? j->subtitle : o->subtitle ? o->subtitle : j->ms->title.subtitle;
    j->meta.title = g_strdup(title && *title ? title : sub && *sub ? sub : "footprint map");
    GString *d = g_string_new(NULL);
    if (*j->md.title) {
        /* "aggregation country_by_category (projects per country)" */
        if (j->ms->legend_title)         /* the style's own words, as written */
            g_string_append_printf(d, "aggregation %s (%s)", j->md.aggregation, j->md.title);
        else
            g_string_append_printf(d, "aggregation %s (%c%s)", j->md.aggregation, g_ascii_tolower(j->md.title[0]), j->md.title + 1);
    } else {
        /* A page of small multiples classes its own choropleth (facets.c):
         * the aggregation asked for, or the style's. */
        const fp_choropleth_spec *cs = fp_style_choropleth(j->style);
        const char *agg = o->aggregation ? o->aggregation : cs ? cs->aggregation : NULL;
        if (agg) g_string_append_printf(d, "aggregation %s", agg);
    }
    const char *style = fp_style_name(j->style);
    g_string_append_printf(d, "%sstyle %s", d->len ? "; " : "", style && *style ? style : fp_style_origin(j->style));
    if (*j->region_name) g_string_append_printf(d, "; region %s", j->region_name);
    else if (!j->world) {
        const double *b = o->has_bbox ? o->bbox : j->ms->view.bbox;
        g_string_append_printf(d, "; box %g,%g,%g,%g", b[0], b[1], b[2], b[3]);
    }
    g_string_append_printf(d, "; projection %s", j->proj);
    if (j->facets && o->facet) g_string_append_printf(d, "; small multiples by %s", o->facet);
    if (j->diff) g_string_append_printf(d, "; %s", fpi_diff_map_subtitle(j->diff));
    if (o->dataset) g_string_append_printf(d, "; dataset %s", o->dataset);
    d->str[0] = g_ascii_toupper(d->str[0]);       /* a sentence: "Aggregation ...", "Style ..." */
    j->meta.description = g_string_free(d, FALSE);
    j->meta.software = g_strdup_printf("footprint %s", fp_version());
    j->meta.credits = fpi_map_credits(j->ms);
}

/* cairo's SVG surface has no metadata call: the finished file gets a
 * <title> (the map's title) and a <desc> (what it shows, its credits and the
 * software that made it) as the first children of its root <svg>, where
 * SVG 1.1 (5.4) puts a document's title and description. */
static fp_status svg_add_title(const char *tmp, const char *path, const fpi_map_meta *m, fp_error *err)
{
    char *svg = NULL;
    gsize len = 0;
    GError *ge = NULL;
    if (!g_file_get_contents(tmp, &svg, &len, &ge)) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: cannot read the SVG back: %s", path, ge->message);
        g_error_free(ge);
        return st;
    }
    /* The end of the root element's start tag (cairo writes no '>' inside
     * its attributes). */
    const char *root = strstr(svg, "<svg");
    const char *end = root ? strchr(root, '>') : NULL;
    if (!end) {
        g_free(svg);
        return fp_error_set(err, FP_ERR_IO, "%s: no <svg> element in cairo's output", path);
    }
    char *desc = g_strdup_printf("%s. %s%s Made with %s.", m->description, m->credits, g_str_has_suffix(m->credits, ".") ? "" : ".",
                                 m->software);
    char *t = g_markup_escape_text(m->title, -1), *dsc = g_markup_escape_text(desc, -1);
    char *block = g_strdup_printf("\n<title>%s</title>\n<desc>%s</desc>", t, dsc);
    size_t head = (size_t)(end + 1 - svg);
    fp_status st = FP_OK;
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(svg, 1, head, f) != head || fputs(block, f) == EOF ||
        fwrite(svg + head, 1, len - head, f) != len - head)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the SVG: %s", path, strerror(errno));
    if (f && fclose(f) != 0 && !st) st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the SVG: %s", path, strerror(errno));
    g_free(block);
    g_free(t);
    g_free(dsc);
    g_free(desc);
    g_free(svg);
    return st;
}

/* Ends the drawing and writes the temporary file: PNG and GeoTIFF from
 * the pixels, PDF and SVG as cairo finishes them. */
static fp_status write_surface(map_job *j, fp_status st, fp_render_result *res, fp_error *err)
{
    const page_setup *pg = j->pg;
    cairo_destroy(j->cr);
    j->cr = NULL;
    cairo_surface_flush(j->surface);
    map_meta(j);
    if (pg->kind == 1) {
        /* The PDF's document information: cairo writes it when finishing. */
        char *subject = g_strdup_printf("%s. %s", j->meta.description, j->meta.credits);
        cairo_pdf_surface_set_metadata(j->surface, CAIRO_PDF_METADATA_TITLE, j->meta.title);
        cairo_pdf_surface_set_metadata(j->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
        cairo_pdf_surface_set_metadata(j->surface, CAIRO_PDF_METADATA_CREATOR, j->meta.software);
        g_free(subject);
    }
    if (!st && pg->kind == 0) {
        if (fp_write_png(j->surface, j->tmp, pg->dpi, &j->meta, fpi_page_transparent(j->ms, pg->kind)))
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the PNG: %s", j->path, strerror(errno));
    }
    if (!st && pg->kind == 3) {
        /* GeoTIFF: the CRS and the geotransform (of the pixels' outer
         * corner, where the world file names the first pixel's centre) go
         * inside the file, so no sidecar is written. */
        const fp_view *v = &j->v;
        double px_size = 72.0 / pg->dpi / v->scale;
        double gt[6] = { v->extent[0] - v->ox / v->scale, px_size, 0, v->extent[3] + v->oy / v->scale, 0, -px_size };
        PJ *crs = proj_get_target_crs(v->ctx, v->pj);
        const char *const opts[] = { "MULTILINE=NO", NULL };
        const char *wkt = crs ? proj_as_wkt(v->ctx, crs, PJ_WKT2_2019, opts) : NULL;
        st = fpi_write_geotiff(j->surface, j->tmp, j->path, gt, wkt, pg->dpi, &j->meta, err);
        /* A CRS GeoTIFF keys cannot hold (Equal Earth off Greenwich, say)
         * goes to NAME.tif.aux.xml, as GDAL itself would put it. */
        if (!st && crs && !fpi_geotiff_has_crs(j->tmp)) j->tif_pam = pam_xml(v->ctx, crs);
        if (crs) proj_destroy(crs);
        res->width_px = j->pw;
        res->height_px = j->ph;
    }
    cairo_surface_finish(j->surface);
    if (!st && cairo_surface_status(j->surface) != CAIRO_STATUS_SUCCESS)
        st = fp_error_set(err, FP_ERR_IO, "%s: %s", j->path, cairo_status_to_string(cairo_surface_status(j->surface)));
    if (!st && pg->kind == 2) st = svg_add_title(j->tmp, j->path, &j->meta, err);
    cairo_surface_destroy(j->surface);
    j->surface = NULL;
    return st;
}

/* The sidecars' texts: for a PNG a world file, the projection and GDAL's
 * PAM file (GDAL reads a PNG's .pgw but never its .prj, so without the
 * .aux.xml QGIS puts the map at 0,0 with no CRS); for a GeoTIFF only the
 * PAM file, when its keys cannot hold the CRS. */
static void sidecar_texts(map_job *j, char *text[3])
{
    const page_setup *pg = j->pg;
    const fp_view *v = &j->v;
    text[0] = text[1] = NULL;
    text[2] = j->tif_pam;
    j->tif_pam = NULL;                             /* owned by text[] now */
    if (pg->kind != 0) return;
    double px_size = 72.0 / pg->dpi / v->scale;   /* map units per pixel */
    double ul_x = v->extent[0] + (0.5 * 72.0 / pg->dpi - v->ox) / v->scale;
    double ul_y = v->extent[3] - (0.5 * 72.0 / pg->dpi - v->oy) / v->scale;
    text[0] = g_strdup_printf("%.10f\n0\n0\n%.10f\n%.10f\n%.10f\n", px_size, -px_size, ul_x, ul_y);
    PJ *crs = proj_get_target_crs(v->ctx, v->pj);
    const char *wkt = crs ? proj_as_wkt(v->ctx, crs, PJ_WKT1_ESRI, NULL) : NULL;
    if (!wkt && crs) wkt = proj_as_wkt(v->ctx, crs, PJ_WKT2_2019, NULL);
    if (wkt) text[1] = g_strdup(wkt);
    if (crs) text[2] = pam_xml(v->ctx, crs);
    if (crs) proj_destroy(crs);
}

/* The sidecars go to temporary names too, so a full disk fails before
 * anything is renamed and the previous map, .pgw and .prj stay as they
 * were; then the map and its sidecars are renamed into place. */
static fp_status write_sidecars_and_rename(map_job *j, fp_status st, fp_render_result *res, fp_error *err)
{
    const page_setup *pg = j->pg;
    const char *path = j->path;
    char *base = g_strdup(path);
    char *dot = strrchr(base, '.'), *slash = strrchr(base, '/');
    if (dot && (!slash || dot > slash)) *dot = 0;
    char *side[3] = { g_strdup_printf("%s.pgw", base), g_strdup_printf("%s.prj", base),
                      g_strdup_printf("%s.aux.xml", path) };
    char *side_tmp[3] = { NULL, NULL, NULL };
    g_free(base);
    if (!st && j->facets && pg->kind == 0) {
        res->width_px = j->pw;
        res->height_px = j->ph;
    }
    if (!st && !j->facets && (pg->kind == 0 || j->tif_pam)) {
        char *text[3];
        sidecar_texts(j, text);
        for (int i = 0; i < 3 && !st; i++) {
            if (!text[i]) continue;
            side_tmp[i] = fpi_temp_path(side[i]);
            fpi_temp_cleanup(side[i], 0);
            GError *ge = NULL;
            if (!g_file_set_contents(side_tmp[i], text[i], -1, &ge)) {
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", side[i], ge ? ge->message : "error");
                if (ge) g_error_free(ge);
            }
        }
        for (int i = 0; i < 3; i++) g_free(text[i]);
        res->width_px = j->pw;
        res->height_px = j->ph;
    }
    fp_context_pause(j->pg->ctx, "render:write");
    /* Ctrl-C or SIGTERM up to here: the previous map stays, no temporary
     * file either (removed below), as with --each and import. */
    if (!st && fp_context_cancelled(j->pg->ctx)) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    if (!st && g_rename(j->tmp, path) != 0) st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", path, strerror(errno));
    /* GDAL prefers a .aux.xml to the GeoTIFF's own keys: one left by an
     * earlier map of this name would misplace the new one. */
    if (!st && pg->kind == 3 && !side_tmp[2]) g_remove(side[2]);
    for (int i = 0; i < 3; i++) {
        if (!st && side_tmp[i] && g_rename(side_tmp[i], side[i]) != 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", side[i], strerror(errno));
        if (side_tmp[i]) g_remove(side_tmp[i]);     /* no-op once renamed */
        /* A page of several maps has no one georeference: an earlier
         * map's sidecars of this name would claim one. */
        if (!st && j->facets) g_remove(side[i]);
        g_free(side_tmp[i]);
        g_free(side[i]);
    }
    if (st) g_remove(j->tmp);
    return st;
}

static void map_job_clear(map_job *j)
{
    if (j->cr) cairo_destroy(j->cr);
    if (j->surface) cairo_surface_destroy(j->surface);
    g_free(j->tmp);
    g_free(j->tif_pam);
    if (j->md.have_classes) fp_classes_clear(&j->md.classes);
    g_free(j->md.in_frame_counts);
    g_free(j->meta.title);
    g_free(j->meta.description);
    g_free(j->meta.software);
    g_ptr_array_free(j->md.labels, TRUE);
    g_ptr_array_free(j->categories, TRUE);
    g_ptr_array_free(j->category_labels, TRUE);
    g_hash_table_destroy(j->kinds);
    fpi_view_clear(&j->v);
}

void fpi_no_value_note(char *out, size_t size, const char *aggregation, const char *field, int zero_is_nodata,
                       int panels)
{
    snprintf(out, size, "no region%s of aggregation %s has a value of choropleth.field '%s' (every one %s): %s "
             "every region as %s", panels ? " in any panel" : "", aggregation, field,
             zero_is_nodata ? "is 0 or empty, and zero_is_nodata counts 0 as none" : "is empty",
             panels ? "every panel shows" : "the map shows", zero_is_nodata ? "none" : "no data");
}

/* Adds a note to those said beside the map, one a line (an atlas's maps
 * share their classes: its note is said once). */
static void add_note(fp_render_result *res, const char *note)
{
    if (!*note || strstr(res->note, note)) return;
    size_t len = strlen(res->note);
    snprintf(res->note + len, sizeof res->note - len, "%s%s", len ? "\n" : "", note);
}

/* One map: view -> layout -> surface -> map -> furniture -> file ->
 * sidecars, renamed into place. */
static fp_status render_one(fp_store *store, const fp_render_options *o, const fp_style *style, const page_setup *pg,
                            const char *region, const char *path, const fp_facets *facets, const fp_diff_map *diff,
                            fp_render_result *res, fp_error *err)
{
    char note[512] = "";
    map_job j = { .o = o, .style = style, .ms = fp_style_map(style), .pg = pg, .region = region, .path = path,
                  .facets = facets, .diff = diff };
    j.md.labels = g_ptr_array_new_with_free_func(label_free);
    j.categories = g_ptr_array_new_with_free_func(g_free);
    j.category_labels = g_ptr_array_new_with_free_func(g_free);
    j.kinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    fp_status st = choose_view(store, &j, err);
    if (!st && facets) {
        /* Small multiples: the style's view in every panel (facets.c). */
        open_surface(&j);
        j.v.tolerance = pg->kind == 0 ? 36.0 / pg->dpi : 0.1;
        fp_facet_page fp = { .cr = j.cr, .w = pg->w, .h = pg->h, .view = &j.v, .world = j.world,
                             .transparent = fpi_page_transparent(j.ms, pg->kind),
                             .view_box = j.view_box, .proj = j.proj, .style = style, .o = o,
                             .note = note, .note_size = sizeof note };
        st = fpi_facets_draw(store, facets, &fp, err);
        if (!st && fp_context_cancelled(pg->ctx)) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
        st = write_surface(&j, st, res, err);
        st = write_sidecars_and_rename(&j, st, res, err);
    } else if (!st) {
        open_surface(&j);                 /* first: the layout measures text on it */
        lay_out_page(&j);
        st = draw_map(store, &j, err);
        if (!st && j.md.have_classes && j.md.classes.n == 0)
            fpi_no_value_note(note, sizeof note, j.md.aggregation, j.md.field, j.md.classes.zero_is_nodata, 0);
        if (!st) draw_map_furniture(&j);
        if (!st && fp_context_cancelled(pg->ctx)) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
        st = write_surface(&j, st, res, err);
        st = write_sidecars_and_rename(&j, st, res, err);
    }
    if (!st) {
        res->maps++;
        snprintf(res->path, sizeof res->path, "%s", path);
        add_note(res, note);
    }
    map_job_clear(&j);
    return st;
}

/* A font the style names that fontconfig does not have is drawn in its
 * fallback without any error from Pango: said, so that a misspelled house
 * font does not go to print unnoticed. */
static void note_missing_fonts(const fp_style *style, fp_render_result *res)
{
    const fp_map_style *ms = fp_style_map(style);
    const char *font[2] = { ms->title.font, ms->labels.font };
    const char *key[2] = { "title.font", "labels.font" };
    for (int i = 0; i < 2; i++) {
        char fallback[128], note[sizeof res->note];
        if (!font[i] || fpi_text_font_installed(font[i], fallback, sizeof fallback)) continue;
        if (i == 1 && font[0] && !strcmp(font[0], font[1])) continue;   /* said once */
        snprintf(note, sizeof note, "%s: %s '%s' is not an installed font: drawn in fontconfig's fallback (%s); "
                 "`fc-list : family` lists the installed ones", fp_style_origin(style), key[i], font[i], fallback);
        add_note(res, note);
    }
}

fp_status fp_render(fp_store *store, const fp_render_options *o, fp_render_result *res, fp_error *err)
{
    fp_render_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_render: store is NULL");
    if (!o) return fp_error_set(err, FP_ERR_USAGE, "fp_render: opts is NULL");
    if (!o->output) return fp_error_set(err, FP_ERR_USAGE, "render needs -o FILE.png|.pdf|.svg|.tif");
    fp_status dst = o->dataset ? fp_store_dataset_check(store, o->dataset, err) : FP_OK;   /* a typo: not an empty map */
    if (dst) return dst;
    const char *out = o->output;
    const char *ext = strrchr(out, '.');
    page_setup pg = { .ctx = fp_store_context(store) };
    if (o->each && (!ext || strrchr(out, '/') > ext)) ext = ".png";
    if (!ext) return fp_error_set(err, FP_ERR_USAGE, "-o %s: name a .png, .pdf, .svg or .tif file", out);
    if (!g_ascii_strcasecmp(ext, ".png")) pg.kind = 0;
    else if (!g_ascii_strcasecmp(ext, ".pdf")) pg.kind = 1;
    else if (!g_ascii_strcasecmp(ext, ".svg")) pg.kind = 2;
    else if (!g_ascii_strcasecmp(ext, ".tif") || !g_ascii_strcasecmp(ext, ".tiff")) pg.kind = 3;
    else return fp_error_set(err, FP_ERR_USAGE, "-o %s: name a .png, .pdf, .svg or .tif file", out);
    /* Page size: --size in pixels at the dpi, else paper (A4 landscape). */
    if (o->width > 0 && o->height > 0 && o->paper)
        return fp_error_set(err, FP_ERR_USAGE, "--size and --paper exclude each other (--size WxH in pixels at --dpi, or "
                            "--paper A4|A3|letter|WxHmm...)");
    if (o->width > 0 && o->height > 0) {
        pg.dpi = o->dpi > 0 ? o->dpi : 96;
        pg.w = o->width * 72.0 / pg.dpi;
        pg.h = o->height * 72.0 / pg.dpi;
    } else {
        const paper *p = NULL;
        const char *name = o->paper ? o->paper : "A4";
        for (const paper *q = papers; q->name; q++)
            if (!g_ascii_strcasecmp(q->name, name)) p = q;
        int custom = p ? 0 : custom_paper(name, &pg.w, &pg.h);
        if (custom < 0) return fp_error_set(err, FP_ERR_USAGE, "--paper %s: each side 20 to 2000 mm", name);
        if (!p && !custom) return fp_error_set(err, FP_ERR_USAGE, "--paper %s: expected " PAPER_NAMES, name);
        if (custom && o->portrait)
            return fp_error_set(err, FP_ERR_USAGE, "--paper %s --portrait: a WxH page is drawn as given (swap W and H)", name);
        if (p) {
            int landscape = !o->portrait;
            pg.w = landscape ? p->h : p->w;
            pg.h = landscape ? p->w : p->h;
        }
        pg.dpi = o->dpi > 0 ? o->dpi : 150;
    }
    if (o->facet && o->each) return fp_error_set(err, FP_ERR_USAGE, "--facet draws one page: no --each");
    if (o->facet && pg.kind == 3)
        return fp_error_set(err, FP_ERR_USAGE, "-o %s: a page of small multiples is a .png, .pdf or .svg (a GeoTIFF has one map)", out);
    if (!o->facet && (o->facet_values || o->facet_bins || o->cumulative))
        return fp_error_set(err, FP_ERR_USAGE, "--facet-values, --facet-bins and --cumulative need --facet FIELD");
    if (o->region && o->has_bbox) return fp_error_set(err, FP_ERR_USAGE, "--region and --bbox exclude each other");
    if (o->each && (o->region || o->has_bbox)) return fp_error_set(err, FP_ERR_USAGE, "--each draws every region: no --region or --bbox");
    if (pg.dpi < 10 || pg.dpi > 1200) return fp_error_set(err, FP_ERR_USAGE, "--dpi %g: expected 10 to 1200", pg.dpi);
    if (pg.w * pg.dpi / 72 > 20000 || pg.h * pg.dpi / 72 > 20000)
        return fp_error_set(err, FP_ERR_USAGE, "the image would be larger than 20000 pixels on a side");
    if (o->diff && (o->facet || o->each)) return fp_error_set(err, FP_ERR_USAGE, "--diff draws one map: no --facet or --each");
    if (o->changes && !o->diff) return fp_error_set(err, FP_ERR_USAGE, "--changes needs --diff OLD:NEW");
    fp_style *style = NULL;
    /* A diff map's default style is the shipped one of the changes. */
    fp_status st = fp_style_load_ctx(fp_store_context(store), o->style_path ? o->style_path : o->diff ? "diff" : NULL,
                                     &style, err);
    if (st) return st;
    /* The projects' categories colour project points; a diff map draws
     * changes (coloured by the style's own list of kinds) instead. */
    if (!o->diff && fp_style_map(style)->points.enabled && (st = fp_style_set_store_categories(style, store, err))) {
        fp_style_free(style);
        return st;
    }
    if ((st = fp_style_set_store_credits(style, store, err))) {
        fp_style_free(style);
        return st;
    }
    note_missing_fonts(style, res);
    /* The comparison before any file or folder: a bad --diff writes nothing. */
    fp_diff_map *diff = NULL;
    if (o->diff && (st = fpi_diff_map_new(store, o, style, &diff, err))) {
        fp_style_free(style);
        return st;
    }
    if (!o->each) {
        char *dir = g_path_get_dirname(out);
        if (g_mkdir_with_parents(dir, 0777) != 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot create folder: %s", dir, strerror(errno));
        g_free(dir);
        fp_facets *facets = NULL;
        if (!st && o->facet) st = fpi_facets_new(store, style, o, &facets, err);
        if (!st) st = render_one(store, o, style, &pg, o->region, out, facets, diff, res, err);
        char note[sizeof res->note];
        if (!st) {
            fpi_facets_note(facets, note, sizeof note);
            add_note(res, note);
        }
        if (!st && diff && *fpi_diff_map_warning(diff)) {
            snprintf(note, sizeof note, "--diff: %s", fpi_diff_map_warning(diff));
            add_note(res, note);
        }
        fpi_facets_free(facets);
    } else {
        /* Atlas: one map per region of the level that has projects. */
        const fp_choropleth_spec *cs = fp_style_choropleth(style);
        const char *agg = o->aggregation ? o->aggregation : cs && cs->aggregation ? cs->aggregation : "country_by_category";
        fp_rows *q;
        fp_error e = {0};
        if (fp_store_aggregation_codes(store, agg, o->each, &q, &e)) {
            st = fp_error_set(err, FP_ERR_USAGE, "--each %s: no aggregation '%s' (run `footprint aggregate`)", o->each, agg);
        } else {
            GPtrArray *codes = g_ptr_array_new_with_free_func(g_free);
            while (fp_rows_next(q)) g_ptr_array_add(codes, g_strdup(fp_rows_text(q, 0)));
            st = fp_rows_status(q, err);
            fp_rows_free(q);
            if (!st && !codes->len) st = fp_error_set(err, FP_ERR_USAGE, "--each %s: no %s of aggregation '%s' has projects", o->each, o->each, agg);
            int folder = !strstr(out, "{code}");
            if (folder) g_mkdir_with_parents(out, 0777);
            for (guint i = 0; i < codes->len && !st; i++) {
                const char *code = g_ptr_array_index(codes, i);
                /* Codes are ours (ISO codes, grid cells); keep them file-safe anyway. */
                char *safe = g_strdup(code);
                for (char *c = safe; *c; c++) if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_') *c = '_';
                char *path;
                if (folder) path = g_strdup_printf("%s/%s%s", out, safe, strrchr(out, '.') > strrchr(out, '/') ? "" : ext);
                else {
                    gchar **parts = g_strsplit(out, "{code}", -1);
                    path = g_strjoinv(safe, parts);
                    g_strfreev(parts);
                }
                char *pdir = g_path_get_dirname(path);
                if (g_mkdir_with_parents(pdir, 0777) != 0)
                    st = fp_error_set(err, FP_ERR_IO, "%s: cannot create folder: %s", pdir, strerror(errno));
                g_free(pdir);
                if (!st) st = render_one(store, o, style, &pg, code, path, NULL, NULL, res, err);
                g_free(path);
                g_free(safe);
                if (fp_context_cancelled(fp_store_context(store)) && !st) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
            }
            g_ptr_array_free(codes, TRUE);
        }
    }
    fpi_diff_map_free(diff);
    fp_style_free(style);
    res->seconds = fpi_now() - t0;
    return st;
}
