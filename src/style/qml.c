/* QGIS layer styles (QML): graduated renderers for choropleths and
 * categorized renderers for points by category. Symbol layer properties are
 * written twice, as the <Option type="Map"> QGIS 3.26+ reads and as the
 * <prop k v> older QGIS 3 reads, so either opens them. Widths and sizes are
 * in points, as in style files. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fp_style.h"

typedef struct sb {
    char *buf;
    size_t len, cap;
    int failed;
} sb;

static void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb *b, const char *fmt, ...)
{
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) { b->failed = 1; return; }
        if ((size_t)n < b->cap - b->len) { b->len += (size_t)n; return; }
        size_t cap = b->cap * 2 + (size_t)n;
        char *nb = realloc(b->buf, cap);
        if (!nb) { b->failed = 1; return; }
        b->buf = nb;
        b->cap = cap;
    }
}

/* Text for an attribute value: the five XML specials escaped, line breaks
 * and tabs kept as character references, other control characters (not
 * allowed in XML 1.0) and bytes that are not UTF-8 made '?'. */
static void sb_xml(sb *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p && !b->failed) {
        unsigned char ch = *p;
        int len = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
        int ok = len > 0 && !(len == 2 && ch < 0xC2) && !(ch > 0xF4);
        for (int i = 1; ok && i < len; i++)
            if ((p[i] & 0xC0) != 0x80) ok = 0;
        /* Overlongs and surrogates of 3/4-byte forms. */
        if (ok && len == 3 && ((ch == 0xE0 && p[1] < 0xA0) || (ch == 0xED && p[1] >= 0xA0))) ok = 0;
        if (ok && len == 4 && ((ch == 0xF0 && p[1] < 0x90) || (ch == 0xF4 && p[1] >= 0x90))) ok = 0;
        if (!ok) { sb_printf(b, "?"); p++; continue; }
        if (len > 1) { sb_printf(b, "%.*s", len, (const char *)p); p += len; continue; }
        switch (ch) {
        case '&': sb_printf(b, "&amp;"); break;
        case '<': sb_printf(b, "&lt;"); break;
        case '>': sb_printf(b, "&gt;"); break;
        case '"': sb_printf(b, "&quot;"); break;
        case '\'': sb_printf(b, "&apos;"); break;
        case '\t': case '\n': case '\r': sb_printf(b, "&#%d;", ch); break;
        default: sb_printf(b, "%c", ch < 0x20 || ch == 0x7F ? '?' : ch);
        }
        p++;
    }
}

/* The shortest decimal that reads back as the same double, so that QGIS
 * puts a value equal to a break in the same class as we do. */
static void fmt_num(double v, char out[32])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

static void fmt_color(fp_rgba c, char out[20])
{
    snprintf(out, 20, "%d,%d,%d,%d", c.r, c.g, c.b, c.a);
}

typedef struct kv { const char *k, *v; } kv;

/* <symbol> with one symbol layer of class cls and properties props. */
static void symbol(sb *b, const char *type, int name, const char *cls, const kv *props, size_t n)
{
    sb_printf(b, "      <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                 "        <layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                 "          <Option type=\"Map\">\n", type, name, cls);
    for (size_t i = 0; i < n; i++) {
        sb_printf(b, "            <Option type=\"QString\" name=\"%s\" value=\"", props[i].k);
        sb_xml(b, props[i].v);
        sb_printf(b, "\"/>\n");
    }
    sb_printf(b, "          </Option>\n");
    for (size_t i = 0; i < n; i++) {
        sb_printf(b, "          <prop k=\"%s\" v=\"", props[i].k);
        sb_xml(b, props[i].v);
        sb_printf(b, "\"/>\n");
    }
    sb_printf(b, "        </layer>\n      </symbol>\n");
}

static void fill_symbol(sb *b, int name, fp_rgba fill, fp_rgba outline, double width)
{
    char c[20], oc[20], w[32];
    fmt_color(fill, c);
    fmt_color(outline, oc);
    fmt_num(width, w);
    const kv props[] = {
        { "color", c }, { "joinstyle", "bevel" }, { "offset", "0,0" }, { "offset_unit", "MM" },
        { "outline_color", oc }, { "outline_style", width > 0 && outline.a > 0 ? "solid" : "no" },
        { "outline_width", w }, { "outline_width_unit", "Point" }, { "style", fill.a > 0 ? "solid" : "no" },
    };
    symbol(b, "fill", name, "SimpleFill", props, sizeof props / sizeof props[0]);
}

