/* Streaming CSV reader; see csv_reader.h for why it exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "ingest/csv_reader.h"

#define CHUNK (1u << 20)

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

/* Next byte of input or -1 at end. */
static inline int next_byte(fp_csv_reader *r)
{
    if (r->mem) return r->mem_pos < r->mem_len ? (unsigned char)r->mem[r->mem_pos++] : -1;
    if (r->buf_pos == r->buf_len) {
        if (r->eof) return -1;
        r->buf_len = fread(r->buf, 1, CHUNK, r->file);
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
    return r;
}

/* A file that starts with a UTF-16 byte-order mark (what Excel's "Unicode
 * Text" and some Windows tools write) is decoded whole into UTF-8 and read
 * from memory: the records, line numbers and rejects are those of its UTF-8
 * twin. *out (malloc'd) is NULL when the file is not UTF-16; an error
 * when it cannot be decoded. */
static fp_status decode_utf16(FILE *f, const char *path, char **out, size_t *out_len, fp_error *err)
{
    unsigned char bom[2];
    *out = NULL;
    if (fread(bom, 1, 2, f) != 2 || !((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF))) {
        rewind(f);
        return FP_OK;
    }
    const char *from = bom[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
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
        fp_status st = fp_error_set(err, FP_ERR_INPUT, "%s: %s text (it starts with that byte-order mark) that cannot be decoded at byte %zu: %s; "
                     "nothing of this import was stored", path, from, (size_t)read + 2,
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

fp_status fpi_csv_open(const char *path, fp_csv_reader **out, fp_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return fp_error_set(err, FP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *decoded = NULL;
    size_t decoded_len = 0;
    fp_status st = decode_utf16(f, path, &decoded, &decoded_len, err);
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
        *out = r;
        return FP_OK;
    }
    fp_csv_reader *r = reader_new();
    if (r) r->buf = malloc(CHUNK);
    if (!r || !r->buf) {
        fclose(f);
        fpi_csv_free(r);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    }
    r->file = f;
    *out = r;
    return FP_OK;
}

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
