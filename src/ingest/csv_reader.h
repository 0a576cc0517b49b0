/*
 * A streaming RFC 4180 CSV reader.
 *
 * Why not OGR's CSV driver: the import must report the line number where a
 * record starts (quoted fields may span lines), keep each record's raw text
 * for the rejects table, detect non-UTF-8 (Windows-1252) per record, and run at bulk speed;
 * bench/ measures this reader against OGR's (see bench/README.md).
 *
 * Memory is one record at a time. Handles a UTF-8 BOM, CRLF and LF, quoted
 * fields with commas, quotes ("") and newlines, and a delimiter sniffed from
 * the header (comma, semicolon or tab).
 */
#ifndef FP_CSV_READER_H
#define FP_CSV_READER_H

#include <stddef.h>
#include "fp_error.h"

#define FP_CSV_MAX_RECORD (64u << 20)   /* a record longer than this is rejected */

typedef struct fp_csv_reader fp_csv_reader;

typedef struct fp_csv_record {
    int nfields;
    char **fields;          /* NUL-terminated, owned by the reader until next call */
    size_t *lengths;
    long line;              /* line where the record starts (1-based) */
    const char *raw;        /* the record's bytes as read, without the line end */
    size_t raw_len;
    const char *problem;    /* non-NULL: the record is malformed (message) */
    long quote_line;        /* a quoted field ran past the end of this line (0: none) */
    long last_line;         /* the line where the record ends */
} fp_csv_record;

fp_status fpi_csv_open(const char *path, fp_csv_reader **out, fp_error *err);
/* encoding NULL: as fpi_csv_open, which reads UTF-8 (the caller falls back
 * to Windows-1252 per record), UTF-16 with a byte-order mark, and UTF-16
 * without one when every other byte of the first line is NUL. Else any name
 * iconv knows ("CP1251", "GBK", "UTF-16LE"): the whole file is converted
 * from it as it is read, and a byte sequence invalid in it becomes the byte
 * FP_CSV_INVALID (never part of UTF-8) in its record, which the caller
 * refuses. An unknown name: FP_ERR_USAGE. */
fp_status fpi_csv_open_encoding(const char *path, const char *encoding, fp_csv_reader **out, fp_error *err);
#define FP_CSV_INVALID 0xFF
/* FP_OK when iconv knows the encoding; else FP_ERR_USAGE naming it. */
fp_status fpi_encoding_check(const char *encoding, fp_error *err);
/* How the file was found to be encoded when it did not say so (no
 * byte-order mark): "UTF-16LE", "UTF-16BE"; NULL otherwise. */
const char *fpi_csv_guessed_encoding(const fp_csv_reader *r);
/* Reads from memory (tests, fuzzing); the buffer must outlive the reader. */
fp_csv_reader *fpi_csv_new_from_memory(const char *data, size_t len);
/* 1: a record; 0: end of input; -1: read error (err filled). */
int fpi_csv_next(fp_csv_reader *r, fp_csv_record *rec, fp_error *err);
char fpi_csv_delimiter(const fp_csv_reader *r);
void fpi_csv_free(fp_csv_reader *r);

#endif
