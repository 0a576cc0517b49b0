/* Map styles: choropleth classes and their colours, points by category, and
 * the look of rendered maps, read from a JSON style file (doc/STYLE.md).
 * Used by `export` (classes and colours in the layers, QGIS QML styles) and
 * by `render`/`tiles`. */
#ifndef FP_STYLE_H
#define FP_STYLE_H

#include <stddef.h>
#include <stdint.h>
#include "fp_context.h"
#include "fp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_rgba { unsigned char r, g, b, a; } fp_rgba;
typedef struct fp_style fp_style;

/* Loads a style file (JSON). path NULL: the built-in default style (the
 * same as styles/world-choropleth.json). Errors name the file, the key path
 * (e.g. "choropleth.scheme") and the problem; unknown keys and duplicated
 * keys are errors (typos must not pass silently). */
fp_status fp_style_load(const char *path, fp_style **out, fp_error *err);
/* The same, finding shipped styles in ctx's styles folder (fp_style_load:
 * the default folder). */
fp_status fp_style_load_ctx(const fp_context *ctx, const char *path, fp_style **out, fp_error *err);
/* Path of a shipped style file (ctx's styles folder, else the build's
 * styles/). A bare name given to fp_style_load (no '/', not a file here,
 * with or without .json) loads the shipped style of that name; a bare
 * name that is neither is FP_ERR_USAGE listing the shipped styles. */
const char *fp_style_path(const fp_context *ctx, const char *name, char *buf, size_t size);
/* The same from a JSON text; origin names it in messages (NULL: "style"). */
fp_status fp_style_parse(const char *json, const char *origin, fp_style **out, fp_error *err);
void fp_style_free(fp_style *s);
const char *fp_style_name(const fp_style *s);
const char *fp_style_description(const fp_style *s);   /* NULL if none */
const char *fp_style_origin(const fp_style *s);        /* the path, or "built-in style" */

/* "#rrggbb", or "#rrggbbaa" when a < 255. */
void fp_rgba_to_hex(fp_rgba c, char out[10]);
/* "#rgb", "#rrggbb", "#rrggbbaa" (any case) or "none" (transparent);
 * 0 ok, -1 bad (out untouched). */
int fp_rgba_parse(const char *text, fp_rgba *out);

/* ---- Choropleth: which aggregation level/field, how to classify. ---- */

typedef enum { FP_CLASS_QUANTILE, FP_CLASS_EQUAL, FP_CLASS_JENKS, FP_CLASS_MANUAL } fp_class_method;
const char *fp_class_method_name(fp_class_method m);   /* "quantile", "equal", "jenks", "manual" */

#define FP_CLASSES_MIN 2
#define FP_CLASSES_MAX 9

typedef struct fp_choropleth_spec {
    const char *aggregation;  /* aggregation name, e.g. "country_by_category"; NULL: the caller's */
    const char *level;        /* e.g. "country"; NULL: the aggregation's main level */
    const char *field;        /* e.g. "projects" */
    fp_class_method method;
    int classes;              /* FP_CLASSES_MIN..FP_CLASSES_MAX (manual: nbreaks - 1) */
    const double *breaks;     /* manual: class bounds, strictly increasing */
    int nbreaks;
    const char *scheme;       /* ColorBrewer sequential or diverging scheme */
    int zero_is_nodata;
    fp_rgba nodata;
} fp_choropleth_spec;

/* NULL if the style has none. */
const fp_choropleth_spec *fp_style_choropleth(const fp_style *s);

typedef struct fp_classes {
    int n;                    /* classes; 0 when every value is no data */
    double *breaks;           /* n+1 */
    fp_rgba *colors;          /* n */
    long *counts;             /* n: values in each class */
    long nodata_count;
    fp_rgba nodata;
    int zero_is_nodata;
    int whole_values;         /* every value with data is a whole number (counts) */
} fp_classes;

/* Classifies values (NaN and infinities = no data; 0 = no data when
 * zero_is_nodata). Class i holds breaks[i] <= v <= breaks[i+1], lower bound
 * exclusive for i > 0, so breaks[0] == breaks[1] is a class holding the
 * minimum alone. Fewer distinct values than classes => fewer classes (never
 * empty classes with duplicate breaks); quantile breaks that coincide (ties)
 * are merged the same way. Equal intervals and manual breaks may leave a
 * class empty; manual outer bounds widen to take every value.
 * Colours: the scheme's palette of n colours (n < 3: the first and last, or
 * the last, of its 3-colour palette). */
