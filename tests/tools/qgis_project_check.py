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
    and the no-data count from sqlite3.
Exit status 1 if any check failed.
"""
import math
import os
import sqlite3
import subprocess
import sys

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsLayoutExporter,
                       QgsPointXY, QgsProject, QgsGeometry, QgsFeatureRequest)
from qgis.PyQt.QtGui import QImage, QColor

FRAME_PX = 3
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
        rmiss = [w for w in ["Projects per country", "none (%d)" % nodata] + [ru.label() for ru in rules] if w not in rtxt]
        check(not rmiss, "render's %s.pdf has the same title, class labels and no-data count%s" %
              (name, (" (missing %s)" % rmiss) if rmiss else ""))

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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
