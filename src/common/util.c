/* Checksums, UTF-8 checks, clocks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include "common/util.h"

fp_status fp_file_sha256(const char *path, char out[65], fp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fp_error_set(err, FP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        g_checksum_update(sum, buf, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        g_checksum_free(sum);
        return fp_error_set(err, FP_ERR_IO, "%s: read error", path);
    }
    snprintf(out, 65, "%s", g_checksum_get_string(sum));
    g_checksum_free(sum);
    return FP_OK;
}

int fp_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        if (c < 0x80) { s++; continue; }
        int n;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        if (end - s <= n) return 0;
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

char *fp_latin1_to_utf8(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    char *out = malloc(len * 2 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x80) *o++ = (char)s[i];
        else { *o++ = (char)(0xC0 | (s[i] >> 6)); *o++ = (char)(0x80 | (s[i] & 0x3F)); }
    }
    *o = '\0';
    return out;
}

double fp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void fp_timestamp(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
