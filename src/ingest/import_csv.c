/*
 * The CSV path of the import: the reader's records, their encoding
 * (--encoding, else UTF-8 with a Windows-1252 fallback), NUL bytes and
 * malformed rows here; the header and each row then go through the table
 * rules shared with spreadsheets (table_rows.c).
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "ingest/ingest_internal.h"
#include "ingest/csv_reader.h"
#include "common/util.h"

/* Whether bytes that are not UTF-8, read as Windows-1252, look like text of
 * another code page: a byte Windows-1252 leaves undefined (0x81 0x8D 0x8F
 * 0x90 0x9D, which become C1 control characters; Shift-JIS and GBK lead
 * bytes, Czech ť in Windows-1250), or four or more non-ASCII bytes in a row
 * (a Cyrillic, Greek or Arabic word, two CJK characters). Western text sets
 * at most two or three together: "São", "Ångström", "Łódź" and "żółw" in
 * Windows-1250, Icelandic "þýð". *at: where the run or byte starts. */
int fpi_looks_misread(const char *text, size_t n, size_t *at)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D) {
            *at = i;
            return 1;
        }
        run = c >= 0x80 ? run + 1 : 0;
        if (run == 4) {
            *at = i - 3;
            return 1;
        }
    }
    return 0;
}

/* A record's raw text as it can be stored and shown with its reject: UTF-8
 * (Windows-1252 read when it is not and no encoding was given; an invalid
 * sequence of a given encoding as U+FFFD), a NUL byte as U+2400 (a visible
 * ␀): PostgreSQL refuses NUL in text, and SQLite's text would end there. */
static char *shown_raw(const char *raw, size_t len, int declared, size_t *out_len)
{
    int utf8 = declared || fpi_utf8_valid(raw, len);
    GString *s = g_string_sized_new(len + 16);
    size_t i = 0;
    for (;;) {
        const char *nul = memchr(raw + i, '\0', len - i);
        size_t n = (nul ? (size_t)(nul - raw) : len) - i;
        char *part = utf8 ? g_utf8_make_valid(raw + i, (gssize)n) : fpi_cp1252_to_utf8(raw + i, n);
        if (part) g_string_append(s, part);
        if (utf8) g_free(part); else free(part);
        if (!nul) break;
        g_string_append(s, "\xE2\x90\x80");
        i += n + 1;
    }
    *out_len = s->len;
    return g_string_free(s, FALSE);
}

/* Why a record's bytes cannot be stored, or NULL: a NUL byte in a field
 * (it cut the value off), or with --encoding a sequence invalid in it. */
static const char *bad_bytes(const fp_csv_record *rec, char **cols, int ncols, const char *encoding,
                             char *reason, size_t size)
{
    for (int i = 0; i < rec->nfields; i++) {
        int nul = memchr(rec->fields[i], '\0', rec->lengths[i]) != NULL;
        int invalid = !nul && encoding && memchr(rec->fields[i], FP_CSV_INVALID, rec->lengths[i]);
        if (!nul && !invalid) continue;
        char named[160] = "";
        char shown[144];
        if (i < ncols) fpi_column_display(cols[i], shown, sizeof shown);
        if (i < ncols) snprintf(named, sizeof named, " (%s)", shown);
        if (nul) snprintf(reason, size, "NUL byte in field %d%s: the value would be cut there "
                          "(a UTF-16 or UTF-32 file? give --encoding)", i + 1, named);
        else snprintf(reason, size, "field %d%s holds bytes that are not valid %s text", i + 1, named, encoding);
        return reason;
    }
    return NULL;
}

/* How many datasets (0, 1, or 2 for more) column dc of footprint's own
 * CSV export holds: a read of the file ahead of the import (own exports
 * only), stopping at the second name. */
