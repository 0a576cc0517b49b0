/* The run layer, above the library's stages: the main job on the embedded
 * default (what `make demo` runs) and the summaries the CLI prints. The
 * library itself prints nothing; these functions word its results. Built
 * into the footprint program (src/run/), not into libfootprint.a. */
#ifndef FP_RUN_H
#define FP_RUN_H

#include <stdio.h>
#include "fp_aggregate.h"
#include "fp_context.h"
#include "fp_diff.h"
#include "fp_error.h"
#include "fp_ingest.h"
#include "fp_qa.h"

typedef struct fp_run_options {
    const char *db_path;       /* default output/footprint.sqlite */
    const char *projects_path; /* default geodata/projects.csv */
    FILE *out;                 /* summary goes here (may be NULL) */
    fp_context *ctx;           /* search paths, cancel flag, progress (NULL: defaults) */
} fp_run_options;

/* init (regions), import the sample, geocode, aggregate per country by
 * category, and print a summary: projects per category and per company,
 * rejects, the aggregation's check and the top countries. */
fp_status fp_run_default(const fp_run_options *opts, fp_error *err);

/* Text from a user's file as it may go to a terminal: C0 and C1 control
 * characters but the tab, and DEL, written as \xNN (ESC sequences in a
 * partner's CSV cleared the screen, set the window title, made links:
 * the security reviewer's finding 7). g_free the result; NULL gives "". */
char *fp_term_text(const char *s);

/* Prints a table of counts grouped by a projects column ("category",
 * "company", "country_code", ...) to out. */
fp_status fp_print_counts(struct fp_store *store, const char *column, const char *dataset, FILE *out, fp_error *err);

/* Prints the regions of one level of an aggregation table with the most
 * projects. */
fp_status fp_print_top_regions(struct fp_store *store, const char *table, const char *level, int limit, FILE *out,
                               fp_error *err);

/* The summary `footprint aggregate` prints. */
void fp_aggregate_print(const fp_aggregate_result *r, FILE *out);

/* The summary lines `check` and every import print. */
void fp_qa_print_summary(const fp_qa_result *r, const char *indent, FILE *out);

/* The summary `footprint diff` prints: counts per kind of change and the
 * first `examples` changes of each kind (0: 3). */
void fp_diff_print(const fp_diff_result *r, const char *old_dataset, const char *new_dataset, int examples, FILE *out);

#endif
