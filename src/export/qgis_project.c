/* `export --format qgz`: a QGIS 3.22 project (.qgz, a zip holding one .qgs
 * XML document) next to a GeoPackage of its layers, both written in a
 * temporary folder and renamed into place.
 *
 * The GeoPackage (FILE.gpkg beside FILE.qgz) holds the base map (sea,
 * graticules, countries, admin-1), the aggregation with its centroids and
 * the projects; the project refers to it by a relative path, so the folder
 * can be zipped and moved. Each layer's style is the QML that
 * src/style/qml.c wrote into the GeoPackage's layer_styles (the same rules,
 * colours and labels as `render`), copied into its <maplayer>.
 *
 * One print layout per shipped style reproduces the report map: the page
 * (A4 landscape), the map frame and extent computed as render.c computes
 * them (kept in step by hand: render's layout is internal to src/render/),
 * title, subtitle, legend with class ranges and counts, a scale bar where
 * render draws one (regional maps), credits. An atlas layout walks the
 * regions with projects like `render --each`.
 *
 * XML through libxml2's tree API, the zip through minizip. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <proj.h>
#include "common/gdal_api.h"
#include <zip.h>
#include "export_internal.h"
#include "fp_version.h"
#include "common/util.h"

#define MM(pt) ((pt) * 25.4 / 72.0)   /* points to millimetres */
#define PAGE_W 841.890                 /* A4 landscape, points: render's default page */
#define PAGE_H 595.276
#define ATLAS_LON0 "view_lon0"         /* the atlas pages' centres, columns of the coverage layer */
#define ATLAS_LAT0 "view_lat0"

/* ----------------------------------------------------------- XML helpers --- */

static void attr(xmlNodePtr n, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void attr(xmlNodePtr n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmlNewProp(n, BAD_CAST name, BAD_CAST v);
    g_free(v);
}

/* A child element; text (escaped) may be NULL. */
static xmlNodePtr el(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void rgba_text(fp_rgba c, char out[24])
{
    snprintf(out, 24, "%d,%d,%d,%d", c.r, c.g, c.b, c.a);
}

static void color_el(xmlNodePtr parent, const char *name, fp_rgba c)
{
    xmlNodePtr n = el(parent, name, NULL);
    attr(n, "red", "%d", c.r);
    attr(n, "green", "%d", c.g);
    attr(n, "blue", "%d", c.b);
    attr(n, "alpha", "%d", c.a);
}

/* <Option type="Map"> with one QString per key, as QGIS 3 writes symbol
 * layer properties (and <prop> twins for older readers). */
static void symbol_layer(xmlNodePtr symbol, const char *cls, const char *const *kv)
{
    xmlNodePtr l = el(symbol, "layer", NULL);
    attr(l, "class", "%s", cls);
    attr(l, "enabled", "1");
    attr(l, "locked", "0");
    attr(l, "pass", "0");
    xmlNodePtr map = el(l, "Option", NULL);
    attr(map, "type", "Map");
    for (int i = 0; kv[i]; i += 2) {
        xmlNodePtr o = el(map, "Option", NULL);
        attr(o, "type", "QString");
        attr(o, "name", "%s", kv[i]);
        attr(o, "value", "%s", kv[i + 1]);
    }
    for (int i = 0; kv[i]; i += 2) {
        xmlNodePtr p = el(l, "prop", NULL);
        attr(p, "k", "%s", kv[i]);
        attr(p, "v", "%s", kv[i + 1]);
    }
}

static xmlNodePtr symbol_el(xmlNodePtr parent, const char *type, const char *name)
{
    xmlNodePtr s = el(parent, "symbol", NULL);
    attr(s, "type", "%s", type);
    attr(s, "name", "%s", name);
    attr(s, "alpha", "1");
    attr(s, "clip_to_extent", "1");
    attr(s, "force_rhr", "0");
    return s;
}

/* A fill symbol: colour, outline colour and width (points); outline NULL: none. */
static void fill_symbol(xmlNodePtr parent, const char *name, fp_rgba fill, const fp_rgba *outline, double width)
{
    char f[24], o[24] = "0,0,0,0", w[32];
    rgba_text(fill, f);
    if (outline) rgba_text(*outline, o);
    snprintf(w, sizeof w, "%g", width);
    const char *kv[] = { "color", f, "joinstyle", "round", "outline_color", o, "outline_style", outline ? "solid" : "no",
                         "outline_width", w, "outline_width_unit", "Point", "style", "solid", NULL };
    symbol_layer(symbol_el(parent, "fill", name), "SimpleFill", kv);
}

static void line_symbol(xmlNodePtr parent, const char *name, fp_rgba color, double width)
{
    char c[24], w[32];
    rgba_text(color, c);
    snprintf(w, sizeof w, "%g", width);
    const char *kv[] = { "line_color", c, "line_style", "solid", "line_width", w, "line_width_unit", "Point",
                         "capstyle", "round", "joinstyle", "round", NULL };
    symbol_layer(symbol_el(parent, "line", name), "SimpleLine", kv);
}

/* A single-symbol renderer (base layers); returns <symbols> to fill. */
static xmlNodePtr single_renderer(xmlNodePtr maplayer)
{
    xmlNodePtr r = el(maplayer, "renderer-v2", NULL);
    attr(r, "type", "singleSymbol");
    attr(r, "symbollevels", "0");
    attr(r, "enableorderby", "0");
    attr(r, "forceraster", "0");
    attr(r, "referencescale", "-1");
    return el(r, "symbols", NULL);
}

/* <spatialrefsys> of a PROJ definition: WKT (what QGIS reads first),
 * PROJ string, and the authority code where there is one. */
static void srs_el(xmlNodePtr parent, PJ_CONTEXT *ctx, const char *def)
{
    xmlNodePtr s = el(parent, "spatialrefsys", NULL);
    PJ *crs = proj_create(ctx, def);
    const char *const wopts[] = { "MULTILINE=NO", NULL };
    const char *wkt = crs ? proj_as_wkt(ctx, crs, PJ_WKT2_2019, wopts) : NULL;
    const char *p4 = crs ? proj_as_proj_string(ctx, crs, PJ_PROJ_4, NULL) : NULL;
    const char *name = crs ? proj_get_name(crs) : NULL;
    el(s, "wkt", wkt ? wkt : "");
    el(s, "proj4", p4 ? p4 : "");
    el(s, "authid", g_str_has_prefix(def, "EPSG:") ? def : "");
    el(s, "description", name ? name : def);
    el(s, "geographicflag", crs && proj_get_type(crs) == PJ_TYPE_GEOGRAPHIC_2D_CRS ? "true" : "false");
    if (crs) proj_destroy(crs);
}

/* ------------------------------------------------------- the map's view --- */

/* Where render puts a style's map on the page and what it shows: the same
 * steps as render_one() for a map without --region/--bbox (see render.c). */
typedef struct map_view {
    char proj_def[256];
    int world;
    double extent[4];             /* projected x0, y0, x1, y1 */
    double frame[4];              /* x, y, w, h on the page, points */
    double title_top, title_size, credit_size, text_scale, margin;
} map_view;

static fp_status view_of_style(const fp_style *style, map_view *v, fp_error *err)
{
    const fp_map_style *ms = fp_style_map(style);
    memset(v, 0, sizeof *v);
    double box[4] = { -180, -90, 180, 90 };
    v->world = !ms->view.has_bbox;
    if (!v->world) {
        memcpy(box, ms->view.bbox, sizeof box);
        double mx = (box[2] - box[0]) * 0.1 + 0.5, my = (box[3] - box[1]) * 0.1 + 0.5;   /* render's margin */
        box[0] -= mx; box[2] += mx;
        box[1] = fmax(-90, box[1] - my); box[3] = fmin(90, box[3] + my);
    }
    double lon0 = v->world ? 0 : (box[0] + box[2]) / 2, lat0 = v->world ? 0 : (box[1] + box[3]) / 2;
    if (lon0 > 180) {                             /* a box across the antimeridian (view.bbox east past 180) */
        box[0] -= 360;
        box[2] -= 360;
        lon0 -= 360;
    }
    const char *proj = ms->view.projection ? ms->view.projection : v->world ? "equal-earth" : "laea";
    /* render's definitions (fp_projection_definition), but the world's
     * Equal Earth by its EPSG code, which QGIS shows by name. */
    if (!strcmp(proj, "equal-earth") && v->world) snprintf(v->proj_def, sizeof v->proj_def, "EPSG:8857");
    else fp_projection_definition(proj, lon0, lat0, v->proj_def, sizeof v->proj_def);
    if (fp_projection_is_mercator(proj)) { box[1] = fmax(box[1], -85.0511); box[3] = fmin(box[3], 85.0511); }
    if (v->world) { box[0] = -180 + 1e-9; box[2] = 180 - 1e-9; }
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4326", v->proj_def, NULL);
    PJ *pj = raw ? proj_normalize_for_visualization(ctx, raw) : NULL;
    if (raw) proj_destroy(raw);
    if (!pj) {
        proj_context_destroy(ctx);
        char hint[400];
        fp_projection_hint(proj, hint, sizeof hint);
        return fp_error_set(err, FP_ERR_USAGE, "%s: view.projection %s: PROJ cannot use it (%s)", fp_style_origin(style),
                            proj, hint);
    }
    /* The projected extent of the box's edges and a 10x10 grid inside. */
    double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
    for (int i = 0; i <= 100; i++)
        for (int j = 0; j <= 100; j++) {
            if (i && i < 100 && j && j < 100 && (i % 10 || j % 10)) continue;
            PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(box[0] + (box[2] - box[0]) * i / 100.0,
                                                            box[1] + (box[3] - box[1]) * j / 100.0, 0, 0));
            if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL) continue;
            x0 = fmin(x0, c.xy.x); x1 = fmax(x1, c.xy.x);
            y0 = fmin(y0, c.xy.y); y1 = fmax(y1, c.xy.y);
        }
    proj_destroy(pj);
    proj_context_destroy(ctx);
    if (!(x1 > x0 && y1 > y0))
        return fp_error_set(err, FP_ERR_USAGE, "%s: the view has no extent in %s", fp_style_origin(style), v->proj_def);
    v->extent[0] = x0; v->extent[1] = y0; v->extent[2] = x1; v->extent[3] = y1;
    /* Page layout, as render.c. */
    v->margin = fmin(PAGE_W, PAGE_H) * 0.04;
    v->text_scale = fmin(1, fmax(0.55, fmin(PAGE_W, PAGE_H) / 420));
    v->title_size = (ms->title.size > 0 ? ms->title.size : 14) * v->text_scale;
    const char *title = ms->title.text, *subtitle = ms->title.subtitle;
    double top = v->margin + (title ? v->title_size * 1.3 : 0) + (subtitle ? v->title_size * 0.8 : 0) +
                 (title || subtitle ? v->title_size * 0.5 : 0);
    v->credit_size = 6.5 * v->text_scale;
    double mw = PAGE_W - 2 * v->margin, mh = PAGE_H - top - v->margin - v->credit_size * 2;
    double scale = fmin(mw / (x1 - x0), mh / (y1 - y0));
    double fw = (x1 - x0) * scale, fh = (y1 - y0) * scale;
    double top_block = top - v->margin, bottom_block = v->credit_size * 3.4;
    double start = (PAGE_H - (top_block + fh + bottom_block)) / 2;
    v->frame[0] = (PAGE_W - fw) / 2;
    v->frame[1] = start + top_block;
    v->frame[2] = fw;
    v->frame[3] = fh;
    v->title_top = v->frame[1] - (top - v->margin);
    return FP_OK;
}

