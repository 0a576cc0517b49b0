/* `render --facet`: small multiples. One page holding a grid of small maps
 * of the same style and view, one per value (or bin) of a project field,
 * each titled; one title, one legend and one credit line for the page.
 *
 * A panel's choropleth counts the projects of that panel per region of the
 * style's aggregation (its assignments: fp_store_facet_counts), and the
 * classes are computed over every panel together (the style's method and
 * scheme, fp_choropleth_classify_values), so one colour means the same
 * count in every panel. Points are drawn per panel, filtered the same way.
 * The page's projects are the aggregation's (those it assigned), of
 * --dataset only when given: the panels are their values, the counts and
 * the subtitle's "N of M projects have no FIELD" are theirs.
 *
 * Layout, in points: title block at the top, credits at the bottom, the
 * grid in between with the legend in a spare cell or a strip on the right,
 * whichever leaves the panels larger. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "fp_store.h"
#include "render_internal.h"
#include "legend.h"

/* More panels than this do not make a readable page. */
#define FACETS_MAX 36

struct fp_facets {
    char *field;
    char *dataset;                        /* --dataset, NULL: all */
    char *aggregation;                    /* the choropleth's, NULL: none */
    int measure;                          /* what a panel's region counts (fp_facet_filter) */
    char *group_field, *group_value;      /* the choropleth's group column's, NULL: none */
    long projects, without_value;         /* the page's projects; those with no value of field */
    long empty;                           /* panels holding none of them */
    char empty_list[256];                 /* their titles, for the note */
    int cumulative;
    int n;
    fp_facet_filter panels[FACETS_MAX];   /* field points at ->field */
    char *values[FACETS_MAX];             /* owned: panels[i].value or NULL */
    char *titles[FACETS_MAX];
};

void fpi_facets_free(fp_facets *f)
{
    if (!f) return;
    for (int i = 0; i < f->n; i++) {
        g_free(f->values[i]);
        g_free(f->titles[i]);
    }
    g_free(f->field);
    g_free(f->dataset);
    g_free(f->aggregation);
    free(f->group_field);
    free(f->group_value);
    g_free(f);
}

/* Adds a panel; a usage error past FACETS_MAX. */
static fp_status add_panel(fp_facets *f, const char *value, double lo, double hi, char *title, fp_error *err)
{
    if (f->n >= FACETS_MAX) {
        g_free(title);
        return fp_error_set(err, FP_ERR_USAGE, "--facet %s: more than %d panels do not fit a page; choose some with "
                            "--facet-values or group them with --facet-bins", f->field, FACETS_MAX);
    }
    int i = f->n++;
    f->values[i] = g_strdup(value);
    f->panels[i] = (fp_facet_filter){ .field = f->field, .value = f->values[i], .lo = lo, .hi = hi, .dataset = f->dataset,
                                      .measure = f->measure, .group_field = f->group_field, .group_value = f->group_value };
    f->titles[i] = title;
    return FP_OK;
}

/* "2000-2009" or "2015" (a bin of one year): 0 ok, -1 malformed. Numbers
 * may be negative or decimal ("-10--1", "0.5-1.5"). */
static int parse_bin(const char *text, double *lo, double *hi)
{
    char *end;
    errno = 0;
    *lo = strtod(text, &end);
    if (end == text || errno) return -1;
    if (!*end) { *hi = *lo; return isfinite(*lo) ? 0 : -1; }
    if (*end != '-') return -1;
    const char *second = end + 1;
    *hi = strtod(second, &end);
    if (end == second || *end || errno) return -1;
    return isfinite(*lo) && isfinite(*hi) && *lo <= *hi ? 0 : -1;
}

/* What a panel's region shows: the choropleth's field computed over the
 * panel's projects as aggregate computes it over all of them. A field that
 * is no sum over projects (population, area, per_million, the years) has
 * no per-panel value: a usage error listing the fields that have one,
 * never panels that colour by another field than the legend names. */
