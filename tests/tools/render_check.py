#!/usr/bin/python3
"""Independent expectations for `footprint render` (tests/e2e/test_render.sh).

  render_check.py classes DB AGG [LEVEL FIELD K]
      The choropleth of doc/STYLE.md computed from the store with Python's sqlite3:
      no data = NULL / NaN / 0 (zero_is_nodata), quantile classes (type 1: the upper
      bound of class i is the value at position ceil(i*m/k) of the m sorted values,
      coinciding bounds merged), ColorBrewer's published YlOrRd colours for the number
      of classes made. Prints JSON: {"colour": {code: "#rrggbb"}, "palette": [...],
      "nodata": "#dddddd", "legend": ["4 - 9 (5)", ..., "(215)"], "classes": {code: i},
      "uppers": [upper bound of each class]}.
      The legend text of a class is "LO - HI (COUNT)" with LO and HI the smallest and
      largest value in the class ("V (COUNT)" when they are equal).

  render_check.py grid PNG PROJDEF DB CLASSES.json BACKGROUND [--world] [--step N]
      Samples the map frame on a grid of pixels (every N-th pixel, default 1/32 of
      the frame's width), finds each pixel's lon/lat with PROJ's `proj -I` (checked by
      projecting back: a pixel that does not come back lies outside the projection's
      domain, i.e. outside the world's outline), the country under it with SpatiaLite
      (ST_Contains on the store's `regions`, level country) and so the colour it must
      have: its country's class colour (or no-data colour), BACKGROUND for the sea,
      white (the page) outside the world's outline (--world maps).
      Pixels closer than 5 px to a border, a coast or the outline are skipped: a pixel
      is land when one country contains the whole square of +-5 px round it (in
      degrees), sea when no country touches it.
      A pixel showing another *map colour* (class, no-data, sea) than expected, or
      whose 3x3 neighbourhood is one flat colour other than the expected one and not
      nearly white (the legend's and scale bar's boxes, label halos), is a hard failure ("land drawn as sea", "sea drawn as land", wrong class
      colour); a pixel showing something else (label, halo, legend, graticule, scale
      bar) is tolerated up to 10 % of the checked pixels. The legend's box and the
      scale bar are left out. Prints "ok N checked, M covered" or the
      failures.

  render_check.py sameproj PROJDEF1 PROJDEF2 LON,LAT...
      "same" when both definitions project every point to within 1 cm (PROJ's `proj`).

  render_check.py points PNG PROJDEF DB STYLE.json DPI
      Each project point (SpatiaLite X(), Y() of the store) whose marker cannot be
      covered by a marker of another category shows its category's colour (the
      style's `points.colors`) within its marker's radius (`points.size` points at DPI).
      Prints "ok N points" or the failures.

  render_check.py framecounts PNG PROJDEF DB CLASSES.json
      What the legend of a regional map counts: the countries whose geometry (the
      store's lon/lat, SpatiaLite ST_Intersects) meets the map's frame. The frame is
      found in the PNG (png_probe.frame), its pixel box taken to map coordinates with
      the world file and to lon/lat with PROJ's `proj -I` (200 points an edge, so the
      lon/lat polygon follows the projected rectangle's curved preimage). Done twice,
      the frame shrunk and grown by 6 px: a country meeting only the grown frame lies
      on its edge and may or may not be counted. The classes are those of CLASSES.json
      (the world's, by code). Prints one line per legend entry, classes then no data:
      "LABEL|MIN|MAX" (LABEL as CLASSES.json's legend without its count; MIN the
      count in the shrunk frame, MAX in the grown one).
"""
import json
import math
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png_probe  # noqa: E402

# ColorBrewer 2.0 YlOrRd (colorbrewer2.org; Cynthia Brewer, Apache License 2.0)
YLORRD = {
    3: ["#ffeda0", "#feb24c", "#f03b20"],
    4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    8: ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    9: ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"],
}
NODATA = "#dddddd"


def fmt(v):
    return ("%d" % v) if float(v).is_integer() else ("%g" % v)


