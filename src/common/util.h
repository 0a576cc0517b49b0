/* Small helpers shared by the stages (internal, not public API). */
#ifndef FP_UTIL_H
#define FP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "fp_error.h"

/* 1 if s is a name safe to paste into SQL and file names: 1..max letters,
 * digits and underscores (aggregation names, group fields, tables). */
int fpi_identifier_valid(const char *s, size_t max);

/* SHA-256 of a file's bytes as 64 hex chars + NUL. */
fp_status fpi_file_sha256(const char *path, char out[65], fp_error *err);
/* The same, giving up (FP_ERR_INTERRUPTED) once *stop is set: a hash
 * beside an import that failed or was interrupted ends with it. */
fp_status fpi_file_sha256_until(const char *path, char out[65], const int *stop, fp_error *err);

/* A running SHA-256 (the caches' keys hash more than one input): OpenSSL's,
 * which uses the CPU's SHA instructions where it has them; GLib's portable
 * GChecksum took 2.3 ms a megabyte here against OpenSSL's 0.7, and the keys
 * hash megabytes (every region's geometry, the 7 MB gazetteer). The digests
 * are the same, so cache keys did not change with it. A hash whose update
 * failed (out of memory) gives no digest: the caller runs uncached. */
typedef struct fpi_sha256 fpi_sha256;
fpi_sha256 *fpi_sha256_new(void);                      /* NULL: out of memory */
void fpi_sha256_add(fpi_sha256 *h, const void *data, size_t len);
/* With its NUL, so that "ab"+"c" and "a"+"bc" differ. */
void fpi_sha256_add_string(fpi_sha256 *h, const char *s);
/* Adds a file's bytes; 0, or -1 with errno set when it cannot be read. */
int fpi_sha256_add_file(fpi_sha256 *h, const char *path);
/* Finishes: 0 and the digest, or -1 if any step failed. */
int fpi_sha256_digest(fpi_sha256 *h, unsigned char out[32]);
int fpi_sha256_hex(fpi_sha256 *h, char out[65]);
void fpi_sha256_free(fpi_sha256 *h);

/* True if s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int fpi_utf8_valid(const char *s, size_t len);
/* Replaces, in place, each byte that does not begin a valid UTF-8
 * character with '?': for messages built with "%.40s"-style cuts, which
 * may split a character. */
void fpi_utf8_sanitize(char *s);
/* Windows-1252 bytes (Latin-1 with printable 0x80-0x9F: what Excel on
 * Windows writes) to UTF-8; returns a malloc'd NUL-terminated string. */
char *fpi_cp1252_to_utf8(const char *s, size_t len);
/* Text a library handed over as UTF-8 that may not be (GDAL passes a DBF's
 * bytes through when no .cpg or language byte says their code page): a
 * malloc'd copy, as it is when valid UTF-8, else read as Windows-1252, and
 * *converted (when not NULL) set to 1 then, else 0. NULL in, NULL out. */
char *fpi_text_utf8(const char *s, int *converted);

/* Wall-clock seconds, monotonic. */
double fpi_now(void);
/* CPU seconds used by the process (all threads) so far. */
double fpi_cpu_now(void);

/* The steps of a long job timed for FOOTPRINT_TIMING=1 (the context's
 * timing flag): each mark logs "  LABEL  wall s, cpu s" since the previous
 * mark (CPU seconds of all threads: comparable on a loaded machine), and
 * nothing when timing is off. */
struct fp_context;
typedef struct fpi_steps {
    const struct fp_context *ctx;
    int on;
    double wall, cpu;
} fpi_steps;
void fpi_steps_start(fpi_steps *t, const struct fp_context *ctx);
void fpi_steps_mark(fpi_steps *t, const char *label);

/* A transparent huge page (x86-64, arm64 with 4 KiB pages). */
#define FPI_HUGE_PAGE ((size_t)2 << 20)

/* malloc for arrays of tens of megabytes that are filled at once (the
 * aggregation's projects): below FPI_HUGE_PAGE plain malloc, else aligned
 * to it and marked for transparent huge pages, so the kernel maps them 512
 * pages per fault instead of one. Freed with free(); NULL when out of
 * memory. */
void *fpi_big_alloc(size_t bytes);

/* Makes room in items (an array of `size`-byte items, `used` of them in
 * use, *cap allocated; NULL when none yet) for at least `want`, doubling:
 * returns the array to use from now on (items itself when there is room),
 * or NULL out of memory (items unchanged and still to be freed). Below FPI_HUGE_PAGE
 * by realloc, past it in a new fpi_big_alloc block and a copy. (realloc
 * would move a big block without copying, by mremap, but onto 4 KiB pages,
 * and each first touch of one is a page fault, costly on this platform's
 * VMs: a 1M-point import's R*Tree entries, 51,200 page faults against
 * 43,300.) The price: old and new block at once while copying. Freed with
 * free(). (Returned rather than written through a void **, which would
 * alias the caller's typed pointer.) */
void *fpi_big_reserve(void *items, size_t *cap, size_t used, size_t want, size_t size);

