#!/usr/bin/python3
"""QGIS (PyQGIS, headless) reads footprint's exported styles as footprint draws its maps
(tests/e2e/test_qgis_styles.sh).

  qgis_style_check.py choropleth OUTDIR STYLE.json
      OUTDIR is the output of `footprint run`. Loads the choropleth layers (the GPKG's
      country_by_category and country_by_category_centroids, style from its layer_styles
      table; country_by_category*.geojson, style from the sidecar .qml) the way QGIS
      does, and checks them against expectations computed here, independently:
      classes from the style file's rules (quantile type 1 over the store's values read
      with sqlite3, NULL and 0 = no data when zero_is_nodata, coinciding bounds merged),
      ColorBrewer's published YlOrRd colours, the legend text footprint's report maps
      print ("1", "2", "4 – 9": a class of whole numbers starts at the smallest whole
      number above the previous bound; "none" for the no-data class when 0 is no data).
      Asserts the renderer type, the number of classes, the labels, the colours, that
      QGIS's filters put every region in its class (evaluated by QGIS for every
      feature), then renders each layer with QgsMapRendererParallelJob (EPSG:4326,
      whole world, 1440x720 px, 96 dpi) and probes pixels: every region big enough
      (pole of inaccessibility 1 deg from its edge) has its class colour or the
      no-data grey. Centroids: the data-defined size equals
      max(size/2, 4*size*sqrt(v/vmax)) points for every feature, and the rendered
      markers of the largest and a one-project region measure that many pixels.

  qgis_style_check.py points OUTDIR [N|-] [STYLE.json]
      The projects layers (GPKG `projects`, projects/*.geojson with .qml): categorized,
      one category per distinct value of the store's `category` (sqlite3), sorted,
      coloured with ColorBrewer's published Set2 in that order (the default style has
      no explicit colours) or, with STYLE.json, with that style's explicit colours,
      no two alike, the same colour in every file; rendered points of two categories
      show their own colours. With N: the GPKG must have N categories with N distinct
      colours (a dataset with more categories than Set2).

  qgis_style_check.py kinds STYLE.json NAME=SOURCE...
      Lines and areas drawn with their own symbols. Each SOURCE is opened as QGIS opens
      it, its stored style applied by QGIS itself: an OGR URI (`F.gpkg|layername=projects|
      geometrytype=LineString`: the GPKG's layer_styles; `F.geojson`: the sidecar .qml)
      or `qgz:F.qgz#LAYER NAME` (a layer of the project). Asserts that QGIS picks for every
      feature a symbol of its geometry's kind (marker, line, fill: a marker on a line draws
      nothing) and, rendering the layer alone (QgsMapRendererParallelJob, zoomed to its
      features, 400x400 px at 192 dpi on white), that each category of its lines and areas
      shows its colour of STYLE.json's points.colors: lines in that colour, areas filled
      in it at 35 % over white (the web map's fill-opacity) and outlined in it.

Prints one line per check ("ok ..." or "FAIL ..."); exit status 1 if any failed.
"""
import json
import math
import os
import sqlite3
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsExpression,  # noqa: E402
                       QgsExpressionContext, QgsExpressionContextUtils, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsRectangle, QgsRenderContext, QgsSymbolLayer, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from render_check import YLORRD  # noqa: E402  ColorBrewer's published YlOrRd

# ColorBrewer 2.0 Set2, 8 classes (colorbrewer2.org; Cynthia Brewer, Apache License 2.0)
SET2 = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"]

W, H, DPI = 1440, 720, 96          # 4 px per degree
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def layer(uri, name):
    lyr = QgsVectorLayer(uri, name, "ogr")
    check(lyr.isValid(), "%s loads" % name)
    return lyr


def render(lyr):
    ms = QgsMapSettings()
    ms.setLayers([lyr])
    ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    ms.setExtent(QgsRectangle(-180, -90, 180, 90))
    ms.setOutputSize(QSize(W, H))
    ms.setOutputDpi(DPI)
    ms.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    return img, ms


def pixel(img, ms, x, y):
    p = ms.mapToPixel().transform(x, y)
    c = QColor(img.pixel(int(p.x()), int(p.y())))
    return c.name(), int(p.x()), int(p.y())


def fmt(v):
    return "%d" % v if float(v).is_integer() else "%.3g" % v


