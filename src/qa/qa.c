/*
 * footprint check: the mistakes hand-made project lists always contain.
 *
 * For every stored point (of a dataset, or all), in one pass:
 *   - placeholder: 0,0, or whole degrees on both axes, for points given as
 *     input (a gazetteer's point is never a placeholder);
 *   - decimals: a point given as input (point precision claimed) whose lon
 *     and lat both have fewer than FP_QA_MIN_DECIMALS decimals;
 *   - with a declared country (country_code, else country, recognised as
 *     geocode recognises them: country_index.c): the country the point lies
 *     in, by the aggregate stage's point-in-region index with the same
 *     snapping distance as aggregate. Elsewhere, the variants are tried:
 *     lon/lat swapped, lon negated, lat negated, both negated. One variant
 *     landing in the declared country is a swapped or sign finding with an
 *     unambiguous fix; several are reported without a fix; none is an
 *     outside-country finding with the country it falls in;
 *   - admin1: a row geocoded to a town (precision city: exact, folded,
 *     alternate or fuzzy name, with or without an admin-1 column) whose extra
 *     columns name an admin-1 (admin1, province, state, region) that is not
 *     the admin-1 region its point lies in;
 * and then the duplicates (duplicates.c). --undo and --fix move points
 * first; the findings are stored (qa_store.c) in the same transaction.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "fp_aggregate.h"
#include "fp_geocode.h"
#include "fp_store_qa.h"
#include "common/util.h"
#include "geocode/country_index.h"
#include "geocode/admin1_index.h"
#include "geocode/textfold.h"
#include "qa/qa_internal.h"

static const char *const kind_names[FP_QA_KINDS] = { "outside-country", "swapped", "sign", "placeholder",
                                                     "duplicate", "decimals", "admin1", "possible-duplicate" };

const char *fp_qa_kind_name(fp_qa_kind kind)
{
    return kind >= 0 && kind < FP_QA_KINDS ? kind_names[kind] : "?";
}

fp_status fp_qa_parse_fixes(const char *list, int *fixes, fp_error *err)
{
    *fixes = 0;
    gchar **parts = g_strsplit(list ? list : "", ",", -1);
    fp_status st = FP_OK;
    for (int i = 0; parts[i] && !st; i++) {
        char *p = g_strstrip(parts[i]);
        if (!strcmp(p, "swapped")) *fixes |= FP_QA_FIX_SWAPPED;
        else if (!strcmp(p, "sign")) *fixes |= FP_QA_FIX_SIGN;
        else st = fp_error_set(err, FP_ERR_USAGE, "--fix %s: expected swapped, sign or swapped,sign", list);
    }
    g_strfreev(parts);
    if (!st && !*fixes) st = fp_error_set(err, FP_ERR_USAGE, "--fix: expected swapped, sign or swapped,sign");
    return st;
}

/* ------------------------------------------------------------ strings --- */

int fpi_qa_intern(qa_strings *s, const char *text)
{
    if (!text || !*text) return -1;
    gpointer v = g_hash_table_lookup(s->index, text);
    if (v) return GPOINTER_TO_INT(v) - 1;
    char *copy = g_string_chunk_insert(s->chunk, text);
    g_ptr_array_add(s->all, copy);
    g_hash_table_insert(s->index, copy, GINT_TO_POINTER((int)s->all->len));
    return (int)s->all->len - 1;
}

const char *fpi_qa_string(const qa_strings *s, int i)
{
    return i >= 0 ? g_ptr_array_index(s->all, i) : "";
}

char *fpi_qa_row_ref(const qa_strings *s, const qa_row *r)
{
    if (r->line < 0) return g_strdup_printf("%s: project %lld", fpi_qa_string(s, r->file), r->id);
    if (r->by_line) return g_strdup_printf("%s:%lld", fpi_qa_string(s, r->file), r->line);
    return g_strdup_printf("%s: feature %lld", fpi_qa_string(s, r->file), r->line);
}

int fpi_qa_decimals(double v)
{
    char buf[64];
    for (int p = 0; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*f", p, v);
        if (strtod(buf, NULL) == v) return p;
    }
    return 17;
}

void fpi_qa_format_coord(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.*f", fpi_qa_decimals(v), v);
}

/* ------------------------------------------------------------ context --- */

