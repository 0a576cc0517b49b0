/*
 * Likely duplicates: the same project entered twice with slightly different
 * coordinates or spelling. Two rules, each reporting the later row (by id)
 * against the earlier one, at most one duplicate finding per row:
 *   - same dataset, company and category (both given), both points given as
 *     input, within FP_QA_DUPLICATE_M metres (geodesic); rows of a company
 *     with no category on either (a list without that column) only at the
 *     same point, within FP_QA_SAME_POINT_M: a company's sites a few hundred
 *     metres apart are not duplicates, the same row entered twice is;
 *   - same dataset and declared country, same name after folding (case,
 *     accents, punctuation, compatibility forms, invisible characters:
 *     fp_fold_text, as geocode matches names, and the letters its fuzzy key
 *     writes out, fpi_fold_letters: "Łódź" and "Lodz").
 * And a third, reported as a possible duplicate (a row without a duplicate
 * finding): same dataset, company and category, geocoded to the same town
 * (geocode_ref, precision city), other names: "Kiev" and "Kyiv", which
 * geocode places at one town, are most likely one project.
 * Sorting and a sweep over latitude keep 1M rows at O(n log n); the third
 * rule sorts only the rows placed at a town.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fp_aggregate.h"
#include "common/util.h"
#include "qa/qa_internal.h"
#include "geom/geom.h"

/* The key of a row's field for fpi_radix_sort, in the field's order. */
enum sort_field { BY_ID, BY_LAT, BY_DATASET, BY_COMPANY, BY_CATEGORY, BY_COUNTRY, BY_NAME, BY_REF };

static uint64_t field_key(const qa_row *r, enum sort_field f)
{
    switch (f) {
    case BY_ID: return (uint64_t)r->id ^ 0x8000000000000000ull;
    case BY_LAT: return fpi_double_order_key(r->y);
    case BY_DATASET: return (uint64_t)(int64_t)r->dataset ^ 0x8000000000000000ull;       /* -1 (none) first */
    case BY_COMPANY: return (uint64_t)(int64_t)r->company ^ 0x8000000000000000ull;
    case BY_CATEGORY: return (uint64_t)(int64_t)r->category ^ 0x8000000000000000ull;
    case BY_COUNTRY: return (uint64_t)(int64_t)r->country ^ 0x8000000000000000ull;
    case BY_NAME: return (uint64_t)(int64_t)r->name ^ 0x8000000000000000ull;
    case BY_REF: return (uint64_t)(int64_t)r->ref ^ 0x8000000000000000ull;
    }
    return 0;
}

/* The order of rows[0..n) by fields (least significant first), then id,
 * into k[i].val: stable radix passes over (key, row index) pairs; the rows
 * themselves stay where they are, the sweeps read them through the order.
 * It is the order qsort gave with the comparison of the fields, at a
 * fraction of its time (a 1M-point check: 2.05 -> 1.6 s), for 32 bytes a
 * row while it runs. tmp holds n items. */
static void sort_order(const qa_row *rows, size_t n, const enum sort_field *fields, int nfields, fpi_keyed *k,
                       fpi_keyed *tmp)
{
    for (size_t i = 0; i < n; i++) k[i] = (fpi_keyed){ field_key(&rows[i], BY_ID), i };
    fpi_radix_sort(k, n, tmp);
    for (int f = 0; f < nfields; f++) {
        for (size_t i = 0; i < n; i++) k[i].key = field_key(&rows[k[i].val], fields[f]);
        fpi_radix_sort(k, n, tmp);
    }
}

/* The same orders as comparisons, for qsort when memory is short. */
static int cmp_int(int a, int b) { return (a > b) - (a < b); }

