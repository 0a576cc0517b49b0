/* Data QA: the mistakes hand-made project lists always contain (swapped
 * lon/lat, dropped signs, placeholders, points in another country than the
 * row says, duplicates, too few decimals, a town in another admin-1). */
#ifndef FP_QA_H
#define FP_QA_H

#include <stdio.h>
#include "fp_error.h"
#include "fp_store.h"
#include "fp_store_qa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Two rows of one dataset with the same company and category, both with
 * coordinates given as input, closer than this are likely duplicates. */
#define FP_QA_DUPLICATE_M 1000.0
/* Rows of one company without a category: duplicates only at the same point. */
#define FP_QA_SAME_POINT_M 1.0
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
    FP_QA_POSSIBLE_DUPLICATE, /* same company+category geocoded to the same town, names differ */
    FP_QA_KINDS
} fp_qa_kind;

/* "outside-country", "swapped", "sign", "placeholder", "duplicate",
 * "decimals", "admin1", "possible-duplicate": the names in reports and in
 * projects' qa attribute. */
const char *fp_qa_kind_name(fp_qa_kind kind);

/* --fix: which unambiguous fixes to apply. */
enum { FP_QA_FIX_SWAPPED = 1 << 0, FP_QA_FIX_SIGN = 1 << 1 };
/* Parses "swapped,sign" (either or both) into FP_QA_FIX_* bits. */
fp_status fp_qa_parse_fixes(const char *list, int *fixes, fp_error *err);

/* The check of an import's points as the import reads them (see
 * fp_qa_feed_new below). */
typedef struct fp_qa_feed fp_qa_feed;

typedef struct fp_qa_options {
    const char *dataset;      /* NULL: every dataset */
    const char *report_path;  /* NULL: none; FILE.csv or FILE.geojson */
    int fix;                  /* FP_QA_FIX_* bits: apply those fixes first */
    int undo;                 /* undo the last --fix first */
    double snap_km;           /* < 0: FP_DEFAULT_SNAP_KM, as aggregate */
    /* Each finding, fix and undo is told here, one line each (NULL: not told). */
    fp_log_fn log;
    void *log_user;
    /* The import of this dataset just made, its points already checked as
     * they were read (fp_qa_feed_new); NULL, or a feed that cannot be used
     * (fp_qa_feed_usable), reads every point back from the store. */
    fp_qa_feed *feed;
} fp_qa_options;

typedef struct fp_qa_result {
    long points;              /* rows with a point checked */
    long shapes;              /* lines and areas, compared for duplicates by their box's centre */
    long with_country;        /* of which with a declared country recognised */
    long unknown_country;     /* a country given that the regions do not know */
    long by_kind[FP_QA_KINDS];
    long findings;
    long flagged;             /* rows with at least one finding */
    long fixable;             /* findings with an unambiguous swapped/sign fix */
    long fixed;               /* rows moved by --fix */
    long undone;              /* rows put back by --undo */
    long undo_kept;           /* rows --undo left: edited since the fix */
    double seconds;
} fp_qa_result;

/* Runs every check on the store's point projects (of opts->dataset), after
 * applying --undo or --fix, and stores the findings and each row's qa
 * attribute, all in one transaction; writes the report if asked. Findings
 * are warnings: FP_OK with findings. */
fp_status fp_qa_check(fp_store *store, const fp_qa_options *opts, fp_qa_result *result, fp_error *err);

/* The checks of an import's points run while the import reads them
 * (fp_import_options.qa_feed), on the import's reading thread, which waits
 * for the store most of the time: the check after the import
 * (fp_qa_options.feed) then reads back only the dataset's rows from
 * earlier imports, and its results are those of a check reading every row.
 * A 1M-point import's check read its own rows back in 0.6 of 1.0 s.
 *
 * Created before the import (it reads the regions; the import's thread then
 * has the store). The import feeds each point with its position among the
 * projects it stores (seq), then tells the ids those got: ids first_id +
 * seq, for seq < count, when the store assigned them in order and stored
 * every row. Anything else (a refused row, a geometry other than a CSV
 * point, a store that does not tell ids) abandons the feed, and the check
 * reads everything. snap_km as fp_qa_options. */
fp_status fp_qa_feed_new(fp_store *store, double snap_km, fp_qa_feed **out, fp_error *err);
void fp_qa_feed_free(fp_qa_feed *feed);
/* The id the import's first project is expected to get (the store tells
 * it: fp_store_loader_next_id), before any row is fed; 0 or never: unknown. */
void fp_qa_feed_set_base(fp_qa_feed *feed, long long first_id);
void fp_qa_feed_point(fp_qa_feed *feed, long long seq, const fp_qa_store_row *row);
/* Every row fed: with the first id known, the duplicate sweep of the fed
 * rows starts on a thread of its own, to run while the import writes its
 * indexes and commits; fp_qa_check uses it when the dataset has no other
 * rows and the ids came as expected. */
void fp_qa_feed_rows_done(fp_qa_feed *feed);
/* The fed rows' ids moved to start at first_id (fp_qa_feed_set_base, told
 * only once the rows are stored: PostGIS), before fp_qa_feed_rows_done. */
void fp_qa_feed_rebase(fp_qa_feed *feed, long long first_id);
void fp_qa_feed_abandon(fp_qa_feed *feed);
void fp_qa_feed_ids(fp_qa_feed *feed, const char *dataset, long long first_id, long long count);
/* Whether a check of dataset can use the feed. */
int fp_qa_feed_usable(const fp_qa_feed *feed, const char *dataset);

#ifdef __cplusplus
}
#endif

#endif