/* ----------------------------------------------------------- the layers --- */

typedef struct qlayer {
    const char *table;            /* the GeoPackage table */
    const char *name;             /* shown in QGIS */
    const char *geometry;         /* Point, Line, Polygon */
    const char *wkb;
    const char *subset;           /* geometry type filter of a mixed layer, or NULL */
    int checked;
    xmlDocPtr qml;                /* the layer's style (owned) */
    int labels;                   /* labelled (choropleth) */
    char id[96];                  /* QGIS keeps ids longer than 10 characters only */
} qlayer;

/* The style of a table from the GeoPackage's layer_styles (what qml.c
 * wrote), parsed; NULL if there is none. */
static xmlDocPtr style_of_table(const char *gpkg, const char *table)
{
    int len = 0;
    char *qml = fpi_gpkg_style_qml(gpkg, table, &len);
    xmlDocPtr doc = qml ? xmlReadMemory(qml, len, "layer_styles.qml", "UTF-8", XML_PARSE_NONET | XML_PARSE_NOBLANKS) : NULL;
    free(qml);
    return doc;
}

/* A base layer's style: one symbol. */
static xmlDocPtr plain_style(const char *kind, fp_rgba fill, const fp_rgba *outline, double width)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "qgis");
    xmlDocSetRootElement(doc, root);
    xmlNodePtr symbols = single_renderer(root);
    if (!strcmp(kind, "line")) line_symbol(symbols, "0", fill, width);
    else fill_symbol(symbols, "0", fill, outline, width);
    return doc;
}

/* Labels as render draws them: the region's name in the style's font,
 * colour and halo, on the labels.max regions of highest value in a class.
 * The rule's filter ranks the layer's values itself: QGIS's "only draw
 * labels for N features" keeps the first N in the layer's order (codes
 * alphabetically: Austria and Malta labelled, the top country not). Ties
 * at the N-th value are all labelled; with fewer than N in a class, all
 * (negative values too: no threshold of 0). */
static void add_labeling(xmlNodePtr maplayer, const fp_style *style, const char *field)
{
    const fp_map_style *ms = fp_style_map(style);
    int max = ms->labels.max > 0 ? ms->labels.max : 20;
    xmlNodePtr lab = el(maplayer, "labeling", NULL);
    attr(lab, "type", "rule-based");
    xmlNodePtr rules = el(lab, "rules", NULL);
    attr(rules, "key", "fp_labels");
    xmlNodePtr rule = el(rules, "rule", NULL);
    attr(rule, "key", "fp_labels_classed");
    attr(rule, "filter",
         "\"%s\" IS NOT NULL AND \"%s\" <> 0 AND coalesce(\"%s\" >= array_get(array_sort(aggregate(layer:=@layer, "
         "aggregate:='array_agg', expression:=\"%s\", filter:=\"%s\" IS NOT NULL AND \"%s\" <> 0), ascending:=false), %d), true)",
         field, field, field, field, field, field, max - 1);
    xmlNodePtr set = el(rule, "settings", NULL);
    attr(set, "calloutType", "simple");
    xmlNodePtr ts = el(set, "text-style", NULL);
    char col[24], halo[24];
    rgba_text(ms->labels.color, col);
    rgba_text(ms->labels.halo, halo);
    attr(ts, "fieldName", "name");
    attr(ts, "isExpression", "0");
    attr(ts, "fontFamily", "%s", ms->labels.font ? ms->labels.font : "DejaVu Sans");
    attr(ts, "fontSize", "%g", (ms->labels.size > 0 ? ms->labels.size : 7) * fmin(1, fmax(0.55, PAGE_H / 420)));
    attr(ts, "fontSizeUnit", "Point");
    attr(ts, "fontWeight", "50");
    attr(ts, "textColor", "%s", col);
    attr(ts, "textOpacity", "1");
    xmlNodePtr buf = el(ts, "text-buffer", NULL);
    attr(buf, "bufferDraw", "1");
    attr(buf, "bufferColor", "%s", halo);
    attr(buf, "bufferSize", "0.6");
    attr(buf, "bufferSizeUnits", "Point");
    attr(buf, "bufferNoFill", "1");
    attr(buf, "bufferOpacity", "1");
    attr(buf, "bufferJoinStyle", "128");
    xmlNodePtr pl = el(set, "placement", NULL);
    attr(pl, "placement", "1");              /* over the point (the polygon's centroid) */
    attr(pl, "centroidInside", "1");
    attr(pl, "priority", "5");
    xmlNodePtr rd = el(set, "rendering", NULL);
    attr(rd, "drawLabels", "1");
    attr(rd, "obstacle", "1");
    attr(rd, "displayAll", "0");
    attr(rd, "limitNumLabels", "0");
    attr(rd, "minFeatureSize", "0");
    attr(rd, "upsidedownLabels", "0");
}

static char *source_of(const char *gpkg_name, const qlayer *l)
{
    return g_strdup_printf("./%s|layername=%s%s%s", gpkg_name, l->table, l->subset ? "|geometrytype=" : "",
                           l->subset ? l->subset : "");
}

static void add_maplayer(xmlNodePtr parent, PJ_CONTEXT *ctx, const char *gpkg_name, const qlayer *l,
                         const fp_style *label_style)
{
    xmlNodePtr m = el(parent, "maplayer", NULL);
    attr(m, "type", "vector");
    attr(m, "geometry", "%s", l->geometry);
    attr(m, "wkbType", "%s", l->wkb);
    attr(m, "labelsEnabled", "%d", l->labels);
    attr(m, "hasScaleBasedVisibilityFlag", "0");
    attr(m, "minScale", "0");
    attr(m, "maxScale", "0");
    attr(m, "readOnly", "0");
    attr(m, "styleCategories", "AllStyleCategories");
    el(m, "id", l->id);
    char *src = source_of(gpkg_name, l);
    el(m, "datasource", src);
    g_free(src);
    el(m, "layername", l->name);
    srs_el(el(m, "srs", NULL), ctx, "EPSG:4326");
    xmlNodePtr prov = el(m, "provider", "ogr");
    attr(prov, "encoding", "UTF-8");
    /* The style: every element of the QML's <qgis> root. */
    xmlNodePtr root = l->qml ? xmlDocGetRootElement(l->qml) : NULL;
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) xmlAddChild(m, xmlDocCopyNode(c, m->doc, 1));
    if (l->labels && label_style) {
        const fp_choropleth_spec *cs = fp_style_choropleth(label_style);
        add_labeling(m, label_style, cs && cs->field ? cs->field : "projects");
    }
    el(m, "blendMode", "0");
    el(m, "featureBlendMode", "0");
    el(m, "layerOpacity", "1");
}

/* ---------------------------------------------------------- the layouts --- */

/* The attributes every layout item has; x, y, w, h in points. */
static xmlNodePtr layout_item(xmlNodePtr layout, int type, const char *id, double x, double y, double w, double h,
                              int ref, int z, char uuid_out[40])
{
    xmlNodePtr it = el(layout, "LayoutItem", NULL);
    char uuid[40];
    /* Items are numbered through the project: the counter is the project's
     * (its document's _private, set where the layouts begin). */
    int *serial = layout->doc->_private;
    snprintf(uuid, sizeof uuid, "{f0f0f0f0-0000-4000-8000-%012d}", ++*serial);
    if (uuid_out) memcpy(uuid_out, uuid, sizeof uuid);
    attr(it, "type", "%d", type);
    attr(it, "uuid", "%s", uuid);
    attr(it, "templateUuid", "%s", uuid);
    attr(it, "id", "%s", id);
    attr(it, "position", "%.4f,%.4f,mm", MM(x), MM(y));
    attr(it, "positionOnPage", "%.4f,%.4f,mm", MM(x), MM(y));
    attr(it, "size", "%.4f,%.4f,mm", MM(w), MM(h));
    attr(it, "referencePoint", "%d", ref);
    attr(it, "zValue", "%d", z);
    attr(it, "visibility", "1");
    attr(it, "opacity", "1");
    attr(it, "itemRotation", "0");
    attr(it, "positionLock", "false");
    attr(it, "excludeFromExports", "0");
    attr(it, "blendMode", "0");
    attr(it, "frame", "false");
    attr(it, "background", "false");
    attr(it, "frameJoinStyle", "miter");
    attr(it, "outlineWidthM", "0.3,mm");
    attr(it, "groupUuid", "%s", "");
    return it;
}

static void set_attr(xmlNodePtr n, const char *name, const char *value)
{
    xmlSetProp(n, BAD_CAST name, BAD_CAST value);
}

/* A text label; halign 1 left, 2 right (Qt), valign 32 top. */
static void label_item(xmlNodePtr layout, const char *id, const char *text, double x, double y, double w, double h,
                       const char *font, double size, int bold, fp_rgba color, int halign)
{
    xmlNodePtr it = layout_item(layout, 65641, id, x, y, w, h, 0, 5, NULL);
    attr(it, "labelText", "%s", text);
    attr(it, "htmlState", "0");
    attr(it, "marginX", "0");
    attr(it, "marginY", "0");
    attr(it, "halign", "%d", halign);
    attr(it, "valign", "32");
    color_el(it, "FrameColor", (fp_rgba){ 0, 0, 0, 255 });
    color_el(it, "BackgroundColor", (fp_rgba){ 255, 255, 255, 255 });
    xmlNodePtr f = el(it, "LabelFont", NULL);
    attr(f, "description", "%s,%g,-1,5,%d,0,0,0,0,0", font, size, bold ? 75 : 50);
    attr(f, "style", "%s", "");
    color_el(it, "FontColor", color);
}