def expected_classes(db, style):
    """The style's classification computed from its rules (doc/STYLE.md)."""
    ch = style["choropleth"]
    assert ch["method"] == "quantile" and ch["scheme"] == "YlOrRd", "this checker knows quantile/YlOrRd"
    k, field, zero = ch["classes"], ch["field"], ch.get("zero_is_nodata", True)
    con = sqlite3.connect(db)
    rows = con.execute('SELECT code, "%s" FROM "agg_%s" WHERE level = ? AND geom IS NOT NULL'
                       % (field, ch["aggregation"]), (ch["level"],)).fetchall()
    nodata = lambda v: v is None or (zero and v == 0)  # noqa: E731
    vals = sorted(v for _, v in rows if not nodata(v))
    m = len(vals)
    uppers = []
    for i in range(1, k):
        x = vals[math.ceil(i * m / k) - 1]
        if (not uppers or x > uppers[-1]) and x < vals[-1]:
            uppers.append(x)
    uppers.append(vals[-1])
    n = len(uppers)
    pal = YLORRD[n] if n >= 3 else [YLORRD[3][-1]] if n == 1 else [YLORRD[3][0], YLORRD[3][-1]]
    integral = all(float(v).is_integer() for v in [vals[0]] + uppers)
    labels = []
    for i in range(n):
        lo = vals[0] if i == 0 else uppers[i - 1] + (1 if integral else 0)
        hi = uppers[i]
        labels.append(fmt(lo) if fmt(lo) == fmt(hi) else "%s \u2013 %s" % (fmt(lo), fmt(hi)))
    cls = {}
    for code, v in rows:
        cls[code] = -1 if nodata(v) else next(i for i, u in enumerate(uppers) if v <= u)
    values = dict(rows)
    # legend order, as footprint's report maps print it: highest class first, no data last
    legend = labels[::-1] + ["none" if zero else "no data"]
    colours = pal[::-1] + [ch.get("nodata", "#dddddd")]
    return {"n": n, "legend": legend, "colours": colours, "pal": pal, "nodata": ch.get("nodata", "#dddddd"),
            "cls": cls, "values": values, "field": field, "vmax": vals[-1], "names": dict(
                con.execute('SELECT code, name FROM "agg_%s" WHERE level = ?' % ch["aggregation"], (ch["level"],)))}


def rule_of(lyr, rules, feat):
    ctx = QgsExpressionContext()
    ctx.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
    ctx.setFeature(feat)
    hits = []
    for i, r in enumerate(rules):
        e = QgsExpression(r.filterExpression())
        if e.evaluate(ctx):
            hits.append(i)
    return hits


