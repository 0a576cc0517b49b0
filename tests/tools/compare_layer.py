#!/usr/bin/env python3
"""Compares an exported layer with the footprint store it came from.

Python standard library only; shares no code with footprint. The reference
is the store itself: attributes read with Python's sqlite3 module from the
`projects` table, geometries given as "id|GeoJSON" lines written by the
SpatiaLite shell (AsGeoJSON(geom, 15)), both independent of footprint.

usage: compare_layer.py --store DB --geoms FILE --layer FILE
                        [--where SQL] [--tol T] [--id top|prop] [--fields-map CSV]
                        [--loose] [--csv]

  --layer    a GeoJSON FeatureCollection (footprint's, or ogr2ogr's reading of
             another format), or with --csv a CSV file with X,Y or WKT columns
  --where    SQL condition on projects selecting the rows expected (default all)
  --tol      coordinates may differ by this much (default 1e-9)
  --id       top: the project id is the feature's "id" member; prop: it is
             the property "id" (OGR formats read back)
  --fields-map  NAME.fields.csv of a shapefile: full name -> short name
  --loose    compare values as text/number regardless of type (CSV), '' = null
  --absent-is-null  a property missing from a feature stands for null (FlatGeobuf
             keeps no nulls, GDAL reads them as unset fields)

Checks: the set of ids equals the store's; every project column named in
COLUMNS and every key of `extra` (as KEY, or extra_KEY when KEY is also a
column) has the store's value; every stored vertex is within --tol of an
exported vertex and every exported vertex is within --tol of a stored one
or lies on the antimeridian (a cut). Prints "ok N features" or the first
difference, exit 1.
"""
import csv
import json
import math
import re
import sqlite3
import sys

COLUMNS = ["dataset", "source_key", "company", "category", "name", "place", "country", "country_code",
           "year", "status", "amount", "source", "geocode_method", "geocode_precision", "qa"]


def arg(argv, name, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def vertices(x):
    """Every (lon, lat) of a GeoJSON geometry, or of WKT text."""
    if x is None:
        return []
    if isinstance(x, str):
        nums = [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", x)]
        dim = 3 if re.search(r"\b(Z|M)\b", x) else 2
        return [(nums[i], nums[i + 1]) for i in range(0, len(nums) - dim + 1, dim)]
    if x.get("type") == "GeometryCollection":
        return [v for g in x["geometries"] for v in vertices(g)]
    out = []

    def walk(c):
        if isinstance(c, list) and c and isinstance(c[0], (int, float)):
            out.append((float(c[0]), float(c[1])))
        elif isinstance(c, list):
            for y in c:
                walk(y)
    walk(x.get("coordinates"))
    return out


def same_value(ref, got, loose):
    if loose:
        if ref is None:
            return got in (None, "")
        if isinstance(ref, (int, float)) and got not in (None, ""):
            try:
                return math.isclose(float(ref), float(got), rel_tol=1e-12, abs_tol=1e-12)
            except (TypeError, ValueError):
                return False
        return str(ref) == str(got)
    if ref is None or got is None:
        return ref is None and got is None
    if isinstance(ref, (dict, list)):
        return ref == got or (isinstance(got, str) and json.loads(got) == ref)
    if isinstance(ref, bool) or isinstance(got, bool):
        return ref == got and type(ref) == type(got)
    if isinstance(ref, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(ref, got, rel_tol=1e-12, abs_tol=1e-12)
    return type(ref) == type(got) and ref == got


def main(argv):
    store = arg(argv, "--store")
    where = arg(argv, "--where", "1")
    tol = float(arg(argv, "--tol", "1e-9"))
    idmode = arg(argv, "--id", "top")
    loose = "--loose" in argv
    fmap = {}
    if arg(argv, "--fields-map"):
        with open(arg(argv, "--fields-map"), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for r in rows[1:] if rows and rows[0] == ["field", "shapefile_field"] else rows:
            fmap[r[0]] = r[1]
    geoms = {}
    with open(arg(argv, "--geoms"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            k, _, g = line.partition("|")
            geoms[int(k)] = json.loads(g) if g else None

    db = sqlite3.connect(store)
    db.row_factory = sqlite3.Row
    ref = {r["id"]: r for r in db.execute("SELECT * FROM projects WHERE %s" % where)}

    features = []
    if "--csv" in argv:
        with open(arg(argv, "--layer"), newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if "X" in r and "Y" in r:
                    g = {"type": "Point", "coordinates": [float(r.pop("X")), float(r.pop("Y"))]}
                else:
                    g = r.pop("WKT")
                features.append({"id": None, "geometry": g, "properties": r})
        idmode = "prop"
    else:
        with open(arg(argv, "--layer"), encoding="utf-8") as f:
            features = json.load(f)["features"]

    def problem(msg):
        print(msg)
        return 1

    seen = {}
    for i, f in enumerate(features):
        props = f.get("properties") or {}
        fid = f.get("id") if idmode == "top" else props.get(fmap.get("id", "id"))
        try:
            fid = int(fid)
        except (TypeError, ValueError):
            return problem("feature %d: id %r is not a project id" % (i, fid))
        if fid in seen:
            return problem("feature %d: id %d also on feature %d" % (i, fid, seen[fid]))
        seen[fid] = i
    if set(seen) != set(ref):
        return problem("ids differ: missing %s, unexpected %s" % (sorted(set(ref) - set(seen))[:10], sorted(set(seen) - set(ref))[:10]))

    for fid, i in seen.items():
        f, r = features[i], ref[fid]
        props = f.get("properties") or {}
        expect = {c: r[c] for c in COLUMNS}
        extra = json.loads(r["extra"]) if r["extra"] else {}
        for k, v in extra.items():
            expect["extra_" + k if k in COLUMNS or k == "id" else k] = v
        for k, v in expect.items():
            name = fmap.get(k, k)
            if name not in props and v is None and "--absent-is-null" in argv:
                continue
            if name not in props:
                return problem("feature %d (project %d): no property %s%s" % (i, fid, k, "" if name == k else " (" + name + ")"))
            if not same_value(v, props[name], loose):
                return problem("feature %d (project %d): %s = %r, the store has %r" % (i, fid, name, props[name], v))
        sv, ev = vertices(geoms.get(fid)), vertices(f.get("geometry"))
        if bool(sv) != bool(ev):
            return problem("feature %d (project %d): geometry %s, the store has %s" % (i, fid, f.get("geometry"), geoms.get(fid)))
        for p in sv:
            if not any(abs(p[0] - q[0]) <= tol and abs(p[1] - q[1]) <= tol for q in ev):
                return problem("feature %d (project %d): stored vertex %r not within %g of any exported vertex" % (i, fid, p, tol))
        for q in ev:
            if abs(q[0]) == 180:
                continue
            if not any(abs(p[0] - q[0]) <= tol and abs(p[1] - q[1]) <= tol for p in sv):
                return problem("feature %d (project %d): exported vertex %r not within %g of any stored vertex" % (i, fid, q, tol))
    print("ok %d features" % len(features))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
