/* Unit tests of the streaming CSV reader (src/ingest/csv_reader.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>

#include "ingest/csv_reader.h"

/* Reads the next record, which must exist. */
static void next_ok(fp_csv_reader *r, fp_csv_record *rec)
{
    fp_error err = {0};
    int rc = fpi_csv_next(r, rec, &err);
    if (rc != 1) print_error("fpi_csv_next returned %d (%s)\n", rc, err.message);
    assert_int_equal(rc, 1);
}

static void expect_end(fp_csv_reader *r)
{
    fp_error err = {0};
    fp_csv_record rec;
    assert_int_equal(fpi_csv_next(r, &rec, &err), 0);
    /* And it stays at the end. */
    assert_int_equal(fpi_csv_next(r, &rec, &err), 0);
}

/* Field i equals the given bytes exactly (length too). */
static void expect_field(const fp_csv_record *rec, int i, const char *want, size_t want_len)
{
    assert_true(i < rec->nfields);
    assert_int_equal(rec->lengths[i], want_len);
    assert_memory_equal(rec->fields[i], want, want_len);
    assert_int_equal(rec->fields[i][want_len], '\0');
}
#define FIELD(rec, i, lit) expect_field((rec), (i), (lit), sizeof(lit) - 1)

static void expect_raw(const fp_csv_record *rec, const char *want, size_t want_len)
{
    assert_int_equal(rec->raw_len, want_len);
    assert_memory_equal(rec->raw, want, want_len);
}
#define RAW(rec, lit) expect_raw((rec), (lit), sizeof(lit) - 1)

static fp_csv_reader *mem_reader(const char *data, size_t len)
{
    fp_csv_reader *r = fpi_csv_new_from_memory(data, len);
    assert_non_null(r);
    return r;
}
#define MEM(lit) mem_reader((lit), sizeof(lit) - 1)

static void test_simple_rows(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("id,name\n1,alpha\n2,beta\n");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "id");
    FIELD(&rec, 1, "name");
    RAW(&rec, "id,name");
    assert_null(rec.problem);
    assert_int_equal(fpi_csv_delimiter(r), ',');

    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "1");
    FIELD(&rec, 1, "alpha");
    RAW(&rec, "1,alpha");
    assert_null(rec.problem);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    FIELD(&rec, 0, "2");
    FIELD(&rec, 1, "beta");
    RAW(&rec, "2,beta");

    expect_end(r);
    fpi_csv_free(r);
}

static void test_empty_input(void **state)
{
    (void)state;
    fp_csv_reader *r = fpi_csv_new_from_memory("", 0);
    assert_non_null(r);
    expect_end(r);
    fpi_csv_free(r);

    r = MEM("\n\r\n\n");
    expect_end(r);
    fpi_csv_free(r);

    fpi_csv_free(NULL);   /* allowed */
}

static void test_quoted_fields(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("a,b\n"                              /* line 1 */
                           "\"x,y\",\"he said \"\"hi\"\"\"\n"   /* line 2 */
                           "\"multi\nline\",z\n"                /* lines 3-4 */
                           "\"crlf\r\nin\",w\r\n"               /* lines 5-6 */
                           "after,end\n"                        /* line 7 */
                           "\"two\n\nblank\",\"\"\n"            /* lines 8-10 */
                           "last,\"\"\"\"\n");                  /* line 11 */
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "x,y");
    FIELD(&rec, 1, "he said \"hi\"");
    RAW(&rec, "\"x,y\",\"he said \"\"hi\"\"\"");
    assert_null(rec.problem);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "multi\nline");
    FIELD(&rec, 1, "z");
    RAW(&rec, "\"multi\nline\",z");
    assert_null(rec.problem);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 5);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "crlf\r\nin");     /* inside quotes the bytes are kept as written */
    FIELD(&rec, 1, "w");              /* the record's own CRLF is not */
    RAW(&rec, "\"crlf\r\nin\",w");
    assert_null(rec.problem);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 7);
    FIELD(&rec, 0, "after");
    FIELD(&rec, 1, "end");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 8);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "two\n\nblank");
    FIELD(&rec, 1, "");
    assert_null(rec.problem);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 11);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "last");
    FIELD(&rec, 1, "\"");
    assert_null(rec.problem);

    expect_end(r);
    fpi_csv_free(r);
}

