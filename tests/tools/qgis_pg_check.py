#!/usr/bin/python3
"""Tables of a footprint PostGIS database as a QGIS user opens them
(tests/e2e/test_postgis.sh): QGIS's `postgres` provider, PyQGIS headless.

  qgis_pg_check.py HOST PORT DBNAME USER TABLE [TABLE ...]

For each table: a QgsDataSourceUri on the server (schema public, the key
column id, the geometry column geom), the layer loaded and its default style
applied from the database's layer_styles (loadDefaultStyle). Prints one line
per table for the shell test to compare with psql and the stored QML:

  TABLE valid=1 count=N crs=EPSG:4326 style=1 renderer=TYPE attr=FIELD classes=K items=V1|V2|...

items: a categorized renderer's category values, a graduated one's ranges
(LOWER:UPPER, 6 decimals), a rule-based one's rules (LABEL~FILTER), in the
renderer's order. Exit status 1 when a
layer does not load.
"""
import sys

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer


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
    for table in sys.argv[5:]:
        uri = QgsDataSourceUri()
        uri.setConnection(host, port, db, user, "")
        uri.setDataSource("public", table, "geom", "", "id")
        layer = QgsVectorLayer(uri.uri(False), table, "postgres")
        if not layer.isValid():
            print("%s valid=0" % table)
            ok = False
            continue
        _msg, styled = layer.loadDefaultStyle()
        kind, attr, items = describe(layer)
        print("%s valid=1 count=%d crs=%s style=%d renderer=%s attr=%s classes=%d items=%s"
              % (table, layer.featureCount(), layer.crs().authid(), int(bool(styled)), kind, attr,
                 len(items), "|".join(items)))
    app.exitQgis()
    sys.exit(0 if ok else 1)


main()