def classes(db, agg, level="country", field="projects", k=5):
    con = sqlite3.connect(db)
    rows = con.execute('SELECT code, "%s" FROM "agg_%s" WHERE level = ? AND code <> \'_unassigned\'' % (field, agg),
                       (level,)).fetchall()
    nodata = [c for c, v in rows if v is None or (isinstance(v, float) and not math.isfinite(v)) or v == 0]
    vals = sorted(v for c, v in rows if c not in set(nodata))
    m = len(vals)
    uppers = sorted(set(vals[math.ceil(i * m / k) - 1] for i in range(1, k + 1))) if m else []
    n = len(uppers)
    pal = YLORRD[n] if n >= 3 else [YLORRD[3][-1]] if n == 1 else [YLORRD[3][0], YLORRD[3][-1]] if n == 2 else []
    colour, cls = {}, {}
    for c, v in rows:
        if c in set(nodata):
            colour[c] = NODATA
            continue
        i = next(j for j, u in enumerate(uppers) if v <= u)
        colour[c], cls[c] = pal[i], i + 1
    legend = []
    for i in range(n):
        members = [v for c, v in rows if cls.get(c) == i + 1]
        lo, hi = min(members), max(members)
        legend.append("%s (%d)" % (fmt(lo) if lo == hi else "%s - %s" % (fmt(lo), fmt(hi)), len(members)))
    legend.append("(%d)" % len(nodata))
    return {"colour": colour, "classes": cls, "palette": pal, "nodata": NODATA, "legend": legend, "uppers": uppers}


