/* Streaming CSV reader; see csv_reader.h for why it exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "ingest/csv_reader.h"

#define CHUNK (1u << 20)
/* --encoding: bytes of the file converted at a time; a byte becomes at most
 * three of UTF-8 (or one FP_CSV_INVALID), so a chunk's text fits in buf. */
#define IN_CHUNK (CHUNK / 4)

struct fp_csv_reader {
    FILE *file;
    const char *mem;            /* memory input instead of a file */
    char *owned_mem;            /* mem when the reader made it (a UTF-16 file decoded) */
    size_t mem_len, mem_pos;
    char *buf;                  /* read buffer (file input) */
    size_t buf_len, buf_pos;
    int eof;
    long line;                  /* current line number */
    char delim;
    int first;                  /* before the first record: BOM and delimiter sniffing */
    char *raw;                  /* current record's raw bytes */
    size_t raw_len, raw_cap;
    char *data;                 /* current record's unescaped fields, NUL-separated */
    size_t data_len, data_cap;
    size_t *starts;             /* field offsets into data */
    char **fields;
    size_t *lengths;
    int fields_cap;
    int nfields;
    GIConv cd;                  /* --encoding: the file's bytes to UTF-8; (GIConv)-1 without */
    char *in;                   /* bytes read but not converted yet (a character cut by the chunk) */
    size_t in_len;
    size_t unit;                /* the encoding's code unit (UTF-16: 2): what an invalid one skips */
    const char *guessed;        /* UTF-16 found without a byte-order mark */
};

static int grow(char **p, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need) n *= 2;
    char *q = realloc(*p, n);
    if (!q) return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* --encoding: fills buf with the next text of the file as UTF-8; 0 at its
 * end. A sequence invalid in the encoding (or cut short by the end of the
 * file) becomes one FP_CSV_INVALID byte and the conversion goes on after it,
 * so the record that holds it can be refused and the others read. */
static size_t refill_converted(fp_csv_reader *r)
{
    for (;;) {
        size_t got = fread(r->in + r->in_len, 1, IN_CHUNK - r->in_len, r->file);
        int at_end = got == 0;
        r->in_len += got;
        gchar *inp = r->in, *outp = r->buf;
        gsize inleft = r->in_len, outleft = CHUNK;
        while (inleft > 0 && outleft > 0) {
            if (g_iconv(r->cd, &inp, &inleft, &outp, &outleft) != (gsize)-1 || errno == E2BIG) break;
            if (errno == EINVAL && !at_end) break;   /* a character cut by the chunk: completed next time */
            size_t skip = errno == EINVAL ? inleft : r->unit < inleft ? r->unit : inleft;
            *outp++ = (char)FP_CSV_INVALID;
            outleft--;
            inp += skip;
            inleft -= skip;
        }
        if (at_end && inleft == 0) g_iconv(r->cd, NULL, NULL, &outp, &outleft);   /* a stateful encoding's end */
        memmove(r->in, inp, inleft);
        r->in_len = inleft;
        size_t n = CHUNK - outleft;
        if (n > 0 || at_end) return n;
    }
}

/* Next byte of input or -1 at end. */
static inline int next_byte(fp_csv_reader *r)
{
    if (r->mem) return r->mem_pos < r->mem_len ? (unsigned char)r->mem[r->mem_pos++] : -1;
    if (r->buf_pos == r->buf_len) {
        if (r->eof) return -1;
        r->buf_len = r->cd != (GIConv)-1 ? refill_converted(r) : fread(r->buf, 1, CHUNK, r->file);
        r->buf_pos = 0;
        if (r->buf_len == 0) { r->eof = 1; return -1; }
    }
    return (unsigned char)r->buf[r->buf_pos++];
}

static inline int peek_byte(fp_csv_reader *r)
{
    int c = next_byte(r);
    if (c >= 0) { if (r->mem) r->mem_pos--; else r->buf_pos--; }
    return c;
}

static fp_csv_reader *reader_new(void)
{
    fp_csv_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->line = 1;
    r->delim = ',';
    r->first = 1;
    r->cd = (GIConv)-1;
    return r;
}

/* UTF-16 without a byte-order mark, as some tools write it: every other
 * byte of the first line NUL (a header is mostly ASCII; a quarter of its
 * characters may be others, "Größe", "地点"). Text in an 8-bit encoding or
 * UTF-8 has no NUL there. "UTF-16LE", "UTF-16BE" or NULL. */
