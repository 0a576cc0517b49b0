/* Number formatting for the writers that print millions of numbers (the
 * GeoJSON export), byte for byte as printf would, without printf's cost in
 * the common cases. */
#ifndef FP_NUMFMT_H
#define FP_NUMFMT_H

#include <stddef.h>

/* As snprintf(buf, 32, "%lld", v); returns the length. buf holds 21+ bytes. */
size_t fpi_format_int(long long v, char *buf);

/* A finite v as the first of snprintf's "%.15g", "%.16g", "%.17g" that
 * strtod reads back as v (so a stored double keeps its value in the
 * GeoJSON: 1234567.891234567 is not cut to 1234567.89123457); returns the
 * length. buf holds 40+ bytes. */
size_t fpi_format_real(double v, char *buf);

/* A whole number v (|v| < 1e15, rounded to the nearest) with its digits
 * grouped in threes by commas, "1,114,184,007": the legends' class
 * bounds (render, the tiles' preview, the QGIS styles' labels). Writes at
 * most size bytes; returns out. */
char *fpi_format_grouped(double v, char *out, size_t size);

/* A number of a legend (class bounds, the size scale): whole numbers, and
 * anything from 100 up, without decimals, grouped by commas when the
 * legend's numbers reach 10,000 (group); else three significant digits. */
void fpi_format_legend_number(double v, int group, char *out, size_t size);

#endif
