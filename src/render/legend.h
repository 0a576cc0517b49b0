/* Map furniture: title, legend, labels, scale bar, credits (legend.c). */
#ifndef FP_RENDER_LEGEND_H
#define FP_RENDER_LEGEND_H

#include <glib.h>
#include "render_internal.h"

typedef struct fp_furniture {
    const fp_view *view;
    const fp_style *style;
    const fp_classes *classes;    /* NULL: no choropleth */
    const char *legend_title;
    GPtrArray *categories;        /* point categories drawn */
    GPtrArray *category_labels;   /* their legend texts (NULL: the names) */
    const fp_style *category_style;   /* their colours and shapes (NULL: style) */
    GPtrArray *labels;            /* label candidates, highest value first */
    const char *title, *subtitle;
    double margin, page_w, page_h, credit_size;
    double title_top;             /* top of the title block */
    double size_max;              /* proportional symbols: the largest value (0: none) */
    double text_scale;            /* 1 on a normal page, less on small ones */
    GHashTable *category_kinds;   /* how categories were drawn (fpi_draw_projects; NULL: markers):
                                     drawn only as lines, a line swatch */
    int no_counts;                /* classes without their counts (a page of panels) */
    double legend_max_w, legend_max_h;   /* room for the legend box (0: view->map less its padding) */
} fp_furniture;

void fpi_draw_furniture(cairo_t *cr, const fp_furniture *f);
/* Parts of the furniture for pages of several maps (facets.c): the
 * legend's box size (and the padding it keeps from view->map's edges), the
 * legend alone in view->map's corner, title and credits alone. */
void fpi_legend_size(cairo_t *cr, const fp_furniture *f, double *w, double *h, double *pad);
void fpi_draw_legend(cairo_t *cr, const fp_furniture *f);
void fpi_draw_page_text(cairo_t *cr, const fp_furniture *f);
/* The credit line under a map: the style's credits, else the default one
 * (also recorded in the file's metadata). */
const char *fpi_map_credits(const fp_map_style *ms);
/* The height of the title block fpi_draw_page_text draws: title (size ts)
 * and subtitle wrapped at width; 0 without either. */
double fpi_title_block_height(cairo_t *cr, const fp_map_style *ms, const char *title, const char *subtitle, double ts,
                              double width);
void fpi_draw_symbol(cairo_t *cr, fp_shape shape, double x, double y, double size);

#endif