def run_proj(args, pts):
    text = "".join("%.6f %.6f\n" % p for p in pts)
    out = subprocess.run(["proj", "-f", "%.9f"] + args, input=text, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    res = []
    for line in out:
        f = line.split()
        res.append(None if len(f) < 2 or f[0].startswith("*") else (float(f[0]), float(f[1])))
    return res


def grid(png, projdef, db, classes_json, background, world=False, step=None):
    im = png_probe.Image(png)
    a, e, c0, f0 = png_probe.world_file(png)
    fx0, fy0, fx1, fy1 = png_probe.frame(im)
    step = step or max(4, (fx1 - fx0) // 48)
    d = 5   # px: the margin around borders, coasts and the outline
    # a lattice sheared by the golden ratio: no row or column of samples runs along a
    # straight graticule line
    g = (math.sqrt(5) - 1) / 2
    cells = []
    for j, row in enumerate(range(fy0 + d, fy1 - d - step, step)):
        for i, col in enumerate(range(fx0 + d, fx1 - d - step, step)):
            cells.append((col + int(j * g * step) % step, row + int(i * g * step) % step))
    cfg = json.load(open(classes_json))
    leg = png_probe.legend(im, cfg["palette"][::-1] + [cfg["nodata"]])
    box = png_probe.legend_box(im, *leg) if leg else None
    # Also leave out the legend's documented corner (the frame's bottom-left
    # quarter width and third height): land of the palette's colours next to
    # the legend can make the swatch search find the wrong column.
    corner = (fx0, fy1 - (fy1 - fy0) // 3, fx0 + (fx1 - fx0) // 4, fy1)
    for b in [x for x in (box, corner) if x]:
        cells = [(c, r) for c, r in cells if not (b[0] - 2 <= c < b[2] + 2 and b[1] - 2 <= r < b[3] + 2)]
    bar = png_probe.scalebar(im)
    if bar:                               # the scale bar, its labels above it and its box
        seg = (bar[1] - bar[0]) / 4
        cells = [(c, r) for c, r in cells
                 if not (bar[0] - seg <= c < bar[1] + seg and bar[2] - 2.5 * seg <= r < bar[2] + seg)]
    offs = [(0, 0), (d, 0), (-d, 0), (0, d), (0, -d)]
    px = [(col + dx, row + dy) for col, row in cells for dx, dy in offs]
    xy = [(a * col + c0, e * row + f0) for col, row in px]
    pdef = projdef.split()
    ll = run_proj(["-I"] + pdef, xy)
    back = run_proj(pdef, [p if p else (0.0, 0.0) for p in ll])
    tol = abs(a) / 10

    def inside(i):
        return ll[i] is not None and back[i] is not None and \
            abs(back[i][0] - xy[i][0]) < tol and abs(back[i][1] - xy[i][1]) < tol

    colour = cfg["colour"]
    fills = set(cfg["palette"]) | {cfg["nodata"], background.lower()}
    # Each cell's square of +-margin degrees (the lon/lat span of +-d pixels round it):
    # land when one country contains the whole square, sea when no country touches it.
    # (Region by region over all squares, so SpatiaLite reuses its prepared geometry.)
    squares = {}
    for n in range(len(cells)):
        ins = [inside(5 * n + k) for k in range(5)]
        if any(ins) and not all(ins):
            continue                      # near the outline
        if not ins[0]:
            squares[n] = None             # outside the outline
            continue
        lon, lat = ll[5 * n]
        lon = (lon + 180) % 360 - 180
        margin = 0.0
        for k in range(1, 5):
            dlon = abs(ll[5 * n + k][0] - ll[5 * n][0]) % 360
            margin = max(margin, min(dlon, 360 - dlon), abs(ll[5 * n + k][1] - ll[5 * n][1]))
        if margin > 30 or abs(lon) + margin >= 180 or abs(lat) + margin >= 90:
            continue
        squares[n] = (lon - margin, lat - margin, lon + margin, lat + margin)
    con = sqlite3.connect(db)
    con.enable_load_extension(True)
    con.load_extension("mod_spatialite")
    con.execute("CREATE TEMP TABLE cells(i INTEGER PRIMARY KEY, sq BLOB)")
    con.executemany("INSERT INTO cells VALUES (?, BuildMbr(?, ?, ?, ?, 4326))",
                    [(n,) + sq for n, sq in squares.items() if sq])
    touched, within = {}, {}
    for n, code in con.execute("SELECT c.i, r.code FROM regions r CROSS JOIN cells c WHERE r.level = 'country' "
                               "AND MbrIntersects(r.geom, c.sq) AND ST_Intersects(r.geom, c.sq)"):
        touched.setdefault(n, set()).add(code)
    for n, code in con.execute("SELECT c.i, r.code FROM regions r CROSS JOIN cells c WHERE r.level = 'country' "
                               "AND MbrContains(r.geom, c.sq) AND ST_Contains(r.geom, c.sq)"):
        within[n] = code
    checked = covered = 0
    hard, soft = [], []
    kinds = {"land": 0, "sea": 0, "outside": 0}
    for n, (col, row) in enumerate(cells):
        if n not in squares:
            continue
        if squares[n] is None:
            if not world:
                continue                  # outside the domain on a regional map: not asked
            want = "#ffffff"
        elif n in within and touched.get(n) == {within[n]}:
            if within[n] not in colour:
                continue
            want = colour[within[n]]
        elif n not in touched:
            want = background.lower()
        else:
            continue                      # near a border or a coast
        ins = [squares[n] is not None]
        kinds["outside" if want == "#ffffff" else "sea" if want == background.lower() else "land"] += 1
        win = png_probe.window(im, col, row, 1)
        got, flat = win[0][0], len(win) == 1
        checked += 1
        where = "px %d,%d%s" % (col, row, " (lon %.2f lat %.2f)" % ll[5 * n] if ins[0] else " (outside the outline)")
        if got == want:
            continue
        covered += 1
        whitish = all(int(got[k:k + 2], 16) >= 245 for k in (1, 3, 5))   # boxes of the legend, scale bar; halos
        if got in fills or (flat and not whitish):
            kind = ("land drawn as sea" if got == background.lower() and want != "#ffffff"
                    else "sea drawn as land" if want == background.lower()
                    else "outside the outline drawn" if want == "#ffffff" else "wrong colour")
            hard.append("%s: %s, expected %s, got %s" % (kind, where, want, got))
        else:
            soft.append("%s: expected %s, got %s" % (where, want, got))
    if checked < 20:
        print("only %d pixels could be checked" % checked)
    elif hard:
        print("%d of %d checked pixels wrong: %s" % (len(hard), checked, "; ".join(hard[:6])))
    elif len(soft) > checked // 10:
        print("%d of %d checked pixels covered (> 10 %%): %s" % (len(soft), checked, "; ".join(soft[:6])))
    else:
        print("ok %d checked (%d land, %d sea, %d outside the outline), %d covered" % (
            checked, kinds["land"], kinds["sea"], kinds["outside"], covered))


def points(png, projdef, db, style_json, dpi):
    """Every project point whose marker no other category's marker can cover shows its
    category's colour (the style's explicit `colors`) within its marker's radius."""
    im = png_probe.Image(png)
    st = json.load(open(style_json))["points"]
    colours = {k: v.lower() for k, v in st["colors"].items()}
    size_px = st.get("size", 4) * dpi / 72.0
    con = sqlite3.connect(db)
    con.enable_load_extension(True)
    con.load_extension("mod_spatialite")
    rows = con.execute("SELECT id, category, X(geom), Y(geom) FROM projects "
                       "WHERE geom IS NOT NULL AND GeometryType(geom) = 'POINT'").fetchall()
    xy = run_proj(projdef.split(), [(x, y) for _, _, x, y in rows])
    pix = [png_probe.to_pixel(png, *p) for p in xy]
    checked, bad = 0, []
    for i, (pid, cat, lon, lat) in enumerate(rows):
        if cat not in colours:
            continue
        if any(rows[j][1] != cat and math.hypot(pix[j][0] - pix[i][0], pix[j][1] - pix[i][1]) < 2 * size_px + 2
               for j in range(len(rows)) if j != i):
            continue                      # another category's marker may lie on top
        r = max(1, int(size_px / 2) - 1)
        seen = {k for k, _ in png_probe.window(im, pix[i][0], pix[i][1], r)}
        checked += 1
        if colours[cat] not in seen:
            bad.append("project %s (%s at %.2f %.2f, px %d,%d): %s not within %d px" % (pid, cat, lon, lat, pix[i][0], pix[i][1], colours[cat], r))
    print("only %d points could be checked" % checked if checked < 10 else
          "%d of %d points wrong: %s" % (len(bad), checked, "; ".join(bad[:5])) if bad else "ok %d points" % checked)


def framecounts(png, projdef, db, classes_json):
    """Expected legend counts of a regional map (see the module's doc)."""
    im = png_probe.Image(png)
    a, e, c0, f0 = png_probe.world_file(png)
    fx0, fy0, fx1, fy1 = png_probe.frame(im)
    cfg = json.load(open(classes_json))
    con = sqlite3.connect(db)
    con.enable_load_extension(True)
    con.load_extension("mod_spatialite")

    def countries_meeting(grow):
        # the frame's pixel edges (a pixel's centre is at col, row: its edges +-0.5)
        x0, y0, x1, y1 = fx0 - 0.5 - grow, fy0 - 0.5 - grow, fx1 + 0.5 + grow, fy1 + 0.5 + grow
        n = 200
        ring = ([(x0 + (x1 - x0) * i / n, y0) for i in range(n)] + [(x1, y0 + (y1 - y0) * i / n) for i in range(n)] +
                [(x1 - (x1 - x0) * i / n, y1) for i in range(n)] + [(x0, y1 - (y1 - y0) * i / n) for i in range(n)])
        pts = [(a * col + c0, e * row + f0) for col, row in ring]
        ll = run_proj(["-I"] + projdef.split(), pts)
        if any(p is None for p in ll):
            raise SystemExit("framecounts: a frame corner is outside the projection's domain")
        wkt = "POLYGON((%s))" % ", ".join("%.9f %.9f" % p for p in ll + [ll[0]])
        rows = con.execute("SELECT code FROM regions WHERE level = 'country' AND geom IS NOT NULL "
                           "AND ST_Intersects(geom, GeomFromText(?, 4326))", (wkt,)).fetchall()
        return {r[0] for r in rows}

    labels = [entry.rsplit(" (", 1)[0] if entry.startswith("(") is False else "" for entry in cfg["legend"]]
    ncls = len(cfg["palette"])
    out = []
    inner, outer = countries_meeting(-6), countries_meeting(6)
    for k in range(ncls + 1):
        def count(codes):
            if k < ncls:
                return sum(1 for c in codes if cfg["classes"].get(c) == k + 1)
            return sum(1 for c in codes if c not in cfg["classes"])   # no data
        out.append("%s|%d|%d" % (labels[k], count(inner), count(outer)))
    print("\n".join(out))


def sameproj(def1, def2, pts):
    """Two PROJ definitions project the same lon/lat points to within 1 cm."""
    a = run_proj(def1.split(), pts)
    b = run_proj(def2.split(), pts)
    for (lon, lat), p, q in zip(pts, a, b):
        if p is None or q is None or abs(p[0] - q[0]) > 0.01 or abs(p[1] - q[1]) > 0.01:
            return "differ at %g %g: %s vs %s" % (lon, lat, p, q)
    return "same"


def main(argv):
    if len(argv) >= 4 and argv[1] == "classes":
        extra = argv[4:7]
        print(json.dumps(classes(argv[2], argv[3], *(extra[:2]), *(int(v) for v in extra[2:3]))))
    elif len(argv) >= 7 and argv[1] == "grid":
        world = "--world" in argv
        step = None
        if "--step" in argv:
            step = int(argv[argv.index("--step") + 1])
        grid(argv[2], argv[3], argv[4], argv[5], argv[6], world, step)
    elif len(argv) >= 6 and argv[1] == "framecounts":
        framecounts(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) >= 5 and argv[1] == "sameproj":
        print(sameproj(argv[2], argv[3], [tuple(float(v) for v in a.split(",")) for a in argv[4:]]))
    elif len(argv) >= 7 and argv[1] == "points":
        points(argv[2], argv[3], argv[4], argv[5], float(argv[6]))
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
