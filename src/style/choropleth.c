/* The style's choropleth resolved against the store: which aggregation,
 * level and field, the level's values classified (fp_classify), and its
 * regions with their class and colour. Report maps, raster and vector
 * tiles, export layers and their QGIS styles all classify through here, so
 * a country is in the same class on every one of them.
 *
 * Two reads of the store: the values alone to classify (cheap), then the
 * regions with their geometry for each walk (fp_choropleth_each). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "fp_store.h"
#include "fp_style.h"
#include "style/style_internal.h"

struct fp_choropleth {
    fp_store *store;
    char *aggregation;
    char field[64], level[32], title[128];
    const fp_choropleth_spec *spec;   /* the style's (outlives the choropleth) */
    const char *legend_title;         /* the style's legend.title, NULL: title */
    long regions;                     /* of the level, no data included */
    fp_classes classes;
};

/* The aggregation, field and level the style's spec names. */
static void resolve(fp_choropleth *ch, const fp_choropleth_spec *cs, const char *agg, const char *level)
{
    ch->aggregation = g_strdup(agg);
    snprintf(ch->field, sizeof ch->field, "%s", cs->field ? cs->field : "projects");
    /* The level: the caller's, the style's, else the aggregation's main one. */
    snprintf(ch->level, sizeof ch->level, "country");
    if (level) snprintf(ch->level, sizeof ch->level, "%s", level);
    else if (cs->level) snprintf(ch->level, sizeof ch->level, "%s", cs->level);
    else {
        char *main_level = NULL;
        fp_error ignored = {0};
        if (!fp_store_aggregation_level(ch->store, agg, &main_level, &ignored) && main_level)
            snprintf(ch->level, sizeof ch->level, "%s", main_level);
        free(main_level);
    }
}

/* The field must be a numeric column of the aggregation. Without this
 * check a name it lacks ("projectz") or a text column ("name") read as 0
 * everywhere (SQLite reads an unknown double-quoted name as a string):
 * an all-grey map without a legend, exit 0, titled with the typo. */
static fp_status check_field(fp_choropleth *ch, const char *origin, fp_error *err)
{
    fp_layer_column *cols = NULL;
    int n = 0;
    fp_status st = fp_store_layer_columns(ch->store, FP_LAYER_AGGREGATE, ch->aggregation, &cols, &n, err);
    if (st) return st;
    char type = 0;
    GPtrArray *numeric = g_ptr_array_new();
    for (int i = 0; i < n; i++) {
        if (!strcmp(cols[i].name, ch->field)) type = cols[i].type;
        if (cols[i].type == 'i' || cols[i].type == 'r') g_ptr_array_add(numeric, cols[i].name);
    }
    if (type != 'i' && type != 'r') {
        GString *list = g_string_new(NULL);
        for (guint i = 0; i < numeric->len; i++)
            g_string_append_printf(list, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(numeric, i));
        /* A near miss by spelling, else a group column ending in the word
         * ("surveillance": category_surveillance). */
        const char *near = type ? NULL : fpi_style_closest(ch->field, (const char *const *)numeric->pdata, numeric->len);
        char *suffix = g_strdup_printf("_%s", ch->field);
        for (guint i = 0; !type && !near && i < numeric->len; i++)
            if (g_str_has_suffix(g_ptr_array_index(numeric, i), suffix)) near = g_ptr_array_index(numeric, i);
        g_free(suffix);
        char hint[128] = "";
        if (near) snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
        st = fp_error_set(err, FP_ERR_USAGE, "%s: choropleth.field: \"%s\" %s aggregation '%s' (%snumeric fields: %.1200s)",
                          origin, ch->field, type ? "is a text column of" : "is not a column of", ch->aggregation, hint,
                          list->len ? list->str : "none");
        g_string_free(list, TRUE);
    }
    g_ptr_array_free(numeric, TRUE);
    fp_store_layer_columns_free(cols, n);
    return st;
}