static int by_group_lat(const void *pa, const void *pb)
{
    const qa_row *a = pa, *b = pb;
    int c;
    if ((c = cmp_int(a->dataset, b->dataset)) || (c = cmp_int(a->company, b->company)) ||
        (c = cmp_int(a->category, b->category)))
        return c;
    if (a->y != b->y) return a->y < b->y ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static int by_name(const void *pa, const void *pb)
{
    const qa_row *a = pa, *b = pb;
    int c;
    if ((c = cmp_int(a->dataset, b->dataset)) || (c = cmp_int(a->country, b->country)) || (c = cmp_int(a->name, b->name)))
        return c;
    return (a->id > b->id) - (a->id < b->id);
}

/* Great-circle distance in metres on the mean sphere: within 0.6 % of the
 * geodesic on WGS 84 (the sphere's worst case), a tenth of the exact
 * calculation's cost. Pairs it puts more than 10 % beyond the duplicate
 * distance cannot be duplicates and skip the exact one: in a sweep over a
 * million points most pairs in the latitude window are far apart in
 * longitude (0.95 s of geodesics before). */
static double sphere_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = M_PI / 180;
    double dphi = (lat2 - lat1) * r, dlam = (lon2 - lon1) * r;
    double h = sin(dphi / 2) * sin(dphi / 2) + cos(lat1 * r) * cos(lat2 * r) * sin(dlam / 2) * sin(dlam / 2);
    return 2 * 6371008.8 * asin(sqrt(h < 1 ? h : 1));
}

static void add(GArray *findings, const qa_strings *s, qa_row *later, const qa_row *earlier, char *evidence)
{
    char *ref = fpi_qa_row_ref(s, earlier);
    qa_finding f = { .kind = FP_QA_DUPLICATE, .id = later->id, .other_id = earlier->id,
                     .dataset = fpi_qa_string(s, later->dataset), .row_ref = fpi_qa_row_ref(s, later),
                     .lon = later->x, .lat = later->y };
    f.evidence = g_strdup_printf("%s as %s (id %lld)", evidence, ref, earlier->id);
    f.suggestion = g_strdup_printf("remove or merge one of the two rows (%s is the earlier)", ref);
    g_array_append_val(findings, f);
    later->dup = 1;
    g_free(ref);
    g_free(evidence);
}

/* The possible duplicates: rows of one dataset, company and category placed
 * at the same town (ref) under other names, each reported against the
 * group's first row (by id) unless it has a duplicate finding already. Only
 * the rows with a ref are sorted (geocoded rows; none in a list of
 * coordinates). Out of memory for their order: none reported. */
static void possible_duplicates(qa_row *rows, size_t n, const qa_strings *s, GArray *findings)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += rows[i].ref >= 0;
    if (m < 2 || m > UINT32_MAX) return;
    fpi_keyed *k = malloc(m * sizeof *k), *tmp = malloc(m * sizeof *tmp);
    if (!k || !tmp) { free(k); free(tmp); return; }
    static const enum sort_field fields[] = { BY_ID, BY_REF, BY_CATEGORY, BY_COMPANY, BY_DATASET };
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].ref >= 0) k[m++] = (fpi_keyed){ 0, i };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        for (size_t i = 0; i < m; i++) k[i].key = field_key(&rows[k[i].val], fields[f]);
        fpi_radix_sort(k, m, tmp);
    }
    for (size_t i = 0; i < m;) {
        qa_row *first = &rows[k[i].val];
        size_t j = i + 1;
        while (j < m && rows[k[j].val].ref == first->ref && rows[k[j].val].dataset == first->dataset &&
               rows[k[j].val].company == first->company && rows[k[j].val].category == first->category)
            j++;
        for (size_t x = i + 1; x < j; x++) {
            qa_row *later = &rows[k[x].val];
            /* Two names that differ: rows without a name (a list of company,
             * category and town) are not told apart by it. */
            if (later->dup || later->name < 0 || first->name < 0 || later->name == first->name ||
                !*fpi_qa_string(s, later->name) || !*fpi_qa_string(s, first->name))
                continue;
            char *ref = fpi_qa_row_ref(s, first);
            qa_finding f = { .kind = FP_QA_POSSIBLE_DUPLICATE, .id = later->id, .other_id = first->id,
                             .dataset = fpi_qa_string(s, later->dataset), .row_ref = fpi_qa_row_ref(s, later),
                             .lon = later->x, .lat = later->y };
            f.evidence = g_strdup_printf("same company (%s), category (%s) and dataset, geocoded to the same town (%s) "
                                         "as %s (id %lld), under another name (\"%s\", \"%s\" after folding)",
                                         fpi_qa_string(s, first->company), fpi_qa_string(s, first->category),
                                         fpi_qa_string(s, first->ref), ref, first->id, fpi_qa_string(s, later->name),
                                         fpi_qa_string(s, first->name));
            f.suggestion = g_strdup_printf("if it is one project, remove or merge one of the two rows (%s is the earlier)",
                                           ref);
            g_array_append_val(findings, f);
            later->dup = 1;
            g_free(ref);
        }
        i = j;
    }
    free(k);
    free(tmp);
}

