/* Internals of the diff stage (src/diff/ only). */
#ifndef FP_DIFF_INTERNAL_H
#define FP_DIFF_INTERNAL_H

#include "fp_diff.h"

/* Writes every change of r as CSV to path (GDAL's CSV driver, with a .csvt
 * declaring the numeric columns), under a temporary name renamed into
 * place. */
fp_status fpi_diff_write_report(const char *path, const fp_diff_result *r, fp_error *err);

#endif
