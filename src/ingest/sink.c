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
#include "common/json_util.h"

struct fp_sink {
    fp_store *store;
    const char *path;
    long import_id;
    const char *dataset;
    fp_import_result *res;
    sqlite3_stmt *insert_project, *insert_reject, *insert_rtree;
    char **triggers;           /* SQL of the projects triggers dropped for the load */
    int ntriggers;
    fp_rtree_entry *entries;   /* spatial index entries of this import */
    size_t nentries, cap_entries;
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

/*
 * Bulk loading. SpatiaLite keeps the spatial index and metadata current with
 * per-row triggers that run SQL prepared anew for every row: 1,000,000 points
 * took 20 s that way. Inside the import's transaction we drop the projects
 * triggers, insert the R*Tree entries ourselves (the bounding box is known
 * here), and recreate the triggers from their own SQL before the commit; a
 * failed or killed import rolls all of it back. bench/ keeps the comparison.
 */
static fp_status suspend_triggers(fp_sink *s, sqlite3 *db, fp_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='projects'",
                           -1, &q, NULL) != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(s->store), sqlite3_errmsg(db));
    char **names = NULL;
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        s->triggers = realloc(s->triggers, (n + 1) * sizeof *s->triggers);
        names = realloc(names, (n + 1) * sizeof *names);
        s->triggers[n] = strdup((const char *)sqlite3_column_text(q, 1));
        names[n] = strdup((const char *)sqlite3_column_text(q, 0));
        n++;
    }
    sqlite3_finalize(q);
    s->ntriggers = n;
    fp_status st = FP_OK;
    for (int i = 0; i < n; i++) {
        char *sql = sqlite3_mprintf("DROP TRIGGER \"%w\"", names[i]);
        if (st == FP_OK && sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            st = fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(s->store), sqlite3_errmsg(db));
        sqlite3_free(sql);
        free(names[i]);
    }
    free(names);
    if (st == FP_OK &&
        sqlite3_prepare_v2(db, "INSERT INTO idx_projects_geom(pkid, xmin, xmax, ymin, ymax) VALUES(?,?,?,?,?)",
                           -1, &s->insert_rtree, NULL) != SQLITE_OK)
        st = fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(s->store), sqlite3_errmsg(db));
    return st;
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
    if (st == FP_OK) st = suspend_triggers(s, db, err);
    if (st) { fp_sink_free(s); return st; }
    *out = s;
    return FP_OK;
}

static fp_status db_error(fp_sink *s, fp_error *err);

/* Adds this import's entries to the spatial index: a bulk rebuild when they
 * are at least as many as those already there (cheap relative to the
 * import), else one INSERT each. */
static fp_status index_entries(fp_sink *s, sqlite3 *db, fp_error *err)
{
    if (s->nentries == 0) return FP_OK;
    sqlite3_stmt *q;
    long existing = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM idx_projects_geom_rowid", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) existing = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    if ((size_t)existing > s->nentries) {
        sqlite3_stmt *r = s->insert_rtree;
        for (size_t i = 0; i < s->nentries; i++) {
            const fp_rtree_entry *e = &s->entries[i];
            sqlite3_reset(r);
            sqlite3_bind_int64(r, 1, e->id);
            sqlite3_bind_double(r, 2, e->minx);
            sqlite3_bind_double(r, 3, e->maxx);
            sqlite3_bind_double(r, 4, e->miny);
            sqlite3_bind_double(r, 5, e->maxy);
            if (sqlite3_step(r) != SQLITE_DONE) return db_error(s, err);
        }
        return FP_OK;
    }
    size_t total = s->nentries + (size_t)existing;
    fp_rtree_entry *all = realloc(s->entries, (total ? total : 1) * sizeof *all);
    if (!all) return fp_error_set(err, FP_ERR_NOMEM, "out of memory indexing %s", s->path);
    s->entries = all;
    s->cap_entries = total;
    if (existing > 0 &&
        sqlite3_prepare_v2(db, "SELECT pkid, xmin, xmax, ymin, ymax FROM idx_projects_geom", -1, &q, NULL) == SQLITE_OK) {
        fp_rtree_read_entries(q, all, (size_t)total, &s->nentries);
        sqlite3_finalize(q);
    }
    return fp_rtree_bulk_load(db, "idx_projects_geom", all, s->nentries, err);
}

