#!/usr/bin/python3
"""Reads pixels of a rendered PNG, located through its ESRI world file (.pgw).

Independent of footprint: points are projected with PROJ's command-line tool `proj`
(proj-bin), distances measured with PROJ's `geod`, pixels found from the world file's
definition, and the PNG decoded by Pillow (python3-pil) or, without it, by
tests/tools/png_colors.py (slow, but the standard library only).

World file (ESRI): six lines A, D, B, E, C, F with
    x = A*col + B*row + C,   y = D*col + E*row + F
where (col, row) are 0-based pixel indices and (x, y) the map coordinates of the
CENTRE of that pixel: (C, F) is the centre of the upper-left pixel, A the pixel width,
E minus the pixel height. Without rotation (B = D = 0) the pixel holding the map point
(x, y) is   col = floor((x - C)/A + 0.5),   row = floor((y - F)/E + 0.5).

usage:
  png_probe.py size FILE                       -> WxH
  png_probe.py pixel FILE PROJDEF LON LAT [LON LAT...] -> "COL ROW", the pixel of that
        point (one line per point; all projected by one `proj` run)
  png_probe.py probe FILE PROJDEF LON LAT [R]  -> the colour covering most of the
        (2R+1)^2 window around that point's pixel (R default 2), "#rrggbb";
        with --why: also its share, the pixel and the other colours
  png_probe.py at FILE COL ROW [R]             -> the same for a pixel
  png_probe.py frame FILE                      -> "X0 Y0 X1 Y1": the inside of the map
        frame (the grey rectangle round the map), found from the middle row
  png_probe.py legend FILE '#rrggbb'...        -> the legend's swatches: a column of
        the left third of the frame's lower half where a vertical run of each colour,
        all of the same height (±2 px), is met: "X #c=Y0-Y1 ..." or "none"
  png_probe.py legendbox FILE '#rrggbb'...     -> "X0 Y0 X1 Y1": the legend's box (its
        thin grey border) round those swatches
  png_probe.py scalebar FILE PROJDEF           -> "PX METRES": the scale bar (a row of
        alternating #333333 and #ffffff runs of equal length, in the lower right) and
        the geodesic length on the WGS 84 ellipsoid of a horizontal segment that long
        through the centre of the frame
  png_probe.py margins FILE                    -> "LEFT RIGHT TOP BOTTOM": how many
        white columns / rows the page has on each side before anything drawn
  png_probe.py runs FILE ROW '#rrggbb'...      -> the longest horizontal run of pixels of
        the given colours on that row
  png_probe.py count FILE X0 Y0 X1 Y1 '#rrggbb'... -> pixels of each colour in
        [X0, X1) x [Y0, Y1)
  png_probe.py compare A.png B.png TOL         -> "WxH SHARE": the share of pixels whose
        three channels all differ by at most TOL
"""
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class Image:
    def __init__(self, path):
        self.path = path
        self._pil = None
        try:
            from PIL import Image as PILImage
        except ImportError:
            PILImage = None
        if PILImage is not None:
            im = PILImage.open(path).convert("RGB")
            self.w, self.h = im.size
            self._px = im.load()
            self._pil = im
        else:
            import png_colors
            self.w, self.h, bpp, rows = png_colors.pixels(path)
            self._rows = [[tuple(r[x:x + 3]) for x in range(0, len(r), bpp)] for r in rows]
            self._px = None

    def get(self, c, r):
        if self._px is not None:
            return self._px[c, r][:3]
        return self._rows[r][c]


def hexc(rgb):
    return "#%02x%02x%02x" % tuple(rgb[:3])


def parse_col(s):
    s = s.lower().lstrip("#")
    if len(s) == 3:
        s = "".join(ch * 2 for ch in s)
    return tuple(int(s[k:k + 2], 16) for k in (0, 2, 4))


def world_file(png):
    base = png[:-4] if png.lower().endswith(".png") else png
    vals = [float(v) for v in open(base + ".pgw").read().split()]
    if len(vals) != 6:
        raise SystemExit("%s.pgw: expected 6 numbers, got %d" % (base, len(vals)))
    a, d, b, e, c, f = vals
    if b != 0 or d != 0:
        raise SystemExit("%s.pgw: rotation terms not supported" % base)
    return a, e, c, f


def to_pixel(png, x, y):
    a, e, c, f = world_file(png)
    return math.floor((x - c) / a + 0.5), math.floor((y - f) / e + 0.5)


def to_map(png, col, row):
    a, e, c, f = world_file(png)
    return a * col + c, e * row + f


