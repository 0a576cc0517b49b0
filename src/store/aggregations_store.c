/*
 * Aggregations and regions in the store: reading regions of a level, the
 * cached areas and region groups, and writing an aggregation result (the
 * table agg_NAME, its assignments agg_NAME_assign, the meaning of its group
 * columns agg_NAME_columns, and the `aggregations` catalogue).
 *
 * Table names come from a validated identifier (letters, digits, _) and are
 * quoted; every value is a bound parameter.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include "common/util.h"
#include "store/pg_internal.h"

/* Table names: agg_ + a 48-character aggregation name + a suffix. */
static int valid_identifier(const char *s) { return fpi_identifier_valid(s, 200); }

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *v)
{
    if (v) sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(q, i);
}

/* ------------------------------------------------------------ regions --- */

fp_status fp_store_regions(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_regions(s, level, out, err);
    sqlite3_stmt *q;
    *out = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT id, code, name, parent, subregion, continent, population, geom, area_km2 "
                                       "FROM regions WHERE level=?1 AND geom IS NOT NULL ORDER BY code",
                                    "reading regions", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "reading regions", 1u << 7, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_region_set_areas(fp_store *s, const int64_t *ids, const double *areas, size_t n, fp_error *err)
{
    if (s->pg) return fpi_pg_region_set_areas(s, ids, areas, n, err);
    /* A read-only store keeps no cache: the areas are computed again next
     * time, with the same result. */
    if ((s->flags & FP_STORE_READONLY) || n == 0) return FP_OK;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "UPDATE regions SET area_km2=?1 WHERE id=?2", "caching region areas", &q, err);
    if (st) return st;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_double(q, 1, areas[i]);
        sqlite3_bind_int64(q, 2, ids[i]);
        /* a cache: a store that refuses the write (read-only file) just keeps none */
        if (sqlite3_step(q) != SQLITE_DONE) break;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return FP_OK;
}

