/* Unit tests of the style stage: colours, ColorBrewer palettes (against
 * ColorBrewer's published values), classification (expectations worked out
 * by hand, and Jenks against brute force), style files and their errors, and
 * the QGIS QML documents (parsed with libxml2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "fp_style.h"
#include "style/style_internal.h"

/* ---- helpers ---- */

static fp_rgba hex(const char *s)
{
    fp_rgba c = { 1, 2, 3, 4 };
    assert_int_equal(fp_rgba_parse(s, &c), 0);
    return c;
}

static void assert_color(fp_rgba got, const char *want)
{
    char buf[10];
    fp_rgba_to_hex(got, buf);
    assert_string_equal(buf, want);
}

/* A file of the source tree: under $FP_ROOT (tests/run.sh sets it), else
 * next to the build's geodata/, else the current folder. */
static void root_path(const char *rel, char *out, size_t size)
{
    const char *root = getenv("FP_ROOT");
#ifdef FP_DATADIR
    if (!root || !*root) root = FP_DATADIR "/..";
#endif
    snprintf(out, size, "%s/%s", root && *root ? root : ".", rel);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static fp_choropleth_spec spec_of(fp_class_method method, int classes)
{
    fp_choropleth_spec s = { .field = "projects", .method = method, .classes = classes, .scheme = "YlOrRd",
                             .zero_is_nodata = 0, .nodata = { 0xdd, 0xdd, 0xdd, 255 } };
    return s;
}

static void assert_breaks(const fp_classes *c, const double *want, int n)
{
    assert_int_equal(c->n, n);
    for (int i = 0; i <= n; i++) {
        if (fabs(c->breaks[i] - want[i]) > 1e-12) fail_msg("break %d: got %.17g, want %.17g", i, c->breaks[i], want[i]);
    }
}

static void assert_counts(const fp_classes *c, const long *want)
{
    for (int i = 0; i < c->n; i++)
        if (c->counts[i] != want[i]) fail_msg("class %d: %ld values, want %ld", i, c->counts[i], want[i]);
}

/* ---- colours and palettes ---- */

static void test_rgba(void **state)
{
    (void)state;
    fp_rgba c;
    c = hex("#abc");
    assert_true(c.r == 0xaa && c.g == 0xbb && c.b == 0xcc && c.a == 255);
    c = hex("#FF8000");
    assert_true(c.r == 255 && c.g == 128 && c.b == 0 && c.a == 255);
    c = hex("#11223380");
    assert_true(c.r == 0x11 && c.g == 0x22 && c.b == 0x33 && c.a == 0x80);
    c = hex("none");
    assert_int_equal(c.a, 0);

    const char *bad[] = { "", "#", "#12", "#1234", "#12345", "#1234567", "#123456789", "#ggg", "red", "123456",
                          " #123456", "#123456 ", "#12345g" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fp_rgba keep = { 9, 9, 9, 9 };
        if (fp_rgba_parse(bad[i], &keep) != -1) fail_msg("\"%s\" accepted", bad[i]);
        assert_true(keep.r == 9 && keep.a == 9);   /* untouched */
    }
    assert_int_equal(fp_rgba_parse(NULL, &c), -1);

    assert_color((fp_rgba){ 0xbd, 0x00, 0x26, 255 }, "#bd0026");
    assert_color((fp_rgba){ 0x01, 0x02, 0x03, 0x7f }, "#0102037f");
    assert_color((fp_rgba){ 0, 0, 0, 0 }, "#00000000");
}

/* Expected colours as published on colorbrewer2.org. */
static void expect_palette(const char *scheme, int n, const char *const *want)
{
    fp_rgba got[16];
    assert_int_equal(fp_palette(scheme, n, got), 0);
    for (int i = 0; i < n; i++) assert_color(got[i], want[i]);
}

static void test_palettes(void **state)
{
    (void)state;
    expect_palette("YlOrRd", 5, (const char *const[]){ "#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026" });
    expect_palette("Set2", 3, (const char *const[]){ "#66c2a5", "#fc8d62", "#8da0cb" });
    expect_palette("YlOrRd", 3, (const char *const[]){ "#ffeda0", "#feb24c", "#f03b20" });
    expect_palette("Blues", 9, (const char *const[]){ "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
                                                       "#4292c6", "#2171b5", "#08519c", "#08306b" });
    expect_palette("RdBu", 3, (const char *const[]){ "#ef8a62", "#f7f7f7", "#67a9cf" });
    expect_palette("Set1", 9, (const char *const[]){ "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00",
                                                      "#ffff33", "#a65628", "#f781bf", "#999999" });
    expect_palette("ylorrd", 5, (const char *const[]){ "#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026" });

    fp_rgba out[16];
    assert_int_equal(fp_palette("RdBu", 11, out), 0);
    assert_color(out[0], "#67001f");
    assert_color(out[10], "#053061");
    assert_int_equal(fp_palette("Paired", 12, out), 0);
    assert_color(out[11], "#b15928");

    assert_int_equal(fp_palette("YlOrRed", 5, out), -1);
    assert_int_equal(fp_palette(NULL, 5, out), -1);
    assert_int_equal(fp_palette("YlOrRd", 2, out), -1);
    assert_int_equal(fp_palette("YlOrRd", 10, out), -1);
    assert_int_equal(fp_palette("Set2", 9, out), -1);
    assert_int_equal(fp_palette("RdBu", 12, out), -1);

    const char *name;
    fp_scheme_kind kind;
    int min, max;
    assert_int_equal(fp_palette_info("spectral", &name, &kind, &min, &max), 0);
    assert_string_equal(name, "Spectral");
    assert_int_equal(kind, FP_SCHEME_DIVERGING);
    assert_true(min == 3 && max == 11);
    assert_int_equal(fp_palette_info("Greens", NULL, &kind, NULL, &max), 0);
    assert_true(kind == FP_SCHEME_SEQUENTIAL && max == 9);
    assert_int_equal(fp_palette_info("Dark2", NULL, &kind, NULL, &max), 0);
    assert_true(kind == FP_SCHEME_QUALITATIVE && max == 8);
    assert_int_equal(fp_palette_info("nope", NULL, NULL, NULL, NULL), -1);
}

/* ---- classification ---- */

static void test_quantile(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_classes c;

    /* 1..10 in 5 classes: groups of two, upper bounds the 2nd, 4th, ...
     * values: {1,2} {3,4} {5,6} {7,8} {9,10}. NaN and 0 are no data. */
    fp_choropleth_spec s = spec_of(FP_CLASS_QUANTILE, 5);
    s.zero_is_nodata = 1;
    const double v1[] = { 7, 3, NAN, 10, 1, 9, 0, 2, 8, 5, 4, 6 };
    assert_int_equal(fp_classify(&s, v1, 12, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 1, 2, 4, 6, 8, 10 }, 5);
    assert_counts(&c, (const long[]){ 2, 2, 2, 2, 2 });
    assert_int_equal(c.nodata_count, 2);
    assert_int_equal(fp_classes_index(&c, 0), -1);
    assert_int_equal(fp_classes_index(&c, NAN), -1);
    assert_int_equal(fp_classes_index(&c, 1), 0);
    assert_int_equal(fp_classes_index(&c, 2), 0);
    assert_int_equal(fp_classes_index(&c, 2.5), 1);
    assert_int_equal(fp_classes_index(&c, 10), 4);
    assert_int_equal(fp_classes_index(&c, 99), 4);   /* clamped */
    assert_int_equal(fp_classes_index(&c, -5), 0);
    assert_color(c.colors[0], "#ffffb2");
    assert_color(c.colors[4], "#bd0026");
    assert_color(c.nodata, "#dddddd");
    fp_classes_clear(&c);
    assert_int_equal(c.n, 0);
    assert_null(c.breaks);

    /* 7 values in 3 classes: sorted {1,1,2,3,4,5,9}; the groups end at
     * positions ceil(7/3) = 3 and ceil(14/3) = 5: values 2 and 4. */
    s = spec_of(FP_CLASS_QUANTILE, 3);
    const double v2[] = { 3, 1, 4, 1, 5, 9, 2 };
    assert_int_equal(fp_classify(&s, v2, 7, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 1, 2, 4, 9 }, 3);
    assert_counts(&c, (const long[]){ 3, 2, 2 });
    fp_classes_clear(&c);

    /* Ties: eight 1s, a 2 and a 3 in 5 classes. Group ends at positions
     * 2, 4, 6, 8 are all 1: one class [1, 1] of the eight 1s, then (1, 3]. */
    s = spec_of(FP_CLASS_QUANTILE, 5);
    const double v3[] = { 1, 1, 3, 1, 1, 2, 1, 1, 1, 1 };
    assert_int_equal(fp_classify(&s, v3, 10, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 1, 1, 3 }, 2);
    assert_counts(&c, (const long[]){ 8, 2 });
    assert_color(c.colors[0], "#ffeda0");   /* 2 classes: first and last of YlOrRd 3 */
    assert_color(c.colors[1], "#f03b20");
    fp_classes_clear(&c);

    /* Fewer distinct values (3) than classes (5): the positions are still
     * those of 5 groups. 13 values, nine 1s, two 2s, two 3s: positions
     * ceil(13/5) = 3, ceil(26/5) = 6, ceil(39/5) = 8 hold 1, ceil(52/5) = 11
     * holds 2 (numpy.quantile(v, 0.8, method='inverted_cdf') = 2): bounds
     * 1, 2, 3, three classes [1, 1], (1, 2], (2, 3]. Cutting k to 3 first
     * gave positions 5 and 9, both 1: bounds 1, 3 and "2 - 3" in one class. */
    const double v4[] = { 1, 2, 1, 3, 1, 1, 2, 1, 1, 3, 1, 1, 1 };
    assert_int_equal(fp_classify(&s, v4, 13, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 1, 1, 2, 3 }, 3);
    assert_counts(&c, (const long[]){ 9, 2, 2 });
    fp_classes_clear(&c);
}

static void test_equal_interval(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_classes c;
    /* min 2, max 12, 5 classes: width (12 - 2) / 5 = 2. */
    fp_choropleth_spec s = spec_of(FP_CLASS_EQUAL, 5);
    const double v[] = { 2, 4, 10, 12, 7 };
    assert_int_equal(fp_classify(&s, v, 5, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 2, 4, 6, 8, 10, 12 }, 5);
    /* 2 and 4 in [2,4]; nothing in (4,6]; 7 in (6,8]; 10 in (8,10]; 12 last. */
    assert_counts(&c, (const long[]){ 2, 0, 1, 1, 1 });
    fp_classes_clear(&c);

    /* 0 is a value when zero_is_nodata is off: 0..3 in 3 classes of 1. */
    s = spec_of(FP_CLASS_EQUAL, 3);
    const double w[] = { 0, 3, 1, 2, INFINITY };
    assert_int_equal(fp_classify(&s, w, 5, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 0, 1, 2, 3 }, 3);
    assert_counts(&c, (const long[]){ 2, 1, 1 });
    assert_int_equal(c.nodata_count, 1);
    fp_classes_clear(&c);

    /* Two distinct values, 5 classes wanted: 2 classes. */
    s = spec_of(FP_CLASS_EQUAL, 5);
    const double x[] = { 5, 1, 5, 1 };
    assert_int_equal(fp_classify(&s, x, 4, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 1, 3, 5 }, 2);
    assert_counts(&c, (const long[]){ 2, 2 });
    fp_classes_clear(&c);

    /* Counts 1..727 in 5 classes: breaks 1, 146.2, 291.4, 436.6, 581.8, 727
     * (width 726 / 5 = 145.2). A count of 146 is in the second class
     * (146 > 146.2 is false: the first), so the labels name the whole
     * numbers each class holds: 1 - 146, 147 - 291, ... and no number is
     * in two labels (they read 1 - 146, 146 - 291 before). */
    const double counts[] = { 1, 146, 147, 291, 292, 727 };
    assert_int_equal(fp_classify(&s, counts, 6, &c, &err), FP_OK);
    assert_int_equal(c.n, 5);
    assert_true(c.whole_values);
    const char *want[] = { "1 \xe2\x80\x93 146", "147 \xe2\x80\x93 291", "292 \xe2\x80\x93 436",
                           "437 \xe2\x80\x93 581", "582 \xe2\x80\x93 727" };
    char label[64];
    for (int i = 0; i < 5; i++) {
        fp_classes_label(&c, i, label, sizeof label);
        assert_string_equal(label, want[i]);
    }
    assert_int_equal(fp_classes_index(&c, 146), 0);
    assert_int_equal(fp_classes_index(&c, 147), 1);
    fp_classes_clear(&c);

    /* Values that are not whole keep the breaks as they are. */
    const double reals[] = { 0.5, 2.75 };
    s = spec_of(FP_CLASS_EQUAL, 2);
    assert_int_equal(fp_classify(&s, reals, 2, &c, &err), FP_OK);
    assert_false(c.whole_values);
    fp_classes_label(&c, 1, label, sizeof label);
    assert_string_equal(label, "1.62 \xe2\x80\x93 2.75");
    fp_classes_clear(&c);
}

static double class_ssd(const fp_classes *c, const double *v, size_t n)
{
    double sum[16] = {0}, sq[16] = {0}, cnt[16] = {0};
    for (size_t i = 0; i < n; i++) {
        int k = fp_classes_index(c, v[i]);
        assert_true(k >= 0 && k < 16);
        sum[k] += v[i];
        sq[k] += v[i] * v[i];
        cnt[k] += 1;
    }
    double t = 0;
    for (int k = 0; k < c->n; k++)
        if (cnt[k] > 0) t += sq[k] - sum[k] * sum[k] / cnt[k];
    return t;
}

static void test_jenks_textbook(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_classes c;
    /* Three tight clusters. The partition {1,2,3} {10,11,12} {20,21,22} has a
     * within-class sum of squared deviations of 2 + 2 + 2 = 6. Any other
     * partition puts two values at least 7 apart in one class, and two values
     * a, b in a class alone contribute at least (a - b)^2 / 2 >= 24.5 > 6 to
     * its SSD. So the optimal breaks are 3 and 12. */
    fp_choropleth_spec s = spec_of(FP_CLASS_JENKS, 3);
    const double v[] = { 21, 1, 12, 2, 20, 3, 10, 22, 11 };
    assert_int_equal(fp_classify(&s, v, 9, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 1, 3, 12, 22 }, 3);
    assert_counts(&c, (const long[]){ 3, 3, 3 });
    assert_true(fabs(class_ssd(&c, v, 9) - 6) < 1e-9);
    fp_classes_clear(&c);

    /* Fewer distinct values than classes. */
    s = spec_of(FP_CLASS_JENKS, 5);
    const double w[] = { 4, 4, 9, 4 };
    assert_int_equal(fp_classify(&s, w, 4, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 4, 4, 9 }, 2);
    assert_counts(&c, (const long[]){ 3, 1 });
    fp_classes_clear(&c);

    /* One value: one class [v, v], the last colour of the 3-colour palette. */
    const double one[] = { 7, 7, NAN };
    assert_int_equal(fp_classify(&s, one, 3, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 7, 7 }, 1);
    assert_color(c.colors[0], "#f03b20");
    assert_int_equal(c.nodata_count, 1);
    fp_classes_clear(&c);

    /* No data at all. */
    const double none[] = { NAN, NAN };
    assert_int_equal(fp_classify(&s, none, 2, &c, &err), FP_OK);
    assert_int_equal(c.n, 0);
    assert_int_equal(c.nodata_count, 2);
    assert_int_equal(fp_classes_index(&c, 3), -1);
    fp_classes_clear(&c);
    assert_int_equal(fp_classify(&s, NULL, 0, &c, &err), FP_OK);
    assert_int_equal(c.n, 0);
    fp_classes_clear(&c);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Minimal SSD over every assignment of values to 3 non-empty classes
 * (3^n of them, order not assumed). */
static double brute_ssd3(const double *v, int n)
{
    double best = INFINITY;
    int total = 1;
    for (int i = 0; i < n; i++) total *= 3;
    for (int code = 0; code < total; code++) {
        double sum[3] = {0}, sq[3] = {0}, cnt[3] = {0};
        int c = code;
        for (int i = 0; i < n; i++, c /= 3) {
            sum[c % 3] += v[i];
            sq[c % 3] += v[i] * v[i];
            cnt[c % 3] += 1;
        }
        if (!cnt[0] || !cnt[1] || !cnt[2]) continue;
        double t = 0;
        for (int k = 0; k < 3; k++) t += sq[k] - sum[k] * sum[k] / cnt[k];
        if (t < best) best = t;
    }
    return best;
}

static void test_jenks_brute_force(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_choropleth_spec s = spec_of(FP_CLASS_JENKS, 3);
    int checked = 0;
    for (int trial = 0; trial < 300; trial++) {
        int n = 3 + (int)(next_rand() % 8);   /* 3..10 */
        double v[10];
        for (int i = 0; i < n; i++) v[i] = (double)(next_rand() % 25);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            int seen = 0;
            for (int j = 0; j < i; j++) seen |= v[j] == v[i];
            distinct += !seen;
        }
        if (distinct < 3) continue;
        fp_classes c;
        assert_int_equal(fp_classify(&s, v, (size_t)n, &c, &err), FP_OK);
        assert_int_equal(c.n, 3);
        long total = 0;
        for (int k = 0; k < 3; k++) {
            assert_true(c.counts[k] > 0);
            total += c.counts[k];
        }
        assert_int_equal(total, n);
        double got = class_ssd(&c, v, (size_t)n), want = brute_ssd3(v, n);
        if (fabs(got - want) > 1e-9) fail_msg("trial %d (n=%d): SSD %.12g, brute force %.12g", trial, n, got, want);
        fp_classes_clear(&c);
        checked++;
    }
    assert_true(checked > 200);
}

/* The plain O(k n^2) dynamic programme over sorted values. */
static double plain_dp_ssd(const double *sorted, int n, int k)
{
    double *D = malloc((size_t)(k * n) * sizeof *D);
    assert_non_null(D);
    for (int j = 0; j < n; j++) {
        double s = 0, q = 0;
        for (int i = 0; i <= j; i++) { s += sorted[i]; q += sorted[i] * sorted[i]; }
        D[j] = q - s * s / (j + 1);
    }
    for (int c = 1; c < k; c++)
        for (int j = 0; j < n; j++) {
            double best = INFINITY, s = 0, q = 0;
            for (int i = j; i >= c; i--) {   /* last class i..j */
                s += sorted[i];
                q += sorted[i] * sorted[i];
                double t = D[(c - 1) * n + i - 1] + q - s * s / (j - i + 1);
                if (t < best) best = t;
            }
            D[c * n + j] = best;
        }
    double r = D[(k - 1) * n + n - 1];
    free(D);
    return r;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_jenks_large(void **state)
{
    (void)state;
    fp_error err = {0};
    enum { N = 400 };
    double v[N], sorted[N];
    for (int trial = 0; trial < 6; trial++) {
        for (int i = 0; i < N; i++) {
            /* A skewed mix, like counts per region. */
            double u = (double)(next_rand() % 1000000) / 1e6;
            v[i] = trial % 2 ? floor(100 * u * u * u) : 1000 * u;
        }
        memcpy(sorted, v, sizeof v);
        qsort(sorted, N, sizeof sorted[0], cmp_d);
        for (int k = 2; k <= 9; k++) {
            fp_choropleth_spec s = spec_of(FP_CLASS_JENKS, k);
            fp_classes c;
            assert_int_equal(fp_classify(&s, v, N, &c, &err), FP_OK);
            assert_int_equal(c.n, k);
            double got = class_ssd(&c, v, N), want = plain_dp_ssd(sorted, N, k);
            if (fabs(got - want) > 1e-7 * (1 + want)) fail_msg("k=%d: SSD %.12g, plain DP %.12g", k, got, want);
            fp_classes_clear(&c);
        }
    }
}

static void test_manual(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_classes c;
    const double b[] = { 0, 5, 10, 50 };
    fp_choropleth_spec s = spec_of(FP_CLASS_MANUAL, 0);
    s.breaks = b;
    s.nbreaks = 4;
    /* -3 and 60 lie outside: the outer bounds widen to them. */
    const double v[] = { 1, 5, 6, 60, -3, NAN };
    assert_int_equal(fp_classify(&s, v, 6, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ -3, 5, 10, 60 }, 3);
    assert_counts(&c, (const long[]){ 3, 1, 1 });
    fp_classes_clear(&c);

    /* Manual classes stay even when empty. */
    const double w[] = { 1, 2 };
    assert_int_equal(fp_classify(&s, w, 2, &c, &err), FP_OK);
    assert_breaks(&c, (const double[]){ 0, 5, 10, 50 }, 3);
    assert_counts(&c, (const long[]){ 2, 0, 0 });
    fp_classes_clear(&c);

    const double bad[] = { 0, 10, 10 };
    s.breaks = bad;
    s.nbreaks = 3;
    assert_int_equal(fp_classify(&s, w, 2, &c, &err), FP_ERR_USAGE);
    assert_non_null(strstr(err.message, "increase"));
    assert_null(c.breaks);

    s = spec_of(FP_CLASS_QUANTILE, 10);
    assert_int_equal(fp_classify(&s, w, 2, &c, &err), FP_ERR_USAGE);
    s = spec_of(FP_CLASS_QUANTILE, 1);
    assert_int_equal(fp_classify(&s, w, 2, &c, &err), FP_ERR_USAGE);
    s = spec_of(FP_CLASS_QUANTILE, 5);
    s.scheme = "Nope";
    assert_int_equal(fp_classify(&s, w, 2, &c, &err), FP_ERR_USAGE);
    assert_non_null(strstr(err.message, "Nope"));
}

/* ---- style files ---- */

static void test_default_style(void **state)
{
    (void)state;
    char path[4096];
    root_path("styles/world-choropleth.json", path, sizeof path);
    char *text = slurp(path);
    /* The built-in default is the shipped file, verbatim. */
    assert_string_equal(fpi_style_default_json, text);
    free(text);

    fp_error err = {0};
    fp_style *s;
    assert_int_equal(fp_style_load(NULL, &s, &err), FP_OK);
    assert_string_equal(fp_style_name(s), "world-choropleth");
    assert_string_equal(fp_style_origin(s), "built-in style");
    const fp_choropleth_spec *ch = fp_style_choropleth(s);
    assert_non_null(ch);
    assert_string_equal(ch->aggregation, "country_by_category");
    assert_string_equal(ch->level, "country");
    assert_string_equal(ch->field, "projects");
    assert_int_equal(ch->method, FP_CLASS_QUANTILE);
    assert_int_equal(ch->classes, 5);
    assert_string_equal(ch->scheme, "YlOrRd");
    assert_true(ch->zero_is_nodata);
    assert_color(ch->nodata, "#dddddd");
    const fp_map_style *m = fp_style_map(s);
    assert_string_equal(m->view.projection, "equal-earth");
    assert_false(m->view.has_bbox);
    assert_true(m->graticule.enabled);
    assert_true(m->title.text != NULL);
    assert_string_equal(fp_style_category_field(s), "category");
    fp_style_free(s);
}

static void test_shipped_styles(void **state)
{
    (void)state;
    char path[4096];
    fp_error err = {0};
    fp_style *s;

    root_path("styles/africa.json", path, sizeof path);
    assert_int_equal(fp_style_load(path, &s, &err), FP_OK);
    const fp_map_style *m = fp_style_map(s);
    assert_true(m->view.has_bbox);
    assert_true(m->view.bbox[0] == -20 && m->view.bbox[1] == -36 && m->view.bbox[2] == 55 && m->view.bbox[3] == 38);
    assert_int_equal(fp_style_choropleth(s)->classes, 5);
    fp_style_free(s);

    root_path("styles/category-points.json", path, sizeof path);
    assert_int_equal(fp_style_load(path, &s, &err), FP_OK);
    assert_null(fp_style_choropleth(s));
    const char *const want[] = { "5g", "smart_city", "surveillance", "data_centre", "rd_lab", "university",
                                 "cable", "landing_station", "telecom", "cloud", "training", "other" };
    const char *const *names;
    assert_int_equal(fp_style_categories(s, &names), 12);
    for (int i = 0; i < 12; i++) {
        assert_string_equal(names[i], want[i]);
        assert_int_equal(fp_style_category_color(s, want[i]).a, 255);
    }
    assert_color(fp_style_category_color(s, "5g"), "#e41a1c");
    assert_color(fp_style_category_color(s, "other"), "#999999");
    assert_int_equal(fp_style_category_shape(s, "data_centre"), FP_SHAPE_SQUARE);
    assert_int_equal(fp_style_category_shape(s, "5g"), FP_SHAPE_CIRCLE);
    assert_int_equal(fp_style_category_shape(s, "unknown"), FP_SHAPE_CIRCLE);
    /* A category the style does not know: a Set2 colour, the same each time. */
    fp_rgba set2[8];
    assert_int_equal(fp_palette("Set2", 8, set2), 0);
    fp_rgba a = fp_style_category_color(s, "port"), b = fp_style_category_color(s, "port");
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &set2[fpi_style_hash("port") % 8], sizeof a);
    fp_style_free(s);

    /* Without explicit colours: by position in the list. */
    const char *json = "{\"points\": {\"scheme\": \"Set1\", \"categories\": [\"b\", \"a\"], \"shapes\": {\"c\": \"diamond\"}}}";
    assert_int_equal(fp_style_parse(json, "t.json", &s, &err), FP_OK);
    assert_string_equal(fp_style_name(s), "t");
    assert_color(fp_style_category_color(s, "b"), "#e41a1c");
    assert_color(fp_style_category_color(s, "a"), "#377eb8");
    assert_color(fp_style_category_color(s, "c"), "#4daf4a");
    assert_int_equal(fp_style_category_shape(s, "c"), FP_SHAPE_DIAMOND);
    fp_style_free(s);

    /* An empty style: every default. */
    assert_int_equal(fp_style_parse("{}", "styles/empty.json", &s, &err), FP_OK);
    assert_string_equal(fp_style_name(s), "empty");
    assert_null(fp_style_choropleth(s));
    assert_string_equal(fp_style_map(s)->points.scheme, "Set2");
    assert_true(fp_style_map(s)->points.size == 4);
    assert_string_equal(fp_style_map(s)->legend_position, "bottom-left");
    fp_style_free(s);

    /* Manual breaks. */
    json = "{\"choropleth\": {\"method\": \"manual\", \"breaks\": [1, 5, 20, 100], \"scheme\": \"blues\"}}";
    assert_int_equal(fp_style_parse(json, "m.json", &s, &err), FP_OK);
    const fp_choropleth_spec *ch = fp_style_choropleth(s);
    assert_int_equal(ch->method, FP_CLASS_MANUAL);
    assert_int_equal(ch->classes, 3);
    assert_int_equal(ch->nbreaks, 4);
    assert_true(ch->breaks[3] == 100);
    assert_string_equal(ch->scheme, "Blues");
    fp_style_free(s);
}

static void expect_error(const char *json, const char *const *parts)
{
    fp_error err = {0};
    fp_style *s = (fp_style *)1;
    fp_status st = fp_style_parse(json, "t.json", &s, &err);
    if (st == FP_OK) fail_msg("accepted: %s", json);
    assert_null(s);
    assert_int_equal(st, FP_ERR_INPUT);
    if (strncmp(err.message, "t.json", 6) != 0) fail_msg("message does not name the file: %s", err.message);
    for (int i = 0; parts[i]; i++)
        if (!strstr(err.message, parts[i])) fail_msg("\"%s\" not in: %s", parts[i], err.message);
}

#define ERR(json, ...) expect_error(json, (const char *const[]){ __VA_ARGS__, NULL })

static void test_style_errors(void **state)
{
    (void)state;
    /* Unknown keys, named by their path. */
    ERR("{\"choropleth\": {\"shceme\": \"YlOrRd\"}}", "choropleth.shceme", "unknown key", "did you mean \"scheme\"");
    ERR("{\"colour\": \"#fff\"}", "t.json: colour: unknown key");
    ERR("{\"points\": {\"colors\": {\"5g\": \"#fff\"}, \"sise\": 3}}", "points.sise");
    ERR("{\"view\": {\"zoom\": 3}}", "view.zoom");
    ERR("{\"labels\": {\"font\": \"x\", \"colour\": \"#000\"}}", "labels.colour", "did you mean \"color\"");
    /* Bad colours. */
    ERR("{\"background\": \"#ggg\"}", "t.json: background:", "not a colour");
    ERR("{\"land\": {\"fill\": \"red\"}}", "land.fill", "\"red\"");
    ERR("{\"borders\": {\"stroke\": 255}}", "borders.stroke", "colour");
    ERR("{\"points\": {\"colors\": {\"5g\": \"#12345\"}}}", "points.colors.5g", "not a colour");
    ERR("{\"choropleth\": {\"nodata\": \"\"}}", "choropleth.nodata");
    /* Classes and breaks. */
    ERR("{\"choropleth\": {\"classes\": 12}}", "choropleth.classes", "out of range");
    ERR("{\"choropleth\": {\"classes\": 1}}", "choropleth.classes", "out of range");
    ERR("{\"choropleth\": {\"classes\": 5.5}}", "choropleth.classes", "integer");
    ERR("{\"choropleth\": {\"method\": \"manual\", \"breaks\": [0, 10, 5]}}", "choropleth.breaks[2]", "increase strictly");
    ERR("{\"choropleth\": {\"method\": \"manual\", \"breaks\": [0, 10, 10]}}", "choropleth.breaks[2]", "increase strictly");
    ERR("{\"choropleth\": {\"method\": \"manual\", \"breaks\": [0, \"10\", 20]}}", "choropleth.breaks[1]", "number");
    ERR("{\"choropleth\": {\"method\": \"manual\", \"breaks\": [0, 10]}}", "choropleth.breaks", "3 to 10");
    ERR("{\"choropleth\": {\"method\": \"manual\"}}", "choropleth.breaks", "needs breaks");
    ERR("{\"choropleth\": {\"method\": \"manual\", \"breaks\": [0, 1, 2], \"classes\": 3}}", "choropleth.classes");
    ERR("{\"choropleth\": {\"breaks\": [0, 1, 2]}}", "choropleth.breaks", "only for method \"manual\"");
    ERR("{\"choropleth\": {\"method\": \"natural\"}}", "choropleth.method", "\"natural\"", "\"jenks\"");
    ERR("{\"choropleth\": {\"scheme\": \"YlOrRed\"}}", "choropleth.scheme", "not a ColorBrewer scheme", "did you mean \"YlOrRd\"");
    /* The nearest scheme in any case, among the kinds the key takes. */
    ERR("{\"choropleth\": {\"scheme\": \"Redz\"}}", "choropleth.scheme", "\"Redz\" is not a ColorBrewer scheme",
        "did you mean \"Reds\"", "diverging: BrBG");
    ERR("{\"choropleth\": {\"scheme\": \"ylorred\"}}", "did you mean \"YlOrRd\"");
    ERR("{\"choropleth\": {\"scheme\": \"Rainbow\"}}", "(sequential: Blues");
    ERR("{\"points\": {\"scheme\": \"Set22\"}}", "points.scheme", "not a qualitative ColorBrewer scheme",
        "did you mean \"Set2\"", "qualitative: Accent");
    ERR("{\"choropleth\": {\"scheme\": \"Set2\"}}", "choropleth.scheme", "qualitative");
    ERR("{\"choropleth\": {\"scheme\": \"RdBu\", \"classes\": 9, \"method\": \"jenks\"}, \"x\": 1}", "t.json: x:");
    ERR("{\"choropleth\": {\"zero_is_nodata\": 1}}", "choropleth.zero_is_nodata", "true or false");
    ERR("{\"choropleth\": {\"field\": \"projects count\"}}", "choropleth.field", "not a name");
    ERR("{\"choropleth\": []}", "choropleth", "must be an object");
    /* Points. */
    ERR("{\"points\": {\"shapes\": {\"5g\": \"star\"}}}", "points.shapes.5g", "circle");
    ERR("{\"points\": {\"scheme\": \"YlOrRd\"}}", "points.scheme", "not qualitative");
    ERR("{\"points\": {\"size\": 0}}", "points.size", "out of range");
    ERR("{\"points\": {\"categories\": [\"a\", \"b\", \"a\"]}}", "points.categories[2]", "twice");
    ERR("{\"points\": {\"categories\": \"a\"}}", "points.categories", "array");
    /* View. */
    ERR("{\"view\": {\"bbox\": [190, 0, 200, 5]}}", "view.bbox", "west 190");
    ERR("{\"view\": {\"bbox\": [10, 5, -10, 0]}}", "view.bbox", "south must be less than north");
    ERR("{\"view\": {\"bbox\": [10, 0, 10, 5]}}", "view.bbox", "the same");
    ERR("{\"view\": {\"bbox\": [0, 0, 10]}}", "view.bbox", "4 numbers");
    ERR("{\"view\": {\"bbox\": [0, 0, 10, 95]}}", "view.bbox", "outside");
    ERR("{\"view\": {\"bbox\": [0, 0, 10, 5], \"region\": \"Africa\"}}", "view", "not both");
    ERR("{\"view\": {\"projection\": \"lambert\"}}", "view.projection", "\"lambert\"");
    ERR("{\"view\": {\"projection\": \"EPSG:\"}}", "view.projection");
    ERR("{\"view\": {\"projection\": \"robinsn\"}}", "view.projection", "did you mean \"robinson\"", "mollweide, ");
    /* The rest. */
    ERR("{\"legend\": {\"position\": \"middle\"}}", "legend.position", "\"middle\"", "\"bottom-left\"");
    ERR("{\"graticule\": {\"step\": 0}}", "graticule.step", "out of range");
    ERR("{\"labels\": {\"max\": -1}}", "labels.max", "out of range");
    ERR("{\"title\": {\"subtitle\": \"x\"}}", "title.subtitle");
    ERR("{\"lines\": {\"width\": -1}}", "lines.width", "out of range");
    ERR("{\"name\": 3}", "t.json: name:", "string");
    ERR("{\"name\": \"\"}", "t.json: name:", "empty");
    ERR("{\"credits\": [\"a\"]}", "credits", "string");
    /* Not a style at all. */
    ERR("{\"name\": \"a\", \"name\": \"b\"}", "t.json:1:", "duplicate");
    ERR("{\"name\": \"a\",", "t.json:1:", "not valid JSON");
    ERR("[]", "t.json", "JSON object");
}

/* A box across the antimeridian: west > east (RFC 7946) or east past 180,
 * both read as west..east with east past 180. */
static void test_bbox_normalise(void **state)
{
    (void)state;
    char why[160];
    double a[4] = { 170, -25, -170, -10 };
    assert_int_equal(fp_bbox_normalise(a, why, sizeof why), 0);
    assert_true(a[0] == 170 && a[1] == -25 && a[2] == 190 && a[3] == -10);
    double b[4] = { 170, -25, 190, -10 };
    assert_int_equal(fp_bbox_normalise(b, why, sizeof why), 0);
    assert_true(b[2] == 190);
    double c[4] = { -20, -36, 55, 38 };            /* an ordinary box stays as it is */
    assert_int_equal(fp_bbox_normalise(c, why, sizeof why), 0);
    assert_true(c[0] == -20 && c[2] == 55);
    double d[4] = { 170, -25, 531, -10 };          /* past west + 360 */
    assert_int_equal(fp_bbox_normalise(d, why, sizeof why), -1);
    assert_non_null(strstr(why, "east 531"));
    double e[4] = { -181, -25, 10, -10 };
    assert_int_equal(fp_bbox_normalise(e, why, sizeof why), -1);
    assert_non_null(strstr(why, "west -181"));

    fp_style *s;
    fp_error err = {0};
    assert_int_equal(fp_style_parse("{\"view\": {\"bbox\": [177, -19.5, -178, -16]}}", "t.json", &s, &err), FP_OK);
    const fp_map_style *m = fp_style_map(s);
    assert_true(m->view.has_bbox && m->view.bbox[0] == 177 && m->view.bbox[2] == 182);
    fp_style_free(s);
}

/* One list of projection names for --proj and view.projection: every name
 * is a style's projection and has its PROJ definition, centred. */
static void test_projection_names(void **state)
{
    (void)state;
    const char *const *names = fp_projection_names();
    int n = 0;
    for (; names[n]; n++) {
        char json[128], def[256];
        snprintf(json, sizeof json, "{\"view\": {\"projection\": \"%s\"}}", names[n]);
        fp_style *s;
        fp_error err = {0};
        assert_int_equal(fp_style_parse(json, "t.json", &s, &err), FP_OK);
        assert_string_equal(fp_style_map(s)->view.projection, names[n]);
        fp_style_free(s);
        assert_int_equal(fp_projection_definition(names[n], 20, 10, def, sizeof def), 1);
    }
    assert_int_equal(n, 8);
    char def[256];
    fp_projection_definition("mollweide", 20, 10, def, sizeof def);
    assert_string_equal(def, "+proj=moll +lon_0=20 +datum=WGS84 +units=m +type=crs");
    fp_projection_definition("laea", 20, 10, def, sizeof def);
    assert_string_equal(def, "+proj=laea +lat_0=10 +lon_0=20 +datum=WGS84 +units=m +type=crs");
    fp_projection_definition("web-mercator", 20, 10, def, sizeof def);
    assert_string_equal(def, "EPSG:3857");
    assert_int_equal(fp_projection_definition("EPSG:3035", 20, 10, def, sizeof def), 0);
    assert_string_equal(def, "EPSG:3035");
    assert_true(fp_projection_is_mercator("mercator") && fp_projection_is_mercator("web-mercator"));
    assert_false(fp_projection_is_mercator("mollweide"));
    char hint[400];
    fp_projection_hint("molweide", hint, sizeof hint);
    assert_non_null(strstr(hint, "did you mean \"mollweide\"? names: equal-earth, robinson"));
    fp_projection_hint("xyzzy", hint, sizeof hint);
    assert_null(strstr(hint, "did you mean"));
    /* A PROJ string is a style's projection too (PROJ checks it at render time). */
    fp_style *s;
    fp_error err = {0};
    assert_int_equal(fp_style_parse("{\"view\": {\"projection\": \"+proj=ortho +lat_0=40 +lon_0=-100\"}}", "t.json", &s,
                                    &err), FP_OK);
    fp_style_free(s);
}

static void test_style_load_errors(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_style *s = (fp_style *)1;
    assert_int_equal(fp_style_load("/nonexistent/style.json", &s, &err), FP_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, "/nonexistent/style.json"));
    /* A bare name neither a file here nor shipped: a usage error listing
     * the shipped styles, the nearest first. */
    assert_int_equal(fp_style_load("world-choroplet", &s, &err), FP_ERR_USAGE);
    assert_null(s);
    assert_non_null(strstr(err.message, "style 'world-choroplet': no such file, nor a shipped style"));
    assert_non_null(strstr(err.message, "did you mean \"world-choropleth\"?"));
    assert_non_null(strstr(err.message, "shipped styles: africa, category-points, diff, world-choropleth"));
    assert_int_equal(fp_style_load("qqqqqq.json", &s, &err), FP_ERR_USAGE);
    assert_null(strstr(err.message, "did you mean"));

    char path[] = "/tmp/fp_test_styleXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\n  \"name\": \"x\",\n  \"choropleth\": { \"method\": \"jenks\", \"clases\": 4 }\n}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(fp_style_load(path, &s, &err), FP_ERR_INPUT);
    assert_null(s);
    assert_true(strncmp(err.message, path, strlen(path)) == 0);
    assert_non_null(strstr(err.message, "choropleth.clases"));
    assert_non_null(strstr(err.message, "did you mean \"classes\""));
    remove(path);
}

