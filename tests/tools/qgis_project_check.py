#!/usr/bin/python3
"""The QGIS project `footprint run` writes (output/footprint.qgz), opened by QGIS itself
(PyQGIS headless, one process for every check: QGIS starts slowly).
tests/e2e/test_qgis_project.sh.

  qgis_project_check.py DIR STORE WORK
      DIR is an output folder that was moved after `footprint run` (footprint.qgz,
      footprint.gpkg, footprint's own world.png/africa.png and .pgw); STORE the
      store (read with sqlite3 for the expected values); WORK a folder for the
      exported pages.

Checks, each printed as "ok ..." or "FAIL ...":
  * the project reads, every layer is valid and its file is inside DIR (relative
    paths survived the move), feature counts equal the store's (sqlite3);
  * project CRS Equal Earth (EPSG:8857); the africa layout's map in Equal Earth
    centred on the style's box (PROJ string);
  * layouts world, africa, categories and atlas exist; each exports to PDF and PNG
    (150 dpi, render's) with QgsLayoutExporter; the atlas has one page per country
    with projects (sqlite3 count) and its first page exports;
  * pixels: the map frame (the box of the sea colour #eaf2f8) in QGIS's page and in
    footprint's render of the same style, edge by edge (at most FRAME_PX pixels
    apart; the distances are printed); the top-valued country's point on surface
    (projected by QGIS from lon/lat, placed with render's world file) is drawn in
    ColorBrewer's YlOrRd colour of the top class (published hex values, n = the
    number of classes QGIS reads) in both images, and Mongolia (0 projects) in the
    no-data grey #dddddd in both;
  * the text of the exported PDFs (pdftotext): title, the legend's class labels
    and the no-data count from sqlite3 (render's africa.pdf: a count below it,
    its legend counting the regions in its frame);
  * every layout's map item, as QGIS loaded it, has the size the .qgs declares
    (within MAP_SIZE_MM; QGIS reshapes a map item to its <Extent>'s aspect) and
    lies on the page;
  * atlas pages of the countries in ATLAS_CODES: the map's CRS is LAEA centred
    within CENTRE_DEG of the region's centre computed here from its vertices in
    the store (read by OGR): the middle of the shortest arc of longitudes holding
    every vertex (so Russia and the USA, across the antimeridian, get about 105 E
    and 127 W), and the middle of its latitudes; the page, exported, has the
    country's fill colour on at least MIN_SHARE of its map frame's pixels.
Exit status 1 if any check failed.
"""
import math
import os
import re
import zipfile
from xml.etree import ElementTree
import sqlite3
import subprocess
import sys

from qgis.core import (QgsApplication, QgsExpression, QgsExpressionContext, QgsExpressionContextUtils, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsLayoutExporter,
                       QgsLayoutItemMap, QgsPointXY, QgsProject, QgsGeometry, QgsFeatureRequest, QgsVectorLayer)
from qgis.PyQt.QtGui import QImage, QColor

FRAME_PX = 3
MAP_SIZE_MM = 0.5        # a map item's loaded size against the declared one
ATLAS_CODES = ("KEN", "RUS", "USA")   # RUS and the USA cross the antimeridian
CENTRE_DEG = 3.0         # an atlas page's lon_0/lat_0 against the region's centre
MIN_SHARE = 0.10         # the country's colour on an atlas page's map frame (measured: KEN 0.39, RUS 0.35, USA 0.15)
ATLAS_DPI = 72
YLORRD = {3: ["#ffeda0", "#feb24c", "#f03b20"],
          4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
          5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
          6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
          7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
          8: ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
          9: ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"]}
failed = 0


def check(ok, what):
    global failed
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failed += 1


def rgb_hex(img, x, y):
    c = QColor(img.pixel(int(x), int(y)))
    return "#%02x%02x%02x" % (c.red(), c.green(), c.blue())


def close(a, b, tol=3):
    return all(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) <= tol for i in (1, 3, 5))