def choropleth(outdir, style_path):
    style = json.load(open(style_path))
    exp = expected_classes(os.path.join(outdir, "footprint.sqlite"), style)
    size = style.get("points", {}).get("size", 4)
    field = exp["field"]
    print("expected: %d classes, legend %s, colours %s" % (exp["n"], exp["legend"], exp["colours"]))
    gpkg = os.path.join(outdir, "footprint.gpkg")
    sources = [(gpkg + "|layername=country_by_category", "gpkg country_by_category", False),
               (os.path.join(outdir, "country_by_category.geojson"), "geojson country_by_category", False),
               (gpkg + "|layername=country_by_category_centroids", "gpkg centroids", True),
               (os.path.join(outdir, "country_by_category_centroids.geojson"), "geojson centroids", True)]
    for uri, name, centroids in sources:
        lyr = layer(uri, name)
        r = lyr.renderer()
        check(r is not None and r.type() == "RuleRenderer", "%s: rule-based renderer (got %s)"
              % (name, r.type() if r else None))
        if not r or r.type() != "RuleRenderer":
            continue
        rules = r.rootRule().children()
        labels = [x.label() for x in rules]
        colours = [x.symbol().color().name() for x in rules]
        check(len(rules) == exp["n"] + 1, "%s: %d classes + no data (got %d rules)" % (name, exp["n"], len(rules)))
        check(labels == exp["legend"], "%s: labels %s (expected %s)" % (name, labels, exp["legend"]))
        check(colours == exp["colours"], "%s: colours %s (expected %s)" % (name, colours, exp["colours"]))
        # QGIS's own evaluation of the filters: every feature in exactly its class
        wrong = []
        nfeat = 0
        for f in lyr.getFeatures():
            nfeat += 1
            code = f["code"]
            want = exp["cls"][code]
            want_rule = exp["n"] if want < 0 else exp["n"] - 1 - want
            hits = rule_of(lyr, rules, f)
            if hits != [want_rule]:
                wrong.append("%s=%s rules %s, expected [%d]" % (code, f[field], hits, want_rule))
        check(not wrong and nfeat == len(exp["cls"]), "%s: QGIS puts each of %d features in its class%s"
              % (name, nfeat, ("; " + "; ".join(wrong[:5])) if wrong else ""))
        img, ms = render(lyr)
        if not centroids:
            probed, bad, shown = 0, [], {}
            for f in lyr.getFeatures():
                g = f.geometry()
                pole, dist = g.poleOfInaccessibility(0.05)
                if dist < 1.0:          # under 4 px from the edge: borders, antialiasing
                    continue
                pt = pole.asPoint()
                got, px, py = pixel(img, ms, pt.x(), pt.y())
                want = exp["cls"][f["code"]]
                colour = exp["nodata"] if want < 0 else exp["pal"][want]
                probed += 1
                shown[f["code"]] = got
                if got != colour:
                    bad.append("%s at %d,%d: %s, expected %s" % (f["code"], px, py, got, colour))
            check(not bad and probed > 100, "%s: rendered, %d regions probed, each its class colour or no-data "
                  "grey%s" % (name, probed, ("; " + "; ".join(bad[:5])) if bad else ""))
            for code in ("KEN", "ZWE", "MNG", "CAN"):
                want = exp["cls"].get(code)
                colour = exp["nodata"] if want is None or want < 0 else exp["pal"][want]
                check(shown.get(code) == colour, "%s: %s (%s, %s) drawn %s, expected %s" % (
                    name, exp["names"].get(code), code, exp["values"].get(code), shown.get(code), colour))
            continue
        # proportional symbols: QGIS's data-defined size against the rule
        bad = []
        for f in lyr.getFeatures():
            v = f[field]
            want_pt = size * 0.5 if not v or v <= 0 else max(size * 0.5, size * 4 * math.sqrt(v / exp["vmax"]))
            hits = rule_of(lyr, rules, f)
            sym = rules[hits[0]].symbol() if hits else None
            prop = sym.symbolLayer(0).dataDefinedProperties().property(QgsSymbolLayer.PropertySize) if sym else None
            ctx = QgsExpressionContext()
            ctx.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
            ctx.setFeature(f)
            got_pt = prop.valueAsDouble(ctx, -1)[0] if prop and prop.isActive() else sym.size() if sym else -1
            if abs(got_pt - want_pt) > 1e-9:
                bad.append("%s=%s size %s, expected %s" % (f["code"], v, got_pt, want_pt))
        check(not bad, "%s: every marker sized max(%g, %g*sqrt(v/%s)) pt%s" % (
            name, size / 2, size * 4, fmt(exp["vmax"]), ("; " + "; ".join(bad[:5])) if bad else ""))
        # measured on the rendered image: the widest run of marker pixels through the centre
        feats = {f["code"]: f for f in lyr.getFeatures()}
        top = max((c for c in exp["cls"] if exp["values"][c] == exp["vmax"]))
        ones = [c for c in ("AUS", "MEX", "IND") if exp["values"].get(c) == 1]
        for code in [top] + ones[:1]:
            pt = feats[code].geometry().asPoint()
            got, px, py = pixel(img, ms, pt.x(), pt.y())
            want = exp["pal"][exp["cls"][code]]
            x0 = px
            while x0 > 0 and QColor(img.pixel(x0 - 1, py)).name() != "#ffffff":
                x0 -= 1
            x1 = px
            while x1 < W - 1 and QColor(img.pixel(x1 + 1, py)).name() != "#ffffff":
                x1 += 1
            v = exp["values"][code]
            want_px = max(size * 0.5, size * 4 * math.sqrt(v / exp["vmax"])) * DPI / 72
            check(got == want and abs((x1 - x0 + 1) - want_px) <= 2.5,
                  "%s: %s (%s projects) drawn %s (expected %s), %d px wide (expected %.1f +- 2.5)"
                  % (name, code, fmt(v), got, want, x1 - x0 + 1, want_px))


