/* Unit tests of the in-memory gazetteer (src/geocode/gazetteer.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fp_geocode.h"

#define HEADER "id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\n"

/* Rows designed for the lookups below (coordinates are only fixture values). */
static const char fixture[] =
    HEADER
    "101\tValencia\tValencia\t\tES\t60\t-0.37739\t39.46975\t800000\n"
    "102\tValencia\tValencia\t\tVE\t07\t-68.00765\t10.16202\t1500000\n"
    "103\tS\xC3\xA3o Paulo\tSao Paulo\tSampa\tBR\t27\t-46.63611\t-23.5475\t12000000\n"
    "104\tMumbai\tMumbai\tBombay|Bombaim\tIN\t16\t72.88261\t19.07283\t12600000\n"
    "105\tSpringfield\tSpringfield\t\tUS\tIL\t-89.64371\t39.80172\t114000\n"
    "106\tSpringfield\tSpringfield\t\tUS\tMA\t-72.58981\t42.10148\t155000\n"
    "107\tLondon\tLondon\t\tGB\tENG\t-0.12574\t51.50853\t8900000\n"
    "108\tLondon\tLondon\t\tCA\t08\t-81.23304\t42.98339\t380000\n"
    "109\tK\xC3\xB6ln\tKoln\tCologne|K\xC3\xB6lle\tDE\t07\t6.95\t50.93333\t1000000\n"
    "111\tTwinville\tTwinville\t\tFR\t11\t2.5\t48.5\t5000\n"
    "110\tTwinville\tTwinville\t\tFR\t11\t3.5\t47.5\t5000\n"
    "\n"                                                     /* a blank line is skipped */
    "112\tParis\tParis\t\tFR\t11\t2.3488\t48.85341\t2100000\r\n"  /* CRLF tolerated */
    "113\tParis\tParis\t\tUS\tTX\t-95.55513\t33.66094\t210000\n"; /* exactly a tenth */

typedef struct fixture_state {
    char path[64];
    fp_gazetteer *gaz;
} fixture_state;

static void write_file(char *path_template, const char *text)
{
    int fd = mkstemp(path_template);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static int setup(void **state)
{
    fixture_state *fs = calloc(1, sizeof *fs);
    if (!fs) return -1;
    strcpy(fs->path, "/tmp/fp_test_gazXXXXXX");
    int fd = mkstemp(fs->path);
    if (fd < 0) { free(fs); return -1; }
    if (write(fd, fixture, sizeof fixture - 1) != (ssize_t)(sizeof fixture - 1)) { close(fd); free(fs); return -1; }
    close(fd);
    fp_error err = {0};
    if (fp_gazetteer_load(fs->path, &fs->gaz, &err) != FP_OK) {
        fprintf(stderr, "# load failed: %s\n", err.message);
        unlink(fs->path);
        free(fs);
        return -1;
    }
    *state = fs;
    return 0;
}

static int teardown(void **state)
{
    fixture_state *fs = *state;
    if (fs) {
        fp_gazetteer_free(fs->gaz);
        unlink(fs->path);
        free(fs);
    }
    return 0;
}

#define GAZ(state) (((fixture_state *)*(state))->gaz)

/* Exact double comparison with a readable message. */
#define ASSERT_DBL_EQ(a, b) do { double a_ = (a), b_ = (b); \
    if (a_ != b_) { print_error("%s = %.17g, expected %.17g\n", #a, a_, b_); fail(); } } while (0)

static void test_size(void **state)
{
    assert_int_equal(fp_gazetteer_size(GAZ(state)), 13);
    assert_int_equal(fp_gazetteer_size(NULL), 0);
}

static void test_exact(void **state)
{
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Mumbai", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(m.geonames_id, 104);
    ASSERT_DBL_EQ(m.lon, 72.88261);
    ASSERT_DBL_EQ(m.lat, 19.07283);
    assert_int_equal(m.population, 12600000);
    assert_string_equal(m.country, "IN");
    assert_int_equal(m.candidates, 1);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "S\xC3\xA3o Paulo", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(m.geonames_id, 103);
    ASSERT_DBL_EQ(m.lat, -23.5475);

    /* With the right country, and an empty country meaning none. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Mumbai", "IN", &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Mumbai", "", &m), 1);
    assert_int_equal(m.geonames_id, 104);
}

static void test_folded(void **state)
{
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "sao paulo", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_FOLDED);
    assert_int_equal(m.geonames_id, 103);
    assert_string_equal(m.country, "BR");

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "S\xC3\x83O PAULO", NULL, &m), 1);  /* SÃO PAULO */
    assert_int_equal(m.method, FP_MATCH_FOLDED);
    assert_int_equal(m.geonames_id, 103);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "SAO-PAULO", "BR", &m), 1);
    assert_int_equal(m.method, FP_MATCH_FOLDED);
    assert_int_equal(m.geonames_id, 103);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "koln", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_FOLDED);
    assert_int_equal(m.geonames_id, 109);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "  MUMBAI ", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_FOLDED);
    assert_int_equal(m.geonames_id, 104);
}

