/*
 * The parsed gazetteer, cached between runs.
 *
 * fp_gazetteer_load gunzips 7 MB of TSV, folds 1.5 million names and sorts
 * four key indexes: most of a geocode run's start-up (0.7 s; several
 * seconds under AddressSanitizer). None of it changes while the file and
 * the code do not, so the result - the places, their names and the four
 * finished indexes - is kept in the library's cache folder (the one of the
 * prepared regions, region_cache.c) and mapped back read-only.
 *
 * The key is the SHA-256 of
 *   - CACHE_MAGIC, bumped by hand when what the loader computes changes;
 *   - the footprint version;
 *   - fp_fold_text and fp_fuzzy_key applied to a fixed list of tricky names,
 *     so that an edited folding rule (or another libunistring, whose tables
 *     fold non-Latin scripts) gives another key by itself, without anyone
 *     remembering to bump the magic;
 *   - the file's bytes.
 * A changed file or changed code is a new key. An entry that cannot be read
 * or fails any check below is a miss, never an error: the file is parsed as
 * without a cache. Entries are written to a temporary name and renamed
 * (g_file_set_contents), so a concurrent or killed run never leaves half of
 * one.
 *
 * Format: this machine's own (native byte order and struct layout, checked
 * by the header), one blob that the gazetteer then points into:
 *
 *   header                 cache_header below
 *   places                 n_places struct place, name = offset in names
 *   4 key arrays           n_keys[k] struct key_entry each
 *   names                  names_len bytes of NUL-terminated names
 *   padding                to a multiple of 8
 *   END_MARK               8 bytes
 *
 * Every section starts at a multiple of 8 from the start of the file, and
 * the file is mapped at a page boundary, so the arrays are used where they
 * lie; a place's name is its offset in the names block (a cache-loaded
 * gazetteer's places are never written).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include "common/util.h"
#include <glib/gstdio.h>
#include "fp_geocode.h"
#include "fp_version.h"
#include "geocode/gazetteer_cache.h"
#include "geocode/gazetteer_internal.h"

/* Bump when what fp_gazetteer_load computes changes (columns, keys, hash). */
#define CACHE_MAGIC "FPGAZC02"
#define CACHE_BOM 0x01020304u
#define END_MARK "FPGZEND!"

typedef struct cache_header {
    char magic[8];              /* CACHE_MAGIC */
    uint32_t bom;               /* CACHE_BOM as the writer stored it */
    uint32_t place_size;        /* sizeof(place) */
    uint32_t entry_size;        /* sizeof(key_entry) */
    uint32_t unused;            /* zero */
    uint64_t n_places;
    uint64_t names_len;         /* bytes in the names block */
    uint64_t n_keys[IDX_COUNT];
} cache_header;

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Names that exercise every folding rule: accents, capitals, hyphens,
 * apostrophes, abbreviations (St., Ste, Ft., Mt., Sankt), letters NFD does
 * not decompose, transliteration pairs, place-type words, scripts other
 * than Latin (marks dropped or kept: 東京ビル, कुल, ศูนย์, مَرْكَز), compatibility
 * forms (ＭＯＳ, Nĳmegen, ⁿ), a zero-width space and Hangul. Their folded and fuzzy keys go into the cache key. */
static const char *const fold_probes[] = {
    "S\xC3\xA3o Paulo", "K\xC3\xB6ln", "Saint-\xC3\x89tienne", "St. Petersburg", "Ste-Foy", "Ft. Lauderdale",
    "Mt. Hagen", "Sankt P\xC3\xB6lten", "L'Aquila", "N'Djamena", "Dzhambul", "M\xC3\xBC" "nchen", "Muenchen",
    "\xC5\x81\xC3\xB3" "d\xC5\xBA", "\xC3\x86r\xC3\xB8sk\xC3\xB8" "bing", "Stra\xC3\x9F" "e", "Taguig City",
    "Yawatahama-shi", "City of Cape Town", "H\xE1\xBB\x93 Ch\xC3\xAD Minh", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
    "\xE6\x9D\xB1\xE4\xBA\xAC", "\xD8\xA7\xD9\x84\xD9\x82\xD8\xA7\xD9\x87\xD8\xB1\xD8\xA9", "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1",
    "  Den   Haag ", "\xC3\x87" "ANAKKALE", "Qu\xC3\xA9" "bec (Ville)", "Phnom Penh",
    /* marks kept or dropped by script, compatibility forms, invisible characters */
    "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x83\x93\xE3\x83\xAB", "\xE0\xA4\x95\xE0\xA5\x81\xE0\xA4\xB2",
    "\xE0\xB8\xA8\xE0\xB8\xB9\xE0\xB8\x99\xE0\xB8\xA2\xE0\xB9\x8C", "\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92\xD9\x83\xD9\x8E\xD8\xB2",
    "\xEF\xBC\xAD\xEF\xBC\xAF\xEF\xBC\xB3", "N\xC4\xB3megen", "Kyiv\xE2\x80\x8B", "Sin-i\xC3\xA2\xE2\x81\xBF-khu",
    "\xEC\x84\x9C\xEC\x9A\xB8", NULL };