/* ISO 8601 UTC timestamp of now. */
void fpi_timestamp(char out[32]);
/* The time `epoch` (seconds since 1970; < 0: now), UTC, in strftime's
 * format (fp_context_source_date: what outputs say). */
void fpi_timestamp_at(long long epoch, const char *format, char out[32]);

/* GDAL's error messages while opening a source, joined with "; ": the
 * last one alone is often only "Failed to read GeoJSON data", while the
 * first says why (e.g. "Too many nested objects and/or arrays"); and
 * whether one was about a CRS GDAL could not interpret. Collected, not
 * printed: footprint's own message says what went wrong. */
typedef struct fpi_gdal_errors {
    char text[768];
    int failures;
    int crs_failure;
} fpi_gdal_errors;
/* GDALOpenEx of a vector source, read-only, GDAL's errors collected in *e:
 * the GDALDatasetH, or NULL. */
void *fpi_gdal_open_vector(const char *path, const char *const *open_options, fpi_gdal_errors *e);
/* The drivers an input file may be opened with (GDALOpenEx's allowed list):
 * the vector formats footprint documents, each reading the file itself,
 * never a driver reading other sources a file names (OGR_VRT's
 * <SrcDataSource>, a WFS, a PDS4 label): a partner's "KML" that was a VRT
 * read the user's other files and fetched URLs. Built with GDAL's table
 * (gdal_api.c); NULL-ended. */
const char *const *fpi_gdal_input_drivers(void);
/* GDAL's errors (CE_Failure and worse) raised between the two calls,
 * collected in *e (cleared first) and not printed: what a call between them
 * failed on, even when GDAL clears its last error afterwards or hands out a
 * feature anyway (a truncated .shp gives features without geometry). */
void fpi_gdal_collect_begin(fpi_gdal_errors *e);
void fpi_gdal_collect_end(void);

/* A Shapefile's parts checked against each other with plain C (the .shx's
 * size, 100 bytes of header then 8 a shape, and the record count at offset
 * 4 of the .dbf's header; not read as formats): 1 and why when path is a
 * .shp whose .dbf is missing, or whose .shx indexes another number of
 * shapes than its .dbf holds records. GDAL reads as many features as there
 * are shapes and says nothing: the extra records were dropped, or the extra
 * shapes read without attributes; ArcGIS refuses such files. 0 otherwise,
 * also when path is no .shp or has no .shx (GDAL says so as it opens it). */
int fpi_shapefile_parts_problem(const char *path, char *why, size_t size);

/* GDAL's LIBKML driver takes a field of certain names for a KML element of
 * the Placemark instead of an attribute (name -> <name>, description,
 * visibility, begin, icon, ... about 40, each named by a configuration
 * option LIBKML_X_FIELD), and its reader reads those elements into fields of
 * those names. footprint's KML export and its import of that export set
 * each option to a name of its own, FPI_KML_FIELD_PREFIX + the element
 * ("footprint_kml_name"), for the thread while GDAL writes or reads: every
 * attribute is then ExtendedData under its own name (a project's `name`,
 * an extra key `visibility`), and the Placemark's <name> is the label
 * footprint writes in the field footprint_kml_name. on: set; 0: cleared. */
#define FPI_KML_FIELD_PREFIX "footprint_kml_"
void fpi_libkml_private_fields(int on);

/* The transformation from an OGR layer's CRS to WGS 84 lon/lat (an
 * OGRCoordinateTransformationH in *ct, NULL if none is needed: the layer
 * is WGS 84 or declares no CRS). -1 if PROJ cannot transform that CRS (nor
 * the middle or a corner of the layer's extent). from, when not NULL: the
 * CRS transformed from, as fpi_srs_describe names it, also on -1 ("" when
 * none is needed). Typed void* to keep GDAL out of this header. */
int fpi_layer_to_wgs84(void *layer, void **ct, char *from, size_t from_size);
/* The same with crs (anything OSRSetFromUserInput reads: "EPSG:3857", a
 * PROJ string, WKT), when given, taken as the layer's CRS instead of the
 * one the file declares, as ogr2ogr's -s_srs. -2: crs not understood.
 * overridden, when not NULL: the declared CRS --crs replaced, as
 * "EPSG:3857", or "" when the file declares none or the same. */
int fpi_layer_crs_to_wgs84(void *layer, const char *crs, void **ct, char *overridden, size_t size, char *from,
                           size_t from_size);
/* An OGRSpatialReferenceH as a message names it: "EPSG:27700, OSGB36 /
 * British National Grid", or its name alone. */
void fpi_srs_describe(void *srs, char *out, size_t size);
/* A GeoJSON file's crs member, as written: its type ("name", "link",
 * "EPSG") and what it names (a CRS name, a link's href and type, a code).
 * 0 when the head of the file holds none. */