static const char *utf16_without_bom(const unsigned char *p, size_t n)
{
    size_t pairs = 0, low = 0, high = 0;   /* ASCII characters as LE, as BE */
    for (size_t i = 0; i + 1 < n; i += 2) {
        if ((p[i] == '\n' && !p[i + 1]) || (!p[i] && p[i + 1] == '\n')) break;
        if (!p[i] && !p[i + 1]) return NULL;
        pairs++;
        low += p[i] && !p[i + 1];
        high += !p[i] && p[i + 1];
    }
    if (pairs < 2) return NULL;
    if (low * 4 >= pairs * 3 && high * 4 < pairs) return "UTF-16LE";
    if (high * 4 >= pairs * 3 && low * 4 < pairs) return "UTF-16BE";
    return NULL;
}

/* A file that starts with a UTF-16 byte-order mark (what Excel's "Unicode
 * Text" and some Windows tools write) is decoded whole into UTF-8 and read
 * from memory: the records, line numbers and rejects are those of its UTF-8
 * twin. So is one without the mark whose first line is UTF-16 (*guessed
 * says which): read as 8-bit text it was a header of one-letter columns
 * and NUL bytes. *out (malloc'd) is NULL when the file is not UTF-16; an
 * error when it cannot be decoded. */
static fp_status decode_utf16(FILE *f, const char *path, char **out, size_t *out_len, const char **guessed,
                              fp_error *err)
{
    unsigned char head[4096];
    *out = NULL;
    size_t got = fread(head, 1, sizeof head, f);
    const char *from = NULL, *why = "it starts with that byte-order mark";
    size_t skip = 2;
    if (got >= 2 && head[0] == 0xFF && head[1] == 0xFE) from = "UTF-16LE";
    else if (got >= 2 && head[0] == 0xFE && head[1] == 0xFF) from = "UTF-16BE";
    else if ((from = *guessed = utf16_without_bom(head, got))) {
        skip = 0;
        why = "it has no byte-order mark, but every other byte of its first line is NUL";
    }
    if (!from || fseek(f, (long)skip, SEEK_SET) != 0) {
        rewind(f);
        *guessed = NULL;
        return FP_OK;
    }
    GByteArray *all = g_byte_array_new();
    unsigned char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) g_byte_array_append(all, chunk, (guint)n);
    if (ferror(f)) {
        g_byte_array_free(all, TRUE);
        return fp_error_set(err, FP_ERR_IO, "%s: read error", path);
    }
    GError *gerr = NULL;
    gsize read = 0, written = 0, len = all->len;
    gchar *utf8 = len ? g_convert((const gchar *)all->data, (gssize)len, "UTF-8", from, &read, &written, &gerr)
                      : g_strdup("");   /* the mark alone: an empty file */
    g_byte_array_free(all, TRUE);
    if (utf8 && read != len && len) {
        /* g_convert stops at a character cut short (an odd byte, half a
         * surrogate pair at the end) without failing. */
        g_free(utf8);
        utf8 = NULL;
    }
    if (!utf8) {
        fp_status st = fp_error_set(err, FP_ERR_INPUT, "%s: %s text (%s) that cannot be decoded at byte %zu: %s; "
                     "nothing of this import was stored", path, from, why, (size_t)read + skip,
                     gerr ? gerr->message : "the file ends inside a character");
        g_clear_error(&gerr);
        return st;
    }
    *out = malloc(written + 1);
    if (*out) memcpy(*out, utf8, written + 1);
    *out_len = written;
    g_free(utf8);
    return *out ? FP_OK : fp_error_set(err, FP_ERR_NOMEM, "out of memory");
}

/* The encoding's code unit in bytes: what "A" adds to its text (UTF-16: 2,
 * UTF-32: 4, an 8-bit or multibyte code page: 1). */
static size_t code_unit(const char *encoding)
{
    gsize one = 0, two = 0;
    gchar *a = g_convert("A", 1, encoding, "UTF-8", NULL, &one, NULL);
    gchar *b = g_convert("AA", 2, encoding, "UTF-8", NULL, &two, NULL);
    size_t unit = a && b && two > one && two - one <= 4 ? two - one : 1;
    g_free(a);
    g_free(b);
    return unit;
}

/* iconv's conversion from the encoding to UTF-8, or (GIConv)-1 with err
 * filled. "" is refused: iconv reads it as the locale's. */
static GIConv encoding_open(const char *encoding, fp_error *err)
{
    GIConv cd = *encoding ? g_iconv_open("UTF-8", encoding) : (GIConv)-1;
    if (cd == (GIConv)-1)
        fp_error_set(err, FP_ERR_USAGE, "--encoding '%s': not an encoding this system's iconv knows (such as "
                     "CP1251, GBK, SHIFT_JIS, CP932, ISO-8859-2, UTF-16LE; `iconv -l` lists them)", encoding);
    return cd;
}