typedef struct qa_ctx {
    fp_store *store;
    const fp_qa_options *opts;
    fp_qa_result *res;
    double snap;
    fp_country_index *countries_by_name;
    fp_point_locator *countries, *admin1;
    int admin1_missing;           /* no admin-1 regions: the check is skipped */
    fp_admin1_index *admin1_names; /* names and codes as geocode reads them */
    qa_strings str;
    /* The rows kept for the duplicate checks: 64 bytes each, tens of
     * megabytes for a big import, so on huge pages (fpi_big_reserve; on
     * 4 KiB pages their first touch was a third of a 1M-point import's
     * page faults, on the reading thread). */
    qa_row *rows;
    size_t nrows, rows_cap;
    GArray *findings;             /* qa_finding */
    fp_error *err;
    fpi_steps steps;              /* FOOTPRINT_TIMING */
} qa_ctx;

/* An import's points checked as it reads them (fp_qa_feed_new): a context
 * of its own, its rows and findings under their seq until the ids are
 * known, then under their ids. */
struct fp_qa_feed {
    qa_ctx c;
    fp_qa_options opts;           /* snap_km */
    fp_qa_result res;             /* the counts of the fed rows */
    char *dataset;                /* of the import, once its ids are known */
    int abandoned, ids_known;
    long long fed;                /* rows fed */
    long long base;               /* the id the import's first project should get (0: unknown): rows fed as base + seq */
    long long first_id, count;    /* the import's projects: ids first_id .. first_id + count - 1 */
    /* The duplicate sweep of the fed rows, on a thread of its own while the
     * import writes its indexes and commits (fp_qa_feed_rows_done). */
    pthread_t sweeper;
    int sweeping;
    GArray *swept;                /* its findings (qa_finding) */
};

static void finding(qa_ctx *c, fp_qa_kind kind, const qa_row *r, char *evidence, char *suggestion)
{
    qa_finding f = { .kind = kind, .id = r->id, .dataset = fpi_qa_string(&c->str, r->dataset),
                     .row_ref = fpi_qa_row_ref(&c->str, r), .evidence = evidence, .suggestion = suggestion,
                     .lon = r->x, .lat = r->y };
    g_array_append_val(c->findings, f);
}

/* "FRA (France)", or "no country" (at sea, beyond the snapping distance). */
static char *where(qa_ctx *c, double x, double y)
{
    const char *name = NULL, *code = fp_point_locator_find(c->countries, x, y, c->snap, &name, NULL);
    return code ? g_strdup_printf("%s (%s)", code, name) : g_strdup("no country");
}

static char *point_text(double x, double y)
{
    char a[40], b[40];
    fpi_qa_format_coord(x, a, sizeof a);
    fpi_qa_format_coord(y, b, sizeof b);
    return g_strdup_printf("(%s, %s)", a, b);
}