int fpi_geojson_crs_member(const char *path, char *type, size_t tsize, char *value, size_t vsize);
/* Why the CRS an opened vector source (GDALDatasetH) declares cannot be
 * used, naming where it is declared ("its .prj (x.prj: 'GEOGCS[ED50
 * broken') is not a CRS GDAL can read", "its crs member is a link (...)",
 * "its crs member names a CRS PROJ does not know (urn:...:99999)"), in
 * why: 1, or 0 when nothing is wrong. gdal_crs_error: GDAL reported a CRS
 * failure while opening it, in the words gdal_said. GDAL itself reads all
 * three as no CRS, or WGS 84. */
int fpi_declared_crs_problem(void *ds, const char *path, int gdal_crs_error, const char *gdal_said, char *why,
                             size_t size);
/* A region's polygon (an OGRGeometryH, already in WGS 84) against lon
 * -180..180, lat -90..90 (1e-6 of float noise allowed): 1 and the message
 * in why, naming the file, the feature (number, code, name) and its
 * extent, and the CRS it was reprojected from (from, "" when the file
 * declares none: then that is said, metres read as degrees). */
int fpi_region_extent_problem(void *geom, const char *path, long feature, const char *code, const char *name,
                              const char *from, char *why, size_t size);
/* s as one CSV field (RFC 4180: quoted when it holds a comma, quote or line
 * break; NULL as empty). */
void fpi_csv_put_field(FILE *f, const char *s);

/* A group column's name (aggregate) before any _2 of a second spelling:
 * field_ and the value folded (fp_fold_text, done by the caller) in ASCII
 * letters and digits, anything else one '_', at most 56 bytes; field_none
 * for an empty value, field_x when nothing is left. *spelt (may be NULL):
 * whether it spells the value, nothing dropped or cut (export writes a key
 * beside a file whose names do not). g_free the result. */
char *fpi_group_column_stem(const char *field, const char *folded, int *spelt);
/* Creates a report layer's fields (names and OGR field types, void * to
 * keep GDAL's headers out of this one): path names the file in errors. */
typedef struct fp_report_field {
    const char *name;
    int type;                  /* OGRFieldType */
} fp_report_field;
fp_status fpi_report_fields_create(void *layer_handle, const fp_report_field *fields, int n, const char *path,
                                  fp_error *err);

/* Temporary output names. A file is written as DIR/.BASE.tmp-PID-RANDOM (hidden,
 * next to the target so the final rename stays on one file system) and a
 * folder as DIR/.footprint-export-PID-XXXXXX. fpi_temp_path returns the
 * file's temporary name (g_free it). fpi_temp_cleanup removes the leftovers
 * of killed runs next to `path` (folder: in `path` itself when is_dir):
 * temporary files and folders whose PID is no longer running. */
char *fpi_temp_path(const char *path);

/* Text from a user's file made fit for a one-line message, in place: an
 * invalid UTF-8 tail (a cut inside a character) dropped, C0 and C1 control
 * characters and DEL each replaced by '?'. */
void fpi_text_for_message(char *s);

/* Whether a CSV GDAL has written (and closed) holds its header and all
 * `records` rows, and its .csvt sidecar, if any, is not empty. GDAL's CSV
 * driver ignores the failure of the last buffered write, which it learns
 * of only as it closes the file: on a full disk it leaves a short or empty
 * file and reports nothing. Records are counted as line breaks outside
 * quotes (RFC 4180), so a value with a line break counts once. FP_ERR_IO
 * naming `shown` (the name the user gave) when the file is short. */
fp_status fpi_csv_check_complete(const char *path, long records, const char *shown, fp_error *err);

/* Creates the folder a file is to be written in, with its parents, as
 * export and render do for -o (check --report nodir/q.csv). FP_ERR_IO
 * naming the file and the folder when that fails. */
fp_status fpi_make_parent_dir(const char *path, fp_error *err);

/* A sort key and what travels with it (an index, a rowid). */
typedef struct fpi_keyed { uint64_t key, val; } fpi_keyed;
/* Sorts a[0..n) by key, stably (equal keys keep their order): an LSD radix
 * sort, a byte at a time, skipping the bytes no key differs in. tmp holds
 * n items. A stable sort per key, least significant first, sorts by
 * several: how the R*Tree loader and the QA's duplicate sweep sort a
 * million items in a tenth of qsort's time. */
void fpi_radix_sort(fpi_keyed *a, size_t n, fpi_keyed *tmp);
/* The same for plain 64-bit words (a key and a position packed in one). */
void fpi_radix_sort_u64(uint64_t *a, size_t n, uint64_t *tmp);
/* A double as an unsigned key in the same order (-0 taken as +0, as the
 * comparison < does; not for NaN). */
uint64_t fpi_double_order_key(double d);
/* rm -rf: a file, or a folder and everything below it (symlinks removed,
 * never followed). 0 on success. */
int fpi_remove_tree(const char *path);
void fpi_temp_cleanup(const char *path, int is_dir);

/* A spreadsheet's GDAL driver (XLSX, ODS, XLS): its features are the
 * sheet's rows, numbered as the sheet shows them. */
int fpi_driver_is_spreadsheet(const char *driver);
/* Whether an import's rows are named FILE:LINE (a CSV's line, a sheet's
 * row) rather than by feature number; format as the imports record has it. */
int fpi_format_rows_by_line(const char *format);

#endif
