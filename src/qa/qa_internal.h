/* Internals of the QA stage (src/qa/): the rows kept for the duplicate
 * checks, the findings, and the report writer. Not public API. */
#ifndef FP_QA_INTERNAL_H
#define FP_QA_INTERNAL_H

#include <glib.h>
#include "fp_store_qa.h"
#include "fp_qa.h"

/* What the duplicate checks need of a row, strings interned (index into
 * the context's string table; -1: empty). */
typedef struct qa_row {
    long long id;
    double x, y;
    long long line;
    int dataset, company, category, name, country, file;
    int ref;                     /* the town geocoded to (geocode_ref), -1: not placed at a town */
    unsigned char by_line;       /* line-numbered input (CSV, sheets): file:LINE */
    unsigned char input_point;   /* coordinates given as input, point precision */
    unsigned char dup;           /* already has a duplicate finding */
} qa_row;
_Static_assert(sizeof(qa_row) <= 64, "a kept row stays within 64 bytes (a million rows: 64 MB)");

typedef struct qa_finding {
    fp_qa_kind kind;
    long long id, other_id;      /* other_id: the earlier row of a duplicate, else 0 */
    const char *dataset;         /* interned */
    char *row_ref, *evidence, *suggestion;   /* g_malloc'd */
    const char *fix;             /* swapped|sign-lon|sign-lat|sign-both, or NULL */
    double fix_lon, fix_lat;
    double lon, lat;             /* the row's point as stored */
} qa_finding;

typedef struct qa_strings {
    GHashTable *index;           /* string -> position + 1 */
    GPtrArray *all;              /* position -> string (in chunk) */
    GStringChunk *chunk;
} qa_strings;

int fpi_qa_intern(qa_strings *s, const char *text);
const char *fpi_qa_string(const qa_strings *s, int i);

/* "file:LINE" or "file: feature N", g_malloc'd. */
char *fpi_qa_row_ref(const qa_strings *s, const qa_row *r);
/* The shortest decimal text that reads back as v ("36.82"), and its
 * number of decimals. */
int fpi_qa_decimals(double v);
void fpi_qa_format_coord(double v, char *buf, size_t size);

/* scan.c: calls fn for every stored point of dataset (NULL: all), as
 * fp_qa_store_each_point does but in no particular order; parallel: read
 * in two parts on two threads through readers, which see only committed
 * rows. The ids skip_from..skip_to are not read (none when skip_from >
 * skip_to): an import's rows the checks were fed. */
fp_status fpi_qa_scan_points(fp_store *store, const char *dataset, int parallel, long long skip_from, long long skip_to,
                         fp_qa_row_fn fn, void *ctx, fp_error *err);

/* duplicates.c: appends the duplicate and possible-duplicate findings of
 * rows[0..n) (sorted in place) to findings. */
void fpi_qa_find_duplicates(qa_row *rows, size_t n, const qa_strings *s, GArray *findings);

/* report.c: writes the findings as CSV or GeoJSON (by the extension) to a
 * temporary name, renamed into place. */
fp_status fpi_qa_write_report(const char *path, const qa_finding *f, size_t n, fp_error *err);

#endif
