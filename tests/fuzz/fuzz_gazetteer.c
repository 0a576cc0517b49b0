/*
 * Fuzz harness: gazetteer look-ups as `footprint geocode` makes them —
 * the country as written resolved against the country index (codes and
 * names, folded), then the place in the shipped gazetteer (exact, folded,
 * alternate names), and text folding itself. Input: "place\ncountry" (the
 * country part optional). Invariants: a match is in WGS 84's range with a
 * two-letter country and the given country when one was resolved; folded
 * text is valid UTF-8 without leading, trailing or doubled spaces.
 */
#include <sqlite3.h>
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
    fp_country_index_free(countries);
}

static void setup(void)
{
    char path[4096];
    fp_error err = {0};
    if (fp_gazetteer_load(fp_data_path("gazetteer.tsv.gz", path, sizeof path), &gaz, &err)) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }
    /* The country index reads the store's country regions; the shipped
     * GeoPackage is a SQLite file with the same columns. */
    sqlite3 *db;
    char *sql = sqlite3_mprintf("ATTACH %Q AS g; CREATE TABLE regions AS SELECT level, code, iso_a2, name, name_long "
                                "FROM g.regions WHERE level='country'; DETACH g;",
                                fp_data_path("regions.gpkg", path, sizeof path));
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        fp_country_index_new(db, &countries, &err) != FP_OK || fp_country_index_size(countries) < 200) {
        fprintf(stderr, "fuzz: cannot build the country index: %s %s\n", sqlite3_errmsg(db), err.message);
        abort();
    }
    sqlite3_free(sql);
    sqlite3_close(db);
    atexit(cleanup);
}

static void check_folded(const char *text)
{
    char *f = fp_fold_text(text);
    FZ_CHECK(f != NULL, "fold gave NULL");
    size_t len = strlen(f);
    FZ_CHECK(fp_utf8_valid(f, len), "folded text is not UTF-8");
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
    const fp_country *c = fp_country_index_find(countries, country);
    if (c) FZ_CHECK(strlen(c->a3) >= 3, "country code '%s'", c->a3);
    fp_place_match m;
    int placed = fp_gazetteer_lookup(gaz, text, c ? c->a2 : NULL, &m);
    if (placed) {
        FZ_CHECK(m.method == FP_MATCH_EXACT || m.method == FP_MATCH_FOLDED || m.method == FP_MATCH_ALTERNATE,
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
