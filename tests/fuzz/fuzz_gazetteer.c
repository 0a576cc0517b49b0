/*
 * Fuzz harness: gazetteer look-ups as `footprint geocode` makes them —
 * the country as written resolved against the country index (codes and
 * names, folded), then the place in the shipped gazetteer (exact, folded,
 * alternate names), and text folding itself. Input: "place\ncountry" (the
 * country part optional). Invariants: a match is in WGS 84's range with a
 * two-letter country and the given country when one was resolved; folded
 * text is valid UTF-8 without leading, trailing or doubled spaces.
 */
#include <unistd.h>
#include "fuzz_common.h"
#include "fp_geocode.h"
#include "fp_store.h"
#include "geocode/country_index.h"
#include "common/util.h"

static fp_gazetteer *gaz;
static fp_country_index *countries;

static void cleanup(void)
{
    fp_gazetteer_free(gaz);
    fpi_country_index_free(countries);
}

static void setup(void)
{
    char path[4096];
    fp_error err = {0};
    if (fp_gazetteer_load(fp_data_path(NULL, "gazetteer.tsv.gz", path, sizeof path), &gaz, &err)) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }
    fp_global_init();
    /* The country index reads the store's countries: a store in a
     * temporary folder, with the shipped regions loaded once. */
    char dir[] = "/tmp/fuzz_gazetteer.XXXXXX";
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/store.sqlite", dir);
    fp_store *store = NULL;
    char regions[4096];
    if (fp_store_open(path, FP_STORE_CREATE, &store, &err) != FP_OK ||
        fp_store_load_regions(store, fp_data_path(NULL, "regions.gpkg", regions, sizeof regions), NULL, &err) != FP_OK ||
        fpi_country_index_new(store, &countries, &err) != FP_OK || fpi_country_index_size(countries) < 200) {
        fprintf(stderr, "fuzz: cannot build the country index: %s\n", err.message);
        abort();
    }
    fp_store_close(store);
    unlink(path);
    rmdir(dir);
    atexit(cleanup);
}

static void check_folded(const char *text)
{
    char *f = fp_fold_text(text);
    FZ_CHECK(f != NULL, "fold gave NULL");
    size_t len = strlen(f);
    FZ_CHECK(fpi_utf8_valid(f, len), "folded text is not UTF-8");
    FZ_CHECK(len == 0 || (f[0] != ' ' && f[len - 1] != ' '), "leading or trailing space in '%s'", f);
    FZ_CHECK(strstr(f, "  ") == NULL, "doubled space in '%s'", f);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!gaz) setup();
    char *text = fz_strdup(data, size);
    char *country = strchr(text, '\n');
    if (country) *country++ = '\0';
    check_folded(text);
    if (country) check_folded(country);
    const fp_country *c = fpi_country_index_find(countries, country);
    if (c) FZ_CHECK(strlen(c->a3) >= 3, "country code '%s'", c->a3);
    fp_place_match m;
    int placed = fp_gazetteer_lookup(gaz, text, c ? c->a2 : NULL, &m);
    if (placed) {
        FZ_CHECK(m.method == FP_MATCH_EXACT || m.method == FP_MATCH_FOLDED || m.method == FP_MATCH_ALTERNATE ||
                     m.method == FP_MATCH_FUZZY,
                 "method %d", m.method);
        FZ_CHECK(m.lon >= -180 && m.lon <= 180 && m.lat >= -90 && m.lat <= 90, "at %g %g", m.lon, m.lat);
        FZ_CHECK(strlen(m.country) == 2, "country '%.3s'", m.country);
        FZ_CHECK(!c || !c->a2[0] || strcmp(m.country, c->a2) == 0, "in %s, asked for %s", m.country, c->a2);
        FZ_CHECK(m.candidates >= 1, "%d candidates", m.candidates);
    } else {
        FZ_CHECK(m.method == FP_MATCH_NONE || m.method == FP_MATCH_AMBIGUOUS, "not placed, method %d", m.method);
    }
    /* The raw text as a two-letter country code, as the API allows. */
    if (country && strlen(country) == 2) fp_gazetteer_lookup(gaz, text, country, &m);
    free(text);
    return 0;
}
