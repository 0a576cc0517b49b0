/* The main job on the embedded default (what `make demo` runs). */
#ifndef FP_RUN_H
#define FP_RUN_H

#include <stdio.h>
#include "fp_error.h"
#include "fp_ingest.h"

typedef struct fp_run_options {
    const char *db_path;       /* default output/footprint.sqlite */
    const char *projects_path; /* default geodata/projects.csv */
    FILE *out;                 /* summary goes here (may be NULL) */
    fp_progress_fn progress;
    void *progress_user;
} fp_run_options;

/* init (regions), import the sample, geocode, aggregate per country by
 * category, and print a summary: projects per category and per company,
 * rejects, the aggregation's check and the top countries. */
fp_status fp_run_default(const fp_run_options *opts, fp_error *err);

/* Prints a table of counts grouped by a projects column ("category",
 * "company", "country_code", ...) to out. */
fp_status fp_print_counts(struct fp_store *store, const char *column, const char *dataset, FILE *out, fp_error *err);

/* Prints the regions of one level of an aggregation table with the most
 * projects. */
fp_status fp_print_top_regions(struct fp_store *store, const char *table, const char *level, int limit, FILE *out,
                               fp_error *err);

#endif
