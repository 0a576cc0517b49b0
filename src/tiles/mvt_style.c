/* The JSON that goes with vector tiles: the TileJSON 3.0 `vector_layers`
 * array (also MBTiles' metadata `json`) and a MapLibre GL style (spec v8)
 * drawing the tiles like the raster style. Built with jansson. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "tiles/mvt.h"

/* Style sizes are in points; MapLibre's are CSS pixels (96 per inch). */
#define PX_PER_PT (96.0 / 72.0)

/* The timeline's yYYYY fields (Number), one per year of the scene. */
static void year_fields(json_t *f, const fp_mvt_scene *scene)
{
    int first, n = fpi_mvt_scene_years(scene, &first);
    for (int k = 0; k < n; k++) {
        char key[16];
        snprintf(key, sizeof key, "y%d", first + k);
        json_object_set_new(f, key, json_string("Number"));
    }
}

static json_t *layer_entry(const char *id, const char *description, const fp_mvt_scene *scene, json_t *fields)
{
    json_t *l = json_object();
    json_object_set_new(l, "id", json_string(id));
    json_object_set_new(l, "description", json_string(description));
    json_object_set_new(l, "minzoom", json_integer(fpi_mvt_scene_minzoom(scene)));
    json_object_set_new(l, "maxzoom", json_integer(fpi_mvt_scene_maxzoom(scene)));
    json_object_set_new(l, "fields", fields);
    return l;
}

char *fpi_mvt_vector_layers_json(const fp_mvt_scene *scene)
{
    json_t *layers = json_array();
    json_t *f = json_object();
    json_object_set_new(f, "id", json_string("Number"));
    json_object_set_new(f, "name", json_string("String"));
    json_object_set_new(f, "company", json_string("String"));
    json_object_set_new(f, "category", json_string("String"));
    json_object_set_new(f, "year", json_string("Number"));
    json_object_set_new(f, "source", json_string("String"));
    json_object_set_new(f, "country_code", json_string("String"));
    json_object_set_new(f, "status", json_string("String"));
    const char *pf = fpi_mvt_scene_point_field(scene);
    if (!json_object_get(f, pf)) json_object_set_new(f, pf, json_string("String"));
    json_object_set_new(f, "point_count", json_string("Number"));
    json_object_set_new(f, "categories", json_string("String"));
    year_fields(f, scene);
    int first, timeline = fpi_mvt_scene_years(scene, &first) > 0;
    json_array_append_new(layers, layer_entry("projects", timeline
        ? "Projects: points (merged where dense into one point with point_count > 1, the most frequent "
          "category, the counts per category in categories (a JSON object) and, per year, yYYYY: members with year <= YYYY, "
          "absent = 0), lines and areas"
        : "Projects: points (merged where dense into one point with point_count > 1, the most frequent "
          "category and the counts per category in categories (a JSON object)), lines and areas", scene, f));
    if (fpi_mvt_scene_has_regions(scene)) {
        const char *vf = fpi_mvt_scene_value_field(scene);
        f = json_object();
        json_object_set_new(f, "code", json_string("String"));
        json_object_set_new(f, "name", json_string("String"));
        char description[256];
        if (vf) {
            json_object_set_new(f, vf, json_string("Number"));
            json_object_set_new(f, "class", json_string("Number"));
            snprintf(description, sizeof description,
                     "Regions with %s, the choropleth class (1 = lowest, absent = no data) and its fill colour", vf);
        } else {
            snprintf(description, sizeof description, "Countries (land) with their fill colour");
        }
        json_object_set_new(f, "fill", json_string("String"));
        if (fpi_mvt_scene_region_timeline(scene)) {
            year_fields(f, scene);
            size_t len = strlen(description);
            snprintf(description + len, sizeof description - len, "; yYYYY: projects with year <= YYYY (absent = 0)");
        }
        json_array_append_new(layers, layer_entry("regions", description, scene, f));
    }
    char *text = json_dumps(layers, JSON_INDENT(2));
    json_decref(layers);
    return text;
}

static json_t *color(fp_rgba c)
{
    char hex[10];
    fp_rgba_to_hex(c, hex);
    return json_string(hex);
}

/* A grey for a value the style has no colour for: lighter than the
 * bundled styles' "other" (#999999). */
#define FALLBACK_GREY "#b4b4b4"

/* ["match", ["get", field], value, colour, ..., fallback]: the style's
 * categories (its legend order) and then the other values in the data,
 * each with fp_style_category_color, as render colours its points. */
static json_t *category_colors(const fp_mvt_scene *scene, const fp_style *style)
{
    const char *field = fpi_mvt_scene_point_field(scene);
    json_t *m = json_array();
    json_array_append_new(m, json_string("match"));
    json_array_append_new(m, json_pack("[ss]", "get", field));
    json_t *seen = json_object();
    const char *const *names;
    size_t n = fp_style_categories(style, &names);
    for (int pass = 0; pass < 2; pass++) {
        if (pass) n = fpi_mvt_scene_point_values(scene, &names);
        for (size_t i = 0; i < n; i++) {
            if (!*names[i] || json_object_get(seen, names[i])) continue;   /* match labels must be unique */
            json_object_set_new(seen, names[i], json_true());
            json_array_append_new(m, json_string(names[i]));
            json_array_append_new(m, color(fp_style_category_color(style, names[i])));
        }
    }
    /* The fallback colours the projects without a value, as render does;
     * with none in the data, a grey no category has (the empty name's
     * hashed colour could be a real category's). */
    json_t *fallback = fpi_mvt_scene_has_no_value(scene) ? color(fp_style_category_color(style, ""))
                                                         : json_string(FALLBACK_GREY);
    json_decref(seen);
    if (json_array_size(m) == 2) {   /* no category at all: "match" needs one label */
        json_decref(m);
        return fallback;
    }
    json_array_append_new(m, fallback);
    return m;
}

static json_t *vector_layer(const char *id, const char *type, const char *source_layer, json_t *filter, json_t *paint)
{
    json_t *l = json_object();
    json_object_set_new(l, "id", json_string(id));
    json_object_set_new(l, "type", json_string(type));
    json_object_set_new(l, "source", json_string("footprint"));
    json_object_set_new(l, "source-layer", json_string(source_layer));
    if (filter) json_object_set_new(l, "filter", filter);
    json_object_set_new(l, "paint", paint);
    return l;
}

char *fpi_mvt_maplibre_style(const fp_mvt_scene *scene, const fp_style *style, const char *tilejson_url)
{
    const fp_map_style *ms = fp_style_map(style);
    json_t *root = json_object();
    json_object_set_new(root, "version", json_integer(8));
    json_object_set_new(root, "name", json_string(fp_style_name(style) ? fp_style_name(style) : "footprint"));
    json_t *sources = json_object();
    json_object_set_new(sources, "footprint", json_pack("{ssss}", "type", "vector", "url", tilejson_url));
    json_object_set_new(root, "sources", sources);
    /* No "glyphs" and no "sprite": nothing is fetched from the network, so
     * there are no symbol (text) layers; cluster counts show as size. */
    json_t *layers = json_array();
    json_array_append_new(layers, json_pack("{sssss{so}}", "id", "background", "type", "background", "paint",
                                            "background-color", color(ms->background)));
    if (fpi_mvt_scene_has_regions(scene)) {
        json_array_append_new(layers, vector_layer("regions", "fill", "regions", NULL,
            json_pack("{s[ss]sb}", "fill-color", "get", "fill", "fill-antialias", 0)));
        /* With a choropleth the borders are the style's borders; plain
         * land is outlined with the land stroke, as render does. */
        int choropleth = fpi_mvt_scene_value_field(scene) != NULL;
        fp_rgba stroke = choropleth ? ms->borders.stroke : ms->land.stroke;
        double width = choropleth ? ms->borders.width : ms->land.width;
        json_array_append_new(layers, vector_layer("borders", "line", "regions", NULL,
            json_pack("{sosf}", "line-color", color(stroke), "line-width", width * PX_PER_PT)));
    }
    /* Projects: drawn when the style has a points section, as render does;
     * otherwise the layers are there but hidden (visibility none), so a
     * page can switch them on. */
    const char *visibility = ms->points.enabled ? "visible" : "none";
    double size = (ms->points.size > 0 ? ms->points.size : 4) * PX_PER_PT;
    double line_width = (ms->lines.width > 0 ? ms->lines.width : 1) * PX_PER_PT;
    json_t *l;
    l = vector_layer("project-areas", "fill", "projects", json_pack("[s[s]s]", "==", "geometry-type", "Polygon"),
                     json_pack("{sosf}", "fill-color", category_colors(scene, style), "fill-opacity", FP_AREA_FILL_OPACITY));
    json_object_set_new(l, "layout", json_pack("{ss}", "visibility", visibility));
    json_array_append_new(layers, l);
    l = vector_layer("project-lines", "line", "projects", json_pack("[s[s]s]", "==", "geometry-type", "LineString"),
                     json_pack("{sosf}", "line-color", category_colors(scene, style), "line-width", line_width));
    json_object_set_new(l, "layout", json_pack("{sssss}", "visibility", visibility, "line-cap", "round",
                                               "line-join", "round"));
    json_array_append_new(layers, l);
    /* Single projects: point_count 1 (multipoints have none). */
    l = vector_layer("projects", "circle", "projects",
                     json_pack("[s[s[s]s][s[s[ss]i]i]]", "all", "==", "geometry-type", "Point", "<=", "coalesce", "get",
                               "point_count", 1, 1),
                     json_pack("{sosfsssf}", "circle-color", category_colors(scene, style), "circle-radius", size / 2,
                               "circle-stroke-color", "#ffffff", "circle-stroke-width", size * 0.15));
    json_object_set_new(l, "layout", json_pack("{ss}", "visibility", visibility));
    json_array_append_new(layers, l);
    /* Clusters: the area grows with the count (radius with its square
     * root, 2 projects at 1.5 x a single point, 10,000 at 8 x), in the
     * colour of the most frequent category. */
    double r = size / 2;
    l = vector_layer("clusters", "circle", "projects",
                     json_pack("[s[s[ss]i]i]", ">", "coalesce", "get", "point_count", 1, 1),
                     json_pack("{sos[s[s][ss]ififififif]sfsssf}", "circle-color", category_colors(scene, style),
                               "circle-radius", "interpolate", "linear", "get", "point_count", 2, r * 1.5, 10, r * 2.5,
                               100, r * 4.0, 1000, r * 6.0, 10000, r * 8.0, "circle-opacity", 0.85,
                               "circle-stroke-color", "#ffffff", "circle-stroke-width", size * 0.2));
    json_object_set_new(l, "layout", json_pack("{ss}", "visibility", visibility));
    json_array_append_new(layers, l);
    json_object_set_new(root, "layers", layers);
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    return text;
}