static fp_status facet_measure(fp_store *store, fp_facets *f, const fp_choropleth *ch, const fp_style *style,
                               fp_error *err)
{
    const char *field = fp_choropleth_field(ch), *agg = fp_choropleth_aggregation(ch);
    if (!strcmp(field, "projects")) f->measure = FP_FACET_PROJECTS;
    else if (!strcmp(field, "projects_weighted")) f->measure = FP_FACET_SHARES;
    else if (!strcmp(field, "amount")) f->measure = FP_FACET_AMOUNT;
    else {
        fp_status st = fp_store_aggregation_group_column(store, agg, field, &f->group_field, &f->group_value, err);
        if (st) return st;
        if (!f->group_field) {
            /* The group columns this aggregation has, for the message. */
            fp_layer_column *cols = NULL;
            int n = 0;
            GString *groups = g_string_new(NULL);
            fp_error ignored = {0};
            if (!fp_store_layer_columns(store, FP_LAYER_AGGREGATE, agg, &cols, &n, &ignored))
                for (int i = 0; i < n; i++) {
                    char *gf = NULL, *gv = NULL;
                    if (!fp_store_aggregation_group_column(store, agg, cols[i].name, &gf, &gv, &ignored) && gf)
                        g_string_append_printf(groups, ", %s", cols[i].name);
                    free(gf);
                    free(gv);
                }
            fp_store_layer_columns_free(cols, n);
            st = fp_error_set(err, FP_ERR_USAGE, "--facet: %s: choropleth.field '%s' has no value per panel (a panel's "
                              "regions are coloured by the panel's projects); small multiples support the fields "
                              "summed over projects: projects, projects_weighted, amount%.700s%s",
                              fp_style_origin(style), field, groups->str,
                              groups->len ? "" : " and the group columns of an aggregation made with --group");
            g_string_free(groups, TRUE);
            return st;
        }
        f->measure = FP_FACET_SHARES;   /* a group column is the weighted count of its projects */
    }
    return FP_OK;
}

/* The field's values over the page's projects (values), the projects of
 * each (counts), whether every value is a number (bins and --cumulative
 * compare numbers) and how many projects have a value. */
static fp_status field_values(fp_store *store, const fp_facets *f, GPtrArray *values, GArray *counts, int *numeric,
                              long *with_value, fp_error *err)
{
    fp_rows *r;
    fp_status st = fp_store_facet_values(store, f->field, f->aggregation, f->dataset, &r, err);
    if (st) return st;
    *numeric = 1;
    *with_value = 0;
    while (fp_rows_next(r)) {
        char t = fp_rows_value_type(r, 0);
        if (t != 'i' && t != 'r') *numeric = 0;
        g_ptr_array_add(values, g_strdup(fp_rows_text(r, 0)));
        long n = (long)fp_rows_int64(r, 1);
        g_array_append_val(counts, n);
        *with_value += n;
    }
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    return st;
}

