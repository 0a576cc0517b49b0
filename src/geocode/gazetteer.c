/*
 * The in-memory gazetteer: populated places with name, ASCII name, alternate
 * names, country, coordinates and population, indexed three ways (name as
 * written, folded name/ASCII name, folded alternate names). Loaded from a
 * TSV (geodata/gazetteer.tsv, derived from GeoNames, CC BY 4.0).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "fp_geocode.h"
#include "common/util.h"

typedef struct place {
    long id;
    double lon, lat;
    long population;
    char country[3];
} place;

struct fp_gazetteer {
    place *places;
    long n, cap;
    GHashTable *exact, *folded, *alternate;   /* key -> GArray of long (place index) */
};

static void array_free(gpointer p) { g_array_free(p, TRUE); }

static void index_add(GHashTable *h, char *key_owned, long i)
{
    if (!key_owned || !*key_owned) { free(key_owned); return; }
    GArray *a = g_hash_table_lookup(h, key_owned);
    if (!a) {
        a = g_array_new(FALSE, FALSE, sizeof(long));
        g_hash_table_insert(h, key_owned, a);
    } else {
        long last = a->len ? g_array_index(a, long, a->len - 1) : -1;
        free(key_owned);
        if (last == i) return;            /* name and asciiname often agree */
    }
    g_array_append_val(a, i);
}

static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') { *p = '\0'; f[n++] = p + 1; }
    return n;
}

fp_status fp_gazetteer_load(const char *path, fp_gazetteer **out, fp_error *err)
{
    *out = NULL;
    FILE *fh = fopen(path, "r");
    if (!fh) return fp_error_set(err, FP_ERR_IO, "%s: cannot open gazetteer: %s", path, strerror(errno));
    fp_gazetteer *g = calloc(1, sizeof *g);
    if (!g) { fclose(fh); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    g->exact = g_hash_table_new_full(g_str_hash, g_str_equal, free, array_free);
    g->folded = g_hash_table_new_full(g_str_hash, g_str_equal, free, array_free);
    g->alternate = g_hash_table_new_full(g_str_hash, g_str_equal, free, array_free);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    fp_status st = FP_OK;
    while ((len = getline(&line, &cap, fh)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (lineno == 1) {
            static const char header[] = "id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation";
            if (strncmp(line, header, sizeof header - 1) != 0 ||
                (line[sizeof header - 1] != '\0' && line[sizeof header - 1] != '\t')) {
                st = fp_error_set(err, FP_ERR_INPUT, "%s: line 1: not a footprint gazetteer (expected the header "
                                  "id name asciiname altnames country admin1 lon lat population, tab-separated)", path);
                break;
            }
            continue;
        }
        if (len == 0) continue;
        if (!fp_utf8_valid(line, (size_t)len)) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: not valid UTF-8", path, lineno);
            break;
        }
        char *f[10];
        if (split_tabs(line, f, 10) < 9) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: expected 9 tab-separated fields", path, lineno);
            break;
        }
        char *e1, *e2, *e3;
        double lon = strtod(f[6], &e1), lat = strtod(f[7], &e2);
        long population = strtol(f[8], &e3, 10);
        if (*e3 || e3 == f[8] || population < 0) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: bad population '%s'", path, lineno, f[8]);
            break;
        }
        if (*e1 || *e2 || e1 == f[6] || e2 == f[7] || !isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: bad coordinates '%s' '%s'", path, lineno, f[6], f[7]);
            break;
        }
        if (g->n == g->cap) {
            long newcap = g->cap ? g->cap * 2 : 4096;
            place *grown = realloc(g->places, newcap * sizeof *grown);
            if (!grown) { st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory at line %ld", path, lineno); break; }
            g->places = grown;
            g->cap = newcap;
        }
        long i = g->n++;
        place *p = &g->places[i];
        p->id = atol(f[0]);
        p->lon = lon;
        p->lat = lat;
        p->population = population;
        snprintf(p->country, sizeof p->country, "%s", f[4]);
        index_add(g->exact, strdup(f[1]), i);
        index_add(g->folded, fp_fold_text(f[1]), i);
        index_add(g->folded, fp_fold_text(f[2]), i);
        for (char *alt = f[3], *next; alt && *alt; alt = next) {
            next = strchr(alt, '|');
            if (next) *next++ = '\0';
            index_add(g->alternate, fp_fold_text(alt), i);
        }
    }
    if (st == FP_OK && ferror(fh))   /* e.g. a folder given as the file */
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot read the gazetteer: %s", path, strerror(errno));
    free(line);
    fclose(fh);
    if (st == FP_OK && lineno == 0)
        st = fp_error_set(err, FP_ERR_INPUT, "%s: empty file (expected the header id name asciiname altnames "
                          "country admin1 lon lat population, tab-separated)", path);
    else if (st == FP_OK && g->n == 0) st = fp_error_set(err, FP_ERR_INPUT, "%s: the gazetteer has no places", path);
    if (st != FP_OK) { fp_gazetteer_free(g); return st; }
    *out = g;
    return FP_OK;
}

