/* The summary `footprint diff` prints: counts per kind of change, then the
 * first examples of each kind (as geocode prints its outcomes). */
#include <stdio.h>
#include <glib.h>
#include "fp_diff.h"
#include "run/fp_run.h"

/* "file:line: " of a row read by line, "file: feature N: " of a feature
 * (GeoJSON, GeoPackage: no line to go to), nothing without a file. */
static void print_row(const char *file, long line, int by_line, FILE *out)
{
    if (!*file) return;
    char *ref = fp_diff_row_ref(file, line, by_line), *shown = fp_term_text(ref);
    fprintf(out, "%s: ", shown);
    g_free(shown);
    g_free(ref);
}

static void print_entry(const fp_diff_entry *e, FILE *out)
{
    fprintf(out, "    ");
    if (e->change == FP_CHANGE_REMOVED) print_row(e->old_file, e->old_line, e->old_by_line, out);
    else print_row(e->new_file, e->new_line, e->new_by_line, out);
    char *key = fp_term_text(e->source_key), *name = fp_term_text(e->name), *company = fp_term_text(e->company),
         *country = fp_term_text(e->country), *details = fp_term_text(e->details);
    if (*key) fprintf(out, "[%s] ", key);
    fprintf(out, "'%s' (%s%s%s)", name, *company ? company : "no company", *country ? ", " : "", country);
    if (e->change == FP_CHANGE_MOVED) fprintf(out, " moved %.0f m", e->distance_m);
    if (e->change >= FP_CHANGE_MOVED) fprintf(out, ", matched by %s", e->by_id ? "id" : "name+company+location");
    if (*details) fprintf(out, "; %s", details);
    g_free(key);
    g_free(name);
    g_free(company);
    g_free(country);
    g_free(details);
    fputc('\n', out);
}

void fp_diff_print(const fp_diff_result *r, const char *old_dataset, const char *new_dataset, int examples, FILE *out)
{
    if (examples <= 0) examples = 3;
    fprintf(out, "diff %s -> %s: %ld projects in %s, %ld in %s; %ld matched (%ld by id, %ld by name+company+location)\n",
            old_dataset, new_dataset, r->old_rows, old_dataset, r->new_rows, new_dataset,
            r->matched_by_id + r->matched_by_name, r->matched_by_id, r->matched_by_name);
    fprintf(out, "  %ld added, %ld removed, %ld moved more than %.0f m (%ld of them also changed), %ld changed, "
                 "%ld unchanged (%.2f s)\n", r->count[FP_CHANGE_ADDED], r->count[FP_CHANGE_REMOVED],
            r->count[FP_CHANGE_MOVED], r->move_m, r->moved_and_changed, r->count[FP_CHANGE_CHANGED], r->unchanged,
            r->seconds);
    size_t i = 0;
    for (int k = 0; k < FP_CHANGE_KINDS; k++) {
        long shown = 0;
        for (; i < r->nentries && r->entries[i].change == (fp_change)k; i++) {
            if (shown == 0) fprintf(out, "  %s:\n", fp_change_name(k));
            if (shown++ < examples) print_entry(&r->entries[i], out);
        }
        if (shown > examples) fprintf(out, "    ... and %ld more\n", shown - examples);
    }
}