fp_status fp_sink_finish(fp_sink *s, fp_error *err)
{
    sqlite3 *db = fp_store_sqlite(s->store);
    fp_status st = index_entries(s, db, err);
    if (st) return st;
    fp_test_pause("import:index");
    for (int i = 0; i < s->ntriggers; i++) {
        if (sqlite3_exec(db, s->triggers[i], NULL, NULL, NULL) != SQLITE_OK)
            return fp_error_set(err, FP_ERR_DB, "%s: cannot restore a trigger: %s", fp_store_path(s->store), sqlite3_errmsg(db));
    }
    /* The typed geometry tables QGIS reads: their triggers were suspended too. */
    if ((st = fp_store_sync_typed(s->store, err)) != FP_OK) return st;
    if (sqlite3_exec(db, "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                         "WHERE f_table_name = 'projects' AND f_geometry_column = 'geom'", NULL, NULL, NULL) != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(s->store), sqlite3_errmsg(db));
    return FP_OK;
}

void fp_sink_free(fp_sink *s)
{
    if (!s) return;
    sqlite3_finalize(s->insert_project);
    sqlite3_finalize(s->insert_reject);
    sqlite3_finalize(s->insert_rtree);
    free(s->entries);
    for (int i = 0; i < s->ntriggers; i++) free(s->triggers[i]);
    free(s->triggers);
    fp_country_index_free(s->countries);
    free(s);
}

static fp_status db_error(fp_sink *s, fp_error *err)
{
    sqlite3 *db = fp_store_sqlite(s->store);
    int rc = sqlite3_errcode(db);
    if (rc == SQLITE_FULL || rc == SQLITE_IOERR)
        return fp_error_set(err, FP_ERR_DB, "%s: cannot write (disk full or file size limit) while importing %s; nothing of it was stored",
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
    /* Reasons quote the input cut to a length ("%.60s"), which can split a
     * character: only valid UTF-8 is stored (found by fuzzing, see
     * tests/fuzz/regressions/csv_import/). */
    fp_utf8_sanitize(full);
    sqlite3_bind_text(q, 4, full, -1, SQLITE_TRANSIENT);
    /* Raw text is stored only as valid UTF-8 (callers convert Latin-1);
     * capped so a pathological row cannot bloat the store. */
    if (raw && raw_len > 0 && fp_utf8_valid(raw, raw_len)) {
        /* The cap must not split a character: back off to the start of
         * the one it would cut (found by the broken-input corpus: a long
         * row of 'é' stored with half a character at the end). */
        size_t keep = raw_len;
        if (keep > 65536) {
            keep = 65536;
            while (keep > 0 && ((unsigned char)raw[keep] & 0xC0) == 0x80) keep--;
        }
        sqlite3_bind_text(q, 5, raw, (int)keep, SQLITE_TRANSIENT);
    } else
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
        extra_text = fp_json_dumps(extra, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
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
    if (row->geom_blob) {
        if (s->nentries == s->cap_entries) {
            size_t cap = s->cap_entries ? s->cap_entries * 2 : 4096;
            fp_rtree_entry *e = realloc(s->entries, cap * sizeof *e);
            if (!e) return fp_error_set(err, FP_ERR_NOMEM, "out of memory importing %s", s->path);
            s->entries = e;
            s->cap_entries = cap;
        }
        fp_rtree_entry *e = &s->entries[s->nentries++];
        e->id = sqlite3_last_insert_rowid(fp_store_sqlite(s->store));
        e->minx = fp_rtree_round_down(row->bbox.MinX);
        e->maxx = fp_rtree_round_up(row->bbox.MaxX);
        e->miny = fp_rtree_round_down(row->bbox.MinY);
        e->maxy = fp_rtree_round_up(row->bbox.MaxY);
    }
    s->res->stored++;
    if (!row->geom_blob) s->res->pending_geocode++;
    return FP_OK;
}

fp_status fp_sink_tick(fp_sink *s, const fp_import_options *opts, fp_error *err)
{
    s->res->rows_read++;
    if ((++s->ticks & 1023) != 0) return FP_OK;
    if (s->ticks == 65536) fp_test_pause("import:rows");   /* mid-import (tests) */
    if (fp_interrupted)
        return fp_error_set(err, FP_ERR_INTERRUPTED, "%s: interrupted; nothing of this import was stored", s->path);
    double now = fp_now();
    if (opts && opts->progress && now - s->last_progress >= 0.5) {
        opts->progress(opts->progress_user, s->res->rows_read, now - s->started);
        s->last_progress = now;
    }
    return FP_OK;
}
