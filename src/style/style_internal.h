/* Internals of the style stage. */
#ifndef FP_STYLE_INTERNAL_H
#define FP_STYLE_INTERNAL_H

#include "fp_style.h"

/* The built-in default style: the text of styles/world-choropleth.json
 * (a unit test checks that they are the same). */
extern const char fpi_style_default_json[];

/* FNV-1a of a category name: the fallback palette position. */
unsigned fpi_style_hash(const char *s);

#endif
