/* Choropleth classification: quantile, equal interval, Jenks (Fisher's
 * exact natural breaks) and manual breaks, and the colours of the classes. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fp_style.h"
#include "style/palettes.h"
#include "common/numfmt.h"

const char *fp_class_method_name(fp_class_method m)
{
    switch (m) {
    case FP_CLASS_QUANTILE: return "quantile";
    case FP_CLASS_EQUAL: return "equal";
    case FP_CLASS_JENKS: return "jenks";
    case FP_CLASS_MANUAL: return "manual";
    }
    return "?";
}

static int is_nodata(double v, int zero_is_nodata)
{
    return !isfinite(v) || (zero_is_nodata && v == 0.0);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantiles of type 1 (the inverse of the empirical distribution): the upper
 * bound of class i is the last value of the i-th of k equal-count groups, so
 * with the lower-exclusive classes each group is one class. A bound equal to
 * the previous one (ties) would make an empty class and is dropped; the
 * first bound may equal the minimum (class [min, min] holds the minimum).
 * Returns the number of classes. */
static int quantile_breaks(const double *v, size_t m, int k, double *b)
{
    int nb = 0;
    b[nb++] = v[0];
    for (int i = 1; i < k; i++) {
        size_t pos = ((size_t)i * m + (size_t)k - 1) / (size_t)k;   /* ceil(i*m/k) >= 1 */
        double x = v[pos - 1];
        if ((nb == 1 || x > b[nb - 1]) && x < v[m - 1]) b[nb++] = x;
    }
    b[nb++] = v[m - 1];   /* > b[nb-2] unless all values are equal: then [v, v] */
    return nb - 1;
}

static void equal_breaks(double lo, double hi, int k, double *b)
{
    b[0] = lo;
    for (int i = 1; i < k; i++) b[i] = lo + (hi - lo) * i / k;
    b[k] = hi;   /* exactly, whatever the rounding */
}

/* Fisher's exact optimal partition of sorted data into k contiguous groups
 * minimising the within-group sum of squared deviations (what Jenks' natural
 * breaks approximate). Works on the distinct values with their counts: an
 * optimal partition never needs to split equal values, since each value
 * belongs to the group with the nearest mean. The dynamic programme
 *   D[c][j] = min over i of D[c-1][i-1] + ssd(i..j)
 * is solved by divide and conquer on j, the optimal i being monotone in j
 * for this cost (as in Ckmeans.1d.dp): O(k d log d) instead of O(k d^2). */
typedef struct jenks_ctx {
    const double *w, *s, *ss;   /* prefix sums of count, count*x, count*x^2 (n+1 each) */
    const double *prev;         /* D[c-1][.] */
    double *cur;                /* D[c][.] */
    int *arg;                   /* argmin i for D[c][j] */
} jenks_ctx;

static double ssd(const jenks_ctx *J, int i, int j)   /* distinct values i..j inclusive */
{
    double w = J->w[j + 1] - J->w[i], s = J->s[j + 1] - J->s[i], ss = J->ss[j + 1] - J->ss[i];
    double d = ss - s * s / w;
    return d > 0 ? d : 0;
}

static void jenks_fill(jenks_ctx *J, int jlo, int jhi, int ilo, int ihi)
{
    while (jlo <= jhi) {
        int j = jlo + (jhi - jlo) / 2;
        int best_i = ilo, top = ihi < j ? ihi : j;
        double best = INFINITY;
        for (int i = ilo; i <= top; i++) {
            double c = J->prev[i - 1] + ssd(J, i, j);
            if (c < best) { best = c; best_i = i; }
        }
        J->cur[j] = best;
        J->arg[j] = best_i;
        /* Left half recursively, right half by iteration. */
        jenks_fill(J, jlo, j - 1, ilo, best_i);
        jlo = j + 1;
        ilo = best_i;
    }
}

/* x: d distinct sorted values with counts w. Writes k+1 breaks; returns 0,
 * -1 out of memory. */
