/* The render stage's drawing primitives that the raster tiles share
 * (src/tiles/raster.c): colours, point symbols as cached sprites, labels,
 * pixel rows for the encoders. Implemented in src/render/. */
#ifndef FP_RENDER_DRAW_H
#define FP_RENDER_DRAW_H

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <glib.h>
#include "fp_style.h"

void fpi_set_color(cairo_t *cr, fp_rgba c);

/* A point symbol rendered once (antialiased, premultiplied ARGB) and copied
 * for every point of its category; 4 x 4 sub-pixel phases (phase 0..15).
 * col points at a 16-byte block that keys the cache with the phase. */
typedef struct fp_sprite {
    cairo_surface_t *img;
    int size, half;
} fp_sprite;
fp_sprite *fpi_sprite_for(GHashTable *cache, cairo_t *cr, const fp_rgba *col, fp_shape shape, double sz, int phase);
void fpi_sprite_free(gpointer p);
/* OVER onto an ARGB32 image at device position dx, dy, clipped to frame
 * (x0, y0, x1, y1 in device pixels). */
void fpi_sprite_stamp(cairo_surface_t *dst, const fp_sprite *s, double dx, double dy, const double frame[4]);
void fpi_draw_symbol(cairo_t *cr, fp_shape shape, double x, double y, double size);
/* A label in labels.color over a labels.halo outline (legend.c). */
void fpi_draw_label_text(cairo_t *cr, const fp_map_style *ms, double x, double y, const char *text, double size);
/* ---- Text (text.c), through Pango: shaping, bidi, font fallback ----
 * Sizes are in the cairo_t's user units (points on a page); family is a
 * style's font ("sans-serif" or none: DejaVu Sans), other scripts' glyphs
 * come from fontconfig's fallback. */
const char *fpi_text_family(const char *font);
/* 1 if fontconfig has the style's font (a family under any of its names,
 * a generic name such as "serif", or a comma-separated list of which one
 * is installed); else 0, with the family fontconfig draws it in written
 * to fallback: a misspelled house font must not reach print unnoticed. */
int fpi_text_font_installed(const char *font, char *fallback, size_t size);
/* The cairo_t's layout (one per cairo_t, reused) set to text: width > 0
 * wraps at word (else character) boundaries; max_lines > 0 ellipsizes
 * what does not fit in that many lines. Valid until the next call on cr. */
PangoLayout *fpi_text_layout(cairo_t *cr, const char *family, double size, int bold, const char *text,
                             double width, int max_lines);
double fpi_text_layout_width(PangoLayout *l);
int fpi_text_line_count(PangoLayout *l);
/* The advance width of one line of text. */
double fpi_text_width(cairo_t *cr, const char *family, double size, int bold, const char *text);
/* Draws (or adds as a path) the layout's lines, the first baseline at x, y,
 * the following advance further down. */
void fpi_text_show(cairo_t *cr, PangoLayout *l, double x, double y, double advance);
void fpi_text_path(cairo_t *cr, PangoLayout *l, double x, double y, double advance);
/* One line of text, its baseline starting at x, y. */
void fpi_text_draw(cairo_t *cr, const char *family, double size, int bold, double x, double y, const char *text);
/* Once per process, at the end: drops this thread's font map. */
void fpi_text_release(void);
/* One row of opaque ARGB32 pixels to 8-bit RGB, for the PNG and WebP encoders. */
void fpi_argb_to_rgb_row(const uint32_t *src, unsigned char *row, int w);

#endif
