#!/usr/bin/python3
"""Render benchmark, Mapnik side (bench/render_bench.sh).

    /usr/bin/python3 bench/render/mapnik_render.py COUNTRIES POINTS OUT.png

Draws, with Mapnik (Debian python3-mapnik) from the files footprint
exported, the map footprint renders with bench/render/choropleth_points.json:
an A4 landscape page at 300 dpi (3508 x 2480 px) in Equal Earth, the sea
inside the world's outline, the countries filled with their class colour
(the `fill` property of the export), white borders, every point as a small
circle coloured by category, the world's outline, a title.

COUNTRIES: the aggregation exported as GeoJSON (Mapnik's geojson plugin).
POINTS: the projects as .shp (shape plugin), .gpkg (ogr plugin), .csv
(csv plugin, X/Y columns) or .geojson (geojson plugin).
The whole run is what the benchmark times: Python start, importing mapnik,
loading the style, reading the data, projecting, drawing, writing the PNG.
"""
import os
import sys
from string import Template

import mapnik

import common as C

HERE = os.path.dirname(os.path.abspath(__file__))


def point_rules():
    # One rule per category; the markers may overlap (Mapnik's default
    # drops markers that collide, footprint draws every point).
    size, stroke = C.POINT_PT * C.PT, C.POINT_STROKE_PT * C.PT
    rules = []
    for cat in C.CATEGORIES:
        rules.append(
            "    <Rule><Filter>[category] = '%s'</Filter>"
            '<MarkersSymbolizer marker-type="ellipse" width="%.3f" height="%.3f" fill="%s" '
            'stroke="#ffffff" stroke-width="%.3f" stroke-opacity="0.9" '
            'allow-overlap="true" ignore-placement="true"/></Rule>' % (cat, size, size, C.COLORS[cat], stroke))
    return "\n".join(rules)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    countries, points, out = sys.argv[1:4]
    ring = ",".join("[%g,%g]" % xy for xy in C.world_ring())
    world = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},' \
            '"geometry":{"type":"Polygon","coordinates":[[%s]]}}]}' % ring
    # The title's anchor: its left end on the baseline ("right" of and
    # "top" = above the point; measured: the glyphs then cover the same
    # rows as footprint's).
    title_x = C.MINX + C.TITLE_LEFT_PX * C.PIXEL_M
    title_y = C.MAXY - C.TITLE_BASELINE_PX * C.PIXEL_M
    with open(os.path.join(HERE, "mapnik_map.xml"), encoding="utf-8") as f:
        xml = Template(f.read()).substitute(
            point_rules=point_rules(), world=world,
            countries_ds="\n".join(C.mapnik_datasource(countries)), points_ds="\n".join(C.mapnik_datasource(points)),
            title_x="%.1f" % title_x, title_y="%.1f" % title_y, title=C.TITLE)
    m = mapnik.Map(C.PAGE_W, C.PAGE_H)
    mapnik.load_map_from_string(m, xml, True, HERE)
    m.zoom_to_box(mapnik.Box2d(C.MINX, C.MINY, C.MAXX, C.MAXY))
    mapnik.render_to_file(m, out, "png32")


if __name__ == "__main__":
    main()
