/* Storing an aggregation: the result table agg_NAME (one row per region and
 * output level, zeros included, and an `_unassigned` row per level), the
 * per-project assignments agg_NAME_assign, the group columns' meaning in
 * agg_NAME_columns, and a row in the `aggregations` catalogue.
 *
 * Table names come from a validated identifier (letters, digits, _); every
 * value is a bound parameter. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include "aggregate_run.h"
#include "common/util.h"

#define FP_MAX_GROUP_COLUMNS 250
#define UNASSIGNED_CODE "_unassigned"
#define UNASSIGNED_NAME "unassigned / at sea"

static fp_status exec(sqlite3 *db, const char *sql, fp_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fp_status st = fp_error_set(err, FP_ERR_DB, "storing the aggregation: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return st;
    }
    return FP_OK;
}

/* Column name for a group value: field_value, lower case, [a-z0-9_]. */
static char *column_name(const char *field, const char *value, GHashTable *used)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s_", field);
    size_t base = s->len;
    int underscore = 1;
    for (const unsigned char *c = (const unsigned char *)value; *c && s->len < 56; c++) {
        if (g_ascii_isalnum(*c)) { g_string_append_c(s, g_ascii_tolower(*c)); underscore = 0; }
        else if (!underscore) { g_string_append_c(s, '_'); underscore = 1; }
    }
    while (s->len > base && s->str[s->len - 1] == '_') g_string_truncate(s, s->len - 1);
    if (s->len == base) g_string_append(s, *value ? "x" : "none");
    char *name = g_string_free(s, FALSE);
    for (int k = 2; g_hash_table_contains(used, name); k++) {
        char *next = g_strdup_printf("%.56s_%d", name, k);
        if (!g_hash_table_contains(used, next)) { g_free(name); name = next; break; }
        g_free(next);
    }
    g_hash_table_add(used, name);
    return name;
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *v)
{
    if (v) sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(q, i);
}

#define ASSIGN_BATCH 64

typedef struct assign_batch {
    const fp_region_set *set;
    sqlite3_stmt *one, *many;
    struct { long long id; fp_share s; } rows[ASSIGN_BATCH];
    int n;
} assign_batch;

/* Binds rows[0..n) to q (one row per 5 parameters) and runs it, or one by one
 * through the single-row statement for the tail. */
static int batch_flush(assign_batch *b, sqlite3_stmt *q, int n)
{
    if (q == b->one) {
        for (int k = 0; k < n; k++) {
            const fp_share *s = &b->rows[k].s;
            sqlite3_bind_int64(q, 1, b->rows[k].id);
            bind_text_or_null(q, 2, s->region >= 0 ? b->set->items[s->region].up[0] : NULL);
            sqlite3_bind_double(q, 3, s->share);
            sqlite3_bind_text(q, 4, fp_assign_method_name(s->method), -1, SQLITE_STATIC);
            if (s->method == FP_ASSIGN_SNAPPED) sqlite3_bind_double(q, 5, s->distance_km);
            else sqlite3_bind_null(q, 5);
            if (sqlite3_step(q) != SQLITE_DONE) return -1;
            sqlite3_reset(q);
        }
    } else {
        for (int k = 0; k < n; k++) {
            const fp_share *s = &b->rows[k].s;
            int c = k * 5;
            sqlite3_bind_int64(q, c + 1, b->rows[k].id);
            bind_text_or_null(q, c + 2, s->region >= 0 ? b->set->items[s->region].up[0] : NULL);
            sqlite3_bind_double(q, c + 3, s->share);
            sqlite3_bind_text(q, c + 4, fp_assign_method_name(s->method), -1, SQLITE_STATIC);
            if (s->method == FP_ASSIGN_SNAPPED) sqlite3_bind_double(q, c + 5, s->distance_km);
            else sqlite3_bind_null(q, c + 5);
        }
        if (sqlite3_step(q) != SQLITE_DONE) return -1;
        sqlite3_reset(q);
    }
    b->n = 0;
    return 0;
}

static int batch_add(assign_batch *b, long long id, const fp_share *s)
{
    b->rows[b->n].id = id;
    b->rows[b->n].s = *s;
    if (++b->n == ASSIGN_BATCH) return batch_flush(b, b->many, ASSIGN_BATCH);
    return 0;
}

