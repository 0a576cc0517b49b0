/* The prepared regions of `--by regions:FILE`, cached by content.
 *
 * Reading a user's polygon layer costs more than classifying a million
 * points against it would suggest: GDAL parses the file (GeoJSON: text to
 * doubles), GEOS checks and repairs every polygon, and each region's
 * geodesic area is computed. None of that changes while the file does not,
 * so the result (codes, names, populations, areas, repaired WKB, extents) is
 * kept in a cache folder under the SHA-256 of the file's bytes, its
 * sidecars' (a Shapefile's .dbf holds the codes) and the code field. A
 * changed file gets a new key; an unreadable or damaged cache entry is a
  * miss, never an error. Files are written to a temporary name and renamed,
 * so a concurrent or killed run never leaves half an entry (GLib's
 * g_file_set_contents).
 *
 * The format is this machine's own (native byte order and sizes, checked by
 * the header), which is all a cache needs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "aggregate_internal.h"
#include "common/util.h"
#include "fp_version.h"

/* Bump when what set_from_file computes changes (repair, area, fields; 03:
 * polygons repaired by GEOS's structure method; 04: cut at the antimeridian
 * before the repair, and the counts of cut and repaired polygons kept; 05:
 * a file whose CRS cannot be used, or whose coordinates are not degrees,
 * is refused: an entry of one read as WGS 84 is not reused; 06: codes and
 * names that are not UTF-8 read as Windows-1252, not kept as bytes), or
 * the entry format (02: a SHA-256 of the entry before END!). */
#define CACHE_MAGIC "FPRGNC06"   /* 06 also: code and name fields of OCHA and GADM layers */
#define CACHE_BOM 0x01020304u

/* Files whose bytes make up the layer besides the one named. */
static const char *const sidecars[] = { ".dbf", ".shx", ".prj", ".cpg", "-wal", NULL };

int fpi_region_cache_key(const char *path, const char *code_field, char key[65])
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return -1;   /* folders: not cached */
    fpi_sha256 *sum = fpi_sha256_new();
    if (!sum) return -1;
    fpi_sha256_add(sum, CACHE_MAGIC, sizeof CACHE_MAGIC);
    fpi_sha256_add_string(sum, code_field ? code_field : "");
    int rc = fpi_sha256_add_file(sum, path);
    /* Sidecars next to the file: FILE.ext for "-wal", BASE.ext otherwise. */
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    size_t base = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    for (int i = 0; !rc && sidecars[i]; i++) {
        char *side = sidecars[i][0] == '-' ? g_strconcat(path, sidecars[i], NULL)
                                           : g_strdup_printf("%.*s%s", (int)base, path, sidecars[i]);
        if (g_file_test(side, G_FILE_TEST_IS_REGULAR)) {
            fpi_sha256_add_string(sum, sidecars[i]);
            rc = fpi_sha256_add_file(sum, side);
        }
        g_free(side);
    }
    if (!rc) rc = fpi_sha256_hex(sum, key);
    fpi_sha256_free(sum);
    return rc;
}

static char *entry_path(const char *dir, const char *kind, const char *key)
{
    return g_strdup_printf("%s/%s-%s.bin", dir, kind, key);
}

/* ------------------------------------------------------------ reading --- */

typedef struct reader {
    const unsigned char *p, *end;
    int bad;
} reader;

static void take(reader *r, void *out, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) { r->bad = 1; memset(out, 0, n); return; }
    memcpy(out, r->p, n);
    r->p += n;
}

static char *take_string(reader *r)
{
    uint32_t len = 0;
    take(r, &len, sizeof len);
    if (r->bad || (size_t)(r->end - r->p) < len) { r->bad = 1; return NULL; }
    char *s = g_strndup((const char *)r->p, len);
    r->p += len;
    return s;
}

/* An entry ends with the SHA-256 of every byte before it and "END!": a
 * damaged entry (a flipped byte as much as a cut one) is a miss. */
enum { ENTRY_TAIL = 32 + 4 };