/* ---- QML ---- */

static xmlDocPtr parse_xml(const char *text)
{
    assert_non_null(text);
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "style.qml", NULL, XML_PARSE_NONET);
    if (!doc) fail_msg("not well-formed XML:\n%s", text);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "qgis");
    return doc;
}

static int xpath_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(r);
    int n = r->nodesetval ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return n;
}

/* The string value of the first node of expr, malloc'd. */
static char *xpath_text(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(r);
    if (!r->nodesetval || r->nodesetval->nodeNr == 0) fail_msg("no match: %s", expr);
    xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
    char *out = strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return out;
}

static void expect_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath_text(doc, expr);
    if (strcmp(got, want) != 0) fail_msg("%s: got \"%s\", want \"%s\"", expr, got, want);
    free(got);
}

/* The filter of rule i of a rule-based QML, evaluated the way QGIS does for
 * the simple forms footprint writes ("f" IS NULL, "f" = 0, "f" <> 0,
 * "f" > x, "f" <= x joined by one kind of AND / OR). -1 NULL. */
static int eval_filter(const char *filter, const char *field, double v, int is_null)
{
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", field);
    int is_or = strstr(filter, " OR ") != NULL;
    int result = is_or ? 0 : 1;
    const char *p = filter;
    while (*p) {
        assert_true(strncmp(p, quoted, strlen(quoted)) == 0);
        p += strlen(quoted) + 1;
        int t = 0;
        if (!strncmp(p, "IS NULL", 7)) { t = is_null; p += 7; }
        else if (!strncmp(p, "IS NOT NULL", 11)) { t = !is_null; p += 11; }
        else {
            char op[3] = { 0 };
            int n = 0;
            while (*p != ' ') op[n++] = *p++;
            char *end;
            double x = strtod(p + 1, &end);
            p = end;
            if (is_null) t = 0;
            else if (!strcmp(op, "=")) t = v == x;
            else if (!strcmp(op, "<>")) t = v != x;
            else if (!strcmp(op, ">")) t = v > x;
            else if (!strcmp(op, "<=")) t = v <= x;
            else fail_msg("operator %s", op);
        }
        result = is_or ? (result || t) : (result && t);
        if (!strncmp(p, " AND ", 5)) p += 5;
        else if (!strncmp(p, " OR ", 4)) p += 4;
    }
    return result;
}

