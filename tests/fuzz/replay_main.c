/*
 * A main() for the fuzz harnesses without libFuzzer: runs
 * LLVMFuzzerTestOneInput once per file given (a folder: every regular file
 * in it). Built with the normal compiler (and with ASan+UBSan under
 * `make check SAN=1`), so the seed corpus and every crash regression in
 * tests/fuzz/ are replayed by `make check` (tests/e2e/test_fuzz_regressions.sh).
 *
 * Prints "replayed N inputs" and exits 0; a broken invariant aborts, a
 * memory error is caught by the sanitizers or valgrind.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) { fprintf(stderr, "%s: cannot read\n", path); free(buf); return -1; }
    /* Copy into an exactly sized block so ASan sees reads past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) { free(buf); return -1; }
    memcpy(exact, buf, len);
    free(buf);
    if (getenv("FP_REPLAY_VERBOSE")) fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    long n = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) { perror(argv[i]); failed = 1; continue; }
        if (!S_ISDIR(sb.st_mode)) {
            if (replay_file(argv[i]) == 0) n++; else failed = 1;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) { perror(argv[i]); failed = 1; continue; }
        char **names = NULL;
        size_t count = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char **grown = realloc(names, (count + 1) * sizeof *names);
            if (!grown) break;
            names = grown;
            size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
            names[count] = malloc(len);
            if (!names[count]) break;
            snprintf(names[count], len, "%s/%s", argv[i], e->d_name);
            count++;
        }
        closedir(d);
        qsort(names, count, sizeof *names, by_name);   /* the same order every run */
        for (size_t k = 0; k < count; k++) {
            if (stat(names[k], &sb) == 0 && S_ISREG(sb.st_mode)) {
                if (replay_file(names[k]) == 0) n++; else failed = 1;
            }
            free(names[k]);
        }
        free(names);
    }
    printf("replayed %ld inputs\n", n);
    return failed;
}