fp_status fpi_facets_new(fp_store *store, const fp_style *style, const fp_render_options *o, fp_facets **out,
                        fp_error *err)
{
    *out = NULL;
    const char *field = o->facet;
    if (o->facet_values && o->facet_bins)
        return fp_error_set(err, FP_ERR_USAGE, "--facet-values and --facet-bins exclude each other");
    if (!*field) return fp_error_set(err, FP_ERR_USAGE, "--facet: name a project field (year, company, category, ...)");
    /* The field: a project column, or a key of `extra` some project has. */
    if (!fp_store_is_project_column(field)) {
        int used = 0;
        fp_status st = fp_store_extra_key_used(store, field, &used, err);
        if (st) return st;
        if (!used)
            return fp_error_set(err, FP_ERR_USAGE, "--facet %s: no such project field (expected year, company, category, "
                                "another project column or a key of the projects' extra attributes)", field);
    }
    if (!fp_style_choropleth(style) && !fp_style_map(style)->points.enabled)
        return fp_error_set(err, FP_ERR_USAGE, "--facet: the style %s has neither a choropleth nor points to split",
                            fp_style_origin(style));
    /* The page's projects: the choropleth's aggregation's (its
     * assignments), of --dataset only when given, which the points are
     * too; the panels, their counts and the note are all of these. (They
     * were the whole store's: an aggregation of one edition got a panel
     * per edition and a note counting every edition.) */
    fp_choropleth *ch = NULL;
    fp_status st = fp_choropleth_new(store, style, o->aggregation, NULL, &ch, err);
    if (st) return st;
    fp_facets *f = g_new0(fp_facets, 1);
    f->field = g_strdup(field);
    f->dataset = g_strdup(o->dataset);
    f->aggregation = ch ? g_strdup(fp_choropleth_aggregation(ch)) : NULL;
    if (ch) st = facet_measure(store, f, ch, style, err);
    fp_choropleth_free(ch);
    if (st) {
        fpi_facets_free(f);
        return st;
    }
    f->cumulative = o->cumulative;
    GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
    GArray *value_counts = g_array_new(FALSE, FALSE, sizeof(long));
    int numeric = 1;
    long with_value = 0;
    st = field_values(store, f, values, value_counts, &numeric, &with_value, err);
    /* Projects with no value are in no panel: the page says how many (the
     * demo's 58 of 82 without a year were simply absent). */
    int64_t count = 0;
    if (!st) st = fp_store_facet_projects(store, f->aggregation, f->dataset, &count, err);
    f->projects = (long)count;
    f->without_value = count > with_value ? (long)count - with_value : 0;
    if (!st && (o->facet_bins || o->cumulative) && values->len && !numeric)
        st = fp_error_set(err, FP_ERR_USAGE, "--facet %s: %s compares numbers, and %s has text values (e.g. '%s')",
                          field, o->facet_bins ? "--facet-bins" : "--cumulative", field,
                          (const char *)g_ptr_array_index(values, values->len - 1));
    if (!st && o->cumulative && o->facet_values) {
        /* Cumulative panels of named values: each value must be a number. */
        gchar **parts = g_strsplit(o->facet_values, ",", -1);
        for (int i = 0; parts[i] && !st; i++) {
            double lo, hi;
            if (parse_bin(g_strstrip(parts[i]), &lo, &hi) || lo != hi)
                st = fp_error_set(err, FP_ERR_USAGE, "--facet-values '%s': value %d '%s' is not a number, and "
                                  "--cumulative compares numbers", o->facet_values, i + 1, parts[i]);
        }
        g_strfreev(parts);
    }
    if (!st && o->facet_bins) {
        gchar **parts = g_strsplit(o->facet_bins, ",", -1);
        for (int i = 0; parts[i] && !st; i++) {
            char *bin = g_strstrip(parts[i]);
            double lo, hi;
            if (parse_bin(bin, &lo, &hi))
                st = fp_error_set(err, FP_ERR_USAGE, "--facet-bins '%s': bin %d '%s' is not LO-HI with LO <= HI "
                                  "(e.g. 2000-2009,2010-2014)", o->facet_bins, i + 1, bin);
            else {
                char *title = f->cumulative ? g_strdup_printf("up to %g", hi) : g_strdup(bin);
                st = add_panel(f, NULL, f->cumulative ? -HUGE_VAL : lo, hi, title, err);
            }
        }
        g_strfreev(parts);
    } else if (!st) {
        /* Named values, else every value of the field in its order. */
        gchar **parts = o->facet_values ? g_strsplit(o->facet_values, ",", -1) : NULL;
        guint n = parts ? g_strv_length(parts) : values->len;
        if (!parts && !n) st = fp_error_set(err, FP_ERR_USAGE, "--facet %s: no project has a value", field);
        for (guint i = 0; i < n && !st; i++) {
            char *v = parts ? g_strstrip(parts[i]) : g_ptr_array_index(values, i);
            if (!*v) {
                st = fp_error_set(err, FP_ERR_USAGE, "--facet-values '%s': value %u is empty", o->facet_values, i + 1);
                break;
            }
            if (f->cumulative) {
                double x = strtod(v, NULL);
                st = add_panel(f, NULL, -HUGE_VAL, x, g_strdup_printf("up to %s", v), err);
            } else {
                char *title = g_strdup(v);
                for (char *c = title; *c; c++) if (*c == '_') *c = ' ';
                st = add_panel(f, v, 0, 0, title, err);
            }
        }
        g_strfreev(parts);
    }
    /* A panel none of the page's projects is in (a value or bin named
     * that they do not have) is drawn, but said so: on the page and in a
     * note, never as if that value's projects were in no region. */
    for (int i = 0; i < f->n && !st; i++) {
        long in = 0;
        for (guint k = 0; k < values->len; k++) {
            const char *v = g_ptr_array_index(values, k);
            long c = g_array_index(value_counts, long, k);
            if (f->panels[i].value) {
                if (!strcmp(v, f->panels[i].value)) in += c;
            } else if (numeric) {
                double x = strtod(v, NULL);
                if (x >= f->panels[i].lo && x <= f->panels[i].hi) in += c;
            }
        }
        if (in) continue;
        f->empty++;
        size_t len = strlen(f->empty_list);
        const char *sep = len ? ", " : "";
        if (!g_str_has_suffix(f->empty_list, "...")) {
            if (len + strlen(sep) + strlen(f->titles[i]) + 6 < sizeof f->empty_list)
                snprintf(f->empty_list + len, sizeof f->empty_list - len, "%s%s", sep, f->titles[i]);
            else snprintf(f->empty_list + len, sizeof f->empty_list - len, "%s...", sep);
        }
        char *t = g_strdup_printf("%s (no projects)", f->titles[i]);
        g_free(f->titles[i]);
        f->titles[i] = t;
    }
    g_ptr_array_free(values, TRUE);
    g_array_free(value_counts, TRUE);
    if (st) {
        fpi_facets_free(f);
        return st;
    }
    *out = f;
    return FP_OK;
}

