/* `render --diff OLD:NEW`: a "new since" map. The two editions are compared
 * by fp_diff (src/diff/), which keeps its changes for the layer
 * FP_LAYER_DIFF (the rows `export --what diff:` reads); the changes of the
 * kinds asked for are drawn as point symbols over the style's base map,
 * coloured and shaped by kind (styles/diff.json: added green, removed red,
 * moved orange, changed blue). A line or polygon is drawn at its centroid,
 * the location fp_diff measures moves by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fp_diff.h"
#include "geom/geom.h"   /* fpi_cut_if_crossing */
#include "render_internal.h"

struct fp_diff_map {
    char *old_ds, *new_ds;
    int drawn[FP_CHANGE_KINDS];     /* the kinds asked for */
    long count[FP_CHANGE_KINDS];    /* fp_diff's counts: the legend's */
    fp_style *own;                  /* the shipped diff style, when the map's style has no `change` points */
    const fp_style *symbols;        /* own, or the map's style */
    char subtitle[300];
    char warning[1024];             /* fp_diff_match_warning's, "" for none */
};

const char *fpi_diff_map_warning(const fp_diff_map *m) { return m ? m->warning : ""; }

void fpi_diff_map_free(fp_diff_map *m)
{
    if (!m) return;
    g_free(m->old_ds);
    g_free(m->new_ds);
    fp_style_free(m->own);
    g_free(m);
}

/* --changes added,removed,...: the kinds, each named by fp_change_name. */
static fp_status parse_changes(const char *spec, int drawn[FP_CHANGE_KINDS], fp_error *err)
{
    if (!spec) {
        drawn[FP_CHANGE_ADDED] = 1;               /* "new since OLD" */
        return FP_OK;
    }
    gchar **parts = g_strsplit(spec, ",", -1);
    fp_status st = FP_OK;
    int any = 0;
    for (int i = 0; parts[i] && !st; i++) {
        const char *name = g_strstrip(parts[i]);
        int found = 0;
        for (int k = 0; k < FP_CHANGE_KINDS; k++)
            if (!strcmp(name, fp_change_name((fp_change)k))) {
                drawn[k] = 1;
                found = any = 1;
            }
        if (!found)
            st = fp_error_set(err, FP_ERR_USAGE, "--changes %s: unknown change kind '%s' (expected added, removed, moved or changed)",
                              spec, name);
    }
    g_strfreev(parts);
    if (!st && !any) st = fp_error_set(err, FP_ERR_USAGE, "--changes '%s': name at least one of added, removed, moved, changed", spec);
    return st;
}

fp_status fpi_diff_map_new(fp_store *store, const fp_render_options *o, const fp_style *style, fp_diff_map **out,
                          fp_error *err)
{
    *out = NULL;
    const char *colon = strchr(o->diff, ':');
    if (!colon || colon == o->diff || !colon[1] || strchr(colon + 1, ':'))
        return fp_error_set(err, FP_ERR_USAGE, "--diff %s: expected OLD:NEW (two dataset names)", o->diff);
    fp_diff_map *m = g_new0(fp_diff_map, 1);
    m->old_ds = g_strndup(o->diff, (gsize)(colon - o->diff));
    m->new_ds = g_strdup(colon + 1);
    fp_status st = parse_changes(o->changes, m->drawn, err);
    if (!st) {
        /* Also checks both datasets exist (a usage error naming those the
         * store has) before any file is opened. */
        char *option = g_strdup_printf("--diff %s", o->diff);
        fp_diff_options d = { .old_dataset = m->old_ds, .new_dataset = m->new_ds, .move_m = -1, .keep_for_layer = 1,
                              .option = option };
        fp_diff_result r;
        st = fp_diff(store, &d, &r, err);
        g_free(option);
        if (!st) memcpy(m->count, r.count, sizeof m->count);
        if (!st) fp_diff_match_warning(&r, m->old_ds, m->new_ds, m->warning, sizeof m->warning);
        fp_diff_result_clear(&r);
    }
    /* A style of its own for the changes (points on `change`) colours them
     * itself; any other style is only the base map. */
    const fp_map_style *ms = fp_style_map(style);
    if (!st && ms->points.enabled && !strcmp(fp_style_category_field(style), "change")) m->symbols = style;
    else if (!st && !(st = fp_style_load_ctx(fp_store_context(store), "diff", &m->own, err))) m->symbols = m->own;
    if (!st) {
        int n = 0, only = 0;
        for (int k = 0; k < FP_CHANGE_KINDS; k++)
            if (m->drawn[k]) { n++; only = k; }
        static const char *const since[FP_CHANGE_KINDS] = { "New", "Removed", "Moved", "Changed" };
        if (n == 1) snprintf(m->subtitle, sizeof m->subtitle, "%s since %s", since[only], m->old_ds);
        else snprintf(m->subtitle, sizeof m->subtitle, "Changes from %s to %s", m->old_ds, m->new_ds);
        *out = m;
    } else {
        fpi_diff_map_free(m);
    }
    return st;
}

