/* A place written with its region or country after it, as data editors
 * write them in one column: "Portland, Oregon", "Albany, GA, USA",
 * "Salem (Oregon)", "Dongguan, Guangdong". Internal to src/geocode/. */
#ifndef FP_QUALIFIED_PLACE_H
#define FP_QUALIFIED_PLACE_H

#include "fp_geocode.h"
#include "geocode/admin1_index.h"
#include "geocode/country_index.h"

#define FPI_MAX_QUALIFIERS 4

typedef struct fpi_qualified_place {
    char *head;                                /* the town: "Portland" (malloc'd) */
    char *qualifiers[FPI_MAX_QUALIFIERS];      /* as written, left to right */
    int n;
    /* What the qualifiers were read as (fpi_qualified_place_find): */
    const fp_country *country;                 /* the row's, or the one a qualifier named */
    const char *admin1_codes;                  /* region code(s) a qualifier named, or NULL */
    const char *admin1_text;                   /* that qualifier */
    const char *unrecognised;                  /* the first qualifier read as neither, or NULL */
    int other_country;                         /* ... which names another country than the row's */
    int readings;                              /* how many ways the qualifiers were read (not found and more
                                                  than one: no fallback, the note says so) */
} fpi_qualified_place;

/* Splits `place` into a head and one to FPI_MAX_QUALIFIERS qualifiers, at
 * commas and a trailing "(...)". Returns 0 for a name that has none (or
 * nothing before the first comma); free with fpi_qualified_place_clear. */
int fpi_qualified_place_split(const char *place, fpi_qualified_place *qp);
void fpi_qualified_place_clear(fpi_qualified_place *qp);

/* Looks up the head with what the qualifiers say, right to left: the row's
 * country (or, with none, a qualifier that is a country or an admin-1 name
 * of one), then a qualifier that is an admin-1 region of it. The row's own
 * admin-1 column (row_admin1_codes, row_admin1_raw) wins over a qualifier.
 * Every reading is tried and the most populous town found wins; a code
 * read as a country ("GA") counts only when the town is there. Returns 1
 * and fills *m when placed; 0 when not, with qp's reading of the qualifiers
 * for the fallbacks (admin-1 or country centroid) when they say one thing
 * (else qp->country is NULL and qp->readings > 1). */
int fpi_qualified_place_find(fpi_qualified_place *qp, const fp_gazetteer *gaz, const fp_country_index *countries,
                             const fp_admin1_index *admin1, const fp_country *row_country,
                             const char *row_admin1_codes, const char *row_admin1_raw, fp_place_match *m);

#endif