/* 0 and the digest, or -1 (out of memory: the entry is a miss). */
static int sha256_of(const void *data, size_t len, guint8 out[32])
{
    fpi_sha256 *sum = fpi_sha256_new();
    int rc = sum ? 0 : -1;
    if (sum) {
        fpi_sha256_add(sum, data, len);
        rc = fpi_sha256_digest(sum, out);
    }
    fpi_sha256_free(sum);
    return rc;
}

/* Reads the entry KIND-KEY.bin whole: its bytes (g_free) with *r from past
 * the magic and byte-order mark to the tail, or NULL when it is missing,
 * damaged or not of this kind and version. */
static gchar *entry_open(const char *dir, const char *kind, const char *key, const char *magic, reader *r)
{
    if (!dir || !*dir) return NULL;
    char *path = entry_path(dir, kind, key);
    gchar *data = NULL;
    gsize len = 0;
    int ok = g_file_get_contents(path, &data, &len, NULL);
    g_free(path);
    if (!ok) return NULL;
    guint8 sum[32];
    if (len < 12 + ENTRY_TAIL) { g_free(data); return NULL; }
    len -= ENTRY_TAIL;
    if (sha256_of(data, len, sum) || memcmp(data + len, sum, 32) || memcmp(data + len + 32, "END!", 4)) { g_free(data); return NULL; }
    *r = (reader){ (const unsigned char *)data, (const unsigned char *)data + len, 0 };
    char got[8];
    uint32_t bom = 0;
    take(r, got, sizeof got);
    take(r, &bom, sizeof bom);
    if (r->bad || memcmp(got, magic, 8) || bom != CACHE_BOM) { g_free(data); return NULL; }
    return data;
}

/* A new entry's bytes: the magic and the byte-order mark. */
static GByteArray *entry_begin(const char *magic)
{
    GByteArray *b = g_byte_array_new();
    uint32_t bom = CACHE_BOM;
    g_byte_array_append(b, (const guint8 *)magic, 8);
    g_byte_array_append(b, (const guint8 *)&bom, sizeof bom);
    return b;
}

/* Ends and writes an entry (freeing b). GLib writes a temporary file and
 * renames it: readers see the old entry or the new one, never half of one. */
static void entry_commit(const char *dir, const char *kind, const char *key, GByteArray *b)
{
    guint8 sum[32];
    if (sha256_of(b->data, b->len, sum)) { g_byte_array_free(b, TRUE); return; }   /* no entry: slower, not wrong */
    g_byte_array_append(b, sum, sizeof sum);
    g_byte_array_append(b, (const guint8 *)"END!", 4);
    char *path = entry_path(dir, kind, key);
    g_file_set_contents(path, (const gchar *)b->data, (gssize)b->len, NULL);
    g_free(path);
    g_byte_array_free(b, TRUE);
}

int fpi_region_cache_load(const char *dir, const char *key, fp_region_set *set)
{
    reader r;
    gchar *data = entry_open(dir, "regions", key, CACHE_MAGIC, &r);
    if (!data) return 0;
    size_t len = (size_t)(r.end - r.p);
    uint64_t n = 0;
    int32_t has_pop = 0;
    uint64_t cut = 0, repaired = 0;
    take(&r, &n, sizeof n);
    take(&r, &has_pop, sizeof has_pop);
    take(&r, &cut, sizeof cut);
    take(&r, &repaired, sizeof repaired);
    if (r.bad || n == 0 || n > len) { g_free(data); return 0; }
    fp_region *items = calloc((size_t)n, sizeof *items);
    size_t got = 0;
    for (; items && got < n && !r.bad; got++) {
        fp_region *reg = &items[got];
        reg->code = take_string(&r);
        reg->name = take_string(&r);
        int64_t pop = 0;
        uint64_t wl = 0;
        take(&r, &pop, sizeof pop);
        take(&r, &reg->area_km2, sizeof reg->area_km2);
        take(&r, &reg->minx, sizeof reg->minx);
        take(&r, &reg->miny, sizeof reg->miny);
        take(&r, &reg->maxx, sizeof reg->maxx);
        take(&r, &reg->maxy, sizeof reg->maxy);
        take(&r, &wl, sizeof wl);
        reg->population = pop;
        if (!r.bad && wl > 0 && wl <= (uint64_t)(r.end - r.p) && (reg->wkb = malloc((size_t)wl))) {
            memcpy(reg->wkb, r.p, (size_t)wl);
            reg->wkb_len = (size_t)wl;
            r.p += wl;
        } else {
            r.bad = 1;
        }
        reg->up[0] = reg->code ? strdup(reg->code) : NULL;
        if (!reg->code || !reg->name || !reg->up[0]) r.bad = 1;
    }
    int good = items && !r.bad && r.p == r.end;
    g_free(data);
    /* The set owns whatever was read; a bad entry is freed with it. */
    fp_region_set tmp = { .items = items, .n = got };
    if (!good) { fpi_region_set_free_items(&tmp); return 0; }
    set->items = items;
    set->n = got;
    set->has_population = has_pop;
    set->cut = (size_t)cut;
    set->repaired = (size_t)repaired;
    return 1;
}

