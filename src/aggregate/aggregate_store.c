/* Storing an aggregation: the result table agg_NAME (one row per region and
 * output level, zeros included, and an `_unassigned` row per level), the
 * per-project assignments agg_NAME_assign, the group columns' meaning in
 * agg_NAME_columns, and a row in the `aggregations` catalogue.
 *
 * The store writes them (fp_store_aggregation_new); this file turns the
 * computed levels and shares into its rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "aggregate_run.h"
#include "common/util.h"
#include "fp_geocode.h"

#define FP_MAX_GROUP_COLUMNS 250
#define UNASSIGNED_CODE "_unassigned"
#define UNASSIGNED_NAME "unassigned / at sea"

/* Column name for a group value: field_value, the value folded as geocode
 * folds names (lower case, accents dropped: "Université" -> universite,
 * which read universit), its ASCII letters and digits kept, anything else
 * one '_'; "x" when nothing is left ("监控"): export then writes the key
 * (fp_export_result.group_key). Column names stay [a-z0-9_], as every
 * consumer's identifier rules (SQL, QGIS, MapLibre, R) take them. */
static char *column_name(const char *field, const char *value, GHashTable *used)
{
    char *folded = fp_fold_text(value);
    char *name = fpi_group_column_stem(field, folded ? folded : value, NULL);
    free(folded);
    for (int k = 2; g_hash_table_contains(used, name); k++) {
        char *next = g_strdup_printf("%.56s_%d", name, k);
        if (!g_hash_table_contains(used, next)) { g_free(name); name = next; break; }
        g_free(next);
    }
    g_hash_table_add(used, name);
    return name;
}

static fp_status add_share(fp_aggregation_writer *w, const fp_region_set *set, long long id, const fp_share *s,
                           fp_error *err)
{
    return fp_aggregation_add_assignment(w, id, s->region >= 0 ? set->items[s->region].up[0] : NULL, s->share,
                                         fp_assign_method_name(s->method),
                                         s->method == FP_ASSIGN_SNAPPED ? s->distance_km : -1, err);
}

struct fpi_aggregate_writer {
    fp_aggregation_writer *w;
    const fp_region_set *set;
    fp_aggregate_result *res;
    GHashTable *used;             /* owns the group column names */
    const char **cols, **fields, **values;
    GString *groups;
};

void fpi_aggregate_writer_free(fpi_aggregate_writer *aw)
{
    if (!aw) return;
    fp_aggregation_writer_free(aw->w);
    if (aw->groups) g_string_free(aw->groups, TRUE);
    free(aw->cols);
    free(aw->fields);
    free(aw->values);
    if (aw->used) g_hash_table_destroy(aw->used);
    free(aw);
}

/* Whether a project is a LineString or MultiLineString: the aggregation
 * then gets a length_km column. Points are skipped without a look at WKB. */
static int has_lines(const fp_project_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const fp_project *p = &t->items[i];
        if (!p->is_point && fpi_wkb_dimension(p->wkb, p->wkb_len) == 1) return 1;
    }
    return 0;
}

fp_status fpi_aggregate_write_begin(fp_store *store, const fp_aggregate_store_options *o, const fp_project_table *t,
                                   const fp_region_set *set, fp_aggregate_result *res, fpi_aggregate_writer **out,
                                   fp_error *err)
{
    *out = NULL;
    if (t->ngroup_columns > FP_MAX_GROUP_COLUMNS)
        return fp_error_set(err, FP_ERR_USAGE, "--group gives %zu columns (at most %d): group by a field with fewer "
                            "distinct values", t->ngroup_columns, FP_MAX_GROUP_COLUMNS);
    fpi_aggregate_writer *aw = calloc(1, sizeof *aw);
    if (!aw) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    aw->set = set;
    aw->res = res;
    aw->used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t ncols = t->ngroup_columns;
    aw->cols = calloc(ncols + 1, sizeof *aw->cols);
    aw->fields = calloc(ncols + 1, sizeof *aw->fields);
    aw->values = calloc(ncols + 1, sizeof *aw->values);
    aw->groups = g_string_new(NULL);
    if (!aw->cols || !aw->fields || !aw->values) {
        fpi_aggregate_writer_free(aw);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    }
    static const char *const fixed[] = { "id", "level", "code", "name", "parent", "area_km2", "population",
                                         "projects", "projects_weighted", "companies", "amount", "year_first",
                                         "year_last", "per_10k_km2", "per_million", "length_km", "geom", NULL };
    for (int i = 0; fixed[i]; i++) g_hash_table_add(aw->used, g_strdup(fixed[i]));
    for (int g = 0; g < t->ngroups; g++)
        for (guint v = 0; v < t->group_values[g]->len; v++) {
            size_t c = t->group_offset[g] + v;
            aw->cols[c] = column_name(o->groups[g], g_ptr_array_index(t->group_values[g], v), aw->used);
            aw->fields[c] = o->groups[g];
            aw->values[c] = g_ptr_array_index(t->group_values[g], v);
        }
    for (int g = 0; g < o->ngroups; g++) g_string_append_printf(aw->groups, "%s%s", g ? "," : "", o->groups[g]);
    /* unassigned is known at the end (fp_aggregation_set_unassigned). */
    fp_aggregation_desc d = { .name = o->name, .table = res->table, .assign_table = res->assign_table,
                              .level = set->levels[0].name, .spec = o->by,
                              .group_fields = aw->groups->len ? aw->groups->str : NULL, .snap_km = o->snap_km,
                              .projects = (int64_t)t->n, .unassigned = 0,
                              .ncolumns = ncols, .column_names = aw->cols, .column_fields = aw->fields,
                              .column_values = aw->values, .has_length = has_lines(t) };
    /* Replaces an earlier aggregation of this name (the caller's
     * transaction makes it atomic). */
    fp_status st = fp_store_aggregation_new(store, &d, &aw->w, err);
    if (st) { fpi_aggregate_writer_free(aw); return st; }
    *out = aw;
    return FP_OK;
}

