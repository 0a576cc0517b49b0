/* The main job: every stage on the embedded default, above the library
 * (it orchestrates the stages and prints their results). */
#include <string.h>
#include <glib.h>
#include "footprint.h"
#include "run/fp_run.h"

fp_status fp_run_default(const fp_run_options *opts, fp_error *err)
{
    FILE *out = opts->out;
    char regions[4096], projects[4096];
    fp_context *ctx = opts->ctx;
    fp_data_path(ctx, "regions.gpkg", regions, sizeof regions);
    const char *ppath = opts->projects_path ? opts->projects_path
                                            : fp_data_path(ctx, "projects.csv", projects, sizeof projects);
    const char *db = opts->db_path ? opts->db_path : "output/footprint.sqlite";
    fp_store *store = NULL;
    fp_status st = fp_store_open_ctx(ctx, db, FP_STORE_CREATE, &store, err);
    if (st) return st;
    fp_regions_result rr;
    if ((st = fp_store_load_regions(store, regions, &rr, err))) goto done;
    if ((st = fp_aggregate_prepare(store, err))) goto done;
    if (out) fprintf(out, "store %s: %ld countries, %ld admin-1 regions%s\n", fp_store_path(store), rr.countries, rr.admin1,
                     rr.unchanged ? " (already loaded)" : "");
    fp_import_options io = { .dataset = "sample" };   /* progress: the context's */
    fp_import_result ir;
    if ((st = fp_import_file(store, ppath, &io, &ir, err))) goto done;
    if (out) {
        if (ir.already_imported)
            fprintf(out, "import %s: already imported (import #%ld); nothing stored\n", ppath, ir.previous_import_id);
        else
            fprintf(out, "import %s: %ld rows read, %ld stored, %ld rejected, %ld to geocode\n", ppath,
                    ir.rows_read, ir.stored, ir.rejected, ir.pending_geocode);
    }
    fp_geocode_options go = { .dataset = "sample", .country_fallback = 1, .report = NULL };
    fp_geocode_result gr;
    if ((st = fp_geocode_store(store, &go, &gr, err))) goto done;
    if (out) {
        fprintf(out, "geocode: %ld rows without coordinates: %ld exact, %ld folded, %ld alternate name, "
                     "%ld at country centroid, %ld not placed\n",
                gr.candidates, gr.exact, gr.folded, gr.alternate, gr.country_centroid,
                gr.not_found + gr.ambiguous + gr.no_country);
        fprintf(out, "projects in dataset 'sample': %ld\n", fp_store_count(store, "projects"));
        fp_print_counts(store, "category", "sample", out, err);
        fp_print_counts(store, "company", "sample", out, err);
        fp_print_counts(store, "geocode_precision", "sample", out, err);
        fprintf(out, "rejects: %ld\n", fp_store_count(store, "rejects"));
    }
    /* Data QA of the geocoded sample, as after every import: the exports
     * below carry each row's qa attribute. */
    fp_qa_options qo = { .dataset = "sample", .snap_km = -1 };
    fp_qa_result qr;
    if ((st = fp_qa_check(store, &qo, &qr, err))) goto done;
    if (out) fp_qa_print_summary(&qr, "", out);
    /* The country aggregation of the sample, by category (table
     * agg_country_by_category), and the top countries. */
    fp_aggregate_options ao = { .by = "country", .group = "category", .snap_km = -1 };
    fp_aggregate_result ar;
    if ((st = fp_aggregate(store, &ao, &ar, err))) goto done;
    /* A shared database: its tables' QGIS styles (layer_styles); a
     * failure only leaves QGIS's default look. */
    fp_error serr = {0};
    if (fp_export_store_styles(store, NULL, &serr))
        fprintf(stderr, "footprint: warning: QGIS styles not written: %s\n", serr.message);
    if (out) {
        fp_aggregate_print(&ar, out);
        fp_print_top_regions(store, ar.table, "country", 10, out, err);
    }
    /* Layers next to the store: GeoJSON per category, the country
     * choropleth (and its centroids), and a QGIS project with one
     * GeoPackage holding them all. */
    {
        /* Next to the store file; a server's: the default output folder. */
        char *dir = fp_store_is_server(store) ? g_strdup("output") : g_path_get_dirname(db);
        char *projects_dir = g_build_filename(dir, "projects", NULL);
        char *agg = g_build_filename(dir, "country_by_category.geojson", NULL);
        char *qgz = g_build_filename(dir, "footprint.qgz", NULL);
        char what[128];
        snprintf(what, sizeof what, "aggregate:%s", ar.name);
        /* Project layers carry the QGIS style of categories.png (its colours
         * and shapes per category), the aggregation that of world.png. */
        char points_style[4096];
        fp_style_path(ctx, "category-points.json", points_style, sizeof points_style);
        fp_export_options e1 = { .what = "projects", .format = "geojson", .split_by = "category", .precision = -1,
                                 .output = projects_dir, .style_path = points_style };
        fp_export_options e2 = { .what = what, .precision = -1, .output = agg };
        /* The QGIS project: footprint.qgz and footprint.gpkg (projects,
         * the aggregation, the base map) with the report maps' layouts. */
        fp_export_options e3 = { .what = "all", .format = "qgz", .precision = -1, .output = qgz, .aggregation = ar.name };
        fp_export_options *steps[] = { &e1, &e2, &e3 };
        for (int i = 0; i < 3 && !st; i++) {
            fp_export_result er;
            st = fp_export(store, steps[i], &er, err);
            if (!st && out)
                fprintf(out, "export %s: %ld features in %d layer%s -> %s%s\n", steps[i]->what, er.features, er.layers,
                        er.layers == 1 ? "" : "s", steps[i]->split_by ? steps[i]->output : steps[i]->output,
                        steps[i]->split_by ? "/" : "");
            if (!st) fp_export_print_notes(&er, stderr);
        }
        /* The report maps: the shipped styles, as PNG and PDF. */
        static const char *const maps[][2] = { { "world-choropleth", "world" }, { "category-points", "categories" },
                                               { "africa", "africa" } };
        for (int i = 0; i < 3 && !st; i++)
            for (int k = 0; k < 2 && !st; k++) {
                char style[4096], name[64];
                snprintf(name, sizeof name, "%s.json", maps[i][0]);
                fp_style_path(ctx, name, style, sizeof style);
                char *file = g_strdup_printf("%s/%s.%s", dir, maps[i][1], k ? "pdf" : "png");
                fp_render_options ro = { .style_path = style, .output = file };
                fp_render_result rr2;
                st = fp_render(store, &ro, &rr2, err);
                if (!st && out) fprintf(out, "render %s -> %s\n", name, file);
                g_free(file);
            }
        /* Web map tiles z0-5 of the default map with their preview. */
        if (!st) {
            char *tiles = g_build_filename(dir, "tiles", NULL);
            fp_tiles_options to = { .minzoom = 0, .maxzoom = 5, .scale = 1, .format = "png", .output = tiles };
            fp_tiles_result tr;
            st = fp_tiles(store, &to, &tr, err);
            /* `run` has no --resume (tiles' message says to use it): a new
             * run redoes its steps and finishes the tiles. */
            if (st == FP_ERR_INTERRUPTED)
                fp_error_set(err, FP_ERR_INTERRUPTED, "run: interrupted while writing the tiles; %s is as it was: run "
                             "`footprint run` again to finish", tiles);
            if (!st && out)
                fprintf(out, "tiles z0-5: %ld tiles (%ld distinct) -> %s/ (preview: footprint serve %s)\n", tr.tiles,
                        tr.unique, tiles, tiles);
            g_free(tiles);
        }
        g_free(dir);
        g_free(projects_dir);
        g_free(agg);
        g_free(qgz);
        if (st) goto done;
    }
done:
    fp_store_close(store);
    return st;
}