/* Reads the level's values and classifies them. */
static fp_status classify(fp_choropleth *ch, const fp_choropleth_spec *cs, const char *origin, fp_error *err)
{
    fp_rows *r;
    fp_error e = {0};
    /* No such aggregation: say which there are, not the server's SQL error
     * (PostgreSQL's spans lines of the query text). */
    char **names = NULL;
    size_t n = 0;
    int known = 0;
    if (!fp_store_aggregation_names(ch->store, &names, &n, &e))
        for (size_t i = 0; i < n && !known; i++) known = !strcmp(names[i], ch->aggregation);
    else known = 1;                     /* cannot tell: the read below says */
    if (!known) {
        GString *list = g_string_new(NULL);
        for (size_t i = 0; i < n; i++) g_string_append_printf(list, "%s%s", i ? ", " : "", names[i]);
        fp_status st = fp_error_set(err, FP_ERR_USAGE, "the style's choropleth needs aggregation '%s', which %s does not have "
                                    "(aggregations: %.300s; run `footprint aggregate --by country --group category`)",
                                    ch->aggregation, fp_store_path(ch->store), n ? list->str : "none");
        g_string_free(list, TRUE);
        fp_store_strings_free(names);
        return st;
    }
    fp_store_strings_free(names);
    fp_status fst = check_field(ch, origin, err);
    if (fst) return fst;
    if (fp_store_aggregation_values(ch->store, ch->aggregation, ch->level, ch->field, 0, &r, &e))
        return fp_error_set(err, FP_ERR_USAGE, "the style's choropleth needs aggregation '%s' with a column '%s' "
                            "(run `footprint aggregate --by country --group category`): %s", ch->aggregation, ch->field,
                            e.message);
    GArray *values = g_array_new(FALSE, FALSE, sizeof(double));
    while (fp_rows_next(r)) {
        double v = fp_rows_is_null(r, 1) ? NAN : fp_rows_double(r, 1);
        g_array_append_val(values, v);
    }
    fp_status st = fp_rows_status(r, err);
    fp_rows_free(r);
    /* A level the aggregation does not have reads no rows: the map would
     * be drawn without its choropleth, silently (render --aggregation of a
     * hex or grid aggregation with the world style's level 'country'). */
    int64_t level_rows = -1;
    if (!st && values->len == 0 && !fp_store_aggregation_level_rows(ch->store, ch->aggregation, ch->level, &level_rows, &e) &&
        level_rows == 0) {
        char *main_level = NULL;
        fp_store_aggregation_level(ch->store, ch->aggregation, &main_level, &e);
        st = fp_error_set(err, FP_ERR_USAGE, "aggregation '%s' has no level '%s' (the level the style's choropleth draws)%s%s%s",
                          ch->aggregation, ch->level, main_level ? "; its level is '" : "", main_level ? main_level : "",
                          main_level ? "': give a style whose choropleth names that level or none (--style FILE)" : "");
        free(main_level);
    }
    if (!st) st = fp_classify(cs, (const double *)(void *)values->data, values->len, &ch->classes, err);
    ch->regions = (long)values->len;
    g_array_free(values, TRUE);
    return st;
}

/* "Projects per country": the field capitalised, underscores as spaces, the
 * level as a noun a reader says ("per region", not "per regions"). */
static void make_title(fp_choropleth *ch)
{
    static const char *const nouns[][2] = { { "regions", "region" }, { "admin1", "admin-1 region" },
                                            { "grid", "grid cell" }, { "hex", "hexagon" } };
    const char *level = ch->level;
    for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        if (!strcmp(level, nouns[i][0])) level = nouns[i][1];
    snprintf(ch->title, sizeof ch->title, "%c%s per %s", g_ascii_toupper(ch->field[0]), ch->field + 1, level);
    for (char *c = ch->title; *c; c++)
        if (*c == '_') *c = ' ';
}

fp_status fp_choropleth_new(fp_store *store, const fp_style *style, const char *aggregation, const char *level,
                            fp_choropleth **out, fp_error *err)
{
    *out = NULL;
    const fp_choropleth_spec *cs = fp_style_choropleth(style);
    if (!cs) return FP_OK;                         /* no choropleth: plain land */
    const char *agg = aggregation ? aggregation : cs->aggregation;
    char **names = NULL;
    if (!agg) {
        /* Neither the command nor the style names one: the store's only
         * aggregation, else the choice is the user's (never a map without
         * its choropleth). */
        size_t n = 0;
        fp_status st = fp_store_aggregation_names(store, &names, &n, err);
        if (st) return st;
        if (n != 1) {
            GString *list = g_string_new(NULL);
            for (size_t i = 0; i < n; i++) g_string_append_printf(list, "%s%s", i ? ", " : "", names[i]);
            if (n)
                st = fp_error_set(err, FP_ERR_USAGE, "the style's choropleth names no aggregation and %s has several: "
                                  "give one (--aggregation NAME or choropleth.aggregation) of %.300s", fp_store_path(store),
                                  list->str);
            else
                st = fp_error_set(err, FP_ERR_USAGE, "the style's choropleth names no aggregation and %s has none: run "
                                  "`footprint aggregate --by country --group category`", fp_store_path(store));
            g_string_free(list, TRUE);
            fp_store_strings_free(names);
            return st;
        }
        agg = names[0];
    }
    fp_choropleth *ch = g_new0(fp_choropleth, 1);
    ch->store = store;
    ch->spec = cs;
    resolve(ch, cs, agg, level);
    fp_store_strings_free(names);                  /* resolve copied the name */
    fp_status st = classify(ch, cs, fp_style_origin(style), err);
    if (st) {
        fp_choropleth_free(ch);
        return st;
    }
    make_title(ch);
    ch->legend_title = fp_style_map(style)->legend_title;
    *out = ch;
    return FP_OK;
}

