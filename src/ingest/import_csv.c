/*
 * The CSV path of the import: header, column detection, per-row parsing of
 * coordinates or WKT, Latin-1 fallback, rejects with line numbers.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <proj.h>
#include <ogr_api.h>
#include <cpl_error.h>
#include "ingest/ingest_internal.h"
#include "ingest/csv_reader.h"
#include "common/util.h"

static const char *const lon_names[] = { "lon", "lng", "long", "longitude", "x", NULL };
static const char *const lat_names[] = { "lat", "latitude", "y", NULL };
static const char *const wkt_names[] = { "wkt", "geometry_wkt", "geom_wkt", NULL };

static int find_named(char **cols, int n, const char *name)
{
    for (int i = 0; i < n; i++) if (strcmp(cols[i], name) == 0) return i;
    for (int i = 0; i < n; i++) if (strcasecmp(cols[i], name) == 0) return i;
    return -1;
}

static int find_any(char **cols, int n, const char *const *names)
{
    for (int k = 0; names[k]; k++) {
        int i = find_named(cols, n, names[k]);
        if (i >= 0) return i;
    }
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

/* Parses a coordinate; with a semicolon delimiter a lone decimal comma is
 * accepted ("12,5"), as European spreadsheets write. 0 ok, -1 not a number. */
static int parse_coord(char *text, char delim, double *out)
{
    char *s = trim(text);
    if (delim == ';' && strchr(s, ',') && !strchr(s, '.') && strchr(s, ',') == strrchr(s, ','))
        *strchr(s, ',') = '.';
    /* strtod also reads hexadecimal ("0x1A" = 26): no one writes degrees
     * that way, so such text is not a coordinate. */
    const char *digits = s + (*s == '-' || *s == '+');
    if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0') return -1;
    *out = v;
    return 0;
}

