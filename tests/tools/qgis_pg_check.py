#!/usr/bin/python3
"""Tables of a footprint PostGIS database as a QGIS user opens them
(tests/e2e/test_postgis.sh): QGIS's `postgres` provider, PyQGIS headless.

  qgis_pg_check.py HOST PORT DBNAME USER TABLE[:TYPE] [TABLE[:TYPE] ...]

For each table: a QgsDataSourceUri on the server (schema public, the key
column id, the geometry column geom), the layer loaded and its default style
applied from the database's layer_styles (loadDefaultStyle). Prints one line
per table for the shell test to compare with psql and the stored QML:

  TABLE valid=1 count=N crs=EPSG:4326 style=1 renderer=TYPE attr=FIELD classes=K items=V1|V2|...

items: a categorized renderer's category values, a graduated one's ranges
(LOWER:UPPER, 6 decimals), a rule-based one's rules (LABEL~FILTER), in the
renderer's order. Exit status 1 when a
layer does not load.

TABLE:TYPE opens one kind of a mixed table as QGIS's Browser offers it (the
URI's type: Point, LineString, Polygon) and adds to the line the kinds of
symbol QGIS picks for its features (symbols=line) and the non-white pixels of
the layer rendered alone on white (drawn=N; 400x400 px over its extent): a
marker symbol on a line draws nothing.
"""
import sys

from qgis.core import (QgsApplication, QgsDataSourceUri, QgsExpressionContextUtils, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsRenderContext, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def drawn(layer):
    """The kinds of the symbols QGIS picks for the layer's features, and the
    non-white pixels of the layer rendered alone."""
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    r = layer.renderer().clone()
    r.startRender(ctx, layer.fields())
    kinds = set()
    for f in layer.getFeatures():
        ctx.expressionContext().setFeature(f)
        kinds |= {("marker", "line", "fill")[int(s.type())] for s in r.symbolsForFeature(f, ctx)}
    r.stopRender(ctx)
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(layer.crs())
    ms.setExtent(layer.extent().buffered(1))
    ms.setOutputSize(QSize(400, 400))
    ms.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    n = sum(1 for y in range(img.height()) for x in range(img.width()) if img.pixel(x, y) & 0xffffff != 0xffffff)
    return ",".join(sorted(kinds)), n


def describe(layer):
    r = layer.renderer()
    kind = r.type() if r else "none"
    attr, items = "", []
    if kind == "categorizedSymbol":
        attr = r.classAttribute()
        items = [str(c.value()) for c in r.categories()]
    elif kind == "graduatedSymbol":
        attr = r.classAttribute()
        items = ["%.6f:%.6f" % (g.lowerValue(), g.upperValue()) for g in r.ranges()]
    elif kind == "RuleRenderer":
        items = ["%s~%s" % (c.label(), c.filterExpression()) for c in r.rootRule().children()]
    return kind, attr, items


def main():
    host, port, db, user = sys.argv[1:5]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    ok = True
    for spec in sys.argv[5:]:
        table, _, wkb = spec.partition(":")
        uri = QgsDataSourceUri()
        uri.setConnection(host, port, db, user, "")
        uri.setDataSource("public", table, "geom", "", "id")
        if wkb:
            uri.setWkbType(QgsWkbTypes.parseType(wkb))
        layer = QgsVectorLayer(uri.uri(False), table, "postgres")
        if not layer.isValid():
            print("%s valid=0" % spec)
            ok = False
            continue
        _msg, styled = layer.loadDefaultStyle()
        kind, attr, items = describe(layer)
        extra = " symbols=%s drawn=%d" % drawn(layer) if wkb else ""
        print("%s valid=1 count=%d crs=%s style=%d renderer=%s attr=%s classes=%d items=%s%s"
              % (spec, layer.featureCount(), layer.crs().authid(), int(bool(styled)), kind, attr,
                 len(items), "|".join(items), extra))
    app.exitQgis()
    sys.exit(0 if ok else 1)


main()
