#!/usr/bin/python3
"""Render benchmark, geopandas + matplotlib side (bench/render_bench.sh).

    /usr/bin/python3 bench/render/mpl_render.py COUNTRIES POINTS OUT.png

Draws, with geopandas and matplotlib (Debian python3-geopandas,
python3-matplotlib; Agg backend) from the files footprint exported, the map
footprint renders with bench/render/choropleth_points.json: an A4 landscape
page at 300 dpi (3508 x 2480 px) in Equal Earth (GeoDataFrame.to_crs), the
sea inside the world's outline, the countries filled with their class colour
(the `fill` property of the export) and outlined in white, every point as a
small circle coloured by category, the world's outline, a title.

COUNTRIES: any file geopandas reads (the aggregation as GeoJSON).
POINTS: a .csv with X/Y columns (read with pandas, then
geopandas.points_from_xy: the fastest way in), or any file geopandas reads
(.gpkg, .shp, .geojson: geopandas.read_file, through Fiona).
The whole run is what the benchmark times: Python start, the imports,
reading the data, projecting, drawing, writing the PNG.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

import common as C  # noqa: E402


def read_points(path):
    if path.lower().endswith(".csv"):
        df = pd.read_csv(path, usecols=["X", "Y", "category"])
        return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["X"], df["Y"]), crs="EPSG:4326")
    return gpd.read_file(path)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    countries_path, points_path, out = sys.argv[1:4]
    countries = gpd.read_file(countries_path).to_crs(C.EQEARTH)
    points = read_points(points_path).to_crs(C.EQEARTH)
    world = gpd.GeoSeries([Polygon(C.world_ring())], crs="EPSG:4326").to_crs(C.EQEARTH)

    # The page, and one axes filling it with the same extent as footprint's
    # (so the world lands on the same pixels).
    fig = plt.figure(figsize=(C.PAGE_W / C.DPI, C.PAGE_H / C.DPI), dpi=C.DPI)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.set_xlim(C.MINX, C.MAXX)
    ax.set_ylim(C.MINY, C.MAXY)
    ax.set_aspect("equal")   # the extent has the page's shape: nothing moves

    world.plot(ax=ax, color=C.SEA, edgecolor="none")
    countries.plot(ax=ax, color=countries["fill"], edgecolor=C.BORDER, linewidth=C.BORDER_PT)
    points.plot(ax=ax, color=points["category"].map(C.COLORS).fillna("#999999"),
                markersize=C.POINT_PT ** 2,             # scatter's s: area in pt^2, diameter 1.5 pt
                edgecolor=(1, 1, 1, 0.9), linewidth=C.POINT_STROKE_PT)
    world.boundary.plot(ax=ax, color=C.OUTLINE, linewidth=C.OUTLINE_PT)
    fig.text(C.TITLE_LEFT_PX / C.PAGE_W, 1 - C.TITLE_BASELINE_PX / C.PAGE_H, C.TITLE,
             fontsize=C.TITLE_PT, fontweight="bold", family="DejaVu Sans", color="#1a1a1a",
             ha="left", va="baseline")
    fig.savefig(out, dpi=C.DPI, facecolor="white")


if __name__ == "__main__":
    main()
