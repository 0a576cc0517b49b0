/*
 * QGIS styles for the tables of a shared store (PostGIS): the QML an export
 * writes into a GeoPackage (fpi_layer_qml's rules: the default style's
 * categories for the projects, its choropleth classes for an aggregation's
 * main level), kept by the store where QGIS opening the table finds it
 * (fp_store_qgis_style_put: layer_styles). init, import and aggregate call
 * this, so a QGIS user of the database sees the tables as the maps draw them.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "fp_export.h"
#include "fp_store.h"
#include "fp_style.h"

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a layer of this kind has a column named field (of a number type when numeric). */
static fp_status has_column(fp_store *store, fp_layer_kind kind, const char *aggregation, const char *field,
                            int numeric, int *has, fp_error *err)
{
    fp_layer_column *cols = NULL;
    int n = 0;
    *has = 0;
    fp_status st = fp_store_layer_columns(store, kind, aggregation, &cols, &n, err);
    for (int i = 0; !st && i < n; i++)
        if (!strcmp(cols[i].name, field) && (!numeric || cols[i].type != 't')) *has = 1;
    fp_store_layer_columns_free(cols, n);
    return st;
}

/* The projects: categorized on the style's category field, over the values
 * of the projects with a geometry (as an export notes them while writing). */
static fp_status projects_style(fp_store *store, fp_style *style, fp_error *err)
{
    /* The values are read once (a scan of every project: 0.17 s at 1M on
     * PostGIS) for the style's categories and the QML's. */
    const char *field = fp_style_category_field(style);
    char **values = NULL;
    size_t n = 0;
    fp_status st = fp_store_project_values(store, field, &values, &n, err);
    if (!st) st = fp_style_set_categories(style, (const char *const *)values, n, err);
    int has = 0;
    if (!st) st = has_column(store, FP_LAYER_PROJECTS, NULL, field, 0, &has, err);
    /* The kinds the table holds, for the symbols (a scan, as for the values). */
    int points = 0, lines = 0, areas = 0;
    if (!st && has && n) {
        fp_layer_query q = { .kind = FP_LAYER_PROJECTS };
        st = fp_store_layer_kinds(store, &q, &points, &lines, &areas, err);
    }
    if (!st && has && n) {
        qsort(values, n, sizeof *values, compare_strings);
        /* The QML an export of the table writes into a GeoPackage. */
        unsigned kinds = (points ? FP_GEOMETRY_POINTS : 0) | (lines ? FP_GEOMETRY_LINES : 0) | (areas ? FP_GEOMETRY_AREAS : 0);
        char *qml = fp_qml_categorized_kinds(style, field, (const char *const *)values, n, kinds);
        if (qml) st = fp_store_qgis_style_put(store, "projects", fp_style_name(style), qml, err);
        free(qml);
    }
    fp_store_strings_free(values);
    return st;
}

/* An aggregation: its main level classed by the style's choropleth. */
static fp_status aggregation_style(fp_store *store, fp_style *style, const char *name, fp_error *err)
{
    const fp_choropleth_spec *cs = fp_style_choropleth(style);
    if (!cs) return FP_OK;
    const char *field = cs->field ? cs->field : "projects";
    char *level = NULL;
    int has = 0;
    fp_status st = fp_store_aggregation_level(store, name, &level, err);
    if (!st && level) st = has_column(store, FP_LAYER_AGGREGATE, name, field, 1, &has, err);
    fp_choropleth *ch = NULL;
    if (!st && has) st = fp_choropleth_new(store, style, name, level, &ch, err);
    if (!st && ch) {
        fp_classes classes = {0};
        fp_choropleth_take_classes(ch, &classes);
        char *qml = fp_qml_graduated_style(style, &classes, field, "polygon");
        char *table = g_strdup_printf("agg_%s", name);
        if (qml) st = fp_store_qgis_style_put(store, table, fp_style_name(style), qml, err);
        g_free(table);
        free(qml);
        fp_classes_clear(&classes);
    }
    fp_choropleth_free(ch);
    free(level);
    return st;
}

fp_status fp_export_store_styles(fp_store *store, const char *only, fp_error *err)
{
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_export_store_styles: store is NULL");
    if (!fp_store_is_server(store)) return FP_OK;   /* a SpatiaLite store keeps none */
    fp_style *style = NULL;
    fp_status st = fp_style_load_ctx(fp_store_context(store), NULL, &style, err);
    if (!st && (!only || !strcmp(only, "projects"))) st = projects_style(store, style, err);
    if (!st && only && strcmp(only, "projects")) st = aggregation_style(store, style, only, err);
    if (!st && !only) {
        char **names = NULL;
        size_t n = 0;
        st = fp_store_aggregation_names(store, &names, &n, err);
        for (size_t i = 0; !st && i < n; i++) st = aggregation_style(store, style, names[i], err);
        fp_store_strings_free(names);
    }
    fp_style_free(style);
    return st;
}
