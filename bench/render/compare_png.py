#!/usr/bin/python3
"""Render benchmark check (bench/render_bench.sh): are the maps alike?

    /usr/bin/python3 bench/render/compare_png.py REFERENCE.png OTHER.png [LIMIT_PERCENT]

Both must be 3508 x 2480 pixels. Prints, for each, the share of the page in
the sea colour, in the five class colours (YlOrRd), in the no-data grey and
in the eight point colours (Set2), each within a small tolerance; then the
share of pixels where OTHER differs from REFERENCE by more than 48 (sum of
|dR|+|dG|+|dB|, on 0..765). Exit status 1 if the size is wrong or more than
LIMIT_PERCENT (default 5) of the pixels differ. (Measured: Mapnik's and
matplotlib's maps differ from footprint's in about 1 % of the pixels;
footprint's map without its points differs from it in 10.5 %.) Untimed; uses Pillow and
NumPy (dependencies of python3-matplotlib).
"""
import sys

import numpy as np
from PIL import Image

import common as C

YLORRD5 = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]


def rgb(hexes):
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hexes])


def load(path):
    im = Image.open(path)
    if im.size != (C.PAGE_W, C.PAGE_H):
        sys.exit("%s: %dx%d pixels, expected %dx%d" % ((path,) + im.size + (C.PAGE_W, C.PAGE_H)))
    return np.asarray(im.convert("RGB")).astype(np.int16)


def near(a, col, tol=12):
    return (np.abs(a[:, :, 0] - col[0]) + np.abs(a[:, :, 1] - col[1]) + np.abs(a[:, :, 2] - col[2])) <= tol


def shares(a):
    out = []
    for name, cols in (("sea", rgb([C.SEA])), ("classes", rgb(YLORRD5)), ("no data", rgb(["#dddddd"])),
                       ("points", rgb(C.SET2))):
        hit = np.zeros(a.shape[:2], dtype=bool)
        for col in cols:
            hit |= near(a, col)
        out.append("%s %.1f %%" % (name, 100.0 * hit.mean()))
    return ", ".join(out)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    ref, other = load(sys.argv[1]), load(sys.argv[2])
    limit = float(sys.argv[3]) if len(sys.argv) == 4 else 5.0
    d = np.abs(ref[:, :, 0] - other[:, :, 0]) + np.abs(ref[:, :, 1] - other[:, :, 1]) + np.abs(ref[:, :, 2] - other[:, :, 2])
    diff = 100.0 * (d > 48).mean()
    print("  %s: %s" % (sys.argv[1].rsplit("/", 1)[-1], shares(ref)))
    print("  %s: %s; pixels differing from %s: %.1f %% (limit %g %%)"
          % (sys.argv[2].rsplit("/", 1)[-1], shares(other), sys.argv[1].rsplit("/", 1)[-1], diff, limit))
    sys.exit(1 if diff > limit else 0)


if __name__ == "__main__":
    main()