fp_status fp_classify(const fp_choropleth_spec *spec, const double *values, size_t n, fp_classes *out,
                      fp_error *err);
/* The class of v; -1: no data. Values outside the breaks go to the first or
 * last class. */
int fp_classes_index(const fp_classes *c, double v);
void fp_classes_clear(fp_classes *c);
/* The legend text of class i, "LO – HI" or "V" (UTF-8 en dash). With
 * whole-number breaks (counts) class i > 0 starts above its lower bound, so
 * the classes read 1, 2, 3, 4 – 9 rather than 1 – 2, 2 – 3; with whole
 * values (counts) and breaks that are not (equal intervals: 145.2), a class
 * reads as the whole numbers it holds, 1 – 145 then 146 – 289, not 1 – 145
 * then 145 – 289. Shared by the report maps' legend and the tile preview's. */
void fp_classes_label(const fp_classes *c, int i, char *out, size_t size);

/* ---- The choropleth of a store: the style's spec resolved against an
 * aggregation and classified. The one place render, raster and vector
 * tiles, export and the QGIS styles get their classes from, so a region has
 * the same class and colour everywhere. ---- */

struct fp_store;
typedef struct fp_choropleth fp_choropleth;

/* Resolves the style's choropleth: aggregation (NULL: the style's), level
 * (NULL: the style's, else the aggregation's main level, else country) and
 * field (the style's, default projects), reads the level's values and
 * classifies them. *out is NULL (and FP_OK) when the style has no
 * choropleth or names no aggregation: draw plain land. A missing
 * aggregation or column is a usage error saying how to make it. */
fp_status fp_choropleth_new(struct fp_store *store, const fp_style *style, const char *aggregation, const char *level,
                            fp_choropleth **out, fp_error *err);
void fp_choropleth_free(fp_choropleth *ch);

const fp_classes *fp_choropleth_classes(const fp_choropleth *ch);
/* Moves the classes to the caller (cleared with fp_classes_clear); the
 * choropleth keeps none after. */
void fp_choropleth_take_classes(fp_choropleth *ch, fp_classes *out);
const char *fp_choropleth_aggregation(const fp_choropleth *ch);
const char *fp_choropleth_level(const fp_choropleth *ch);
const char *fp_choropleth_field(const fp_choropleth *ch);
/* The legend's title: the style's legend.title, else made from the field
 * and level, e.g. "Projects per country". */
const char *fp_choropleth_title(const fp_choropleth *ch);

/* One region of the level, classified. Pointers stay valid during the call. */
typedef struct fp_choropleth_region {
    int64_t id;                  /* the row's id in the aggregation (stable order) */
    const char *code, *name;
    int has_value;               /* 0: no data (NULL) */
    int value_is_int;            /* stored as an integer (vector tiles keep the type) */
    double value;                /* NaN without a value */
    int class_index;             /* -1: no data */
    fp_rgba fill;                /* the class colour, or the no-data colour */
    const unsigned char *wkb;    /* the region (WKB, lon/lat) */
    size_t wkb_len;
    int has_label;               /* FP_CHOROPLETH_LABELS: a point inside the region */
    double label_lon, label_lat;
} fp_choropleth_region;
/* Non-zero stops the walk. */
typedef int (*fp_choropleth_region_fn)(void *user, const fp_choropleth_region *region);

enum { FP_CHOROPLETH_LABELS = 1 << 0 };
/* Calls fn for every region of the level that has a geometry, in the
 * store's order, with its geometry (and label point with
 * FP_CHOROPLETH_LABELS). */
fp_status fp_choropleth_each(const fp_choropleth *ch, int flags, fp_choropleth_region_fn fn, void *user,
                             fp_error *err);

/* Small multiples: the same regions coloured by other values (e.g. the
 * projects of each year). fp_choropleth_classify_values replaces the
 * classes with those of values (every region of every panel, NaN for no
 * data) under the style's spec, so one colour is one class on every panel;
 * fp_choropleth_each_values walks the regions as fp_choropleth_each does,
 * each region's value from value_of (NaN: no data), classed by the current
 * classes. */
fp_status fp_choropleth_classify_values(fp_choropleth *ch, const double *values, size_t n, fp_error *err);
/* How many regions the level has (no data included): a panel's count. */
long fp_choropleth_region_count(const fp_choropleth *ch);
typedef double (*fp_choropleth_value_fn)(void *user, const char *code);
fp_status fp_choropleth_each_values(const fp_choropleth *ch, int flags, fp_choropleth_value_fn value_of,
                                    void *value_user, fp_choropleth_region_fn fn, void *user, fp_error *err);

