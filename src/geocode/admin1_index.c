/*
 * Admin-1 names and codes as a data editor writes them, per country:
 * "California", "CA", "US-CA"; "Maharashtra", "Mahārāshtra"; "Kyiv Oblast",
 * and "Western Cape Province" for the region named "Western Cape". Keys are
 * "<country code>|<folded text>"; the first writer wins, and names come
 * before the forms derived from them, so a city and its province ("Kyiv" /
 * "Kyiv Oblast") keep their own names.
 *
 * Then the other names of each region from geodata/admin1_names.tsv.gz (built
 * from Natural Earth's admin-1 table: its own, alternate, local, GeoNames and
 * Latin-script language names, postal abbreviations, and the region a
 * province belongs to): "Kriti", "Kreta" and "Crète" for Crete, "Bayern" for
 * Bavaria, "Puglia" for the six provinces of Apulia. They come last; a name
 * that several regions of one country have finds all of them: the value is
 * then a comma-separated list of codes (fpi_admin1_index_find).
 *
 * Then the ISO 3166-2 codes and names that Natural Earth does not use, from
 * geodata/admin1_iso3166.tsv (geodata/scripts/iso3166_2.py, from Debian's
 * iso-codes): "AU-NSW" and "NSW" for the region NE codes AU-AUS2654, "MX-CMX"
 * for Mexico City, and "GB-SCT", "Scotland" for the 32 council areas NE
 * divides Scotland into, found together as "Puglia"'s provinces are.
 */
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <jansson.h>
#include <zlib.h>
#include "geocode/admin1_index.h"
#include "fp_geocode.h"

struct fp_admin1_index {
    GHashTable *by_key;     /* "A3|folded" -> region code(s) (both owned) */
    GHashTable *by_fuzzy;   /* "A3|fuzzy key" of every name -> region code(s) */
    GHashTable *by_name;    /* folded name (no codes) -> "A3,A3": the countries with such a region */
};

/* Adds code(s) to the comma-separated list under key (owned by the table). */
static void add_codes(GHashTable *h, const char *key, const char *codes)
{
    const char *had = g_hash_table_lookup(h, key);
    if (!had) { g_hash_table_insert(h, g_strdup(key), g_strdup(codes)); return; }
    GString *all = g_string_new(had);
    gchar **list = g_strsplit(codes, ",", -1);
    for (int i = 0; list[i]; i++)
        if (!fpi_admin1_codes_has(all->str, list[i])) g_string_append_printf(all, ",%s", list[i]);
    g_strfreev(list);
    g_hash_table_insert(h, g_strdup(key), g_string_free(all, FALSE));
}

/* Words that name the kind of unit, dropped for a second key. */
static const char *const type_words[] = {
    "state", "province", "region", "oblast", "governorate", "prefecture", "district", "county", "department",
    "municipality", "division", "territory", "emirate", "canton", "voivodeship", "kray", "krai", "republic", "of",
    /* область, обл, край, республика, респ, автономный, округ, as folded (й: и) */
    "\xD0\xBE\xD0\xB1\xD0\xBB\xD0\xB0\xD1\x81\xD1\x82\xD1\x8C", "\xD0\xBE\xD0\xB1\xD0\xBB",
    "\xD0\xBA\xD1\x80\xD0\xB0\xD0\xB8",
    "\xD1\x80\xD0\xB5\xD1\x81\xD0\xBF\xD1\x83\xD0\xB1\xD0\xBB\xD0\xB8\xD0\xBA\xD0\xB0",
    "\xD1\x80\xD0\xB5\xD1\x81\xD0\xBF",
    "\xD0\xB0\xD0\xB2\xD1\x82\xD0\xBE\xD0\xBD\xD0\xBE\xD0\xBC\xD0\xBD\xD1\x8B\xD0\xB8",
    "\xD0\xBE\xD0\xBA\xD1\x80\xD1\x83\xD0\xB3", NULL };

/* Suffixes that name the kind of unit in Chinese, Japanese and Korean, where
 * words have no spaces: 广东省 is 广东, 广西壮族自治区 广西, 大分県 大分,
 * 경기도 경기. The longest first; one is dropped, when two or more
 * characters are left. */