fp_status fpi_encoding_check(const char *encoding, fp_error *err)
{
    GIConv cd = encoding_open(encoding, err);
    if (cd == (GIConv)-1) return FP_ERR_USAGE;
    g_iconv_close(cd);
    return FP_OK;
}

fp_status fpi_csv_open_encoding(const char *path, const char *encoding, fp_csv_reader **out, fp_error *err)
{
    *out = NULL;
    GIConv cd = (GIConv)-1;
    if (encoding && (cd = encoding_open(encoding, err)) == (GIConv)-1) return FP_ERR_USAGE;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (cd != (GIConv)-1) g_iconv_close(cd);
        return fp_error_set(err, FP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    char *decoded = NULL;
    size_t decoded_len = 0;
    const char *guessed = NULL;
    /* An encoding given is the user's word: no byte-order mark is looked for. */
    fp_status st = encoding ? FP_OK : decode_utf16(f, path, &decoded, &decoded_len, &guessed, err);
    if (st) {
        fclose(f);
        return st;
    }
    if (decoded) {
        fclose(f);
        fp_csv_reader *r = reader_new();
        if (!r) {
            free(decoded);
            return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        }
        r->mem = r->owned_mem = decoded;
        r->mem_len = decoded_len;
        r->guessed = guessed;
        *out = r;
        return FP_OK;
    }
    fp_csv_reader *r = reader_new();
    if (r) r->buf = malloc(CHUNK);
    if (r && cd != (GIConv)-1) {
        r->cd = cd;
        cd = (GIConv)-1;
        r->unit = code_unit(encoding);
        r->in = malloc(IN_CHUNK);
    }
    if (!r || !r->buf || (r->cd != (GIConv)-1 && !r->in)) {
        fclose(f);
        if (cd != (GIConv)-1) g_iconv_close(cd);
        fpi_csv_free(r);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    }
    r->file = f;
    *out = r;
    return FP_OK;
}

fp_status fpi_csv_open(const char *path, fp_csv_reader **out, fp_error *err)
{
    return fpi_csv_open_encoding(path, NULL, out, err);
}

const char *fpi_csv_guessed_encoding(const fp_csv_reader *r) { return r->guessed; }

fp_csv_reader *fpi_csv_new_from_memory(const char *data, size_t len)
{
    fp_csv_reader *r = reader_new();
    if (!r) return NULL;
    r->mem = data ? data : "";
    r->mem_len = len;
    return r;
}

char fpi_csv_delimiter(const fp_csv_reader *r) { return r->delim; }

void fpi_csv_free(fp_csv_reader *r)
{
    if (!r) return;
    if (r->file) fclose(r->file);
    if (r->cd != (GIConv)-1) g_iconv_close(r->cd);
    free(r->in);
    free(r->owned_mem);
    free(r->buf);
    free(r->raw);
    free(r->data);
    free(r->starts);
    free(r->fields);
    free(r->lengths);
    free(r);
}

/* Skips a BOM and picks the delimiter from the first line: the most frequent
 * of , ; TAB outside quotes (comma wins ties). */
static void sniff(fp_csv_reader *r)
{
    /* Look at the buffered start of the input (a file's first chunk is read
     * here). Fuzzing found the old way, reading three bytes and putting
     * them back, losing a file shorter than three bytes that starts with
     * 0xEF: the read at the end of the file emptied the buffer the bytes
     * were put back into (tests/fuzz/regressions/csv_reader/). */
    peek_byte(r);
    const unsigned char *p;
    size_t n;
    if (r->mem) { p = (const unsigned char *)r->mem + r->mem_pos; n = r->mem_len - r->mem_pos; }
    else { p = (const unsigned char *)r->buf + r->buf_pos; n = r->buf_len - r->buf_pos; }
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        if (r->mem) r->mem_pos += 3; else r->buf_pos += 3;
        p += 3;
        n -= 3;
    }
    int commas = 0, semis = 0, tabs = 0, inq = 0;
    for (size_t i = 0; i < n && p[i] != '\n' && p[i] != '\r'; i++) {
        if (p[i] == '"') inq = !inq;
        else if (!inq) {
            commas += p[i] == ',';
            semis += p[i] == ';';
            tabs += p[i] == '\t';
        }
    }
    if (semis > commas && semis >= tabs) r->delim = ';';
    else if (tabs > commas && tabs > semis) r->delim = '\t';
}