static void test_crlf_line_ends(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("a,b\r\nc,d\r\n\"e\",f\r\n");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "a");
    FIELD(&rec, 1, "b");
    RAW(&rec, "a,b");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    FIELD(&rec, 0, "c");
    FIELD(&rec, 1, "d");
    RAW(&rec, "c,d");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    FIELD(&rec, 0, "e");
    FIELD(&rec, 1, "f");
    RAW(&rec, "\"e\",f");
    assert_null(memchr(rec.raw, '\r', rec.raw_len));

    expect_end(r);
    fpi_csv_free(r);

    /* Old Mac line ends (CR alone) count as lines too. */
    r = MEM("a\rb\rc");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    FIELD(&rec, 0, "a");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    FIELD(&rec, 0, "b");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    FIELD(&rec, 0, "c");
    expect_end(r);
    fpi_csv_free(r);
}

static void test_bom_skipped(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("\xEF\xBB\xBFid,name\n1,x\n");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "id");
    FIELD(&rec, 1, "name");
    RAW(&rec, "id,name");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    FIELD(&rec, 0, "1");
    FIELD(&rec, 1, "x");
    expect_end(r);
    fpi_csv_free(r);

    /* A BOM followed by a semicolon header: the sniffing looks past the BOM. */
    r = MEM("\xEF\xBB\xBFid;name\n1;x\n");
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), ';');
    FIELD(&rec, 0, "id");
    FIELD(&rec, 1, "name");
    fpi_csv_free(r);

    /* Bytes that only start like a BOM (U+F8FF = EF A3 BF) are kept. */
    r = MEM("\xEF\xA3\xBF" "a,b\n");
    next_ok(r, &rec);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "\xEF\xA3\xBF" "a");
    FIELD(&rec, 1, "b");
    fpi_csv_free(r);
}

static void test_delimiter_sniffing(void **state)
{
    (void)state;
    fp_csv_record rec;

    fp_csv_reader *r = MEM("a;b;c\n1;2,5;3\n");
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), ';');
    assert_int_equal(rec.nfields, 3);
    FIELD(&rec, 0, "a");
    FIELD(&rec, 2, "c");
    next_ok(r, &rec);
    assert_int_equal(rec.nfields, 3);
    FIELD(&rec, 1, "2,5");    /* a decimal comma is data under ';' */
    fpi_csv_free(r);

    r = MEM("a\tb\tc\n1\t2\t\n");
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), '\t');
    assert_int_equal(rec.nfields, 3);
    FIELD(&rec, 1, "b");
    next_ok(r, &rec);
    assert_int_equal(rec.nfields, 3);
    FIELD(&rec, 0, "1");
    FIELD(&rec, 1, "2");
    FIELD(&rec, 2, "");
    fpi_csv_free(r);

    /* Delimiters inside quotes do not count: 1 comma outside vs 3 ';' inside. */
    r = MEM("\"x;y;z;w\",b\n");
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), ',');
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "x;y;z;w");
    FIELD(&rec, 1, "b");
    fpi_csv_free(r);

    /* Ties go to the comma; no delimiter at all is a comma too. */
    r = MEM("a,b;c\n");
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), ',');
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 1, "b;c");
    fpi_csv_free(r);

    r = MEM("single\n");
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), ',');
    assert_int_equal(rec.nfields, 1);
    FIELD(&rec, 0, "single");
    fpi_csv_free(r);
}