/* The containment check and its variants. */
static void check_country(qa_ctx *c, qa_row *r, const char *declared)
{
    const char *in = fp_point_locator_find(c->countries, r->x, r->y, c->snap, NULL, NULL);
    if (in && !strcmp(in, declared)) return;
    /* Within the snapping distance of the declared country, though inside
     * another (Goma, 0.3 km from Congo's simplified border, in Rwanda's
     * polygon): a border point, never a swapped or sign error. Negating a
     * coordinate there moved correct towns 260-940 km. Reported without a
     * fix, as aggregate counts it in the country it lies in. */
    double near_km = fp_point_locator_distance_km(c->countries, declared, r->x, r->y);
    if (in && near_km >= 0 && near_km <= c->snap) {
        char *here = where(c, r->x, r->y), *pt = point_text(r->x, r->y);
        finding(c, FP_QA_OUTSIDE, r,
                g_strdup_printf("%s falls in %s, %.1f km from the declared %s: a border point (within the snapping "
                                "distance, %.0f km; the regions' borders are simplified, about 2.5 km)", pt, here,
                                near_km, declared, c->snap),
                g_strdup_printf("probably right; check it only if the side of the border matters "
                                "(aggregate counts it in %s)", in));
        g_free(here);
        g_free(pt);
        return;
    }
    static const char *const fixes[] = { "swapped", "sign-lon", "sign-lat", "sign-both" };
    static const char *const labels[] = { "swapped", "lon negated", "lat negated", "both negated" };
    double vx[4] = { r->y, -r->x, r->x, -r->x }, vy[4] = { r->x, r->y, -r->y, -r->y };
    int usable[4] = { fabs(r->x) <= 90 && r->x != r->y, r->x != 0, r->y != 0, r->x != 0 && r->y != 0 };
    int hits = 0, hit = -1;
    GString *variants = g_string_new(NULL);
    for (int v = 0; v < 4; v++) {
        if (!usable[v]) continue;
        char *w = where(c, vx[v], vy[v]), *pt = point_text(vx[v], vy[v]);
        g_string_append_printf(variants, "%s%s %s in %s", variants->len ? "; " : "", labels[v], pt, w);
        const char *vin = fp_point_locator_find(c->countries, vx[v], vy[v], c->snap, NULL, NULL);
        if (vin && !strcmp(vin, declared)) { hits++; if (hit < 0) hit = v; }
        g_free(w);
        g_free(pt);
    }
    char *here = where(c, r->x, r->y), *pt = point_text(r->x, r->y);
    if (hits == 0) {
        double km = near_km;
        char dist[64] = "";
        if (km >= 0) snprintf(dist, sizeof dist, ", about %.0f km from %s", km, declared);
        finding(c, FP_QA_OUTSIDE, r,
                g_strdup_printf("%s falls in %s, not in the declared %s%s (snapping %.0f km); %s", pt, here, declared,
                                dist, c->snap, variants->len ? variants->str : "no variant"),
                g_strdup_printf("check the coordinates and the country"));
    } else {
        qa_finding *f;
        char *fixed = point_text(vx[hit], vy[hit]);
        finding(c, hit == 0 ? FP_QA_SWAPPED : FP_QA_SIGN, r,
                g_strdup_printf("%s falls in %s; %s %s falls in the declared %s%s", pt, here, labels[hit], fixed,
                                declared, hits > 1 ? " (and so does another variant: ambiguous)" : ""),
                hits == 1 ? g_strdup_printf("move to %s (%s)", fixed, fixes[hit])
                          : g_strdup_printf("check the coordinates; variants: %s", variants->str));
        f = &g_array_index(c->findings, qa_finding, c->findings->len - 1);
        if (hits == 1) {
            f->fix = fixes[hit];
            f->fix_lon = vx[hit];
            f->fix_lat = vy[hit];
            c->res->fixable++;
        }
        g_free(fixed);
    }
    g_free(here);
    g_free(pt);
    g_string_free(variants, TRUE);
}

/* The admin-1 a geocoded row names, from its extra columns. */
static char *named_admin1(const char *extra)
{
    if (!extra) return NULL;
    json_t *o = json_loads(extra, 0, NULL);
    char *out = NULL;
    static const char *const keys[] = { "admin1", "province", "state", "region", NULL };
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (!json_is_string(v) || !*json_string_value(v)) continue;
        char *fk = fp_fold_text(k);
        for (int i = 0; fk && keys[i] && !out; i++)
            if (!strcmp(fk, keys[i]) || (!strcmp(keys[i], "admin1") && !strcmp(fk, "admin 1")))
                out = g_strdup(json_string_value(v));
        free(fk);
        if (out) break;
    }
    json_decref(o);
    return out;
}

/* Names match when equal after folding or one contains the other
 * ("Nairobi" and "Nairobi County"). */
static int same_admin1(const char *a, const char *b)
{
    char *fa = fp_fold_text(a), *fb = fp_fold_text(b);
    int same = fa && fb && *fa && *fb && (!strcmp(fa, fb) || strstr(fa, fb) || strstr(fb, fa));
    free(fa);
    free(fb);
    return same;
}

