/* Unit tests of text folding, UTF-8 validation, Windows-1252 conversion and SHA-256. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fp_geocode.h"
#include <glib.h>
#include "common/util.h"
#include "geocode/textfold.h"

static void expect_fold(const char *in, const char *want)
{
    char *got = fp_fold_text(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_fold_accents_and_case(void **state)
{
    (void)state;
    expect_fold("S\xC3\xA3o Paulo", "sao paulo");          /* São Paulo, precomposed ã */
    expect_fold("Sa\xCC\x83o Paulo", "sao paulo");         /* a + U+0303 combining tilde */
    expect_fold("S\xC3\x83O PAULO", "sao paulo");          /* SÃO PAULO */
    expect_fold("K\xC3\xB6ln", "koln");                    /* Köln */
    expect_fold("Ho Chi Minh City", "ho chi minh city");
    expect_fold("Sao Paulo", "sao paulo");
    expect_fold("\xC3\x89VORA", "evora");                  /* ÉVORA */
    expect_fold("abc123", "abc123");                       /* digits are kept */
}

static void test_fold_punctuation_and_space(void **state)
{
    (void)state;
    expect_fold("SAO-PAULO", "sao paulo");
    expect_fold("  Z\xC3\xBCrich  ", "zurich");            /* "  Zürich  " */
    expect_fold("St. John's", "st john s");
    expect_fold("a -- b", "a b");                          /* a run of punctuation/space is one space */
    expect_fold("a\t\nb", "a b");
    expect_fold("(Paris)", "paris");
    expect_fold("a\xC2\xA0" "b", "a b");                   /* no-break space */
    expect_fold("", "");
    expect_fold("   ", "");
    expect_fold("--", "");
}

/* Only accents go: marks that are part of a letter in kana, Indic and Thai
 * script stay, so distinct words stay distinct (the folded text is shown
 * composed). */
