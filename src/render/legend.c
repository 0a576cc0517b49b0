/* Map furniture. Labels are placed greedily, highest value first, and a
 * label that would overlap one already placed, the legend or the frame's
 * edge is left out: no clipped or colliding labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "legend.h"
#include "geom/geom.h"
#include "common/numfmt.h"

typedef struct box { double x0, y0, x1, y1; } box;

static int overlaps(box a, box b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static const char *font_of(const fp_map_style *ms)
{
    return fpi_text_family(ms->labels.font ? ms->labels.font : ms->title.font);
}

/* The legend is a list of entries flowed top to bottom into columns as
 * high as the frame allows. A label wider than a quarter of the frame
 * wraps (three lines at most, then an ellipsis); categories that do not fit
 * even in columns across the frame are counted in a last entry "… and N
 * more categories", never dropped silently. */
enum { E_TITLE, E_CLASS, E_NODATA, E_CAT, E_SIZE_TITLE, E_SIZE, E_MORE };

typedef struct entry {
    int kind, index;
    char *text;
    double w, h;                  /* points; top to top of the next entry */
} entry;

typedef struct legend_plan {
    entry *e;
    int n;                        /* entries laid out: the first n_fixed, then shown categories, more, sizes */
    int ncols;
    int col_start[256];           /* first entry of each column */
    double col_w[256];
    double w, h;                  /* the box */
} legend_plan;

/* Flows the entries into columns of at most max_h; the box's size. */
static void flow(legend_plan *p, const entry *const *order, int n, double max_h, double pad, double gap, double trim)
{
    double colh = 0, maxh = 0;
    p->ncols = 0;
    for (int i = 0; i < n; i++) {
        const entry *e = order[i];
        if (!p->ncols || (colh + e->h > max_h + 1e-9 && colh > 0 && p->ncols < 256)) {
            p->col_start[p->ncols] = i;
            p->col_w[p->ncols++] = 0;
            colh = 0;
        }
        colh += e->h;
        maxh = fmax(maxh, colh);
        p->col_w[p->ncols - 1] = fmax(p->col_w[p->ncols - 1], e->w);
    }
    double w = 0;
    for (int c = 0; c < p->ncols; c++) w += p->col_w[c] + (c ? gap : 0);
    p->w = w + 2 * pad;
    p->h = maxh + 2 * pad - trim;
}

/* The legend's entries: measured first, then drawn in a box (draw 0:
 * measured only, the box returned). */
