/*
 * Fuzz harness: the streaming CSV reader (src/ingest/csv_reader.c) on
 * arbitrary bytes. Invariants: records start on non-decreasing lines, every
 * field is NUL-terminated at its length, the raw text of a record is
 * NUL-terminated and never longer than the input, and the reader stays at
 * the end once it has reached it. Differential: the same bytes read from a
 * file (the import's path: 1 MiB chunks, BOM and delimiter sniffing on the
 * buffer) give exactly the records read from memory.
 */
#include "fuzz_common.h"
#include "ingest/csv_reader.h"

/* One record, copied (the reader reuses its buffers). */
typedef struct rec_copy {
    long line;
    int nfields;
    char *fields;       /* the fields, each followed by its length as text */
    size_t fields_len;
    int malformed;
} rec_copy;

static void copy_record(const fp_csv_record *rec, rec_copy *c)
{
    size_t len = 0;
    for (int i = 0; i < rec->nfields; i++) len += rec->lengths[i] + 24;
    c->fields = malloc(len + 1);
    if (!c->fields) abort();
    size_t o = 0;
    for (int i = 0; i < rec->nfields; i++) {
        memcpy(c->fields + o, rec->fields[i], rec->lengths[i]);
        o += rec->lengths[i];
        o += (size_t)snprintf(c->fields + o, 24, "|%zu|", rec->lengths[i]);
    }
    c->fields_len = o;
    c->line = rec->line;
    c->nfields = rec->nfields;
    c->malformed = rec->problem != NULL;
}

/* Reads every record; checks the per-record invariants. */
static long read_all(fp_csv_reader *r, size_t size, rec_copy **out)
{
    fp_csv_record rec;
    fp_error err = {0};
    long last_line = 0, n = 0, cap = 0;
    rec_copy *all = NULL;
    int got;
    while ((got = fpi_csv_next(r, &rec, &err)) == 1) {
        FZ_CHECK(rec.line >= 1 && rec.line >= last_line, "line %ld after %ld", rec.line, last_line);
        last_line = rec.line;
        FZ_CHECK(rec.nfields >= 1, "%d fields", rec.nfields);
        size_t total = 0;
        for (int i = 0; i < rec.nfields; i++) {
            FZ_CHECK(rec.fields[i][rec.lengths[i]] == '\0', "field %d not terminated at its length", i);
            total += rec.lengths[i];
        }
        FZ_CHECK(total <= rec.raw_len, "fields (%zu bytes) longer than the raw record (%zu)", total, rec.raw_len);
        FZ_CHECK(rec.raw_len <= size, "raw record of %zu bytes from %zu bytes of input", rec.raw_len, size);
        FZ_CHECK(rec.raw[rec.raw_len] == '\0', "raw text not terminated");
        char d = fpi_csv_delimiter(r);
        FZ_CHECK(d == ',' || d == ';' || d == '\t', "delimiter %d", d);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rec_copy *grown = realloc(all, (size_t)cap * sizeof *all);
            if (!grown) abort();
            all = grown;
        }
        copy_record(&rec, &all[n++]);
    }
    FZ_CHECK(got == 0, "read error: %s", err.message);
    FZ_CHECK(n <= (long)size, "%ld records from %zu bytes", n, size);
    FZ_CHECK(fpi_csv_next(r, &rec, &err) == 0, "did not stay at the end");
    *out = all;
    return n;
}

static void free_all(rec_copy *all, long n)
{
    for (long i = 0; i < n; i++) free(all[i].fields);
    free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fp_csv_reader *r = fpi_csv_new_from_memory((const char *)data, size);
    FZ_CHECK(r != NULL, "out of memory");
    rec_copy *mem = NULL;
    long nmem = read_all(r, size, &mem);
    char dmem = fpi_csv_delimiter(r);
    fpi_csv_free(r);

    const char *path = fz_write("reader.csv", data, size);
    fp_error err = {0};
    FZ_CHECK(fpi_csv_open(path, &r, &err) == FP_OK, "%s", err.message);
    rec_copy *file = NULL;
    long nfile = read_all(r, size, &file);
    char dfile = fpi_csv_delimiter(r);
    fpi_csv_free(r);

    FZ_CHECK(nmem == nfile, "%ld records from memory, %ld from the file", nmem, nfile);
    FZ_CHECK(nmem == 0 || dmem == dfile, "delimiter '%c' from memory, '%c' from the file", dmem, dfile);
    for (long i = 0; i < nmem; i++) {
        FZ_CHECK(mem[i].line == file[i].line && mem[i].nfields == file[i].nfields &&
                     mem[i].malformed == file[i].malformed && mem[i].fields_len == file[i].fields_len &&
                     memcmp(mem[i].fields, file[i].fields, mem[i].fields_len) == 0,
                 "record %ld differs between memory and file", i);
    }
    free_all(mem, nmem);
    free_all(file, nfile);
    return 0;
}