static const char *const type_suffixes[] = {
    /* 维吾尔自治区 維吾爾自治區 壮族自治区 壯族自治區 回族自治区 回族自治區 特别行政区 特別行政區 自治区 自治區 省 市 県 府 都 道 특별시 광역시 도 */
    "\xE7\xBB\xB4\xE5\x90\xBE\xE5\xB0\x94\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8C\xBA",
    "\xE7\xB6\xAD\xE5\x90\xBE\xE7\x88\xBE\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8D\x80",
    "\xE5\xA3\xAE\xE6\x97\x8F\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8C\xBA",
    "\xE5\xA3\xAF\xE6\x97\x8F\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8D\x80",
    "\xE5\x9B\x9E\xE6\x97\x8F\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8C\xBA",
    "\xE5\x9B\x9E\xE6\x97\x8F\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8D\x80",
    "\xE7\x89\xB9\xE5\x88\xAB\xE8\xA1\x8C\xE6\x94\xBF\xE5\x8C\xBA",
    "\xE7\x89\xB9\xE5\x88\xA5\xE8\xA1\x8C\xE6\x94\xBF\xE5\x8D\x80", "\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8C\xBA",
    "\xE8\x87\xAA\xE6\xB2\xBB\xE5\x8D\x80", "\xE7\x9C\x81", "\xE5\xB8\x82", "\xE7\x9C\x8C", "\xE5\xBA\x9C",
    "\xE9\x83\xBD", "\xE9\x81\x93", "\xED\x8A\xB9\xEB\xB3\x84\xEC\x8B\x9C", "\xEA\xB4\x91\xEC\x97\xAD\xEC\x8B\x9C",
    "\xEB\x8F\x84", NULL };

/* folded without a trailing type_suffixes entry (g_malloc'd), or NULL. */
static char *strip_suffix(const char *folded)
{
    size_t n = strlen(folded);
    for (int k = 0; type_suffixes[k]; k++) {
        size_t l = strlen(type_suffixes[k]);
        if (n <= l || strcmp(folded + n - l, type_suffixes[k])) continue;
        if (g_utf8_strlen(folded, (gssize)(n - l)) < 2 || folded[n - l - 1] == ' ') return NULL;
        return g_strndup(folded, n - l);
    }
    return NULL;
}

static char *strip_types(const char *folded)
{
    GString *o = g_string_new(NULL);
    gchar **w = g_strsplit(folded, " ", -1);
    for (int i = 0; w[i]; i++) {
        int skip = !*w[i];
        for (int k = 0; type_words[k] && !skip; k++) skip = !strcmp(w[i], type_words[k]);
        if (skip) continue;
        if (o->len) g_string_append_c(o, ' ');
        g_string_append(o, w[i]);
    }
    g_strfreev(w);
    char *bare = strip_suffix(o->str);
    if (bare) {
        g_string_assign(o, bare);
        g_free(bare);
    }
    return g_string_free(o, FALSE);
}

/* Records that country a3 has a region called `folded`: its names and the
 * other names of admin1_names.tsv.gz, which include postal codes and loose
 * words ("GA", "South"), so a reading through this table counts only when
 * the town is found in that region (qualified_place.c). */
static void put_country(GHashTable *by_name, const char *a3, const char *folded)
{
    if (!folded || !*folded) return;
    add_codes(by_name, folded, a3);
}

static void put(GHashTable *h, const char *a3, const char *folded, const char *code)
{
    if (!folded || !*folded) return;
    char *k = g_strdup_printf("%s|%s", a3, folded);
    if (g_hash_table_contains(h, k)) g_free(k);
    else g_hash_table_insert(h, k, g_strdup(code));
}

typedef struct row { char *code, *name, *parent; } row;

/* Reads "code TAB name|name|..." lines into code -> names. A missing file
 * means no other names (a data directory from before the file existed). */
static fp_status read_aliases(const char *path, GHashTable *by_code, fp_error *err)
{
    if (!path || access(path, R_OK) != 0) return FP_OK;
    gzFile fh = gzopen(path, "rb");
    if (!fh) return fp_error_set(err, FP_ERR_IO, "%s: %s", path, strerror(errno));
    char line[8192];
    long lineno = 0;
    fp_status st = FP_OK;
    while (!st && gzgets(fh, line, sizeof line)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] != '\n' && !gzeof(fh))
            st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: longer than %zu bytes", path, lineno, sizeof line - 1);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (st || lineno == 1) continue;        /* the header */
        char *tab = strchr(line, '\t');
        if (!tab) st = fp_error_set(err, FP_ERR_INPUT, "%s: line %ld: expected 'code<TAB>names'", path, lineno);
        else {
            *tab = '\0';
            gchar **names = g_strsplit(tab + 1, "|", -1), **had = g_hash_table_lookup(by_code, line);
            if (had) {      /* the second file's names after the first's */
                gchar *both = g_strjoinv("|", had), *all = g_strconcat(both, "|", tab + 1, NULL);
                g_strfreev(names);
                names = g_strsplit(all, "|", -1);
                g_free(both);
                g_free(all);
            }
            g_hash_table_insert(by_code, g_strdup(line), names);
        }
    }
    gzclose(fh);
    return st;
}