static void layer_ref(xmlNodePtr set, const char *gpkg_name, const qlayer *l)
{
    xmlNodePtr n = el(set, "Layer", l->id);
    char *src = source_of(gpkg_name, l);
    attr(n, "source", "%s", src);
    g_free(src);
    attr(n, "name", "%s", l->name);
    attr(n, "provider", "ogr");
}

typedef struct layout_spec {
    const char *name;             /* layout name */
    const fp_style *style;
    const map_view *view;
    const qlayer *const *layers;  /* drawn, bottom first; NULL-terminated */
    const qlayer *legend;         /* the legend's layer */
    const char *legend_title;
    const qlayer *coverage;       /* atlas over this layer, or NULL */
    int sea;                      /* the sea is a layer (world maps), not the frame's colour */
} layout_spec;

/* An atlas's map frame: the whole map area below the title block. */
static void atlas_frame(const map_view *v, double f[4])
{
    f[0] = v->margin;
    f[1] = v->frame[1];
    f[2] = PAGE_W - 2 * v->margin;
    f[3] = PAGE_H - f[1] - v->margin - v->credit_size * 3.4;
}

/* Where a layout's map frame goes (x, y, w, h in points): render's, or for
 * an atlas the whole map area. */
static void frame_of(const layout_spec *s, double f[4])
{
    if (s->coverage) atlas_frame(s->view, f);
    else memcpy(f, s->view->frame, sizeof s->view->frame);
}

/* The page: A4 landscape, white. */
static void add_page(xmlNodePtr lay)
{
    xmlNodePtr pages = el(lay, "PageCollection", NULL);
    fill_symbol(pages, "", (fp_rgba){ 255, 255, 255, 255 }, NULL, 0);
    xmlNodePtr page = layout_item(pages, 65638, "", 0, 0, PAGE_W, PAGE_H, 0, 0, NULL);
    set_attr(page, "background", "true");
    fill_symbol(page, "", (fp_rgba){ 255, 255, 255, 255 }, NULL, 0);
    attr(el(pages, "GuideCollection", NULL), "visible", "1");
}

/* The map item: render's frame and extent (an atlas: zoomed to each region
 * with render's tenth of margin); its uuid in map_uuid for the items that
 * refer to it. The <Extent> must have the item's aspect: QGIS, reading
 * it, keeps the item's width and sets its height to the extent's shape
 * (render's frames are cut to their extents; the atlas's extent is fitted
 * to its frame by atlas_views()). */
static void add_map_item(xmlNodePtr lay, PJ_CONTEXT *ctx, const char *gpkg_name, const layout_spec *s, char map_uuid[40])
{
    const fp_map_style *ms = fp_style_map(s->style);
    const map_view *v = s->view;
    double box[4];
    frame_of(s, box);
    double fx = box[0], fy = box[1], fw = box[2], fh = box[3];
    /* The map: render's frame and extent (an atlas: the whole map area,
     * zoomed to each region with render's tenth of margin). */
    xmlNodePtr map = layout_item(lay, 65639, "map", fx, fy, fw, fh, 0, 1, map_uuid);
    set_attr(map, "frame", "true");
    set_attr(map, "background", "true");
    set_attr(map, "outlineWidthM", "0.1764,mm");   /* render's 0.5 pt frame */
    attr(map, "keepLayerSet", "true");
    attr(map, "mapRotation", "0");
    attr(map, "drawCanvasItems", "true");
    attr(map, "mapFlags", "0");
    attr(map, "labelMargin", "0,mm");
    attr(map, "followPreset", "false");
    attr(map, "followPresetName", "%s", "");
    attr(map, "isTemporal", "0");
    color_el(map, "FrameColor", (fp_rgba){ 191, 191, 191, 255 });
    color_el(map, "BackgroundColor", s->sea ? (fp_rgba){ 255, 255, 255, 255 } : ms->background);
    if (s->coverage) {
        /* Each region in the projection render --each uses: LAEA centred
         * on the middle of its box. That centre is the coverage layer's
         * view_lon0/view_lat0 (atlas_views() computes them as render does),
         * not an expression on @atlas_geometry: QGIS's box of a region
         * across the antimeridian spans -180..180 (Russia's centre would be
         * 0, the USA's 0.8), and its expressions cannot take the box in
         * 0..360 ring by ring. A feature without them (added by hand) falls
         * back to the middle of its box. No atlas feature (the layout
         * opened without the atlas preview): NULL, so the map keeps its
         * own CRS, the first page's, instead of LAEA on 0,0. */
        xmlNodePtr lo = el(map, "LayoutObject", NULL);
        xmlNodePtr ddp = el(lo, "dataDefinedProperties", NULL);
        xmlNodePtr top = el(ddp, "Option", NULL);
        attr(top, "type", "Map");
        xmlNodePtr o = el(top, "Option", NULL);
        attr(o, "type", "QString"); attr(o, "name", "name"); attr(o, "value", "%s", "");
        xmlNodePtr props = el(top, "Option", NULL);
        attr(props, "type", "Map"); attr(props, "name", "properties");
        xmlNodePtr crs = el(props, "Option", NULL);
        attr(crs, "type", "Map"); attr(crs, "name", "dataDefinedCrs");
        o = el(crs, "Option", NULL);
        attr(o, "type", "bool"); attr(o, "name", "active"); attr(o, "value", "true");
        o = el(crs, "Option", NULL);
        attr(o, "type", "QString"); attr(o, "name", "expression");
        attr(o, "value", "CASE WHEN @atlas_featureid IS NOT NULL THEN "
                         "'PROJ4:+proj=laea +lat_0=' || coalesce(attribute(@atlas_feature, '" ATLAS_LAT0 "'), "
                         "(y_min(@atlas_geometry) + y_max(@atlas_geometry)) / 2) || "
                         "' +lon_0=' || coalesce(attribute(@atlas_feature, '" ATLAS_LON0 "'), "
                         "(x_min(@atlas_geometry) + x_max(@atlas_geometry)) / 2) || "
                         "' +datum=WGS84 +units=m +no_defs' END");
        o = el(crs, "Option", NULL);
        attr(o, "type", "int"); attr(o, "name", "type"); attr(o, "value", "3");
        o = el(top, "Option", NULL);
        attr(o, "type", "QString"); attr(o, "name", "type"); attr(o, "value", "collection");
    }
    xmlNodePtr ext = el(map, "Extent", NULL);
    attr(ext, "xmin", "%.6f", v->extent[0]);
    attr(ext, "ymin", "%.6f", v->extent[1]);
    attr(ext, "xmax", "%.6f", v->extent[2]);
    attr(ext, "ymax", "%.6f", v->extent[3]);
    srs_el(el(map, "crs", NULL), ctx, v->proj_def);
    xmlNodePtr set = el(map, "LayerSet", NULL);
    int n = 0;
    while (s->layers[n]) n++;
    for (int i = n - 1; i >= 0; i--) layer_ref(set, gpkg_name, s->layers[i]);   /* top first, as QGIS lists them */
    xmlNodePtr am = el(map, "AtlasMap", NULL);
    attr(am, "atlasDriven", "%d", s->coverage != NULL);
    attr(am, "margin", "0.1");
    attr(am, "scalingMode", "2");
}

/* The layout's text font: the style's title font, DejaVu Sans for "sans-serif". */
static const char *layout_font(const fp_map_style *ms)
{
    return ms->title.font && strcmp(ms->title.font, "sans-serif") ? ms->title.font : "DejaVu Sans";
}

static void add_texts(xmlNodePtr lay, const layout_spec *s)
{
    const fp_map_style *ms = fp_style_map(s->style);
    const map_view *v = s->view;
    double box[4];
    frame_of(s, box);
    double fx = box[0], fy = box[1], fw = box[2], fh = box[3];
    /* Title, subtitle (an atlas: the region's name), credits. */
    const char *font = layout_font(ms);
    double ts = v->title_size;
    if (ms->title.text)
        label_item(lay, "title", ms->title.text, fx, v->title_top + ts * 0.07, fw, ts * 1.3, font, ts, 1,
                   (fp_rgba){ 26, 26, 26, 255 }, 1);
    const char *sub = s->coverage ? "[% \"name\" %]" : ms->title.subtitle;
    if (sub)
        /* Label boxes start an ascent (0.93 em in DejaVu Sans) above render's baselines. */
        label_item(lay, "subtitle", sub, fx, v->title_top + ts * (ms->title.text ? 1.95 : 0.7) - 0.93 * 0.65 * ts, fw, ts,
                   font, ts * 0.65, 0, (fp_rgba){ 89, 89, 89, 255 }, 1);
    const char *credits = ms->credits ? ms->credits : fp_style_default_credits();
    label_item(lay, "credits", credits, fx, fy + fh + v->credit_size * 0.6, fw, v->credit_size * 2.8, "DejaVu Sans",
               v->credit_size, 0, (fp_rgba){ 102, 102, 102, 255 }, 2);
}

