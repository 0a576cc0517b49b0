/* The ColorBrewer table (palettes.c, generated) and its look-ups. */
#ifndef FP_STYLE_PALETTES_H
#define FP_STYLE_PALETTES_H

#include "fp_style.h"

typedef struct fp_scheme {
    const char *name;                 /* canonical spelling, e.g. "YlOrRd" */
    fp_scheme_kind kind;
    int min, max;                     /* class counts the scheme defines (3..9, 3..11, 3..12) */
    const unsigned char (*colors)[3]; /* min colours, then min+1, ... then max */
} fp_scheme;

extern const fp_scheme fpi_schemes[];  /* sorted by name, case-insensitively */
extern const int fpi_nschemes;

/* The scheme of that name (any case), NULL if unknown. */
const fp_scheme *fpi_scheme_find(const char *name);

#endif