static void check_admin1(qa_ctx *c, qa_row *r, const fp_qa_store_row *in)
{
    char *named = named_admin1(in->extra);
    if (!named) return;
    if (!c->admin1 && !c->admin1_missing) {
        fp_error e = {0};
        if (fp_point_locator_new(c->store, "admin1", &c->admin1, &e)) c->admin1_missing = 1;
    }
    if (c->admin1 && !c->admin1_names) {
        /* The names geocode matched the column against ("Kriti", "Bayern",
         * "IL"), so a row it placed by one is not reported. */
        fp_error e = {0};
        if (fpi_admin1_index_new(c->store, &c->admin1_names, &e)) c->admin1_names = NULL;
    }
    const char *name = NULL, *code = c->admin1 ? fp_point_locator_find(c->admin1, r->x, r->y, 0, &name, NULL) : NULL;
    const fp_country *declared = in->country_code ? fpi_country_index_find(c->countries_by_name, in->country_code) : NULL;
    const char *resolved = declared ? fpi_admin1_index_find(c->admin1_names, declared->a3, named) : NULL;
    char *place = fpi_text_shown(in->place), *named_shown = fpi_text_shown(named);
    if (!code || fpi_admin1_codes_has(resolved, code) || same_admin1(named, name) || same_admin1(named, code)) {
        /* the same region */
    } else if (!resolved && declared) {
        /* A value that names no admin-1 of the country (बिहार, a script the
         * names file lacks) is not evidence of another region: geocode
         * ignored it, and the row says which it is not. */
        finding(c, FP_QA_ADMIN1, r,
                g_strdup_printf("admin-1 \"%s\" not recognised (geocode ignored it), so the town could not be "
                                "checked against it: geocoded \"%s\" lies in %s (%s)", named_shown, place, name, code),
                g_strdup_printf("if %s is not the row's admin-1, check the place name; write the admin-1 as a name or "
                                "ISO 3166-2 code geocode knows (e.g. %s), or give coordinates", name, code));
    } else {
        finding(c, FP_QA_ADMIN1, r,
                g_strdup_printf("geocoded \"%s\" lies in %s (%s), the row names %s", place, name, code, named_shown),
                g_strdup("check the place name or the admin-1, or give coordinates"));
    }
    g_free(place);
    g_free(named_shown);
    g_free(named);
}

/* Whether v has fewer than FP_QA_MIN_DECIMALS decimals: the double
 * nearest to round(v * 10^p) / 10^p is v itself for some p below it (the
 * division of two exact integers is correctly rounded, so this is exact). */
static int few_decimals(double v)
{
    double scale = 1;
    for (int p = 0; p < FP_QA_MIN_DECIMALS; p++, scale *= 10)
        if (round(v * scale) / scale == v) return 1;
    return 0;
}

static fp_status check_row(const fp_qa_store_row *in, void *ctx, fp_error *err)
{
    qa_ctx *c = ctx;
    /* A line or an area is compared by the duplicate checks only: its box's
     * centre is no coordinate anyone typed (no placeholder, no decimals to
     * count, no sign to drop) and may lie outside its own country. */
    int point = in->is_point;
    if (point) c->res->points++;
    else c->res->shapes++;
    qa_row r = { .id = in->id, .x = in->x, .y = in->y, .line = in->line, .company = -1, .category = -1, .name = -1,
                 .country = -1, .ref = -1 };
    r.dataset = fpi_qa_intern(&c->str, in->dataset);
    r.file = fpi_qa_intern(&c->str, in->file);
    r.by_line = fpi_format_rows_by_line(in->format);
    /* Coordinates given as input claim point precision; a gazetteer's
     * (geocode) claim a town's or a country's. */
    r.input_point = !in->geocode_method || !strcmp(in->geocode_method, "input");
    const fp_country *declared = fpi_country_index_find(c->countries_by_name, in->country_code);
    if (!declared) declared = fpi_country_index_find(c->countries_by_name, in->country);
    if (!declared && ((in->country_code && *in->country_code) || (in->country && *in->country))) c->res->unknown_country++;

    if (r.input_point && point) {
        /* The text of the point is only made for a finding: printing and
         * re-reading numbers for every row was most of a 1M-row check. */
        char *pt = NULL;
        if (r.x == 0 && r.y == 0) {
            pt = point_text(r.x, r.y);
            finding(c, FP_QA_PLACEHOLDER, &r, g_strdup_printf("%s: 0,0 (in the Gulf of Guinea) stands for no location", pt),
                    g_strdup("give the real coordinates, or leave them empty and geocode the place"));
        } else if (r.x == floor(r.x) && r.y == floor(r.y)) {
            pt = point_text(r.x, r.y);
            finding(c, FP_QA_PLACEHOLDER, &r, g_strdup_printf("%s: whole degrees on both axes, a typical placeholder", pt),
                    g_strdup("give the real coordinates, or leave them empty and geocode the place"));
        } else if (few_decimals(r.x) && few_decimals(r.y)) {
            int dx = fpi_qa_decimals(r.x), dy = fpi_qa_decimals(r.y), d = dx > dy ? dx : dy;
            pt = point_text(r.x, r.y);
            finding(c, FP_QA_DECIMALS, &r,
                    g_strdup_printf("%s: %d decimal%s on both axes (about +-%.1f km) for a point given as exact", pt,
                                    d, d == 1 ? "" : "s", 111.32 / 2 / pow(10, d)),
                    g_strdup("give coordinates to 4 or more decimals (about 11 m), or geocode the place"));
        }
        g_free(pt);
    }
    if (declared) {
        if (point) c->res->with_country++;
        r.country = fpi_qa_intern(&c->str, declared->a3);
        if (point && !(r.x == 0 && r.y == 0)) check_country(c, &r, declared->a3);
    }
    if (!r.input_point && in->geocode_method && strcmp(in->geocode_method, "country")) check_admin1(c, &r, in);
    /* Kept for the duplicate checks. */
    r.company = fpi_qa_intern(&c->str, in->company);
    r.category = fpi_qa_intern(&c->str, in->category);
    /* The name folded as geocode folds place names, with the letters its
     * fuzzy key writes out ("Łódź" and "Lodz", "Straße" and "Strasse");
     * kept for rows placed at a town too, which the possible-duplicate
     * rule compares. */
    if (in->name && *in->name && (r.country >= 0 || (in->geocode_ref && *in->geocode_ref))) {
        char *folded = fp_fold_text(in->name), *key = NULL;
        for (const char *q = folded; q && *q && !key; q++)      /* the letters are not ASCII: most names skip it */
            if ((unsigned char)*q >= 0x80) key = fpi_fold_letters(folded);
        r.name = fpi_qa_intern(&c->str, key ? key : folded);
        free(folded);
        free(key);
    }
    if (in->geocode_ref && *in->geocode_ref && r.company >= 0 && r.category >= 0) r.ref = fpi_qa_intern(&c->str, in->geocode_ref);
    if (c->nrows == c->rows_cap) {
        qa_row *grown = fpi_big_reserve(c->rows, &c->rows_cap, c->nrows, c->nrows + 1, sizeof r);
        if (!grown) return fp_error_set(err, FP_ERR_NOMEM, "data check: out of memory for %zu rows", c->nrows + 1);
        c->rows = grown;
    }
    c->rows[c->nrows++] = r;
    return FP_OK;
}