static void add_legend(xmlNodePtr lay, const char *gpkg_name, const layout_spec *s, const char *map_uuid)
{
    const fp_map_style *ms = fp_style_map(s->style);
    const map_view *v = s->view;
    const char *font = layout_font(ms);
    double box[4];
    frame_of(s, box);
    double fx = box[0], fy = box[1], fw = box[2], fh = box[3];
    /* The legend inside the frame, in the style's corner: its layer's
     * classes or categories, with feature counts. */
    const char *pos = ms->legend_position ? ms->legend_position : "bottom-left";
    if (s->legend && strcmp(pos, "none")) {
        double fs = 7.5 * v->text_scale, pad = fs;
        int right = strstr(pos, "right") != NULL, top = strstr(pos, "top") != NULL;
        double lx = right ? fx + fw - pad : fx + pad, ly = top ? fy + pad : fy + fh - pad;
        int ref = top ? (right ? 2 : 0) : (right ? 8 : 6);
        char luuid[40];
        xmlNodePtr lg = layout_item(lay, 65642, "legend", lx, ly, 60, 60, ref, 4, luuid);
        set_attr(lg, "frame", "true");
        set_attr(lg, "background", "true");
        set_attr(lg, "outlineWidthM", "0.14,mm");
        attr(lg, "title", "%s", s->legend_title ? s->legend_title : "");
        attr(lg, "map_uuid", "%s", map_uuid);
        attr(lg, "resizeToContents", "1");
        attr(lg, "columnCount", "1");
        attr(lg, "boxSpace", "%.3f", MM(pad));
        attr(lg, "symbolWidth", "%.3f", MM(fs * 1.6));
        attr(lg, "symbolHeight", "%.3f", MM(fs * 1.1));
        attr(lg, "fontColor", "#262626");
        attr(lg, "legendFilterByAtlas", "0");
        attr(lg, "splitLayer", "0");
        attr(lg, "equalColumnWidth", "0");
        attr(lg, "lineSpacing", "1");
        attr(lg, "titleAlignment", "1");
        attr(lg, "symbolAlignment", "1");
        color_el(lg, "FrameColor", (fp_rgba){ 179, 179, 179, 255 });
        color_el(lg, "BackgroundColor", (fp_rgba){ 255, 255, 255, 224 });
        xmlNodePtr styles = el(lg, "styles", NULL);
        static const char *const kinds[] = { "title", "group", "subgroup", "symbol", "symbolLabel" };
        for (int i = 0; i < 5; i++) {
            xmlNodePtr st = el(styles, "style", NULL);
            attr(st, "name", "%s", kinds[i]);
            attr(st, "alignment", "1");
            attr(st, "indent", "0");
            attr(st, "marginTop", "%s", i == 0 ? "0" : "1");
            if (i == 0) attr(st, "marginBottom", "1.5");
            if (i == 4) attr(st, "marginLeft", "1.5");
            xmlNodePtr f = el(st, "styleFont", NULL);
            attr(f, "description", "%s,%g,-1,5,%d,0,0,0,0,0", font, i == 0 ? fs * 1.1 : fs, i == 0 ? 75 : 50);
            attr(f, "style", "%s", "");
        }
        xmlNodePtr tree = el(lg, "layer-tree-group", NULL);
        xmlNodePtr tl = el(tree, "layer-tree-layer", NULL);
        char *src = source_of(gpkg_name, s->legend);
        attr(tl, "id", "%s", s->legend->id);
        attr(tl, "name", "%s", "");                   /* no layer heading: the legend's title says it */
        attr(tl, "source", "%s", src);
        attr(tl, "providerKey", "ogr");
        attr(tl, "checked", "Qt::Checked");
        attr(tl, "expanded", "1");
        attr(tl, "legend_exp", "%s", "");
        attr(tl, "patch_size", "-1,-1");
        attr(tl, "legend_split_behavior", "0");
        g_free(src);
        xmlNodePtr cp = el(tl, "customproperties", NULL);
        xmlNodePtr cm = el(cp, "Option", NULL);
        attr(cm, "type", "Map");
        xmlNodePtr o = el(cm, "Option", NULL);
        attr(o, "type", "int"); attr(o, "name", "showFeatureCount"); attr(o, "value", "%d", s->legend->labels ? 1 : 0);
        o = el(cm, "Option", NULL);
        attr(o, "type", "QString"); attr(o, "name", "legend/title-style"); attr(o, "value", "hidden");
    }
}

static void add_scale_bar(xmlNodePtr lay, const layout_spec *s, const char *map_uuid)
{
    const map_view *v = s->view;
    double box[4];
    frame_of(s, box);
    double fx = box[0], fy = box[1], fw = box[2], fh = box[3];
    /* A scale bar where render draws one: regional maps. */
    if (!v->world || s->coverage) {
        xmlNodePtr sb = layout_item(lay, 65646, "scalebar", fx + fw - 12, fy + fh - 10, fw * 0.2, 20, 8, 6, NULL);
        attr(sb, "mapUuid", "%s", map_uuid);
        attr(sb, "style", "Single Box");
        attr(sb, "unitType", "km");
        attr(sb, "unitLabel", "km");
        attr(sb, "numMapUnitsPerScaleBarUnit", "1");   /* QGIS converts metres to km itself */
        attr(sb, "segmentSizeMode", "1");            /* fit a round length in min..max width */
        attr(sb, "minBarWidth", "%.3f", MM(fw * 0.12));
        attr(sb, "maxBarWidth", "%.3f", MM(fw * 0.2));
        attr(sb, "numSegments", "2");
        attr(sb, "numSegmentsLeft", "0");
        attr(sb, "numUnitsPerSegment", "100");
        attr(sb, "height", "1.06");
        attr(sb, "labelBarSpace", "1");
        attr(sb, "boxContentSpace", "1");
        attr(sb, "alignment", "2");
        attr(sb, "outlineWidth", "0.14");
        set_attr(sb, "background", "true");
        color_el(sb, "FrameColor", (fp_rgba){ 51, 51, 51, 255 });
        color_el(sb, "BackgroundColor", (fp_rgba){ 255, 255, 255, 204 });
        xmlNodePtr tst = el(sb, "text-style", NULL);
        attr(tst, "fontFamily", "DejaVu Sans");
        attr(tst, "fontSize", "6.5");
        attr(tst, "fontSizeUnit", "Point");
        attr(tst, "textColor", "51,51,51,255");
        attr(tst, "textOpacity", "1");
    }
}

static void add_atlas(xmlNodePtr lay, const char *gpkg_name, const layout_spec *s)
{
    /* The atlas: one page per region with projects, by code, named by
     * name; files named by code like render --each. */
    xmlNodePtr at = el(lay, "Atlas", NULL);
    if (s->coverage) {
        char *src = source_of(gpkg_name, s->coverage);
        attr(at, "enabled", "1");
        attr(at, "coverageLayer", "%s", s->coverage->id);
        attr(at, "coverageLayerName", "%s", s->coverage->name);
        attr(at, "coverageLayerSource", "%s", src);
        attr(at, "coverageLayerProvider", "ogr");
        attr(at, "hideCoverage", "0");
        attr(at, "filterFeatures", "1");
        attr(at, "featureFilter", "\"projects\" > 0");
        attr(at, "sortFeatures", "1");
        attr(at, "sortKey", "code");
        attr(at, "sortAscending", "1");
        attr(at, "pageNameExpression", "\"name\"");
        attr(at, "filenamePattern", "\"code\"");
        g_free(src);
    } else {
        attr(at, "enabled", "0");
        attr(at, "coverageLayer", "%s", "");
        attr(at, "filenamePattern", "'output_'||@atlas_featurenumber");
    }
}

/* A print layout: page, map, title, subtitle and credits, legend, scale
 * bar, atlas. */
static void add_layout(xmlNodePtr layouts, PJ_CONTEXT *ctx, const char *gpkg_name, const layout_spec *s)
{
    xmlNodePtr lay = el(layouts, "Layout", NULL);
    attr(lay, "name", "%s", s->name);
    attr(lay, "units", "mm");
    attr(lay, "printResolution", "150");           /* render's default dpi */
    attr(lay, "worldFileMap", "%s", "");
    add_page(lay);
    char map_uuid[40];
    add_map_item(lay, ctx, gpkg_name, s, map_uuid);
    add_texts(lay, s);
    add_legend(lay, gpkg_name, s, map_uuid);
    add_scale_bar(lay, s, map_uuid);
    add_atlas(lay, gpkg_name, s);
}

/* ------------------------------------------------------- data layers ---- */

/* The sea (the world's outline, 1-degree edges, so it curves in any
 * projection) and graticules of 10 and 30 degrees, written through OGR;
 * *written counts their features. */
static fp_status write_frame_layers(const char *gpkg, long *written, fp_error *err)
{
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    if (!ds) return fp_error_set(err, FP_ERR_IO, "%s: cannot open for update: %s", gpkg, CPLGetLastErrorMsg());
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    fp_status st = FP_OK;
    OGRLayerH sea = GDALDatasetCreateLayer(ds, "sea", srs, wkbPolygon, NULL);
    if (!sea) st = fp_error_set(err, FP_ERR_IO, "%s: layer sea: %s", gpkg, CPLGetLastErrorMsg());
    if (!st) {
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        for (int lon = -180; lon <= 180; lon++) OGR_G_AddPoint_2D(ring, lon, -90);
        for (int lat = -89; lat <= 90; lat++) OGR_G_AddPoint_2D(ring, 180, lat);
        for (int lon = 179; lon >= -180; lon--) OGR_G_AddPoint_2D(ring, lon, 90);
        for (int lat = 89; lat >= -90; lat--) OGR_G_AddPoint_2D(ring, -180, lat);
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(sea));
        OGR_F_SetGeometryDirectly(f, poly);
        if (OGR_L_CreateFeature(sea, f) != OGRERR_NONE) st = fp_error_set(err, FP_ERR_IO, "%s: sea: %s", gpkg, CPLGetLastErrorMsg());
        else (*written)++;
        OGR_F_Destroy(f);
    }
    static const int steps[] = { 30, 10 };
    for (int k = 0; k < 2 && !st; k++) {
        char name[32];
        snprintf(name, sizeof name, "graticule_%d", steps[k]);
        OGRLayerH gl = GDALDatasetCreateLayer(ds, name, srs, wkbLineString, NULL);
        if (!gl) { st = fp_error_set(err, FP_ERR_IO, "%s: layer %s: %s", gpkg, name, CPLGetLastErrorMsg()); break; }
        GDALDatasetStartTransaction(ds, 0);
        /* Meridians inside the outline, and parallels. */
        for (int m = -180 + steps[k]; m < 180 && !st; m += steps[k])
            for (int dir = 0; dir < 2; dir++) {
                if (dir == 1 && (m <= -90 || m >= 90)) continue;
                OGRGeometryH line = OGR_G_CreateGeometry(wkbLineString);
                for (int t = dir ? -180 : -90; t <= (dir ? 180 : 90); t++)
                    OGR_G_AddPoint_2D(line, dir ? t : m, dir ? m : t);
                OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(gl));
                OGR_F_SetGeometryDirectly(f, line);
                if (OGR_L_CreateFeature(gl, f) != OGRERR_NONE) st = fp_error_set(err, FP_ERR_IO, "%s: %s", gpkg, CPLGetLastErrorMsg());
                else (*written)++;
                OGR_F_Destroy(f);
            }
        GDALDatasetCommitTransaction(ds);
    }
    OSRDestroySpatialReference(srs);
    GDALClose(ds);
    return st;
}