const char *fpi_diff_map_subtitle(const fp_diff_map *m) { return m->subtitle; }
const fp_style *fpi_diff_map_symbols(const fp_diff_map *m) { return m->symbols; }

/* Where a change is drawn, in page points; 0 if outside the view's data
 * box (longitudes wrapped round it as fpi_draw_projects does). */
static int locate(const fp_view *v, GEOSContextHandle_t h, const fp_geom *geom, double *px, double *py)
{
    double lon = geom->x, lat = geom->y, x, y;
    if (!geom->is_point) {
        GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
        GEOSGeometry *g = fpi_cut_if_crossing(h, GEOSWKBReader_read_r(h, rd, geom->wkb, geom->wkb_len));
        GEOSGeometry *c = g ? GEOSGetCentroid_r(h, g) : NULL;
        int ok = c && !GEOSisEmpty_r(h, c) && GEOSGeomGetX_r(h, c, &lon) && GEOSGeomGetY_r(h, c, &lat);
        if (c) GEOSGeom_destroy_r(h, c);
        if (g) GEOSGeom_destroy_r(h, g);
        GEOSWKBReader_destroy_r(h, rd);
        if (!ok) return 0;
    }
    if (lat < v->clip[1] || lat > v->clip[3]) return 0;
    fpi_view_wrap_lon(v, &lon);
    if (lon < v->clip[0] || lon > v->clip[2] || fpi_view_project(v, lon, lat, &x, &y)) return 0;
    fp_view_page(v, x, y, px, py);
    return 1;
}

/* One kind's changes: one path of symbols, filled in the kind's colour and
 * outlined in white (as the project points are). */
static fp_status draw_kind(cairo_t *cr, fp_store *store, const fp_view *v, const fp_diff_map *m, fp_change kind,
                           GEOSContextHandle_t h, fp_error *err)
{
    const char *name = fp_change_name(kind);
    const char *const field[] = { "change" }, *const value[] = { name };
    fp_layer_query q = { .kind = FP_LAYER_DIFF, .where_fields = field, .where_values = value, .nwhere = 1 };
    fp_rows *r;
    fp_status st = fp_store_layer_rows(store, &q, &r, err);
    if (st) return st;
    const fp_map_style *ms = fp_style_map(m->symbols);
    double size = ms->points.size > 0 ? ms->points.size : 4;
    fp_shape shape = fp_style_category_shape(m->symbols, name);
    cairo_new_path(cr);
    while (fp_rows_next(r)) {
        fp_geom geom;
        double px, py;
        if (fp_rows_geom(r, 1, 1, &geom) <= 0) continue;     /* a change without a location */
        if (locate(v, h, &geom, &px, &py)) fpi_draw_symbol(cr, shape, px, py, size);
    }
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    /* Non-zero winding: symbols on one spot must not cancel out. */
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    fpi_set_color(cr, fp_style_category_color(m->symbols, name));
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, size * 0.15);
    cairo_stroke(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    return st;
}

fp_status fpi_diff_map_draw(cairo_t *cr, fp_store *store, const fp_view *v, const fp_diff_map *m,
                           GPtrArray *categories, GPtrArray *labels, fp_error *err)
{
    GEOSContextHandle_t h = GEOS_init_r();
    fp_status st = FP_OK;
    /* Changed first, added last: what is new stays on top. */
    for (int k = FP_CHANGE_KINDS - 1; k >= 0 && !st; k--)
        if (m->drawn[k]) st = draw_kind(cr, store, v, m, (fp_change)k, h, err);
    GEOS_finish_r(h);
    /* The legend: the kinds drawn in the style's order, with fp_diff's
     * counts (the summary `footprint diff` prints). */
    for (int k = 0; k < FP_CHANGE_KINDS && !st; k++) {
        if (!m->drawn[k]) continue;
        g_ptr_array_add(categories, g_strdup(fp_change_name((fp_change)k)));
        g_ptr_array_add(labels, g_strdup_printf("%s  (%ld)", fp_change_name((fp_change)k), m->count[k]));
    }
    return st;
}