static void collect(const char *code, const char *name, const char *parent, void *ud)
{
    row r = { g_strdup(code), g_strdup(name), g_strdup(parent) };
    g_array_append_val((GArray *)ud, r);
}

fp_status fpi_admin1_index_new(fp_store *store, fp_admin1_index **out, fp_error *err)
{
    char aliases_path[4096], iso_path[4096];
    fp_data_path(fp_store_context(store), "admin1_names.tsv.gz", aliases_path, sizeof aliases_path);
    fp_data_path(fp_store_context(store), "admin1_iso3166.tsv", iso_path, sizeof iso_path);
    *out = NULL;
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(row));
    GHashTable *aliases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
    fp_status st = read_aliases(aliases_path, aliases, err);
    if (!st) st = read_aliases(iso_path, aliases, err);
    if (!st) st = fp_store_each_admin1(store, collect, rows, err);
    fp_admin1_index *idx = g_new0(fp_admin1_index, 1);
    idx->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    idx->by_fuzzy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    idx->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    /* Pass 1: full codes and names; pass 2: the code after the hyphen and
     * the name without type words. */
    for (int pass = 1; pass <= 2 && !st; pass++) {
        for (guint i = 0; i < rows->len; i++) {
            row *r = &g_array_index(rows, row, i);
            char *fc = fp_fold_text(r->code), *fn = fp_fold_text(r->name);
            if (pass == 1) {
                put(idx->by_key, r->parent, fc, r->code);
                put(idx->by_key, r->parent, fn, r->code);
                put_country(idx->by_name, r->parent, fn);
            } else {
                const char *dash = strchr(r->code, '-');
                /* Only ISO-like suffixes (1-3 characters); fallback codes carry NE ids. */
                if (dash && strlen(dash + 1) <= 3) {
                    char *fs = fp_fold_text(dash + 1);
                    put(idx->by_key, r->parent, fs, r->code);
                    free(fs);
                }
                char *ft = fn ? strip_types(fn) : NULL;
                put(idx->by_key, r->parent, ft, r->code);
                put_country(idx->by_name, r->parent, ft);
                g_free(ft);
            }
            free(fc);
            free(fn);
        }
    }
    /* Pass 3: other names; "A3|folded" -> the codes of every region that
     * has the name, comma-separated in load order ("Puglia": its six
     * provinces). */
    GHashTable *other = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < rows->len && !st; i++) {
        row *r = &g_array_index(rows, row, i);
        gchar **names = g_hash_table_lookup(aliases, r->code);
        for (int k = 0; names && names[k]; k++) {
            char *fa = fp_fold_text(names[k]);
            char *ft = fa ? strip_types(fa) : NULL;
            const char *forms[2] = { fa, ft };
            for (int f = 0; f < 2; f++) {
                if (!forms[f] || !*forms[f] || (f == 1 && !strcmp(forms[0], forms[1]))) continue;
                char *key = g_strdup_printf("%s|%s", r->parent, forms[f]);
                add_codes(other, key, r->code);      /* once per region: "Bayern" may come from two fields */
                g_free(key);
                put_country(idx->by_name, r->parent, forms[f]);
            }
            free(fa);
            g_free(ft);
        }
    }
    /* Names and codes of passes 1 and 2 keep their own meaning. */
    GHashTableIter oit;
    gpointer ok, ov;
    g_hash_table_iter_init(&oit, other);
    while (g_hash_table_iter_next(&oit, &ok, &ov))
        if (!g_hash_table_contains(idx->by_key, ok)) g_hash_table_insert(idx->by_key, g_strdup(ok), g_strdup(ov));
    /* Last resort, the spelling variants of every name above, as geocode
     * evens out place names (fp_fuzzy_key): "Poltavska Oblast" meets
     * "Poltavs'ka", "Kamchatskiy Kray" "Kamchatskii". */
    GHashTableIter fit;
    gpointer fk, fv;
    g_hash_table_iter_init(&fit, idx->by_key);
    while (g_hash_table_iter_next(&fit, &fk, &fv)) {
        const char *bar = strchr(fk, '|');
        char *bare = strip_types(bar + 1), *fz = fp_fuzzy_key(bare);
        if (fz && *fz) {
            char *key = g_strdup_printf("%.*s|%s", (int)(bar - (const char *)fk), (const char *)fk, fz);
            add_codes(idx->by_fuzzy, key, fv);
            g_free(key);
        }
        free(fz);
        g_free(bare);
    }
    g_hash_table_destroy(other);
    g_hash_table_destroy(aliases);
    for (guint i = 0; i < rows->len; i++) {
        row *r = &g_array_index(rows, row, i);
        g_free(r->code); g_free(r->name); g_free(r->parent);
    }
    g_array_free(rows, TRUE);
    if (st) { fpi_admin1_index_free(idx); return st; }
    *out = idx;
    return FP_OK;
}