static void marker_symbol(sb *b, int name, fp_rgba fill, fp_shape shape, double size)
{
    char c[20], sz[32];
    fmt_color(fill, c);
    fmt_num(size, sz);
    const kv props[] = {
        { "angle", "0" }, { "color", c }, { "horizontal_anchor_point", "1" }, { "joinstyle", "bevel" },
        { "name", fp_shape_name(shape) }, { "offset", "0,0" }, { "offset_unit", "MM" },
        { "outline_color", "50,50,50,255" }, { "outline_style", "solid" }, { "outline_width", "0.25" },
        { "outline_width_unit", "Point" }, { "scale_method", "diameter" }, { "size", sz },
        { "size_unit", "Point" }, { "vertical_anchor_point", "1" },
    };
    symbol(b, "marker", name, "SimpleMarker", props, sizeof props / sizeof props[0]);
}

static void line_symbol(sb *b, int name, fp_rgba color, double width)
{
    char c[20], w[32];
    fmt_color(color, c);
    fmt_num(width, w);
    const kv props[] = {
        { "capstyle", "round" }, { "joinstyle", "round" }, { "line_color", c }, { "line_style", "solid" },
        { "line_width", w }, { "line_width_unit", "Point" }, { "offset", "0" }, { "offset_unit", "MM" },
    };
    symbol(b, "line", name, "SimpleLine", props, sizeof props / sizeof props[0]);
}

static void head(sb *b, const char *type, const char *field, const char *extra)
{
    sb_printf(b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                 "<qgis version=\"3.28\" styleCategories=\"Symbology\">\n"
                 "  <renderer-v2 type=\"%s\" attr=\"", type);
    sb_xml(b, field ? field : "");
    sb_printf(b, "\"%s symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n", extra);
}

static char *finish(sb *b)
{
    sb_printf(b, "  </renderer-v2>\n</qgis>\n");
    if (b->failed) {
        free(b->buf);
        return NULL;
    }
    return b->buf;
}

/* 0 point, 1 line, 2 polygon, -1 anything else. */
static int geometry_kind(const char *geometry)
{
    if (!geometry) return -1;
    if (strcmp(geometry, "point") == 0) return 0;
    if (strcmp(geometry, "line") == 0) return 1;
    if (strcmp(geometry, "polygon") == 0) return 2;
    return -1;
}

static int sb_init(sb *b)
{
    b->len = 0;
    b->failed = 0;
    b->cap = 4096;
    b->buf = malloc(b->cap);
    return b->buf ? 0 : -1;
}

/* A field as a QGIS expression names it: in double quotes, quotes doubled. */
static void expr_field(sb *b, const char *field)
{
    sb_printf(b, "\"");
    for (const char *p = field; *p; p++) sb_printf(b, *p == '"' ? "\"\"" : "%c", *p);
    sb_printf(b, "\"");
}

/* The filter of class i (-1: no data) as fp_classes_index decides it:
 * class 0 takes v <= breaks[1], class i > 0 takes breaks[i] < v <=
 * breaks[i+1], the last class everything above its lower bound; NULL (and
 * 0 when zero_is_nodata) is no data. QGIS compares NULL as NULL (false),
 * so NULL falls through every class rule. */
static void class_filter(sb *b, const fp_classes *c, const char *field, int i)
{
    if (i < 0) {
        expr_field(b, field);
        sb_printf(b, " IS NULL");
        if (c->zero_is_nodata) { sb_printf(b, " OR "); expr_field(b, field); sb_printf(b, " = 0"); }
        return;
    }
    expr_field(b, field);
    sb_printf(b, " IS NOT NULL");
    if (c->zero_is_nodata) { sb_printf(b, " AND "); expr_field(b, field); sb_printf(b, " <> 0"); }
    char num[32];
    if (i > 0) {
        fmt_num(c->breaks[i], num);
        sb_printf(b, " AND "); expr_field(b, field); sb_printf(b, " > %s", num);
    }
    if (i < c->n - 1) {
        fmt_num(c->breaks[i + 1], num);
        sb_printf(b, " AND "); expr_field(b, field); sb_printf(b, " <= %s", num);
    }
}

/* Proportional symbols in QGIS: fp_symbol_size as an expression. */
static void size_expression(sb *b, const char *field, double base, double vmax)
{
    char bs[32], half[32], big[32], vm[32];
    fmt_num(base, bs);
    fmt_num(base * 0.5, half);
    fmt_num(base * 4, big);
    fmt_num(vmax, vm);
    sb_printf(b, "CASE WHEN ");
    expr_field(b, field);
    sb_printf(b, " > 0 THEN max(%s, %s * sqrt(", half, big);
    expr_field(b, field);
    sb_printf(b, " / %s)) ELSE %s END", vm, half);
}

