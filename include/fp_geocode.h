/* Offline geocoding of place names against the shipped gazetteer. */
#ifndef FP_GEOCODE_H
#define FP_GEOCODE_H

#include <stdio.h>
#include "fp_error.h"
#include "fp_store.h"

typedef struct fp_gazetteer fp_gazetteer;

/* A gazetteer file: TSV with the header
 * id name asciiname altnames country admin1 lon lat population
 * (altnames separated by '|'); the default is geodata/gazetteer.tsv. */
fp_status fp_gazetteer_load(const char *path, fp_gazetteer **out, fp_error *err);
void fp_gazetteer_free(fp_gazetteer *gaz);
long fp_gazetteer_size(const fp_gazetteer *gaz);

typedef enum fp_match_method {
    FP_MATCH_NONE = 0,
    FP_MATCH_EXACT,      /* the name as written */
    FP_MATCH_FOLDED,     /* case- and accent-insensitive, punctuation as space */
    FP_MATCH_ALTERNATE,  /* an alternate name (folded) */
    FP_MATCH_AMBIGUOUS   /* several places in several countries, no country given */
} fp_match_method;

typedef struct fp_place_match {
    fp_match_method method;
    long geonames_id;
    double lon, lat;
    long population;
    char country[3];     /* ISO alpha-2 */
    int candidates;      /* places with that name (in the country, if given) */
} fp_place_match;

/* Looks a place up; country_a2 (ISO alpha-2) may be NULL. Returns 1 if placed. */
int fp_gazetteer_lookup(const fp_gazetteer *gaz, const char *place, const char *country_a2,
                        fp_place_match *match);

/* Folds text for matching: NFD, combining marks removed, lower case,
 * punctuation as single spaces, trimmed. Returns a malloc'd string. */
char *fp_fold_text(const char *text);

typedef struct fp_geocode_options {
    const char *dataset;          /* NULL: every dataset */
    const char *gazetteer_path;   /* NULL: the default */
    int country_fallback;         /* place not found: use the country's centroid (default on) */
    int redo;                     /* also re-geocode rows placed by an earlier geocode */
    FILE *report;                 /* rows not placed are listed here (may be NULL) */
} fp_geocode_options;

typedef struct fp_geocode_result {
    long candidates;       /* rows without geometry (or, with redo, geocoded before) */
    long exact, folded, alternate, country_centroid;
    long not_found, ambiguous, no_country;
} fp_geocode_result;

/* Gives coordinates to rows with a place and/or country but no geometry, in
 * one transaction; records method, gazetteer id and precision per row. */
fp_status fp_geocode_store(fp_store *store, const fp_geocode_options *opts,
                           fp_geocode_result *result, fp_error *err);

#endif