static void findings_clear(GArray *findings)
{
    for (guint i = 0; i < findings->len; i++) {
        qa_finding *f = &g_array_index(findings, qa_finding, i);
        g_free(f->row_ref);
        g_free(f->evidence);
        g_free(f->suggestion);
    }
    g_array_set_size(findings, 0);
}

static int by_row_then_kind(const void *pa, const void *pb)
{
    const qa_finding *a = pa, *b = pb;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return (a->kind > b->kind) - (a->kind < b->kind);
}

/* One pass of every check over the stored points; parallel: read through
 * readers (scan.c), only while this transaction has changed nothing. With
 * fed rows (an import's, checked as it read them: c->rows and c->findings
 * hold them), only the other rows are read. */
static fp_status run_checks(qa_ctx *c, int parallel, const fp_qa_feed *fed, GArray *swept, fp_error *err)
{
    long long skip_from = 1, skip_to = 0;
    long fixable = c->res->fixable;
    size_t fed_rows = c->nrows;
    if (fed) {
        skip_from = fed->first_id;
        skip_to = fed->first_id + fed->count - 1;
    } else {
        findings_clear(c->findings);
        c->nrows = 0;
        c->res->fixable = 0;
        c->res->points = c->res->shapes = c->res->with_country = c->res->unknown_country = 0;
    }
    fp_status st = fpi_qa_scan_points(c->store, c->opts->dataset, parallel, skip_from, skip_to, check_row, c, err);
    if (st) { c->res->fixable = fixable; return st; }
    fpi_steps_mark(&c->steps, fed ? "read others" : "read");
    if (swept && c->nrows == fed_rows) {
        /* The fed rows are all the dataset's: their sweep is the answer. */
        g_array_append_vals(c->findings, swept->data, swept->len);
        g_array_set_size(swept, 0);
    } else {
        for (size_t i = 0; i < c->nrows; i++) c->rows[i].dup = 0;
        fpi_qa_find_duplicates(c->rows, c->nrows, &c->str, c->findings);
    }
    g_array_sort(c->findings, by_row_then_kind);
    fpi_steps_mark(&c->steps, "duplicates");
    return FP_OK;
}