fp_status fp_import_csv(fp_sink *sink, const char *path, const fp_import_options *opts,
                        fp_import_result *res, fp_error *err)
{
    fp_csv_reader *rd;
    fp_status st = fp_csv_open(path, &rd, err);
    if (st) return st;
    snprintf(res->format, sizeof res->format, "CSV");

    fp_csv_record rec;
    int got = fp_csv_next(rd, &rec, err);
    if (got <= 0) {
        fp_csv_free(rd);
        return got < 0 ? FP_ERR_IO : fp_error_set(err, FP_ERR_INPUT, "%s: empty file (no header line)", path);
    }
    /* Copy the header (the reader reuses its buffers). */
    int ncols = rec.nfields;
    char **cols = calloc(ncols, sizeof *cols);
    for (int i = 0; i < ncols; i++) {
        const char *f = rec.fields[i];
        cols[i] = fp_utf8_valid(f, rec.lengths[i]) ? strdup(f) : fp_latin1_to_utf8(f, rec.lengths[i]);
        char *t = trim(cols[i]);
        memmove(cols[i], t, strlen(t) + 1);
    }
    char delim = fp_csv_delimiter(rd);

    int lon_c = -1, lat_c = -1, wkt_c = -1;
    int field_col[FP_F_COUNT];
    PJ_CONTEXT *pjctx = NULL;
    PJ *pj = NULL;
    char columns_list[1024] = "";
    for (int i = 0, o = 0; i < ncols && o < 1000; i++)
        o += snprintf(columns_list + o, sizeof columns_list - o, "%s%s", i ? ", " : "", cols[i]);

    if (opts->wkt_column) {
        if ((wkt_c = find_named(cols, ncols, opts->wkt_column)) < 0) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: --wkt %s: no such column (columns: %s)", path, opts->wkt_column, columns_list);
            goto done;
        }
    }
    if (opts->lon_column || opts->lat_column) {
        if (!opts->lon_column || !opts->lat_column) {
            st = fp_error_set(err, FP_ERR_USAGE, "--lon and --lat go together");
            goto done;
        }
        lon_c = find_named(cols, ncols, opts->lon_column);
        lat_c = find_named(cols, ncols, opts->lat_column);
        if (lon_c < 0 || lat_c < 0) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: --%s %s: no such column (columns: %s)", path,
                              lon_c < 0 ? "lon" : "lat", lon_c < 0 ? opts->lon_column : opts->lat_column, columns_list);
            goto done;
        }
    }
    if (wkt_c < 0 && lon_c < 0) {
        lon_c = find_any(cols, ncols, lon_names);
        lat_c = find_any(cols, ncols, lat_names);
        if (lon_c < 0 || lat_c < 0) lon_c = lat_c = -1;
        if (lon_c < 0) wkt_c = find_any(cols, ncols, wkt_names);
    }
    if ((st = fp_resolve_fields(path, (const char *const *)cols, ncols, opts->maps, opts->nmaps, field_col, err)))
        goto done;
    /* Coordinate columns are not also data fields (a column "x" is not a name). */
    for (int f = 0; f < FP_F_COUNT; f++)
        if (field_col[f] >= 0 && (field_col[f] == lon_c || field_col[f] == lat_c || field_col[f] == wkt_c))
            field_col[f] = -1;
    if (lon_c < 0 && wkt_c < 0 && field_col[FP_F_PLACE] < 0 && field_col[FP_F_COUNTRY] < 0) {
        st = fp_error_set(err, FP_ERR_INPUT,
                          "%s: no coordinate columns (looked for lon/lng/long/longitude/x and lat/latitude/y), "
                          "no WKT column and no place or country column to geocode (columns: %s); "
                          "name them with --lon/--lat, --wkt or --map place=COLUMN", path, columns_list);
        goto done;
    }
    if (opts->crs && *opts->crs && strcasecmp(opts->crs, "EPSG:4326") != 0) {
        pjctx = proj_context_create();
        pj = proj_create_crs_to_crs(pjctx, opts->crs, "EPSG:4326", NULL);
        PJ *norm = pj ? proj_normalize_for_visualization(pjctx, pj) : NULL;
        if (pj) proj_destroy(pj);
        pj = norm;
        if (!pj) {
            st = fp_error_set(err, FP_ERR_USAGE, "--crs %s: PROJ does not know this CRS", opts->crs);
            goto done;
        }
    }

    char reason[512];
    unsigned char *blob = NULL;
    int blob_len = 0;
    while ((got = fp_csv_next(rd, &rec, err)) == 1) {
        if ((st = fp_sink_tick(sink, opts, err))) break;
        char *converted = NULL;
        const char *raw = rec.raw;
        size_t raw_len = rec.raw_len;
        char **fields = rec.fields;
        char **latin = NULL;
        if (!fp_utf8_valid(rec.raw, rec.raw_len)) {
            /* Not UTF-8: read the record as Latin-1 so nothing invalid is stored. */
            converted = fp_latin1_to_utf8(rec.raw, rec.raw_len);
            raw = converted;
            raw_len = strlen(converted);
            latin = calloc(rec.nfields, sizeof *latin);
            for (int i = 0; i < rec.nfields; i++) latin[i] = fp_latin1_to_utf8(rec.fields[i], rec.lengths[i]);
            fields = latin;
            res->latin1_converted++;
        }
        if (rec.problem) {
            st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_MALFORMED, rec.problem, raw, raw_len, err);
            goto next;
        }
        if (rec.nfields != ncols) {
            /* A trailing empty line-end field from a final delimiter is common; be exact anyway. */
            snprintf(reason, sizeof reason, "the row has %d fields, the header has %d", rec.nfields, ncols);
            st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_MALFORMED, reason, raw, raw_len, err);
            goto next;
        }
        fp_row row;
        memset(&row, 0, sizeof row);
        row.line = rec.line;
        fp_geom_check chk = { .strict = opts->strict_geometry };
        for (int f = 0; f < FP_F_COUNT; f++)
            row.values[f] = field_col[f] >= 0 ? trim(fields[field_col[f]]) : NULL;

        int have_place = (row.values[FP_F_PLACE] && *row.values[FP_F_PLACE]) ||
                         (row.values[FP_F_COUNTRY] && *row.values[FP_F_COUNTRY]);
        blob = NULL;
        if (wkt_c >= 0 && *trim(fields[wkt_c])) {
            OGRGeometryH g = NULL;
            char *w = trim(fields[wkt_c]);
            /* GDAL's reason (e.g. nesting too deep) goes into the reject,
             * not onto stderr. */
            CPLPushErrorHandler(CPLQuietErrorHandler);
            CPLErrorReset();
            OGRErr oe = OGR_G_CreateFromWkt(&w, NULL, &g);
            char gdal_why[200];
            snprintf(gdal_why, sizeof gdal_why, "%s", CPLGetLastErrorType() >= CE_Failure ? CPLGetLastErrorMsg() : "");
            CPLPopErrorHandler();
            size_t wl = strlen(gdal_why);
            if (wl && gdal_why[wl - 1] == '.') gdal_why[wl - 1] = '\0';
            /* OGR stops after the geometry: text after it is not WKT either. */
            while (oe == OGRERR_NONE && (*w == ' ' || *w == '\t' || *w == '\r' || *w == '\n')) w++;
            if (oe == OGRERR_NONE && g && *w) {
                snprintf(gdal_why, sizeof gdal_why, "text after the geometry: '%.40s'", w);
                oe = OGRERR_CORRUPT_DATA;
            }
            if (oe != OGRERR_NONE || !g) {
                if (g) OGR_G_DestroyGeometry(g);
                snprintf(reason, sizeof reason, "column %s: not WKT%s%s%s: '%.60s'", cols[wkt_c],
                         gdal_why[0] ? " (" : "", gdal_why, gdal_why[0] ? ")" : "", trim(fields[wkt_c]));
                st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_BAD_WKT, reason, raw, raw_len, err);
                goto next;
            }
            chk = (fp_geom_check){ .strict = opts->strict_geometry };
            int kind = fp_check_geometry(&g, &chk, reason, sizeof reason);
            if (kind == FP_REJECT_KINDS && fp_geometry_to_blob(g, &blob, &blob_len, &row.bbox)) {
                snprintf(reason, sizeof reason, "SpatiaLite cannot encode it");
                kind = FP_REJECT_INVALID_GEOMETRY;
            }
            if (kind != FP_REJECT_KINDS) {
                OGR_G_DestroyGeometry(g);
                st = fp_sink_reject(sink, rec.line, 0, (fp_reject_kind)kind, reason, raw, raw_len, err);
                goto next;
            }
            res->z_dropped += chk.z_dropped;
            res->repaired += chk.repaired;
            res->clamped += chk.clamped;
            OGR_G_DestroyGeometry(g);
        } else if (lon_c >= 0) {
            char *lon_s = trim(fields[lon_c]), *lat_s = trim(fields[lat_c]);
            if (!*lon_s && !*lat_s && have_place) {
                /* No coordinates but a place: stored for `footprint geocode`. */
            } else if (!*lon_s || !*lat_s) {
                snprintf(reason, sizeof reason, "%s is empty", !*lon_s ? cols[lon_c] : cols[lat_c]);
                st = fp_sink_reject(sink, rec.line, 0, !*lon_s && !*lat_s ? FP_REJECT_NO_LOCATION : FP_REJECT_COORD_MISSING,
                                    !*lon_s && !*lat_s ? "no coordinates and no place or country to geocode" : reason,
                                    raw, raw_len, err);
                goto next;
            } else {
                double lon, lat;
                if (parse_coord(lon_s, delim, &lon) || parse_coord(lat_s, delim, &lat)) {
                    snprintf(reason, sizeof reason, "%s='%.40s' %s='%.40s' is not a pair of numbers",
                             cols[lon_c], lon_s, cols[lat_c], lat_s);
                    st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_COORD_NOT_NUMBER, reason, raw, raw_len, err);
                    goto next;
                }
                if (!isfinite(lon) || !isfinite(lat)) {
                    snprintf(reason, sizeof reason, "%s=%s %s=%s is not finite", cols[lon_c], lon_s, cols[lat_c], lat_s);
                    st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_COORD_NOT_FINITE, reason, raw, raw_len, err);
                    goto next;
                }
                if (pj) {
                    PJ_COORD in = proj_coord(lon, lat, 0, 0);
                    PJ_COORD o = proj_trans(pj, PJ_FWD, in);
                    lon = o.xy.x;
                    lat = o.xy.y;
                    res->reprojected++;
                    if (!isfinite(lon) || !isfinite(lat)) {
                        snprintf(reason, sizeof reason, "%s %s cannot be transformed from %s to WGS 84",
                                 lon_s, lat_s, opts->crs);
                        st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_COORD_RANGE, reason, raw, raw_len, err);
                        goto next;
                    }
                }
                /* Float noise just beyond the range is clamped (geometry.c). */
                double clon = lon, clat = lat;
                int rx = fp_clamp_coordinate(&clon, 180), ry = fp_clamp_coordinate(&clat, 90);
                if (rx >= 0 && ry >= 0) {
                    if (rx || ry) res->clamped++;
                    lon = clon;
                    lat = clat;
                }
                if (rx < 0 || ry < 0) {
                    snprintf(reason, sizeof reason, "%s=%s %s=%s is outside lon -180..180, lat -90..90%s",
                             cols[lon_c], lon_s, cols[lat_c], lat_s,
                             pj ? "" : " (another CRS? use --crs)");
                    st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_COORD_RANGE, reason, raw, raw_len, err);
                    goto next;
                }
                fp_point_to_blob(lon, lat, &blob, &blob_len, &row.bbox);
            }
        }
        if (!blob && !have_place) {
            st = fp_sink_reject(sink, rec.line, 0, FP_REJECT_NO_LOCATION,
                                "no coordinates and no place or country to geocode", raw, raw_len, err);
            goto next;
        }
        row.geom_blob = blob;
        row.geom_len = blob_len;
        /* Every other column is kept as an extra attribute. */
        json_t *extra = json_object();
        for (int i = 0; i < ncols; i++) {
            if (i == lon_c || i == lat_c || i == wkt_c) continue;
            int used = 0;
            for (int f = 0; f < FP_F_COUNT; f++) used |= field_col[f] == i;
            if (used || !*fields[i] || !*cols[i]) continue;
            json_object_set_new(extra, cols[i], json_string(fields[i]));
        }
        if (chk.repaired) json_object_set_new(extra, FP_REPAIRED_KEY, json_string(chk.repair_note));
        row.extra = extra;
        st = fp_sink_store(sink, &row, raw, raw_len, err);
        json_decref(extra);
    next:
        free(blob);
        blob = NULL;
        free(converted);
        if (latin) {
            for (int i = 0; i < rec.nfields; i++) free(latin[i]);
            free(latin);
        }
        if (st) break;
    }
    if (got < 0 && st == FP_OK) st = err ? err->code : FP_ERR_IO;
done:
    if (pj) proj_destroy(pj);
    if (pjctx) proj_context_destroy(pjctx);
    for (int i = 0; i < ncols; i++) free(cols[i]);
    free(cols);
    fp_csv_free(rd);
    return st;
}