fp_status fp_aggregate_write(fp_store *store, const fp_aggregate_store_options *o, const fp_project_table *t,
                             const fp_region_set *set, const fp_level_result *levels,
                             fp_aggregate_result *res, fp_error *err)
{
    sqlite3 *db = fp_store_sqlite(store);
    const char *tbl = res->table, *atbl = res->assign_table;
    if (t->ngroup_columns > FP_MAX_GROUP_COLUMNS)
        return fp_error_set(err, FP_ERR_USAGE, "--group gives %zu columns (at most %d): group by a field with fewer "
                            "distinct values", t->ngroup_columns, FP_MAX_GROUP_COLUMNS);
    fp_status st = FP_OK;
    char *sql = NULL;
    sqlite3_stmt *q = NULL;
    GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char **cols = calloc(t->ngroup_columns + 1, sizeof *cols);
    static const char *const fixed[] = { "id", "level", "code", "name", "parent", "area_km2", "population",
                                         "projects", "projects_weighted", "companies", "amount", "year_first",
                                         "year_last", "per_10k_km2", "per_million", "geom", NULL };
    for (int i = 0; fixed[i]; i++) g_hash_table_add(used, g_strdup(fixed[i]));

    /* Replace an earlier aggregation of this name. */
    sql = sqlite3_mprintf("SELECT DisableSpatialIndex('%q', 'geom') FROM geometry_columns WHERE f_table_name=lower('%q')"
                          " AND spatial_index_enabled = 1;"
                          "DROP TABLE IF EXISTS \"idx_%w_geom\";"
                          "SELECT DiscardGeometryColumn('%q', 'geom') FROM geometry_columns WHERE f_table_name=lower('%q');"
                          "DROP TABLE IF EXISTS \"%w\"; DROP TABLE IF EXISTS \"%w\"; DROP TABLE IF EXISTS \"%w_columns\";"
                          "DELETE FROM aggregations WHERE name='%q';",
                          tbl, tbl, tbl, tbl, tbl, tbl, atbl, tbl, o->name);
    if ((st = exec(db, sql, err))) goto out;
    sqlite3_free(sql);

    GString *create = g_string_new(NULL);
    g_string_append_printf(create,
        "CREATE TABLE \"%s\"(id INTEGER PRIMARY KEY, level TEXT NOT NULL, code TEXT NOT NULL, name TEXT, parent TEXT,"
        " area_km2 REAL, population BIGINT, projects BIGINT NOT NULL, projects_weighted REAL NOT NULL,"
        " companies BIGINT NOT NULL, amount REAL NOT NULL, year_first INTEGER, year_last INTEGER,"
        " per_10k_km2 REAL, per_million REAL", tbl);
    for (int g = 0; g < t->ngroups; g++)
        for (guint v = 0; v < t->group_values[g]->len; v++) {
            size_t c = t->group_offset[g] + v;
            cols[c] = column_name(o->groups[g], g_ptr_array_index(t->group_values[g], v), used);
            g_string_append_printf(create, ", \"%s\" REAL NOT NULL", cols[c]);
        }
    g_string_append(create, ", UNIQUE(level, code));");
    g_string_append_printf(create, "SELECT AddGeometryColumn('%s', 'geom', 4326, 'MULTIPOLYGON', 'XY');", tbl);
    g_string_append_printf(create,
        "CREATE TABLE \"%s\"(project_id INTEGER NOT NULL, region_code TEXT, share REAL NOT NULL,"
        " method TEXT NOT NULL, distance_km REAL);", atbl);
    g_string_append_printf(create, "CREATE TABLE \"%s_columns\"(column_name TEXT PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL);", tbl);
    st = exec(db, create->str, err);
    g_string_free(create, TRUE);
    if (st) goto out;

    /* What each group column counts. */
    sql = sqlite3_mprintf("INSERT INTO \"%w_columns\" VALUES(?1, ?2, ?3)", tbl);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) goto db_error;
    for (int g = 0; g < t->ngroups; g++)
        for (guint v = 0; v < t->group_values[g]->len; v++) {
            sqlite3_bind_text(q, 1, cols[t->group_offset[g] + v], -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, o->groups[g], -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, g_ptr_array_index(t->group_values[g], v), -1, SQLITE_STATIC);
            if (sqlite3_step(q) != SQLITE_DONE) goto db_error;
            sqlite3_reset(q);
        }
    sqlite3_finalize(q);
    q = NULL;
    sqlite3_free(sql);

    /* Result rows. */
    {
        GString *ins = g_string_new(NULL);
        g_string_append_printf(ins, "INSERT INTO \"%s\"(level, code, name, parent, area_km2, population, projects,"
                               " projects_weighted, companies, amount, year_first, year_last, per_10k_km2, per_million, geom", tbl);
        for (size_t c = 0; c < t->ngroup_columns; c++) g_string_append_printf(ins, ", \"%s\"", cols[c]);
        g_string_append(ins, ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                             " CastToMultiPolygon(GeomFromWKB(?15, 4326))");
        for (size_t c = 0; c < t->ngroup_columns; c++) g_string_append_printf(ins, ", ?%zu", 16 + c);
        g_string_append(ins, ")");
        sql = sqlite3_mprintf("%s", ins->str);
        g_string_free(ins, TRUE);
    }
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) goto db_error;
    for (int l = 0; l < set->nlevels; l++) {
        const fp_output_level *lv = &set->levels[l];
        const fp_level_result *lr = &levels[l];
        for (size_t r = 0; r < lr->nrows; r++) {
            const fp_row_metrics *m = &lr->rows[r];
            const fp_level_region *row = r < lv->n ? &lv->rows[r] : NULL;
            sqlite3_bind_text(q, 1, lv->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, row ? row->code : UNASSIGNED_CODE, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, row ? row->name : UNASSIGNED_NAME, -1, SQLITE_STATIC);
            bind_text_or_null(q, 4, row ? row->parent : NULL);
            if (row) sqlite3_bind_double(q, 5, row->area_km2); else sqlite3_bind_null(q, 5);
            if (row && row->population >= 0) sqlite3_bind_int64(q, 6, row->population); else sqlite3_bind_null(q, 6);
            sqlite3_bind_int64(q, 7, m->projects);
            sqlite3_bind_double(q, 8, m->weighted);
            sqlite3_bind_int64(q, 9, m->companies);
            sqlite3_bind_double(q, 10, m->amount);
            if (m->has_year) { sqlite3_bind_int(q, 11, m->year_first); sqlite3_bind_int(q, 12, m->year_last); }
            else { sqlite3_bind_null(q, 11); sqlite3_bind_null(q, 12); }
            if (row && row->area_km2 > 0) sqlite3_bind_double(q, 13, m->weighted / row->area_km2 * 10000);
            else sqlite3_bind_null(q, 13);
            if (row && row->population > 0) sqlite3_bind_double(q, 14, m->weighted / (double)row->population * 1e6);
            else sqlite3_bind_null(q, 14);
            if (row && row->wkb) sqlite3_bind_blob(q, 15, row->wkb, (int)row->wkb_len, SQLITE_STATIC);
            else sqlite3_bind_null(q, 15);
            for (size_t c = 0; c < t->ngroup_columns; c++) sqlite3_bind_double(q, (int)(16 + c), m->group[c]);
            if (sqlite3_step(q) != SQLITE_DONE) goto db_error;
            sqlite3_reset(q);
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    sqlite3_free(sql);
    /* The spatial index, built once from the rows written (faster than
     * SpatiaLite's per-row triggers); inside this transaction, so the table
     * and its index replace the old ones together. */
    sql = sqlite3_mprintf("SELECT CreateSpatialIndex('%q', 'geom')", tbl);
    if ((st = exec(db, sql, err))) goto out;
    sqlite3_free(sql);

    /* Assignments, in project id order, ASSIGN_BATCH rows per statement
     * (a third faster than one row per step for a million rows). */
    {
        assign_batch b = { .set = set };
        sql = sqlite3_mprintf("INSERT INTO \"%w\" VALUES(?,?,?,?,?)", atbl);
        GString *multi = g_string_new(NULL);
        g_string_append_printf(multi, "INSERT INTO \"%s\" VALUES(?,?,?,?,?)", atbl);
        for (int k = 1; k < ASSIGN_BATCH; k++) g_string_append(multi, ",(?,?,?,?,?)");
        int ok = sqlite3_prepare_v2(db, sql, -1, &b.one, NULL) == SQLITE_OK &&
                 sqlite3_prepare_v2(db, multi->str, -1, &b.many, NULL) == SQLITE_OK;
        g_string_free(multi, TRUE);
        size_t sk = 0;
        for (size_t i = 0; ok && i < t->n; i++) {
            const fp_project *p = &t->items[i];
            if (p->region != -2) {
                fp_share one = { p->region, 1, p->method, p->distance_km };
                ok = batch_add(&b, p->id, &one) == 0;
                continue;
            }
            while (sk < t->nshares && t->shares[sk].project < i) sk++;
            for (; ok && sk < t->nshares && t->shares[sk].project == i; sk++)
                ok = batch_add(&b, p->id, &t->shares[sk].share) == 0;
        }
        if (ok) ok = batch_flush(&b, b.one, b.n) == 0;
        sqlite3_finalize(b.one);
        sqlite3_finalize(b.many);
        if (!ok) goto db_error;
        sqlite3_free(sql);
        sql = NULL;
    }

    /* The catalogue. */
    {
        char now[32];
        fp_timestamp(now);
        GString *groups = g_string_new(NULL);
        for (int g = 0; g < o->ngroups; g++) g_string_append_printf(groups, "%s%s", g ? "," : "", o->groups[g]);
        sql = sqlite3_mprintf("INSERT INTO aggregations(name, level, spec, group_fields, snap_km, projects,"
                              " unassigned, result_table, assign_table, created) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) { g_string_free(groups, TRUE); goto db_error; }
        sqlite3_bind_text(q, 1, o->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, set->levels[0].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, o->by, -1, SQLITE_STATIC);
        bind_text_or_null(q, 4, groups->len ? groups->str : NULL);
        sqlite3_bind_double(q, 5, o->snap_km);
        sqlite3_bind_int64(q, 6, (sqlite3_int64)t->n);
        sqlite3_bind_double(q, 7, res->levels[0].unassigned);
        sqlite3_bind_text(q, 8, tbl, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 9, atbl, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 10, now, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(q);
        g_string_free(groups, TRUE);
        if (rc != SQLITE_DONE) goto db_error;
    }
    goto out;
db_error:
    st = fp_error_set(err, FP_ERR_DB, "%s: storing aggregation %s: %s", fp_store_path(store), o->name, sqlite3_errmsg(db));
out:
    if (q) sqlite3_finalize(q);
    sqlite3_free(sql);
    for (size_t c = 0; c < t->ngroup_columns; c++) ; /* names are owned by `used` */
    free(cols);
    g_hash_table_destroy(used);
    return st;
}