/* ------------------------------------------------------------ writing --- */

static void put_string(GByteArray *b, const char *s)
{
    uint32_t len = (uint32_t)strlen(s);
    g_byte_array_append(b, (const guint8 *)&len, sizeof len);
    g_byte_array_append(b, (const guint8 *)s, len);
}

void fpi_region_cache_save(const char *dir, const char *key, const fp_region_set *set)
{
    if (!dir || !*dir || set->n == 0) return;
    if (g_mkdir_with_parents(dir, 0755) != 0) return;   /* no cache: slower, not wrong */
    GByteArray *b = entry_begin(CACHE_MAGIC);
    uint64_t n = set->n;
    int32_t has_pop = set->has_population;
    g_byte_array_append(b, (const guint8 *)&n, sizeof n);
    uint64_t cut = set->cut, repaired = set->repaired;
    g_byte_array_append(b, (const guint8 *)&has_pop, sizeof has_pop);
    g_byte_array_append(b, (const guint8 *)&cut, sizeof cut);
    g_byte_array_append(b, (const guint8 *)&repaired, sizeof repaired);
    for (size_t i = 0; i < set->n; i++) {
        const fp_region *reg = &set->items[i];
        int64_t pop = reg->population;
        uint64_t wl = reg->wkb_len;
        put_string(b, reg->code);
        put_string(b, reg->name);
        g_byte_array_append(b, (const guint8 *)&pop, sizeof pop);
        g_byte_array_append(b, (const guint8 *)&reg->area_km2, sizeof reg->area_km2);
        g_byte_array_append(b, (const guint8 *)&reg->minx, sizeof reg->minx);
        g_byte_array_append(b, (const guint8 *)&reg->miny, sizeof reg->miny);
        g_byte_array_append(b, (const guint8 *)&reg->maxx, sizeof reg->maxx);
        g_byte_array_append(b, (const guint8 *)&reg->maxy, sizeof reg->maxy);
        g_byte_array_append(b, (const guint8 *)&wl, sizeof wl);
        g_byte_array_append(b, reg->wkb, (guint)reg->wkb_len);
    }
    entry_commit(dir, "regions", key, b);
}

/* -------------------------------------------------- the region index --- */
/* The point-in-region index of a set (region_index.c), which aggregate
 * would otherwise cut anew on every run: for the default countries 11,190
 * pieces, 0.085 s of a 1M-point aggregation's 0.58 s. The key is a digest
 * of all the index is cut from (each region's code, box and geometry, in
 * the set's order) and footprint's version; bump INDEX_MAGIC when the
 * cutting or the format changes. */
#define INDEX_MAGIC "FPRIDX01"

/* A key's hash begun with its kind's magic and footprint's version (each
 * with its NUL); NULL when out of memory. */
static fpi_sha256 *key_begin(const char *magic)
{
    fpi_sha256 *sum = fpi_sha256_new();
    if (!sum) return NULL;
    fpi_sha256_add_string(sum, magic);
    fpi_sha256_add_string(sum, FOOTPRINT_VERSION);
    return sum;
}

