/* A region layer file read feature by feature, checked the same way for
 * both engines (regions_load.c for SpatiaLite, pg_regions.c for PostGIS):
 * the fields by name, WGS 84, polygons only, 2D, one message per bad
 * feature naming the file and the feature. */
#ifndef FP_STORE_REGIONS_FILE_H
#define FP_STORE_REGIONS_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "fp_error.h"

typedef struct fpi_region_file fpi_region_file;

/* One feature; its strings and WKB are valid until the next call. */
typedef struct fpi_region_row {
    long feature;                 /* 0-based, as messages count them */
    const char *level;            /* "custom" when the layer has none */
    const char *code;
    /* iso_a2, name, name_long, parent, continent, subregion (NULL: none) */
    const char *text[6];
    int has_population;
    int64_t population;
    const unsigned char *wkb;     /* 2D, WGS 84, little-endian; a MULTIPOLYGON when asked */
    size_t wkb_len;
} fpi_region_row;

/* Opens path's layer `regions` (else its first layer), which needs the
 * fields code and name. multi: polygons come out as multipolygons. */
fp_status fpi_region_file_open(const char *path, int multi, fpi_region_file **out, fp_error *err);
/* The next feature: 1 and *row filled, 0 at the end, -1 (err set) for a
 * feature without code or polygon, or that cannot be reprojected. */
int fpi_region_file_next(fpi_region_file *rf, fpi_region_row *row, fp_error *err);
void fpi_region_file_free(fpi_region_file *rf);

#endif