static fp_status apply_fixes(qa_ctx *c, fp_error *err)
{
    long long batch = 0;
    fp_status st = fp_qa_store_next_batch(c->store, &batch, err);
    if (!st) fp_context_pause(fp_store_context(c->store), "check:batch");   /* the number taken (tests) */
    for (guint i = 0; !st && i < c->findings->len; i++) {
        qa_finding *f = &g_array_index(c->findings, qa_finding, i);
        if (!f->fix) continue;
        int wanted = f->kind == FP_QA_SWAPPED ? (c->opts->fix & FP_QA_FIX_SWAPPED) : (c->opts->fix & FP_QA_FIX_SIGN);
        if (!wanted) continue;
        if ((st = fp_qa_store_fix(c->store, batch, f->id, f->fix, f->fix_lon, f->fix_lat, err)) == FP_OK) {
            c->res->fixed++;
            if (c->opts->log) {
                char *from = point_text(f->lon, f->lat), *to = point_text(f->fix_lon, f->fix_lat);
                char *line = g_strdup_printf("%s: fixed (%s): %s moved to %s", f->row_ref, f->fix, from, to);
                c->opts->log(line, c->opts->log_user);
                g_free(line);
                g_free(from);
                g_free(to);
            }
        }
    }
    return st;
}

static fp_status save(qa_ctx *c, fp_error *err)
{
    size_t n = c->findings->len;
    fp_qa_store_finding *sf = calloc(n ? n : 1, sizeof *sf);
    if (!sf) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    GHashTable *flagged = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (size_t i = 0; i < n; i++) {
        qa_finding *f = &g_array_index(c->findings, qa_finding, i);
        sf[i] = (fp_qa_store_finding){ .project_id = f->id, .dataset = f->dataset, .kind = fp_qa_kind_name(f->kind),
                                       .row_ref = f->row_ref, .evidence = f->evidence, .suggestion = f->suggestion,
                                       .other_id = f->other_id, .fix = f->fix, .fix_lon = f->fix_lon, .fix_lat = f->fix_lat };
        c->res->by_kind[f->kind]++;
        g_hash_table_add(flagged, &f->id);
    }
    c->res->findings = (long)n;
    c->res->flagged = g_hash_table_size(flagged);
    g_hash_table_destroy(flagged);
    fp_status st = fp_qa_store_save(c->store, c->opts->dataset, sf, n, err);
    free(sf);
    return st;
}

/* The context's tables and the regions the checks need. */
static fp_status ctx_init(qa_ctx *c, fp_store *store, const fp_qa_options *opts, fp_qa_result *res, fp_error *err)
{
    *c = (qa_ctx){ .store = store, .opts = opts, .res = res, .err = err,
                   .snap = opts->snap_km < 0 ? FP_DEFAULT_SNAP_KM : opts->snap_km };
    c->str.index = g_hash_table_new(g_str_hash, g_str_equal);
    c->str.all = g_ptr_array_new();
    c->str.chunk = g_string_chunk_new(1 << 16);
    c->findings = g_array_new(FALSE, FALSE, sizeof(qa_finding));
    fp_status st = fpi_country_index_new(store, &c->countries_by_name, err);
    if (!st) st = fp_point_locator_new(store, "country", &c->countries, err);
    return st;
}

static void ctx_free(qa_ctx *c)
{
    if (c->findings) {
        findings_clear(c->findings);
        g_array_free(c->findings, TRUE);
    }
    free(c->rows);
    if (c->str.index) g_hash_table_destroy(c->str.index);
    if (c->str.all) g_ptr_array_free(c->str.all, TRUE);
    if (c->str.chunk) g_string_chunk_free(c->str.chunk);
    fp_point_locator_free(c->countries);
    fp_point_locator_free(c->admin1);
    fpi_admin1_index_free(c->admin1_names);
    fpi_country_index_free(c->countries_by_name);
    memset(c, 0, sizeof *c);
}