def sea_box(img, colour="#eaf2f8"):
    """The box of pixels of the sea colour: the map frame (the world's outline
    touches the frame on all four sides; a regional map's sea fills it)."""
    w, h = img.width(), img.height()
    target = QColor(colour).rgb() & 0xffffff
    xs, ys = [], []
    for y in range(0, h, 1):
        for x in range(0, w, 2):
            p = img.pixel(x, y) & 0xffffff
            if abs(((p >> 16) & 255) - ((target >> 16) & 255)) <= 2 and abs(((p >> 8) & 255) - ((target >> 8) & 255)) <= 2 \
                    and abs((p & 255) - (target & 255)) <= 2:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def declared_map_sizes(qgz):
    """{layout: [(w, h) in mm of each map item]} as the .qgs inside the .qgz declares them."""
    z = zipfile.ZipFile(qgz)
    root = ElementTree.fromstring(z.read([n for n in z.namelist() if n.endswith(".qgs")][0]))
    out = {}
    for lay in root.iter("Layout"):
        for it in lay.findall("LayoutItem"):
            if it.get("type") == "65639":
                w, h, unit = it.get("size").split(",")
                out.setdefault(lay.get("name"), []).append((float(w), float(h)))
    return out


def region_centre(store, code):
    """The centre of a region, from its vertices in the store (OGR): the middle of
    the shortest arc of longitudes that holds every vertex (the complement of the
    widest gap between them, so a region across the antimeridian is centred on
    its own side of the globe), and the middle of its latitudes."""
    l = QgsVectorLayer(store + "|layername=regions", "regions", "ogr")
    l.setSubsetString("level = 'country' AND code = '%s'" % code)
    xs, ys = set(), []
    for f in l.getFeatures():
        for v in f.geometry().vertices():
            xs.add(round(v.x(), 7))
            ys.append(v.y())
    if not xs:
        return None
    xs = sorted(xs)
    gaps = [((xs[(i + 1) % len(xs)] - xs[i]) % 360 or (360 if len(xs) == 1 else 0)) for i in range(len(xs))]
    i = max(range(len(xs)), key=lambda k: gaps[k])
    west, east = xs[(i + 1) % len(xs)], xs[i]
    lon = (west + ((east - west) % 360) / 2 + 180) % 360 - 180
    return lon, (min(ys) + max(ys)) / 2


def proj_param(proj, name):
    m = re.search(r"\+%s=(-?[0-9.eE+-]+)" % name, proj)
    return float(m.group(1)) if m else None


def lon_diff(a, b):
    return abs((a - b + 180) % 360 - 180)


def read_pgw(path):
    v = [float(s) for s in open(path).read().split()]
    return v[0], v[3], v[4], v[5]     # px size x, px size y (negative), centre of the upper-left pixel