static int push_field(fp_csv_reader *r)
{
    if (r->nfields == r->fields_cap) {
        int n = r->fields_cap ? r->fields_cap * 2 : 32;
        size_t *s = realloc(r->starts, n * sizeof *s);
        if (!s) return -1;
        r->starts = s;
        size_t *l = realloc(r->lengths, n * sizeof *l);
        if (!l) return -1;
        r->lengths = l;
        r->fields_cap = n;
    }
    r->nfields++;
    return 0;
}

#define PUT_DATA(ch) do { if (r->data_len + 1 >= r->data_cap && grow(&r->data, &r->data_cap, r->data_len + 2)) goto nomem; \
                          r->data[r->data_len++] = (char)(ch); } while (0)
#define PUT_RAW(ch) do { if (r->raw_len + 1 >= r->raw_cap && grow(&r->raw, &r->raw_cap, r->raw_len + 2)) goto nomem; \
                         r->raw[r->raw_len++] = (char)(ch); } while (0)

int fpi_csv_next(fp_csv_reader *r, fp_csv_record *rec, fp_error *err)
{
    if (r->first) { sniff(r); r->first = 0; }
    memset(rec, 0, sizeof *rec);
    r->raw_len = r->data_len = 0;
    r->nfields = 0;
    int c = next_byte(r);
    /* Skip blank lines between records. */
    while (c == '\n' || c == '\r') {
        if (c == '\n') r->line++;
        else if (peek_byte(r) != '\n') r->line++;
        c = next_byte(r);
    }
    if (c < 0) {
        if (r->file && ferror(r->file))
            return fp_error_set(err, FP_ERR_IO, "read error: %s", strerror(errno)), -1;
        return 0;
    }
    rec->line = r->line;
    const char *problem = NULL;
    int quoted = 0, after_quote = 0;
    long quote_line = 0;          /* the line of a quote that ran past its line end */
    if (push_field(r)) goto nomem;
    r->starts[0] = 0;
    for (;;) {
        if (c < 0) {
            if (quoted) problem = "unterminated quoted field (the file ends inside quotes)";
            break;
        }
        if (r->raw_len >= FP_CSV_MAX_RECORD) {
            /* Swallow the rest of the physical line and report it. */
            problem = "record longer than 64 MB";
            while (c >= 0 && c != '\n') c = next_byte(r);
            if (c == '\n') r->line++;
            break;
        }
        if (quoted) {
            if (c == '"') {
                if (peek_byte(r) == '"') { PUT_RAW(c); c = next_byte(r); PUT_DATA('"'); }
                else { quoted = 0; after_quote = 1; }
            } else {
                if ((c == '\n' || c == '\r') && !quote_line) quote_line = r->line;
                if (c == '\n') r->line++;
                else if (c == '\r' && peek_byte(r) != '\n') r->line++;
                PUT_DATA(c);
            }
            PUT_RAW(c);
        } else if (c == r->delim) {
            PUT_RAW(c);
            PUT_DATA('\0');
            if (push_field(r)) goto nomem;
            r->starts[r->nfields - 1] = r->data_len;
            after_quote = 0;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && peek_byte(r) == '\n') next_byte(r);
            r->line++;
            break;
        } else if (c == '"' && r->data_len == r->starts[r->nfields - 1] && !after_quote) {
            quoted = 1;
            PUT_RAW(c);
        } else {
            if (after_quote && !problem)
                problem = "text after a closing quote in a field";
            PUT_DATA(c);
            PUT_RAW(c);
        }
        c = next_byte(r);
    }
    PUT_DATA('\0');
    if (r->raw_cap == 0 && grow(&r->raw, &r->raw_cap, 1)) goto nomem;
    r->raw[r->raw_len] = '\0';
    if (r->fields_cap > 0) {
        char **f = realloc(r->fields, r->fields_cap * sizeof *f);
        if (!f) goto nomem;
        r->fields = f;
    }
    for (int i = 0; i < r->nfields; i++) {
        r->fields[i] = r->data + r->starts[i];
        size_t end = (i + 1 < r->nfields) ? r->starts[i + 1] - 1 : r->data_len - 1;
        r->lengths[i] = end - r->starts[i];
    }
    rec->nfields = r->nfields;
    rec->fields = r->fields;
    rec->lengths = r->lengths;
    rec->raw = r->raw;
    rec->raw_len = r->raw_len;
    rec->problem = problem;
    rec->quote_line = quote_line;
    rec->last_line = r->line - (c == '\n' || c == '\r' ? 1 : 0);
    return 1;
nomem:
    fp_error_set(err, FP_ERR_NOMEM, "out of memory reading a CSV record at line %ld", rec->line);
    return -1;
}