/* A string built with sb, or "" when out of memory (b->failed). */
static char *sb_take(sb *b)
{
    if (b->failed) { free(b->buf); b->buf = NULL; return NULL; }
    return b->buf;
}

/* The marker of a centroid layer: the class colour, sized by the value
 * (a data-defined size) as render sizes proportional symbols. */
static void sized_marker_symbol(sb *b, int name, fp_rgba fill, double base, const char *size_expr)
{
    char c[20], sz[32];
    fmt_color(fill, c);
    fmt_num(base, sz);
    const kv props[] = {
        { "angle", "0" }, { "color", c }, { "horizontal_anchor_point", "1" }, { "joinstyle", "bevel" },
        { "name", "circle" }, { "offset", "0,0" }, { "offset_unit", "MM" },
        { "outline_color", "50,50,50,255" }, { "outline_style", "solid" }, { "outline_width", "0.25" },
        { "outline_width_unit", "Point" }, { "scale_method", "diameter" }, { "size", sz },
        { "size_unit", "Point" }, { "vertical_anchor_point", "1" },
    };
    /* symbol() closes the layer; the data-defined size goes inside it, so
     * write the opening by hand here. */
    sb_printf(b, "      <symbol type=\"marker\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                 "        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                 "          <Option type=\"Map\">\n", name);
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        sb_printf(b, "            <Option type=\"QString\" name=\"%s\" value=\"", props[i].k);
        sb_xml(b, props[i].v);
        sb_printf(b, "\"/>\n");
    }
    sb_printf(b, "          </Option>\n");
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        sb_printf(b, "          <prop k=\"%s\" v=\"", props[i].k);
        sb_xml(b, props[i].v);
        sb_printf(b, "\"/>\n");
    }
    if (size_expr) {
        sb_printf(b, "          <data_defined_properties>\n"
                     "            <Option type=\"Map\">\n"
                     "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n"
                     "              <Option type=\"Map\" name=\"properties\">\n"
                     "                <Option type=\"Map\" name=\"size\">\n"
                     "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
                     "                  <Option type=\"QString\" name=\"expression\" value=\"");
        sb_xml(b, size_expr);
        sb_printf(b, "\"/>\n"
                     "                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
                     "                </Option>\n"
                     "              </Option>\n"
                     "              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
                     "            </Option>\n"
                     "          </data_defined_properties>\n");
    }
    sb_printf(b, "        </layer>\n      </symbol>\n");
}

/* The choropleth as a rule-based renderer: one rule per class with the
 * exact filter and label of footprint's legend (fp_classes_label), highest
 * class first, then the no-data class in its grey, as render's legend
 * lists them. A graduated renderer cannot do this: QGIS skips NULL values
 * there and labels ranges "lo - hi" with both ends inclusive. Points (the
 * centroid layer) are proportional symbols (fp_symbol_size), the largest
 * drawn first so the smaller ones stay visible on top. */
