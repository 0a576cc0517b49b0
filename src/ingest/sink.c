/*
 * Where imported rows go: prepared INSERTs into projects and rejects, the
 * per-kind counts, duplicate-id detection, year/amount parsing, country
 * resolution, progress and interruption.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "ingest/ingest_internal.h"
#include "store/store_internal.h"
#include "geocode/country_index.h"
#include "common/util.h"

struct fp_sink {
    fp_store *store;
    const char *path;
    long import_id;
    const char *dataset;
    fp_import_result *res;
    sqlite3_stmt *insert_project, *insert_reject;
    fp_country_index *countries;
    double started, last_progress;
    long ticks;
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

fp_status fp_sink_new(fp_store *store, const char *path, long import_id, const char *dataset,
                      fp_import_result *res, fp_sink **out, fp_error *err)
{
    fp_sink *s = calloc(1, sizeof *s);
    if (!s) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    s->store = store;
    s->path = path;
    s->import_id = import_id;
    s->dataset = dataset;
    s->res = res;
    s->started = s->last_progress = fp_now();
    sqlite3 *db = fp_store_sqlite(store);
    if (sqlite3_prepare_v2(db,
            "INSERT INTO projects(import_id, dataset, source_key, source_line, company, category, name, place,"
            " country, country_code, year, status, amount, source, extra, geom, geocode_method, geocode_precision)"
            " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
            " CASE WHEN ?16 IS NULL THEN NULL ELSE 'input' END, CASE WHEN ?16 IS NULL THEN NULL ELSE 'point' END)",
            -1, &s->insert_project, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO rejects(import_id, line, feature, reason, raw) VALUES(?,?,?,?,?)",
                           -1, &s->insert_reject, NULL) != SQLITE_OK) {
        fp_status st = fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(store), sqlite3_errmsg(db));
        fp_sink_free(s);
        return st;
    }
    fp_status st = fp_country_index_new(db, &s->countries, err);
    if (st) { fp_sink_free(s); return st; }
    *out = s;
    return FP_OK;
}

void fp_sink_free(fp_sink *s)
{
    if (!s) return;
    sqlite3_finalize(s->insert_project);
    sqlite3_finalize(s->insert_reject);
    fp_country_index_free(s->countries);
    free(s);
}

static fp_status db_error(fp_sink *s, fp_error *err)
{
    sqlite3 *db = fp_store_sqlite(s->store);
    int rc = sqlite3_errcode(db);
    if (rc == SQLITE_FULL)
        return fp_error_set(err, FP_ERR_DB, "%s: disk full while importing %s; nothing of it was stored",
                            fp_store_path(s->store), s->path);
    return fp_error_set(err, FP_ERR_DB, "%s: %s (importing %s; nothing of it was stored)",
                        fp_store_path(s->store), sqlite3_errmsg(db), s->path);
}

fp_status fp_sink_reject(fp_sink *s, long line, long feature, fp_reject_kind kind, const char *reason,
                         const char *raw, size_t raw_len, fp_error *err)
{
    sqlite3_stmt *q = s->insert_reject;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, s->import_id);
    if (line > 0) sqlite3_bind_int64(q, 2, line); else sqlite3_bind_null(q, 2);
    if (feature > 0) sqlite3_bind_int64(q, 3, feature); else sqlite3_bind_null(q, 3);
    char full[1024];
    snprintf(full, sizeof full, "%s: %s", kind_names[kind], reason ? reason : "");
    sqlite3_bind_text(q, 4, full, -1, SQLITE_TRANSIENT);
    /* Raw text is stored only as valid UTF-8 (callers convert Latin-1);
     * capped so a pathological row cannot bloat the store. */
    if (raw && raw_len > 0 && fp_utf8_valid(raw, raw_len))
        sqlite3_bind_text(q, 5, raw, raw_len > 65536 ? 65536 : (int)raw_len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 5);
    if (sqlite3_step(q) != SQLITE_DONE) return db_error(s, err);
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

fp_status fp_sink_store(fp_sink *s, const fp_row *row, const char *raw, size_t raw_len, fp_error *err)
{
    sqlite3_stmt *q = s->insert_project;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    const char *const *v = row->values;
    sqlite3_bind_int64(q, 1, s->import_id);
    sqlite3_bind_text(q, 2, s->dataset, -1, SQLITE_STATIC);
    if (v[FP_F_ID] && *v[FP_F_ID]) sqlite3_bind_text(q, 3, v[FP_F_ID], -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, row->line > 0 ? row->line : row->feature);
    static const int text_cols[][2] = { { FP_F_COMPANY, 5 }, { FP_F_CATEGORY, 6 }, { FP_F_NAME, 7 },
                                        { FP_F_PLACE, 8 }, { FP_F_COUNTRY, 9 }, { FP_F_STATUS, 12 },
                                        { FP_F_SOURCE, 14 } };
    for (size_t i = 0; i < sizeof text_cols / sizeof text_cols[0]; i++) {
        const char *t = v[text_cols[i][0]];
        if (t && *t) sqlite3_bind_text(q, text_cols[i][1], t, -1, SQLITE_STATIC);
    }
    const fp_country *c = fp_country_index_find(s->countries, v[FP_F_COUNTRY]);
    if (c) sqlite3_bind_text(q, 10, c->a3, -1, SQLITE_STATIC);

    json_t *extra = row->extra;
    int year;
    if (v[FP_F_YEAR] && *v[FP_F_YEAR]) {
        if (parse_year(v[FP_F_YEAR], &year)) sqlite3_bind_int(q, 11, year);
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
        if (*end == '\0' && end != v[FP_F_AMOUNT] && isfinite(a)) sqlite3_bind_double(q, 13, a);
        else if (extra) json_object_set_new(extra, "amount_raw", json_string(v[FP_F_AMOUNT]));
    }
    char *extra_text = NULL;
    if (extra && json_object_size(extra) > 0) {
        extra_text = json_dumps(extra, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
        if (extra_text) sqlite3_bind_text(q, 15, extra_text, -1, free);
    }
    if (row->geom_blob) sqlite3_bind_blob(q, 16, row->geom_blob, row->geom_len, SQLITE_STATIC);

    int rc = sqlite3_step(q);
    if (rc == SQLITE_CONSTRAINT) {
        char reason[512];
        snprintf(reason, sizeof reason, "id '%.200s' is already stored in dataset '%.200s'",
                 v[FP_F_ID] ? v[FP_F_ID] : "", s->dataset);
        return fp_sink_reject(s, row->line, row->feature, FP_REJECT_DUPLICATE_ID, reason, raw, raw_len, err);
    }
    if (rc != SQLITE_DONE) return db_error(s, err);
    s->res->stored++;
    if (!row->geom_blob) s->res->pending_geocode++;
    return FP_OK;
}

fp_status fp_sink_tick(fp_sink *s, const fp_import_options *opts, fp_error *err)
{
    s->res->rows_read++;
    if ((++s->ticks & 1023) != 0) return FP_OK;
    if (fp_interrupted)
        return fp_error_set(err, FP_ERR_INTERRUPTED, "%s: interrupted; nothing of this import was stored", s->path);
    double now = fp_now();
    if (opts && opts->progress && now - s->last_progress >= 0.5) {
        opts->progress(opts->progress_user, s->res->rows_read, now - s->started);
        s->last_progress = now;
    }
    return FP_OK;
}
