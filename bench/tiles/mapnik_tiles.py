#!/usr/bin/python3
"""Tiles benchmark, Mapnik side (bench/tiles_bench.sh).

    /usr/bin/python3 bench/tiles/mapnik_tiles.py COUNTRIES POINTS OUTDIR MINZOOM MAXZOOM

Renders, with Mapnik (Debian python3-mapnik) in one process, the XYZ tiles
(256 px, Web Mercator, OUTDIR/z/x/y.png) of the map footprint draws with
bench/render/choropleth_points.json: the sea, the countries filled with
their class colour (the `fill` property of footprint's export), white
borders 0.4 px, every point as a 1.5 px circle coloured by category with a
white outline (footprint's tile sizes: the style's points at 1 px per pt).
A 64 px buffer, as footprint's metatiles have, so symbols on tile edges are
drawn whole. What is timed is the whole run: Python start, loading the
data, drawing and writing every tile.
"""
import math
import os
import sys
from string import Template

import mapnik

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "render"))
import common as C  # noqa: E402  (the colours and categories of the render benchmark)

MERC = ("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 "
        "+units=m +nadgrids=@null +wktext +over +no_defs")
HALF = math.pi * 6378137.0

XML = Template("""<?xml version="1.0" encoding="utf-8"?>
<Map srs="$merc" background-color="#eaf2f8" buffer-size="64">
  <Style name="countries">
    <Rule>
      <PolygonSymbolizer fill="[fill]"/>
      <LineSymbolizer stroke="#ffffff" stroke-width="0.4" stroke-linejoin="round"/>
    </Rule>
  </Style>
  <Style name="points">
$point_rules
  </Style>
  <Layer name="countries" srs="+proj=longlat +datum=WGS84 +no_defs">
    <StyleName>countries</StyleName>
    <Datasource>
$countries_ds
    </Datasource>
  </Layer>
  <Layer name="points" srs="+proj=longlat +datum=WGS84 +no_defs">
    <StyleName>points</StyleName>
    <Datasource>
$points_ds
    </Datasource>
  </Layer>
</Map>
""")


def point_rules():
    size, stroke = 1.5, 1.5 * 0.15
    return "\n".join(
        "    <Rule><Filter>[category] = '%s'</Filter>"
        '<MarkersSymbolizer marker-type="ellipse" width="%.3f" height="%.3f" fill="%s" '
        'stroke="#ffffff" stroke-width="%.3f" stroke-opacity="0.9" '
        'allow-overlap="true" ignore-placement="true"/></Rule>' % (cat, size, size, C.COLORS[cat], stroke)
        for cat in C.CATEGORIES)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    countries, points, out = sys.argv[1:4]
    zmin, zmax = int(sys.argv[4]), int(sys.argv[5])
    xml = XML.substitute(merc=MERC, point_rules=point_rules(),
                         countries_ds="\n".join(C.mapnik_datasource(countries)), points_ds="\n".join(C.mapnik_datasource(points)))
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, xml, True, HERE)
    n_tiles = 0
    for z in range(zmin, zmax + 1):
        n = 2 ** z
        size = 2 * HALF / n
        for x in range(n):
            os.makedirs(os.path.join(out, str(z), str(x)), exist_ok=True)
            for y in range(n):
                x0 = -HALF + x * size
                y1 = HALF - y * size
                m.zoom_to_box(mapnik.Box2d(x0, y1 - size, x0 + size, y1))
                im = mapnik.Image(256, 256)
                mapnik.render(m, im)
                im.save(os.path.join(out, str(z), str(x), "%d.png" % y), "png32")
                n_tiles += 1
    print("mapnik_tiles.py: %d tiles" % n_tiles)


if __name__ == "__main__":
    main()