fp_status fp_store_region_groups(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_region_groups(s, level, out, err);
    sqlite3_stmt *q;
    *out = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT code, name, parent, population, area_km2, geom_wkb FROM region_groups "
                                       "WHERE level=?1 ORDER BY code", "reading region groups", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "reading region groups", 0, 1u << 5, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_region_groups_put(fp_store *s, const char *level, const fp_region_group *rows, size_t n,
                                     int *stored, fp_error *err)
{
    if (s->pg) return fpi_pg_region_groups_put(s, level, rows, n, stored, err);
    sqlite3_stmt *q;
    *stored = 0;
    if (s->flags & FP_STORE_READONLY) return FP_OK;   /* no cache, same result */
    fp_status st = fpi_store_prepare(s, "INSERT OR REPLACE INTO region_groups VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                    "caching region groups", &q, err);
    if (st) return st;
    for (size_t i = 0; i < n; i++) {
        const fp_region_group *g = &rows[i];
        sqlite3_bind_text(q, 1, level, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, g->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, g->name, -1, SQLITE_STATIC);
        bind_text_or_null(q, 4, g->parent);
        if (g->population >= 0) sqlite3_bind_int64(q, 5, g->population); else sqlite3_bind_null(q, 5);
        sqlite3_bind_double(q, 6, g->area_km2);
        if (g->wkb) sqlite3_bind_blob(q, 7, g->wkb, (int)g->wkb_len, SQLITE_STATIC); else sqlite3_bind_null(q, 7);
        /* A cache: a store that refuses the write just keeps none. */
        if (sqlite3_step(q) != SQLITE_DONE) { sqlite3_finalize(q); return FP_OK; }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    *stored = 1;
    return FP_OK;
}

/* ----------------------------------------------------- reading results --- */

fp_status fp_store_aggregation_level(fp_store *s, const char *name, char **level, fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_level(s, name, level, err);
    sqlite3_stmt *q;
    *level = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT level FROM aggregations WHERE name=?1", "reading aggregations", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        *level = strdup((const char *)sqlite3_column_text(q, 0));
        if (!*level) st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = fpi_store_db_error(s, "reading aggregations", err);
    }
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_aggregation_group_column(fp_store *s, const char *aggregation, const char *column, char **field,
                                            char **value, fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_group_column(s, aggregation, column, field, value, err);
    *field = *value = NULL;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT result_table FROM aggregations WHERE name=?1", "reading aggregations", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, aggregation, -1, SQLITE_TRANSIENT);
    char *table = NULL;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) table = g_strdup((const char *)sqlite3_column_text(q, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading aggregations", err);
    sqlite3_finalize(q);
    if (st || !table) return st;
    if (!valid_identifier(table)) {
        g_free(table);
        return fp_error_set(err, FP_ERR_USAGE, "'%s' is not an aggregation table", aggregation);
    }
    char *sql = sqlite3_mprintf("SELECT field, value FROM \"%w_columns\" WHERE column_name=?1", table);
    g_free(table);
    st = fpi_store_prepare(s, sql, "reading an aggregation's group columns", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    sqlite3_bind_text(q, 1, column, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *f = (const char *)sqlite3_column_text(q, 0), *v = (const char *)sqlite3_column_text(q, 1);
        *field = strdup(f ? f : "");
        *value = strdup(v ? v : "");
        if (!*field || !*value) {
            free(*field);
            free(*value);
            *field = *value = NULL;
            st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        }
    } else if (rc != SQLITE_DONE) {
        st = fpi_store_db_error(s, "reading an aggregation's group columns", err);
    }
    sqlite3_finalize(q);
    return st;
}

fp_status fpi_store_assign_table(fp_store *s, const char *aggregation, char **table, fp_error *err)
{
    sqlite3_stmt *q;
    *table = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT assign_table FROM aggregations WHERE name=?1", "reading aggregations", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, aggregation, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) *table = g_strdup((const char *)sqlite3_column_text(q, 0));
    else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        st = fp_error_set(err, FP_ERR_USAGE, "no aggregation '%s' (run `footprint aggregate`)", aggregation);
    else st = fpi_store_db_error(s, "reading aggregations", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_aggregation_top(fp_store *s, const char *table, const char *level, int limit, fp_rows **out,
                                   fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_top(s, table, level, limit, out, err);
    *out = NULL;
    if (!valid_identifier(table)) return fp_error_set(err, FP_ERR_USAGE, "'%s' is not an aggregation table", table);
    char *sql = sqlite3_mprintf("SELECT code, name, projects, companies FROM \"%w\" WHERE level=?1 AND projects > 0 "
                                "AND code <> '_unassigned' ORDER BY projects DESC, code LIMIT ?2", table);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading the aggregation", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, limit);
    *out = fpi_rows_wrap(s, q, "reading the aggregation", 0, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

/* ------------------------------------------------------------ writing --- */

#define ASSIGN_BATCH 64

/* What a row slot of the assignment batch statement holds (see the writer). */
typedef struct assign_slot {
    const char *region, *method;
    double share, distance_km;
    int bound;
} assign_slot;

struct fp_aggregation_writer {
    fp_store *store;
    fp_aggregation_desc d;
    sqlite3_stmt *row, *one, *many;
    /* Assignments wait here to go ASSIGN_BATCH rows per statement (a third
     * faster than one row per step for a million rows). */
    struct {
        int64_t id;
        const char *region, *method;
        double share, distance_km;
    } batch[ASSIGN_BATCH];
    int nbatch;
    /* What each row slot of the batch statement holds from its last run:
     * SQLite keeps bindings across sqlite3_reset, and a value bound again
     * unchanged (a point's share 1, its method, a NULL distance) costs as
     * much as a changed one (vdbeUnbind). Skipping those took 1M assignment
     * rows from 0.36-0.58 s to 0.24-0.35 s in a standalone test of the same
     * statement, and bench case C's assign step from 0.31-0.32 s to
     * 0.28-0.30 s (the same rows, compared with sha256sum). Pointers compare:
     * the region codes and method names stay put while the writer lives
     * (fp_aggregation_add_assignment). */
    assign_slot slot[ASSIGN_BATCH];
    fp_pg_agg_writer *pg;      /* the PostGIS writer (pg_aggregations.c), or NULL */
};

static fp_status exec(fp_aggregation_writer *w, const char *sql, fp_error *err)
{
    char *msg = NULL;
    sqlite3 *db = w->store->db;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fp_status st = fp_error_set(err, FP_ERR_DB, "storing the aggregation: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return st;
    }
    return FP_OK;
}

static fp_status write_error(fp_aggregation_writer *w, fp_error *err)
{
    return fp_error_set(err, FP_ERR_DB, "%s: storing aggregation %s: %s", w->store->path, w->d.name,
                        sqlite3_errmsg(w->store->db));
}

/* Drops an aggregation of the same name and creates the new tables. */
static fp_status create_tables(fp_aggregation_writer *w, fp_error *err)
{
    const fp_aggregation_desc *d = &w->d;
    const char *tbl = d->table, *atbl = d->assign_table;
    char *sql = sqlite3_mprintf("SELECT DisableSpatialIndex('%q', 'geom') FROM geometry_columns WHERE f_table_name=lower('%q')"
                                " AND spatial_index_enabled = 1;"
                                "DROP TABLE IF EXISTS \"idx_%w_geom\";"
                                "SELECT DiscardGeometryColumn('%q', 'geom') FROM geometry_columns WHERE f_table_name=lower('%q');"
                                "DROP TABLE IF EXISTS \"%w\"; DROP TABLE IF EXISTS \"%w\"; DROP TABLE IF EXISTS \"%w_columns\";"
                                "DELETE FROM aggregations WHERE name='%q';",
                                tbl, tbl, tbl, tbl, tbl, tbl, atbl, tbl, d->name);
    fp_status st = exec(w, sql, err);
    sqlite3_free(sql);
    if (st) return st;

    GString *create = g_string_new(NULL);
    g_string_append_printf(create,
        "CREATE TABLE \"%s\"(id INTEGER PRIMARY KEY, level TEXT NOT NULL, code TEXT NOT NULL, name TEXT, parent TEXT,"
        " area_km2 REAL, population BIGINT, projects BIGINT NOT NULL, projects_weighted REAL NOT NULL,"
        " companies BIGINT NOT NULL, amount REAL, year_first INTEGER, year_last INTEGER,"
        " per_10k_km2 REAL, per_million REAL%s", tbl, d->has_length ? ", length_km REAL NOT NULL" : "");
    for (size_t c = 0; c < d->ncolumns; c++) g_string_append_printf(create, ", \"%s\" REAL NOT NULL", d->column_names[c]);
    g_string_append(create, ", UNIQUE(level, code));");
    g_string_append_printf(create, "SELECT AddGeometryColumn('%s', 'geom', 4326, 'MULTIPOLYGON', 'XY');", tbl);
    g_string_append_printf(create,
        "CREATE TABLE \"%s\"(project_id INTEGER NOT NULL, region_code TEXT, share REAL NOT NULL,"
        " method TEXT NOT NULL, distance_km REAL);", atbl);
    g_string_append_printf(create, "CREATE TABLE \"%s_columns\"(column_name TEXT PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL);", tbl);
    st = exec(w, create->str, err);
    g_string_free(create, TRUE);
    if (st) return st;

    /* What each group column counts. */
    sqlite3_stmt *q;
    sql = sqlite3_mprintf("INSERT INTO \"%w_columns\" VALUES(?1, ?2, ?3)", tbl);
    st = fpi_store_prepare(w->store, sql, "storing the aggregation", &q, err);
    sqlite3_free(sql);
    for (size_t c = 0; !st && c < d->ncolumns; c++) {
        sqlite3_bind_text(q, 1, d->column_names[c], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, d->column_fields[c], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, d->column_values[c], -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) st = write_error(w, err);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (st) return st;

    /* The statements of the rows and of the assignments. */
    GString *ins = g_string_new(NULL);
    g_string_append_printf(ins, "INSERT INTO \"%s\"(level, code, name, parent, area_km2, population, projects,"
                           " projects_weighted, companies, amount, year_first, year_last, per_10k_km2, per_million, geom%s",
                           tbl, d->has_length ? ", length_km" : "");
    for (size_t c = 0; c < d->ncolumns; c++) g_string_append_printf(ins, ", \"%s\"", d->column_names[c]);
    g_string_append(ins, ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                         " CastToMultiPolygon(GeomFromWKB(?15, 4326))");
    if (d->has_length) g_string_append(ins, ", ?16");
    for (size_t c = 0; c < d->ncolumns; c++) g_string_append_printf(ins, ", ?%zu", 16 + (size_t)(d->has_length != 0) + c);
    g_string_append(ins, ")");
    st = fpi_store_prepare(w->store, ins->str, "storing the aggregation", &w->row, err);
    g_string_free(ins, TRUE);
    if (st) return st;
    sql = sqlite3_mprintf("INSERT INTO \"%w\" VALUES(?,?,?,?,?)", atbl);
    st = fpi_store_prepare(w->store, sql, "storing the aggregation", &w->one, err);
    sqlite3_free(sql);
    if (st) return st;
    GString *multi = g_string_new(NULL);
    g_string_append_printf(multi, "INSERT INTO \"%s\" VALUES(?,?,?,?,?)", atbl);
    for (int k = 1; k < ASSIGN_BATCH; k++) g_string_append(multi, ",(?,?,?,?,?)");
    st = fpi_store_prepare(w->store, multi->str, "storing the aggregation", &w->many, err);
    g_string_free(multi, TRUE);
    return st;
}

fp_status fp_store_aggregation_new(fp_store *s, const fp_aggregation_desc *d, fp_aggregation_writer **out,
                                   fp_error *err)
{
    *out = NULL;
    if (s->pg) {
        fp_aggregation_writer *pw = calloc(1, sizeof *pw);
        if (!pw) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        fp_status pst = fpi_pg_aggregation_new(s, d, &pw->pg, err);
        if (pst) { free(pw); return pst; }
        *out = pw;
        return FP_OK;
    }
    if (!valid_identifier(d->table) || !valid_identifier(d->assign_table))
        return fp_error_set(err, FP_ERR_USAGE, "'%s' is not a valid aggregation name (letters, digits, _)", d->name);
    for (size_t c = 0; c < d->ncolumns; c++)
        if (!valid_identifier(d->column_names[c]))
            return fp_error_set(err, FP_ERR_USAGE, "'%s' is not a valid column name", d->column_names[c]);
    fp_aggregation_writer *w = calloc(1, sizeof *w);
    if (!w) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    w->store = s;
    w->d = *d;
    fp_status st = create_tables(w, err);
    if (st) { fp_aggregation_writer_free(w); return st; }
    *out = w;
    return FP_OK;
}

fp_status fp_aggregation_add_row(fp_aggregation_writer *w, const fp_aggregation_row *r, fp_error *err)
{
    if (w->pg) return fpi_pg_aggregation_add_row(w->pg, r, err);
    sqlite3_stmt *q = w->row;
    sqlite3_bind_text(q, 1, r->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, r->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, r->name, -1, SQLITE_STATIC);
    bind_text_or_null(q, 4, r->parent);
    if (r->has_area) sqlite3_bind_double(q, 5, r->area_km2); else sqlite3_bind_null(q, 5);
    if (r->population >= 0) sqlite3_bind_int64(q, 6, r->population); else sqlite3_bind_null(q, 6);
    sqlite3_bind_int64(q, 7, r->projects);
    sqlite3_bind_double(q, 8, r->weighted);
    sqlite3_bind_int64(q, 9, r->companies);
    if (r->has_amount) sqlite3_bind_double(q, 10, r->amount); else sqlite3_bind_null(q, 10);
    if (r->has_year) { sqlite3_bind_int(q, 11, r->year_first); sqlite3_bind_int(q, 12, r->year_last); }
    else { sqlite3_bind_null(q, 11); sqlite3_bind_null(q, 12); }
    if (r->has_per_area) sqlite3_bind_double(q, 13, r->per_10k_km2); else sqlite3_bind_null(q, 13);
    if (r->has_per_million) sqlite3_bind_double(q, 14, r->per_million); else sqlite3_bind_null(q, 14);
    if (r->wkb) sqlite3_bind_blob(q, 15, r->wkb, (int)r->wkb_len, SQLITE_STATIC); else sqlite3_bind_null(q, 15);
    int first_group = 16;
    if (w->d.has_length) sqlite3_bind_double(q, first_group++, r->length_km);
    for (size_t c = 0; c < w->d.ncolumns; c++) sqlite3_bind_double(q, (int)(first_group + (int)c), r->group[c]);
    fp_status st = sqlite3_step(q) == SQLITE_DONE ? FP_OK : write_error(w, err);
    sqlite3_reset(q);
    return st;
}

/* Binds batch[0..n) to q (one row per 5 parameters) and runs it, or one by
 * one through the single-row statement for the tail. */
static fp_status batch_flush(fp_aggregation_writer *w, sqlite3_stmt *q, int n, fp_error *err)
{
    int per_step = q == w->one ? 1 : n;
    for (int k0 = 0; k0 < n; k0 += per_step) {
        for (int k = k0; k < k0 + per_step; k++) {
            int c = (k - k0) * 5;
            const double dist = w->batch[k].distance_km >= 0 ? w->batch[k].distance_km : -1;
            /* Each value bound unless this slot of the batch statement
             * already holds it (the single-row statement: always). */
            const int known = q == w->many && w->slot[k].bound;
            sqlite3_bind_int64(q, c + 1, w->batch[k].id);
            if (!known || w->slot[k].region != w->batch[k].region) bind_text_or_null(q, c + 2, w->batch[k].region);
            /* Doubles compared bit for bit: -0.0 is not 0.0 to the store. */
            if (!known || memcmp(&w->slot[k].share, &w->batch[k].share, sizeof(double)))
                sqlite3_bind_double(q, c + 3, w->batch[k].share);
            if (!known || w->slot[k].method != w->batch[k].method)
                sqlite3_bind_text(q, c + 4, w->batch[k].method, -1, SQLITE_STATIC);
            if (!known || memcmp(&w->slot[k].distance_km, &dist, sizeof dist)) {
                if (dist >= 0) sqlite3_bind_double(q, c + 5, dist);
                else sqlite3_bind_null(q, c + 5);
            }
            if (q == w->many)
                w->slot[k] = (assign_slot){ w->batch[k].region, w->batch[k].method, w->batch[k].share, dist, 1 };
        }
        if (sqlite3_step(q) != SQLITE_DONE) { sqlite3_reset(q); return write_error(w, err); }
        sqlite3_reset(q);
    }
    w->nbatch = 0;
    return FP_OK;
}

fp_status fp_aggregation_add_assignment(fp_aggregation_writer *w, int64_t project_id, const char *region,
                                        double share, const char *method, double distance_km, fp_error *err)
{
    if (w->pg) return fpi_pg_aggregation_add_assignment(w->pg, project_id, region, share, method, distance_km, err);
    /* Region codes and method names outlive the batch: they are the
     * caller's region set's and static strings. */
    w->batch[w->nbatch].id = project_id;
    w->batch[w->nbatch].region = region;
    w->batch[w->nbatch].share = share;
    w->batch[w->nbatch].method = method;
    w->batch[w->nbatch].distance_km = distance_km;
    if (++w->nbatch == ASSIGN_BATCH) return batch_flush(w, w->many, ASSIGN_BATCH, err);
    return FP_OK;
}

void fp_aggregation_set_unassigned(fp_aggregation_writer *w, double unassigned)
{
    if (w->pg) fpi_pg_aggregation_set_unassigned(w->pg, unassigned);
    else w->d.unassigned = unassigned;
}

fp_status fp_aggregation_finish(fp_aggregation_writer *w, fp_error *err)
{
    if (w->pg) return fpi_pg_aggregation_finish(w->pg, err);
    const fp_aggregation_desc *d = &w->d;
    fp_status st = batch_flush(w, w->one, w->nbatch, err);
    if (st) return st;
    /* The spatial index, built once from the rows written (faster than
     * SpatiaLite's per-row triggers); inside the caller's transaction, so
     * the table and its index replace the old ones together. */
    char *sql = sqlite3_mprintf("SELECT CreateSpatialIndex('%q', 'geom')", d->table);
    st = exec(w, sql, err);
    sqlite3_free(sql);
    if (st) return st;

    /* The catalogue. */
    char now[32];
    fpi_timestamp(now);
    sqlite3_stmt *q;
    st = fpi_store_prepare(w->store, "INSERT INTO aggregations(name, level, spec, group_fields, snap_km, projects,"
                                    " unassigned, result_table, assign_table, created) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                          "storing the aggregation", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, d->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, d->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, d->spec, -1, SQLITE_STATIC);
    bind_text_or_null(q, 4, d->group_fields);
    sqlite3_bind_double(q, 5, d->snap_km);
    sqlite3_bind_int64(q, 6, d->projects);
    sqlite3_bind_double(q, 7, d->unassigned);
    sqlite3_bind_text(q, 8, d->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, d->assign_table, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 10, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE) st = write_error(w, err);
    sqlite3_finalize(q);
    return st;
}

void fp_aggregation_writer_free(fp_aggregation_writer *w)
{
    if (!w) return;
    fpi_pg_aggregation_writer_free(w->pg);
    sqlite3_finalize(w->row);
    sqlite3_finalize(w->one);
    sqlite3_finalize(w->many);
    free(w);
}