/* "2 of 5 panels have none of the page's projects (2021, 2022): drawn
 * empty", or "" when every panel has some. */
void fpi_facets_note(const fp_facets *f, char *out, size_t size)
{
    *out = 0;
    if (!f || !f->empty) return;
    GString *whose = g_string_new(NULL);
    if (f->aggregation) g_string_append_printf(whose, " of aggregation %s", f->aggregation);
    if (f->dataset) g_string_append_printf(whose, "%s dataset %s", f->aggregation ? "," : " of", f->dataset);
    snprintf(out, size, "--facet %s: %ld of %d panels %s no project%s (%s): drawn empty, titled \"(no projects)\"",
             f->field, f->empty, f->n, f->empty == 1 ? "holds" : "hold", whose->str, f->empty_list);
    g_string_free(whose, TRUE);
}

/* ------------------------------------------------------------ drawing --- */

/* One panel's projects per region code. */
static double panel_value(void *user, const char *code)
{
    const double *v = g_hash_table_lookup(user, code);
    return v ? *v : NAN;
}

/* Reads every panel's counts and classifies them together: the values of
 * every region in every panel (regions without projects: no data). */
static fp_status panel_counts(fp_store *store, const fp_facets *f, fp_choropleth *ch, GHashTable **counts,
                              fp_error *err)
{
    long regions = fp_choropleth_region_count(ch);
    GArray *all = g_array_new(FALSE, FALSE, sizeof(double));
    fp_status st = FP_OK;
    for (int i = 0; i < f->n && !st; i++) {
        counts[i] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        fp_rows *r;
        if ((st = fp_store_facet_counts(store, fp_choropleth_aggregation(ch), &f->panels[i], &r, err))) break;
        long k = 0;
        while (fp_rows_next(r)) {
            const char *code = fp_rows_text(r, 0);
            if (!code || code[0] == '_') continue;   /* _unassigned: no region */
            double *v = g_new(double, 1);
            *v = fp_rows_double(r, 1);
            g_hash_table_insert(counts[i], g_strdup(code), v);
            g_array_append_val(all, *v);
            k++;
        }
        st = fp_rows_status(r, err);
        fp_rows_free(r);
        double none = NAN;
        for (; k < regions; k++) g_array_append_val(all, none);
    }
    if (!st) st = fp_choropleth_classify_values(ch, (const double *)(void *)all->data, all->len, err);
    g_array_free(all, TRUE);
    return st;
}