static int jenks_breaks(const double *x, const double *cnt, int d, int k, double *b)
{
    size_t dn = (size_t)d;
    double *w = malloc((dn + 1) * sizeof *w), *s = malloc((dn + 1) * sizeof *s), *ss = malloc((dn + 1) * sizeof *ss);
    double *rows = malloc(2 * dn * sizeof *rows);
    int *arg = malloc((size_t)k * dn * sizeof *arg);
    int rc = -1;
    if (!w || !s || !ss || !rows || !arg) goto out;
    /* Centre on the weighted mean: the sums of squares then lose far less
     * to cancellation. */
    double tw = 0, tx = 0;
    for (int i = 0; i < d; i++) { tw += cnt[i]; tx += cnt[i] * x[i]; }
    double mean = tx / tw;
    w[0] = s[0] = ss[0] = 0;
    for (int i = 0; i < d; i++) {
        double y = x[i] - mean;
        w[i + 1] = w[i] + cnt[i];
        s[i + 1] = s[i] + cnt[i] * y;
        ss[i + 1] = ss[i] + cnt[i] * y * y;
    }
    jenks_ctx J = { w, s, ss, NULL, NULL, NULL };
    double *prev = rows, *cur = rows + dn;
    for (int j = 0; j < d; j++) { prev[j] = ssd(&J, 0, j); arg[j] = 0; }
    for (int c = 1; c < k; c++) {
        for (int j = 0; j < c; j++) { cur[j] = INFINITY; arg[(size_t)c * dn + (size_t)j] = j; }
        J.prev = prev;
        J.cur = cur;
        J.arg = arg + (size_t)c * dn;
        jenks_fill(&J, c, d - 1, c, d - 1);
        double *t = prev; prev = cur; cur = t;
    }
    /* Walk back: group c spans distinct values arg[c][j]..j. */
    b[0] = x[0];
    b[k] = x[d - 1];
    int j = d - 1;
    for (int c = k - 1; c > 0; c--) {
        int i = arg[(size_t)c * dn + (size_t)j];
        b[c] = x[i - 1];
        j = i - 1;
    }
    rc = 0;
out:
    free(w); free(s); free(ss); free(rows); free(arg);
    return rc;
}

/* Colours for k classes; fewer than the scheme's minimum take the first and
 * last (or the last) of its smallest palette. */
static int class_colors(const char *scheme, int k, fp_rgba *out)
{
    const fp_scheme *s = fpi_scheme_find(scheme);
    if (!s || k > s->max) return -1;
    if (k >= s->min) return fp_palette(scheme, k, out);
    fp_rgba small[16];
    if (fp_palette(scheme, s->min, small) < 0) return -1;
    if (k == 1) out[0] = small[s->min - 1];
    else if (k == 2) { out[0] = small[0]; out[1] = small[s->min - 1]; }
    return 0;
}