static void test_blank_lines(void **state)
{
    (void)state;
    /* line 1: h, 2: blank, 3: "1", 4: blank (CRLF), 5: blank, 6: "2", 7: blank */
    fp_csv_reader *r = MEM("h\n\n1\n\r\n\n2\n\n");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    FIELD(&rec, 0, "h");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    assert_int_equal(rec.nfields, 1);
    FIELD(&rec, 0, "1");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 6);
    FIELD(&rec, 0, "2");
    RAW(&rec, "2");
    expect_end(r);
    fpi_csv_free(r);

    /* Blank lines before the header too. */
    r = MEM("\n\nid,x\n");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    FIELD(&rec, 0, "id");
    FIELD(&rec, 1, "x");
    fpi_csv_free(r);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("a,b\n1,\"oops\nmore");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_null(rec.problem);
    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_non_null(rec.problem);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "1");
    RAW(&rec, "1,\"oops\nmore");
    expect_end(r);
    fpi_csv_free(r);
}

static void test_text_after_closing_quote(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("h1,h2\n\"abc\"x,y\nok,1\n\"a\" ,b\n");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_null(rec.problem);

    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_non_null(rec.problem);
    assert_int_equal(rec.nfields, 2);
    RAW(&rec, "\"abc\"x,y");

    /* The problem does not stick to the following records. */
    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    assert_null(rec.problem);
    FIELD(&rec, 0, "ok");
    FIELD(&rec, 1, "1");

    /* A space after the closing quote is text too. */
    next_ok(r, &rec);
    assert_int_equal(rec.line, 4);
    assert_non_null(rec.problem);

    expect_end(r);
    fpi_csv_free(r);
}

static void test_final_line_without_newline(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("a,b\nc,d");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "c");
    FIELD(&rec, 1, "d");
    RAW(&rec, "c,d");
    assert_null(rec.problem);
    expect_end(r);
    fpi_csv_free(r);

    /* Ending in a closed quoted field. */
    r = MEM("a,b\n\"c\",\"d\"");
    next_ok(r, &rec);
    next_ok(r, &rec);
    assert_null(rec.problem);
    FIELD(&rec, 0, "c");
    FIELD(&rec, 1, "d");
    RAW(&rec, "\"c\",\"d\"");
    expect_end(r);
    fpi_csv_free(r);
}

static void test_empty_fields(void **state)
{
    (void)state;
    fp_csv_reader *r = MEM("a,,c\n,\n,,\nx,\"\",z\n");
    fp_csv_record rec;

    next_ok(r, &rec);
    assert_int_equal(rec.nfields, 3);
    FIELD(&rec, 0, "a");
    FIELD(&rec, 1, "");
    FIELD(&rec, 2, "c");
    assert_int_equal(rec.lengths[0], 1);
    assert_int_equal(rec.lengths[1], 0);
    assert_int_equal(rec.lengths[2], 1);
    RAW(&rec, "a,,c");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.nfields, 2);
    FIELD(&rec, 0, "");
    FIELD(&rec, 1, "");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    assert_int_equal(rec.nfields, 3);
    for (int i = 0; i < 3; i++) FIELD(&rec, i, "");

    next_ok(r, &rec);
    assert_int_equal(rec.line, 4);
    assert_int_equal(rec.nfields, 3);
    FIELD(&rec, 0, "x");
    FIELD(&rec, 1, "");
    FIELD(&rec, 2, "z");
    assert_null(rec.problem);
    RAW(&rec, "x,\"\",z");

    expect_end(r);
    fpi_csv_free(r);
}

static void test_many_fields(void **state)
{
    (void)state;
    /* More fields than the reader's first allocation (grows its arrays). */
    char buf[1024];
    size_t n = 0;
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d", i ? "," : "", i);
    buf[n++] = '\n';
    fp_csv_reader *r = mem_reader(buf, n);
    fp_csv_record rec;
    next_ok(r, &rec);
    assert_int_equal(rec.nfields, 100);
    for (int i = 0; i < 100; i++) {
        char want[8];
        int wl = snprintf(want, sizeof want, "%d", i);
        expect_field(&rec, i, want, (size_t)wl);
    }
    expect_raw(&rec, buf, n - 1);
    fpi_csv_free(r);
}

#define BIG (1u << 20)