static void hash_string(fpi_sha256 *sum, const char *s)
{
    /* With its NUL, so that "ab"+"c" and "a"+"bc" differ; NULL as "\1". */
    fpi_sha256_add_string(sum, s ? s : "\1");
}

int fpi_gazetteer_cache_key(const char *path, char key[65])
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return -1;   /* fp_gazetteer_load says why */
    fpi_sha256 *sum = fpi_sha256_new();
    if (!sum) return -1;
    hash_string(sum, CACHE_MAGIC);
    hash_string(sum, FOOTPRINT_VERSION);
    for (int i = 0; fold_probes[i]; i++) {
        char *folded = fp_fold_text(fold_probes[i]);
        char *fuzzy = folded ? fp_fuzzy_key(folded) : NULL;
        hash_string(sum, folded);
        hash_string(sum, fuzzy);
        free(folded);
        free(fuzzy);
    }
    int rc = fpi_sha256_add_file(sum, path);
    if (!rc) rc = fpi_sha256_hex(sum, key);
    fpi_sha256_free(sum);
    return rc;
}

static char *entry_path(const char *dir, const char *key)
{
    return g_strdup_printf("%s/gazetteer-%s.bin", dir, key);
}

/* ------------------------------------------------------------ reading --- */

/* A fixed-size char field holds a NUL-terminated string (the loader zeroes
 * each place, so the last byte is always 0). */
#define FIELD_OK(f) ((f)[sizeof(f) - 1] == '\0')

/* The whole file mapped read-only (munmap it), or NULL. The entry is
 * used where it lies, in the page cache: reading it into memory of our own
 * (as before, on transparent huge pages) made every geocode run zero and
 * copy 52 MB, 0.2 of its 0.4 s on this platform's VMs, where a first touch
 * of fresh memory is dear; a mapping shares the pages the last run left in
 * the page cache. MAP_POPULATE maps them all in one call instead of a
 * fault per 64 KB. Entries are only ever replaced by a rename, never
 * rewritten in place, so a mapped entry cannot shrink under the reader. */
static char *map_entry(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat sb;
    void *m = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
        m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return NULL;
    *len = (size_t)sb.st_size;
    return m;
}

/* The gazetteer of the entry, or NULL (missing, unreadable, damaged). */
static fp_gazetteer *cache_load(const char *dir, const char *key)
{
    char *path = entry_path(dir, key);
    size_t len = 0;
    char *data = map_entry(path, &len);
    g_free(path);
    if (!data) return NULL;

    /* The header: this build's magic, byte order and layout. */
    cache_header h;
    if (len < align8(sizeof h) + 8) goto miss;
    memcpy(&h, data, sizeof h);
    if (memcmp(h.magic, CACHE_MAGIC, 8) || h.bom != CACHE_BOM || h.place_size != sizeof(place) ||
        h.entry_size != sizeof(key_entry) || h.unused != 0)
        goto miss;
    /* The counts against the length, each step checked before the next can
     * overflow: header, places, keys, names, padding and the end mark must
     * add up to exactly the file. */
    size_t off = align8(sizeof h), places_off, keys_off[IDX_COUNT], names_off;
    if (h.n_places == 0 || h.n_places > (len - off) / sizeof(place) || h.n_places > UINT32_MAX) goto miss;
    places_off = off;
    off += (size_t)h.n_places * sizeof(place);
    for (int k = 0; k < IDX_COUNT; k++) {
        if (h.n_keys[k] > (len - off) / sizeof(key_entry)) goto miss;
        keys_off[k] = off;
        off += (size_t)h.n_keys[k] * sizeof(key_entry);
    }
    if (h.names_len == 0 || h.names_len > len - off) goto miss;
    names_off = off;
    off = align8(off + (size_t)h.names_len);
    if (off > len || len - off != 8 || memcmp(data + off, END_MARK, 8)) goto miss;

    /* The names block ends with a NUL: any offset inside it starts a
     * NUL-terminated string that stays inside it. */
    const char *names = data + names_off;
    if (names[h.names_len - 1] != '\0') goto miss;
    place *places = (place *)(void *)(data + places_off);
    for (size_t i = 0; i < h.n_places; i++) {
        const place *p = &places[i];
        if (p->name_off >= h.names_len || !FIELD_OK(p->country) || !FIELD_OK(p->admin1) || !FIELD_OK(p->region) ||
            !FIELD_OK(p->feature) || !isfinite(p->lon) || !isfinite(p->lat) || fabs(p->lon) > 180 ||
            fabs(p->lat) > 90 || p->population < 0 || p->rank_population < 0)
            goto miss;
    }
    for (int k = 0; k < IDX_COUNT; k++) {
        const key_entry *e = (const key_entry *)(const void *)(data + keys_off[k]);
        for (size_t j = 0; j < h.n_keys[k]; j++)
            if (e[j].place >= h.n_places) goto miss;
    }

    fp_gazetteer *g = calloc(1, sizeof *g);
    if (!g) goto miss;
    g->blob = data;
    g->blob_len = len;
    g->cache_names = names;
    g->places = places;
    g->n = g->cap = (long)h.n_places;
    for (int k = 0; k < IDX_COUNT; k++) {
        g->idx[k].e = (key_entry *)(void *)(data + keys_off[k]);
        g->idx[k].n = g->idx[k].cap = (size_t)h.n_keys[k];
    }
    return g;
miss:
    munmap(data, len);
    return NULL;
}

