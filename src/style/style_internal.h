/* Internals of the style stage. */
#ifndef FP_STYLE_INTERNAL_H
#define FP_STYLE_INTERNAL_H

#include "fp_style.h"

/* The built-in default style: the text of styles/world-choropleth.json
 * (a unit test checks that they are the same). */
extern const char fpi_style_default_json[];

/* FNV-1a of a category name: the fallback palette position. */
unsigned fpi_style_hash(const char *s);

/* The candidate nearest to word (at most two edits away, by edit
 * distance), NULL when none is: the "did you mean" of the style's
 * messages (unknown keys, schemes, style names, choropleth fields) and of
 * the projection names. n
 * candidates, or up to a NULL entry. */
const char *fpi_style_closest(const char *word, const char *const *candidates, size_t n);

#endif
