/* Number formatting without printf in the common cases (see numfmt.h).
 *
 * A double is written with the fewest of 15, 16 or 17 significant digits
 * that read back as the same double (%.15g when that is enough, as it is
 * for nearly all data; 17 always is).
 *
 * %.15g of a double that is a decimal with few places - an amount of 454.18,
 * a year of 2008 - is that decimal: v lies within half a unit in the last
 * place of q / 10^k, far inside the rounding of 15 significant digits, so
 * printf's digits are q's with the trailing zeros dropped. The fast path
 * takes v only when q / 10^k is exactly v in double arithmetic and q has at
 * most 15 digits, in the range where %g prints without an exponent
 * (1e-4 <= |v| < 1e15); anything else goes to snprintf.
 * tests/unit/test_numfmt.c compares both with snprintf on a million values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/numfmt.h"
#include "common/json_util.h"

size_t fpi_format_int(long long v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    size_t o = 0;
    if (v < 0) buf[o++] = '-';
    while (n) buf[o++] = tmp[--n];
    buf[o] = '\0';
    return o;
}

size_t fpi_format_real(double v, char *buf)
{
    static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
    double a = fabs(v);
    if (a >= 1e-4 && a < 1e15) {
        for (int k = 0; k <= 6; k++) {
            double scaled = a * p10[k];
            if (scaled >= 1e15) break;                  /* more than 15 digits */
            double q = nearbyint(scaled);
            if (q / p10[k] != a) continue;
            /* q / 10^k is v: q's digits, a point k places from the right. */
            unsigned long long u = (unsigned long long)q;
            char digits[24];
            size_t n = 0;
            do { digits[n++] = (char)('0' + u % 10); u /= 10; } while (u);
            /* Drop the fraction's trailing zeros (%g does). */
            int frac = k, skip = 0;
            while (frac > 0 && digits[skip] == '0') { skip++; frac--; }
            size_t o = 0;
            if (v < 0) buf[o++] = '-';
            size_t intdigits = n > (size_t)k ? n - (size_t)k : 0;
            if (intdigits == 0) buf[o++] = '0';
            for (size_t i = n; i > (size_t)k; i--) buf[o++] = digits[i - 1];
            if (frac > 0) {
                buf[o++] = '.';
                for (int i = k - 1; i >= skip; i--) buf[o++] = (size_t)i < n ? digits[i] : '0';
            }
            buf[o] = '\0';
            return o;
        }
    }
    /* The fewest of 15, 16 or 17 significant digits that read back as v:
     * 1234567.891234567 needs 16, and %.15g alone would change it. */
    int n = snprintf(buf, 40, "%.*g", fpi_real_digits(v), v);
    return n < 0 ? 0 : (size_t)n;
}

char *fpi_format_grouped(double v, char *out, size_t size)
{
    char digits[24];
    fpi_format_int((long long)llround(v), digits);
    const char *d = digits[0] == '-' ? digits + 1 : digits;
    size_t n = strlen(d), o = 0;
    char tmp[40];
    if (d != digits) tmp[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) tmp[o++] = ',';
        tmp[o++] = d[i];
    }
    tmp[o] = '\0';
    if (size) snprintf(out, size, "%s", tmp);
    return out;
}

void fpi_format_legend_number(double v, int group, char *out, size_t size)
{
    if ((fabs(v - round(v)) < 1e-9 || fabs(v) >= 100) && fabs(v) < 1e12) {
        if (group) fpi_format_grouped(v, out, size);
        else snprintf(out, size, "%.0f", v);
    } else {
        snprintf(out, size, "%.3g", v);
    }
}