/* Countries and admin-1 from the store, through the export's OGR writer;
 * *written counts their features. */
static fp_status write_region_layers(fp_store *store, const char *gpkg, long *written, fp_error *err)
{
    static const char *const levels[][2] = { { "country", "countries" }, { "admin1", "admin1" } };
    static const char *const cols[] = { "code", "name", "parent", "continent", "subregion" };
    fp_layer *layers[2] = { NULL, NULL };
    fp_status st = FP_OK;
    for (int i = 0; i < 2 && !st; i++) {
        fp_layer *l = layers[i] = g_new0(fp_layer, 1);
        l->name = g_strdup(levels[i][1]);
        l->file = g_strdup(levels[i][1]);
        l->description = g_strdup_printf("Regions (%s) exported by footprint %s", levels[i][0], fp_version());
        l->geometry = "polygon";
        l->extra_col = l->class_col = l->category_col = -1;
        l->ncolumns = 5;
        l->columns = g_new0(fp_column, 5);
        for (int c = 0; c < 5; c++) {
            l->columns[c].name = g_strdup(cols[c]);
            l->columns[c].type = FP_COL_TEXT;
        }
        st = fp_store_regions_rows(store, levels[i][0], &l->rows, err);
    }
    long n = 0;
    fp_write_options wo = { .precision = 6, .update = 1, .ctx = fp_store_context(store) };
    if (!st) st = fpi_ogr_write("GPKG", layers, 2, gpkg, &wo, &n, err);
    if (!st) *written += n;
    for (int i = 0; i < 2; i++) fpi_layer_free(layers[i]);
    return st;
}

/* -------------------------------------------------------------- the zip --- */

static fp_status write_qgz(const char *path, const char *entry, const xmlChar *xml, int len, long long epoch, fp_error *err)
{
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    if (!z) return fp_error_set(err, FP_ERR_IO, "%s: cannot create the zip: %s", path, strerror(errno));
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    /* The entry's date (zip keeps local time): zeros read as 1979-12-31 or
     * 1980-00-00 in unzip and file managers. */
    time_t now = epoch >= 0 ? (time_t)epoch : time(NULL);
    struct tm tm;
    /* A fixed time (SOURCE_DATE_EPOCH) as UTC: the same bytes in any zone. */
    if (epoch >= 0 ? gmtime_r(&now, &tm) != NULL : localtime_r(&now, &tm) != NULL) {
        /* A zip's DOS date holds 1980 to 2107: a time before is written as
         * 1980-01-01 00:00:00, one after as 2107-12-31 23:59:58 (minizip
         * packed SOURCE_DATE_EPOCH=0, 1970, into the bytes ff ff ff ff). */
        if (tm.tm_year + 1900 < 1980) tm = (struct tm){ .tm_year = 80, .tm_mon = 0, .tm_mday = 1 };
        else if (tm.tm_year + 1900 > 2107)
            tm = (struct tm){ .tm_year = 207, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23, .tm_min = 59, .tm_sec = 58 };
        zi.tmz_date.tm_year = (unsigned)tm.tm_year + 1900;
        zi.tmz_date.tm_mon = (unsigned)tm.tm_mon;
        zi.tmz_date.tm_mday = (unsigned)tm.tm_mday;
        zi.tmz_date.tm_hour = (unsigned)tm.tm_hour;
        zi.tmz_date.tm_min = (unsigned)tm.tm_min;
        zi.tmz_date.tm_sec = (unsigned)tm.tm_sec;
    }
    int rc = zipOpenNewFileInZip64(z, entry, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, Z_DEFAULT_COMPRESSION, len > 0x7fffffff);
    if (rc == ZIP_OK) rc = zipWriteInFileInZip(z, xml, (unsigned)len);
    if (rc == ZIP_OK) rc = zipCloseFileInZip(z);
    int rc2 = zipClose(z, NULL);
    if (rc != ZIP_OK || rc2 != ZIP_OK) return fp_error_set(err, FP_ERR_IO, "%s: cannot write the zip (error %d)", path, rc ? rc : rc2);
    return FP_OK;
}

/* --------------------------------------------------------------- export --- */

/* ------------------------------------------------------------ the job --- */

/* The project being written: what it shows, the styles it reproduces, the
 * folders and files, and its layers, bottom first. */
typedef struct qgz_job {
    const fp_export_options *o;
    const fp_context *ctx;
    int want_projects;
    const char *agg;              /* the aggregation shown, or NULL */
    char aggbuf[64];
    fp_style *styles[3];          /* world choropleth, categories, a region */
    map_view views[3];
    map_view atlas;               /* the atlas layout's: its first page */
    char *dir, *base, *gpkg_name, *qgs_name;
    char *tmp, *tmp_gpkg, *tmp_qgz;
    long features;
    long unlocated;          /* projects without a location, left out (fp_export's note) */
    int nlay;
    char *agg_centroids;
    char *choro_title, *centroids_title;   /* the choropleth layers' names */
    qlayer L[10];
    int nl;
    qlayer *sea, *grat30, *grat10, *countries, *choro, *proj_pts;
} qgz_job;

/* Step 1: what the project shows (--what), and what it refuses. */
static fp_status check_what(fp_store *store, qgz_job *j, fp_error *err)
{
    const char *what = j->o->what;
    j->want_projects = !what || !strcmp(what, "all") || !strcmp(what, "projects");
    if (what && !strncmp(what, "aggregate:", 10)) {
        snprintf(j->aggbuf, sizeof j->aggbuf, "%s", what + 10);
        char *colon = strchr(j->aggbuf, ':');
        if (colon) *colon = 0;
        j->agg = j->aggbuf;
        if (!fp_store_has_aggregation(store, j->agg))
            return fp_error_set(err, FP_ERR_USAGE, "--what %s: no aggregation named '%s'; run `footprint aggregate` first",
                                what, j->agg);
    } else if (what && strcmp(what, "all") && strcmp(what, "projects")) {
        return fp_error_set(err, FP_ERR_USAGE, "--what %s: a QGIS project takes projects, aggregate:NAME or all", what);
    }
    if (j->o->split_by || j->o->append)
        return fp_error_set(err, FP_ERR_USAGE, "--format qgz: no --split-by or --append (the project holds every layer)");
    /* One edition's points beside its choropleth: --dataset, or --where
     * dataset=NAME, limits the projects; the other layers are whole. */
    for (int i = 0; i < j->o->nwhere; i++)
        if (strcmp(j->o->where[i].field, "dataset"))
            return fp_error_set(err, FP_ERR_USAGE, "--format qgz: --where %s: a QGIS project holds every project, or "
                                "those of a dataset (--dataset NAME or --where dataset=NAME); filter a layer with "
                                "--format gpkg", j->o->where[i].field);
    if (j->o->nwhere && !j->want_projects)
        return fp_error_set(err, FP_ERR_USAGE, "--format qgz --what %s holds no projects: --dataset (--where dataset=) "
                            "limits the projects", what);
    if (j->o->aggregation && what && strcmp(what, "all"))
        return fp_error_set(err, FP_ERR_USAGE, "--aggregation %s: a choropleth beside the projects (--what all, the "
                            "default); with --what %s, name the aggregation there (--what aggregate:%s)",
                            j->o->aggregation, what, j->o->aggregation);
    if (j->o->bom) return fp_error_set(err, FP_ERR_USAGE, "--bom works with CSV only (the other formats say their encoding)");
    return FP_OK;
}

/* The choropleth a = --aggregation or the world style's is not in the
 * store: a usage error naming those it has and how to choose. */
static fp_status no_aggregation(fp_store *store, const qgz_job *j, const char *a, fp_error *err)
{
    char **names = NULL;
    size_t n = 0;
    fp_status st = fp_store_aggregation_names(store, &names, &n, err);
    if (st) return st;
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) g_string_append_printf(list, "%s%s", i ? ", " : "", names[i]);
    const char *whose = j->o->aggregation ? "--aggregation" : "the world style's choropleth";
    if (n)
        st = fp_error_set(err, FP_ERR_USAGE, "--format qgz: %s needs aggregation '%s', which %s does not have "
                          "(aggregations: %.300s): choose one with --aggregation NAME (beside the projects) or --what "
                          "aggregate:NAME (the choropleth alone), or --what projects for a project without a choropleth",
                          whose, a, fp_store_path(store), list->str);
    else
        st = fp_error_set(err, FP_ERR_USAGE, "--format qgz: %s needs aggregation '%s', and %s has none: run `footprint "
                          "aggregate --by country --group category`, or --what projects for a project without a "
                          "choropleth", whose, a, fp_store_path(store));
    g_string_free(list, TRUE);
    fp_store_strings_free(names);
    return st;
}

/* The title of a layout's legend and of the choropleth's layer: the
 * style's legend.title, else the one the shipped styles' field and level
 * make (projects per country), as render titles their legend. */
static const char *legend_title_of(const fp_style *s)
{
    const char *t = s ? fp_style_map(s)->legend_title : NULL;
    return t ? t : "Projects per country";
}

/* Step 2: the shipped styles and where render puts each one's map; with
 * --what all, the choropleth of --aggregation or the world style's. */