def points(outdir, n_expected=None, style_json=None):
    db = os.path.join(outdir, "footprint.sqlite")
    con = sqlite3.connect(db)
    cats = sorted(r[0] for r in con.execute("SELECT DISTINCT coalesce(category, '') FROM projects "
                                            "WHERE geom IS NOT NULL"))
    gpkg = layer(os.path.join(outdir, "footprint.gpkg") + "|layername=projects", "gpkg projects")
    r = gpkg.renderer()
    check(r is not None and r.type() == "categorizedSymbol", "gpkg projects: categorized renderer (got %s)"
          % (r.type() if r else None))
    if not r or r.type() != "categorizedSymbol":
        return
    got = {c.value(): c.symbol().color().name() for c in r.categories()}
    check(sorted(got) == cats, "gpkg projects: categories %s (expected %s)" % (sorted(got), cats))
    check(len(set(got.values())) == len(got), "gpkg projects: %d categories, %d distinct colours"
          % (len(got), len(set(got.values()))))
    if n_expected is not None:
        check(len(got) == n_expected, "gpkg projects: %d categories (expected %d)" % (len(got), n_expected))
    if style_json:
        # the style's explicit colours (footprint run exports its projects
        # with category-points.json, the style of categories.png)
        explicit = json.load(open(style_json))["points"]["colors"]
        want = {c: explicit[c] for c in cats if c in explicit}
        what = "the colours of %s" % os.path.basename(style_json)
    else:
        want = {c: SET2[i] for i, c in enumerate(cats[:8])}
        what = "Set2 in category order"
    check(all(got.get(c) == w for c, w in want.items()), "gpkg projects: %s: %s"
          % (what, ", ".join("%s %s" % (c, got.get(c)) for c in cats)))
    if n_expected is not None:
        return
    # every split GeoJSON: its category in the same colour
    pdir = os.path.join(outdir, "projects")
    bad = []
    for fn in sorted(os.listdir(pdir)):
        if not fn.endswith(".geojson"):
            continue
        lyr = QgsVectorLayer(os.path.join(pdir, fn), fn, "ogr")
        rr = lyr.renderer()
        if not lyr.isValid() or not rr or rr.type() != "categorizedSymbol":
            bad.append("%s: %s" % (fn, rr.type() if rr else "invalid"))
            continue
        for c in rr.categories():
            if got.get(c.value()) != c.symbol().color().name():
                bad.append("%s: %s %s" % (fn, c.value(), c.symbol().color().name()))
    check(not bad, "projects/*.geojson: each category in its GPKG colour%s" % (("; " + "; ".join(bad)) if bad else ""))
    # rendered: isolated points (no other point within 3 degrees) show their category's colour
    img, ms = render(gpkg)
    feats = [(f["category"], f.geometry().asPoint()) for f in gpkg.getFeatures()
             if f.geometry().type() == 0 and not f.geometry().isMultipart()]
    seen = {}
    for cat, p in feats:
        if cat in seen:
            continue
        if any(q is not p and abs(q.x() - p.x()) < 3 and abs(q.y() - p.y()) < 3 for _, q in feats):
            continue
        seen[cat] = pixel(img, ms, p.x(), p.y())
    check(len(seen) >= 2, "gpkg projects rendered: isolated points of %d categories probed" % len(seen))
    bad = ["%s at %d,%d: %s, expected %s" % (c, x, y, col, got[c]) for c, (col, x, y) in seen.items() if col != got[c]]
    check(not bad and len({v[0] for v in seen.values()}) == len(seen),
          "gpkg projects rendered: %s%s" % (", ".join("%s %s" % (c, v[0]) for c, v in sorted(seen.items())),
                                            ("; " + "; ".join(bad)) if bad else ""))