static void test_qml_graduated(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_classes c;
    fp_choropleth_spec s = spec_of(FP_CLASS_QUANTILE, 5);
    s.zero_is_nodata = 1;
    /* The sample's shape: many 1s, then 2, 3, up to 9; zeros are no data. */
    const double v[] = { 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 5, 9 };
    assert_int_equal(fp_classify(&s, v, 16, &c, &err), FP_OK);
    assert_int_equal(c.n, 4);   /* bounds 1, 1, 2, 3, 9 */
    char *qml = fp_qml_graduated(&c, "projects", "polygon");
    assert_true(strncmp(qml, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>", 58) == 0);
    xmlDocPtr doc = parse_xml(qml);
    expect_xpath(doc, "/qgis/@version", "3.28");
    expect_xpath(doc, "/qgis/@styleCategories", "Symbology");
    expect_xpath(doc, "/qgis/renderer-v2/@type", "RuleRenderer");
    assert_int_equal(xpath_count(doc, "/qgis/renderer-v2/rules/rule"), 5);
    assert_int_equal(xpath_count(doc, "/qgis/renderer-v2/symbols/symbol[@type='fill']"), 5);
    /* The legend's labels, highest class first, then "none" (0 is no data). */
    const char *labels[] = { "4 \xe2\x80\x93 9", "3", "2", "1", "none" };
    /* YlOrRd 4: #ffffb2 #fecc5c #fd8d3c #e31a1c; no data #dddddd. */
    const char *colors[] = { "227,26,28,255", "253,141,60,255", "254,204,92,255", "255,255,178,255", "221,221,221,255" };
    char *filters[5];
    for (int i = 0; i < 5; i++) {
        char expr[160];
        snprintf(expr, sizeof expr, "//rules/rule[%d]/@label", i + 1);
        expect_xpath(doc, expr, labels[i]);
        snprintf(expr, sizeof expr, "//rules/rule[%d]/@filter", i + 1);
        filters[i] = xpath_text(doc, expr);
        snprintf(expr, sizeof expr, "//rules/rule[%d]/@symbol", i + 1);
        char *sym = xpath_text(doc, expr);
        snprintf(expr, sizeof expr, "//symbols/symbol[@name='%s']/layer/Option/Option[@name='color']/@value", sym);
        expect_xpath(doc, expr, colors[i]);
        free(sym);
    }
    /* Every value matches exactly the rule of its class (fp_classes_index),
     * NULL and 0 the no-data rule. */
    const double probe[] = { 0, 1, 1.5, 2, 2.5, 3, 4, 9, 12, -1 };
    for (size_t k = 0; k <= sizeof probe / sizeof probe[0]; k++) {
        int is_null = k == sizeof probe / sizeof probe[0];
        double x = is_null ? 0 : probe[k];
        int cls = is_null ? -1 : fp_classes_index(&c, x), want = cls < 0 ? 4 : 3 - cls, hits = 0;
        for (int i = 0; i < 5; i++) {
            int t = eval_filter(filters[i], "projects", x, is_null);
            if (t && i != want) fail_msg("value %g matches rule %d (%s), want %d", x, i, filters[i], want);
            hits += t;
        }
        assert_int_equal(hits, 1);
    }
    for (int i = 0; i < 5; i++) free(filters[i]);
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='outline_color']/@value", "255,255,255,255");
    xmlFreeDoc(doc);
    free(qml);

    /* Breaks that need 17 digits are written so that they read back exactly;
     * the field is quoted for QGIS expressions and escaped for XML. */
    double awkward[] = { 0.1, 0.2, 0.30000000000000004, 0.7, 1.0 / 3 };
    s = spec_of(FP_CLASS_JENKS, 3);
    fp_classes_clear(&c);
    assert_int_equal(fp_classify(&s, awkward, 5, &c, &err), FP_OK);
    fp_style *st;
    assert_int_equal(fp_style_parse("{\"borders\": {\"stroke\": \"#102030\", \"width\": 1.5}}", "b.json", &st, &err), FP_OK);
    qml = fp_qml_graduated_style(st, &c, "share & \"x\"", "polygon");
    doc = parse_xml(qml);
    char *f = xpath_text(doc, "//rules/rule[1]/@filter");
    assert_non_null(strstr(f, "\"share & \"\"x\"\"\" > "));
    free(f);
    expect_xpath(doc, "//rules/rule[last()]/@label", "no data");
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='outline_color']/@value", "16,32,48,255");
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='outline_width']/@value", "1.5");
    for (int i = 1; i < c.n; i++) {
        /* rule 1 is the last class: "> breaks[n-1]"; rule n-i+1 holds breaks[i] as its lower bound */
        char expr[64];
        snprintf(expr, sizeof expr, "//rules/rule[%d]/@filter", c.n - i);
        char *t = xpath_text(doc, expr);
        char *gt = strstr(t, " > ");
        assert_non_null(gt);
        assert_true(strtod(gt + 3, NULL) == c.breaks[i]);
        free(t);
    }
    xmlFreeDoc(doc);
    free(qml);

    /* Points: proportional markers, sized as render sizes them, big first. */
    qml = fp_qml_graduated(&c, "projects", "point");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='marker']/layer[@class='SimpleMarker']"), c.n + 1);
    assert_int_equal(xpath_count(doc, "//data_defined_properties//Option[@name='size']/Option[@name='active'][@value='true']"),
                     c.n);
    char *e = xpath_text(doc, "//symbol[@name='0']//Option[@name='size']/Option[@name='expression']/@value");
    assert_non_null(strstr(e, "max(2, 16 * sqrt(\"projects\""));
    free(e);
    expect_xpath(doc, "/qgis/renderer-v2/@enableorderby", "1");
    expect_xpath(doc, "//orderby/orderByClause/@asc", "0");
    expect_xpath(doc, "//orderby/orderByClause", "\"projects\"");
    xmlFreeDoc(doc);
    free(qml);
    assert_true(fp_symbol_size(4, 9, 9) == 16 && fp_symbol_size(4, 0, 9) == 2 && fp_symbol_size(4, 0.01, 9) == 2);
    qml = fp_qml_graduated(&c, "projects", "line");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='line']/layer[@class='SimpleLine']"), c.n + 1);
    xmlFreeDoc(doc);
    free(qml);
    assert_null(fp_qml_graduated(&c, "projects", "mixed"));
    assert_null(fp_qml_graduated(&c, "projects", NULL));
    fp_style_free(st);
    fp_classes_clear(&c);

    /* No classes at all: still a document, the no-data rule alone. */
    qml = fp_qml_graduated(&c, "projects", "polygon");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//rules/rule"), 1);
    xmlFreeDoc(doc);
    free(qml);
}