/* A row in the sweep's order, 16 bytes, read in sequence: the sweep over a
 * million rows read each candidate through the order into the 64-byte rows
 * (a cache miss apiece), and at 10M points a latitude window holds ten
 * times the candidates. The floats only rule pairs out, with margins
 * (below); every pair they keep is decided on the rows' doubles as before. */
typedef struct sweep_item {
    float x, y;
    uint32_t row;
    uint32_t group;        /* run of equal dataset, company, category; SWEEP_INPUT: a point given as input */
} sweep_item;
_Static_assert(sizeof(sweep_item) == sizeof(fpi_keyed), "a sweep item fills a sort slot");
#define SWEEP_INPUT 0x80000000u
#define SWEEP_NO_GROUP 0x7FFFFFFFu   /* company missing: no pair */

/* The rows in the order k (by group, then latitude) as sweep items, in
 * items (n of them: the sort's spare buffer). */
static void sweep_items(const qa_row *rows, size_t n, const fpi_keyed *k, sweep_item *items)
{
    uint32_t group = 0;
    for (size_t i = 0; i < n; i++) {
        const qa_row *r = &rows[k[i].val];
        if (i > 0) {
            const qa_row *p = &rows[k[i - 1].val];
            if (p->dataset != r->dataset || p->company != r->company || p->category != r->category) group++;
        }
        uint32_t g = r->company < 0 ? SWEEP_NO_GROUP : group;
        items[i] = (sweep_item){ (float)r->x, (float)r->y, (uint32_t)k[i].val, g | (r->input_point ? SWEEP_INPUT : 0) };
    }
}

