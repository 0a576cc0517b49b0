/* Country look-up table built from the store's country regions. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "geocode/country_index.h"
#include "fp_geocode.h"

struct fp_country_index {
    GHashTable *by_key;     /* folded text -> fp_country* (owned by `all`) */
    fp_country *all;
    long n;
};

static void add_key(fp_country_index *idx, const char *text, fp_country *c)
{
    if (!text || !*text) return;
    char *k = fp_fold_text(text);
    if (!k || !*k) { free(k); return; }
    /* First writer wins: codes are added before names, so "CHN" never
     * resolves to a region merely named "Chn". */
    if (g_hash_table_contains(idx->by_key, k)) free(k);
    else g_hash_table_insert(idx->by_key, k, c);
}

fp_status fp_country_index_new(sqlite3 *db, fp_country_index **out, fp_error *err)
{
    *out = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT code, iso_a2, name, name_long FROM regions WHERE level='country' ORDER BY code",
                           -1, &q, NULL) != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "cannot read regions: %s", sqlite3_errmsg(db));
    fp_country_index *idx = calloc(1, sizeof *idx);
    long cap = 0;
    idx->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    /* Two passes over the rows: codes first, then names (see add_key). */
    char (*names)[2][256] = NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (idx->n == cap) {
            cap = cap ? cap * 2 : 256;
            idx->all = realloc(idx->all, cap * sizeof *idx->all);
            names = realloc(names, cap * sizeof *names);
        }
        fp_country *c = &idx->all[idx->n];
        memset(c, 0, sizeof *c);
        const char *code = (const char *)sqlite3_column_text(q, 0);
        const char *a2 = (const char *)sqlite3_column_text(q, 1);
        const char *name = (const char *)sqlite3_column_text(q, 2);
        const char *nl = (const char *)sqlite3_column_text(q, 3);
        snprintf(c->a3, sizeof c->a3, "%s", code ? code : "");
        snprintf(c->a2, sizeof c->a2, "%s", a2 ? a2 : "");
        snprintf(names[idx->n][0], 256, "%s", name ? name : "");
        snprintf(names[idx->n][1], 256, "%s", nl ? nl : "");
        idx->n++;
    }
    sqlite3_finalize(q);
    for (long i = 0; i < idx->n; i++) add_key(idx, idx->all[i].a3, &idx->all[i]);
    for (long i = 0; i < idx->n; i++) add_key(idx, idx->all[i].a2, &idx->all[i]);
    for (long i = 0; i < idx->n; i++) {
        add_key(idx, names[i][0], &idx->all[i]);
        add_key(idx, names[i][1], &idx->all[i]);
    }
    free(names);
    /* ISO codes of territories that Natural Earth (and so geodata/) keeps
     * inside their sovereign country: French overseas departments, Svalbard
     * and Jan Mayen, the Caribbean Netherlands. */
    static const char *const folded_into[][2] = {
        { "GF", "FRA" }, { "GUF", "FRA" }, { "GP", "FRA" }, { "GLP", "FRA" }, { "MQ", "FRA" }, { "MTQ", "FRA" },
        { "RE", "FRA" }, { "REU", "FRA" }, { "YT", "FRA" }, { "MYT", "FRA" }, { "SJ", "NOR" }, { "SJM", "NOR" },
        { "BQ", "NLD" }, { "BES", "NLD" } };
    for (size_t i = 0; i < sizeof folded_into / sizeof folded_into[0]; i++) {
        char *sovereign = fp_fold_text(folded_into[i][1]);
        fp_country *c = sovereign ? g_hash_table_lookup(idx->by_key, sovereign) : NULL;
        free(sovereign);
        if (c) add_key(idx, folded_into[i][0], c);
    }
    *out = idx;
    return FP_OK;
}

const fp_country *fp_country_index_find(const fp_country_index *idx, const char *text)
{
    if (!idx || !text || !*text) return NULL;
    char *k = fp_fold_text(text);
    const fp_country *c = k ? g_hash_table_lookup(idx->by_key, k) : NULL;
    free(k);
    return c;
}

long fp_country_index_size(const fp_country_index *idx) { return idx ? idx->n : 0; }

void fp_country_index_free(fp_country_index *idx)
{
    if (!idx) return;
    g_hash_table_destroy(idx->by_key);
    free(idx->all);
    free(idx);
}