/* Categories get distinct colours: explicit ones kept, the others from the
 * scheme in category order (style list, then the data's, sorted), skipping
 * colours taken; more categories than the palette: other palettes. */
static void test_category_colors_distinct(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_style *s;
    char path[4096];
    root_path("styles/category-points.json", path, sizeof path);
    assert_int_equal(fp_style_load(path, &s, &err), FP_OK);
    const char *data[] = { "zzz", "5g", "aaa", NULL, "port", "aaa" };
    assert_int_equal(fp_style_set_categories(s, data, 6, &err), FP_OK);
    assert_color(fp_style_category_color(s, "5g"), "#e41a1c");             /* explicit */
    assert_color(fp_style_category_color(s, "landing_station"), "#66c2a5"); /* explicit = Set2's first */
    /* aaa, port, zzz: Set2 (#66c2a5 #fc8d62 #8da0cb #e78ac3 ...) without the taken #66c2a5 */
    assert_color(fp_style_category_color(s, "aaa"), "#fc8d62");
    assert_color(fp_style_category_color(s, "port"), "#8da0cb");
    assert_color(fp_style_category_color(s, "zzz"), "#e78ac3");
    fp_style_free(s);

    /* 15 categories and the default Set2 of 8: 15 colours, all different. */
    assert_int_equal(fp_style_parse("{}", "e.json", &s, &err), FP_OK);
    const char *many[15];
    char names[15][8];
    for (int i = 0; i < 15; i++) { snprintf(names[i], sizeof names[i], "k%02d", 14 - i); many[i] = names[i]; }
    assert_int_equal(fp_style_set_categories(s, many, 15, &err), FP_OK);
    assert_color(fp_style_category_color(s, "k00"), "#66c2a5");
    assert_color(fp_style_category_color(s, "k07"), "#b3b3b3");
    for (int i = 0; i < 15; i++)
        for (int j = 0; j < i; j++) {
            fp_rgba a = fp_style_category_color(s, many[i]), b = fp_style_category_color(s, many[j]);
            if (!memcmp(&a, &b, sizeof a)) fail_msg("%s and %s share a colour", many[i], many[j]);
        }
    /* 200: still distinct (past the ColorBrewer palettes, spread hues). */
    const char *lots[200];
    char lnames[200][8];
    for (int i = 0; i < 200; i++) { snprintf(lnames[i], sizeof lnames[i], "c%03d", i); lots[i] = lnames[i]; }
    assert_int_equal(fp_style_set_categories(s, lots, 200, &err), FP_OK);
    for (int i = 0; i < 200; i++)
        for (int j = 0; j < i; j++) {
            fp_rgba a = fp_style_category_color(s, lots[i]), b = fp_style_category_color(s, lots[j]);
            if (!memcmp(&a, &b, sizeof a)) fail_msg("%s and %s share a colour", lots[i], lots[j]);
        }
    fp_style_free(s);
}