fp_status fp_qa_check(fp_store *store, const fp_qa_options *opts, fp_qa_result *res, fp_error *err)
{
    fp_qa_result local;                /* the result is optional (footprint.h) */
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_qa_check: store is NULL");
    if (!opts) return fp_error_set(err, FP_ERR_USAGE, "fp_qa_check: opts is NULL");
    if (opts->fix && opts->undo) return fp_error_set(err, FP_ERR_USAGE, "--fix and --undo exclude each other");
    if (opts->report_path && !g_str_has_suffix(opts->report_path, ".csv") &&
        !g_str_has_suffix(opts->report_path, ".geojson") && !g_str_has_suffix(opts->report_path, ".json"))
        return fp_error_set(err, FP_ERR_USAGE, "--report %s: expected FILE.csv or FILE.geojson", opts->report_path);
    /* A dataset without projects is a typo, as in aggregate: not "0 findings". */
    if (opts->dataset) {
        fp_status dst = fp_store_dataset_check(store, opts->dataset, err);
        if (dst) return dst;
    }
    /* An import's fed rows are taken over, with their counts (once: the
     * feed is left empty and abandoned). --fix and --undo change rows
     * first, and then read them all. */
    fp_qa_feed *feed = opts->feed && !opts->fix && !opts->undo && fp_qa_feed_usable(opts->feed, opts->dataset)
                     && (opts->snap_km < 0 ? FP_DEFAULT_SNAP_KM : opts->snap_km) == opts->feed->c.snap
                     ? opts->feed : NULL;
    /* FOOTPRINT_TIMING=1: the time of each step (the checks: read, which
     * also checks each row as it comes, and duplicates). */
    fpi_steps steps;
    fpi_steps_start(&steps, fp_store_context(store));
    qa_ctx c;
    GArray *swept = NULL;
    fp_status st = FP_OK;
    if (feed) {
        swept = feed->swept;              /* joined by fp_qa_feed_ids */
        feed->swept = NULL;
        c = feed->c;
        memset(&feed->c, 0, sizeof feed->c);
        feed->abandoned = 1;
        c.opts = opts;
        c.res = res;
        c.err = err;
        res->points = feed->res.points;
        res->shapes = feed->res.shapes;
        res->with_country = feed->res.with_country;
        res->unknown_country = feed->res.unknown_country;
        res->fixable = feed->res.fixable;
    } else {
        st = ctx_init(&c, store, opts, res, err);
    }
    c.steps = steps;
    if (!st) fpi_steps_mark(&c.steps, "regions");
    if (!st) st = fp_store_begin(store, err);
    if (st) goto out;
    if (opts->undo) {
        st = fp_qa_store_undo_last(store, opts->dataset, &res->undone, &res->undo_kept, err);
        if (!st && opts->log) {
            char kept[160] = "";
            if (res->undo_kept)
                snprintf(kept, sizeof kept, "; %ld row%s edited since the fix left as %s (not where the fix put %s)",
                         res->undo_kept, res->undo_kept == 1 ? "" : "s", res->undo_kept == 1 ? "it is" : "they are",
                         res->undo_kept == 1 ? "it" : "them");
            char *line = res->undone || res->undo_kept
                             ? g_strdup_printf("undone: the last --fix, %ld row%s put back as they were%s", res->undone,
                                               res->undone == 1 ? "" : "s", kept)
                             : g_strdup("undone: nothing (no --fix to undo)");
            opts->log(line, opts->log_user);
            g_free(line);
        }
    }
    if (!st) st = run_checks(&c, !opts->undo, feed, swept, err);
    if (!st && opts->fix) {
        st = apply_fixes(&c, err);
        /* The findings of the points as they now are. */
        if (!st) st = run_checks(&c, 0, NULL, NULL, err);
    }
    if (!st) st = fp_point_locator_status(c.countries, err);
    if (!st) st = fp_point_locator_status(c.admin1, err);
    if (!st) st = save(&c, err);
    if (!st) fpi_steps_mark(&c.steps, "save");
    if (!st && opts->report_path)
        st = fpi_qa_write_report(opts->report_path, (const qa_finding *)(void *)c.findings->data, c.findings->len, err);
    if (!st) st = fp_store_commit(store, err);
    if (st) {
        fp_store_rollback(store);
        goto out;
    }
    fpi_steps_mark(&c.steps, "commit");
    if (opts->log)
        for (guint i = 0; i < c.findings->len; i++) {
            const qa_finding *f = &g_array_index(c.findings, qa_finding, i);
            char *line = g_strdup_printf("%s: %s: %s%s%s", f->row_ref, fp_qa_kind_name(f->kind), f->evidence,
                                         f->suggestion ? "; suggested: " : "", f->suggestion ? f->suggestion : "");
            opts->log(line, opts->log_user);
            g_free(line);
        }
out:
    res->seconds = fpi_now() - t0;
    ctx_free(&c);
    if (swept) {
        findings_clear(swept);
        g_array_free(swept, TRUE);
    }
    return st;
}

/* ---------------------------------------------------- the import's feed --- */

fp_status fp_qa_feed_new(fp_store *store, double snap_km, fp_qa_feed **out, fp_error *err)
{
    *out = NULL;
    fp_qa_feed *f = calloc(1, sizeof *f);
    if (!f) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    f->opts.snap_km = snap_km;
    fp_status st = ctx_init(&f->c, store, &f->opts, &f->res, err);
    f->c.err = NULL;              /* the caller's, gone once this returns */
    if (st) {
        fp_qa_feed_free(f);
        return st;
    }
    *out = f;
    return FP_OK;
}