int fpi_region_index_cache_key(const fp_region_set *set, char key[65])
{
    fpi_sha256 *sum = key_begin(INDEX_MAGIC);
    if (!sum) return -1;
    uint64_t n = set->n;
    fpi_sha256_add(sum, &n, sizeof n);
    for (size_t i = 0; i < set->n; i++) {
        const fp_region *reg = &set->items[i];
        const char *code = reg->code ? reg->code : "";
        double box[4] = { reg->minx, reg->miny, reg->maxx, reg->maxy };
        uint64_t wl = reg->wkb ? reg->wkb_len : 0;
        fpi_sha256_add_string(sum, code);
        fpi_sha256_add(sum, box, sizeof box);
        fpi_sha256_add(sum, &wl, sizeof wl);
        if (wl) fpi_sha256_add(sum, reg->wkb, wl);
    }
    int rc = fpi_sha256_hex(sum, key);
    fpi_sha256_free(sum);
    return rc;
}

fp_region_index *fpi_region_index_cache_load(const char *dir, const char *key, const fp_region_set *set)
{
    reader r;
    gchar *data = entry_open(dir, "index", key, INDEX_MAGIC, &r);
    if (!data) return NULL;
    fp_region_index *idx = fpi_region_index_read(set, r.p, (size_t)(r.end - r.p));
    g_free(data);
    return idx;
}

void fpi_region_index_cache_save(const char *dir, const char *key, const fp_region_index *idx)
{
    if (!dir || !*dir) return;
    if (g_mkdir_with_parents(dir, 0755) != 0) return;   /* no cache: slower, not wrong */
    GByteArray *b = entry_begin(INDEX_MAGIC);
    if (fpi_region_index_write(idx, b)) { g_byte_array_free(b, TRUE); return; }
    entry_commit(dir, "index", key, b);
}

fp_status fpi_region_index_new_cached(const fp_region_set *set, int threads, const char *dir, fp_region_index **out,
                                      fp_error *err)
{
    char key[65];
    if (dir && fpi_region_index_cache_key(set, key)) dir = NULL;   /* no key: not cached */
    if (dir) {
        if ((*out = fpi_region_index_cache_load(dir, key, set))) return FP_OK;
    }
    fp_status st = fpi_region_index_new(set, threads, out, err);
    if (!st && dir) fpi_region_index_cache_save(dir, key, *out);
    return st;
}

/* ------------------------------------------------- prepared by `init` --- */
/* What fp_aggregate_prepare computes from the regions a store holds: every
 * country's and admin-1 region's geodesic area and the subregion and
 * continent unions. It depends on those rows alone (codes, names, parents,
 * groups, populations, geometries), so it is cached under a digest of them
 * (made by the caller): a second `init` of the same regions, in any store,
 * reads it instead of computing it (about 0.8 s of init's 1.3 s on the
 * default regions). The key also holds footprint's version, as what is
 * computed may change between versions. Entries follow the rules above. The
 * areas are listed by code, the order fp_store_regions reads them in, and
 * only for levels whose codes are unique. Bump PREP_MAGIC when the format
 * or what is computed (areas, unions) changes: footprint's version does not
 * change with every build. */
#define PREP_MAGIC "FPPREP01"

int fpi_prepared_cache_key(const char *digest, char key[65])
{
    fpi_sha256 *sum = key_begin(PREP_MAGIC);
    if (!sum) return -1;
    fpi_sha256_add_string(sum, digest);
    int rc = fpi_sha256_hex(sum, key);
    fpi_sha256_free(sum);
    return rc;
}

void fpi_prepared_regions_clear(fpi_prepared_regions *p)
{
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < p->n_areas[l]; i++) g_free(p->codes[l][i]);
        free(p->codes[l]);
        free(p->areas[l]);
        for (size_t i = 0; i < p->groups[l].n; i++) {
            fp_level_region *row = &p->groups[l].rows[i];
            g_free(row->code);
            g_free(row->name);
            g_free(row->parent);
            free(row->wkb);
        }
        free(p->groups[l].rows);
    }
    memset(p, 0, sizeof *p);
}