void fp_gazetteer_free(fp_gazetteer *g)
{
    if (!g) return;
    if (g->exact) g_hash_table_destroy(g->exact);
    if (g->folded) g_hash_table_destroy(g->folded);
    if (g->alternate) g_hash_table_destroy(g->alternate);
    free(g->places);
    free(g);
}

long fp_gazetteer_size(const fp_gazetteer *g) { return g ? g->n : 0; }

/* Best candidate of a key's list: in the country if given, largest population
 * (then smallest GeoNames id, so ties resolve the same way every run). */
static int pick(const fp_gazetteer *g, GArray *a, const char *country, fp_place_match *m)
{
    if (!a) return 0;
    long best = -1, second_other_country = -1;
    int count = 0;
    for (guint k = 0; k < a->len; k++) {
        long i = g_array_index(a, long, k);
        const place *p = &g->places[i];
        if (country && strcmp(p->country, country) != 0) continue;
        count++;
        if (best < 0 || p->population > g->places[best].population ||
            (p->population == g->places[best].population && p->id < g->places[best].id))
            best = i;
    }
    if (best < 0) return 0;
    if (!country) {
        for (guint k = 0; k < a->len; k++) {
            long i = g_array_index(a, long, k);
            if (strcmp(g->places[i].country, g->places[best].country) == 0) continue;
            if (second_other_country < 0 || g->places[i].population > g->places[second_other_country].population)
                second_other_country = i;
        }
    }
    const place *p = &g->places[best];
    m->geonames_id = p->id;
    m->lon = p->lon;
    m->lat = p->lat;
    m->population = p->population;
    memcpy(m->country, p->country, 3);
    m->candidates = count;
    /* Without a country, a namesake abroad at least a tenth as large makes it a guess. */
    if (second_other_country >= 0 && g->places[second_other_country].population * 10 >= p->population)
        return -1;
    return 1;
}

int fp_gazetteer_lookup(const fp_gazetteer *g, const char *place_name, const char *country_a2,
                        fp_place_match *m)
{
    memset(m, 0, sizeof *m);
    if (!place_name || !*place_name) return 0;
    if (country_a2 && !*country_a2) country_a2 = NULL;
    int r = pick(g, g_hash_table_lookup(g->exact, place_name), country_a2, m);
    fp_match_method method = FP_MATCH_EXACT;
    char *key = NULL;
    if (r == 0) {
        key = fp_fold_text(place_name);
        r = pick(g, key ? g_hash_table_lookup(g->folded, key) : NULL, country_a2, m);
        method = FP_MATCH_FOLDED;
        if (r == 0) {
            r = pick(g, key ? g_hash_table_lookup(g->alternate, key) : NULL, country_a2, m);
            method = FP_MATCH_ALTERNATE;
        }
    }
    free(key);
    if (r < 0) { m->method = FP_MATCH_AMBIGUOUS; return 0; }
    m->method = r ? method : FP_MATCH_NONE;
    return r;
}
