/* Resolving an admin-1 column as written (name, ISO 3166-2 code, the code's
 * part after the hyphen, the name without its type word) to the store's
 * admin-1 region codes, within a country. Internal to libfootprint
 * (src/geocode/ and the QA's admin1 check). */
#ifndef FP_ADMIN1_INDEX_H
#define FP_ADMIN1_INDEX_H

#include "fp_error.h"
#include "fp_store.h"

typedef struct fp_admin1_index fp_admin1_index;

/* The store's admin-1 regions, and their other names from the data
 * directory's admin1_names.tsv.gz when there is one. */
fp_status fpi_admin1_index_new(fp_store *store, fp_admin1_index **out, fp_error *err);
/* The region code of `text` in country `a3`, or NULL; for a name several
 * regions have (a region of provinces: "Puglia"), their codes joined by
 * commas. fpi_admin1_codes_has tells whether such a value holds a code. */
const char *fpi_admin1_index_find(const fp_admin1_index *idx, const char *a3, const char *text);
int fpi_admin1_codes_has(const char *codes, const char *code);
/* The countries (alpha-3, comma-separated) that have an admin-1 region
 * called `text` (a name, with or without its type word; not a code), or
 * NULL: "Illinois" is "USA", "Punjab" "IND,PAK". For a place written
 * "Springfield, Illinois" with no country. */
const char *fpi_admin1_index_countries(const fp_admin1_index *idx, const char *text);
void fpi_admin1_index_free(fp_admin1_index *idx);

/* The admin-1 value of a row's extra attributes (JSON object text): the
 * first column whose name, ignoring case and punctuation, is state,
 * province, region, admin1, adm1, admin1name, adm1name, adminname,
 * stateprovince or provincestate. A malloc'd string, or NULL. */
char *fpi_admin1_from_extra(const char *extra_json);
/* Whether geocode reads a column of that name as the admin-1 (the names
 * above): its rank among them, -1 if it does not. */
int fpi_admin1_key_rank(const char *key);

#endif
