/* Map furniture. Labels are placed greedily, highest value first, and a
 * label that would overlap one already placed, the legend or the frame's
 * edge is left out: no clipped or colliding labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "legend.h"
#include "geom/geom.h"

typedef struct box { double x0, y0, x1, y1; } box;

static int overlaps(box a, box b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static const char *font_of(const fp_map_style *ms)
{
    const char *f = ms->labels.font ? ms->labels.font : ms->title.font;
    return f && strcmp(f, "sans-serif") ? f : "DejaVu Sans";
}

/* A class bound for the legend: integers without decimals. */
static void format_value(double v, char *out, size_t size)
{
    if ((fabs(v - round(v)) < 1e-9 || fabs(v) >= 100) && fabs(v) < 1e12) snprintf(out, size, "%.0f", v);
    else snprintf(out, size, "%.3g", v);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* The legend's entries: measured first, then drawn in a box (draw 0:
 * measured only, the box returned). */
static box draw_legend(cairo_t *cr, const fp_furniture *f, int draw)
{
    const fp_map_style *ms = fp_style_map(f->style);
    box none = { 0, 0, 0, 0 };
    if (ms->legend_position && !strcmp(ms->legend_position, "none")) return none;
    int nclass = f->classes ? f->classes->n : 0;
    int ncat = f->categories ? (int)f->categories->len : 0;
    if (!nclass && !ncat) return none;
    double fs = 7.5 * (f->text_scale > 0 ? f->text_scale : 1), line = fs * 1.6, sw = fs * 1.6, pad = fs;
    cairo_select_font_face(cr, font_of(ms), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, fs * 1.1);
    double width = f->legend_title && nclass ? text_width(cr, f->legend_title) : 0;
    cairo_select_font_face(cr, font_of(ms), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, fs);
    char text[16][128];
    for (int i = 0; i < nclass && i < 12; i++) {
        char range[96];
        fp_classes_label(f->classes, i, range, sizeof range);
        snprintf(text[i], sizeof text[i], "%s  (%ld)", range, f->classes->counts[i]);
        width = fmax(width, sw + fs * 0.6 + text_width(cr, text[i]));
    }
    char nodata[128];
    snprintf(nodata, sizeof nodata, "%s  (%ld)", f->classes && f->classes->zero_is_nodata ? "none" : "no data",
             f->classes ? f->classes->nodata_count : 0L);
    if (nclass) width = fmax(width, sw + fs * 0.6 + text_width(cr, nodata));
    const fp_style *cs = f->category_style ? f->category_style : f->style;
    for (int i = 0; i < ncat; i++) {
        char label[128];
        fp_style_category_label(g_ptr_array_index(f->category_labels ? f->category_labels : f->categories, i), label, sizeof label);
        width = fmax(width, sw + fs * 0.6 + text_width(cr, label));
    }
    int sized = f->size_max > 0 && ms->points.size_field;
    double base = ms->points.size > 0 ? ms->points.size : 4, big = fp_symbol_size(base, f->size_max, f->size_max);
    if (sized) width = fmax(width, big + fs * 0.8 + text_width(cr, "0000000000"));
    int rows = (nclass ? nclass + 2 : 0) + (ncat ? ncat + (nclass ? 1 : 0) : 0) + (sized ? 1 : 0);
    double size_rows = sized ? 3 * fmax(line, big * 0.75) : 0;
    double w = width + 2 * pad, h = rows * line + 2 * pad - (line - fs) + size_rows;
    const double *m = f->view->map;
    const char *pos = ms->legend_position ? ms->legend_position : "bottom-left";
    double x = strstr(pos, "right") ? m[0] + m[2] - w - pad : m[0] + pad;
    double y = strstr(pos, "top") ? m[1] + pad : m[1] + m[3] - h - pad;
    if (!draw) return (box){ x, y, x + w, y + h };
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr, 0.4);
    cairo_stroke(cr);
    double cy = y + pad + fs;
    if (nclass) {
        cairo_select_font_face(cr, font_of(ms), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, fs * 1.1);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, x + pad, cy);
        cairo_show_text(cr, f->legend_title ? f->legend_title : "");
        cairo_select_font_face(cr, font_of(ms), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, fs);
        cy += line;
        for (int i = nclass - 1; i >= -1; i--) {       /* highest class first, no data last */
            fp_rgba c = i >= 0 ? f->classes->colors[i] : f->classes->nodata;
            cairo_rectangle(cr, x + pad, cy - fs * 0.85, sw, fs * 1.1);
            fpi_set_color(cr, c);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
            cairo_set_line_width(cr, 0.3);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_move_to(cr, x + pad + sw + fs * 0.6, cy);
            cairo_show_text(cr, i >= 0 && i < 12 ? text[i] : nodata);
            cy += line;
        }
        if (ncat) cy += line * 0.0;
    }
    for (int i = 0; i < ncat; i++) {
        const char *cat = g_ptr_array_index(f->categories, i);
        char label[128];
        fp_style_category_label(f->category_labels ? (const char *)g_ptr_array_index(f->category_labels, i) : cat, label, sizeof label);
        cairo_new_path(cr);
        fpi_draw_symbol(cr, fp_style_category_shape(cs, cat), x + pad + sw / 2, cy - fs * 0.3, fs);
        fpi_set_color(cr, fp_style_category_color(cs, cat));
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, x + pad + sw + fs * 0.6, cy);
        cairo_show_text(cr, label);
        cy += line;
    }
    if (sized) {
        /* The size legend: the largest value, a half and a tenth of it. */
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, x + pad, cy);
        cairo_show_text(cr, ms->points.size_field);
        cy += line * 0.4;
        static const double parts[] = { 1, 0.5, 0.1 };
        for (int i = 0; i < 3; i++) {
            double val = f->size_max * parts[i], sz = fp_symbol_size(base, val, f->size_max);
            double rowh = fmax(line, big * 0.75);
            cairo_new_path(cr);
            fpi_draw_symbol(cr, FP_SHAPE_CIRCLE, x + pad + big / 2, cy + rowh / 2, sz);
            cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
            cairo_set_line_width(cr, 0.5);
            cairo_stroke(cr);
            char v[32];
            format_value(val, v, sizeof v);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_move_to(cr, x + pad + big + fs * 0.8, cy + rowh / 2 + fs * 0.35);
            cairo_show_text(cr, v);
            cy += rowh;
        }
    }
    return (box){ x, y, x + w, y + h };
}