void fp_choropleth_free(fp_choropleth *ch)
{
    if (!ch) return;
    fp_classes_clear(&ch->classes);
    g_free(ch->aggregation);
    g_free(ch);
}

const fp_classes *fp_choropleth_classes(const fp_choropleth *ch) { return &ch->classes; }
const char *fp_choropleth_aggregation(const fp_choropleth *ch) { return ch->aggregation; }
const char *fp_choropleth_level(const fp_choropleth *ch) { return ch->level; }
const char *fp_choropleth_field(const fp_choropleth *ch) { return ch->field; }
const char *fp_choropleth_title(const fp_choropleth *ch) { return ch->legend_title ? ch->legend_title : ch->title; }

void fp_choropleth_take_classes(fp_choropleth *ch, fp_classes *out)
{
    *out = ch->classes;
    memset(&ch->classes, 0, sizeof ch->classes);
}

long fp_choropleth_region_count(const fp_choropleth *ch) { return ch->regions; }

fp_status fp_choropleth_classify_values(fp_choropleth *ch, const double *values, size_t n, fp_error *err)
{
    fp_classes c;
    fp_status st = fp_classify(ch->spec, values, n, &c, err);
    if (st) return st;
    fp_classes_clear(&ch->classes);
    ch->classes = c;
    return FP_OK;
}

fp_status fp_choropleth_each(const fp_choropleth *ch, int flags, fp_choropleth_region_fn fn, void *user, fp_error *err)
{
    return fp_choropleth_each_values(ch, flags, NULL, NULL, fn, user, err);
}

fp_status fp_choropleth_each_values(const fp_choropleth *ch, int flags, fp_choropleth_value_fn value_of,
                                    void *value_user, fp_choropleth_region_fn fn, void *user, fp_error *err)
{
    fp_rows *r;
    int what = FP_AGG_VALUES_GEOMETRY | (flags & FP_CHOROPLETH_LABELS ? FP_AGG_VALUES_LABEL : 0);
    fp_status st = fp_store_aggregation_values(ch->store, ch->aggregation, ch->level, ch->field, what, &r, err);
    if (st) return st;
    while (fp_rows_next(r)) {
        fp_choropleth_region reg = { .id = fp_rows_int64(r, 0), .code = fp_rows_text(r, 2), .name = fp_rows_text(r, 3) };
        char type = fp_rows_value_type(r, 1);
        reg.has_value = type != 'n';
        reg.value_is_int = type == 'i';
        reg.value = reg.has_value ? fp_rows_double(r, 1) : NAN;
        if (value_of) {                            /* a panel's own value */
            reg.value = reg.code ? value_of(value_user, reg.code) : NAN;
            reg.has_value = !isnan(reg.value);
            reg.value_is_int = reg.has_value && reg.value == floor(reg.value);
        }
        reg.class_index = fp_classes_index(&ch->classes, reg.value);
        reg.fill = reg.class_index >= 0 ? ch->classes.colors[reg.class_index] : ch->classes.nodata;
        fp_geom g;
        if (fp_rows_geom(r, 4, 1, &g) > 0) {
            reg.wkb = g.wkb;
            reg.wkb_len = g.wkb_len;
        }
        if ((flags & FP_CHOROPLETH_LABELS) && !fp_rows_is_null(r, 5)) {
            reg.has_label = 1;
            reg.label_lon = fp_rows_double(r, 5);
            reg.label_lat = fp_rows_double(r, 6);
        }
        if (fn(user, &reg)) break;
    }
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    return st;
}
