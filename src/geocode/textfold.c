/*
 * Text folding for name matching, with libunistring: canonical decomposition
 * (NFD), combining marks dropped, lower case, and every run of punctuation or
 * space turned into one space. "São Paulo", "SAO-PAULO" and "Sao Paulo" all
 * fold to "sao paulo".
 */
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <uninorm.h>
#include <unicase.h>
#include <unictype.h>
#include "fp_geocode.h"

char *fp_fold_text(const char *text)
{
    if (!text) return NULL;
    size_t len = strlen(text);
    /* Plain ASCII (most names and alternate names) takes a fast path with
     * the same result: letters lower-cased, digits kept, every other
     * printable character and tab/newline a separator, controls kept. */
    size_t k = 0;
    while (k < len && !((unsigned char)text[k] & 0x80)) k++;
    if (k == len) {
        char *out = malloc(len + 1);
        if (!out) return NULL;
        size_t o = 0;
        int pending_space = 0;
        for (k = 0; k < len; k++) {
            unsigned char c = (unsigned char)text[k];
            if ((c >= 0x20 && c < 0x7F && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) || c == '\t' || c == '\n' || c == '\r') {
                pending_space = o > 0;
                continue;
            }
            if (pending_space) { out[o++] = ' '; pending_space = 0; }
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        out[o] = '\0';
        return out;
    }
    if (u8_check((const uint8_t *)text, len) != NULL)
        return strdup("");              /* invalid UTF-8 matches nothing */
    size_t nlen = 0;
    uint8_t *lower = u8_tolower((const uint8_t *)text, len, NULL, UNINORM_NFD, NULL, &nlen);
    if (!lower) return NULL;
    char *out = malloc(nlen + 1);
    if (!out) { free(lower); return NULL; }
    size_t o = 0;
    int pending_space = 0;
    const uint8_t *p = lower, *end = lower + nlen;
    while (p < end) {
        ucs4_t uc;
        int n = u8_mbtouc(&uc, p, end - p);
        if (n <= 0) break;
        if (uc_is_general_category(uc, UC_CATEGORY_M)) { p += n; continue; }
        if (uc_is_general_category(uc, UC_CATEGORY_P) || uc_is_general_category(uc, UC_CATEGORY_Z) ||
            uc_is_general_category(uc, UC_CATEGORY_S) || uc == '\t' || uc == '\n' || uc == '\r') {
            pending_space = o > 0;
            p += n;
            continue;
        }
        if (pending_space) { out[o++] = ' '; pending_space = 0; }
        memcpy(out + o, p, n);
        o += n;
        p += n;
    }
    out[o] = '\0';
    free(lower);
    return out;
}