def main():
    d, store, work = sys.argv[1], sys.argv[2], sys.argv[3]
    db = sqlite3.connect(store)
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    p = QgsProject.instance()
    check(p.read(os.path.join(d, "footprint.qgz")), "the project reads")
    layers = {l.id(): l for l in p.mapLayers().values()}
    bad = [l.name() for l in layers.values() if not l.isValid()]
    check(len(layers) >= 8 and not bad, "%d layers, none missing or broken%s" % (len(layers), (": " + ", ".join(bad)) if bad else ""))
    real = os.path.realpath(d)
    outside = [l.source() for l in layers.values() if not os.path.realpath(l.source().split("|")[0]).startswith(real + "/")]
    check(not outside, "every layer's file is inside the moved folder %s" % (outside[:2] if outside else ""))
    expect = {"footprint_countries": db.execute("SELECT count(*) FROM regions WHERE level='country' AND geom IS NOT NULL").fetchone()[0],
              "footprint_admin1": db.execute("SELECT count(*) FROM regions WHERE level='admin1' AND geom IS NOT NULL").fetchone()[0],
              "footprint_projects": db.execute("SELECT count(*) FROM projects WHERE geom IS NOT NULL").fetchone()[0],
              "footprint_country_by_category": db.execute(
                  "SELECT count(*) FROM agg_country_by_category WHERE level='country' AND geom IS NOT NULL").fetchone()[0]}
    for lid, n in expect.items():
        got = layers[lid].featureCount() if lid in layers else None
        check(got == n, "%s: %s features (store: %d)" % (lid, got, n))
    order = [n.layerId() for n in p.layerTreeRoot().findLayers()]
    check(order.index("footprint_projects") < order.index("footprint_country_by_category") < order.index("footprint_countries"),
          "layer order: projects above the choropleth above the countries")
    check(p.crs().authid() == "EPSG:8857", "project CRS %s (Equal Earth)" % p.crs().authid())

    choro = layers["footprint_country_by_category"]
    rules = choro.renderer().rootRule().children()
    nclass = len(rules) - 1
    check(nclass in YLORRD, "choropleth: %d classes and a no-data rule" % nclass)
    top = YLORRD.get(nclass, ["#000000"])[-1]
    # Feature counts for the legends (QGIS counts in a background task).
    for l in layers.values():
        if l.type() == 0:
            l.countSymbolFeatures()
    for _ in range(600):
        app.processEvents()
        if choro.featureCount("fp_nodata") >= 0:
            break
    nodata = db.execute("SELECT count(*) FROM agg_country_by_category WHERE level='country' AND geom IS NOT NULL "
                        "AND (projects IS NULL OR projects = 0)").fetchone()[0]
    check(choro.featureCount("fp_nodata") == nodata, "legend count of the no-data class %s (sqlite3: %d)" %
          (choro.featureCount("fp_nodata"), nodata))

    # Labels: the countries render labels, the style's labels.max (20) of highest value
    # (ties at the 20th value included), as QGIS evaluates the label rule's filter.
    # Expected from sqlite3 alone. (QGIS's "only draw labels for N features" labelled
    # the first 20 codes: Austria and Malta, not Zimbabwe.)
    lab = choro.labeling()
    got = set()
    if lab and choro.labelsEnabled():
        for r in lab.rootRule().children():
            e = QgsExpression(r.filterExpression())
            ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(choro))
            for f in choro.getFeatures():
                ctx.setFeature(f)
                if e.evaluate(ctx):
                    got.add(f["code"])
    vals = [v for (v,) in db.execute("SELECT projects FROM agg_country_by_category WHERE level='country' "
                                     "AND geom IS NOT NULL AND projects > 0 ORDER BY projects DESC")]
    nth = vals[19] if len(vals) >= 20 else 0
    want = {c for (c,) in db.execute("SELECT code FROM agg_country_by_category WHERE level='country' "
                                      "AND geom IS NOT NULL AND projects > 0 AND projects >= ?", (nth,))}
    check(got == want and len(want) >= 20, "labels: the %d countries of highest value (QGIS's filter: %d, missing %s, extra %s)" %
          (len(want), len(got), sorted(want - got)[:3], sorted(got - want)[:3]))

    lm = p.layoutManager()
    names = sorted(l.name() for l in lm.printLayouts())
    check(names == ["africa", "atlas", "categories", "world"], "layouts %s" % names)
    topcode, topname = db.execute("SELECT code, name FROM agg_country_by_category WHERE level='country' AND geom IS NOT NULL "
                                  "ORDER BY projects DESC, code LIMIT 1").fetchone()
    wgs = QgsCoordinateReferenceSystem("EPSG:4326")
    for name in ("world", "africa", "categories"):
        lay = lm.layoutByName(name)
        ex = QgsLayoutExporter(lay)
        pdf = os.path.join(work, name + ".pdf")
        png = os.path.join(work, name + ".png")
        s = QgsLayoutExporter.ImageExportSettings()
        s.dpi = 150
        r1 = ex.exportToPdf(pdf, QgsLayoutExporter.PdfExportSettings())
        r2 = ex.exportToImage(png, s)
        check(r1 == 0 and r2 == 0 and os.path.getsize(pdf) > 1000, "layout %s exports to PDF and PNG" % name)
        m = lay.itemById("map")
        if name == "africa":
            check("+proj=eqearth" in m.crs().toProj() and "+lon_0=17.5" in m.crs().toProj(),
                  "africa map CRS %s" % m.crs().toProj())
        if name == "categories":
            continue
        q = QImage(png)
        r = QImage(os.path.join(d, name + ".png"))
        # 297 mm at 150 dpi is 1753.9 px: QGIS truncates, render rounds.
        check(abs(q.width() - r.width()) <= 1 and abs(q.height() - r.height()) <= 1, "%s page %dx%d px, render's %dx%d" %
              (name, q.width(), q.height(), r.width(), r.height()))
        bq, br = sea_box(q), sea_box(r)
        if bq and br:
            diff = max(abs(a - b) for a, b in zip(bq, br))
            check(diff <= FRAME_PX, "%s map frame in QGIS %s, in render %s: edges at most %d px apart (limit %d)" %
                  (name, bq, br, diff, FRAME_PX))
        else:
            check(False, "%s: no sea colour found (QGIS %s, render %s)" % (name, bq, br))
        # Probe points: placed with render's world file (its map CRS).
        pxs, pys, ulx, uly = read_pgw(os.path.join(d, name + ".pgw"))
        tr = QgsCoordinateTransform(wgs, m.crs(), p)
        probes = []
        f = next(choro.getFeatures(QgsFeatureRequest().setFilterExpression("\"code\" = '%s'" % topcode)))
        pole, radius = f.geometry().poleOfInaccessibility(0.01)
        # Below the pole, where both put the label.
        pt = QgsPointXY(pole.asPoint().x(), pole.asPoint().y() - radius * 0.6)
        probes.append(("%s (%s, top class)" % (topname, topcode), pt, top))
        probes.append(("Mongolia (MNG, 0 projects)", QgsPointXY(103.0, 46.8), "#dddddd"))
        for label, ll, want in probes:
            xy = tr.transform(ll)
            px, py = (xy.x() - ulx) / pxs + 0.5, (xy.y() - uly) / pys + 0.5
            if not (0 <= px < r.width() and 0 <= py < r.height()) or name == "africa" and label.startswith("Mongolia"):
                continue
            cq, cr = rgb_hex(q, px, py), rgb_hex(r, px, py)
            check(close(cq, want) and close(cr, want), "%s %s at pixel %d,%d: QGIS %s, render %s, expected %s" %
                  (name, label, px, py, cq, cr, want))
        # Text: pdftotext of QGIS's page and of footprint's.
        txt = " ".join(subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout.split())
        rtxt = " ".join(subprocess.run(["pdftotext", "-layout", os.path.join(d, name + ".pdf"), "-"], capture_output=True,
                                       text=True).stdout.split())
        words = ["Projects per country", "none [%d]" % nodata] + [ru.label() for ru in rules]
        if name == "africa":
            words.append("Africa")
        miss = [w for w in words if w not in txt]
        check(not miss, "%s PDF text has %s%s" % (name, words, (" (missing %s)" % miss) if miss else ""))
        # render's legend on a regional map (africa) counts the regions drawn in
        # its frame (test_render.sh checks the counts against SpatiaLite): fewer
        # than the layer's, which QGIS's feature counts keep.
        want_nodata = ["none (%d)" % nodata] if name != "africa" else []
        rmiss = [w for w in ["Projects per country"] + want_nodata + [ru.label() for ru in rules] if w not in rtxt]
        if name == "africa":
            m_nd = re.search(r"none \((\d+)\)", rtxt)
            if not m_nd or not 0 < int(m_nd.group(1)) < nodata:
                rmiss.append("none (N) with 0 < N < %d: %s" % (nodata, m_nd.group(0) if m_nd else "none"))
        check(not rmiss, "render's %s.pdf has the same title, class labels and no-data count%s" %
              (name, (" (missing %s)" % rmiss) if rmiss else ""))

    # Every layout's map items: the size QGIS loaded is the declared one, on the page.
    declared = declared_map_sizes(os.path.join(d, "footprint.qgz"))
    for lay in lm.printLayouts():
        maps = [i for i in lay.items() if isinstance(i, QgsLayoutItemMap)]
        page = lay.pageCollection().page(0).rect()
        want = declared.get(lay.name(), [])
        check(len(maps) == len(want) and len(maps) > 0, "layout %s: %d map items (declared %d)" % (lay.name(), len(maps), len(want)))
        for m, (dw, dh) in zip(maps, want):
            r = m.sceneBoundingRect()
            w, h = m.rect().width(), m.rect().height()
            inside = r.left() >= page.left() - 0.01 and r.top() >= page.top() - 0.01 and \
                r.right() <= page.right() + 0.01 and r.bottom() <= page.bottom() + 0.01
            check(abs(w - dw) <= MAP_SIZE_MM and abs(h - dh) <= MAP_SIZE_MM and inside,
                  "layout %s map %s: loaded %.1f x %.1f mm at %.1f,%.1f (declared %.1f x %.1f), page %.0f x %.0f mm" %
                  (lay.name(), m.id(), w, h, r.left(), r.top(), dw, dh, page.width(), page.height()))

    at = lm.layoutByName("atlas")
    atlas = at.atlas()
    n = db.execute("SELECT count(*) FROM agg_country_by_category WHERE level='country' AND projects > 0 "
                   "AND geom IS NOT NULL").fetchone()[0]
    atlas.updateFeatures()
    check(atlas.enabled() and atlas.count() == n, "atlas over %s: %d pages (countries with projects: %d)" %
          (atlas.coverageLayer().name() if atlas.coverageLayer() else None, atlas.count(), n))
    atlas.beginRender()
    atlas.seekTo(0)
    first = atlas.nameForPage(0)
    pdf = os.path.join(work, "atlas_first.pdf")
    r = QgsLayoutExporter(at).exportToPdf(pdf, QgsLayoutExporter.PdfExportSettings())
    atlas.endRender()
    txt = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    firstname = db.execute("SELECT name FROM agg_country_by_category WHERE level='country' AND projects > 0 "
                           "AND geom IS NOT NULL ORDER BY code LIMIT 1").fetchone()[0]
    check(r == 0 and first == firstname and firstname in txt, "atlas page 1 is %s (first code's name %s) and says so" %
          (first, firstname))

    # Atlas pages of countries on both sides of the antimeridian: the page's CRS is
    # centred on the country, and the country fills a good part of the frame.
    amap = at.itemById("map")
    pages = {}
    atlas.beginRender()
    for i in range(atlas.count()):
        atlas.seekTo(i)
        f = at.reportContext().feature()
        if f["code"] in ATLAS_CODES:
            pages[f["code"]] = i
    for code in ATLAS_CODES:
        check(code in pages, "atlas has a page for %s (the sample has projects there)" % code)
    for code in [c for c in ATLAS_CODES if c in pages]:
        atlas.seekTo(pages[code])
        f = at.reportContext().feature()
        proj = amap.crs().toProj()
        lon0, lat0 = proj_param(proj, "lon_0"), proj_param(proj, "lat_0")
        want = region_centre(store, code)
        ok = "+proj=laea" in proj and want is not None and lon0 is not None and lat0 is not None and \
            lon_diff(lon0, want[0]) <= CENTRE_DEG and abs(lat0 - want[1]) <= CENTRE_DEG
        check(ok, "atlas page %s: map CRS %s; centre from the store's vertices %s (within %g degrees)" %
              (code, proj, "%.2f, %.2f" % want if want else None, CENTRE_DEG))
        png = os.path.join(work, "atlas_%s.png" % code)
        s = QgsLayoutExporter.ImageExportSettings()
        s.dpi = ATLAS_DPI
        rx = QgsLayoutExporter(at).exportToImage(png, s)
        img = QImage(png)
        # The map frame in the page's pixels (only the part on the page).
        fr = amap.sceneBoundingRect()
        k = ATLAS_DPI / 25.4
        x0, y0 = max(0, int(math.ceil(fr.left() * k)) + 1), max(0, int(math.ceil(fr.top() * k)) + 1)
        x1, y1 = min(img.width(), int(fr.right() * k) - 1), min(img.height(), int(fr.bottom() * k) - 1)
        fill = QColor(f["fill"])
        hits = total = 0
        for y in range(y0, y1):
            for x in range(x0, x1):
                c = QColor(img.pixel(x, y))
                total += 1
                if abs(c.red() - fill.red()) <= 3 and abs(c.green() - fill.green()) <= 3 and abs(c.blue() - fill.blue()) <= 3:
                    hits += 1
        share = hits / total if total else 0
        check(rx == 0 and share >= MIN_SHARE, "atlas page %s: its colour %s on %.0f%% of the map frame's %d pixels (at least %.0f%%)" %
              (code, f["fill"], 100 * share, total, 100 * MIN_SHARE))
    atlas.endRender()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