fp_status fp_classify(const fp_choropleth_spec *spec, const double *values, size_t n, fp_classes *out,
                      fp_error *err)
{
    memset(out, 0, sizeof *out);
    if (!spec) return fp_error_set(err, FP_ERR_USAGE, "classify: no choropleth specification");
    out->nodata = spec->nodata;
    out->zero_is_nodata = spec->zero_is_nodata;
    const char *scheme = spec->scheme ? spec->scheme : "YlOrRd";
    const fp_scheme *sch = fpi_scheme_find(scheme);
    if (!sch) return fp_error_set(err, FP_ERR_USAGE, "classify: unknown ColorBrewer scheme \"%s\"", scheme);

    int k = spec->classes;
    if (spec->method == FP_CLASS_MANUAL) {
        if (!spec->breaks || spec->nbreaks < FP_CLASSES_MIN + 1 || spec->nbreaks > FP_CLASSES_MAX + 1)
            return fp_error_set(err, FP_ERR_USAGE, "classify: manual classification needs %d to %d breaks, not %d",
                                FP_CLASSES_MIN + 1, FP_CLASSES_MAX + 1, spec->breaks ? spec->nbreaks : 0);
        for (int i = 0; i < spec->nbreaks; i++) {
            if (!isfinite(spec->breaks[i]))
                return fp_error_set(err, FP_ERR_USAGE, "classify: manual break %d is not a finite number", i + 1);
            if (i > 0 && !(spec->breaks[i] > spec->breaks[i - 1]))
                return fp_error_set(err, FP_ERR_USAGE, "classify: manual breaks must increase strictly (%g then %g)",
                                    spec->breaks[i - 1], spec->breaks[i]);
        }
        k = spec->nbreaks - 1;
    } else if (spec->method != FP_CLASS_QUANTILE && spec->method != FP_CLASS_EQUAL && spec->method != FP_CLASS_JENKS) {
        return fp_error_set(err, FP_ERR_USAGE, "classify: unknown classification method %d", (int)spec->method);
    }
    if (k < FP_CLASSES_MIN || k > FP_CLASSES_MAX)
        return fp_error_set(err, FP_ERR_USAGE, "classify: %d classes (must be %d to %d)", k, FP_CLASSES_MIN,
                            FP_CLASSES_MAX);
    if (k > sch->max)
        return fp_error_set(err, FP_ERR_USAGE, "classify: scheme %s has at most %d colours, not %d", sch->name,
                            sch->max, k);

    /* The values with data, sorted. */
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return fp_error_set(err, FP_ERR_NOMEM, "classify: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_nodata(values[i], spec->zero_is_nodata)) v[m++] = values[i];
    out->nodata_count = (long)(n - m);
    out->whole_values = 1;
    for (size_t i = 0; i < m && out->whole_values; i++) out->whole_values = v[i] == floor(v[i]) && fabs(v[i]) < 9e15;
    if (m == 0) {
        free(v);
        return FP_OK;
    }
    qsort(v, m, sizeof *v, compare_double);
    size_t d = 1;
    for (size_t i = 1; i < m; i++) d += v[i] != v[i - 1];
    /* Equal intervals and Jenks make at most one class per distinct value.
     * Quantiles keep the k asked for: the bounds are the values at the
     * positions ceil(i*m/k) of k groups (ties merged there), and k cut to
     * the distinct count moved those positions (1 x9, 2 x2, 3 x2 in 5
     * classes gave bounds 1, 3 instead of 1, 2, 3). */
    if ((spec->method == FP_CLASS_EQUAL || spec->method == FP_CLASS_JENKS) && (size_t)k > d) k = (int)d;

    fp_status st = FP_ERR_NOMEM;
    out->breaks = malloc((size_t)(k + 1) * sizeof *out->breaks);
    if (!out->breaks) goto fail;
    int nc = k;
    switch (spec->method) {
    case FP_CLASS_QUANTILE:
        nc = quantile_breaks(v, m, k, out->breaks);
        break;
    case FP_CLASS_EQUAL:
        equal_breaks(v[0], v[m - 1], k, out->breaks);
        break;
    case FP_CLASS_JENKS: {
        double *x = malloc(d * sizeof *x), *cnt = malloc(d * sizeof *cnt);
        int rc = -1;
        if (x && cnt) {
            size_t j = 0;
            for (size_t i = 0; i < m; i++) {
                if (i == 0 || v[i] != v[i - 1]) { x[j] = v[i]; cnt[j++] = 0; }
                cnt[j - 1] += 1;
            }
            rc = jenks_breaks(x, cnt, (int)d, k, out->breaks);
        }
        free(x);
        free(cnt);
        if (rc < 0) goto fail;
        break;
    }
    case FP_CLASS_MANUAL:
        memcpy(out->breaks, spec->breaks, (size_t)(k + 1) * sizeof *out->breaks);
        /* Widen the outer bounds so that every value has a class. */
        if (v[0] < out->breaks[0]) out->breaks[0] = v[0];
        if (v[m - 1] > out->breaks[k]) out->breaks[k] = v[m - 1];
        break;
    }
    out->n = nc;
    out->colors = malloc((size_t)nc * sizeof *out->colors);
    out->counts = calloc((size_t)nc, sizeof *out->counts);
    if (!out->colors || !out->counts) goto fail;
    if (class_colors(scheme, nc, out->colors) < 0) {
        st = fp_error_set(err, FP_ERR_USAGE, "classify: scheme %s has no palette of %d colours", sch->name, nc);
        goto fail_set;
    }
    for (size_t i = 0; i < m; i++) out->counts[fp_classes_index(out, v[i])]++;
    free(v);
    return FP_OK;
fail:
    fp_error_set(err, FP_ERR_NOMEM, "classify: out of memory");
fail_set:
    free(v);
    fp_classes_clear(out);
    return st;
}

int fp_classes_index(const fp_classes *c, double v)
{
    if (!c || c->n <= 0 || is_nodata(v, c->zero_is_nodata)) return -1;
    /* The first class whose upper bound is >= v. */
    int lo = 0, hi = c->n - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v <= c->breaks[mid + 1]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

void fp_classes_clear(fp_classes *c)
{
    if (!c) return;
    free(c->breaks);
    free(c->colors);
    free(c->counts);
    memset(c, 0, sizeof *c);
}

void fp_classes_label(const fp_classes *c, int i, char *out, size_t size)
{
    int integral = 1;
    double largest = 0;
    for (int k = 0; k <= c->n; k++) {
        integral &= fabs(c->breaks[k] - round(c->breaks[k])) < 1e-9;
        largest = fmax(largest, fabs(c->breaks[k]));
    }
    /* Digits grouped in threes once a bound has five (1114184007 read as
     * 1,114,184,007), and then in every label of the legend alike; a
     * legend of smaller numbers keeps them plain, so a legend of years
     * reads 2008 - 2015, not 2,008 - 2,015 (SI leaves four digits whole). */
    int group = largest >= 9999.5;
    char a[32], b[32];
    /* Whole values in class i: from the first above its lower bound (from
     * the bound itself for the first class, which includes it). */
    double lo = i > 0 ? floor(c->breaks[i]) + 1 : ceil(c->breaks[i]), hi = floor(c->breaks[i + 1]);
    if (c->whole_values && !integral && lo <= hi && fabs(hi) < 1e12) {
        fpi_format_legend_number(lo, group, a, sizeof a);
        fpi_format_legend_number(hi, group, b, sizeof b);
    } else {
        fpi_format_legend_number(c->breaks[i] + (integral && i > 0 ? 1 : 0), group, a, sizeof a);
        fpi_format_legend_number(c->breaks[i + 1], group, b, sizeof b);
    }
    if (!strcmp(a, b)) snprintf(out, size, "%s", a);
    else snprintf(out, size, "%s \xe2\x80\x93 %s", a, b);
}
