/*
 * Where imported rows go: the store's loader (fp_store_loader_*), the
 * per-kind counts, duplicate-id detection, year/amount parsing, country
 * resolution, progress and interruption.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <geos_c.h>
#include "ingest/ingest_internal.h"
#include "fp_store.h"
#include "geocode/country_index.h"
#include "common/util.h"
#include "common/json_util.h"

struct fp_sink {
    fp_store *store;
    const char *path;
    long import_id;
    const char *dataset;
    fp_import_result *res;
    fp_store_loader *loader;
    fp_country_index *countries;
    double started, last_progress;
    long ticks;
    GEOSContextHandle_t geos;     /* geometry checks of this import (one thread) */
};

static const char *const kind_names[FP_REJECT_KINDS] = {
    [FP_REJECT_MALFORMED] = "malformed row",
    [FP_REJECT_NO_LOCATION] = "no location",
    [FP_REJECT_COORD_MISSING] = "coordinates missing",
    [FP_REJECT_COORD_NOT_NUMBER] = "coordinates not numbers",
    [FP_REJECT_COORD_NOT_FINITE] = "coordinates NaN or infinite",
    [FP_REJECT_COORD_RANGE] = "coordinates out of range",
    [FP_REJECT_BAD_WKT] = "unreadable WKT",
    [FP_REJECT_EMPTY_GEOMETRY] = "empty geometry",
    [FP_REJECT_INVALID_GEOMETRY] = "invalid geometry",
    [FP_REJECT_DUPLICATE_ID] = "duplicate id",
};

const char *fp_reject_kind_name(fp_reject_kind kind)
{
    return (kind >= 0 && kind < FP_REJECT_KINDS) ? kind_names[kind] : "unknown";
}

fp_status fpi_sink_new(fp_store *store, const char *path, long import_id, const char *dataset,
                      fp_import_result *res, fp_sink **out, fp_error *err)
{
    fp_sink *s = calloc(1, sizeof *s);
    if (!s) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    s->store = store;
    s->path = path;
    s->import_id = import_id;
    s->dataset = dataset;
    s->res = res;
    s->started = s->last_progress = fpi_now();
    fp_status st = fp_store_loader_new(store, import_id, dataset, path, &s->loader, err);
    if (st == FP_OK) st = fpi_country_index_new(store, &s->countries, err);
    if (st) { fpi_sink_free(s); return st; }
    *out = s;
    return FP_OK;
}

void *fpi_sink_geos(fp_sink *s)
{
    if (!s->geos) s->geos = GEOS_init_r();
    return s->geos;
}

fp_status fpi_sink_finish(fp_sink *s, fp_error *err)
{
    return fp_store_loader_finish(s->loader, err);
}

void fpi_sink_free(fp_sink *s)
{
    if (!s) return;
    fp_store_loader_free(s->loader);
    fpi_country_index_free(s->countries);
    if (s->geos) GEOS_finish_r(s->geos);
    free(s);
}

fp_status fpi_sink_reject(fp_sink *s, long line, long feature, fp_reject_kind kind, const char *reason,
                         const char *raw, size_t raw_len, fp_error *err)
{
    char full[1024];
    snprintf(full, sizeof full, "%s: %s", kind_names[kind], reason ? reason : "");
    /* Reasons quote the input cut to a length ("%.60s"), which can split a
     * character: only valid UTF-8 is stored (found by fuzzing, see
     * tests/fuzz/regressions/csv_import/). */
    fpi_utf8_sanitize(full);
    /* Raw text is stored only as valid UTF-8 (callers convert Latin-1);
     * capped so a pathological row cannot bloat the store. */
    const char *kept = NULL;
    size_t keep = 0;
    if (raw && raw_len > 0 && fpi_utf8_valid(raw, raw_len)) {
        /* The cap must not split a character: back off to the start of
         * the one it would cut (found by the broken-input corpus: a long
         * row of 'é' stored with half a character at the end). */
        keep = raw_len;
        if (keep > 65536) {
            keep = 65536;
            while (keep > 0 && ((unsigned char)raw[keep] & 0xC0) == 0x80) keep--;
        }
        kept = raw;
    }
    fp_status st = fp_store_loader_reject(s->loader, line, feature, full, kept, keep, err);
    if (st) return st;
    s->res->rejected++;
    s->res->by_kind[kind]++;
    return FP_OK;
}

