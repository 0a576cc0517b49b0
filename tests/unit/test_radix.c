/* fpi_radix_sort and fpi_double_order_key (src/common/util.c): the orders
 * checked against plain comparisons and qsort, not against themselves.
 * Also the arrays these sorts work on: fpi_big_reserve's growth. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "common/util.h"

static uint64_t next_random(uint64_t *s)
{
    /* xorshift64*: reproducible, no libc state */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Keys from a small range (many ties): sorted by key, ties in input order. */
static void test_sorts_stably(void **state)
{
    (void)state;
    const size_t n = 100000;
    fpi_keyed *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    uint64_t s = 42;
    size_t count[1000] = { 0 };
    for (size_t i = 0; i < n; i++) {
        uint64_t k = next_random(&s) % 1000;
        /* High bytes set too, the same in every key: skipped passes. */
        a[i] = (fpi_keyed){ k | 0x7700000000000000ull, i };
        count[k]++;
    }
    fpi_radix_sort(a, n, tmp);
    for (size_t i = 1; i < n; i++) {
        assert_true(a[i - 1].key <= a[i].key);
        if (a[i - 1].key == a[i].key) assert_true(a[i - 1].val < a[i].val);
    }
    size_t seen[1000] = { 0 };
    for (size_t i = 0; i < n; i++) seen[a[i].key & 0xFFFF]++;
    assert_memory_equal(seen, count, sizeof count);
    /* One item and none: nothing to do, nothing read. */
    fpi_keyed one = { 5, 9 };
    fpi_radix_sort(&one, 1, tmp);
    assert_int_equal(one.key, 5);
    fpi_radix_sort(NULL, 0, tmp);
    free(a);
    free(tmp);
}

static int compare_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* Words as the R*Tree bulk load packs them (a 32-bit key over a 32-bit
 * position): the order qsort gives, which is by key, then position. */
static void test_sorts_words(void **state)
{
    (void)state;
    const size_t n = 100000;
    uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *tmp = malloc(n * sizeof *tmp);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) a[i] = b[i] = (next_random(&s) % 5000 | 0x80000000ull) << 32 | i;
    fpi_radix_sort_u64(a, n, tmp);
    qsort(b, n, sizeof *b, compare_u64);
    assert_memory_equal(a, b, n * sizeof *a);
    uint64_t one = 3;
    fpi_radix_sort_u64(&one, 1, tmp);
    assert_int_equal(one, 3);
    free(a);
    free(b);
    free(tmp);
}

static void test_double_order(void **state)
{
    (void)state;
    const double v[] = { -INFINITY, -1e308, -2.5, -1.0, -1e-300, -4.9e-324, -0.0, 0.0, 4.9e-324, 1e-300, 0.1,
                         1.0, 36.82, 1e15, 1e308, INFINITY };
    const size_t n = sizeof v / sizeof v[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            uint64_t a = fpi_double_order_key(v[i]), b = fpi_double_order_key(v[j]);
            assert_int_equal(v[i] < v[j], a < b);
            assert_int_equal(v[i] == v[j], a == b);   /* -0 and +0 equal, as == says */
        }
}

typedef struct rec { int group; double lat; long long id; } rec;

static int by_group_lat_id(const void *pa, const void *pb)
{
    const rec *a = pa, *b = pb;
    if (a->group != b->group) return a->group < b->group ? -1 : 1;
    if (a->lat != b->lat) return a->lat < b->lat ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Several keys by passes, least significant first, as the QA's duplicate
 * sweep sorts: the order qsort gives with the comparison. */
static void test_several_keys(void **state)
{
    (void)state;
    const size_t n = 50000;
    rec *r = malloc(n * sizeof *r), *want = malloc(n * sizeof *want);
    fpi_keyed *k = malloc(n * sizeof *k), *tmp = malloc(n * sizeof *tmp);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) {
        r[i].group = (int)(next_random(&s) % 40) - 1;                      /* -1: none */
        r[i].lat = (double)(int64_t)(next_random(&s) % 2000 - 1000) / 8;  /* ties, negatives */
        r[i].id = (long long)(next_random(&s) % 1000000) - 500000;        /* unordered, signed */
        r[i].id = r[i].id * 100000 + (long long)i;                        /* unique */
    }
    memcpy(want, r, n * sizeof *r);
    qsort(want, n, sizeof *want, by_group_lat_id);
    for (size_t i = 0; i < n; i++) k[i] = (fpi_keyed){ (uint64_t)r[i].id ^ 0x8000000000000000ull, i };
    fpi_radix_sort(k, n, tmp);
    for (size_t i = 0; i < n; i++) k[i].key = fpi_double_order_key(r[k[i].val].lat);
    fpi_radix_sort(k, n, tmp);
    for (size_t i = 0; i < n; i++) k[i].key = (uint64_t)((int64_t)r[k[i].val].group + 1);
    fpi_radix_sort(k, n, tmp);
    for (size_t i = 0; i < n; i++) assert_int_equal(r[k[i].val].id, want[i].id);
    free(r);
    free(want);
    free(k);
    free(tmp);
}

/* Grown one item at a time past FPI_HUGE_PAGE (where it moves to a huge-page
 * block and copies): every value kept, capacity doubling from 4096; an
 * impossible size fails and leaves the array as it was. */
static void test_big_reserve(void **state)
{
    (void)state;
    uint64_t *a = NULL;
    size_t cap = 0, n = 0, moves = 0;
    const size_t total = 3 * FPI_HUGE_PAGE / sizeof *a + 17;
    for (size_t i = 0; i < total; i++) {
        uint64_t *grown = fpi_big_reserve(a, &cap, n, n + 1, sizeof *a);
        assert_non_null(grown);
        if (grown != a) moves++;
        a = grown;
        assert_true(cap >= n + 1);
        a[n++] = i * 2654435761u;
    }
    for (size_t i = 0; i < total; i++) assert_true(a[i] == i * 2654435761u);
    /* 4096 .. 1M items: 4096 * 2^k >= total, one allocation per doubling */
    size_t want_cap = 4096;
    while (want_cap < total) want_cap *= 2;
    assert_int_equal(cap, want_cap);
    assert_true(moves >= 1);
    assert_ptr_equal(fpi_big_reserve(a, &cap, n, n, sizeof *a), a);   /* room already */
    assert_int_equal(cap, want_cap);
    uint64_t *kept = a;
    assert_null(fpi_big_reserve(a, &cap, n, SIZE_MAX / 4, sizeof *a));
    assert_ptr_equal(a, kept);
    assert_int_equal(cap, want_cap);
    assert_true(a[total - 1] == (total - 1) * 2654435761u);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorts_stably),
        cmocka_unit_test(test_sorts_words),
        cmocka_unit_test(test_double_order),
        cmocka_unit_test(test_several_keys),
        cmocka_unit_test(test_big_reserve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