void fpi_qa_find_duplicates(qa_row *rows, size_t n, const qa_strings *s, GArray *findings)
{
    /* 1 degree of latitude is at least 110.57 km: a sweep window in degrees
     * that cannot miss a pair within the distance. */
    const double window = FP_QA_DUPLICATE_M / 110000.0;
    if (n < 2) return;   /* (qsort of no rows: a NULL pointer, undefined for qsort) */
    fpi_keyed *k = n <= UINT32_MAX ? fpi_big_alloc(n * sizeof *k) : NULL, *tmp = k ? fpi_big_alloc(n * sizeof *tmp) : NULL;
    /* Out of memory for the order: the rows sorted in place by qsort. */
    if (!k || !tmp) { free(k); free(tmp); k = tmp = NULL; }
#define ROW(i) (k ? &rows[k[i].val] : &rows[i])
    static const enum sort_field group_lat[] = { BY_LAT, BY_CATEGORY, BY_COMPANY, BY_DATASET };
    if (k) {
        sort_order(rows, n, group_lat, 4, k, tmp);
        sweep_items(rows, n, k, (sweep_item *)(void *)tmp);
    } else {
        qsort(rows, n, sizeof *rows, by_group_lat);
    }
    const sweep_item *items = k ? (const sweep_item *)(void *)tmp : NULL;
    /* The float window: wider than the double one by more than a float's
     * rounding of a latitude (6e-6 degrees at 90). */
    const float window_f = (float)(window + 1e-4);
    /* A pair is ruled out on the floats when the haversine term of the
     * longitudes alone already puts it beyond 1.2 times the distance (the
     * sphere test below drops pairs beyond 1.1 times): h >= cos(lat a)
     * cos(lat b) sin^2(dlon / 2) >= cos(lat a) cos(|lat a| + window)
     * (x - x^3 / 6)^2 with x = dlon / 2 (sin x >= x - x^3 / 6 > 0 for x in
     * (0, pi / 2]), dlon taken the short way round, in radians. */
    const double rad = M_PI / 180;
    const double h_far = pow(sin(1.2 * FP_QA_DUPLICATE_M / (2 * 6371008.8)), 2);
    for (size_t i = 0; i < n; i++) {
        double cos_ab = 0;
        if (items) {
            const sweep_item *ia = &items[i];
            if (!(ia->group & SWEEP_INPUT) || (ia->group & ~SWEEP_INPUT) == SWEEP_NO_GROUP) continue;
            double lat = fabs((double)ia->y) + window + 1e-4;
            cos_ab = lat < 90 ? cos((double)ia->y * rad) * cos(lat * rad) : 0;
        }
        qa_row *a = ROW(i);                    /* after the items' test: a row read only when it can pair */
        if (!a->input_point || a->company < 0) continue;
        /* No category (the group's rows all lack it): the same point only. */
        double within = a->category < 0 ? FP_QA_SAME_POINT_M : FP_QA_DUPLICATE_M;
        for (size_t j = i + 1; j < n; j++) {
            if (items) {
                const sweep_item *ia = &items[i], *ib = &items[j];
                if ((ib->group & ~SWEEP_INPUT) != (ia->group & ~SWEEP_INPUT)) break;
                if (ib->y - ia->y > window_f) break;
                if (!(ib->group & SWEEP_INPUT)) continue;
                double dlon = fabs((double)ib->x - (double)ia->x);
                if (dlon > 180) dlon = 360 - dlon;
                double half = dlon * rad / 2, low = half * (1 - half * half / 6);   /* <= sin(half) */
                if (cos_ab * low * low > h_far) continue;
            }
            qa_row *b = ROW(j);
            if (b->dataset != a->dataset || b->company != a->company || b->category != a->category) break;
            if (b->y - a->y > window) break;
            if (!b->input_point) continue;
            if (sphere_m(a->x, a->y, b->x, b->y) > 1.1 * within + 1) continue;
            double m = fpi_geodesic_distance_m(a->x, a->y, b->x, b->y);
            if (m > within) continue;
            qa_row *later = a->id > b->id ? a : b, *earlier = later == a ? b : a;
            if (later->dup) continue;
            add(findings, s, later, earlier,
                a->category < 0
                    ? g_strdup_printf("same company (%s) and dataset, no category, at the same point (%.1f m apart),",
                                      fpi_qa_string(s, a->company), m)
                    : g_strdup_printf("same company (%s), category (%s) and dataset, %.0f m apart,",
                                      fpi_qa_string(s, a->company), fpi_qa_string(s, a->category), m));
        }
    }
    static const enum sort_field name[] = { BY_NAME, BY_COUNTRY, BY_DATASET };
    if (k) sort_order(rows, n, name, 3, k, tmp);
    else qsort(rows, n, sizeof *rows, by_name);
    for (size_t i = 0; i < n;) {
        const qa_row *first = ROW(i);
        size_t j = i + 1;
        while (j < n && ROW(j)->dataset == first->dataset && ROW(j)->country == first->country &&
               ROW(j)->name == first->name)
            j++;
        if (first->name >= 0 && first->country >= 0)
            for (size_t m = i + 1; m < j; m++)
                if (!ROW(m)->dup)
                    add(findings, s, ROW(m), first,
                        g_strdup_printf("same name (\"%s\" after folding) in %s", fpi_qa_string(s, first->name),
                                        fpi_qa_string(s, first->country)));
        i = j;
    }
#undef ROW
    free(k);
    free(tmp);
    possible_duplicates(rows, n, s, findings);
}