static void test_fold_keeps_letter_marks(void **state)
{
    (void)state;
    expect_fold("\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x83\x93\xE3\x83\xAB", "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x83\x93\xE3\x83\xAB"); /* 東京ビル */
    expect_fold("\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x83\x92\xE3\x83\xAB", "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x83\x92\xE3\x83\xAB"); /* 東京ヒル */
    expect_fold("\xE0\xA4\x95\xE0\xA5\x81\xE0\xA4\xB2", "\xE0\xA4\x95\xE0\xA5\x81\xE0\xA4\xB2");   /* कुल, not कल */
    expect_fold("\xE0\xB8\xA8\xE0\xB8\xB9\xE0\xB8\x99\xE0\xB8\xA2\xE0\xB9\x8C",
                "\xE0\xB8\xA8\xE0\xB8\xB9\xE0\xB8\x99\xE0\xB8\xA2\xE0\xB9\x8C");                       /* ศูนย์ */
    expect_fold("\xEC\x84\x9C\xEC\x9A\xB8", "\xEC\x84\x9C\xEC\x9A\xB8");                                 /* 서울 */
    /* accents do go: Arabic harakat, Hebrew points, Greek tonos, Vietnamese */
    expect_fold("\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92\xD9\x83\xD9\x8E\xD8\xB2", "\xD9\x85\xD8\xB1\xD9\x83\xD8\xB2"); /* مَرْكَز: مركز */
    expect_fold("\xD7\xA9\xD7\x81\xD6\xB8\xD7\x9C\xD7\x95\xD6\xB9\xD7\x9D", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"); /* שָׁלוֹם: שלום */
    expect_fold("\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "\xCE\xB1\xCE\xB8\xCE\xB7\xCE\xBD\xCE\xB1");         /* Αθήνα: αθηνα */
    expect_fold("V\xC5\xA9ng T\xC3\xA0u", "vung tau");                                                /* Vũng Tàu */
    expect_fold("\xC4\xB0stanbul", "istanbul");                                                         /* İstanbul */
}

/* Compatibility forms as their plain letters; invisible characters gone. */
static void test_fold_compatibility_and_format(void **state)
{
    (void)state;
    expect_fold("\xEF\xBC\xAD\xEF\xBC\xAF\xEF\xBC\xB3\xEF\xBC\xA3\xEF\xBC\xAF\xEF\xBC\xB7 hub", "moscow hub"); /* ＭＯＳＣＯＷ */
    expect_fold("N\xC4\xB3megen", "nijmegen");                        /* ĳ ligature */
    expect_fold("Kyiv\xE2\x80\x8B", "kyiv");                          /* zero-width space */
    expect_fold("Ky\xC2\xADiv", "kyiv");                               /* soft hyphen */
    expect_fold("\xEF\xBB\xBFKyiv\xE2\x81\xA0", "kyiv");              /* BOM, word joiner */
    expect_fold("Ky\xE2\x80\x8C\xE2\x80\x8Div", "kyiv");             /* zero-width non-joiner, joiner */
}

/* Messages show invisible characters. */
static void test_text_shown(void **state)
{
    (void)state;
    char *s = fpi_text_shown("Kyiv\xE2\x80\x8B");
    assert_string_equal(s, "Kyiv<U+200B>");
    g_free(s);
    s = fpi_text_shown("K\xC3\xB6ln\xC2\xAD");
    assert_string_equal(s, "K\xC3\xB6ln<U+00AD>");
    g_free(s);
    s = fpi_text_shown(NULL);
    assert_string_equal(s, "");
    g_free(s);
}

/* check's name key: the letters NFKD leaves, as the fuzzy key writes them. */
static void test_fold_letters(void **state)
{
    (void)state;
    const char *in[] = { "\xC5\x81\xC3\xB3" "d\xC5\xBA", "Stra\xC3\x9F" "e", "\xC3\x98resund", "I\xC5\x9F\xC4\xB1k", "\xC3\x86r\xC3\xB8" };
    const char *want[] = { "lodz", "strasse", "oresund", "isik", "aero" };
    for (int i = 0; i < 5; i++) {
        char *f = fp_fold_text(in[i]), *l = fpi_fold_letters(f);
        assert_string_equal(l, want[i]);
        free(f);
        free(l);
    }
}

static void test_fold_invalid_utf8(void **state)
{
    (void)state;
    expect_fold("S\xE3o Paulo", "");                       /* Latin-1 byte */
    expect_fold("\xFF\xFE", "");
    expect_fold("abc\x80", "");
    expect_fold("\xC0\xAF", "");                           /* overlong '/' */
    assert_null(fp_fold_text(NULL));
}

#define VALID(lit) fpi_utf8_valid((lit), sizeof(lit) - 1)

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(fpi_utf8_valid("", 0));
    assert_true(VALID("plain ASCII, 123"));
    assert_true(VALID("\xC3\xA3"));                        /* U+00E3, 2 bytes */
    assert_true(VALID("\xC2\x80"));                        /* U+0080, smallest 2-byte */
    assert_true(VALID("\xDF\xBF"));                        /* U+07FF */
    assert_true(VALID("\xE2\x82\xAC"));                    /* U+20AC euro, 3 bytes */
    assert_true(VALID("\xE0\xA0\x80"));                    /* U+0800, smallest 3-byte */
    assert_true(VALID("\xED\x9F\xBF"));                    /* U+D7FF, just below surrogates */
    assert_true(VALID("\xEE\x80\x80"));                    /* U+E000, just above */
    assert_true(VALID("\xEF\xBF\xBF"));                    /* U+FFFF */
    assert_true(VALID("\xF0\x9F\x98\x80"));                /* U+1F600, 4 bytes */
    assert_true(VALID("\xF0\x90\x80\x80"));                /* U+10000 */
    assert_true(VALID("\xF4\x8F\xBF\xBF"));                /* U+10FFFF */
    assert_true(VALID("a\0b"));                            /* NUL is ASCII; the length counts */
    assert_true(VALID("S\xC3\xA3o Paulo, K\xC3\xB6ln \xE2\x82\xAC \xF0\x9F\x98\x80"));

    assert_false(VALID("\x80"));                           /* lone continuation */
    assert_false(VALID("a\x80z"));
    assert_false(VALID("\xBF"));
    assert_false(VALID("\xC0\xAF"));                       /* overlong '/' */
    assert_false(VALID("\xC1\xBF"));                       /* overlong */
    assert_false(VALID("\xE0\x9F\xBF"));                   /* overlong 3-byte (U+07FF) */
    assert_false(VALID("\xF0\x8F\xBF\xBF"));               /* overlong 4-byte (U+FFFF) */
    assert_false(VALID("\xED\xA0\x80"));                   /* surrogate U+D800 */
    assert_false(VALID("\xED\xBF\xBF"));                   /* surrogate U+DFFF */
    assert_false(VALID("\xE2\x82"));                       /* truncated 3-byte */
    assert_false(VALID("ab\xE2\x82"));
    assert_false(VALID("\xC3"));                           /* truncated 2-byte */
    assert_false(VALID("\xF0\x9F\x98"));                   /* truncated 4-byte */
    assert_false(VALID("\xE2\x82" "A"));                   /* continuation replaced by ASCII */
    assert_false(VALID("\xF5\x80\x80\x80"));               /* F5 never appears */
    assert_false(VALID("\xF4\x90\x80\x80"));               /* U+110000, beyond Unicode */
    assert_false(VALID("\xFF"));
    assert_false(VALID("\xFE"));
    assert_false(VALID("S\xE3o"));                         /* Latin-1 */

    /* The length bounds the check: a valid prefix of an invalid buffer. */
    assert_true(fpi_utf8_valid("ab\x80", 2));
    assert_false(fpi_utf8_valid("\xC3\xA3", 1));
}

static void test_cp1252_to_utf8(void **state)
{
    (void)state;
    char *s = fpi_cp1252_to_utf8("S\xE3o", 3);
    assert_non_null(s);
    const unsigned char want[] = { 0x53, 0xC3, 0xA3, 0x6F, 0x00 };
    assert_int_equal(strlen(s), 4);
    assert_memory_equal(s, want, sizeof want);
    assert_true(VALID("S\xC3\xA3o"));
    assert_true(fpi_utf8_valid(s, strlen(s)));
    free(s);

    s = fpi_cp1252_to_utf8("plain", 5);
    assert_string_equal(s, "plain");
    free(s);

    s = fpi_cp1252_to_utf8("", 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    /* 0xBF, 0xC0 and 0xFF at the edges of the two-byte forms; 0x80 is the
     * euro sign in Windows-1252 (Python's cp1252 codec gives the same). */
    s = fpi_cp1252_to_utf8("\x80\xBF\xC0\xFF", 4);
    const unsigned char want2[] = { 0xE2, 0x82, 0xAC, 0xC2, 0xBF, 0xC3, 0x80, 0xC3, 0xBF, 0x00 };
    assert_memory_equal(s, want2, sizeof want2);
    free(s);

    /* Excel's curly quotes, en dash and Y diaeresis (0x9F); 0x81, which
     * Windows-1252 leaves undefined, stays U+0081 as WHATWG decodes it. */
    s = fpi_cp1252_to_utf8("\x93Smart\x94 \x96 \x9F\x81", 12);
    assert_string_equal(s, "\xE2\x80\x9CSmart\xE2\x80\x9D \xE2\x80\x93 \xC5\xB8\xC2\x81");
    assert_true(fpi_utf8_valid(s, strlen(s)));
    free(s);

    /* K\xF6ln (Latin-1) → Köln → folds to "koln". */
    s = fpi_cp1252_to_utf8("K\xF6ln", 4);
    assert_string_equal(s, "K\xC3\xB6ln");
    char *f = fp_fold_text(s);
    assert_string_equal(f, "koln");
    free(f);
    free(s);
}

/* The running SHA-256 against FIPS 180-2's examples (independent of
 * footprint): whole, cut into pieces, from a file, and as the digest. */
static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    fpi_sha256 *h = fpi_sha256_new();
    assert_non_null(h);
    assert_int_equal(fpi_sha256_hex(h, hex), 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(fpi_sha256_hex(h, hex), -1);   /* finished: no second digest */
    fpi_sha256_free(h);

    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    h = fpi_sha256_new();
    fpi_sha256_add(h, two, 10);
    fpi_sha256_add(h, two + 10, 0);
    fpi_sha256_add(h, two + 10, strlen(two) - 10);
    assert_int_equal(fpi_sha256_hex(h, hex), 0);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    fpi_sha256_free(h);

    /* add_string hashes the NUL too: "abc\0". */
    unsigned char d[32], e[32];
    h = fpi_sha256_new();
    fpi_sha256_add_string(h, "abc");
    assert_int_equal(fpi_sha256_digest(h, d), 0);
    fpi_sha256_free(h);
    h = fpi_sha256_new();
    fpi_sha256_add(h, "abc", 4);
    assert_int_equal(fpi_sha256_digest(h, e), 0);
    fpi_sha256_free(h);
    assert_memory_equal(d, e, 32);

    char path[] = "/tmp/fp_test_sha256_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    h = fpi_sha256_new();
    assert_int_equal(fpi_sha256_add_file(h, path), 0);
    assert_int_equal(fpi_sha256_hex(h, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    fpi_sha256_free(h);
    fp_error err = { 0 };
    assert_int_equal(fpi_file_sha256(path, hex, &err), FP_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    h = fpi_sha256_new();
    assert_int_equal(fpi_sha256_add_file(h, path), -1);   /* gone */
    fpi_sha256_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_accents_and_case),
        cmocka_unit_test(test_fold_punctuation_and_space),
        cmocka_unit_test(test_fold_invalid_utf8),
        cmocka_unit_test(test_fold_keeps_letter_marks),
        cmocka_unit_test(test_fold_compatibility_and_format),
        cmocka_unit_test(test_text_shown),
        cmocka_unit_test(test_fold_letters),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_cp1252_to_utf8),
        cmocka_unit_test(test_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