/* Waits for the sweep of the fed rows, and with discard drops what it
 * found and the duplicate marks it left on the rows. */
static void sweep_end(fp_qa_feed *f, int discard)
{
    if (f->sweeping) pthread_join(f->sweeper, NULL);
    f->sweeping = 0;
    if (!discard || !f->swept) return;
    findings_clear(f->swept);
    g_array_free(f->swept, TRUE);
    f->swept = NULL;
    for (size_t i = 0; i < f->c.nrows; i++) f->c.rows[i].dup = 0;
}

static void *sweep_main(void *arg)
{
    fp_qa_feed *f = arg;
    fpi_qa_find_duplicates(f->c.rows, f->c.nrows, &f->c.str, f->swept);
    return NULL;
}

void fp_qa_feed_set_base(fp_qa_feed *f, long long base)
{
    if (f && !f->fed && base > 0) f->base = base;
}

void fp_qa_feed_rebase(fp_qa_feed *f, long long first_id)
{
    if (!f || f->abandoned || f->sweeping || f->swept || first_id < 1) return;
    long long delta = first_id - f->base;
    for (size_t i = 0; i < f->c.nrows; i++) f->c.rows[i].id += delta;
    for (guint i = 0; i < f->c.findings->len; i++) g_array_index(f->c.findings, qa_finding, i).id += delta;
    f->base = first_id;
}

void fp_qa_feed_rows_done(fp_qa_feed *f)
{
    /* The ids in the evidence must be the rows' real ones: only with the
     * first id known in advance (checked by fp_qa_feed_ids). */
    if (!f || f->abandoned || f->base <= 0 || f->sweeping || f->swept || f->c.nrows < 2) return;
    f->swept = g_array_new(FALSE, FALSE, sizeof(qa_finding));
    if (pthread_create(&f->sweeper, NULL, sweep_main, f) == 0) f->sweeping = 1;
    else sweep_end(f, 1);
}

void fp_qa_feed_free(fp_qa_feed *f)
{
    if (!f) return;
    sweep_end(f, 1);
    ctx_free(&f->c);
    g_free(f->dataset);
    free(f);
}

void fp_qa_feed_point(fp_qa_feed *f, long long seq, const fp_qa_store_row *row)
{
    if (!f || f->abandoned) return;
    /* A row without a line would name its project id in its findings,
     * unknown yet. The import's rows all have one. */
    if (seq < 0 || row->line < 0) { fp_qa_feed_abandon(f); return; }
    fp_qa_store_row r = *row;
    r.id = f->base + seq;
    /* Out of memory: the check reads everything instead. */
    if (check_row(&r, &f->c, NULL)) { fp_qa_feed_abandon(f); return; }
    f->fed++;
}

void fp_qa_feed_abandon(fp_qa_feed *f)
{
    if (!f || f->abandoned) return;
    sweep_end(f, 1);
    f->abandoned = 1;
    /* The memory goes now: the check reads everything anyway. */
    findings_clear(f->c.findings);
    free(f->c.rows);
    f->c.rows = NULL;
    f->c.nrows = f->c.rows_cap = 0;
}

void fp_qa_feed_ids(fp_qa_feed *f, const char *dataset, long long first_id, long long count)
{
    if (!f || f->abandoned) return;
    if (!dataset || count < 0 || first_id < 1 || first_id > INT64_MAX - count) { fp_qa_feed_abandon(f); return; }
    /* Fed as base + seq: moved by the difference, when the import's ids
     * did not start where expected (the sweep's evidence then names wrong
     * ids: it goes, and the check sweeps again). */
    long long delta = first_id - f->base;
    sweep_end(f, delta != 0);
    for (size_t i = 0; i < f->c.nrows; i++) {
        if (f->c.rows[i].id - f->base >= count) { fp_qa_feed_abandon(f); return; }
        f->c.rows[i].id += delta;
    }
    for (guint i = 0; i < f->c.findings->len; i++) g_array_index(f->c.findings, qa_finding, i).id += delta;
    f->first_id = first_id;
    f->count = count;
    f->dataset = g_strdup(dataset);
    f->ids_known = 1;
}

int fp_qa_feed_usable(const fp_qa_feed *f, const char *dataset)
{
    return f && !f->abandoned && f->ids_known && dataset && !strcmp(dataset, f->dataset);
}