static char *make_big_input(size_t *len_out, int quoted)
{
    /* header "big,n" / a 1 MB field, "7" / "next,8" */
    size_t cap = BIG + 64, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    memcpy(s + n, "big,n\n", 6); n += 6;
    if (quoted) s[n++] = '"';
    for (size_t i = 0; i < BIG; i++) s[n++] = quoted && i % 1000 == 999 ? ',' : (char)('a' + i % 26);
    if (quoted) s[n++] = '"';
    memcpy(s + n, ",7\nnext,8\n", 10); n += 10;
    *len_out = n;
    return s;
}

static void check_big(fp_csv_reader *r, int quoted)
{
    fp_csv_record rec;
    next_ok(r, &rec);
    assert_int_equal(rec.line, 1);
    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    assert_null(rec.problem);
    assert_int_equal(rec.nfields, 2);
    assert_int_equal(rec.lengths[0], BIG);
    for (size_t i = 0; i < BIG; i++) {
        char want = quoted && i % 1000 == 999 ? ',' : (char)('a' + i % 26);
        if (rec.fields[0][i] != want) {
            print_error("byte %zu: %d, expected %d\n", i, rec.fields[0][i], want);
            fail();
        }
    }
    assert_int_equal(rec.fields[0][BIG], '\0');
    FIELD(&rec, 1, "7");
    assert_int_equal(rec.raw_len, BIG + 2 + (quoted ? 2 : 0));
    next_ok(r, &rec);
    assert_int_equal(rec.line, 3);
    FIELD(&rec, 0, "next");
    FIELD(&rec, 1, "8");
    expect_end(r);
}

static void test_one_megabyte_field(void **state)
{
    (void)state;
    for (int quoted = 0; quoted <= 1; quoted++) {
        size_t n;
        char *s = make_big_input(&n, quoted);
        fp_csv_reader *r = mem_reader(s, n);
        check_big(r, quoted);
        fpi_csv_free(r);
        free(s);
    }
}

/* The same through a file, where the 1 MB read buffer is refilled mid-record. */
static void test_file_input(void **state)
{
    (void)state;
    for (int quoted = 0; quoted <= 1; quoted++) {
        size_t n;
        char *s = make_big_input(&n, quoted);
        char path[] = "/tmp/fp_test_csvXXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(s, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
        free(s);

        fp_csv_reader *r = NULL;
        fp_error err = {0};
        assert_int_equal(fpi_csv_open(path, &r, &err), FP_OK);
        assert_non_null(r);
        check_big(r, quoted);
        fpi_csv_free(r);
        unlink(path);
    }

    /* BOM and CRLF from a file. */
    char path[] = "/tmp/fp_test_csvXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "\xEF\xBB\xBFid;v\r\n1;\"a\r\nb\"\r\n2;c\r\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    fp_csv_reader *r = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_csv_open(path, &r, &err), FP_OK);
    fp_csv_record rec;
    next_ok(r, &rec);
    assert_int_equal(fpi_csv_delimiter(r), ';');
    FIELD(&rec, 0, "id");
    FIELD(&rec, 1, "v");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 2);
    FIELD(&rec, 1, "a\r\nb");
    next_ok(r, &rec);
    assert_int_equal(rec.line, 4);
    FIELD(&rec, 0, "2");
    FIELD(&rec, 1, "c");
    expect_end(r);
    fpi_csv_free(r);
    unlink(path);
}