static void test_alternate(void **state)
{
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Bombay", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_ALTERNATE);
    assert_int_equal(m.geonames_id, 104);
    ASSERT_DBL_EQ(m.lon, 72.88261);
    assert_string_equal(m.country, "IN");

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "bombaim", NULL, &m), 1);   /* second of two */
    assert_int_equal(m.method, FP_MATCH_ALTERNATE);
    assert_int_equal(m.geonames_id, 104);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Cologne", "DE", &m), 1);
    assert_int_equal(m.method, FP_MATCH_ALTERNATE);
    assert_int_equal(m.geonames_id, 109);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "KOLLE", NULL, &m), 1);     /* folded alternate */
    assert_int_equal(m.method, FP_MATCH_ALTERNATE);
    assert_int_equal(m.geonames_id, 109);

    /* An alternate in another country does not match. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Bombay", "PK", &m), 0);
    assert_int_equal(m.method, FP_MATCH_NONE);
}

static void test_largest_population_in_country(void **state)
{
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Springfield", "US", &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(m.geonames_id, 106);
    assert_int_equal(m.population, 155000);
    ASSERT_DBL_EQ(m.lon, -72.58981);
    ASSERT_DBL_EQ(m.lat, 42.10148);
    assert_int_equal(m.candidates, 2);

    /* Same-country namesakes are not ambiguous without a country either. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Springfield", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(m.geonames_id, 106);
    assert_int_equal(m.candidates, 2);

    /* Equal populations: the smaller id wins, whatever the file order. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Twinville", "FR", &m), 1);
    assert_int_equal(m.geonames_id, 110);
    ASSERT_DBL_EQ(m.lon, 3.5);
    ASSERT_DBL_EQ(m.lat, 47.5);
}

static void test_country_filter(void **state)
{
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Valencia", "ES", &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(m.geonames_id, 101);
    ASSERT_DBL_EQ(m.lon, -0.37739);
    ASSERT_DBL_EQ(m.lat, 39.46975);
    assert_int_equal(m.population, 800000);
    assert_string_equal(m.country, "ES");
    assert_int_equal(m.candidates, 1);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "valencia", "VE", &m), 1);
    assert_int_equal(m.method, FP_MATCH_FOLDED);
    assert_int_equal(m.geonames_id, 102);
    ASSERT_DBL_EQ(m.lon, -68.00765);
    ASSERT_DBL_EQ(m.lat, 10.16202);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "London", "CA", &m), 1);
    assert_int_equal(m.geonames_id, 108);
    assert_int_equal(m.population, 380000);

    /* A country where the name does not exist. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Valencia", "FR", &m), 0);
    assert_int_equal(m.method, FP_MATCH_NONE);
}

static void test_ambiguous(void **state)
{
    fp_place_match m;
    /* ES 800,000 is more than a tenth of VE 1,500,000. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Valencia", NULL, &m), 0);
    assert_int_equal(m.method, FP_MATCH_AMBIGUOUS);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "VALENCIA", NULL, &m), 0);
    assert_int_equal(m.method, FP_MATCH_AMBIGUOUS);

    /* Paris US is exactly a tenth of Paris FR: "at least a tenth" is ambiguous. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Paris", NULL, &m), 0);
    assert_int_equal(m.method, FP_MATCH_AMBIGUOUS);
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Paris", "FR", &m), 1);
    assert_int_equal(m.geonames_id, 112);
    ASSERT_DBL_EQ(m.lat, 48.85341);
}

static void test_not_ambiguous_small_namesake(void **state)
{
    fp_place_match m;
    /* London CA 380,000 * 10 < London GB 8,900,000. */
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "London", NULL, &m), 1);
    assert_int_equal(m.method, FP_MATCH_EXACT);
    assert_int_equal(m.geonames_id, 107);
    assert_string_equal(m.country, "GB");
    ASSERT_DBL_EQ(m.lon, -0.12574);
    ASSERT_DBL_EQ(m.lat, 51.50853);
    assert_int_equal(m.population, 8900000);
}

static void test_not_found(void **state)
{
    fp_place_match m;
    memset(&m, 0x5a, sizeof m);
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Atlantis", NULL, &m), 0);
    assert_int_equal(m.method, FP_MATCH_NONE);
    assert_int_equal(m.geonames_id, 0);

    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "", NULL, &m), 0);
    assert_int_equal(m.method, FP_MATCH_NONE);
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), NULL, "ES", &m), 0);
    assert_int_equal(m.method, FP_MATCH_NONE);
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "---", NULL, &m), 0);    /* folds to "" */
    assert_int_equal(m.method, FP_MATCH_NONE);
    assert_int_equal(fp_gazetteer_lookup(GAZ(state), "Val\xE9ncia", NULL, &m), 0);  /* invalid UTF-8 */
    assert_int_equal(m.method, FP_MATCH_NONE);
}