/* ---- Points by category. ---- */

typedef enum { FP_SHAPE_CIRCLE, FP_SHAPE_SQUARE, FP_SHAPE_TRIANGLE, FP_SHAPE_DIAMOND } fp_shape;
const char *fp_shape_name(fp_shape shape);   /* also the QGIS SimpleMarker name */

/* The explicit colour from the style, else a colour from the style's
 * qualitative scheme (then other ColorBrewer qualitative palettes) given in
 * category order: the style's list (see fp_style_categories), then the
 * categories registered with fp_style_set_categories, sorted. No two known
 * categories share a colour. A category the style was not told of gets a
 * colour of the scheme by a hash of its name. */
fp_rgba fp_style_category_color(const fp_style *s, const char *category);
/* A category as legends show it, in render's legend and in QGIS's: '_' as a
 * space ("smart_city" is "smart city"), and an empty or missing value
 * "(no category)". Writes at most size bytes to out, a longer text cut at a
 * character's start (valid UTF-8 stays valid); returns out. */
char *fp_style_category_label(const char *category, char *out, size_t size);
/* Registers the data's categories (all of them, e.g. the distinct values of
 * the field over the store, so that every layer and map colours a category
 * alike); replaces an earlier set. NULL values skipped. */
fp_status fp_style_set_categories(fp_style *s, const char *const *values, size_t n, fp_error *err);
/* fp_style_set_categories with every value of the style's point field over
 * the store's projects: what render, export and tiles call, so a category
 * has one colour in every map, layer and tile. */
struct fp_store;
fp_status fp_style_set_store_categories(fp_style *s, struct fp_store *store, fp_error *err);
/* The credits the style's outputs show, with GeoNames credited (CC BY
 * 4.0 asks for the credit wherever what it gave is shown) when a project of
 * the store was placed at a gazetteer place and the style's credits do not
 * name GeoNames: what render, tiles and the QGIS project's layouts call. */
fp_status fp_style_set_store_credits(fp_style *s, struct fp_store *store, fp_error *err);
fp_shape fp_style_category_shape(const fp_style *s, const char *category);   /* default circle */
const char *fp_style_category_field(const fp_style *s);                       /* default "category" */
/* Proportional symbols: the size (points) of a symbol for value, its area
 * proportional to the value, vmax drawn at 4x base, nothing below base/2
 * (values <= 0 and no data: base/2). Report maps and QGIS styles alike. */
double fp_symbol_size(double base, double value, double vmax);
/* The style's list of categories (points.categories, then the other keys
 * of points.colors and points.shapes, in file order): legend order. */
size_t fp_style_categories(const fp_style *s, const char *const **names);

/* ---- The look of a map (render, tiles). Sizes and widths in points. ---- */

typedef struct fp_map_style {
    fp_rgba background;
    struct { fp_rgba fill, stroke; double width; } land;
    struct { fp_rgba stroke; double width; } borders;
    struct { fp_rgba stroke; double width; } lines;
    struct { int enabled; fp_rgba stroke; double width, step; } graticule;   /* step in degrees */
    struct { int enabled; const char *font; double size; fp_rgba color, halo; int max; } labels;
    struct { const char *text, *subtitle, *font; double size; } title;       /* text NULL: none */
    const char *legend_position;   /* "top-left", "top-right", "bottom-left", "bottom-right", "none" */
    const char *legend_title;      /* legend.title, the choropleth legend's title; NULL: made from the
                                      field and level ("Projects per country", fp_choropleth_title) */
    const char *credits;           /* NULL: none */
    struct {
        int has_bbox;
        double bbox[4];            /* west, south, east, north (degrees) */
        const char *region;        /* a region name or code to zoom to; NULL: none */
        const char *projection;    /* "equal-earth", ..., or "EPSG:n" */
    } view;
    /* enabled: the style has a points section (draw the projects). */
    struct { int enabled; const char *field; double size; const char *size_field; const char *scheme; } points;
} fp_map_style;

/* The credit line of a style without "credits": the default regions' and
 * palettes' sources (what the shipped styles carry). */
const char *fp_style_default_credits(void);
const fp_map_style *fp_style_map(const fp_style *s);

/* ---- Projections: one list for render's --proj and a style's view.projection ---- */

/* The names, NULL-terminated: equal-earth, robinson, mollweide,
 * natural-earth, equirectangular, mercator, web-mercator, laea. */