static void test_open_missing_file(void **state)
{
    (void)state;
    fp_csv_reader *r = (fp_csv_reader *)1;
    fp_error err = {0};
    assert_int_equal(fpi_csv_open("/nonexistent/dir/x.csv", &r, &err), FP_ERR_IO);
    assert_null(r);
    assert_int_equal(err.code, FP_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/dir/x.csv"));
}

/* Writes bytes to a temporary file; path receives its name. */
static void temp_file(char *path, const void *data, size_t n)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* --encoding: GBK read as UTF-8, the two-byte characters cut by the 256 KB
 * conversion chunks joined again; an invalid byte becomes FP_CSV_INVALID
 * in its own record only. */
static void test_declared_encoding(void **state)
{
    (void)state;
    GString *t = g_string_new("id,place\n");
    for (int i = 0; i < 100000; i++) g_string_append_printf(t, "%d,%s\n", i, i % 3 ? "\xB1\xB1\xBE\xA9" : "a\xB1\xB1");
    g_string_append(t, "bad,x\xB1\n" "last,\xBE\xA9\n");   /* 0xB1 before a line end: not GBK */
    char path[] = "/tmp/fp_test_csvXXXXXX";
    temp_file(path, t->str, t->len);
    g_string_free(t, TRUE);
    fp_csv_reader *r = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_csv_open_encoding(path, "GBK", &r, &err), FP_OK);
    fp_csv_record rec;
    next_ok(r, &rec);
    for (int i = 0; i < 100000; i++) {
        next_ok(r, &rec);
        assert_int_equal(rec.line, i + 2);
        if (i % 3) FIELD(&rec, 1, "\xE5\x8C\x97\xE4\xBA\xAC");   /* 北京 */
        else FIELD(&rec, 1, "a\xE5\x8C\x97");
    }
    next_ok(r, &rec);
    FIELD(&rec, 1, "x\xFF");
    next_ok(r, &rec);
    FIELD(&rec, 1, "\xE4\xBA\xAC");
    expect_end(r);
    fpi_csv_free(r);
    unlink(path);
    assert_int_equal(fpi_csv_open_encoding(path, "NO-SUCH-CODEPAGE", &r, &err), FP_ERR_USAGE);
    assert_null(r);
    assert_non_null(strstr(err.message, "NO-SUCH-CODEPAGE"));
}

/* UTF-16 without a byte-order mark: found from the first line, LE and BE. */
static void test_utf16_without_bom(void **state)
{
    (void)state;
    static const char le[] = "i\0d\0,\0p\0\n\0" "1\0,\0\xFC\0\n\0";
    static const char be[] = "\0i\0d\0,\0p\0\n" "\0" "1\0,\0\xFC\0\n";
    const char *const texts[] = { le, be };
    const size_t lens[] = { sizeof le - 1, sizeof be - 1 };
    for (int k = 0; k < 2; k++) {
        char path[] = "/tmp/fp_test_csvXXXXXX";
        temp_file(path, texts[k], lens[k]);
        fp_csv_reader *r = NULL;
        fp_error err = {0};
        assert_int_equal(fpi_csv_open(path, &r, &err), FP_OK);
        assert_string_equal(fpi_csv_guessed_encoding(r), k ? "UTF-16BE" : "UTF-16LE");
        fp_csv_record rec;
        next_ok(r, &rec);
        FIELD(&rec, 0, "id");
        next_ok(r, &rec);
        FIELD(&rec, 1, "\xC3\xBC");
        expect_end(r);
        fpi_csv_free(r);
        unlink(path);
    }
    /* A NUL inside 8-bit text is no UTF-16. */
    char path[] = "/tmp/fp_test_csvXXXXXX";
    temp_file(path, "id,place\nz,Z\xC3\xBCr\0ich\n", 21);
    fp_csv_reader *r = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_csv_open(path, &r, &err), FP_OK);
    assert_null(fpi_csv_guessed_encoding(r));
    fp_csv_record rec;
    next_ok(r, &rec);
    next_ok(r, &rec);
    FIELD(&rec, 1, "Z\xC3\xBCr\0ich");
    fpi_csv_free(r);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_rows),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_crlf_line_ends),
        cmocka_unit_test(test_bom_skipped),
        cmocka_unit_test(test_delimiter_sniffing),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_text_after_closing_quote),
        cmocka_unit_test(test_final_line_without_newline),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_many_fields),
        cmocka_unit_test(test_one_megabyte_field),
        cmocka_unit_test(test_file_input),
        cmocka_unit_test(test_open_missing_file),
        cmocka_unit_test(test_declared_encoding),
        cmocka_unit_test(test_utf16_without_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