static fp_status load_styles(fp_store *store, qgz_job *j, fp_error *err)
{
    static const char *const names[3] = { "world-choropleth", "category-points", "africa" };
    fp_status st = FP_OK;
    for (int i = 0; i < 3 && !st; i++) {
        char p[4096], n[64];
        snprintf(n, sizeof n, "%s.json", names[i]);
        st = fp_style_load_ctx(j->ctx, fp_style_path(j->ctx, n, p, sizeof p), &j->styles[i], err);
    }
    /* --style: a style with a choropleth takes the world map's place (its
     * layers and layout), one with points only the categories map's. It
     * was ignored without a word. */
    if (!st && j->o->style_path) {
        fp_style *own = NULL;
        st = fp_style_load_ctx(j->ctx, j->o->style_path, &own, err);
        int slot = !st && fp_style_choropleth(own) ? 0 : !st && fp_style_map(own)->points.enabled ? 1 : -1;
        if (!st && slot < 0)
            st = fp_error_set(err, FP_ERR_USAGE, "--style %s: a QGIS project's style needs a choropleth or points "
                              "(it takes the world map's or the categories map's place)", j->o->style_path);
        if (!st) {
            fp_style_free(j->styles[slot]);
            j->styles[slot] = own;
            own = NULL;
        }
        fp_style_free(own);
    }
    /* The store's categories, so a mixed table's kinds (plan_layers) are
     * coloured as the export colours the table. */
    if (!st && j->want_projects) st = fp_style_set_store_categories(j->styles[1], store, err);
    for (int i = 0; !st && i < 3; i++)
        if (j->styles[i]) st = fp_style_set_store_credits(j->styles[i], store, err);
    const char *what = j->o->what;
    if (!st && !j->agg && (!what || !strcmp(what, "all"))) {
        /* --aggregation, else the world map's: never a project silently
         * without its choropleth (its world, africa and atlas layouts), as
         * render refuses a map without one. */
        const fp_choropleth_spec *cs = fp_style_choropleth(j->styles[0]);
        const char *a = j->o->aggregation ? j->o->aggregation
                      : cs && cs->aggregation ? cs->aggregation : "country_by_category";
        if (fp_store_has_aggregation(store, a)) j->agg = a;
        else st = no_aggregation(store, j, a, err);
    }
    for (int i = 0; i < 3 && !st; i++) st = view_of_style(j->styles[i], &j->views[i], err);
    return st;
}

/* Step 3: the file names and the temporary folder they are written in. */
static fp_status make_folders(qgz_job *j, fp_error *err)
{
    j->dir = g_path_get_dirname(j->o->output);
    j->base = g_path_get_basename(j->o->output);
    char *dot = strrchr(j->base, '.');
    if (dot && dot != j->base) *dot = 0;
    j->gpkg_name = g_strdup_printf("%s.gpkg", j->base);
    j->qgs_name = g_strdup_printf("%s.qgs", j->base);
    if (g_mkdir_with_parents(j->dir, 0777) != 0)
        return fp_error_set(err, FP_ERR_IO, "%s: cannot create folder: %s", j->dir, strerror(errno));
    fpi_temp_cleanup(j->dir, 1);
    char *tn = g_strdup_printf(".footprint-export-%d-XXXXXX", (int)getpid());
    j->tmp = g_build_filename(j->dir, tn, NULL);
    g_free(tn);
    if (!g_mkdtemp(j->tmp)) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: cannot write here: %s", j->dir, strerror(errno));
        g_free(j->tmp);
        j->tmp = NULL;
        return st;
    }
    j->tmp_gpkg = g_build_filename(j->tmp, j->gpkg_name, NULL);
    j->tmp_qgz = g_build_filename(j->tmp, "project.qgz", NULL);
    return FP_OK;
}

/* One layer of the ordinary export into the project's GeoPackage (its QML
 * goes into layer_styles). */
static fp_status export_into_gpkg(fp_store *store, qgz_job *j, const char *what, const char *style, int append,
                                  fp_error *err)
{
    char p[4096];
    /* The projects of --dataset (--where dataset=) only. */
    int projects = !strcmp(what, "projects");
    fp_export_options e = { .what = what, .format = "gpkg", .output = j->tmp_gpkg, .precision = j->o->precision,
                            .style_path = fp_style_path(j->ctx, style, p, sizeof p), .append = append,
                            .where = projects ? j->o->where : NULL, .nwhere = projects ? j->o->nwhere : 0 };
    fp_export_result er;
    fp_status st = fp_export(store, &e, &er, err);
    j->features += er.features;
    j->unlocated += er.unlocated;
    j->nlay += er.layers;
    return st;
}

/* Step 4: the data (projects, the aggregation), then the base layers. */
static fp_status write_data(fp_store *store, qgz_job *j, fp_error *err)
{
    fp_status st = FP_OK;
    int have_gpkg = 0;
    if (j->want_projects) {
        st = export_into_gpkg(store, j, "projects", "category-points.json", 0, err);
        have_gpkg = 1;
    }
    if (!st && j->agg) {
        char w[80];
        snprintf(w, sizeof w, "aggregate:%s", j->agg);
        st = export_into_gpkg(store, j, w, "world-choropleth.json", have_gpkg, err);
        have_gpkg = 1;
    }
    if (!st && !have_gpkg) {
        GDALDriverH drv = GDALGetDriverByName("GPKG");
        GDALDatasetH ds = drv ? GDALCreate(drv, j->tmp_gpkg, 0, 0, 0, GDT_Unknown, NULL) : NULL;
        if (!ds) st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", j->gpkg_name, CPLGetLastErrorMsg());
        else GDALClose(ds);
    }
    /* The base map's features count with the data's: the result says what
     * the GeoPackage holds ("5,503 features in 8 layers" for the sample). */
    if (!st) st = write_region_layers(store, j->tmp_gpkg, &j->features, err);
    if (!st) st = write_frame_layers(j->tmp_gpkg, &j->features, err);
    j->nlay += 5;
    return st;
}

/* ---------------------------------------------------- the atlas's views --- */

/* Every vertex of a geometry (a polygon's exterior ring only, if asked). */
static void each_vertex(OGRGeometryH g, int exterior_only, void (*fn)(void *, double, double), void *ud)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int parts = OGR_G_GetGeometryCount(g);
    if (t == wkbPolygon && exterior_only) parts = parts > 0 ? 1 : 0;
    if (parts > 0 && t != wkbLineString && t != wkbLinearRing && t != wkbPoint) {
        for (int i = 0; i < parts; i++) each_vertex(OGR_G_GetGeometryRef(g, i), exterior_only, fn, ud);
        return;
    }
    int n = OGR_G_GetPointCount(g);
    for (int i = 0; i < n; i++) fn(ud, OGR_G_GetX(g, i), OGR_G_GetY(g, i));
}

static void widen_box(double b[4], double x, double y)
{
    if (x < b[0]) b[0] = x;
    if (x > b[2]) b[2] = x;
    if (y < b[1]) b[1] = y;
    if (y > b[3]) b[3] = y;
}

typedef struct lon_boxes {
    double plain[4], shifted[4];  /* the box in -180..180 and in 0..360 longitudes */
} lon_boxes;

static void lon_boxes_add(void *ud, double x, double y)
{
    lon_boxes *b = ud;
    widen_box(b->plain, x, y);
    widen_box(b->shifted, x < 0 ? x + 360 : x, y);
}

/* The centre of `render --region CODE`'s map of a region: the middle of
 * its exterior rings' lon/lat box, the box taken in 0..360 longitudes when
 * that is narrower (a region across the antimeridian: Russia about 105 E,
 * the USA about 127 W, Fiji), grown by a tenth and half a degree with
 * latitudes kept within +-90. The same arithmetic as region_box(),
 * geometry_boxes() and choose_view() in src/render/render.c (internal to
 * src/render/, so copied: keep them in step). -1 without vertices. */
static int region_centre(OGRGeometryH g, double *lon0, double *lat0)
{
    lon_boxes b = { { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL }, { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL } };
    each_vertex(g, 1, lon_boxes_add, &b);
    if (!(b.plain[0] <= b.plain[2])) return -1;
    const double *box = b.shifted[2] - b.shifted[0] < b.plain[2] - b.plain[0] - 1e-9 ? b.shifted : b.plain;
    double my = (box[3] - box[1]) * 0.1 + 0.5, lon = (box[0] + box[2]) / 2;
    *lon0 = lon > 180 ? lon - 360 : lon;
    *lat0 = (fmax(-90, box[1] - my) + fmin(90, box[3] + my)) / 2;
    return 0;
}

typedef struct projected_box {
    PJ *pj;
    double e[4];
} projected_box;

static void projected_box_add(void *ud, double x, double y)
{
    projected_box *p = ud;
    PJ_COORD c = proj_trans(p->pj, PJ_FWD, proj_coord(x, y, 0, 0));
    if (isfinite(c.xy.x) && isfinite(c.xy.y) && c.xy.x != HUGE_VAL) widen_box(p->e, c.xy.x, c.xy.y);
}

/* An extent grown to the aspect (width / height) of the frame showing it,
 * about its centre, then by `grow` (1.1: QGIS's atlas margin of a tenth). */
static void fit_extent(double e[4], double aspect, double grow)
{
    double cx = (e[0] + e[2]) / 2, cy = (e[1] + e[3]) / 2, w = e[2] - e[0], h = e[3] - e[1];
    if (w < h * aspect) w = h * aspect;
    else h = w / aspect;
    w *= grow;
    h *= grow;
    e[0] = cx - w / 2; e[2] = cx + w / 2;
    e[1] = cy - h / 2; e[3] = cy + h / 2;
}

/* The two view columns added to the choropleth layer of the project's
 * GeoPackage and set feature by feature through OGR (values[2 * i] and
 * [2 * i + 1] of feature fids[i]; NaN: NULL), in one transaction. */