const char *const *fp_projection_names(void);
/* The PROJ definition (a CRS) of a map in value centred on (lon0, lat0): a
 * name's ("mollweide": +proj=moll +lon_0=LON0 +datum=WGS84 +units=m
 * +type=crs; laea centred on lat0 too; web-mercator is EPSG:3857, never
 * centred), 1; anything else (EPSG:n, a PROJ string, WKT) as it is, 0.
 * NULL is equal-earth. */
int fp_projection_definition(const char *value, double lon0, double lat0, char *out, size_t size);
/* 1 for mercator and web-mercator, whose maps stop at 85.0511 N and S. */
int fp_projection_is_mercator(const char *value);
/* For a message about value: the names, after a did-you-mean for the
 * nearest (within two typos): 'did you mean "robinson"? names: equal-earth,
 * ...; or EPSG:n, ESRI:n, a PROJ string (+proj=...)'. */
void fp_projection_hint(const char *value, char *out, size_t size);

/* A map's lon/lat box [west, south, east, north] as --bbox and view.bbox
 * take it: west within -180..180; south < north within -90..90; east within
 * -180..180, or past 180 (up to west + 360) for a box across the
 * antimeridian. An east less than west crosses it too (RFC 7946, 5.2:
 * 170,-25,-170,-10 is 170,-25,190,-10) and is moved by 360 degrees. 0 and
 * b with west < east; -1 and why ("south must be less than north") when
 * the box is none of these. */
int fp_bbox_normalise(double b[4], char *why, size_t why_size);

/* ---- ColorBrewer ---- */

typedef enum { FP_SCHEME_SEQUENTIAL, FP_SCHEME_DIVERGING, FP_SCHEME_QUALITATIVE } fp_scheme_kind;

/* A scheme's colours for n classes (sequential YlOrRd, Blues, Greens, Reds,
 * Purples, OrRd, PuBu, YlGnBu, BuPu...; diverging RdBu, RdYlBu, BrBG, PiYG,
 * Spectral...; qualitative Set1, Set2, Set3, Dark2, Paired, Pastel1,
 * Accent...). Names match in any case. 0 ok; -1 when the scheme is unknown
 * or n outside its range (3..9 sequential, 3..11 diverging, 3..8/9/12
 * qualitative). */
int fp_palette(const char *scheme, int n, fp_rgba *out);
/* The canonical name, kind and class range of a scheme; -1 if unknown. */
int fp_palette_info(const char *scheme, const char **name, fp_scheme_kind *kind, int *min, int *max);

/* ---- QGIS QML documents (QGIS 3; malloc'd, the caller frees; NULL when
 * out of memory or geometry is unknown). ---- */

/* A graduated renderer on `field`, one range per class. geometry
 * "polygon" (SimpleFill, white 0.25 pt outline), "point" (SimpleMarker) or
 * "line" (SimpleLine). */
char *fp_qml_graduated(const fp_classes *c, const char *field, const char *geometry);
/* The same with the outline (borders) and point size of a style (NULL: the defaults). */
char *fp_qml_graduated_style(const fp_style *s, const fp_classes *c, const char *field, const char *geometry);
/* A categorized renderer on `field`, one category per distinct value (NULL
 * values skipped; those of the style's list first, in its order, then the
 * others as given), colours and shapes from the style (s may be NULL).
 * geometry "point" (the category's marker), "line" (a line in its colour
 * at the style's line width) or "polygon" (filled in its colour at
 * FP_AREA_FILL_OPACITY, outlined in it at the line width). */
char *fp_qml_categorized(const fp_style *s, const char *field, const char *const *values, size_t n,
                         const char *geometry);

/* How opaque an area project's fill is (the web map's and QGIS's): the
 * base map stays readable under it. */
#define FP_AREA_FILL_OPACITY 0.35

/* The kinds of geometry a layer holds, or'ed (multi types count as their
 * kind; collections as none). */
enum { FP_GEOMETRY_POINTS = 1, FP_GEOMETRY_LINES = 2, FP_GEOMETRY_AREAS = 4 };
/* The categorized style of a layer holding `kinds`: one kind, that of
 * fp_qml_categorized; none, the points'; several, a rule-based renderer
 * with a rule per kind (geometry_type) holding a rule per category, so
 * QGIS draws every kind in its symbols whichever part of a mixed table it
 * opens (a GeoPackage's `|geometrytype=LineString`, a PostGIS table's
 * type). */
char *fp_qml_categorized_kinds(const fp_style *s, const char *field, const char *const *values, size_t n,
                               unsigned kinds);

#ifdef __cplusplus
}
#endif

#endif