static int own_export_datasets(const char *path, const char *encoding, int dc)
{
    fp_csv_reader *rd;
    if (fpi_csv_open_encoding(path, encoding, &rd, NULL)) return 0;
    fp_csv_record rec;
    char *first = NULL;
    int n = 0, got = fpi_csv_next(rd, &rec, NULL);        /* the header */
    while (got > 0 && n < 2 && (got = fpi_csv_next(rd, &rec, NULL)) > 0) {
        if (dc >= rec.nfields) continue;
        char *v = g_strstrip(g_strndup(rec.fields[dc], rec.lengths[dc]));
        if (!*v) g_free(v);
        else if (!first) { first = v; n = 1; }
        else { n += strcmp(first, v) != 0; g_free(v); }
    }
    g_free(first);
    fpi_csv_free(rd);
    return n;
}

/* How the amounts of a file with decimal commas (';' or TAB delimiter) are
 * read: "12.500" alone could be twelve and a half or, as such a locale
 * writes it, twelve thousand five hundred. The column's other values tell
 * (a read of the file ahead, column ac only): decimal commas or dots
 * grouping thousands ("3,5", "1.234.567", "1.234,50") and no decimal point
 * make a lone dot before three digits thousands and such a comma decimal;
 * decimal points alone ("2.5", "1,234.50") keep the rule for one value;
 * neither, or both, keep it too, and such values are counted in a warning.
 * (Guessing from the locale alone would misread the "0.125" of a file
 * whose amounts are written with points; from the rows read so far, make a
 * value's reading depend on the rows before it.) */
static fpi_amount_style amount_style_of(const char *path, const char *encoding, int ac)
{
    fp_csv_reader *rd;
    if (fpi_csv_open_encoding(path, encoding, &rd, NULL)) return FPI_AMOUNT_UNSURE;
    fp_csv_record rec;
    int comma = 0, point = 0, got = fpi_csv_next(rd, &rec, NULL);        /* the header */
    char v[64];
    while (got > 0 && !(comma && point) && (got = fpi_csv_next(rd, &rec, NULL)) > 0) {
        if (ac >= rec.nfields || rec.lengths[ac] >= sizeof v) continue;
        memcpy(v, rec.fields[ac], rec.lengths[ac]);
        v[rec.lengths[ac]] = '\0';
        fpi_amount_seps seps = fpi_amount_separators(fpi_trim(v));
        comma |= seps == FPI_AMOUNT_SEPS_COMMA;
        point |= seps == FPI_AMOUNT_SEPS_POINT;
    }
    fpi_csv_free(rd);
    return comma && !point ? FPI_AMOUNT_COMMA_DECIMAL : point && !comma ? FPI_AMOUNT_PLAIN : FPI_AMOUNT_UNSURE;
}

/* Whether a record is a row of HXL hashtags (fpi_hxl_row): the header's
 * number of fields, well-formed, no NUL byte (a tag is ASCII text). */
static int hxl_record(const fp_csv_record *rec, int ncols)
{
    if (rec->problem || rec->nfields != ncols) return 0;
    for (int i = 0; i < rec->nfields; i++)
        if (memchr(rec->fields[i], '\0', rec->lengths[i])) return 0;
    return fpi_hxl_row((const char *const *)rec->fields, rec->nfields);
}

