/* The projects in memory during an aggregation, and the per-level sums.
 * Internal to the aggregate stage. */
#ifndef FP_AGGREGATE_RUN_H
#define FP_AGGREGATE_RUN_H

#include <glib.h>
#include "aggregate_internal.h"

#define FP_MAX_GROUPS 8

/* 48 bytes: at 10M projects each byte less is 10 MB the kernel must
 * fault in, which on this VM (memory the host has not backed yet) costs
 * more than writing it: page clearing was a third of the 10M aggregation's
 * CPU by `perf`. The region index shares a word with the method and the
 * point flag, so at most FP_MAX_REGION_INDEX regions (fp_aggregate checks). */
#define FP_MAX_REGION_INDEX ((1 << 23) - 1)
typedef struct fp_project {
    long long id;
    union {
        struct { double x, y; };                  /* points (is_point) */
        struct { unsigned char *wkb; size_t wkb_len; };   /* other geometries */
    };
    double amount;                /* NaN: none */
    int company;                  /* interned; -1 none */
    int year;                     /* INT32_MIN: none */
    signed int region : 24;       /* points: region index or -1; -2: see shares */
    unsigned int method : 7;      /* fp_assign_method */
    unsigned int is_point : 1;
    union {
        float distance_km;        /* a point's, when snapped */
        float length_km;          /* a line's (region -2: its shares are elsewhere), as measured for them */
    };
} fp_project;

typedef struct fp_share_of {
    size_t project;
    fp_share share;
} fp_share_of;

typedef struct fp_project_table {
    fp_project *items;
    size_t n;
    long without_geometry;
    double extent[4];
    GPtrArray *companies;         /* interned names */
    int ngroups;
    GPtrArray *group_values[FP_MAX_GROUPS];
    size_t group_offset[FP_MAX_GROUPS];
    size_t ngroup_columns;
    int *group_index;             /* n x ngroups value indexes */
    fp_share_of *shares;          /* non-point projects, sorted by project */
    size_t nshares;
    size_t fixed_cap;             /* reading into a slice of this many rows */
    int borrowed;                 /* items/group_index belong to another table */
    const fp_context *ctx;        /* the store's: cancel flag for the workers */
    const char *dataset;          /* set before reading: only this dataset's projects; NULL all */
    unsigned char *left_out;      /* n flags, or NULL: 1 = placed at a centroid coarser than the
                                     aggregation's level, left unassigned (fp_aggregate) */
} fp_project_table;

typedef struct fp_row_metrics {
    long projects;
    double weighted;
    long companies;
    double amount;
    int has_amount, has_year;
    int year_first, year_last;
    double length_km;             /* the lines' km in the row: share x length */
    double *group;                /* ngroup_columns weighted counts */
} fp_row_metrics;

/* One output level: rows as in set->levels[l], then the unassigned row. */
typedef struct fp_level_result {
    fp_row_metrics *rows;
    size_t nrows;
    double *group;
    int *map;                     /* set region -> row */
    unsigned char *bits;          /* company bitmaps per row */
} fp_level_result;

/* Reads every project into memory, on up to `threads` connections.
 * while_reading (may be NULL) runs on the calling thread once the reader
 * threads have their connections, so it may use the store's own while they
 * read; with one reader (the store's connection) it runs after the read. */
typedef void (*fpi_while_reading_fn)(void *arg);
fp_status fpi_projects_read(fp_store *store, fp_project_table *t, char **groups, int ngroups, int threads,
                            fpi_while_reading_fn while_reading, void *arg, fp_error *err);
void fpi_project_table_free(fp_project_table *t);
/* Called on the assigning thread for each chunk [start, end) of projects
 * once assigned, in project order, with the chunk's non-point shares (by
 * project); an error stops the assignment. */
typedef fp_status (*fpi_assigned_fn)(const fp_project_table *t, size_t start, size_t end, const fp_share_of *shares,
                                     size_t nshares, void *user, fp_error *err);
/* Assigns every project on `threads` threads; on_chunk (may be NULL) sees
 * each chunk as it is done. Afterwards t->shares holds every share. */
fp_status fpi_projects_assign(fp_project_table *t, const fp_region_set *set, const fp_region_index *idx,
                             double snap_km, int threads, fpi_assigned_fn on_chunk, void *user, fp_error *err);
/* t->group_offset and t->ngroup_columns from the group values read. */
void fpi_group_columns(fp_project_table *t);
/* The sums per region of each level, and the roll-up check; after
 * fpi_projects_assign and fpi_group_columns. */
fp_status fpi_projects_accumulate(fp_project_table *t, const fp_region_set *set, fp_level_result *levels,
                                 fp_aggregate_result *res, fp_error *err);
void fpi_level_results_free(fp_level_result *levels, int n);

typedef struct fp_aggregate_store_options {
    const char *name, *by;
    char **groups;
    int ngroups;
    double snap_km;
} fp_aggregate_store_options;

/* Writes agg_NAME, agg_NAME_assign and the catalogue row (inside the
 * caller's transaction), replacing an aggregation of the same name:
 * begin (the tables, once the groups are read), the assignments chunk by
 * chunk as they are made (fpi_aggregate_write_assigned, an fpi_assigned_fn
 * with the writer as user), then end (the result rows, the catalogue). */
typedef struct fpi_aggregate_writer fpi_aggregate_writer;
fp_status fpi_aggregate_write_begin(fp_store *store, const fp_aggregate_store_options *o, const fp_project_table *t,
                                   const fp_region_set *set, fp_aggregate_result *res, fpi_aggregate_writer **out,
                                   fp_error *err);
fp_status fpi_aggregate_write_assigned(const fp_project_table *t, size_t start, size_t end, const fp_share_of *shares,
                                      size_t nshares, void *writer, fp_error *err);
fp_status fpi_aggregate_write_end(fpi_aggregate_writer *aw, const fp_level_result *levels, fp_error *err);
void fpi_aggregate_writer_free(fpi_aggregate_writer *aw);

#endif
