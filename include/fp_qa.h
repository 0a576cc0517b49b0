/* Data QA: the mistakes hand-made project lists always contain (swapped
 * lon/lat, dropped signs, placeholders, points in another country than the
 * row says, duplicates, too few decimals, a town in another admin-1). */
#ifndef FP_QA_H
#define FP_QA_H

#include <stdio.h>
#include "fp_error.h"
#include "fp_store.h"

/* Two rows of one dataset with the same company and category, both with
 * coordinates given as input, closer than this are likely duplicates. */
#define FP_QA_DUPLICATE_M 1000.0
/* A point given as input (point precision claimed) whose lon and lat both
 * have fewer decimals than this is too coarse: one decimal is +-5.5 km. */
#define FP_QA_MIN_DECIMALS 2

typedef enum fp_qa_kind {
    FP_QA_OUTSIDE = 0,   /* outside its declared country, beyond the snapping distance */
    FP_QA_SWAPPED,       /* lon/lat swapped: the swapped point lands in the declared country */
    FP_QA_SIGN,          /* a dropped sign: the point with lon, lat or both negated lands there */
    FP_QA_PLACEHOLDER,   /* 0,0 or whole degrees on both axes */
    FP_QA_DUPLICATE,     /* same company+category within FP_QA_DUPLICATE_M, or same name in a country */
    FP_QA_DECIMALS,      /* too few decimals for the point precision claimed */
    FP_QA_ADMIN1,        /* geocoded town in another admin-1 than the row names */
    FP_QA_KINDS
} fp_qa_kind;

/* "outside-country", "swapped", "sign", "placeholder", "duplicate",
 * "decimals", "admin1": the names in reports and in projects' qa attribute. */
const char *fp_qa_kind_name(fp_qa_kind kind);

/* --fix: which unambiguous fixes to apply. */
enum { FP_QA_FIX_SWAPPED = 1 << 0, FP_QA_FIX_SIGN = 1 << 1 };
/* Parses "swapped,sign" (either or both) into FP_QA_FIX_* bits. */
fp_status fp_qa_parse_fixes(const char *list, int *fixes, fp_error *err);

typedef struct fp_qa_options {
    const char *dataset;      /* NULL: every dataset */
    const char *report_path;  /* NULL: none; FILE.csv or FILE.geojson */
    int fix;                  /* FP_QA_FIX_* bits: apply those fixes first */
    int undo;                 /* undo the last --fix first */
    double snap_km;           /* < 0: FP_DEFAULT_SNAP_KM, as aggregate */
    /* Each finding, fix and undo is told here, one line each (NULL: not told). */
    fp_log_fn log;
    void *log_user;
} fp_qa_options;

typedef struct fp_qa_result {
    long points;              /* rows with a point checked */
    long with_country;        /* of which with a declared country recognised */
    long unknown_country;     /* a country given that the regions do not know */
    long by_kind[FP_QA_KINDS];
    long findings;
    long flagged;             /* rows with at least one finding */
    long fixable;             /* findings with an unambiguous swapped/sign fix */
    long fixed;               /* rows moved by --fix */
    long undone;              /* rows put back by --undo */
    double seconds;
} fp_qa_result;

/* Runs every check on the store's point projects (of opts->dataset), after
 * applying --undo or --fix, and stores the findings and each row's qa
 * attribute, all in one transaction; writes the report if asked. Findings
 * are warnings: FP_OK with findings. */
fp_status fp_qa_check(fp_store *store, const fp_qa_options *opts, fp_qa_result *result, fp_error *err);

#endif