fp_status fpi_import_csv(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err)
{
    fp_csv_reader *rd;
    fp_status st = fpi_csv_open_encoding(path, opts->encoding, &rd, err);
    if (st) return st;
    snprintf(res->format, sizeof res->format, "CSV");
    const char *guessed = fpi_csv_guessed_encoding(rd);
    if (guessed)
        snprintf(res->encoding_note, sizeof res->encoding_note, "no byte-order mark, but every other byte of the "
                 "first line is NUL: read as %s", guessed);

    fp_csv_record rec;
    int got = fpi_csv_next(rd, &rec, err);
    if (got <= 0) {
        fpi_csv_free(rd);
        return got < 0 ? FP_ERR_IO : fp_error_set(err, FP_ERR_INPUT, "%s: empty file (no header line)", path);
    }
    /* Copy the header (the reader reuses its buffers). */
    int ncols = rec.nfields;
    char **cols = calloc(ncols, sizeof *cols);
    for (int i = 0; i < ncols; i++) {
        const char *f = rec.fields[i];
        if (memchr(f, '\0', rec.lengths[i]) && st == FP_OK)
            st = fp_error_set(err, FP_ERR_INPUT, "%s:%ld: NUL byte in the header's column %d: is the file UTF-16 or "
                              "UTF-32? give its encoding with --encoding", path, rec.line, i + 1);
        if (opts->encoding || fpi_utf8_valid(f, rec.lengths[i])) {
            cols[i] = g_utf8_make_valid(f, (gssize)rec.lengths[i]);
        } else {
            char *c = fpi_cp1252_to_utf8(f, rec.lengths[i]);
            cols[i] = g_strdup(c);
            free(c);
        }
    }
    /* With a semicolon or TAB delimiter (what Excel writes in a locale
     * with decimal commas: "CSV" and "Unicode Text") a lone decimal comma
     * is a decimal point; with commas as delimiter it cannot be one. */
    char delim = fpi_csv_delimiter(rd);
    /* The record under the header, read before the columns are found: a
     * row of HXL hashtags (a file from HDX) is the columns' tags, not a
     * project, neither read nor rejected; any other is the first row. */
    int got_first = st == FP_OK ? fpi_csv_next(rd, &rec, err) : 0;
    char **tags = NULL;
    long tags_line = 0;
    if (got_first == 1 && hxl_record(&rec, ncols)) {
        tags = g_new0(char *, ncols + 1);
        for (int i = 0; i < ncols; i++) tags[i] = g_strdup(fpi_trim(rec.fields[i]));
        tags_line = rec.line;
        got_first = fpi_csv_next(rd, &rec, err);
    }
    fp_table *table = NULL;
    /* footprint's own export: the names its properties had (extra_KEY
     * beside a store column, NAME.fields.csv) and the types its .csvt
     * declares, so that numbers and booleans come back as such. */
    fpi_names names;
    fpi_names_restore(path, NULL, "CSV", (const char *const *)cols, ncols, &names);
    if (st == FP_OK)
        st = fpi_table_new(path, (const char *const *)names.match, ncols, (const char *const *)tags, opts,
                           delim == ';' || delim == '\t', NULL, res, &table, err);
    if (st == FP_OK && tags) {
        char where[40];
        snprintf(where, sizeof where, "line %ld", tags_line);
        fpi_note_hxl_row(res, where, (const char *const *)tags, ncols, fpi_table_tagged(table));
    }
    g_strfreev(tags);
    if (st == FP_OK) {
        const char **keys = calloc((size_t)ncols + 1, sizeof *keys);
        for (int i = 0; keys && i < ncols; i++) keys[i] = strcmp(names.key[i], cols[i]) ? names.key[i] : NULL;
        fpi_table_set_extra(table, names.note[0] ? keys : NULL,
                            fpi_csvt_read(path, ncols, res->types_note, sizeof res->types_note));
        free(keys);
        snprintf(res->names_note, sizeof res->names_note, "%s", names.note);
        int ac = fpi_table_field_column(table, FP_F_AMOUNT);
        if (ac >= 0 && (delim == ';' || delim == '\t'))
            fpi_table_set_amount_style(table, amount_style_of(path, opts->encoding, ac));
        int dc = fpi_table_own_dataset_column(table);
        if (dc >= 0 && own_export_datasets(path, opts->encoding, dc) > 1) {
            fpi_table_set_by_dataset(table, 1);
            snprintf(res->ids_note, sizeof res->ids_note,
                     "footprint's own export of several datasets: ids read as DATASET:ID (a source key is unique "
                     "within its dataset only)");
        }
    }
    fpi_names_free(&names);
    if (st) {
        for (int i = 0; i < ncols; i++) g_free(cols[i]);
        free(cols);
        fpi_csv_free(rd);
        return st;
    }

    char reason[320];
    for (got = got_first; got == 1; got = fpi_csv_next(rd, &rec, err)) {
        if ((st = fpi_sink_tick(sink, opts, err))) break;
        char *converted = NULL;
        const char *raw = rec.raw;
        size_t raw_len = rec.raw_len;
        char **fields = rec.fields;
        char **latin = NULL;
        if (bad_bytes(&rec, cols, ncols, opts->encoding, reason, sizeof reason)) {
            /* Refused, never stored cut or invalid; its raw text shows where. */
            converted = shown_raw(rec.raw, rec.raw_len, opts->encoding != NULL, &raw_len);
            st = fpi_sink_reject(sink, rec.line, 0, FP_REJECT_MALFORMED, reason, converted, raw_len, err);
            g_free(converted);
            if (st) break;
            continue;
        }
        if (!opts->encoding && !fpi_utf8_valid(rec.raw, rec.raw_len)) {
            /* Not UTF-8: read the record as Windows-1252 (what Excel on Windows
             * writes; Latin-1 but for 0x80-0x9F) so nothing invalid is stored. */
            converted = fpi_cp1252_to_utf8(rec.raw, rec.raw_len);
            raw = converted;
            raw_len = strlen(converted);
            latin = calloc(rec.nfields, sizeof *latin);
            int misread = 0;
            for (int i = 0; i < rec.nfields; i++) {
                latin[i] = fpi_cp1252_to_utf8(rec.fields[i], rec.lengths[i]);
                /* Mojibake is stored as well-formed text: the summary warns
                 * and names the first row and the text where it starts. */
                size_t at;
                if (misread || !fpi_looks_misread(rec.fields[i], rec.lengths[i], &at)) continue;
                misread = 1;
                if (res->misread) continue;
                res->misread_line = rec.line;
                char *from = fpi_cp1252_to_utf8(rec.fields[i] + at, rec.lengths[i] - at);
                size_t n = from ? strlen(from) : 0, cut = n < 40 ? n : 40;
                while (cut < n && ((unsigned char)from[cut] & 0xC0) == 0x80) cut--;
                snprintf(res->misread_sample, sizeof res->misread_sample, "%s%.*s%s", at ? "..." : "", (int)cut,
                         from ? from : "", cut < n ? "..." : "");
                free(from);
            }
            res->misread += misread;
            fields = latin;
            res->latin1_converted++;
        }
        if (rec.problem || rec.nfields != ncols) {
            /* A trailing empty line-end field from a final delimiter is common; be exact anyway. */
            if (rec.problem) snprintf(reason, sizeof reason, "%s", rec.problem);
            else snprintf(reason, sizeof reason, "the row has %d fields, the header has %d", rec.nfields, ncols);
            /* A bad row whose quoted field ran over a line end most often
             * has an unclosed quote: the lines it swallowed are in its raw
             * text, and the reason says which lines went together. */
            if (rec.quote_line) {
                size_t o = strlen(reason);
                snprintf(reason + o, sizeof reason - o, "; a quote opened on line %ld is not closed on that line (an "
                         "unclosed quote?), so lines %ld-%ld were read as one row", rec.quote_line, rec.line, rec.last_line);
            }
            st = fpi_sink_reject(sink, rec.line, 0, FP_REJECT_MALFORMED, reason, raw, raw_len, err);
        } else {
            st = fpi_table_row(table, sink, fields, rec.line, 0, raw, raw_len, NULL, err);
        }
        free(converted);
        if (latin) {
            for (int i = 0; i < rec.nfields; i++) free(latin[i]);
            free(latin);
        }
        if (st) break;
    }
    if (got < 0 && st == FP_OK) st = err ? err->code : FP_ERR_IO;
    for (int i = 0; i < ncols; i++) g_free(cols[i]);
    free(cols);
    fpi_table_free(table);
    fpi_csv_free(rd);
    return st;
}
