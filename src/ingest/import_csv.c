/*
 * The CSV path of the import: the reader's records, Windows-1252 fallback and
 * malformed rows here; the header and each row then go through the table
 * rules shared with spreadsheets (table_rows.c).
 */
#include <stdlib.h>
#include <string.h>
#include "ingest/ingest_internal.h"
#include "ingest/csv_reader.h"
#include "common/util.h"

fp_status fpi_import_csv(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err)
{
    fp_csv_reader *rd;
    fp_status st = fpi_csv_open(path, &rd, err);
    if (st) return st;
    snprintf(res->format, sizeof res->format, "CSV");

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
        cols[i] = fpi_utf8_valid(f, rec.lengths[i]) ? strdup(f) : fpi_cp1252_to_utf8(f, rec.lengths[i]);
    }
    /* With a semicolon or TAB delimiter (what Excel writes in a locale
     * with decimal commas: "CSV" and "Unicode Text") a lone decimal comma
     * is a decimal point; with commas as delimiter it cannot be one. */
    char delim = fpi_csv_delimiter(rd);
    fp_table *table = NULL;
    st = fpi_table_new(path, (const char *const *)cols, ncols, opts, delim == ';' || delim == '\t', NULL, res, &table, err);
    for (int i = 0; i < ncols; i++) free(cols[i]);
    free(cols);
    if (st) {
        fpi_csv_free(rd);
        return st;
    }

    char reason[320];
    while ((got = fpi_csv_next(rd, &rec, err)) == 1) {
        if ((st = fpi_sink_tick(sink, opts, err))) break;
        char *converted = NULL;
        const char *raw = rec.raw;
        size_t raw_len = rec.raw_len;
        char **fields = rec.fields;
        char **latin = NULL;
        if (!fpi_utf8_valid(rec.raw, rec.raw_len)) {
            /* Not UTF-8: read the record as Windows-1252 (what Excel on Windows
             * writes; Latin-1 but for 0x80-0x9F) so nothing invalid is stored. */
            converted = fpi_cp1252_to_utf8(rec.raw, rec.raw_len);
            raw = converted;
            raw_len = strlen(converted);
            latin = calloc(rec.nfields, sizeof *latin);
            for (int i = 0; i < rec.nfields; i++) latin[i] = fpi_cp1252_to_utf8(rec.fields[i], rec.lengths[i]);
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
    fpi_table_free(table);
    fpi_csv_free(rd);
    return st;
}