char *fp_qml_graduated_style(const fp_style *s, const fp_classes *c, const char *field, const char *geometry)
{
    int kind = geometry_kind(geometry);
    if (!c || !field || kind < 0) return NULL;
    const fp_map_style *m = s ? fp_style_map(s) : NULL;
    fp_rgba outline = m ? m->borders.stroke : (fp_rgba){ 255, 255, 255, 255 };
    double width = m ? m->borders.width : 0.25, size = m && m->points.size > 0 ? m->points.size : 4,
           line = m ? m->lines.width : 1;
    double vmax = c->n > 0 ? c->breaks[c->n] : 0;
    sb b, e;
    if (sb_init(&b)) return NULL;
    sb_printf(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                  "<qgis version=\"3.28\" styleCategories=\"Symbology\">\n"
                  "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"%d\" forceraster=\"0\" "
                  "referencescale=\"-1\">\n    <rules key=\"fp_root\">\n", kind == 0);
    for (int i = c->n - 1; i >= -1; i--) {
        char label[128];
        if (i >= 0) fp_classes_label(c, i, label, sizeof label);
        else snprintf(label, sizeof label, "%s", c->zero_is_nodata ? "none" : "no data");
        if (sb_init(&e)) { b.failed = 1; break; }
        class_filter(&e, c, field, i);
        char *filter = sb_take(&e);
        if (!filter) { b.failed = 1; break; }
        int sym = i >= 0 ? i : c->n;
        if (i >= 0) sb_printf(&b, "      <rule key=\"fp_class_%d\" symbol=\"%d\" label=\"", i, sym);
        else sb_printf(&b, "      <rule key=\"fp_nodata\" symbol=\"%d\" label=\"", sym);
        sb_xml(&b, label);
        sb_printf(&b, "\" filter=\"");
        sb_xml(&b, filter);
        sb_printf(&b, "\"/>\n");
        free(filter);
    }
    sb_printf(&b, "    </rules>\n    <symbols>\n");
    char *size_expr = NULL;
    if (kind == 0 && !sb_init(&e)) {
        size_expression(&e, field, size, vmax);
        if (!(size_expr = sb_take(&e))) b.failed = 1;
    }
    for (int i = 0; i <= c->n; i++) {
        fp_rgba col = i < c->n ? c->colors[i] : c->nodata;
        /* No data: the smallest proportional symbol, as for a value of 0. */
        if (kind == 0) sized_marker_symbol(&b, i, col, i < c->n ? size : size * 0.5, i < c->n ? size_expr : NULL);
        else if (kind == 1) line_symbol(&b, i, col, line);
        else fill_symbol(&b, i, col, outline, width);
    }
    free(size_expr);
    sb_printf(&b, "    </symbols>\n");
    if (kind == 0) {
        /* Largest symbols first, the smaller ones on top of them. */
        sb_printf(&b, "    <orderby>\n      <orderByClause asc=\"0\" nullsFirst=\"0\">");
        if (!sb_init(&e)) {
            expr_field(&e, field);
            char *ob = sb_take(&e);
            if (ob) sb_xml(&b, ob);
            else b.failed = 1;
            free(ob);
        } else {
            b.failed = 1;
        }
        sb_printf(&b, "</orderByClause>\n    </orderby>\n");
    }
    return finish(&b);
}

char *fp_qml_graduated(const fp_classes *c, const char *field, const char *geometry)
{
    return fp_qml_graduated_style(NULL, c, field, geometry);
}

/* The categories of a categorized style, as indexes into values: distinct
 * values (a repeated one would be a second category), first those of the
 * style's list in its order, the legend order, then the others in the
 * order given. NULL when out of memory. */
static size_t *category_order(const fp_style *s, const char *const *values, size_t n, size_t *nkeep)
{
    size_t *keep = malloc((n ? n : 1) * sizeof *keep), nk = 0;
    if (!keep) return NULL;
    const char *const *list;
    size_t nlist = fp_style_categories(s, &list);
    for (size_t pass = 0; pass <= nlist; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (!values[i]) continue;
            int listed = 0;
            for (size_t j = 0; j < nlist && !listed; j++) listed = strcmp(list[j], values[i]) == 0;
            if (pass < nlist ? strcmp(values[i], list[pass]) != 0 : listed) continue;
            int dup = 0;
            for (size_t j = 0; j < nk && !dup; j++) dup = strcmp(values[keep[j]], values[i]) == 0;
            if (!dup) keep[nk++] = i;
        }
    }
    *nkeep = nk;
    return keep;
}

/* A category's symbol for a kind of geometry (geometry_kind), as render
 * and the web map draw it: points its marker; lines (cables, routes)
 * stroked in its colour at the style's line width, as render strokes
 * them; areas outlined so and filled in its colour at
 * FP_AREA_FILL_OPACITY, as the web map's style fills them (render draws
 * the outline only, which alone is hard to see on a small zone). */
static void category_symbol(sb *b, int name, const fp_style *s, const char *value, int kind)
{
    const fp_map_style *m = s ? fp_style_map(s) : NULL;
    fp_rgba col = fp_style_category_color(s, value);
    double line = m && m->lines.width > 0 ? m->lines.width : 1;
    if (kind == 0) {
        marker_symbol(b, name, col, fp_style_category_shape(s, value), m ? m->points.size : 4);
    } else if (kind == 1) {
        line_symbol(b, name, col, line);
    } else {
        fp_rgba fill = col;
        fill.a = (unsigned char)lround(col.a * FP_AREA_FILL_OPACITY);
        fill_symbol(b, name, fill, col, line);
    }
}