/* A label in the style's colour over a halo, so it reads on any fill;
 * shared with the raster tiles. */
void fpi_draw_label_text(cairo_t *cr, const fp_map_style *ms, double x, double y, const char *text, double size)
{
    cairo_new_path(cr);
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, text);
    fpi_set_color(cr, ms->labels.halo);
    cairo_set_line_width(cr, size * 0.25);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    fpi_set_color(cr, ms->labels.color);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, text);
}

static void draw_labels(cairo_t *cr, const fp_furniture *f, box legend)
{
    const fp_map_style *ms = fp_style_map(f->style);
    if (!ms->labels.enabled || !f->labels || ms->labels.max <= 0) return;
    double fs = (ms->labels.size > 0 ? ms->labels.size : 7) * (f->text_scale > 0 ? f->text_scale : 1);
    cairo_select_font_face(cr, font_of(ms), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, fs);
    box placed[256];
    int np = 0;
    const double *m = f->view->map;
    box frame = { m[0] + 2, m[1] + 2, m[0] + m[2] - 2, m[1] + m[3] - 2 };
    for (guint i = 0; i < f->labels->len && np < ms->labels.max && np < 256; i++) {
        struct { char *text; double lon, lat, value; } *l = g_ptr_array_index(f->labels, i);
        double lon = l->lon, lat = l->lat, x, y, px, py;
        const fp_view *v = f->view;
        fpi_view_wrap_lon(v, &lon);
        if (lon < v->clip[0] || lon > v->clip[2] || lat < v->clip[1] || lat > v->clip[3]) continue;
        if (fpi_view_project(v, lon, lat, &x, &y)) continue;
        fp_view_page(v, x, y, &px, &py);
        cairo_text_extents_t e;
        cairo_text_extents(cr, l->text, &e);
        double tx = px - e.x_advance / 2, ty = py + fs * 0.35;
        box b = { tx - 1, ty - fs, tx + e.x_advance + 1, ty + fs * 0.3 };
        if (b.x0 < frame.x0 || b.y0 < frame.y0 || b.x1 > frame.x1 || b.y1 > frame.y1) continue;
        if (legend.x1 > legend.x0 && overlaps(b, legend)) continue;
        int clash = 0;
        for (int k = 0; k < np && !clash; k++) clash = overlaps(b, placed[k]);
        if (clash) continue;
        placed[np++] = b;
        fpi_draw_label_text(cr, ms, tx, ty, l->text, fs);
    }
}

/* A scale bar of a round length, true at the map's centre. */
static void draw_scale_bar(cairo_t *cr, const fp_furniture *f, box legend)
{
    const fp_view *v = f->view;
    if (v->world) return;
    const double *m = v->map;
    double cx = m[0] + m[2] / 2, cy = m[1] + m[3] / 2, d = 50;
    double x0 = v->extent[0] + (cx - d - v->ox) / v->scale, x1 = v->extent[0] + (cx + d - v->ox) / v->scale;
    double y = v->extent[3] - (cy - v->oy) / v->scale;
    double lon0, lat0, lon1, lat1;
    if (fpi_view_unproject(v, x0, y, &lon0, &lat0) || fpi_view_unproject(v, x1, y, &lon1, &lat1)) return;
    double metres = fpi_geodesic_distance_m(lon0, lat0, lon1, lat1);
    if (!(metres > 0)) return;
    double per_pt = metres / (2 * d), target = m[2] * 0.18 * per_pt;
    double p10 = pow(10, floor(log10(target))), nice = p10;
    if (target >= 5 * p10) nice = 5 * p10;
    else if (target >= 2 * p10) nice = 2 * p10;
    double len = nice / per_pt, h = 3;
    double bx = m[0] + m[2] - len - 12, by = m[1] + m[3] - 14;
    box b = { bx - 4, by - 12, bx + len + 4, by + h + 4 };
    if (legend.x1 > legend.x0 && overlaps(b, legend)) { bx = m[0] + 12; by = m[1] + 20; }
    cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
    cairo_rectangle(cr, bx - 4, by - 12, len + 8, h + 16);
    cairo_fill(cr);
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(cr, bx + len * i / 4, by, len / 4, h);
        if (i % 2) cairo_set_source_rgb(cr, 1, 1, 1); else cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
    }
    char text[64];
    if (nice >= 1000) snprintf(text, sizeof text, "%g km", nice / 1000);
    else snprintf(text, sizeof text, "%g m", nice);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 6.5);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    double tw = text_width(cr, text);
    cairo_move_to(cr, bx + len - tw, by - 3);
    cairo_show_text(cr, text);
    if (len > tw + text_width(cr, "0") + 4) {      /* "0" only where it does not touch the length */
        cairo_move_to(cr, bx, by - 3);
        cairo_show_text(cr, "0");
    }
}

