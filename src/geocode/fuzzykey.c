/*
 * The fuzzy key: what is left of a folded name (fp_fold_text) once the
 * spelling variants a data editor meets are evened out, so that "St. Louis",
 * "Saint-Louis" and "Saintlouis", "Ft Portal" and "Fort Portal",
 * "N'Djamena" and "Ndjamena", "Muenchen" and "München", "Dzhambul" and
 * "Djambul" meet. Used only after the exact, folded and alternate names found
 * nothing in the country; the method then says "fuzzy".
 *
 *  1. abbreviations as whole words: st -> saint, ste -> sainte, ft -> fort,
 *     mt -> mount (and sankt -> saint, for the German and Scandinavian forms);
 *  2. the words joined without spaces (hyphens and apostrophes are spaces
 *     after folding, so they vanish here);
 *  3. letters NFD does not decompose: ß ss, æ ae, œ oe, ø o, ł l, đ ð d,
 *     þ th, ı i, ħ h;
 *  4. common transliteration pairs: dzh dj -> j, kh -> h, ph -> f, ou -> u,
 *     ue oe ae -> u o a (umlauts written out), y -> i, w -> v, q -> k;
 *  5. doubled letters once.
 */
#include <stdlib.h>
#include <string.h>
#include "fp_geocode.h"
#include "geocode/textfold.h"

static const char *const abbrev[][2] = {
    { "st", "saint" }, { "ste", "sainte" }, { "ft", "fort" }, { "mt", "mount" }, { "sankt", "saint" } };

static const char *const letters[][2] = {
    { "\xC3\x9F", "ss" }, { "\xC3\xA6", "ae" }, { "\xC5\x93", "oe" }, { "\xC3\xB8", "o" }, { "\xC5\x82", "l" },
    { "\xC4\x91", "d" }, { "\xC3\xB0", "d" }, { "\xC3\xBE", "th" }, { "\xC4\xB1", "i" }, { "\xC4\xA7", "h" } };

static const char *const translit[][2] = {
    { "dzh", "j" }, { "dj", "j" }, { "kh", "h" }, { "ph", "f" }, { "ou", "u" },
    { "ue", "u" }, { "oe", "o" }, { "ae", "a" }, { "y", "i" }, { "w", "v" }, { "q", "k" } };

/* Appends src to dst at *o, replacing the pairs of table `t` (first match at
 * each position wins). dst has room for 2 * strlen(src) + 1 bytes. */
static void replace_all(const char *src, char *dst, const char *const (*t)[2], size_t nt)
{
    size_t o = 0;
    while (*src) {
        size_t k;
        for (k = 0; k < nt; k++) {
            if (*src != t[k][0][0]) continue;     /* the common case, cheaply */
            size_t l = strlen(t[k][0]);
            if (!strncmp(src, t[k][0], l)) {
                size_t r = strlen(t[k][1]);
                memcpy(dst + o, t[k][1], r);
                o += r;
                src += l;
                break;
            }
        }
        if (k == nt) dst[o++] = *src++;
    }
    dst[o] = '\0';
}

char *fpi_fold_letters(const char *folded)
{
    if (!folded) return NULL;
    char *out = malloc(2 * strlen(folded) + 1);    /* each letter at most doubles */
    if (out) replace_all(folded, out, letters, sizeof letters / sizeof letters[0]);
    return out;
}

char *fp_fuzzy_key(const char *folded)
{
    if (!folded) return NULL;
    size_t len = strlen(folded);
    /* Room for every expansion: the abbreviations at most triple a word
     * ("st" -> "saint"), then the letter table at most doubles. */
    size_t cap = 6 * len + 16;
    char *a = malloc(cap), *b = malloc(cap);
    if (!a || !b) { free(a); free(b); return NULL; }
    size_t o = 0;
    for (const char *p = folded; *p;) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        size_t wl = (size_t)(p - w);
        if (!wl) break;
        const char *rep = NULL;
        for (size_t k = 0; k < sizeof abbrev / sizeof abbrev[0]; k++)
            if (strlen(abbrev[k][0]) == wl && !strncmp(w, abbrev[k][0], wl)) rep = abbrev[k][1];
        if (rep) { memcpy(a + o, rep, strlen(rep)); o += strlen(rep); }
        else { memcpy(a + o, w, wl); o += wl; }
    }
    a[o] = '\0';
    replace_all(a, b, letters, sizeof letters / sizeof letters[0]);
    replace_all(b, a, translit, sizeof translit / sizeof translit[0]);
    /* Doubled letters once (ASCII only: a repeated UTF-8 byte may be half of
     * two different characters' encodings). */
    o = 0;
    for (size_t k = 0; a[k]; k++) {
        unsigned char c = (unsigned char)a[k];
        if (o && c < 0x80 && a[k] == b[o - 1]) continue;
        b[o++] = a[k];
    }
    b[o] = '\0';
    free(a);
    return b;
}