static box draw_legend(cairo_t *cr, const fp_furniture *f, int draw)
{
    const fp_map_style *ms = fp_style_map(f->style);
    box none = { 0, 0, 0, 0 };
    if (ms->legend_position && !strcmp(ms->legend_position, "none")) return none;
    /* A choropleth whose regions all lack a value (n == 0) keeps its
     * legend, the title and "none (252)": an all-grey map without one
     * said nothing of what it shows. */
    int has_classes = f->classes != NULL;
    int nclass = has_classes ? f->classes->n : 0;
    int ncat = f->categories ? (int)f->categories->len : 0;
    if (!has_classes && !ncat) return none;
    const char *font = font_of(ms);
    double fs = 7.5 * (f->text_scale > 0 ? f->text_scale : 1), line = fs * 1.6, sw = fs * 1.6, pad = fs;
    double text_x = sw + fs * 0.6, lead = fs * 1.25, gap = fs * 1.5;
    const double *m = f->view->map;
    double frame_w = f->legend_max_w > 0 ? f->legend_max_w : m[2] - 2 * pad;
    double frame_h = f->legend_max_h > 0 ? f->legend_max_h : m[3] - 2 * pad;
    /* A label's text at most a quarter of the frame wide (never less than
     * twelve characters' room). */
    double label_w = fmax(fs * 12, frame_w * 0.25 - text_x);
    int sized = f->size_max > 0 && ms->points.size_field;
    double base = ms->points.size > 0 ? ms->points.size : 4, big = fp_symbol_size(base, f->size_max, f->size_max);
    double rowh = fmax(line, big * 0.75);
    int cap = nclass + 2 + ncat + 1 + (sized ? 4 : 0);
    entry *es = g_new0(entry, cap);
    const entry **order = g_new0(const entry *, cap);
    int n = 0;
    PangoLayout *l;
    if (has_classes) {
        l = fpi_text_layout(cr, font, fs * 1.1, 1, f->legend_title ? f->legend_title : "", label_w + text_x, 2);
        es[n] = (entry){ E_TITLE, 0, g_strdup(f->legend_title ? f->legend_title : ""), fpi_text_layout_width(l),
                         line + (fpi_text_line_count(l) - 1) * lead };
        n++;
        for (int i = nclass - 1; i >= -1; i--) {       /* highest class first, no data last */
            char range[96];
            char *text;
            const char *nd = f->classes->zero_is_nodata ? "none" : "no data";
            if (i >= 0) fp_classes_label(f->classes, i, range, sizeof range);
            if (f->no_counts) text = g_strdup(i >= 0 ? range : nd);
            else if (i >= 0) text = g_strdup_printf("%s  (%ld)", range, f->classes->counts[i]);
            else text = g_strdup_printf("%s  (%ld)", nd, f->classes->nodata_count);
            l = fpi_text_layout(cr, font, fs, 0, text, -1, 0);
            es[n] = (entry){ i >= 0 ? E_CLASS : E_NODATA, i, text, text_x + fpi_text_layout_width(l), line };
            n++;
        }
    }
    int fixed = n;
    for (int i = 0; i < ncat; i++) {
        char label[512];
        fp_style_category_label(g_ptr_array_index(f->category_labels ? f->category_labels : f->categories, i), label, sizeof label);
        l = fpi_text_layout(cr, font, fs, 0, label, label_w, 3);
        es[n] = (entry){ E_CAT, i, g_strdup(label), text_x + fpi_text_layout_width(l),
                         line + (fpi_text_line_count(l) - 1) * lead };
        n++;
    }
    int more = n;
    {
        char *text = g_strdup_printf("\xe2\x80\xa6 and %d more categories", ncat);
        l = fpi_text_layout(cr, font, fs, 0, text, -1, 0);
        es[n] = (entry){ E_MORE, 0, text, text_x + fpi_text_layout_width(l), line };
        n++;
    }
    int sizes = n;
    if (sized) {
        l = fpi_text_layout(cr, font, fs, 0, ms->points.size_field, -1, 0);
        es[n] = (entry){ E_SIZE_TITLE, 0, g_strdup(ms->points.size_field), fpi_text_layout_width(l), line };
        n++;
        static const double parts[] = { 1, 0.5, 0.1 };
        for (int i = 0; i < 3; i++) {
            char v[32];
            fpi_format_legend_number(f->size_max * parts[i], f->size_max >= 9999.5, v, sizeof v);
            l = fpi_text_layout(cr, font, fs, 0, v, -1, 0);
            es[n] = (entry){ E_SIZE, i, g_strdup(v), big + fs * 0.8 + fpi_text_layout_width(l), rowh };
            n++;
        }
    }
    /* Every category if the columns fit across the frame, else as many as
     * do with the "more" entry after them. */
    legend_plan p = { .e = es };
    double trim = line - fs;          /* the last row's space under its baseline */
    int shown = ncat, k = 0;
    for (;;) {
        k = 0;
        for (int i = 0; i < fixed; i++) order[k++] = &es[i];
        for (int i = 0; i < shown; i++) order[k++] = &es[fixed + i];
        if (shown < ncat) {
            char *text = g_strdup_printf("\xe2\x80\xa6 and %d more categor%s", ncat - shown, ncat - shown == 1 ? "y" : "ies");
            g_free(es[more].text);
            es[more].text = text;
            order[k++] = &es[more];
        }
        for (int i = sizes; i < n; i++) order[k++] = &es[i];
        flow(&p, order, k, frame_h - 2 * pad + trim, pad, gap, trim);
        if ((p.w <= frame_w && p.h <= frame_h) || shown == 0) break;
        shown--;
    }
    if (p.ncols > 1) {
        /* Columns of even height: the lowest that needs no more columns. */
        int cols = p.ncols;
        double lo = 0, hi = frame_h - 2 * pad + trim;
        for (int it = 0; it < 30; it++) {
            double mid = (lo + hi) / 2;
            flow(&p, order, k, mid, pad, gap, trim);
            if (p.ncols > cols) lo = mid;
            else hi = mid;
        }
        flow(&p, order, k, hi, pad, gap, trim);
    }
    double w = p.w, h = p.h;
    double x = strstr(ms->legend_position ? ms->legend_position : "bottom-left", "right") ? m[0] + m[2] - w - pad : m[0] + pad;
    double y = strstr(ms->legend_position ? ms->legend_position : "bottom-left", "top") ? m[1] + pad : m[1] + m[3] - h - pad;
    if (draw) {
        cairo_rectangle(cr, x, y, w, h);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        const fp_style *cs = f->category_style ? f->category_style : f->style;
        double cx = x + pad;
        for (int c = 0; c < p.ncols; c++) {
            double top = y + pad;
            int last = c + 1 < p.ncols ? p.col_start[c + 1] : k;
            for (int i = p.col_start[c]; i < last; i++) {
                const entry *e = order[i];
                double bl = top + fs;          /* the first baseline */
                cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
                switch (e->kind) {
                case E_TITLE:
                    fpi_text_show(cr, fpi_text_layout(cr, font, fs * 1.1, 1, e->text, label_w + text_x, 2), cx, bl, lead);
                    break;
                case E_CLASS:
                case E_NODATA:
                    cairo_rectangle(cr, cx, bl - fs * 0.85, sw, fs * 1.1);
                    fpi_set_color(cr, e->kind == E_CLASS ? f->classes->colors[e->index] : f->classes->nodata);
                    cairo_fill_preserve(cr);
                    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
                    cairo_set_line_width(cr, 0.3);
                    cairo_stroke(cr);
                    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
                    fpi_text_draw(cr, font, fs, 0, cx + text_x, bl, e->text);
                    break;
                case E_CAT: {
                    const char *cat = g_ptr_array_index(f->categories, e->index);
                    cairo_new_path(cr);
                    if (f->category_kinds &&
                        GPOINTER_TO_INT(g_hash_table_lookup(f->category_kinds, cat)) == FPI_DRAWN_LINE) {
                        /* Drawn only as lines: a stroke, not a marker. */
                        cairo_move_to(cr, cx, bl - fs * 0.3);
                        cairo_line_to(cr, cx + sw, bl - fs * 0.3);
                        fpi_set_color(cr, fp_style_category_color(cs, cat));
                        cairo_set_line_width(cr, fmin(ms->lines.width > 0 ? ms->lines.width : 1, fs * 0.6));
                        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
                        cairo_stroke(cr);
                    } else {
                        fpi_draw_symbol(cr, fp_style_category_shape(cs, cat), cx + sw / 2, bl - fs * 0.3, fs);
                        fpi_set_color(cr, fp_style_category_color(cs, cat));
                        cairo_fill(cr);
                    }
                    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
                    fpi_text_show(cr, fpi_text_layout(cr, font, fs, 0, e->text, label_w, 3), cx + text_x, bl, lead);
                    break;
                }
                case E_MORE:
                    fpi_text_draw(cr, font, fs, 0, cx + text_x, bl, e->text);
                    break;
                case E_SIZE_TITLE:
                    fpi_text_draw(cr, font, fs, 0, cx, bl, e->text);
                    break;
                case E_SIZE: {
                    static const double parts[] = { 1, 0.5, 0.1 };
                    double sz = fp_symbol_size(base, f->size_max * parts[e->index], f->size_max);
                    cairo_new_path(cr);
                    fpi_draw_symbol(cr, FP_SHAPE_CIRCLE, cx + big / 2, top + rowh / 2, sz);
                    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
                    cairo_set_line_width(cr, 0.5);
                    cairo_stroke(cr);
                    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
                    fpi_text_draw(cr, font, fs, 0, cx + big + fs * 0.8, top + rowh / 2 + fs * 0.35, e->text);
                    break;
                }
                }
                top += e->h;
            }
            cx += p.col_w[c] + gap;
        }
    }
    for (int i = 0; i < n; i++) g_free(es[i].text);
    g_free(es);
    g_free(order);
    return (box){ x, y, x + w, y + h };
}