static fp_status set_view_columns(qgz_job *j, const long long *fids, const double *values, long n, fp_error *err)
{
    GDALDatasetH ds = GDALOpenEx(j->tmp_gpkg, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, j->agg) : NULL;
    fp_status st = l ? FP_OK : fp_error_set(err, FP_ERR_IO, "%s: no layer %s: %s", j->gpkg_name, j->agg, CPLGetLastErrorMsg());
    static const char *const cols[2] = { ATLAS_LON0, ATLAS_LAT0 };
    int idx[2] = { -1, -1 };
    for (int c = 0; c < 2 && !st; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(cols[c], OFTReal);
        if (OGR_L_CreateField(l, fd, 0) != OGRERR_NONE ||
            (idx[c] = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), cols[c])) < 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: layer %s: cannot add the field %s: %s", j->gpkg_name, j->agg, cols[c],
                              CPLGetLastErrorMsg());
        OGR_Fld_Destroy(fd);
    }
    if (!st && GDALDatasetStartTransaction(ds, 0) != OGRERR_NONE)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot start a transaction: %s", j->gpkg_name, CPLGetLastErrorMsg());
    for (long i = 0; i < n && !st; i++) {
        OGRFeatureH f = OGR_L_GetFeature(l, fids[i]);
        if (!f) continue;
        for (int c = 0; c < 2; c++) {
            if (isnan(values[2 * i + c])) OGR_F_SetFieldNull(f, idx[c]);
            else OGR_F_SetFieldDouble(f, idx[c], values[2 * i + c]);
        }
        if (OGR_L_SetFeature(l, f) != OGRERR_NONE)
            st = fp_error_set(err, FP_ERR_IO, "%s: layer %s: cannot set feature %lld: %s", j->gpkg_name, j->agg, fids[i],
                              CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    if (l) {
        if (!st && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot commit: %s", j->gpkg_name, CPLGetLastErrorMsg());
        else if (st) GDALDatasetRollbackTransaction(ds);
    }
    if (ds) GDALClose(ds);
    return st;
}

/* Step 4b: the atlas's views. Each coverage feature gets the centre of its
 * page's projection as two columns of the project's GeoPackage, view_lon0
 * and view_lat0, which the map's data-defined CRS reads (add_map_item).
 * Stored numbers rather than a QGIS expression: the antimeridian needs the
 * box of every vertex in 0..360, which QGIS's expressions do not give, and
 * the same numbers as `render --region` make the atlas page and render's
 * map of a region agree; the analyst sees them in the attribute table.
 * The layout's own CRS and extent are those of the atlas's first page
 * (projects > 0, by code, as add_atlas() filters and sorts), fitted to
 * the map frame's aspect so QGIS keeps the frame's size (add_map_item);
 * with no such page, the Africa map's, fitted likewise. */
static fp_status atlas_views(qgz_job *j, fp_error *err)
{
    j->atlas = j->views[2];
    double f[4];
    atlas_frame(&j->atlas, f);
    double aspect = f[2] / f[3];
    GDALDatasetH ds = GDALOpenEx(j->tmp_gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, j->agg) : NULL;
    if (!l) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: no layer %s: %s", j->gpkg_name, j->agg, CPLGetLastErrorMsg());
        if (ds) GDALClose(ds);
        return st;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    int icode = OGR_FD_GetFieldIndex(defn, "code"), iproj = OGR_FD_GetFieldIndex(defn, "projects");
    GArray *fids = g_array_new(FALSE, FALSE, sizeof(long long)), *values = g_array_new(FALSE, FALSE, sizeof(double));
    OGRFeatureH f1 = NULL, ft;
    double first[2] = { 0, 0 };
    OGR_L_ResetReading(l);
    while ((ft = OGR_L_GetNextFeature(l))) {
        OGRGeometryH g = OGR_F_GetGeometryRef(ft);
        double c[2] = { NAN, NAN };
        long long fid = OGR_F_GetFID(ft);
        int page = g && region_centre(g, &c[0], &c[1]) == 0 && icode >= 0 && iproj >= 0 &&
                   OGR_F_IsFieldSetAndNotNull(ft, iproj) && OGR_F_GetFieldAsDouble(ft, iproj) > 0;
        g_array_append_val(fids, fid);
        g_array_append_vals(values, c, 2);
        if (page && (!f1 || strcmp(OGR_F_GetFieldAsString(ft, icode), OGR_F_GetFieldAsString(f1, icode)) < 0)) {
            if (f1) OGR_F_Destroy(f1);
            f1 = ft;
            memcpy(first, c, sizeof first);
        } else {
            OGR_F_Destroy(ft);
        }
    }
    if (f1) {
        /* The first page: its region's projected box (as QGIS zooms to a
         * feature: the box of its projected vertices), fitted. */
        char def[256];
        snprintf(def, sizeof def, "+proj=laea +lat_0=%.6g +lon_0=%.6g +datum=WGS84 +units=m +no_defs +type=crs",
                 first[1], first[0]);
        PJ_CONTEXT *ctx = proj_context_create();
        PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4326", def, NULL);
        projected_box p = { raw ? proj_normalize_for_visualization(ctx, raw) : NULL, { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL } };
        if (raw) proj_destroy(raw);
        if (p.pj) {
            each_vertex(OGR_F_GetGeometryRef(f1), 0, projected_box_add, &p);
            proj_destroy(p.pj);
        }
        proj_context_destroy(ctx);
        if (p.e[2] > p.e[0] || p.e[3] > p.e[1]) {
            snprintf(j->atlas.proj_def, sizeof j->atlas.proj_def, "%s", def);
            memcpy(j->atlas.extent, p.e, sizeof p.e);
            fit_extent(j->atlas.extent, aspect, 1.1);
        } else {
            fit_extent(j->atlas.extent, aspect, 1);
        }
        OGR_F_Destroy(f1);
    } else {
        fit_extent(j->atlas.extent, aspect, 1);
    }
    GDALClose(ds);
    fp_status st = set_view_columns(j, (const long long *)(void *)fids->data, (const double *)(void *)values->data,
                                    (long)fids->len, err);
    g_array_free(fids, TRUE);
    g_array_free(values, TRUE);
    return st;
}

/* Which kinds of geometry the exported projects have (points, lines,
 * areas); *mixed when the layer is not points only, and then the values of
 * `field` each kind holds (values[k], sets of strings), for its style. */
static void project_kinds(const char *gpkg, const char *field, int has[3], int *mixed, GHashTable *values[3])
{
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH pl = ds ? GDALDatasetGetLayerByName(ds, "projects") : NULL;
    OGRwkbGeometryType gt = pl ? wkbFlatten(OGR_L_GetGeomType(pl)) : wkbUnknown;
    has[0] = gt == wkbPoint;
    has[1] = has[2] = 0;
    *mixed = gt == wkbUnknown;
    if (pl && gt == wkbUnknown) {
        /* A mixed layer: QGIS shows it as one layer per kind. */
        int fi = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(pl), field);
        OGRFeatureH f;
        OGR_L_ResetReading(pl);
        while ((f = OGR_L_GetNextFeature(pl))) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            OGRwkbGeometryType k = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
            int kind = k == wkbPoint || k == wkbMultiPoint ? 0 : k == wkbLineString || k == wkbMultiLineString ? 1
                     : k == wkbPolygon || k == wkbMultiPolygon ? 2 : -1;
            if (kind >= 0) {
                has[kind] = 1;
                /* No value is the category "" (render's). */
                const char *v = fi >= 0 && OGR_F_IsFieldSetAndNotNull(f, fi) ? OGR_F_GetFieldAsString(f, fi) : "";
                if (!g_hash_table_contains(values[kind], v)) g_hash_table_add(values[kind], g_strdup(v));
            }
            OGR_F_Destroy(f);
        }
    }
    if (ds) GDALClose(ds);
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The style of one kind of a mixed projects table, for its own layer: the
 * categorized style of that kind (QGIS's Symbology tab edits it as such)
 * over the categories the kind holds, coloured as every map colours them. */
static xmlDocPtr kind_style(const fp_style *style, const char *field, GHashTable *values, const char *geometry)
{
    guint n = 0;
    char **v = (char **)g_hash_table_get_keys_as_array(values, &n);
    qsort(v, n, sizeof *v, compare_text);
    char *qml = fp_qml_categorized(style, field, (const char *const *)v, n, geometry);
    g_free(v);
    xmlDocPtr doc = qml ? xmlReadMemory(qml, (int)strlen(qml), "projects.qml", "UTF-8", XML_PARSE_NONET | XML_PARSE_NOBLANKS)
                        : NULL;
    free(qml);
    return doc;
}

/* Step 5: the project's layers, bottom first, with their styles. */
static void plan_layers(qgz_job *j)
{
    const fp_map_style *wm = fp_style_map(j->styles[0]), *cm = fp_style_map(j->styles[1]), *am = fp_style_map(j->styles[2]);
    fp_rgba outline_world = { 140, 153, 166, 255 };          /* render's world outline */
    qlayer *L = j->L;
    int nl = 0;
    j->sea = &L[nl++];
    *j->sea = (qlayer){ "sea", "Sea", "Polygon", "Polygon", NULL, 1, plain_style("fill", wm->background, &outline_world, 0.6), 0, "" };
    j->grat30 = &L[nl++];
    *j->grat30 = (qlayer){ "graticule_30", "Graticule 30°", "Line", "LineString", NULL, 1,
                           plain_style("line", wm->graticule.stroke, NULL, wm->graticule.width), 0, "" };
    j->grat10 = &L[nl++];
    *j->grat10 = (qlayer){ "graticule_10", "Graticule 10°", "Line", "LineString", NULL, 0,
                           plain_style("line", am->graticule.stroke, NULL, am->graticule.width), 0, "" };
    j->countries = &L[nl++];
    *j->countries = (qlayer){ "countries", "Countries", "Polygon", "MultiPolygon", NULL, 1,
                              plain_style("fill", cm->land.fill, &cm->land.stroke, cm->land.width), 0, "" };
    L[nl++] = (qlayer){ "admin1", "Admin-1 regions", "Polygon", "MultiPolygon", NULL, 0,
                        plain_style("fill", (fp_rgba){ 0, 0, 0, 0 }, &cm->land.stroke, 0.2), 0, "" };
    if (j->agg) {
        j->agg_centroids = g_strdup_printf("%s_centroids", j->agg);
        j->choro = &L[nl++];
        /* Named as the world map's legend is titled (legend.title of the
         * shipped style, else the title render makes of its field). */
        j->choro_title = g_strdup(legend_title_of(j->styles[0]));
        j->centroids_title = g_strdup_printf("%s (proportional)", j->choro_title);
        *j->choro = (qlayer){ j->agg, j->choro_title, "Polygon", "MultiPolygon", NULL, 1,
                              style_of_table(j->tmp_gpkg, j->agg), 1, "" };
        L[nl++] = (qlayer){ j->agg_centroids, j->centroids_title, "Point", "Point", NULL, 0,
                            style_of_table(j->tmp_gpkg, j->agg_centroids), 0, "" };
    }
    if (j->want_projects) {
        /* One layer per kind of geometry the projects have. */
        static const char *const kinds[][3] = { { "Point", "Point", "Projects (points)" },
                                                { "Line", "MultiLineString", "Projects (lines)" },
                                                { "Polygon", "MultiPolygon", "Projects (areas)" } };
        static const char *const subsets[] = { "Point", "LineString", "Polygon" };
        static const char *const geometries[] = { "point", "line", "polygon" };
        const char *field = fp_style_category_field(j->styles[1]);
        GHashTable *values[3];
        for (int k = 0; k < 3; k++) values[k] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        int has[3], mixed;
        project_kinds(j->tmp_gpkg, field, has, &mixed, values);
        for (int k = 0; k < 3; k++) {
            if (!has[k]) continue;
            qlayer *q = &L[nl++];
            /* Points only: the table's own style; a mixed table's kinds
             * each the categorized style of their symbols. */
            *q = (qlayer){ "projects", kinds[k][2], kinds[k][0], kinds[k][1], mixed ? subsets[k] : NULL, 1,
                           mixed ? kind_style(j->styles[1], field, values[k], geometries[k])
                                 : style_of_table(j->tmp_gpkg, "projects"), 0, "" };
            if (k == 0) j->proj_pts = q;
        }
        for (int k = 0; k < 3; k++) g_hash_table_destroy(values[k]);
    }
    for (int i = 0; i < nl; i++)
        snprintf(L[i].id, sizeof L[i].id, "footprint_%s%s%s", L[i].table, L[i].subset ? "_" : "", L[i].subset ? L[i].subset : "");
    j->nl = nl;
}

/* The layer tree, top first, as QGIS's Layers panel shows it. */
static void add_layer_tree(xmlNodePtr root, const qgz_job *j)
{
    xmlNodePtr tree = el(root, "layer-tree-group", NULL);
    for (int i = j->nl - 1; i >= 0; i--) {
        const qlayer *l = &j->L[i];
        xmlNodePtr t = el(tree, "layer-tree-layer", NULL);
        char *src = source_of(j->gpkg_name, l);
        attr(t, "id", "%s", l->id);
        attr(t, "name", "%s", l->name);
        attr(t, "source", "%s", src);
        attr(t, "providerKey", "ogr");
        attr(t, "checked", "%s", l->checked ? "Qt::Checked" : "Qt::Unchecked");
        attr(t, "expanded", "%d", l->labels);
        g_free(src);
        if (l->labels) {
            xmlNodePtr cp = el(t, "customproperties", NULL), cmap = el(cp, "Option", NULL), op = el(cmap, "Option", NULL);
            attr(cmap, "type", "Map");
            attr(op, "type", "int"); attr(op, "name", "showFeatureCount"); attr(op, "value", "1");
        }
    }
}

/* The map canvas: the world report map's extent and CRS. */
static void add_canvas(xmlNodePtr root, PJ_CONTEXT *ctx, const qgz_job *j)
{
    xmlNodePtr canvas = el(root, "mapcanvas", NULL);
    attr(canvas, "name", "theMapCanvas");
    attr(canvas, "annotationsVisible", "1");
    el(canvas, "units", "meters");
    xmlNodePtr ex = el(canvas, "extent", NULL);
    char num[64];
    for (int k = 0; k < 4; k++) {
        static const char *const en[] = { "xmin", "ymin", "xmax", "ymax" };
        snprintf(num, sizeof num, "%.6f", j->views[0].extent[k]);
        el(ex, en[k], num);
    }
    el(canvas, "rotation", "0");
    srs_el(el(canvas, "destinationsrs", NULL), ctx, j->views[0].proj_def);
}

/* Print layouts, one per shipped style, and the atlas. */
static void add_layouts(xmlDocPtr doc, xmlNodePtr root, PJ_CONTEXT *ctx, const qgz_job *j)
{
    xmlNodePtr layouts = el(root, "Layouts", NULL);
    int item_serial = 0;
    doc->_private = &item_serial;
    if (j->choro) {
        const qlayer *wl[] = { j->sea, j->grat30, j->choro, NULL };
        layout_spec w = { "world", j->styles[0], &j->views[0], wl, j->choro, legend_title_of(j->styles[0]), NULL, 1 };
        add_layout(layouts, ctx, j->gpkg_name, &w);
        const qlayer *al[] = { j->grat10, j->choro, NULL };
        layout_spec a = { "africa", j->styles[2], &j->views[2], al, j->choro, legend_title_of(j->styles[2]), NULL, 0 };
        add_layout(layouts, ctx, j->gpkg_name, &a);
        layout_spec at = { "atlas", j->styles[0], &j->atlas, al, j->choro, legend_title_of(j->styles[0]), j->choro, 0 };
        add_layout(layouts, ctx, j->gpkg_name, &at);
    }
    if (j->proj_pts) {
        const qlayer *cl[5] = { j->sea, j->grat30, j->countries, j->proj_pts, NULL };
        layout_spec c = { "categories", j->styles[1], &j->views[1], cl, j->proj_pts, NULL, NULL, 1 };
        add_layout(layouts, ctx, j->gpkg_name, &c);
    }
    doc->_private = NULL;              /* item_serial goes out of scope */
}

/* Step 6: the project document (caller frees it). */
static xmlDocPtr build_project(const qgz_job *j)
{
    PJ_CONTEXT *ctx = proj_context_create();
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "qgis");
    xmlDocSetRootElement(doc, root);
    xmlCreateIntSubset(doc, BAD_CAST "qgis", BAD_CAST "http://mrcc.com/qgis.dtd", BAD_CAST "SYSTEM");
    attr(root, "version", "3.22.16-Białowieża");
    attr(root, "projectname", "footprint");
    attr(el(root, "homePath", NULL), "path", "%s", "");
    el(root, "title", "footprint");
    /* The report map's CRS: Equal Earth for the world. */
    srs_el(el(root, "projectCrs", NULL), ctx, j->views[0].proj_def);
    add_layer_tree(root, j);
    add_canvas(root, ctx, j);
    xmlNodePtr pls = el(root, "projectlayers", NULL);
    for (int i = 0; i < j->nl; i++) add_maplayer(pls, ctx, j->gpkg_name, &j->L[i], j->styles[0]);
    xmlNodePtr order = el(root, "layerorder", NULL);
    for (int i = j->nl - 1; i >= 0; i--) attr(el(order, "layer", NULL), "id", "%s", j->L[i].id);
    /* Relative paths, so the folder moves as a whole. */
    xmlNodePtr props = el(root, "properties", NULL);
    attr(el(el(props, "Paths", NULL), "Absolute", "false"), "type", "bool");
    attr(el(el(props, "SpatialRefSys", NULL), "ProjectionsEnabled", "1"), "type", "int");
    add_layouts(doc, root, ctx, j);
    proj_context_destroy(ctx);
    return doc;
}

/* Step 7: the zip holding FILE.qgs, as QGIS writes its own .qgz. */
static fp_status write_project(const qgz_job *j, fp_error *err)
{
    xmlDocPtr doc = build_project(j);
    xmlChar *buf = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    fp_status st = buf ? write_qgz(j->tmp_qgz, j->qgs_name, buf, len, fp_context_source_date(j->ctx), err)
                       : fp_error_set(err, FP_ERR_IO, "%s: cannot serialise the project", j->o->output);
    xmlFree(buf);
    xmlFreeDoc(doc);
    return st;
}

/* Step 8: into place, the data first, so the project never names a
 * missing file. */
static fp_status publish(qgz_job *j, fp_export_result *res, fp_error *err)
{
    if (fp_context_cancelled(j->ctx)) return fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    fp_context_pause(j->ctx, "export:write");
    char *final_gpkg = g_build_filename(j->dir, j->gpkg_name, NULL);
    /* The GeoPackage is written anew; the styles a QGIS user saved in the
     * one it replaces are theirs and move into it. */
    fp_status st = fpi_gpkg_styles_keep_user(j->tmp_gpkg, final_gpkg, res, err);
    if (!st && g_rename(j->tmp_gpkg, final_gpkg) != 0)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", final_gpkg, strerror(errno));
    if (!st && g_rename(j->tmp_qgz, j->o->output) != 0)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", j->o->output, strerror(errno));
    g_free(final_gpkg);
    if (!st && res) {
        res->features = j->features;
        res->unlocated = j->unlocated;
        res->layers = j->nlay;
        snprintf(res->first_path, sizeof res->first_path, "%s", j->o->output);
    }
    return st;
}

static void job_clear(qgz_job *j, fp_status st, fp_error *err)
{
    if (st && j->tmp && err) {
        /* Name the target in messages, not the temporary folder. */
        gchar **parts = g_strsplit(err->message, j->tmp, -1);
        gchar *msg = g_strjoinv(j->dir, parts);
        snprintf(err->message, sizeof err->message, "%s", msg);
        g_free(msg);
        g_strfreev(parts);
    }
    if (j->tmp) fpi_remove_tree(j->tmp);
    for (int i = 0; i < j->nl; i++)
        if (j->L[i].qml) xmlFreeDoc(j->L[i].qml);
    g_free(j->agg_centroids);
    g_free(j->choro_title);
    g_free(j->centroids_title);
    g_free(j->tmp);
    g_free(j->tmp_gpkg);
    g_free(j->tmp_qgz);
    g_free(j->dir);
    g_free(j->base);
    g_free(j->gpkg_name);
    g_free(j->qgs_name);
    for (int i = 0; i < 3; i++) fp_style_free(j->styles[i]);
}

/* what -> styles -> folders -> data -> layers -> project -> into place. */
fp_status fp_export_qgz(fp_store *store, const fp_export_options *o, fp_export_result *res, fp_error *err)
{
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_export_qgz: store is NULL");
    if (!o) return fp_error_set(err, FP_ERR_USAGE, "fp_export_qgz: opts is NULL");
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    double t0 = fpi_now();
    qgz_job j = { .o = o, .ctx = fp_store_context(store) };
    /* The project's data are WGS 84 and QGIS reprojects on the fly: the
     * map's CRS is the project's setting (Project > Properties > CRS). */
    if (o->crs)
        return fp_error_set(err, FP_ERR_USAGE, "--crs %s: a QGIS project's layers are written in WGS 84 (QGIS shows them "
                            "in any CRS: Project > Properties > CRS); --crs is for gpkg, fgb, shp and csv", o->crs);
    fp_status st = check_what(store, &j, err);
    if (st) return st;
    st = load_styles(store, &j, err);
    if (!st) st = make_folders(&j, err);
    if (!st) st = write_data(store, &j, err);
    if (!st && j.agg) st = atlas_views(&j, err);
    /* The atlas columns were added through GDAL, which dated the table now. */
    if (!st) st = fpi_gpkg_set_last_change(j.tmp_gpkg, fp_context_source_date(j.ctx), err);
    if (!st) plan_layers(&j);
    if (!st) st = write_project(&j, err);
    if (!st) st = publish(&j, res, err);
    job_clear(&j, st, err);
    if (res) res->seconds = fpi_now() - t0;
    return st;
}