typedef struct region_fill {
    cairo_t *cr;
    const fp_view *v;
    const fp_map_style *ms;
    GEOSContextHandle_t h;
    GEOSWKBReader *rd;
    GArray *small;                /* fpi_small_region */
} region_fill;

static int fill_region(void *user, const fp_choropleth_region *r)
{
    region_fill *d = user;
    fpi_fill_region(d->cr, d->v, d->h, d->rd, d->ms, r, NULL, d->small);
    return 0;
}

/* The grid: columns, rows and the width of a panel's map. */
typedef struct grid {
    int cols, rows;
    double mw, mh;                /* a panel's map */
    int legend_in_cell;           /* else a strip on the right */
} grid;

/* The grid that gives the largest panels in w x h: panels of aspect ar
 * under a title th high, gap apart; the legend (lw x lh) in the last row's
 * spare cell when there is one and it fits, else in a strip on the right. */
static grid choose_grid(int n, double w, double h, double ar, double th, double gap, double lw, double lh)
{
    grid best = { 1, n, 0, 0, 0 };
    for (int cols = 1; cols <= n; cols++) {
        int rows = (n + cols - 1) / cols;
        for (int in_cell = 0; in_cell < 2; in_cell++) {
            if (in_cell && cols * rows == n) continue;
            double gw = in_cell || lw <= 0 ? w : w - lw - gap;
            double cw = (gw - (cols - 1) * gap) / cols, ch = (h - (rows - 1) * gap) / rows;
            double mw = fmin(cw, (ch - th) * ar);
            if (mw <= 0) continue;
            if (in_cell && (lw > cw || lh > ch)) continue;
            if (mw > best.mw) best = (grid){ cols, rows, mw, mw / ar, in_cell };
        }
    }
    return best;
}

/* One panel: the map clipped to its frame, the frame, its title above. */
static fp_status draw_panel(fp_store *store, const fp_facet_page *p, const fp_facets *f, int i, fp_view *pv,
                            fp_choropleth *ch, GHashTable *counts, GPtrArray *categories, double *size_max,
                            GHashTable *kinds, double title_size, fp_error *err)
{
    cairo_t *cr = p->cr;
    const fp_map_style *ms = fp_style_map(p->style);
    cairo_save(cr);
    cairo_rectangle(cr, pv->map[0], pv->map[1], pv->map[2], pv->map[3]);
    cairo_clip(cr);
    fpi_draw_backdrop(cr, pv, ms, p->world);
    region_fill d = { .cr = cr, .v = pv, .ms = ms, .small = g_array_new(FALSE, FALSE, sizeof(fpi_small_region)) };
    d.h = GEOS_init_r();
    d.rd = GEOSWKBReader_create_r(d.h);
    fp_status st = ch ? fp_choropleth_each_values(ch, 0, panel_value, counts, fill_region, &d, err)
                      : fpi_draw_land(d.cr, d.v, d.h, d.rd, d.ms, store, err);
    if (!st) fpi_draw_small_regions(cr, d.small);
    g_array_free(d.small, TRUE);
    GEOSWKBReader_destroy_r(d.h, d.rd);
    GEOS_finish_r(d.h);
    if (!st && ms->points.enabled)
        st = fpi_draw_projects(cr, store, pv, p->style, &f->panels[i], f->dataset, categories, size_max, kinds, err);
    if (p->world) fpi_draw_world_outline(cr, pv);
    cairo_restore(cr);
    cairo_rectangle(cr, pv->map[0], pv->map[1], pv->map[2], pv->map[3]);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    /* One line the panel's width: a longer title ends in an ellipsis. */
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    fpi_text_show(cr, fpi_text_layout(cr, ms->title.font, title_size, 1, f->titles[i], pv->map[2], 1), pv->map[0],
                  pv->map[1] - title_size * 0.45, 0);
    return st;
}

