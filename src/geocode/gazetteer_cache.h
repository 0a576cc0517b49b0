/* The gazetteer cache (gazetteer_cache.c): what geocode.c and the unit
 * test need of it, without the gazetteer's insides. */
#ifndef FP_GAZETTEER_CACHE_H
#define FP_GAZETTEER_CACHE_H

#include "fp_geocode.h"

/* fp_gazetteer_load through the cache folder cache_dir (NULL or "": no
 * cache): the gazetteer saved by an earlier run for the same file bytes and
 * the same code, else the file parsed and the result saved for the next run.
 * shipped_dir (NULL or "": none) is looked in first and never written: the
 * build's prepared entries (Makefile: $(BUILD)/prepared, installed in
 * PREFIX/share/footprint/prepared), so that no user of an installed program
 * keeps a 52 MB copy of their own. A cache that cannot be read or written
 * only costs time; the errors are fp_gazetteer_load's. */
fp_status fpi_gazetteer_load_cached(const char *path, const char *shipped_dir, const char *cache_dir, fp_gazetteer **out,
                                    fp_error *err);

/* The cache key of path (64 hex digits + NUL): 0, or -1 when the file
 * cannot be read. Exposed for the tests. */
int fpi_gazetteer_cache_key(const char *path, char key[65]);

/* 1 if g was read from a cache entry (tests: a hit), else 0. */
int fpi_gazetteer_from_cache(const fp_gazetteer *g);

#endif