const char *fpi_admin1_index_find(const fp_admin1_index *idx, const char *a3, const char *text)
{
    if (!idx || !a3 || !text || !*text) return NULL;
    char *f = fp_fold_text(text);
    if (!f || !*f) { free(f); return NULL; }
    char *k = g_strdup_printf("%s|%s", a3, f);
    const char *code = g_hash_table_lookup(idx->by_key, k);
    if (!code) {
        char *s = strip_types(f);
        g_free(k);
        k = g_strdup_printf("%s|%s", a3, s);
        code = g_hash_table_lookup(idx->by_key, k);
        if (!code) {
            char *fz = fp_fuzzy_key(s);
            g_free(k);
            k = g_strdup_printf("%s|%s", a3, fz ? fz : "");
            free(fz);
            code = g_hash_table_lookup(idx->by_fuzzy, k);
        }
        g_free(s);
    }
    g_free(k);
    free(f);
    return code;
}

const char *fpi_admin1_index_countries(const fp_admin1_index *idx, const char *text)
{
    if (!idx || !text || !*text) return NULL;
    char *f = fp_fold_text(text);
    if (!f || !*f) { free(f); return NULL; }
    const char *a3s = g_hash_table_lookup(idx->by_name, f);
    if (!a3s) {
        char *s = strip_types(f);
        if (*s) a3s = g_hash_table_lookup(idx->by_name, s);
        g_free(s);
    }
    free(f);
    return a3s;
}

int fpi_admin1_codes_has(const char *codes, const char *code)
{
    if (!codes || !code || !*code) return 0;
    size_t n = strlen(code);
    for (const char *p = codes; (p = strstr(p, code)) != NULL; p += n)
        if ((p == codes || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

void fpi_admin1_index_free(fp_admin1_index *idx)
{
    if (!idx) return;
    g_hash_table_destroy(idx->by_key);
    g_hash_table_destroy(idx->by_fuzzy);
    g_hash_table_destroy(idx->by_name);
    g_free(idx);
}

int fpi_admin1_key_rank(const char *key)
{
    static const char *const names[] = { "state", "province", "region", "admin1", "adm1", "admin1name", "adm1name",
                                         "adminname", "stateprovince", "provincestate", NULL };
    char norm[64];
    size_t n = 0;
    for (const char *p = key; *p && n + 1 < sizeof norm; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) norm[n++] = *p;
        else if (*p >= 'A' && *p <= 'Z') norm[n++] = (char)(*p + 32);
    norm[n] = '\0';
    for (int k = 0; names[k]; k++)
        if (!strcmp(norm, names[k])) return k;
    return -1;
}

char *fpi_admin1_from_extra(const char *extra_json)
{
    if (!extra_json || extra_json[0] != '{') return NULL;
    json_t *o = json_loads(extra_json, 0, NULL);
    if (!json_is_object(o)) { json_decref(o); return NULL; }
    char *found = NULL;
    int best = 1 << 30;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (!json_is_string(v) || !*json_string_value(v)) continue;
        int k = fpi_admin1_key_rank(key);
        if (k >= 0 && k < best) {
            free(found);
            found = strdup(json_string_value(v));
            best = k;
        }
    }
    json_decref(o);
    return found;
}