fp_status fpi_facets_draw(fp_store *store, const fp_facets *f, const fp_facet_page *p, fp_error *err)
{
    cairo_t *cr = p->cr;
    const fp_map_style *ms = fp_style_map(p->style);
    if (!p->transparent) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
    }
    /* The choropleth, classed over every panel. */
    fp_choropleth *ch = NULL;
    fp_status st = fp_choropleth_new(store, p->style, p->o->aggregation, NULL, &ch, err);
    if (st) return st;
    GHashTable *counts[FACETS_MAX] = { NULL };
    if (ch) {
        /* Assignments name regions of the aggregation's main level only. */
        char *main_level = NULL;
        st = fp_store_aggregation_level(store, fp_choropleth_aggregation(ch), &main_level, err);
        if (!st && main_level && strcmp(main_level, fp_choropleth_level(ch)))
            st = fp_error_set(err, FP_ERR_USAGE, "--facet: the style's choropleth shows level %s of aggregation %s, "
                              "whose projects are assigned to %s regions: facets count the latter (use a style with "
                              "choropleth.level %s)", fp_choropleth_level(ch), fp_choropleth_aggregation(ch), main_level,
                              main_level);
        free(main_level);
        if (!st) st = panel_counts(store, f, ch, counts, err);
        if (!st && fp_choropleth_classes(ch)->n == 0 && p->note)
            fpi_no_value_note(p->note, p->note_size, fp_choropleth_aggregation(ch), fp_choropleth_field(ch),
                              fp_choropleth_classes(ch)->zero_is_nodata, 1);
    }
    /* Page layout, as a single map's (lay_out_page) but for the grid. */
    double margin = fmin(p->w, p->h) * 0.04;
    double text_scale = fmin(1, fmax(0.55, fmin(p->w, p->h) / 420));
    double title_size = (ms->title.size > 0 ? ms->title.size : 14) * text_scale;
    const char *title = p->o->title ? p->o->title : ms->title.text;
    char auto_sub[256];
    snprintf(auto_sub, sizeof auto_sub, "By %s%s", f->field, f->cumulative ? ", cumulative" : "");
    if (f->without_value)
        snprintf(auto_sub + strlen(auto_sub), sizeof auto_sub - strlen(auto_sub), " (%ld of %ld projects%s%s have no %s: in no panel)",
                 f->without_value, f->projects, f->dataset ? " of dataset " : "", f->dataset ? f->dataset : "", f->field);
    for (char *c = auto_sub; *c; c++) if (*c == '_') *c = ' ';
    const char *subtitle = p->o->subtitle ? p->o->subtitle : ms->title.subtitle ? ms->title.subtitle : auto_sub;
    double top = margin + fpi_title_block_height(cr, ms, title, subtitle, title_size, p->w - 2 * margin);
    double credit_size = 6.5 * text_scale, bottom = credit_size * 3.4;
    double panel_title = 8 * text_scale, th = panel_title * 1.5, gap = 8 * text_scale;
    /* The panels' aspect: the view fitted into a square. */
    fp_view probe = *p->view;
    probe.map[0] = probe.map[1] = 0;
    probe.map[2] = probe.map[3] = 1000;
    fpi_view_fit(&probe);
    double ar = (probe.extent[2] - probe.extent[0]) / (probe.extent[3] - probe.extent[1]);
    GPtrArray *categories = g_ptr_array_new_with_free_func(g_free);
    GHashTable *kinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    double size_max = 0;
    /* The legend's size: its classes are known, its categories are those
     * the style lists or the store has (all panels together). */
    GPtrArray *legend_cats = g_ptr_array_new_with_free_func(g_free);
    if (ms->points.enabled) {
        fp_rows *r;
        if (!st && !(st = fp_store_facet_values(store, fp_style_category_field(p->style), NULL, f->dataset, &r, err))) {
            while (fp_rows_next(r)) g_ptr_array_add(legend_cats, g_strdup(fp_rows_text(r, 0)));
            st = fp_rows_status(r, err);
            fp_rows_free(r);
        }
        fpi_sort_categories(p->style, legend_cats);
        /* Proportional symbols: one largest value for every panel. */
        if (!st && ms->points.size_field) st = fp_store_project_max(store, ms->points.size_field, &size_max, err);
    }
    fp_view lv = probe;
    fp_furniture fur = { .view = &lv, .style = p->style, .classes = ch ? fp_choropleth_classes(ch) : NULL,
                         .legend_title = ch ? fp_choropleth_title(ch) : NULL, .categories = legend_cats,
                         .text_scale = text_scale, .size_max = size_max,
                         /* Counts over every panel (9 panels x 252 countries: "none (2251)")
                          * describe no map of the page: left out. */
                         .no_counts = 1 };
    /* The legend's room: the grid's height, half its width (in columns
     * when the categories are many). */
    double gx = margin, gy = top, gw = p->w - 2 * margin, gh = p->h - top - margin - bottom;
    fur.legend_max_w = gw * 0.5;
    fur.legend_max_h = gh;
    double lw = 0, lh = 0, pad = 0;
    if (!st) fpi_legend_size(cr, &fur, &lw, &lh, &pad);
    int has_legend = lw > 0 && !(ms->legend_position && !strcmp(ms->legend_position, "none"));
    if (!has_legend) lw = lh = 0;
    grid g = choose_grid(f->n, gw, gh, ar, th, gap, lw, lh);
    if (!st && g.mw <= 0) st = fp_error_set(err, FP_ERR_USAGE, "--facet: %d panels do not fit this page; use a larger "
                                            "--paper or --size, or fewer panels", f->n);
    /* The block (grid and a legend strip) centred on the page. */
    double bw = g.cols * g.mw + (g.cols - 1) * gap + (has_legend && !g.legend_in_cell ? gap + lw : 0);
    double bh = g.rows * (g.mh + th) + (g.rows - 1) * gap;
    double bx = gx + (gw - bw) / 2, by = gy + (gh - bh) / 2;
    for (int i = 0; i < f->n && !st; i++) {
        int col = i % g.cols, row = i / g.cols;
        fp_view pv = *p->view;
        pv.map[0] = bx + col * (g.mw + gap);
        pv.map[1] = by + row * (g.mh + th + gap) + th;
        pv.map[2] = g.mw;
        pv.map[3] = g.mh;
        fpi_view_fit(&pv);
        if (!p->world) fpi_view_widen_clip(&pv, p->view_box, p->proj);
        st = draw_panel(store, p, f, i, &pv, ch, counts[i], categories, &size_max, kinds, panel_title, err);
        if (!st && fp_context_cancelled(fp_store_context(store))) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    }
    if (!st && has_legend) {
        /* The legend box at (x, y): its cell is the box plus its padding. */
        double x = g.legend_in_cell ? bx + (g.cols - 1) * (g.mw + gap) : bx + bw - lw;
        double y = g.legend_in_cell ? by + (g.rows - 1) * (g.mh + th + gap) + th : by + th;
        lv.map[0] = x - pad;
        lv.map[1] = y - pad;
        lv.map[2] = lw + 2 * pad;
        lv.map[3] = lh + 2 * pad;
        fur.category_kinds = kinds;     /* known once the panels are drawn */
        fpi_draw_legend(cr, &fur);
    }
    if (!st) {
        /* Title above the block's left edge, credits under its right edge. */
        fp_view bv = probe;
        bv.map[0] = bx;
        bv.map[1] = by;
        bv.map[2] = bw;
        bv.map[3] = bh;
        fp_furniture page = { .view = &bv, .style = p->style, .title = title, .subtitle = subtitle,
                              .credit_size = credit_size, .text_scale = text_scale, .margin = margin, .page_w = p->w,
                              .title_top = by - (top - margin) };
        fpi_draw_page_text(cr, &page);
    }
    for (int i = 0; i < f->n; i++)
        if (counts[i]) g_hash_table_destroy(counts[i]);
    g_ptr_array_free(categories, TRUE);
    g_ptr_array_free(legend_cats, TRUE);
    g_hash_table_destroy(kinds);
    fp_choropleth_free(ch);
    return st;
}
