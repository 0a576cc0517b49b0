#!/usr/bin/python3
"""footprint's outputs judged by the programs analysts open (tests/e2e/test_qgis.sh).

    qgis_check.py SPEC.json

SPEC lists the outputs to open and what to expect of them, every expected value
computed outside footprint (feature counts with Python's sqlite3 on the store,
class colours by tests/tools/render_check.py from the style rules and
ColorBrewer's published colours, probe places chosen by hand and checked with
SpatiaLite):

    {"vectors": [{"name", "uri", "count", "style": "graduated"|"categorized"|...,
                  "classes": N, "probes": [[lon, lat, "#rrggbb" | "drawn"], ...],
                  "distinct": [[lon, lat], [lon, lat]]}],
     "rasters": [{"name", "path", "crs": "EPSG:3857" | null, "probes": [[lon, lat, "#rrggbb"], ...]}]}

Each output is opened in QGIS (PyQGIS, headless): vectors with the `ogr`
provider, the style QGIS finds by itself (GeoPackage `layer_styles`, a sidecar
.qml) applied; rasters with the `gdal` provider. For each it checks:

  loads    the layer is valid; vectors: feature count as expected
  style    the renderer QGIS built from the file's style is of the expected type
  classes  its legend has the expected number of classes
  crs      the layer's CRS is valid (EPSG:4326 for vectors, the expected one
           for rasters when given)
  probes   vectors are drawn with QgsMapRendererParallelJob on an Equal Earth
           canvas; rasters are read through the provider at a lon/lat
           transformed into the layer's CRS by QGIS. A probe passes when most
           pixels of a 7x7 window (so a label or a marker on top does not decide)
           have the expected colour, within 3 per channel; "drawn" means not the
           canvas background; "distinct" pairs of places must differ.

Prints one line per output in the format of tests/e2e/lib.sh (PASS NAME /
FAIL NAME + reasons), then the table outputs x checks.
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,  # noqa: E402
                       QgsCoordinateTransform, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsPointXY, QgsProject, QgsRaster,
                       QgsRasterLayer, QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
CANVAS_CRS = QgsCoordinateReferenceSystem.fromProj("+proj=eqearth +datum=WGS84 +units=m +no_defs")
BACKGROUND = (255, 255, 255)
TOL = 3


def hex_rgb(s):
    s = s.lstrip("#")
    return tuple(int(s[i:i + 2], 16) for i in (0, 2, 4))


def close(a, b):
    return all(abs(x - y) <= TOL for x, y in zip(a, b))


def majority(colours, want):
    """Share of colours equal to want (within TOL)."""
    return sum(1 for c in colours if close(c, want)) / max(1, len(colours))


def to_crs(crs, lon, lat):
    tr = QgsCoordinateTransform(WGS84, crs, QgsProject.instance())
    return tr.transform(QgsPointXY(lon, lat))


def render_vector(layer, size=(1200, 600)):
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(CANVAS_CRS)
    ms.setOutputSize(QSize(*size))
    ms.setBackgroundColor(QColor(*BACKGROUND))
    # the whole world in Equal Earth (x +-17.24e6 m, y +-8.4e6 m)
    ms.setExtent(QgsRectangle(-17.3e6, -8.7e6, 17.3e6, 8.7e6))
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    return ms, job.renderedImage()


def window_from_image(ms, img, lon, lat, half=3):
    p = ms.mapToPixel().transform(to_crs(ms.destinationCrs(), lon, lat))
    x0, y0 = int(round(p.x())), int(round(p.y()))
    out = []
    for dy in range(-half, half + 1):
        for dx in range(-half, half + 1):
            x, y = x0 + dx, y0 + dy
            if 0 <= x < img.width() and 0 <= y < img.height():
                c = QColor(img.pixel(x, y))
                out.append((c.red(), c.green(), c.blue()))
    return out


def window_from_raster(layer, lon, lat, half=3):
    prov = layer.dataProvider()
    p = to_crs(layer.crs(), lon, lat)
    ux, uy = layer.rasterUnitsPerPixelX(), layer.rasterUnitsPerPixelY()
    out = []
    for dy in range(-half, half + 1):
        for dx in range(-half, half + 1):
            r = prov.identify(QgsPointXY(p.x() + dx * ux, p.y() + dy * uy), QgsRaster.IdentifyFormatValue)
            v = r.results() if r.isValid() else {}
            if v and all(v.get(b) is not None for b in (1, 2, 3)):
                out.append((int(v[1]), int(v[2]), int(v[3])))
    return out


def legend_classes(layer):
    r = layer.renderer()
    kind = r.type()
    if kind == "graduatedSymbol":
        return len(r.ranges())
    if kind == "categorizedSymbol":
        return len(r.categories())
    if kind == "RuleRenderer":
        return len([x for x in r.rootRule().children() if x.active()])
    return len(r.legendSymbolItems())


def check_vector(v):
    res = {"loads": "-", "style": "-", "classes": "-", "crs": "-", "probes": "-"}
    errs = []
    layer = QgsVectorLayer(v["uri"], v["name"], "ogr")
    if not layer.isValid():
        return res, ["does not load: %s" % layer.error().summary()]
    n = layer.featureCount()
    res["loads"] = "yes (%d)" % n
    if n != v["count"]:
        errs.append("%d features, expected %d" % (n, v["count"]))
    kind = layer.renderer().type()
    res["style"] = kind
    want = {"graduated": "graduatedSymbol", "categorized": "categorizedSymbol", "rules": "RuleRenderer"}
    if v.get("style") and kind not in [want.get(s, s) for s in v["style"].split("|")]:
        errs.append("renderer %s, expected %s (style not applied)" % (kind, v["style"]))
    k = legend_classes(layer)
    res["classes"] = str(k)
    if "classes" in v and k != v["classes"]:
        errs.append("%d classes, expected %d" % (k, v["classes"]))
    crs = layer.crs()
    res["crs"] = crs.authid() or "invalid"
    if crs.authid() != "EPSG:4326":
        errs.append("CRS %s, expected EPSG:4326" % (crs.authid() or "none"))
    nprobes = len(v.get("probes", [])) + (1 if "distinct" in v else 0)
    if nprobes:
        ms, img = render_vector(layer)
        ok = 0
        for lon, lat, want_c in v.get("probes", []):
            win = window_from_image(ms, img, lon, lat)
            if want_c == "drawn":
                good = majority(win, BACKGROUND) < 0.9
            else:
                good = majority(win, hex_rgb(want_c)) >= 0.5
            ok += good
            if not good:
                seen = max(set(win), key=win.count) if win else None
                errs.append("at %g,%g expected %s, mostly %s" % (lon, lat, want_c, seen))
        if "distinct" in v:
            (a, b) = v["distinct"]
            wa, wb = window_from_image(ms, img, *a), window_from_image(ms, img, *b)
            ca = max((c for c in wa if not close(c, BACKGROUND)), key=wa.count, default=None)
            cb = max((c for c in wb if not close(c, BACKGROUND)), key=wb.count, default=None)
            good = ca is not None and cb is not None and not close(ca, cb)
            ok += good
            if not good:
                errs.append("markers at %s and %s not told apart: %s vs %s" % (a, b, ca, cb))
        res["probes"] = "%d/%d" % (ok, nprobes)
    return res, errs


def check_raster(r):
    res = {"loads": "-", "style": "n/a", "classes": "n/a", "crs": "-", "probes": "-"}
    errs = []
    layer = QgsRasterLayer(r["path"], r["name"], "gdal")
    if not layer.isValid():
        return res, ["does not load: %s" % layer.error().summary()]
    res["loads"] = "yes (%dx%d)" % (layer.width(), layer.height())
    crs = layer.crs()
    res["crs"] = crs.authid() or (crs.description() or "invalid")[:28]
    if not crs.isValid():
        errs.append("no CRS")
    elif r.get("crs") and crs.authid() != r["crs"]:
        errs.append("CRS %s, expected %s" % (crs.authid(), r["crs"]))
    ok = 0
    for lon, lat, want_c in r.get("probes", []):
        win = window_from_raster(layer, lon, lat) if crs.isValid() else []
        good = majority(win, hex_rgb(want_c)) >= 0.5
        ok += good
        if not good:
            seen = max(set(win), key=win.count) if win else None
            errs.append("at %g,%g expected %s, mostly %s" % (lon, lat, want_c, seen))
    res["probes"] = "%d/%d" % (ok, len(r.get("probes", [])))
    return res, errs


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    spec = json.load(open(argv[1]))
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    rows = []
    for v in spec.get("vectors", []):
        res, errs = check_vector(v)
        rows.append((v["name"], res))
        print(("PASS %s" % v["label"]) if not errs else ("FAIL %s\n    %s" % (v["label"], "\n    ".join(errs))))
    for r in spec.get("rasters", []):
        res, errs = check_raster(r)
        rows.append((r["name"], res))
        print(("PASS %s" % r["label"]) if not errs else ("FAIL %s\n    %s" % (r["label"], "\n    ".join(errs))))
    cols = ["loads", "style", "classes", "crs", "probes"]
    w = max(len(n) for n, _ in rows) if rows else 10
    print("\n%-*s  %-12s %-18s %-7s %-28s %s" % (w, "output", *cols))
    for n, res in rows:
        print("%-*s  %-12s %-18s %-7s %-28s %s" % (w, n, *[res[c] for c in cols]))
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv)