/* ------------------------------------------------------------ writing --- */

/* Writes g's entry; any failure leaves no entry (the next run parses again). */
static void cache_save(const char *dir, const char *key, const fp_gazetteer *g)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) return;   /* no cache: slower, not wrong */
    /* The names block: the places' names in place order, each with its NUL. */
    GString *names = g_string_sized_new(1 << 21);
    uint64_t *name_off = malloc((size_t)g->n * sizeof *name_off);
    char *buf = NULL;
    if (!name_off) goto done;
    for (long i = 0; i < g->n; i++) {
        name_off[i] = names->len;
        g_string_append_len(names, g->places[i].name, (gssize)strlen(g->places[i].name) + 1);
    }

    cache_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CACHE_MAGIC, 8);
    h.bom = CACHE_BOM;
    h.place_size = sizeof(place);
    h.entry_size = sizeof(key_entry);
    h.n_places = (uint64_t)g->n;
    h.names_len = names->len;
    size_t total = align8(sizeof h) + (size_t)g->n * sizeof(place);
    for (int k = 0; k < IDX_COUNT; k++) {
        h.n_keys[k] = g->idx[k].n;
        total += g->idx[k].n * sizeof(key_entry);
    }
    size_t names_at = total;
    total = align8(total + names->len) + 8;

    /* Zeroed, and filled field by field: struct padding is written as
     * zeros, never as whatever the heap held (the key arrays were grown
     * with realloc). */
    if (!(buf = calloc(1, total))) goto done;
    memcpy(buf, &h, sizeof h);
    size_t off = align8(sizeof h);
    place *out = (place *)(void *)(buf + off);
    for (long i = 0; i < g->n; i++) {
        const place *p = &g->places[i];
        place *o = &out[i];
        o->id = p->id;
        o->lon = p->lon;
        o->lat = p->lat;
        o->population = p->population;
        o->rank_population = p->rank_population;
        o->name_off = name_off[i];
        memcpy(o->country, p->country, sizeof o->country);
        memcpy(o->admin1, p->admin1, sizeof o->admin1);
        memcpy(o->region, p->region, sizeof o->region);
        memcpy(o->feature, p->feature, sizeof o->feature);
    }
    off += (size_t)g->n * sizeof(place);
    for (int k = 0; k < IDX_COUNT; k++) {
        key_entry *e = (key_entry *)(void *)(buf + off);
        for (size_t j = 0; j < g->idx[k].n; j++) {
            e[j].hash = g->idx[k].e[j].hash;
            e[j].place = g->idx[k].e[j].place;
        }
        off += g->idx[k].n * sizeof(key_entry);
    }
    memcpy(buf + names_at, names->str, names->len);
    memcpy(buf + total - 8, END_MARK, 8);
    /* GLib writes a temporary file and renames it: readers see the old
     * entry or the new one, never half of one. */
    char *path = entry_path(dir, key);
    g_file_set_contents(path, buf, (gssize)total, NULL);
    g_free(path);
done:
    free(buf);
    free(name_off);
    g_string_free(names, TRUE);
}

int fpi_gazetteer_from_cache(const fp_gazetteer *g) { return g && g->blob; }

fp_status fpi_gazetteer_load_cached(const char *path, const char *shipped_dir, const char *cache_dir, fp_gazetteer **out,
                                    fp_error *err)
{
    *out = NULL;
    char key[65];
    int has_shipped = shipped_dir && *shipped_dir, has_cache = cache_dir && *cache_dir;
    int keyed = (has_shipped || has_cache) && fpi_gazetteer_cache_key(path, key) == 0;
    /* The build's entry first (read-only, shared by every user of an
     * installed program), then the user's cache. */
    if (keyed && has_shipped && (*out = cache_load(shipped_dir, key))) return FP_OK;
    keyed = keyed && has_cache;
    if (keyed && (*out = cache_load(cache_dir, key))) return FP_OK;
    fp_status st = fp_gazetteer_load(path, out, err);
    if (st == FP_OK && keyed) cache_save(cache_dir, key, *out);
    return st;
}
