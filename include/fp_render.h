/* Report maps drawn with cairo: PNG, PDF and SVG, projected with PROJ, from
 * a style file (choropleth of an aggregation, project points, borders,
 * graticule) with title, legend, credits, scale bar and labels. */
#ifndef FP_RENDER_H
#define FP_RENDER_H

#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_render_options {
    const char *style_path;  /* NULL: the built-in world choropleth */
    const char *proj;        /* equal-earth, robinson, web-mercator, laea, EPSG:n or a
                                PROJ string; NULL: the style's view, else equal-earth
                                (laea centred on the view for --region / --bbox) */
    int width, height;       /* --size in pixels (at dpi); 0: from the paper */
    const char *paper;       /* A4, A3, letter; default A4 */
    int landscape;           /* paper in landscape (the default for world maps) */
    int portrait;
    double dpi;              /* PNG resolution; default 150 for paper, 96 for --size */
    const char *region;      /* zoom to a region (code or name) */
    int has_bbox;
    double bbox[4];          /* west, south, east, north */
    const char *title, *subtitle;   /* override the style's */
    const char *aggregation; /* override the style's choropleth aggregation */
    const char *each;        /* atlas: one map per region of this level with projects */
    const char *output;      /* FILE.png|.pdf|.svg; with each: a folder, or a path with {code} */
    /* Small multiples: one page, a panel per value (or bin) of this project
     * field (year, company, category, another column or an extra key), the
     * choropleth's classes computed over every panel, one legend. */
    const char *facet;
    const char *facet_values; /* "a,b,c": these panels, in this order; NULL: every value */
    const char *facet_bins;   /* "2000-2009,2010-2014": numeric ranges (ends included) */
    int cumulative;           /* a panel holds every project up to its value or bin's end */
    /* A "new since" map: the changes between two editions (fp_diff) drawn as
     * point symbols coloured by kind over the style's base map (default
     * style: styles/diff.json), the legend counting each kind drawn. */
    const char *diff;         /* "OLD:NEW": two datasets of the store; NULL: no diff */
    const char *changes;      /* "added,removed,moved,changed" (any of them); NULL: added */
    const char *dataset;      /* project points of this dataset only (one edition); NULL: every project */
} fp_render_options;

typedef struct fp_render_result {
    int maps;                /* files written */
    int width_px, height_px; /* of the (last) PNG, or the page in points */
    char path[4096];         /* the (last) file written */
    double seconds;
    char note[1100];         /* said to the user beside the map ("" for nothing), one a line: --facet
                                panels drawn empty, --diff editions that share no ids, a choropleth
                                whose regions all lack a value */
} fp_render_result;

/* Renders the map(s). PNGs get a world file (.pgw) and a .prj next to them
 * that place the map's pixels in the projection, so GIS tools (and tests)
 * can locate any point on the image. Written to a temporary name and
 * renamed into place. */
fp_status fp_render(fp_store *store, const fp_render_options *opts, fp_render_result *result, fp_error *err);

/* Once per process, after the last map (and after fp_global_cleanup):
 * drops the calling thread's Pango font map. cairo's and fontconfig's own
 * caches are left to the end of the process: tearing them down
 * (cairo_debug_reset_static_data, FcFini) asserts that nothing of theirs
 * is in use, which Pango's own threads can break (src/render/cleanup.c). */
void fp_render_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif
