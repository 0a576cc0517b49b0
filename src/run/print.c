/* The summaries the CLI and `footprint run` print: the library returns
 * the numbers (result structs, row iterators), this layer words them. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "fp_aggregate.h"
#include "fp_qa.h"
#include "run/fp_run.h"
#include "fp_store.h"

fp_status fp_print_counts(fp_store *store, const char *column, const char *dataset, FILE *out, fp_error *err)
{
    static const char *const allowed[] = { "category", "company", "country_code", "dataset", "geocode_method",
                                           "geocode_precision", "year", NULL };
    int ok = 0;
    for (int i = 0; allowed[i]; i++) ok |= strcmp(allowed[i], column) == 0;
    if (!ok) return fp_error_set(err, FP_ERR_USAGE, "cannot count by '%s'", column);
    fp_rows *r;
    fp_status st = fp_store_project_counts(store, column, dataset, &r, err);
    if (st) return st;
    fprintf(out, "  by %s:\n", column);
    while (fp_rows_next(r)) fprintf(out, "    %-28s %6d\n", fp_rows_text(r, 0), fp_rows_int(r, 1));
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    return st;
}

fp_status fp_print_top_regions(fp_store *store, const char *table, const char *level, int limit, FILE *out, fp_error *err)
{
    fp_rows *r;
    fp_status st = fp_store_aggregation_top(store, table, level, limit, &r, err);
    if (st) return st;
    fprintf(out, "  top %s:\n", level);
    while (fp_rows_next(r))
        fprintf(out, "    %-4s %-28s %4d projects, %d companies\n", fp_rows_text(r, 0), fp_rows_text(r, 1),
                fp_rows_int(r, 2), fp_rows_int(r, 3));
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    return st;
}

/* A sum of shares: a whole number printed as one (1000000, not 1e+06),
 * else with three decimals (lines and polygons split between regions). */
static void print_sum(FILE *out, double v)
{
    if (fabs(v - round(v)) < 1e-6) fprintf(out, "%.0f", round(v));
    else fprintf(out, "%.3f", v);
}

void fp_aggregate_print(const fp_aggregate_result *r, FILE *out)
{
    fprintf(out, "aggregate %s: %ld projects%s%s by %s (%ld regions, %ld with projects)\n", r->name, r->projects,
            r->dataset[0] ? " of dataset " : "", r->dataset, r->nlevels ? r->levels[0].level : "?",
            r->nlevels ? r->levels[0].regions : 0, r->nlevels ? r->levels[0].with_projects : 0);
    if (r->datasets_note[0])
        fprintf(out, "  note: the store holds %s; all are counted (--dataset NAME counts one edition)\n", r->datasets_note);
    fprintf(out, "  %ld contained, %ld on a border, %ld snapped to the nearest region, %ld split (lines, polygons), "
                 "%ld unassigned\n", r->by_method[FP_ASSIGN_CONTAINED], r->by_method[FP_ASSIGN_BOUNDARY],
            r->by_method[FP_ASSIGN_SNAPPED], r->by_method[FP_ASSIGN_SPLIT], r->by_method[FP_ASSIGN_UNASSIGNED]);
    /* The user's own polygons changed on the way in: say so, as import does. */
    if (r->regions_cut || r->regions_repaired)
        fprintf(out, "  regions: %ld polygon%s cut at the antimeridian, %ld repaired (invalid as given)\n", r->regions_cut,
                r->regions_cut == 1 ? "" : "s", r->regions_repaired);
    if (r->without_geometry)
        fprintf(out, "  %ld projects without a location left out (run `footprint geocode`)\n", r->without_geometry);
    if (r->centroids_left_out)
        fprintf(out, "  note: %ld project%s placed at %s centroid by geocode counted as unassigned: a centroid does not say "
                     "which %s the project is in (give coordinates, or a place or admin-1 column, and geocode again; "
                     "--keep-centroids counts them where the centroid falls)\n",
                r->centroids_left_out, r->centroids_left_out == 1 ? "" : "s",
                r->centroids_admin1 ? "a country's or admin-1 region's" : "its country's",
                r->centroids_admin1 ? "cell" : "region of this level");
    fprintf(out, "  check:");
    for (int l = 0; l < r->nlevels; l++)
    {
        fprintf(out, "%s %s ", l ? ";" : "", r->levels[l].level);
        print_sum(out, r->levels[l].weighted);
        fprintf(out, " + unassigned ");
        print_sum(out, r->levels[l].unassigned);
    }
    fprintf(out, " = %ld projects: %s\n", r->projects, r->check_passed ? "passed" : "FAILED");
    fprintf(out, "  stored: %s (%ld group columns), %s (%.2f s)\n", r->table, r->group_columns, r->assign_table, r->seconds);
}

void fp_qa_print_summary(const fp_qa_result *r, const char *indent, FILE *out)
{
    if (!indent) indent = "";
    fprintf(out, "%sqa: %ld point%s checked (%ld with a declared country)", indent, r->points,
            r->points == 1 ? "" : "s", r->with_country);
    if (r->shapes) fprintf(out, " and %ld line%s or area%s (for duplicates)", r->shapes, r->shapes == 1 ? "" : "s",
                           r->shapes == 1 ? "" : "s");
    fputs(": ", out);
    if (!r->findings) fprintf(out, "no findings");
    else {
        fprintf(out, "%ld finding%s on %ld row%s (", r->findings, r->findings == 1 ? "" : "s", r->flagged,
                r->flagged == 1 ? "" : "s");
        int first = 1;
        for (int k = 0; k < FP_QA_KINDS; k++)
            if (r->by_kind[k]) {
                fprintf(out, "%s%ld %s", first ? "" : ", ", r->by_kind[k], fp_qa_kind_name(k));
                first = 0;
            }
        fputc(')', out);
    }
    fprintf(out, " in %.2f s\n", r->seconds);
    if (r->unknown_country)
        fprintf(out, "%s  country not recognised (not checked against a country): %ld\n", indent, r->unknown_country);
    if (r->fixable && !r->fixed)
        fprintf(out, "%s  unambiguous fixes: %ld (`footprint check --fix swapped,sign`)\n", indent, r->fixable);
    if (r->fixed) fprintf(out, "%s  fixed: %ld (undo with `footprint check --undo`)\n", indent, r->fixed);
}

char *fp_term_text(const char *s)
{
    GString *o = g_string_new(NULL);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f) g_string_append_printf(o, "\\x%02x", *c);
        else if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) { g_string_append_printf(o, "\\x%02x", c[1]); c++; }
        else g_string_append_c(o, (char)*c);
    }
    return g_string_free(o, FALSE);
}
