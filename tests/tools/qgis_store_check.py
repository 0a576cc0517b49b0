#!/usr/bin/python3
"""Opens every spatial table and view of a footprint store through QGIS's
`spatialite` provider (what "Add SpatiaLite Layer" does) and checks that it
is a drawable layer: valid, a real geometry type, EPSG:4326, a non-empty
extent, as many features as sqlite3 counts, and a render that is not blank
where a known feature lies.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_store_check.py STORE.sqlite

Prints one line per layer (OK/FAIL name type crs count render) and exits 1
if any layer fails. Layers hidden from QGIS's lists (geometry_columns_auth)
are checked too, except a generic GEOMETRY column, which QGIS cannot type:
for that one (projects) the check is that its typed views together hold
every row it has of their kinds.

Expected values come from sqlite3 (counts, one feature's coordinates), not
from footprint.
"""
import os
import sqlite3
import sys

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
from qgis.core import (QgsApplication, QgsVectorLayer, QgsWkbTypes, QgsMapSettings, QgsMapRendererParallelJob,
                       QgsRectangle, QgsPointXY, QgsSingleSymbolRenderer, QgsSymbol)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

KINDS = {'point': ('POINT', 'MULTIPOINT'), 'line': ('LINESTRING', 'MULTILINESTRING'),
         'polygon': ('POLYGON', 'MULTIPOLYGON')}


def main(db):
    con = sqlite3.connect(db)
    con.enable_load_extension(True)
    con.load_extension('mod_spatialite')
    hidden = {r[0] for r in con.execute("SELECT f_table_name FROM geometry_columns_auth WHERE hidden = 1")}
    layers = [(t, g, gt) for t, g, gt in con.execute(
        "SELECT f_table_name, f_geometry_column, geometry_type FROM geometry_columns ORDER BY 1")]
    layers += [(v, g, None) for v, g in con.execute(
        "SELECT view_name, view_geometry FROM views_geometry_columns ORDER BY 1")]
    failures = 0
    for name, geom, gtype in layers:
        if gtype == 0:
            # The generic column: QGIS cannot type it, so it must be hidden
            # and its typed views must cover it.
            n_typed = 0
            problems = []
            if name not in hidden:
                problems.append('generic GEOMETRY column not hidden from QGIS')
            for kind, types in KINDS.items():
                view = '%s_%s' % (name, kind)
                want = con.execute('SELECT count(*) FROM "%s" WHERE GeometryType("%s") IN (%s)'
                                   % (name, geom, ','.join("'%s'" % t for t in types))).fetchone()[0]
                try:
                    have = con.execute('SELECT count(*) FROM "%s"' % view).fetchone()[0]
                except sqlite3.Error:
                    have = -1
                if have != want:
                    problems.append('%s has %d rows, %s has %d of that kind' % (view, have, name, want))
                n_typed += max(have, 0)
            status = 'FAIL' if problems else 'OK'
            failures += bool(problems)
            print('%s %s (generic, hidden; typed views hold %d rows) %s' % (status, name, n_typed, '; '.join(problems)))
            continue
        failures += check_layer(con, db, name, geom)
    return failures


def check_layer(con, db, name, geom):
    layer = QgsVectorLayer('dbname=%s table="%s" (%s)' % (db, name, geom), name, 'spatialite')
    problems = []
    count = con.execute('SELECT count(*) FROM "%s" WHERE "%s" IS NOT NULL' % (name, geom)).fetchone()[0]
    total = con.execute('SELECT count(*) FROM "%s"' % name).fetchone()[0]
    wkb = QgsWkbTypes.displayString(layer.wkbType()) if layer.isValid() else '-'
    crs = layer.crs().authid() if layer.isValid() else '-'
    if not layer.isValid():
        problems.append('not valid')
    else:
        if layer.wkbType() in (QgsWkbTypes.Unknown, QgsWkbTypes.NoGeometry):
            problems.append('geometry type %s' % wkb)
        if crs != 'EPSG:4326':
            problems.append('CRS %r' % crs)
        if layer.featureCount() != total:
            problems.append('%d features, sqlite3 counts %d' % (layer.featureCount(), total))
        # One point has a zero-area extent: null (never computed) is the failure.
        e = layer.extent()
        if count and (e.isNull() or not e.isFinite() or e.xMinimum() > e.xMaximum()):
            problems.append('no extent')
    probe = 'no features'
    if not problems and count:
        probe = render_probe(con, layer, name, geom, problems)
    print('%s %s %s %s %d %s %s' % ('FAIL' if problems else 'OK', name, wkb, crs, total, probe, '; '.join(problems)))
    return 1 if problems else 0


def render_probe(con, layer, name, geom, problems):
    """Renders the layer alone in black on white around one of its features
    (chosen and located with SpatiaLite) and reads the pixel there."""
    x, y, minx, miny, maxx, maxy = con.execute(
        'SELECT X(PointOnSurface("{g}")), Y(PointOnSurface("{g}")), MbrMinX("{g}"), MbrMinY("{g}"),'
        ' MbrMaxX("{g}"), MbrMaxY("{g}") FROM "{t}" WHERE "{g}" IS NOT NULL'
        ' ORDER BY (MbrMaxX("{g}") - MbrMinX("{g}")) * (MbrMaxY("{g}") - MbrMinY("{g}")) DESC LIMIT 1'
        .format(g=geom, t=name)).fetchone()
    if x is None:   # PointOnSurface of a multipoint: its first point
        x, y = con.execute('SELECT X(GeometryN("{g}", 1)), Y(GeometryN("{g}", 1)) FROM "{t}" WHERE "{g}" IS NOT NULL'
                           ' LIMIT 1'.format(g=geom, t=name)).fetchone()
    pad = max(maxx - minx, maxy - miny, 0.5)
    symbol = QgsSymbol.defaultSymbol(layer.geometryType())
    symbol.setColor(QColor(0, 0, 0))
    if layer.geometryType() == QgsWkbTypes.PointGeometry:
        symbol.setSize(4)
    elif layer.geometryType() == QgsWkbTypes.LineGeometry:
        symbol.setWidth(1.5)
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(200, 200))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setExtent(QgsRectangle(x - pad, y - pad, x + pad, y + pad))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    # Pixel of (x, y), and its neighbours (a line's point may fall between pixels).
    px = settings.mapToPixel().transform(QgsPointXY(x, y))
    dark = 0
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            c = QColor(image.pixel(int(round(px.x())) + dx, int(round(px.y())) + dy))
            dark += c.red() < 128 and c.green() < 128 and c.blue() < 128
    blank = all(QColor(image.pixel(i, j)).rgb() == QColor(255, 255, 255).rgb()
                for i in range(0, 200, 5) for j in range(0, 200, 5))
    if blank:
        problems.append('render blank')
    elif not dark:
        problems.append('no feature drawn at %.5f,%.5f' % (x, y))
    return 'drawn at %.4f,%.4f' % (x, y)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: qgis_store_check.py STORE.sqlite')
    QgsApplication.setPrefixPath('/usr', True)
    app = QgsApplication([], False)
    app.initQgis()
    failed = main(sys.argv[1])
    app.exitQgis()
    sys.exit(1 if failed else 0)
