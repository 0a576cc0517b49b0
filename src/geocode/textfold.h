/* Text helpers of name matching shared by geocode and check (src/qa/).
 * Internal to libfootprint. */
#ifndef FP_TEXTFOLD_H
#define FP_TEXTFOLD_H

/* A folded text (fp_fold_text) with the letters NFKD does not decompose
 * written as geocode's fuzzy key writes them (fuzzykey.c): ß ss, æ ae,
 * œ oe, ø o, ł l, đ ð d, þ th, ı i, ħ h. "Łódź" and "Lodz", "Straße" and
 * "Strasse" meet; nothing else of the fuzzy key (no transliteration, the
 * words keep their spaces). malloc'd; NULL for NULL or out of memory. */
char *fpi_fold_letters(const char *folded);

/* text as a message shows it: invisible characters (format characters such
 * as a zero-width space, soft hyphen or BOM, and controls) written as
 * <U+200B>, so that "Kyiv<U+200B>" does not look like a valid "Kyiv".
 * g_malloc'd; "" for NULL. */
char *fpi_text_shown(const char *text);

#endif
