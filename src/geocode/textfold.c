/*
 * Text folding for name matching, with libunistring: compatibility
 * decomposition (NFKD: full-width "ＭＯＳＣＯＷ" is "moscow", "ﬁ" "fi"),
 * accents dropped, lower case, format characters (zero-width space and
 * joiners, word joiner, BOM, soft hyphen: general category Cf) dropped, and
 * every run of punctuation or space turned into one space. "São Paulo",
 * "SAO-PAULO" and "Sao Paulo" all fold to "sao paulo".
 *
 * Only the combining marks that are accents go (accent_mark): those on a
 * Latin, Greek or Cyrillic letter, Arabic harakat and Hebrew points. Marks
 * that are part of a letter stay: the Japanese (semi-)voiced marks (ビル and
 * ヒル are two words), Indic vowel signs and viramas, Thai and Lao vowels
 * and tone marks. (Dropping every mark, as before, made "कुल" and "कल",
 * "ศูนย์ข้อมูล" and "ศนยขอมล" one name.)
 */
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <uninorm.h>
#include <unicase.h>
#include <unictype.h>
#include <glib.h>
#include "fp_geocode.h"
#include "geocode/textfold.h"

/* Whether the combining mark uc, after the letter base (0: none), is an
 * accent folding drops. */
static int accent_mark(ucs4_t uc, ucs4_t base)
{
    if ((uc >= 0x064B && uc <= 0x065F) || uc == 0x0670) return 1;   /* Arabic harakat, superscript alef */
    if (uc >= 0x0591 && uc <= 0x05C7) return 1;                     /* Hebrew points and cantillation */
    if (!base) return 1;                                            /* on nothing: no letter to keep it with */
    const uc_script_t *s = uc_script(base);
    if (!s) return 1;                                               /* a digit or symbol (Common) */
    return !strcmp(s->name, "Latin") || !strcmp(s->name, "Greek") || !strcmp(s->name, "Cyrillic") ||
           !strcmp(s->name, "Common");
}

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
    uint8_t *lower = u8_tolower((const uint8_t *)text, len, NULL, UNINORM_NFKD, NULL, &nlen);
    if (!lower) return NULL;
    char *out = malloc(nlen + 1);
    if (!out) { free(lower); return NULL; }
    size_t o = 0;
    int pending_space = 0, recompose = 0;
    ucs4_t base = 0;                    /* the last letter or digit written, 0: none since a space */
    const uint8_t *p = lower, *end = lower + nlen;
    while (p < end) {
        ucs4_t uc;
        int n = u8_mbtouc(&uc, p, end - p);
        if (n <= 0) break;
        if (uc_is_general_category(uc, UC_CATEGORY_Cf)) { p += n; continue; }   /* invisible: no key of its own */
        if (uc_is_general_category(uc, UC_CATEGORY_M)) {
            if (!accent_mark(uc, base)) {
                if (pending_space) { out[o++] = ' '; pending_space = 0; }
                memcpy(out + o, p, n);
                o += n;
                recompose = 1;
            }
            p += n;
            continue;
        }
        if (uc_is_general_category(uc, UC_CATEGORY_P) || uc_is_general_category(uc, UC_CATEGORY_Z) ||
            uc_is_general_category(uc, UC_CATEGORY_S) || uc == '\t' || uc == '\n' || uc == '\r') {
            pending_space = o > 0;
            base = 0;
            p += n;
            continue;
        }
        if (pending_space) { out[o++] = ' '; pending_space = 0; }
        if (uc >= 0x1100 && uc <= 0x11FF) recompose = 1;   /* Hangul syllables come decomposed */
        memcpy(out + o, p, n);
        o += n;
        p += n;
        base = uc;
    }
    out[o] = '\0';
    free(lower);
    /* Marks kept (kana, Indic, Thai) and Hangul jamo composed again, as
     * the text was most likely written: the key is the same either way
     * (every text is decomposed first), but it is shown in messages. A
     * Latin, Greek or Cyrillic text has no mark left: nothing to do. */
    if (recompose) {
        size_t clen = 0;
        uint8_t *c = u8_normalize(UNINORM_NFC, (const uint8_t *)out, o, NULL, &clen);
        if (c) {
            char *r = realloc(c, clen + 1);
            if (r) {
                r[clen] = '\0';
                free(out);
                return r;
            }
            free(c);
        }
    }
    return out;
}

char *fpi_text_shown(const char *text)
{
    if (!text) return g_strdup("");
    size_t len = strlen(text);
    if (u8_check((const uint8_t *)text, len) != NULL) return g_strdup(text);   /* shown as it is */
    GString *o = g_string_sized_new(len + 8);
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    while (p < end) {
        ucs4_t uc;
        int n = u8_mbtouc(&uc, p, end - p);
        if (n <= 0) break;
        if (uc_is_general_category(uc, UC_CATEGORY_Cf) || uc_is_general_category(uc, UC_CATEGORY_Cc))
            g_string_append_printf(o, "<U+%04X>", (unsigned)uc);
        else
            g_string_append_len(o, (const char *)p, n);
        p += n;
    }
    return g_string_free(o, FALSE);
}
