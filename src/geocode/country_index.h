/* Resolving a country as written (alpha-3, alpha-2, English name, long name,
 * any case or accents) to its ISO codes, from the store's regions. Internal. */
#ifndef FP_COUNTRY_INDEX_H
#define FP_COUNTRY_INDEX_H

#include "fp_error.h"
#include "fp_store.h"

typedef struct fp_country {
    char a3[8];      /* region code (ISO alpha-3 or the shipped stand-in) */
    char a2[4];
} fp_country;

typedef struct fp_country_index fp_country_index;

fp_status fpi_country_index_new(fp_store *store, fp_country_index **out, fp_error *err);
const fp_country *fpi_country_index_find(const fp_country_index *idx, const char *text);
long fpi_country_index_size(const fp_country_index *idx);
void fpi_country_index_free(fp_country_index *idx);
/* The gazetteer's country codes for a country: its alpha-2, the host of a
 * non-ISO unit (SOL: SO), territories kept inside it (FRA: GF GP MQ RE YT). */
int fpi_country_gazetteer_codes(const fp_country *c, char codes[][3], int max);

#endif