/* Leading four-digit year in 1000..2999 ("2019", "2019-2021", "2019.0"). */
static int parse_year(const char *v, int *year)
{
    while (*v == ' ') v++;
    if (strlen(v) < 4) return 0;
    for (int i = 0; i < 4; i++) if (v[i] < '0' || v[i] > '9') return 0;
    if (v[4] >= '0' && v[4] <= '9') return 0;
    int y = atoi(v);
    if (y < 1000 || y > 2999) return 0;
    *year = y;
    return 1;
}

fp_status fpi_sink_store(fp_sink *s, const fp_row *row, const char *raw, size_t raw_len, fp_error *err)
{
    const char *const *v = row->values;
    fp_project_record p = { .source_key = v[FP_F_ID], .source_line = row->line > 0 ? row->line : row->feature,
                            .company = v[FP_F_COMPANY], .category = v[FP_F_CATEGORY], .name = v[FP_F_NAME],
                            .place = v[FP_F_PLACE], .country = v[FP_F_COUNTRY], .status = v[FP_F_STATUS],
                            .source = v[FP_F_SOURCE], .wkb = row->wkb, .wkb_len = row->wkb_len,
                            .is_point = row->is_point, .x = row->x, .y = row->y };
    const fp_country *c = fpi_country_index_find(s->countries, v[FP_F_COUNTRY]);
    if (c) p.country_code = c->a3;

    json_t *extra = row->extra;
    if (v[FP_F_YEAR] && *v[FP_F_YEAR]) {
        if (parse_year(v[FP_F_YEAR], &p.year)) p.has_year = 1;
        else if (extra) {
            json_object_set_new(extra, "year_raw", json_string(v[FP_F_YEAR]));
            s->res->year_not_understood++;
        }
    }
    if (v[FP_F_AMOUNT] && *v[FP_F_AMOUNT]) {
        char *end;
        errno = 0;
        double a = strtod(v[FP_F_AMOUNT], &end);
        while (*end == ' ') end++;
        if (*end == '\0' && end != v[FP_F_AMOUNT] && isfinite(a)) { p.amount = a; p.has_amount = 1; }
        else if (extra) json_object_set_new(extra, "amount_raw", json_string(v[FP_F_AMOUNT]));
    }
    char *extra_text = NULL;
    if (extra && json_object_size(extra) > 0) extra_text = fpi_json_dumps(extra, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
    p.extra = extra_text;

    fp_store_refusal refused;
    fp_status st = fp_store_loader_project(s->loader, &p, &refused, err);
    free(extra_text);
    if (st) return st;
    if (refused == FP_STORE_DUPLICATE) {
        char reason[512];
        snprintf(reason, sizeof reason, "id '%.200s' is already stored in dataset '%.200s'",
                 v[FP_F_ID] ? v[FP_F_ID] : "", s->dataset);
        return fpi_sink_reject(s, row->line, row->feature, FP_REJECT_DUPLICATE_ID, reason, raw, raw_len, err);
    }
    if (refused == FP_STORE_BAD_GEOMETRY)
        return fpi_sink_reject(s, row->line, row->feature, FP_REJECT_INVALID_GEOMETRY, "the store cannot encode it",
                              raw, raw_len, err);
    s->res->stored++;
    if (!row->wkb && !row->is_point) s->res->pending_geocode++;
    return FP_OK;
}

fp_status fpi_sink_tick(fp_sink *s, const fp_import_options *opts, fp_error *err)
{
    s->res->rows_read++;
    if ((++s->ticks & 1023) != 0) return FP_OK;
    const fp_context *ctx = fp_store_context(s->store);
    if (s->ticks == 65536) fp_context_pause(ctx, "import:rows");   /* mid-import (tests) */
    if (fp_context_cancelled(ctx))
        return fp_error_set(err, FP_ERR_INTERRUPTED, "%s: interrupted; nothing of this import was stored", s->path);
    double now = fpi_now();
    /* The import's own progress callback, else the context's. */
    if (now - s->last_progress >= 0.5 && ((opts && opts->progress) || fp_context_has_progress(ctx))) {
        if (opts && opts->progress) opts->progress(s->res->rows_read, now - s->started, opts->progress_user);
        else fp_context_progress(ctx, s->res->rows_read, now - s->started);
        s->last_progress = now;
    }
    return FP_OK;
}
