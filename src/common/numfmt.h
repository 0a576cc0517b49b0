/* Number formatting for the writers that print millions of numbers (the
 * GeoJSON export), byte for byte as printf would, without printf's cost in
 * the common cases. */
#ifndef FP_NUMFMT_H
#define FP_NUMFMT_H

#include <stddef.h>

/* As snprintf(buf, 32, "%lld", v); returns the length. buf holds 21+ bytes. */
size_t fpi_format_int(long long v, char *buf);

/* As snprintf(buf, 40, "%.15g", v) for a finite v; returns the length.
 * buf holds 40+ bytes. */
size_t fpi_format_g15(double v, char *buf);

#endif
