/* SQLite-based input files (GeoPackage, SpatiaLite) checked before GDAL
 * opens them: a virtual table reads whatever its module is told to, and
 * GDAL's and SpatiaLite's modules read other files and URLs
 * (VirtualOGR('/vsicurl/http://...'), VirtualText('/home/.../x.csv')). */
#ifndef FP_STORE_SOURCE_CHECK_H
#define FP_STORE_SOURCE_CHECK_H

#include <stddef.h>
#include "fp_error.h"

/* 0 when path is no SQLite file, or one whose virtual tables are only of
 * the modules that read the same database (R*Tree, SpatiaLite's index and
 * metadata tables, full-text search); else -1 and why[] says which table
 * and module. A file SQLite cannot read is left to GDAL (0). */
int fpi_sqlite_source_problem(const char *path, char *why, size_t size);

#endif
