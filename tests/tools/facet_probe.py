#!/usr/bin/python3
"""Reads the panels of a page of small multiples (render --facet) of a WORLD map.

Independent of footprint's layout code: the panels are found on the image itself,
as the boxes of the sea colour (columns and rows holding a sea pixel come in runs, one
run per grid column and row; the sea of a world map in Equal Earth touches all four
sides of its frame: the equator's ends left and right, the pole lines top and bottom);
a lon/lat is placed in a panel by projecting it with PROJ's `proj` and scaling the
projected world's extent (x of lon 180 on the equator, y of lat 90) onto that box.
Pillow (python3-pil) decodes the PNG, numpy finds the sea.

usage:
  facet_probe.py panels FILE SEA                    -> one "X0 Y0 X1 Y1" line per panel,
        row by row (the sea's bounding box, pixels, X1 Y1 exclusive)
  facet_probe.py probe FILE SEA N PROJDEF LON LAT [R] -> the colour covering most of the
        (2R+1)^2 window (R default 2) round that point in panel N (0-based), "#rrggbb"
"""
import subprocess
import sys

import numpy
from PIL import Image


def parse(c):
    c = c.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def runs(flags, bridge=4):
    """Runs of True, joined across gaps of at most `bridge` (the graticule's straight
    lines, the central meridian and the parallels, cross the sea with no sea pixel)."""
    out, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if out and start - out[-1][1] <= bridge:
                out[-1] = (out[-1][0], i)
            else:
                out.append((start, i))
            start = None
    return out


def panels(im, sea):
    a = numpy.asarray(im)
    mask = numpy.all(a == numpy.array(sea, dtype=a.dtype), axis=2)
    cols, rows = list(mask.any(axis=0)), list(mask.any(axis=1))
    out = []
    for y0, y1 in runs(rows):
        for x0, x1 in runs(cols):
            # the sea's box inside this cell (an empty cell holds the legend)
            ys, xs = numpy.nonzero(mask[y0:y1, x0:x1])
            if len(xs):
                out.append((x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1))
    return out


def project(projdef, lon, lat):
    r = subprocess.run(["proj", "-f", "%.6f"] + projdef.split(), input="%r %r\n" % (lon, lat),
                       capture_output=True, text=True, check=True)
    x, y = r.stdout.split()[:2]
    return float(x), float(y)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    im = Image.open(path).convert("RGB")
    sea = parse(sys.argv[3])
    boxes = panels(im, sea)
    if cmd == "panels":
        for b in boxes:
            print("%d %d %d %d" % b)
        return
    n, projdef, lon, lat = int(sys.argv[4]), sys.argv[5], float(sys.argv[6]), float(sys.argv[7])
    r = int(sys.argv[8]) if len(sys.argv) > 8 else 2
    x0, y0, x1, y1 = boxes[n]
    xmax, _ = project(projdef, 180, 0)
    _, ymax = project(projdef, 0, 90)
    x, y = project(projdef, lon, lat)
    col = int(x0 + (x + xmax) / (2 * xmax) * (x1 - x0))
    row = int(y0 + (ymax - y) / (2 * ymax) * (y1 - y0))
    px = im.load()
    counts = {}
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            c = px[col + dx, row + dy]
            counts[c] = counts.get(c, 0) + 1
    best = max(counts, key=counts.get)
    print("#%02x%02x%02x" % best)


if __name__ == "__main__":
    main()