def project_many(projdef, points, inverse=False):
    out = subprocess.run(["proj", "-f", "%.9f"] + (["-I"] if inverse else []) + projdef.split(),
                         input="".join("%r %r\n" % p for p in points), capture_output=True, text=True,
                         check=True).stdout.splitlines()
    res = []
    for (lon, lat), line in zip(points, out):
        v = line.split()
        if len(v) < 2 or v[0].startswith("*"):
            raise SystemExit("proj: %s %s is outside the projection's domain" % (lon, lat))
        res.append((float(v[0]), float(v[1])))
    if len(res) != len(points):
        raise SystemExit("proj: %d points in, %d out" % (len(points), len(res)))
    return res


def project(projdef, lon, lat, inverse=False):
    return project_many(projdef, [(lon, lat)], inverse)[0]


def geod_m(lon1, lat1, lon2, lat2):
    out = subprocess.run(["geod", "-I", "-f", "%.6f", "+ellps=WGS84"], input="%r %r %r %r\n" % (lat1, lon1, lat2, lon2),
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[2])


def window(im, col, row, r):
    counts = {}
    for rr in range(row - r, row + r + 1):
        for cc in range(col - r, col + r + 1):
            if 0 <= cc < im.w and 0 <= rr < im.h:
                k = hexc(im.get(cc, rr))
                counts[k] = counts.get(k, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def report(im, col, row, r, why):
    if not (0 <= col < im.w and 0 <= row < im.h):
        return "outside the image (pixel %d,%d of %dx%d)" % (col, row, im.w, im.h)
    win = window(im, col, row, r)
    if not why:
        return win[0][0]
    n = sum(v for _, v in win)
    return "%s (%d/%d at pixel %d,%d; others %s)" % (win[0][0], win[0][1], n, col, row,
                                                     " ".join("%s:%d" % kv for kv in win[1:6]))


WHITE = (255, 255, 255)


def frame(im):
    """Inside of the frame: the first and last non-white pixels of the middle row are
    its vertical sides; the non-white run of the left side's column through the middle
    row gives the top and bottom."""
    mid = im.h // 2
    cols = [c for c in range(im.w) if im.get(c, mid) != WHITE]
    if not cols:
        raise SystemExit("%s: no frame (the middle row is white)" % im.path)
    left, right = cols[0], cols[-1]
    # the side is 1-3 px wide (antialiased): use its darkest column
    side = min(range(left, left + 3), key=lambda c: sum(im.get(c, mid)))
    top = mid
    while top > 0 and im.get(side, top - 1) != WHITE:
        top -= 1
    bottom = mid
    while bottom < im.h - 1 and im.get(side, bottom + 1) != WHITE:
        bottom += 1
    m = 3   # the frame's line
    return left + m, top + m, right - m + 1, bottom - m + 1


def vruns(im, col, y0, y1):
    runs = []
    r = y0
    while r < y1:
        p = im.get(col, r)
        s = r
        while r < y1 and im.get(col, r) == p:
            r += 1
        runs.append((p, s, r))
    return runs


def legend(im, colours):
    fx0, fy0, fx1, fy1 = frame(im)
    want = [parse_col(c) for c in colours]
    for col in range(fx0, fx0 + (fx1 - fx0) // 3):
        found = {}
        for p, s, e in vruns(im, col, (fy0 + fy1) // 2, fy1):
            if p in want and 6 <= e - s <= 80 and p not in found:
                found[p] = (s, e)
        if len(found) == len(want):
            hs = [e - s for s, e in found.values()]
            if max(hs) - min(hs) <= 2:
                return col, [found[p] for p in want]
    return None


def legend_box(im, col, swatches):
    """The legend's box round the swatch column. Its fill is (nearly) white, its
    border a thin line darker than the fill: walk from the box's left padding (left
    of the swatches, where there is no text) outwards until a dark pixel."""
    def walk(x, y, dx, dy):
        while 0 < x < im.w - 1 and 0 < y < im.h - 1 and sum(im.get(x, y)) >= 690:
            x, y = x + dx, y + dy
        return x, y
    top_sw, bottom_sw = min(s for s, _ in swatches), max(e for _, e in swatches)
    pad = col - 3
    y = (swatches[0][0] + swatches[0][1]) // 2
    x0, _ = walk(pad, y, -1, 0)
    _, y0 = walk(pad, top_sw, 0, -1)
    _, y1 = walk(pad, bottom_sw, 0, 1)
    x1, _ = walk(pad, y0 + 3, 1, 0)
    return x0, y0, x1 + 1, y1 + 1


def scalebar(im):
    fx0, fy0, fx1, fy1 = frame(im)
    dark, light = (0x33, 0x33, 0x33), WHITE
    for row in range(fy1 - 1, (fy0 + fy1) // 2, -1):
        runs = []
        c = (fx0 + fx1) // 2
        while c < fx1:
            p = im.get(c, row)
            s = c
            while c < fx1 and im.get(c, row) == p:
                c += 1
            runs.append((p, s, c))
        seq = [(p, s, e) for p, s, e in runs if p in (dark, light) and e - s >= 3]
        for i in range(len(seq) - 3):
            q = seq[i:i + 4]
            kinds = [p for p, _, _ in q]
            lens = [e - s for _, s, e in q]
            if kinds in ([dark, light, dark, light], [light, dark, light, dark]) and max(lens) - min(lens) <= 2 \
                    and all(q[j + 1][1] - q[j][2] <= 2 for j in range(3)):
                # 4 segments: 4 times the pitch of their starts (the separators are thin lines)
                return q[0][1], q[0][1] + round(4 * (q[3][1] - q[0][1]) / 3), row
    return None


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    why = "--why" in argv
    argv = [a for a in argv if a != "--why"]
    cmd, png = argv[1], argv[2]
    if cmd == "pixel":
        v = [float(a) for a in argv[4:]]
        if not v or len(v) % 2:
            raise SystemExit("pixel: LON LAT pairs expected")
        for x, y in project_many(argv[3], list(zip(v[0::2], v[1::2]))):
            print("%d %d" % to_pixel(png, x, y))
        return 0
    im = Image(png)
    if cmd == "size":
        print("%dx%d" % (im.w, im.h))
    elif cmd == "probe":
        x, y = project(argv[3], float(argv[4]), float(argv[5]))
        col, row = to_pixel(png, x, y)
        print(report(im, col, row, int(argv[6]) if len(argv) > 6 else 2, why))
    elif cmd == "at":
        print(report(im, int(argv[3]), int(argv[4]), int(argv[5]) if len(argv) > 5 else 2, why))
    elif cmd == "frame":
        print("%d %d %d %d" % frame(im))
    elif cmd == "legend":
        res = legend(im, argv[3:])
        print("none" if res is None else "%d %s" % (res[0], " ".join(
            "%s=%d-%d" % (c.lower(), s, e) for c, (s, e) in zip(argv[3:], res[1]))))
    elif cmd == "legendbox":
        res = legend(im, argv[3:])
        print("none" if res is None else "%d %d %d %d" % legend_box(im, *res))
    elif cmd == "scalebar":
        bar = scalebar(im)
        if bar is None:
            print("none")
            return 0
        x0, x1, _ = bar
        fx0, fy0, fx1, fy1 = frame(im)
        cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
        half = (x1 - x0) / 2
        ends = [project(argv[3], *to_map(png, cx + s * half, cy), inverse=True) for s in (-1, 1)]
        print("%d %.0f" % (x1 - x0, geod_m(ends[0][0], ends[0][1], ends[1][0], ends[1][1])))
    elif cmd == "margins":
        def blank_col(c):
            return all(im.get(c, r) == WHITE for r in range(im.h))

        def blank_row(r):
            return all(im.get(c, r) == WHITE for c in range(im.w))
        n = [0, 0, 0, 0]
        while n[0] < im.w and blank_col(n[0]):
            n[0] += 1
        while n[1] < im.w and blank_col(im.w - 1 - n[1]):
            n[1] += 1
        while n[2] < im.h and blank_row(n[2]):
            n[2] += 1
        while n[3] < im.h and blank_row(im.h - 1 - n[3]):
            n[3] += 1
        print("%d %d %d %d" % tuple(n))
    elif cmd == "runs":
        row = int(argv[3])
        allowed = {parse_col(c) for c in argv[4:]}
        best = cur = best_at = 0
        for c in range(im.w):
            if im.get(c, row) in allowed:
                cur += 1
                if cur > best:
                    best, best_at = cur, c - cur + 1
            else:
                cur = 0
        print("%d%s" % (best, " (from col %d)" % best_at if why else ""))
    elif cmd == "count":
        x0, y0, x1, y1 = (int(v) for v in argv[3:7])
        want = [parse_col(c) for c in argv[7:]]
        n = [0] * len(want)
        for r in range(max(0, y0), min(im.h, y1)):
            for c in range(max(0, x0), min(im.w, x1)):
                p = im.get(c, r)
                for i, wv in enumerate(want):
                    if p == wv:
                        n[i] += 1
        print(" ".join(str(v) for v in n))
    elif cmd == "compare":
        other = Image(argv[3])
        tol = int(argv[4])
        if (im.w, im.h) != (other.w, other.h):
            print("sizes differ: %dx%d vs %dx%d" % (im.w, im.h, other.w, other.h))
            return 0
        if im._pil is not None:
            from PIL import ImageChops
            bands = ImageChops.difference(im._pil, other._pil).split()
            worst = ImageChops.lighter(ImageChops.lighter(bands[0], bands[1]), bands[2])
            good = sum(worst.histogram()[:tol + 1])
        else:
            good = sum(1 for r in range(im.h) for c in range(im.w)
                       if max(abs(a - b) for a, b in zip(im.get(c, r), other.get(c, r))) <= tol)
        print("%dx%d %.4f" % (im.w, im.h, good / (im.w * im.h)))
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