/* Loads text that must fail; checks the code and that the message names the file and the snippets. */
static void expect_load_error(const char *text, fp_status code, const char *snippet)
{
    char path[] = "/tmp/fp_test_gazXXXXXX";
    write_file(path, text);
    fp_gazetteer *g = (fp_gazetteer *)1;
    fp_error err = {0};
    fp_status st = fp_gazetteer_load(path, &g, &err);
    if (st != code || !strstr(err.message, path) || (snippet && !strstr(err.message, snippet)))
        print_error("status %d, message '%s'\n", st, err.message);
    assert_int_equal(st, code);
    assert_int_equal(err.code, code);
    assert_null(g);
    assert_non_null(strstr(err.message, path));
    if (snippet) assert_non_null(strstr(err.message, snippet));
    unlink(path);
}

static void test_load_errors(void **state)
{
    (void)state;
    /* Comma-separated header. */
    expect_load_error("id,name,asciiname,altnames,country,admin1,lon,lat,population\n"
                      "1,X,X,,ES,,0,0,1\n", FP_ERR_INPUT, "line 1");
    /* A file that is not a gazetteer at all. */
    expect_load_error("hello\n", FP_ERR_INPUT, "line 1");
    /* Bad coordinates on line 3: not a number, out of range, trailing junk. */
    expect_load_error(HEADER "1\tA\tA\t\tES\t\t1.5\t2.5\t10\n"
                      "2\tB\tB\t\tES\t\tabc\t2.5\t10\n", FP_ERR_INPUT, "line 3");
    expect_load_error(HEADER "1\tA\tA\t\tES\t\t1.5\t2.5\t10\n"
                      "2\tB\tB\t\tES\t\t200\t2.5\t10\n", FP_ERR_INPUT, "line 3");
    expect_load_error(HEADER "1\tA\tA\t\tES\t\t1.5\t2.5\t10\n"
                      "2\tB\tB\t\tES\t\t1.5\t95\t10\n", FP_ERR_INPUT, "line 3");
    expect_load_error(HEADER "1\tA\tA\t\tES\t\t1.5\t2.5\t10\n"
                      "2\tB\tB\t\tES\t\t1.5x\t2.5\t10\n", FP_ERR_INPUT, "line 3");
    /* Too few fields on line 2. */
    expect_load_error(HEADER "1\tA\tA\tES\t1.5\t2.5\t10\n", FP_ERR_INPUT, "line 2");
    /* Invalid UTF-8 on line 2. */
    expect_load_error(HEADER "1\tVal\xE9ncia\tValencia\t\tES\t\t1.5\t2.5\t10\n", FP_ERR_INPUT, "line 2");
    /* Header only: no places. */
    expect_load_error(HEADER, FP_ERR_INPUT, NULL);

    /* A missing file. */
    fp_gazetteer *g = (fp_gazetteer *)1;
    fp_error err = {0};
    assert_int_equal(fp_gazetteer_load("/nonexistent/gaz.tsv", &g, &err), FP_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(err.message, "/nonexistent/gaz.tsv"));
}

static void test_load_small(void **state)
{
    (void)state;
    /* Extreme but valid coordinates and a missing trailing newline. */
    char path[] = "/tmp/fp_test_gazXXXXXX";
    write_file(path, HEADER "7\tEdge\tEdge\t\tFJ\t\t-180\t90\t0\n"
                            "8\tOther\tOther\t\tFJ\t\t180\t-90\t3");
    fp_gazetteer *g = NULL;
    fp_error err = {0};
    assert_int_equal(fp_gazetteer_load(path, &g, &err), FP_OK);
    assert_int_equal(fp_gazetteer_size(g), 2);
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(g, "Other", "FJ", &m), 1);
    assert_int_equal(m.geonames_id, 8);
    ASSERT_DBL_EQ(m.lon, 180);
    ASSERT_DBL_EQ(m.lat, -90);
    assert_int_equal(m.population, 3);
    assert_int_equal(fp_gazetteer_lookup(g, "Edge", NULL, &m), 1);
    assert_int_equal(m.geonames_id, 7);
    ASSERT_DBL_EQ(m.lon, -180);
    fp_gazetteer_free(g);
    fp_gazetteer_free(NULL);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_folded),
        cmocka_unit_test(test_alternate),
        cmocka_unit_test(test_largest_population_in_country),
        cmocka_unit_test(test_country_filter),
        cmocka_unit_test(test_ambiguous),
        cmocka_unit_test(test_not_ambiguous_small_namesake),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_small),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