def kinds(style_json, specs):
    from qgis.core import QgsProject, QgsWkbTypes
    colors = json.load(open(style_json))["points"]["colors"]
    sym_names = {0: "marker", 1: "line", 2: "fill"}
    project = None
    for spec in specs:
        name, src = spec.split("=", 1)
        if src.startswith("qgz:"):
            path, lname = src[4:].split("#", 1)
            if project is None:
                project = QgsProject.instance()
                check(project.read(path), "%s: QGIS reads %s" % (name, path))
            found = project.mapLayersByName(lname)
            check(len(found) == 1, "%s: the project has one layer '%s'" % (name, lname))
            if len(found) != 1:
                continue
            lyr = found[0]
        else:
            lyr = layer(src, name)
        if not lyr.isValid() or not lyr.renderer():
            continue
        # the symbols QGIS picks for each feature, and their kind
        ctx = QgsRenderContext()
        ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
        r = lyr.renderer().clone()
        r.startRender(ctx, lyr.fields())
        bad, counts, cats = [], {}, {}
        ext = None                      # of the features (a sublayer's extent is its table's)
        for f in lyr.getFeatures():
            b = f.geometry().boundingBox()
            if ext is None:
                ext = QgsRectangle(b)
            else:
                ext.combineExtentWith(b)
            ctx.expressionContext().setFeature(f)
            gt = f.geometry().type()
            syms = r.symbolsForFeature(f, ctx)
            kinds_got = sorted({sym_names.get(int(s.type()), "?") for s in syms})
            counts[gt] = counts.get(gt, 0) + 1
            cats.setdefault(gt, set()).add(f["category"])
            if kinds_got != [sym_names[gt]]:
                bad.append("%s (%s) gets %s" % (f["name"], QgsWkbTypes.geometryDisplayString(gt), kinds_got or "no symbol"))
        r.stopRender(ctx)
        what = ", ".join("%d %s" % (n, QgsWkbTypes.geometryDisplayString(g).lower()) for g, n in sorted(counts.items()))
        check(counts and not bad, "%s: %s, each with a symbol of its kind (%s renderer)%s"
              % (name, what or "no feature", lyr.renderer().type(), ("; " + "; ".join(bad)) if bad else ""))
        if ext is None:
            continue
        # rendered alone, zoomed to its features, at 192 dpi (a 1 pt line 2.7 px wide:
        # pixels of its very colour inside the antialiased edges)
        pad = max(ext.width(), ext.height()) * 0.2 + 0.2
        ms = QgsMapSettings()
        ms.setLayers([lyr])
        ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
        ms.setExtent(QgsRectangle(ext.xMinimum() - pad, ext.yMinimum() - pad, ext.xMaximum() + pad, ext.yMaximum() + pad))
        ms.setOutputSize(QSize(400, 400))
        ms.setOutputDpi(192)
        ms.setBackgroundColor(QColor(255, 255, 255))
        job = QgsMapRendererParallelJob(ms)
        job.start()
        job.waitForFinished()
        img = job.renderedImage()
        hist = {}
        for y in range(img.height()):
            for x in range(img.width()):
                hist[img.pixel(x, y) & 0xffffff] = hist.get(img.pixel(x, y) & 0xffffff, 0) + 1

        def near(rgb, tol=6):
            return sum(n for px, n in hist.items()
                       if all(abs(((px >> sh) & 255) - c) <= tol for sh, c in zip((16, 8, 0), rgb)))
        nonwhite = sum(n for px, n in hist.items() if px != 0xffffff)
        found = []
        for gt, cs in sorted(cats.items()):
            if gt == 0:
                continue                # markers: the points checks probe them
            for c in sorted(cs):
                rgb = tuple(int(colors[c][i:i + 2], 16) for i in (1, 3, 5))
                n = near(rgb)
                if gt == 2:
                    fill = tuple(round(v * 0.35 + 255 * 0.65) for v in rgb)
                    nf = near(fill, 4)
                    found.append((n > 0 and nf > 100, "%s filled %s: %d px, outlined %s: %d px"
                                  % (c, "#%02x%02x%02x" % fill, nf, colors[c], n)))
                else:
                    found.append((n > 20, "%s %s: %d px" % (c, colors[c], n)))
        check(nonwhite > 0 and all(ok for ok, _ in found), "%s rendered: %d non-white px; %s"
              % (name, nonwhite, "; ".join(t for _, t in found) or "markers"))


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    if sys.argv[1] == "choropleth":
        choropleth(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "points":
        n = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "-" else None
        points(sys.argv[2], n, sys.argv[4] if len(sys.argv) > 4 else None)
    elif sys.argv[1] == "kinds":
        kinds(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("usage: qgis_style_check.py choropleth OUTDIR STYLE.json | points OUTDIR [N] | kinds STYLE.json NAME=SOURCE...")
    app.exitQgis()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
