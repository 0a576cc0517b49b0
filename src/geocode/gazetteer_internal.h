/* The gazetteer's insides, shared by gazetteer.c (the TSV loader and the
 * look-ups) and gazetteer_cache.c (the same structures saved to and read
 * from the cache folder). Included only inside src/geocode/. */
#ifndef FP_GAZETTEER_INTERNAL_H
#define FP_GAZETTEER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "fp_geocode.h"

typedef struct place {
    long id;
    double lon, lat;
    long population;
    /* The population the namesake rules compare: the population, or for a
     * place whose population GeoNames does not know an estimate
     * (gazetteer.c, estimate_populations). */
    long rank_population;
    /* The name: in the gazetteer's string chunk; in a cache entry, where a
     * pointer means nothing, its offset in the entry's names block
     * (gazetteer_cache.c; place_name reads either). */
    union {
        const char *name;
        uint64_t name_off;
    };
    char country[3];
    char admin1[12];        /* GeoNames admin1 code */
    char region[16];        /* shipped admin-1 region code, "" if none */
    char feature[8];        /* GeoNames feature code (PPLC, PPLA, ...) */
} place;

typedef struct key_entry {
    uint64_t hash;
    uint32_t place;
} key_entry;

typedef struct key_index {
    key_entry *e;
    size_t n, cap;
} key_index;

enum { IDX_EXACT, IDX_FOLDED, IDX_ALTERNATE, IDX_FUZZY, IDX_COUNT };

struct fp_gazetteer {
    place *places;
    long n, cap;
    GStringChunk *names;    /* the names, when loaded from the TSV */
    /* A cache entry mapped whole, read-only (gazetteer_cache.c): places,
     * key arrays and names all lie in it, a place's name at cache_names +
     * name_off; freeing the gazetteer unmaps it. NULL when the arrays were
     * allocated one by one (the TSV path), names then by pointer. */
    void *blob;
    size_t blob_len;
    const char *cache_names;
    key_index idx[IDX_COUNT];
    /* Per GeoNames admin-1 group ("CC\tA1"), the shipped region most of
     * its places lie in, when a majority do (gazetteer.c, group_region):
     * built on the first admin-1 look-up, once (g_once). */
    gsize group_regions_ready;
    GHashTable *group_regions;
};

#endif
