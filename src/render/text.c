/* Text on maps through Pango: shaping (Arabic joining, Indic clusters),
 * bidirectional order (Arabic and Hebrew right to left inside a line),
 * and fontconfig's fallback glyph by glyph (CJK from WenQuanYi Micro Hei
 * or Noto CJK under DejaVu Sans). cairo's toy text API did none of these:
 * Arabic came out in logical order left to right, unjoined, and CJK as
 * empty boxes.
 *
 * Each cairo_t gets one PangoLayout (with its PangoContext), made on first
 * use and freed with the cairo_t: a map's labels reuse it. The font map
 * (fontconfig's fonts, Pango's caches) is made once per thread. */
#include <string.h>
#include <fontconfig/fontconfig.h>
#include "render/draw.h"

static const cairo_user_data_key_t layout_key;

/* One font map per thread (Pango's are not to be shared between threads:
 * the raster tiles' workers each get theirs), freed when the thread ends. */
static GPrivate thread_map = G_PRIVATE_INIT(g_object_unref);

static PangoFontMap *font_map(void)
{
    PangoFontMap *fm = g_private_get(&thread_map);
    if (!fm) {
        fm = pango_cairo_font_map_new();
        g_private_set(&thread_map, fm);
    }
    return fm;
}

static PangoLayout *layout_of(cairo_t *cr)
{
    PangoLayout *l = cairo_get_user_data(cr, &layout_key);
    if (l) {
        pango_cairo_update_layout(cr, l);
        return l;
    }
    PangoContext *pc = pango_font_map_create_context(font_map());
    /* Glyph positions unhinted and unrounded: text is laid out the same on a
     * 150 dpi PNG, a 300 dpi one and the PDF, so measures and wraps agree. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(pc, FALSE);
    pango_cairo_update_context(cr, pc);
    l = pango_layout_new(pc);
    g_object_unref(pc);                  /* the layout holds it */
    if (cairo_set_user_data(cr, &layout_key, l, g_object_unref) != CAIRO_STATUS_SUCCESS) {
        g_object_unref(l);
        return NULL;
    }
    return l;
}

const char *fpi_text_family(const char *font)
{
    return font && *font && strcmp(font, "sans-serif") ? font : "DejaVu Sans";
}

/* fontconfig's generic names, which always resolve to some installed font. */
static int generic_family(const char *name)
{
    static const char *const generic[] = { "sans-serif", "sans", "serif", "monospace", "mono", "cursive",
                                           "fantasy", "system-ui", "emoji", "math", NULL };
    for (int i = 0; generic[i]; i++)
        if (!g_ascii_strcasecmp(name, generic[i])) return 1;
    return 0;
}

/* What fontconfig draws family in (the pattern Pango asks it for): 1 if
 * one of the matched font's family names is family itself (its other
 * names count: "DejaVu Sans Condensed" is a name of DejaVu Sans's
 * condensed faces), else 0 with the matched font's family in fallback
 * ("Times New Roman" becomes DejaVu Serif through fontconfig's aliases). */
static int family_matches(const char *family, char *fallback, size_t size)
{
    FcPattern *p = FcPatternCreate();
    int found = 0;
    if (!p) return 1;                              /* cannot tell: no note */
    FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)family);
    FcConfigSubstitute(NULL, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, p, &res);
    FcChar8 *name;
    if (!m) found = 1;
    for (int i = 0; m && !found && FcPatternGetString(m, FC_FAMILY, i, &name) == FcResultMatch; i++) {
        if (i == 0 && fallback) g_strlcpy(fallback, (const char *)name, size);
        found = !FcStrCmpIgnoreCase(name, (const FcChar8 *)family);
    }
    if (m) FcPatternDestroy(m);
    FcPatternDestroy(p);
    return found;
}

int fpi_text_font_installed(const char *font, char *fallback, size_t size)
{
    if (size) g_strlcpy(fallback, "DejaVu Sans", size);
    if (!font || !*font) return 1;
    /* A Pango family list ("Roboto, Arial") draws with the first installed;
     * when none is, the first one's fallback is what the reader sees. */
    char **names = g_strsplit(font, ",", -1);
    int found = 0, first = 1;
    for (int i = 0; names[i] && !found; i++) {
        char *name = g_strstrip(names[i]);
        if (!*name) continue;
        if (generic_family(name)) found = 1;
        else found = family_matches(name, first ? fallback : NULL, size);
        first = 0;
    }
    g_strfreev(names);
    return found;
}

PangoLayout *fpi_text_layout(cairo_t *cr, const char *family, double size, int bold, const char *text,
                             double width, int max_lines)
{
    PangoLayout *l = layout_of(cr);
    if (!l) return NULL;
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, fpi_text_family(family));
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    /* Absolute: size is in the cairo_t's user units (points), as
     * cairo_set_font_size was; Pango's plain sizes assume 96 dpi. */
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_height(l, max_lines > 0 ? -max_lines : -1);
    pango_layout_set_ellipsize(l, max_lines > 0 && width > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
    /* Invalid UTF-8 would make Pango refuse the text: the valid part. */
    const char *end = NULL;
    if (!text) text = "";
    if (g_utf8_validate(text, -1, &end)) pango_layout_set_text(l, text, -1);
    else pango_layout_set_text(l, text, (int)(end - text));
    return l;
}

double fpi_text_layout_width(PangoLayout *l)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    return (double)logical.width / PANGO_SCALE;
}

double fpi_text_width(cairo_t *cr, const char *family, double size, int bold, const char *text)
{
    PangoLayout *l = fpi_text_layout(cr, family, size, bold, text, -1, 0);
    return l ? fpi_text_layout_width(l) : 0;
}

int fpi_text_line_count(PangoLayout *l)
{
    return l ? pango_layout_get_line_count(l) : 0;
}

/* Each line placed by hand: the first baseline at y, the next advance
 * below, whatever the line heights of the fonts mixed in a line. */
static void each_line(cairo_t *cr, PangoLayout *l, double x, double y, double advance, int path)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    int i = 0;
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        cairo_move_to(cr, x + (double)logical.x / PANGO_SCALE, y + i * advance);
        if (path) pango_cairo_layout_line_path(cr, line);
        else pango_cairo_show_layout_line(cr, line);
        i++;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

void fpi_text_show(cairo_t *cr, PangoLayout *l, double x, double y, double advance)
{
    if (l) each_line(cr, l, x, y, advance, 0);
}

void fpi_text_path(cairo_t *cr, PangoLayout *l, double x, double y, double advance)
{
    if (l) each_line(cr, l, x, y, advance, 1);
}

void fpi_text_draw(cairo_t *cr, const char *family, double size, int bold, double x, double y, const char *text)
{
    fpi_text_show(cr, fpi_text_layout(cr, family, size, bold, text, -1, 0), x, y, 0);
}

/* Drops this thread's font map. Pango may still hold it for a few
 * milliseconds on a thread of its own (it sorts fallback fonts there):
 * nothing waits for it, since nothing is torn down after it
 * (fp_render_cleanup). */
void fpi_text_release(void)
{
    g_private_replace(&thread_map, NULL);
}
