/* Internals of the style stage. */
#ifndef FP_STYLE_INTERNAL_H
#define FP_STYLE_INTERNAL_H

#include "fp_style.h"

/* The built-in default style: the text of styles/world-choropleth.json
 * (a unit test checks that they are the same). */
extern const char fpi_style_default_json[];

/* The name of known (NULL-terminated) nearest value, within an edit
 * distance of 2 (a typo: "robinsn", "shceme"); NULL when none is: the
 * "did you mean" of the style's messages and of the projection names. */
const char *fpi_closest_name(const char *value, const char *const *known);

/* FNV-1a of a category name: the fallback palette position. */
unsigned fpi_style_hash(const char *s);

#endif