static void test_qml_categorized(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_style *s;
    char path[4096];
    root_path("styles/category-points.json", path, sizeof path);
    assert_int_equal(fp_style_load(path, &s, &err), FP_OK);
    const char *values[] = { "5g", "data_centre", NULL, "a&b <c> \"d\" 'e'", "5g", "tab\there", "ctl\x01x",
                             "bad\xff" "byte", "S\xC3\xA3o Paulo" };
    char *qml = fp_qml_categorized(s, "category", values, sizeof values / sizeof values[0], "point");
    xmlDocPtr doc = parse_xml(qml);
    expect_xpath(doc, "/qgis/renderer-v2/@type", "categorizedSymbol");
    expect_xpath(doc, "/qgis/renderer-v2/@attr", "category");
    /* NULL and the repeated 5g are skipped. */
    assert_int_equal(xpath_count(doc, "//categories/category"), 7);
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='marker']"), 7);
    expect_xpath(doc, "//categories/category[1]/@value", "5g");
    expect_xpath(doc, "//categories/category[1]/@symbol", "0");
    expect_xpath(doc, "//categories/category[1]/@label", "5g");
    expect_xpath(doc, "//categories/category[1]/@render", "true");
    expect_xpath(doc, "//categories/category[3]/@value", "a&b <c> \"d\" 'e'");
    expect_xpath(doc, "//categories/category[4]/@value", "tab\there");
    expect_xpath(doc, "//categories/category[5]/@value", "ctl?x");
    expect_xpath(doc, "//categories/category[6]/@value", "bad?byte");
    expect_xpath(doc, "//categories/category[7]/@label", "S\xC3\xA3o Paulo");
    /* 5g #e41a1c; data_centre #ff7f00 as a square. */
    expect_xpath(doc, "//symbol[@name='0']/layer[@class='SimpleMarker']/Option/Option[@name='color']/@value",
                 "228,26,28,255");
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='name']/@value", "circle");
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='size']/@value", "4");
    expect_xpath(doc, "//symbol[@name='1']/layer/Option/Option[@name='color']/@value", "255,127,0,255");
    expect_xpath(doc, "//symbol[@name='1']/layer/Option/Option[@name='name']/@value", "square");
    expect_xpath(doc, "//symbol[@name='1']/layer/prop[@k='name']/@v", "square");
    xmlFreeDoc(doc);
    free(qml);

    /* The style's list first, in its order (the legend's), then the rest. */
    const char *sorted[] = { "", "5g", "cable", "other", "port", "smart_city" };
    qml = fp_qml_categorized(s, "category", sorted, 6, "point");
    doc = parse_xml(qml);
    const char *order[] = { "5g", "smart_city", "cable", "other", "", "port" };
    for (int i = 0; i < 6; i++) {
        char expr[64];
        snprintf(expr, sizeof expr, "//categories/category[%d]/@value", i + 1);
        expect_xpath(doc, expr, order[i]);
        snprintf(expr, sizeof expr, "//categories/category[%d]/@symbol", i + 1);
        char want[16];
        snprintf(want, sizeof want, "%d", i);
        expect_xpath(doc, expr, want);
    }
    xmlFreeDoc(doc);
    free(qml);

    const char *cables[] = { "cable", "other" };
    qml = fp_qml_categorized(s, "category", cables, 2, "line");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='line']/layer[@class='SimpleLine']"), 2);
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='line_color']/@value", "27,158,119,255");
    xmlFreeDoc(doc);
    free(qml);

    qml = fp_qml_categorized(s, "category", cables, 2, "polygon");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='fill']/layer[@class='SimpleFill']"), 2);
    /* Areas: the category's colour at 35 % (0.35 * 255 = 89), outlined in it. */
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='color']/@value", "27,158,119,89");
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='outline_color']/@value", "27,158,119,255");
    expect_xpath(doc, "//symbol[@name='0']/layer/Option/Option[@name='outline_style']/@value", "solid");
    xmlFreeDoc(doc);
    free(qml);

    /* One kind: that kind's categorized style; none seen: the markers. */
    qml = fp_qml_categorized_kinds(s, "category", cables, 2, FP_GEOMETRY_LINES);
    doc = parse_xml(qml);
    expect_xpath(doc, "//renderer-v2/@type", "categorizedSymbol");
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='line']"), 2);
    xmlFreeDoc(doc);
    free(qml);
    qml = fp_qml_categorized_kinds(s, "category", cables, 2, 0);
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//symbols/symbol[@type='marker']"), 2);
    xmlFreeDoc(doc);
    free(qml);
    /* Several kinds: a rule per kind on geometry_type, a rule per category
     * in it with a symbol of that kind; a quote and a backslash in a value
     * escaped for QGIS's expression, and no value matching NULL too. */
    const char *odd[] = { "cable", "it's a\\b", "" };
    qml = fp_qml_categorized_kinds(s, "category", odd, 3, FP_GEOMETRY_POINTS | FP_GEOMETRY_AREAS);
    doc = parse_xml(qml);
    expect_xpath(doc, "//renderer-v2/@type", "RuleRenderer");
    assert_int_equal(xpath_count(doc, "//rules/rule"), 2);
    expect_xpath(doc, "//rules/rule[1]/@filter", "geometry_type($geometry) = 'Point'");
    expect_xpath(doc, "//rules/rule[2]/@filter", "geometry_type($geometry) = 'Polygon'");
    assert_int_equal(xpath_count(doc, "//rules/rule/rule"), 6);
    expect_xpath(doc, "//rules/rule[2]/rule[1]/@filter", "\"category\" = 'cable'");
    expect_xpath(doc, "//rules/rule[2]/rule[2]/@filter", "\"category\" = 'it''s a\\\\b'");
    expect_xpath(doc, "//rules/rule[2]/rule[3]/@filter", "\"category\" IS NULL OR \"category\" = ''");
    expect_xpath(doc, "//rules/rule[2]/rule[3]/@label", "(no category)");
    expect_xpath(doc, "//rules/rule[2]/rule[1]/@symbol", "3");
    expect_xpath(doc, "//symbols/symbol[@name='2']/@type", "marker");
    expect_xpath(doc, "//symbols/symbol[@name='3']/@type", "fill");
    assert_int_equal(xpath_count(doc, "//symbols/symbol"), 6);
    xmlFreeDoc(doc);
    free(qml);

    /* No style: Set2 colours; no values: an empty renderer. */
    qml = fp_qml_categorized(NULL, "kind", cables, 2, "point");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//categories/category"), 2);
    xmlFreeDoc(doc);
    free(qml);
    qml = fp_qml_categorized(s, "category", NULL, 0, "point");
    doc = parse_xml(qml);
    assert_int_equal(xpath_count(doc, "//categories/category"), 0);
    xmlFreeDoc(doc);
    free(qml);
    assert_null(fp_qml_categorized(s, "category", cables, 2, "raster"));
    fp_style_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rgba),
        cmocka_unit_test(test_palettes),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_equal_interval),
        cmocka_unit_test(test_jenks_textbook),
        cmocka_unit_test(test_jenks_brute_force),
        cmocka_unit_test(test_jenks_large),
        cmocka_unit_test(test_manual),
        cmocka_unit_test(test_default_style),
        cmocka_unit_test(test_shipped_styles),
        cmocka_unit_test(test_style_errors),
        cmocka_unit_test(test_bbox_normalise),
        cmocka_unit_test(test_projection_names),
        cmocka_unit_test(test_style_load_errors),
        cmocka_unit_test(test_qml_graduated),
        cmocka_unit_test(test_category_colors_distinct),
        cmocka_unit_test(test_qml_categorized),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