/* A label in the style's colour over a halo, so it reads on any fill;
 * shared with the raster tiles. */
void fpi_draw_label_text(cairo_t *cr, const fp_map_style *ms, double x, double y, const char *text, double size)
{
    PangoLayout *l = fpi_text_layout(cr, ms->labels.font, size, 0, text, -1, 0);
    cairo_new_path(cr);
    fpi_text_path(cr, l, x, y, 0);
    fpi_set_color(cr, ms->labels.halo);
    cairo_set_line_width(cr, size * 0.25);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    fpi_set_color(cr, ms->labels.color);
    fpi_text_show(cr, l, x, y, 0);
}

static void draw_labels(cairo_t *cr, const fp_furniture *f, box legend)
{
    const fp_map_style *ms = fp_style_map(f->style);
    if (!ms->labels.enabled || !f->labels || ms->labels.max <= 0) return;
    double fs = (ms->labels.size > 0 ? ms->labels.size : 7) * (f->text_scale > 0 ? f->text_scale : 1);
    box placed[256];
    int np = 0;
    const double *m = f->view->map;
    box frame = { m[0] + 2, m[1] + 2, m[0] + m[2] - 2, m[1] + m[3] - 2 };
    for (guint i = 0; i < f->labels->len && np < ms->labels.max && np < 256; i++) {
        const label_cand *l = g_ptr_array_index(f->labels, i);
        double lon = l->lon, lat = l->lat, x, y, px, py;
        const fp_view *v = f->view;
        fpi_view_wrap_lon(v, &lon);
        if (lon < v->clip[0] || lon > v->clip[2] || lat < v->clip[1] || lat > v->clip[3]) continue;
        if (fpi_view_project(v, lon, lat, &x, &y)) continue;
        fp_view_page(v, x, y, &px, &py);
        double tw = fpi_text_width(cr, ms->labels.font, fs, 0, l->text);
        double tx = l->beside > 0 ? px + l->beside : px - tw / 2, ty = py + fs * 0.35;
        box b = { tx - 1, ty - fs, tx + tw + 1, ty + fs * 0.3 };
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
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    double tw = fpi_text_width(cr, NULL, 6.5, 0, text);
    fpi_text_draw(cr, NULL, 6.5, 0, bx + len - tw, by - 3, text);
    if (len > tw + fpi_text_width(cr, NULL, 6.5, 0, "0") + 4)   /* "0" only where it does not touch the length */
        fpi_text_draw(cr, NULL, 6.5, 0, bx, by - 3, "0");
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

/* The title block: title and subtitle, each wrapped at width (points);
 * their line counts, for the block's height and the drawing. */
static void title_lines(cairo_t *cr, const fp_map_style *ms, const char *title, const char *subtitle, double ts,
                        double width, int *nt, int *ns, double *widest)
{
    const char *font = ms->title.font;
    *nt = *ns = 0;
    *widest = 0;
    if (title) {
        PangoLayout *l = fpi_text_layout(cr, font, ts, 1, title, width, 0);
        *nt = fpi_text_line_count(l);
        *widest = fpi_text_layout_width(l);
    }
    if (subtitle) {
        PangoLayout *l = fpi_text_layout(cr, font, ts * 0.65, 0, subtitle, width, 0);
        *ns = fpi_text_line_count(l);
        *widest = fmax(*widest, fpi_text_layout_width(l));
    }
}

/* Title lines 1.2 sizes apart, subtitle lines 0.8; one line of each takes
 * what it always took (1.3 and 0.8 title sizes, and half a size below). */
double fpi_title_block_height(cairo_t *cr, const fp_map_style *ms, const char *title, const char *subtitle, double ts,
                              double width)
{
    int nt, ns;
    double widest;
    if (!title && !subtitle) return 0;
    title_lines(cr, ms, title, subtitle, ts, width, &nt, &ns, &widest);
    return (title ? ts * 1.3 + (nt - 1) * ts * 1.2 : 0) + (subtitle ? ts * 0.8 + (ns - 1) * ts * 0.8 : 0) + ts * 0.5;
}

/* Title and subtitle above the map's left edge, wrapped within the page's
 * margins (moved left when the frame is narrower than they are); credits
 * under its right edge. */
const char *fpi_map_credits(const fp_map_style *ms)
{
    return ms->credits ? ms->credits : fp_style_default_credits();
}

void fpi_draw_page_text(cairo_t *cr, const fp_furniture *f)
{
    const fp_map_style *ms = fp_style_map(f->style);
    /* Title and subtitle. */
    double ts = (ms->title.size > 0 ? ms->title.size : 14) * (f->text_scale > 0 ? f->text_scale : 1);
    const char *font = ms->title.font;
    double y = f->title_top + ts, left = f->view->map[0];
    double width = f->page_w - 2 * f->margin;
    if (f->title || f->subtitle) {
        int nt, ns;
        double widest;
        title_lines(cr, ms, f->title, f->subtitle, ts, width, &nt, &ns, &widest);
        left = fmax(f->margin, fmin(left, f->page_w - f->margin - widest));
    }
    if (f->title) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        PangoLayout *l = fpi_text_layout(cr, font, ts, 1, f->title, width, 0);
        fpi_text_show(cr, l, left, y, ts * 1.2);
        y += (fpi_text_line_count(l) - 1) * ts * 1.2 + ts * 0.95;
    }
    if (f->subtitle) {
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        PangoLayout *l = fpi_text_layout(cr, font, ts * 0.65, 0, f->subtitle, width, 0);
        fpi_text_show(cr, l, left, f->title ? y : y - ts * 0.3, ts * 0.8);
    }
    /* Credits, right-aligned under the map; too long for a narrow map, on
     * two lines split at the sentence end nearest the middle. Still wider
     * than the frame, the block is centred under it and may use the page's
     * width between the margins; shrunk only beyond that. (Shrunk to the
     * frame, a tall country's credits, Norway's on A4 landscape, came out
     * at 3.5 pt, below what print can carry.) */
    const char *credits = fpi_map_credits(ms);
    double cs = f->credit_size;
    double right = f->view->map[0] + f->view->map[2], base = f->view->map[1] + f->view->map[3] + f->credit_size * 1.6;
    double centre = f->view->map[0] + f->view->map[2] / 2, page = f->page_w - 2 * f->margin;
    double w = fpi_text_width(cr, NULL, cs, 0, credits), avail = f->view->map[2];
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    if (w > avail) {
        size_t n = strlen(credits), best = 0;
        for (size_t i = 1; i + 1 < n; i++)
            if (credits[i] == '.' && credits[i + 1] == ' ' && (!best || fabs((double)i - n / 2.0) < fabs((double)best - n / 2.0)))
                best = i + 1;
        if (best) {
            char *first = g_strndup(credits, best), *second = g_strdup(credits + best + 1);
            double w1 = fpi_text_width(cr, NULL, cs, 0, first), w2 = fpi_text_width(cr, NULL, cs, 0, second);
            double wm = fmax(w1, w2);
            if (wm > avail) {
                if (wm > page) {
                    cs *= page / wm;
                    w1 = fpi_text_width(cr, NULL, cs, 0, first);
                    w2 = fpi_text_width(cr, NULL, cs, 0, second);
                    wm = fmax(w1, w2);
                }
                right = centre + wm / 2;
            }
            fpi_text_draw(cr, NULL, cs, 0, right - w1, base, first);
            fpi_text_draw(cr, NULL, cs, 0, right - w2, base + cs * 1.25, second);
            g_free(first);
            g_free(second);
            return;
        }
        if (w > page) {
            cs *= page / w;
            w = fpi_text_width(cr, NULL, cs, 0, credits);
        }
        right = centre + w / 2;
    }
    fpi_text_draw(cr, NULL, cs, 0, right - w, base, credits);
}