/* Assignments, in project id order: a chunk at a time, as assigned. */
fp_status fpi_aggregate_write_assigned(const fp_project_table *t, size_t start, size_t end, const fp_share_of *shares,
                                      size_t nshares, void *writer, fp_error *err)
{
    fpi_aggregate_writer *aw = writer;
    fp_status st = FP_OK;
    size_t sk = 0;
    for (size_t i = start; !st && i < end; i++) {
        const fp_project *p = &t->items[i];
        if (p->region != -2) {
            fp_share one = { p->region, 1, p->method, p->distance_km };
            st = add_share(aw->w, aw->set, p->id, &one, err);
            continue;
        }
        while (sk < nshares && shares[sk].project < i) sk++;
        for (; !st && sk < nshares && shares[sk].project == i; sk++)
            st = add_share(aw->w, aw->set, p->id, &shares[sk].share, err);
    }
    return st;
}

/* Result rows: every region of every output level, then its unassigned
 * row; then the writer's finish (spatial index, catalogue). */
fp_status fpi_aggregate_write_end(fpi_aggregate_writer *aw, const fp_level_result *levels, fp_error *err)
{
    const fp_region_set *set = aw->set;
    fp_status st = FP_OK;
    for (int l = 0; !st && l < set->nlevels; l++) {
        const fp_output_level *lv = &set->levels[l];
        const fp_level_result *lr = &levels[l];
        for (size_t r = 0; !st && r < lr->nrows; r++) {
            const fp_row_metrics *m = &lr->rows[r];
            const fp_level_region *row = r < lv->n ? &lv->rows[r] : NULL;
            fp_aggregation_row ar = {
                .level = lv->name, .code = row ? row->code : UNASSIGNED_CODE,
                .name = row ? row->name : UNASSIGNED_NAME, .parent = row ? row->parent : NULL,
                .has_area = row != NULL, .area_km2 = row ? row->area_km2 : 0,
                .population = row && row->population >= 0 ? row->population : -1,
                .projects = m->projects, .weighted = m->weighted, .companies = m->companies, .amount = m->amount,
                /* No project: the empty sum, 0. Projects none of
                 * which has an amount: unknown, NULL (it read as 0). */
                .has_amount = m->has_amount || (m->projects == 0 && m->weighted == 0),
                .has_year = m->has_year, .year_first = m->year_first, .year_last = m->year_last,
                .has_per_area = row && row->area_km2 > 0,
                .per_10k_km2 = row && row->area_km2 > 0 ? m->weighted / row->area_km2 * 10000 : 0,
                .has_per_million = row && row->population > 0,
                .per_million = row && row->population > 0 ? m->weighted / (double)row->population * 1e6 : 0,
                .length_km = m->length_km,
                .wkb = row ? row->wkb : NULL, .wkb_len = row ? row->wkb_len : 0, .group = m->group };
            st = fp_aggregation_add_row(aw->w, &ar, err);
        }
    }
    fp_aggregation_set_unassigned(aw->w, aw->res->levels[0].unassigned);
    if (!st) st = fp_aggregation_finish(aw->w, err);
    return st;
}
