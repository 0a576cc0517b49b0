"""Shared parameters of the render benchmark's Mapnik and matplotlib maps
(bench/render_bench.sh), so that both draw what footprint draws with
bench/render/choropleth_points.json on an A4 landscape page at 300 dpi.

Nothing here reads data; the scripts read the exported files themselves.
"""

# The page: A4 landscape at 300 dpi, as footprint makes it
# (841.890 x 595.276 pt * 300/72, rounded).
PAGE_W, PAGE_H, DPI = 3508, 2480, 300
PT = DPI / 72.0                       # pixels per typographic point

# The projection: Equal Earth on WGS 84, central meridian 0 (footprint's
# "equal-earth"; its .prj says the same).
EQEARTH = "+proj=eqearth +datum=WGS84 +units=m +no_defs"

# The map extent (Equal Earth metres) covered by the whole page. These are
# the bounds of the world file (.pgw) footprint writes for this page
# (pixel 10421.0432542940 m, top-left pixel centre -18272648.03,
# 13063993.51), so the three maps put the world on the same pixels: the
# projected world (x +-17243959 m, y +-8392927.6 m) spans pixels
# 99.2..3408.8 across and 448.7..2059.5 down.
PIXEL_M = 10421.0432542940
MINX = -18272648.0312011950 - PIXEL_M / 2
MAXY = 13063993.5076372400 + PIXEL_M / 2
MAXX = MINX + PAGE_W * PIXEL_M
MINY = MAXY - PAGE_H * PIXEL_M
WORLD_X, WORLD_Y = 17243959.06221695, 8392927.598466456

# Colours and sizes of the style (points -> pixels at 300 dpi).
SEA = "#eaf2f8"
OUTLINE = "#8c99a6"                   # footprint: rgb(0.55, 0.6, 0.65), 0.6 pt
OUTLINE_PT = 0.6
BORDER = "#ffffff"
BORDER_PT = 0.4
POINT_PT = 1.5                        # marker diameter
POINT_STROKE_PT = POINT_PT * 0.15     # white outline, opacity 0.9 (as footprint)

# points.categories of the style, coloured by Set2's 8 colours, cycled
# (footprint: a category's position in the style's list, in the scheme's
# largest palette).
CATEGORIES = ["5g", "smart_city", "surveillance", "data_centre", "rd_lab", "university",
              "cable", "landing_station", "telecom", "cloud", "training", "other"]
SET2 = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"]
COLORS = {c: SET2[i % len(SET2)] for i, c in enumerate(CATEGORIES)}

# The title: DejaVu Sans Bold 16 pt, left-aligned on the map's frame, its
# baseline 28.8 pt - 16 pt above the frame (footprint's layout).
TITLE = "Projects per country and by category (100,000 points)"
TITLE_PT = 16
TITLE_LEFT_PX = (-WORLD_X - MINX) / PIXEL_M
TITLE_BASELINE_PX = (MAXY - WORLD_Y) / PIXEL_M - (TITLE_PT * 1.8 - TITLE_PT) * PT


def world_ring(step=1.0):
    """The world's outline in lon/lat (-180..180, -90..90), densified every
    `step` degrees so that its projected sides curve."""
    n = int(round(360 / step))
    m = int(round(180 / step))
    ring = [(-180 + i * step, -90.0) for i in range(n)]
    ring += [(180.0, -90 + j * step) for j in range(m)]
    ring += [(180 - i * step, 90.0) for i in range(n)]
    ring += [(-180.0, 90 - j * step) for j in range(m)]
    ring.append(ring[0])
    return ring


# Mapnik datasources for the files footprint exported (used by
# mapnik_render.py and ../tiles/mapnik_tiles.py).
def mapnik_param(name, value):
    from xml.sax.saxutils import escape, quoteattr
    return "      <Parameter name=%s>%s</Parameter>" % (quoteattr(name), escape(value))


def mapnik_datasource(path):
    """The <Parameter> lines of a Mapnik datasource reading PATH: .shp (shape
    plugin), .gpkg (ogr plugin, layer projects), .csv (csv plugin, X/Y
    columns) or .geojson (geojson plugin)."""
    import os
    import sys
    path = os.path.abspath(path)
    ext = os.path.splitext(path)[1].lower()
    p = mapnik_param
    if ext == ".shp":
        return [p("type", "shape"), p("file", path), p("encoding", "utf-8")]
    if ext == ".gpkg":
        return [p("type", "ogr"), p("file", path), p("layer", "projects")]
    if ext == ".csv":
        return [p("type", "csv"), p("file", path)]
    if ext in (".geojson", ".json"):
        return [p("type", "geojson"), p("file", path)]
    sys.exit("%s: expected .shp, .gpkg, .csv or .geojson" % path)
