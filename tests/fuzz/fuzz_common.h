/*
 * Shared helpers of the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput and is built twice:
 *   - by `make fuzz` with clang -fsanitize=fuzzer,address,undefined
 *     (libFuzzer's main drives it), and
 *   - by `make unit`/`make check` with the normal compiler and
 *     tests/fuzz/replay_main.c, which feeds it the seed corpus and every
 *     crash regression (tests/e2e/test_fuzz_regressions.sh).
 *
 * Harnesses set themselves up lazily on their first input (no
 * LLVMFuzzerInitialize), keep process-wide state in statics and release it
 * at exit, so leak checkers see no leftovers. A harness aborts (the
 * fuzzer's "crash") when an invariant of the code under test is broken, not
 * only on memory errors.
 */
#ifndef FP_FUZZ_COMMON_H
#define FP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that must hold; prints what broke and aborts. */
#define FZ_CHECK(cond, ...)                                                         \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz invariant broken at %s:%d: %s: ", __FILE__, __LINE__, \
                    #cond);                                                         \
            fprintf(stderr, __VA_ARGS__);                                           \
            fprintf(stderr, "\n");                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* A private temporary folder for this process, removed at exit. */
static char fz_dir[64];

__attribute__((unused)) static void fz_remove_dir(void)
{
    if (!fz_dir[0]) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir);
    if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", fz_dir);
    fz_dir[0] = '\0';
}

__attribute__((unused)) static const char *fz_tmpdir(void)
{
    if (!fz_dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/fpfuzz-XXXXXX", base && *base && strlen(base) < 40 ? base : "/tmp");
        if (!mkdtemp(fz_dir)) { perror("fuzz: mkdtemp"); abort(); }
        atexit(fz_remove_dir);
    }
    return fz_dir;
}

/* Writes data to fz_tmpdir()/name and returns the path (static buffer). */
__attribute__((unused)) static const char *fz_write(const char *name, const void *data, size_t size)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", fz_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: writing the input file");
        abort();
    }
    return path;
}

/* A NUL-terminated copy of the input (caller frees). */
__attribute__((unused)) static char *fz_strdup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A small region layer for an in-memory store: three "countries" whose
 * codes, names and polygons are enough for imports and country look-ups
 * (an import refuses a store without regions). */
__attribute__((unused)) static const char fz_regions_geojson[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"level\":\"country\",\"code\":\"FRA\",\"iso_a2\":\"FR\",\"name\":\"France\","
    "\"name_long\":\"French Republic\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-5,42],[8,42],[8,51],[-5,51],[-5,42]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"level\":\"country\",\"code\":\"KEN\",\"iso_a2\":\"KE\",\"name\":\"Kenya\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[34,-5],[42,-5],[42,5],[34,5],[34,-5]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"level\":\"country\",\"code\":\"FJI\",\"iso_a2\":\"FJ\",\"name\":\"Fiji\"},"
    "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[177,-19],[180,-19],[180,-16],[177,-16],[177,-19]]],"
    "[[[-180,-19],[-179,-19],[-179,-16],[-180,-16],[-180,-19]]]]}}"
    "]}";

#endif