char *fp_qml_categorized(const fp_style *s, const char *field, const char *const *values, size_t n,
                         const char *geometry)
{
    int kind = geometry_kind(geometry);
    if (kind < 0 || (n && !values)) return NULL;
    size_t nk = 0, *keep = category_order(s, values, n, &nk);
    if (!keep) return NULL;
    sb b;
    if (sb_init(&b)) { free(keep); return NULL; }
    head(&b, "categorizedSymbol", field, "");
    sb_printf(&b, "    <categories>\n");
    for (size_t j = 0; j < nk; j++) {
        const char *v = values[keep[j]];
        sb_printf(&b, "      <category value=\"");
        sb_xml(&b, v);
        sb_printf(&b, "\" symbol=\"%zu\" label=\"", j);
        char label[256];
        sb_xml(&b, fp_style_category_label(v, label, sizeof label));
        sb_printf(&b, "\" render=\"true\"/>\n");
    }
    sb_printf(&b, "    </categories>\n    <symbols>\n");
    for (size_t j = 0; j < nk; j++) category_symbol(&b, (int)j, s, values[keep[j]], kind);
    sb_printf(&b, "    </symbols>\n");
    free(keep);
    return finish(&b);
}

/* A text as a QGIS expression's string literal: in single quotes, a quote
 * doubled, a backslash escaped (QGIS reads \\ and \' in literals). */
static void expr_string(sb *b, const char *text)
{
    sb_printf(b, "'");
    for (const char *p = text; *p; p++) sb_printf(b, *p == '\'' ? "''" : *p == '\\' ? "\\\\" : "%c", *p);
    sb_printf(b, "'");
}

char *fp_qml_categorized_kinds(const fp_style *s, const char *field, const char *const *values, size_t n,
                               unsigned kinds)
{
    static const struct { unsigned bit; const char *geometry, *qgis_type, *label, *key; } K[] = {
        { FP_GEOMETRY_POINTS, "point", "Point", "Points", "points" },
        { FP_GEOMETRY_LINES, "line", "Line", "Lines", "lines" },
        { FP_GEOMETRY_AREAS, "polygon", "Polygon", "Areas", "areas" },
    };
    kinds &= FP_GEOMETRY_POINTS | FP_GEOMETRY_LINES | FP_GEOMETRY_AREAS;
    if (!kinds) kinds = FP_GEOMETRY_POINTS;              /* nothing seen: the markers, as before */
    for (int k = 0; k < 3; k++)
        if (kinds == K[k].bit) return fp_qml_categorized(s, field, values, n, K[k].geometry);
    if (!field || (n && !values)) return NULL;
    size_t nk = 0, *keep = category_order(s, values, n, &nk);
    if (!keep) return NULL;
    sb b, e;
    if (sb_init(&b)) { free(keep); return NULL; }
    /* One table, several kinds (QGIS opens each kind as a layer of its
     * own): a rule per kind on geometry_type, a rule per category inside
     * it, so whichever kind QGIS opens the style draws it. */
    sb_printf(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                  "<qgis version=\"3.28\" styleCategories=\"Symbology\">\n"
                  "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" "
                  "referencescale=\"-1\">\n    <rules key=\"fp_root\">\n");
    int sym = 0;
    for (int k = 0; k < 3; k++) {
        if (!(kinds & K[k].bit)) continue;
        sb_printf(&b, "      <rule key=\"fp_%s\" label=\"%s\" filter=\"geometry_type($geometry) = &apos;%s&apos;\">\n",
                  K[k].key, K[k].label, K[k].qgis_type);
        for (size_t j = 0; j < nk; j++) {
            const char *v = values[keep[j]];
            if (sb_init(&e)) { b.failed = 1; break; }
            /* No value is a category of its own, as render draws it. */
            if (!*v) { expr_field(&e, field); sb_printf(&e, " IS NULL OR "); }
            expr_field(&e, field);
            sb_printf(&e, " = ");
            expr_string(&e, v);
            char *filter = sb_take(&e);
            if (!filter) { b.failed = 1; break; }
            char label[256];
            sb_printf(&b, "        <rule key=\"fp_%s_%zu\" symbol=\"%d\" label=\"", K[k].key, j, sym++);
            sb_xml(&b, fp_style_category_label(v, label, sizeof label));
            sb_printf(&b, "\" filter=\"");
            sb_xml(&b, filter);
            sb_printf(&b, "\"/>\n");
            free(filter);
        }
        sb_printf(&b, "      </rule>\n");
    }
    sb_printf(&b, "    </rules>\n    <symbols>\n");
    sym = 0;
    for (int k = 0; k < 3; k++)
        if (kinds & K[k].bit)
            for (size_t j = 0; j < nk; j++) category_symbol(&b, sym++, s, values[keep[j]], geometry_kind(K[k].geometry));
    sb_printf(&b, "    </symbols>\n");
    free(keep);
    return finish(&b);
}