int fpi_prepared_cache_load(const char *dir, const char *key, fpi_prepared_regions *p)
{
    memset(p, 0, sizeof *p);
    reader r;
    gchar *data = entry_open(dir, "prepared", key, PREP_MAGIC, &r);
    if (!data) return 0;
    size_t len = (size_t)(r.end - r.p);
    for (int l = 0; l < 2 && !r.bad; l++) {
        uint64_t n = 0;
        take(&r, &n, sizeof n);
        if (r.bad || n > len / 12) { r.bad = 1; break; }   /* 12: the smallest record */
        p->codes[l] = calloc(n ? n : 1, sizeof *p->codes[l]);
        p->areas[l] = calloc(n ? n : 1, sizeof *p->areas[l]);
        if (!p->codes[l] || !p->areas[l]) { r.bad = 1; break; }
        for (; p->n_areas[l] < n && !r.bad; p->n_areas[l]++) {
            p->codes[l][p->n_areas[l]] = take_string(&r);
            take(&r, &p->areas[l][p->n_areas[l]], sizeof(double));
        }
    }
    for (int l = 0; l < 2 && !r.bad; l++) {
        uint64_t n = 0;
        take(&r, &n, sizeof n);
        if (r.bad || n > len / 36) { r.bad = 1; break; }   /* 36: the smallest record */
        fp_output_level *lv = &p->groups[l];
        lv->rows = calloc(n ? n : 1, sizeof *lv->rows);
        if (!lv->rows) { r.bad = 1; break; }
        for (; lv->n < n && !r.bad; lv->n++) {
            fp_level_region *row = &lv->rows[lv->n];
            int32_t has_parent = 0;
            uint64_t wl = 0;
            row->code = take_string(&r);
            row->name = take_string(&r);
            take(&r, &has_parent, sizeof has_parent);
            if (has_parent) row->parent = take_string(&r);
            take(&r, &row->population, sizeof row->population);
            take(&r, &row->area_km2, sizeof row->area_km2);
            take(&r, &wl, sizeof wl);
            if (!r.bad && wl > 0 && wl <= (uint64_t)(r.end - r.p) && (row->wkb = malloc((size_t)wl))) {
                memcpy(row->wkb, r.p, (size_t)wl);
                row->wkb_len = (size_t)wl;
                r.p += wl;
            } else if (wl > 0) {
                r.bad = 1;
            }
        }
    }
    int good = !r.bad && r.p == r.end;
    g_free(data);
    if (!good) fpi_prepared_regions_clear(p);
    return good;
}

void fpi_prepared_cache_save(const char *dir, const char *key, const fp_region *const areas[2],
                             const size_t n_areas[2], const fp_output_level *const groups[2])
{
    if (!dir || !*dir) return;
    for (int l = 0; l < 2; l++)   /* codes in strictly increasing order, as they are applied */
        for (size_t i = 1; i < n_areas[l]; i++)
            if (strcmp(areas[l][i - 1].code, areas[l][i].code) >= 0) return;
    if (g_mkdir_with_parents(dir, 0755) != 0) return;   /* no cache: slower, not wrong */
    GByteArray *b = entry_begin(PREP_MAGIC);
    for (int l = 0; l < 2; l++) {
        uint64_t n = n_areas[l];
        g_byte_array_append(b, (const guint8 *)&n, sizeof n);
        for (size_t i = 0; i < n_areas[l]; i++) {
            put_string(b, areas[l][i].code);
            g_byte_array_append(b, (const guint8 *)&areas[l][i].area_km2, sizeof(double));
        }
    }
    for (int l = 0; l < 2; l++) {
        uint64_t n = groups[l]->n;
        g_byte_array_append(b, (const guint8 *)&n, sizeof n);
        for (size_t i = 0; i < groups[l]->n; i++) {
            const fp_level_region *row = &groups[l]->rows[i];
            int32_t has_parent = row->parent != NULL;
            uint64_t wl = row->wkb ? row->wkb_len : 0;
            put_string(b, row->code);
            put_string(b, row->name);
            g_byte_array_append(b, (const guint8 *)&has_parent, sizeof has_parent);
            if (has_parent) put_string(b, row->parent);
            g_byte_array_append(b, (const guint8 *)&row->population, sizeof row->population);
            g_byte_array_append(b, (const guint8 *)&row->area_km2, sizeof row->area_km2);
            g_byte_array_append(b, (const guint8 *)&wl, sizeof wl);
            if (wl) g_byte_array_append(b, row->wkb, (guint)wl);
        }
    }
    entry_commit(dir, "prepared", key, b);
}