void fpi_legend_size(cairo_t *cr, const fp_furniture *f, double *w, double *h, double *pad)
{
    cairo_save(cr);
    box b = draw_legend(cr, f, 0);
    cairo_restore(cr);
    *w = b.x1 - b.x0;
    *h = b.y1 - b.y0;
    *pad = 7.5 * (f->text_scale > 0 ? f->text_scale : 1);   /* draw_legend's pad */
}

void fpi_draw_legend(cairo_t *cr, const fp_furniture *f)
{
    cairo_save(cr);
    draw_legend(cr, f, 1);
    cairo_restore(cr);
}

void fpi_draw_furniture(cairo_t *cr, const fp_furniture *f)
{
    cairo_save(cr);
    cairo_rectangle(cr, f->view->map[0], f->view->map[1], f->view->map[2], f->view->map[3]);
    cairo_clip(cr);
    box legend = draw_legend(cr, f, 1);
    draw_labels(cr, f, legend);
    draw_scale_bar(cr, f, legend);
    cairo_restore(cr);
    /* The frame. */
    cairo_rectangle(cr, f->view->map[0], f->view->map[1], f->view->map[2], f->view->map[3]);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    fpi_draw_page_text(cr, f);
}

/* Title and subtitle above the map's left edge, credits under its right edge. */
void fpi_draw_page_text(cairo_t *cr, const fp_furniture *f)
{
    const fp_map_style *ms = fp_style_map(f->style);
    /* Title and subtitle. */
    double ts = (ms->title.size > 0 ? ms->title.size : 14) * (f->text_scale > 0 ? f->text_scale : 1);
    const char *font = ms->title.font && strcmp(ms->title.font, "sans-serif") ? ms->title.font : "DejaVu Sans";
    double y = f->title_top + ts, left = f->view->map[0];
    if (f->title) {
        cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, ts);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_move_to(cr, left, y);
        cairo_show_text(cr, f->title);
        y += ts * 0.95;
    }
    if (f->subtitle) {
        cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, ts * 0.65);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_move_to(cr, left, f->title ? y : y - ts * 0.3);
        cairo_show_text(cr, f->subtitle);
    }
    /* Credits, right-aligned under the map, shrunk to fit. */
    const char *credits = ms->credits ? ms->credits
                                      : "Boundaries: Natural Earth (public domain). Places: GeoNames (CC BY 4.0). Made with footprint.";
    double cs = f->credit_size;
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, cs);
    double w = text_width(cr, credits), avail = f->view->map[2];
    double right = f->view->map[0] + f->view->map[2], base = f->view->map[1] + f->view->map[3] + f->credit_size * 1.6;
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    if (w > avail) {
        /* Too long for a narrow map: two lines, split at the sentence end
         * nearest the middle, shrunk only if still too long. */
        size_t n = strlen(credits), best = 0;
        for (size_t i = 1; i + 1 < n; i++)
            if (credits[i] == '.' && credits[i + 1] == ' ' && (!best || fabs((double)i - n / 2.0) < fabs((double)best - n / 2.0)))
                best = i + 1;
        if (best) {
            char first[512], second[512];
            snprintf(first, sizeof first, "%.*s", (int)best, credits);
            snprintf(second, sizeof second, "%s", credits + best + 1);
            double w1 = text_width(cr, first), w2 = text_width(cr, second), wm = fmax(w1, w2);
            if (wm > avail) { cs *= avail / wm; cairo_set_font_size(cr, cs); w1 = text_width(cr, first); w2 = text_width(cr, second); }
            cairo_move_to(cr, right - w1, base);
            cairo_show_text(cr, first);
            cairo_move_to(cr, right - w2, base + cs * 1.25);
            cairo_show_text(cr, second);
            return;
        }
        cs *= avail / w;
        cairo_set_font_size(cr, cs);
        w = text_width(cr, credits);
    }
    cairo_move_to(cr, right - w, base);
    cairo_show_text(cr, credits);
}
