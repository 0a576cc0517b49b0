/* Offline geocoding of place names against the shipped gazetteer. */
#ifndef FP_GEOCODE_H
#define FP_GEOCODE_H

#include <stdio.h>
#include "fp_error.h"
#include "fp_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_gazetteer fp_gazetteer;

/* A gazetteer file: TSV, plain or gzip-compressed, with the header
 * id name asciiname altnames country admin1 lon lat population [region feature]
 * (altnames separated by '|'; region: the shipped admin-1 region code the
 * place lies in; feature: GeoNames feature code). The default is
 * geodata/gazetteer.tsv.gz (GeoNames cities500, CC BY 4.0). */
fp_status fp_gazetteer_load(const char *path, fp_gazetteer **out, fp_error *err);
void fp_gazetteer_free(fp_gazetteer *gaz);
long fp_gazetteer_size(const fp_gazetteer *gaz);

typedef enum fp_match_method {
    FP_MATCH_NONE = 0,
    FP_MATCH_EXACT,      /* the name as written */
    FP_MATCH_FOLDED,     /* case- and accent-insensitive, punctuation as space */
    FP_MATCH_ALTERNATE,  /* an alternate name (folded) */
    FP_MATCH_AMBIGUOUS,  /* several places in several countries, no country given */
    FP_MATCH_FUZZY       /* a spelling variant (fp_fuzzy_key) */
} fp_match_method;

/* What the admin-1 column did: nothing given, it chose/confirmed the place,
 * or no candidate lies in it (the place is the country's best namesake). */
enum { FP_ADMIN1_NONE = 0, FP_ADMIN1_MATCHED, FP_ADMIN1_DIFFERS };

/* Namesakes: two candidates are "comparable" when the smaller has at least
 * 1/FP_COMPARABLE of the larger's population and lies FP_NAMESAKE_KM or
 * more away (closer, they are one town listed twice). */
#define FP_COMPARABLE 3
#define FP_NAMESAKE_KM 25.0

typedef struct fp_place_match {
    fp_match_method method;
    long geonames_id;
    double lon, lat;
    long population;
    char country[3];     /* ISO alpha-2 */
    int candidates;      /* places with that name (in the country, if given) */
    const char *name;    /* the place's name (owned by the gazetteer) */
    const char *region;  /* its admin-1 region code, "" if unknown (owned) */
    int admin1;          /* FP_ADMIN1_* */
    int ambiguous;       /* a comparable namesake exists (in the country) */
    long rival_id, rival_population;
} fp_place_match;

#define FP_QUERY_COUNTRIES 8
#define FP_QUERY_REGIONS 40    /* a region of provinces: London's 33 boroughs */
/* Where to look: gazetteer country codes (alpha-2, "" ends the list; none:
 * anywhere) and the admin-1 the row names, as region codes and as written
 * (compared with GeoNames' own admin1 code). */
typedef struct fp_place_query {
    char countries[FP_QUERY_COUNTRIES][3];
    char regions[FP_QUERY_REGIONS][16];
    const char *admin1_raw;
} fp_place_query;

/* Looks a place up: the first of exact, folded, alternate and fuzzy names
 * with a candidate in the query's admin-1 (if given), else in its country;
 * the most populous candidate wins (then seats, then the lower GeoNames id).
 * Returns 1 if placed; 0 if not, with method FP_MATCH_AMBIGUOUS when no
 * country was given and a namesake abroad is at least a tenth as large. */
int fp_gazetteer_find(const fp_gazetteer *gaz, const char *place, const fp_place_query *q,
                      fp_place_match *match);
/* The same with only a country (ISO alpha-2, may be NULL). */
int fp_gazetteer_lookup(const fp_gazetteer *gaz, const char *place, const char *country_a2,
                        fp_place_match *match);

/* Folds text for matching: NFKD (full-width and other compatibility forms
 * as their plain letters), accents removed (combining marks on Latin, Greek
 * and Cyrillic letters, Arabic harakat, Hebrew points; not the marks that
 * are part of a letter in kana, Indic, Thai or Lao script), format
 * characters (zero-width space, soft hyphen, ...) removed, lower case,
 * punctuation as single spaces, trimmed. Returns a malloc'd string. */
char *fp_fold_text(const char *text);
/* The fuzzy key of a folded text (see src/geocode/fuzzykey.c). malloc'd. */
char *fp_fuzzy_key(const char *folded);

/* Countries as geocode understands them: ISO 3166-1 alpha-3 and alpha-2
 * codes, English short and long names, codes in wide use that are not ISO
 * (Natural Earth's PSX, SAH, ALD, KOS, SOL, CYN, ...; XK/XKX/KOS for Kosovo)
 * and common English names (Ivory Coast, Burma, South Korea, UK, ...), in
 * any case and with or without accents. Codes are the store's region codes. */
typedef struct fp_country_code {
    char a3[8];      /* region code: ISO alpha-3, or the shipped stand-in (SOL, CYN) */
    char a2[4];      /* ISO alpha-2, "" for units without one */
} fp_country_code;
typedef struct fp_country_names fp_country_names;
/* Reads the store's country regions (once; then each resolve is a hash look-up). */
fp_status fp_country_names_new(fp_store *store, fp_country_names **out, fp_error *err);
void fp_country_names_free(fp_country_names *names);
/* 1 and *out filled if name_or_code is a country, else 0. */
int fp_country_resolve(const fp_country_names *names, const char *name_or_code, fp_country_code *out);

typedef struct fp_geocode_options {
    const char *dataset;          /* NULL: every dataset */
    const char *gazetteer_path;   /* NULL: the default */
    int country_fallback;         /* place not found: use the country's centroid (default on) */
    int redo;                     /* also re-geocode rows placed by an earlier geocode */
    FILE *report;                 /* the first examples of each outcome (may be NULL) */
    int examples;                 /* how many per outcome (0: 3) */
    const char *report_csv;       /* every row with its outcome, as CSV (may be NULL) */
} fp_geocode_options;

typedef struct fp_geocode_result {
    long candidates;       /* rows without geometry (or, with redo, geocoded before) */
    long exact, folded, alternate, country_centroid;
    long not_found, ambiguous, no_country;
    long fuzzy;            /* placed at a town through a spelling variant */
    long admin1_matched;   /* of the rows placed at a town: the admin-1 (column or qualifier) chose or confirmed it */
    long admin1_differs;   /* ... no candidate in the admin-1 given: the country's best namesake */
    long namesakes;        /* ... placed, but a comparable namesake exists ("+ambiguous") */
    long admin1_centroid;  /* place not found, placed at its admin-1 region's centroid */
    long admin1_unknown;   /* rows whose admin-1 value is no admin-1 of their country: ignored (the note says so) */
    long qualified;        /* places not found as written but as "Town, Region[, Country]" or "Town (Region)": the
                              town looked up with what the qualifiers name (placed or not; the note says how) */
} fp_geocode_result;

/* Gives coordinates to rows with a place and/or country but no geometry, in
 * one transaction; records method, gazetteer id and precision per row. */
fp_status fp_geocode_store(fp_store *store, const fp_geocode_options *opts,
                           fp_geocode_result *result, fp_error *err);

#ifdef __cplusplus
}
#endif

#endif
