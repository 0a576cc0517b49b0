/* What kind of CRS a user named (internal): --crs and render's --proj take
 * a horizontal CRS only. */
#ifndef FP_CRS_H
#define FP_CRS_H

#include <stddef.h>
#include <proj.h>
#include "fp_error.h"

/* A PROJ context that logs nothing: footprint reports PROJ's failures in
 * its own words ("--crs EPSG:99999: PROJ does not know this CRS"), so
 * PROJ's own lines ("proj_create: crs not found") are not printed before
 * them. NULL when out of memory. */
PJ_CONTEXT *fpi_proj_context_quiet(void);

/* Whether def (anything proj_create reads: "EPSG:27700", WKT, a PROJ
 * string) is a 2D geographic or projected CRS, the kinds a 2D coordinate
 * is read in: 0 yes, or PROJ does not read it (the caller's own message
 * then says so); -1 another kind (geocentric, vertical, 3D, compound,
 * engineering...), its kind in what ("a geocentric CRS (3 axes)"). */
int fpi_crs_check_horizontal(const char *def, char *what, size_t size);

/* An option naming a CRS (import and export --crs, render --proj): FP_OK,
 * or FP_ERR_USAGE "OPTION: empty value" or "OPTION VALUE: not a 2D
 * geographic or projected CRS but KIND". def is what PROJ is asked about:
 * the value itself, or the definition a name stands for (render's
 * "equal-earth"). A CRS PROJ does not read passes: the caller says so. */
fp_status fpi_crs_check_option(const char *option, const char *value, const char *def, fp_error *err);

/* How a summary names a CRS: "EPSG:27700, OSGB36 / British National
 * Grid" (its authority code when it has one, and its name), or def itself
 * (cut) when PROJ does not read it. */
void fpi_crs_describe(const char *def, char *out, size_t size);

#endif
