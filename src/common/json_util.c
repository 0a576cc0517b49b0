/* JSON text whose numbers keep the input's digits: jansson writes every
 * real with one precision, 17 significant digits by default, so a value
 * read as 0.1 would be stored and exported as 0.10000000000000001. The
 * precision is chosen per call: the fewest of 15..17 digits that read back
 * as the same double for every real in the value (17 always does), so a
 * row mixing 0.1 with a 17-digit real writes both in 17. */
#include <stdio.h>
#include <stdlib.h>
#include "common/json_util.h"

int fpi_real_digits(double v)
{
    char buf[40];
    for (int p = 15; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return p;
    }
    return 17;
}

static int max_digits(const json_t *v)
{
    int best = 0, d;
    const char *key;
    json_t *item;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_REAL: return fpi_real_digits(json_real_value(v));
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, key, item) if ((d = max_digits(item)) > best) best = d;
        return best;
    case JSON_ARRAY:
        json_array_foreach(v, i, item) if ((d = max_digits(item)) > best) best = d;
        return best;
    default: return 0;
    }
}

char *fpi_json_dumps(const json_t *value, size_t flags)
{
    int digits = max_digits(value);
    return json_dumps(value, flags | JSON_REAL_PRECISION(digits ? digits : 17));
}
