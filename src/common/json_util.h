/* JSON text with reals in as few digits as give the same double back. */
#ifndef FP_JSON_UTIL_H
#define FP_JSON_UTIL_H

#include <jansson.h>

/* The digits (15..17 significant) that write v so it reads back the same. */
int fpi_real_digits(double v);

/* json_dumps with reals written in the fewest digits that read back the
 * same for every real in the value (jansson's default, 17, writes 0.1 as
 * 0.10000000000000001). Free with free(). */
char *fpi_json_dumps(const json_t *value, size_t flags);

#endif
