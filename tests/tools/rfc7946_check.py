#!/usr/bin/env python3
"""Strict, independent checker of RFC 7946 GeoJSON (and RFC 8142 GeoJSONSeq).

Python standard library only; shares no code with footprint.

usage: rfc7946_check.py FILE [--precision N] [--require-id] [--seq]
                             [--no-trailing-zeros] [--require-bbox]

Checks, in this order for every feature:
  * the file is UTF-8 without BOM and valid JSON; the tokens NaN, Infinity and
    -Infinity are refused (json's parse_constant), so are numbers that
    overflow to infinity (1e400);
  * a FeatureCollection with a "features" array of Feature objects (each with
    "type", "geometry" = a geometry or null, "properties" = an object or null),
    and none of the members RFC 7946 section 7.1 forbids on each kind of object;
  * no "crs" member anywhere (properties' contents excepted: they are data);
  * every position has 2 or 3 numbers (never booleans), lon in [-180, 180] and
    lat in [-90, 90]; with --precision N at most N decimals as written in the
    file (an exponent counts: 1e-7 has 7); with --no-trailing-zeros no
    fraction ending in 0 (2.50);
  * LineStrings have >= 2 positions; polygon rings are closed and have >= 4
    positions; the exterior ring is counter-clockwise and the holes clockwise
    (shoelace signed area in lon/lat: > 0 counter-clockwise), never 0;
  * no two consecutive positions more than 180 degrees of longitude apart
    (section 3.1.9: such a geometry must be cut at the antimeridian);
  * "id", when present, is a number or a string (--require-id: present);
  * "bbox", when present (--require-bbox: on the collection and on every
    feature with a geometry), has 4 finite numbers west, south, east, north,
    south <= north, and contains every position of its feature / collection
    (west > east means the box crosses the antimeridian).

--seq reads RFC 8142 GeoJSON text sequences: every record is RS (0x1E), one
JSON text (here a Feature), LF. Each feature is checked as above.

Exit 0 printing "ok N features", or exit 1 printing the first problem as
"feature I: reason" (I counts from 0) or "file: reason".
"""
import json
import math
import re
import sys


class Problem(Exception):
    pass


class Num(float):
    """A float that remembers how it was written."""

    def __new__(cls, text):
        v = float.__new__(cls, float(text))
        v.text = text
        return v


class Int(int):
    def __new__(cls, text):
        v = int.__new__(cls, int(text))
        v.text = text
        return v


def reject_constant(name):
    raise ValueError("invalid JSON token %s (NaN/Infinity are not JSON)" % name)


def parse(text):
    return json.loads(text, parse_constant=reject_constant, parse_float=Num, parse_int=Int)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


NUM_RE = re.compile(r"^-?(0|[1-9][0-9]*)(\.([0-9]+))?([eE]([+-]?[0-9]+))?$")


def decimals(v):
    text = getattr(v, "text", None)
    if text is None:
        text = repr(v)
    m = NUM_RE.match(text)
    if not m:
        raise Problem("number %r is not a JSON number" % text)
    frac = m.group(3) or ""
    exp = int(m.group(5) or 0)
    return max(0, len(frac) - exp)


class Checker:
    def __init__(self, precision=None, require_id=False, no_trailing_zeros=False, require_bbox=False):
        self.precision = precision
        self.require_id = require_id
        self.no_trailing_zeros = no_trailing_zeros
        self.require_bbox = require_bbox

    # --- positions -------------------------------------------------------
    def position(self, p, where):
        if not isinstance(p, list) or len(p) not in (2, 3):
            raise Problem("%s: a position must be an array of 2 or 3 numbers, got %s" % (where, json.dumps(p)[:80]))
        for v in p:
            if not is_number(v):
                raise Problem("%s: position member %s is not a number" % (where, json.dumps(v)))
            if not math.isfinite(v):
                raise Problem("%s: position member %s is not finite" % (where, getattr(v, "text", v)))
            if self.precision is not None and decimals(v) > self.precision:
                raise Problem("%s: %s has %d decimals, more than %d" % (where, v.text, decimals(v), self.precision))
            if self.no_trailing_zeros:
                t = getattr(v, "text", "")
                m = NUM_RE.match(t)
                if m and m.group(3) and m.group(3).endswith("0") and not m.group(4):
                    raise Problem("%s: %s has a trailing zero" % (where, t))
        lon, lat = p[0], p[1]
        if not -180 <= lon <= 180:
            raise Problem("%s: longitude %s outside [-180, 180]" % (where, getattr(lon, "text", lon)))
        if not -90 <= lat <= 90:
            raise Problem("%s: latitude %s outside [-90, 90]" % (where, getattr(lat, "text", lat)))
        return p

    def line(self, coords, where, minimum):
        if not isinstance(coords, list) or len(coords) < minimum:
            raise Problem("%s: needs at least %d positions" % (where, minimum))
        for i, p in enumerate(coords):
            self.position(p, "%s position %d" % (where, i))
        for i in range(1, len(coords)):
            d = abs(coords[i][0] - coords[i - 1][0])
            if d > 180:
                raise Problem("%s: segment %d jumps %.9g degrees of longitude (%s -> %s): not cut at the antimeridian"
                              % (where, i - 1, d, json.dumps(coords[i - 1]), json.dumps(coords[i])))
        return coords

    @staticmethod
    def signed_area(ring):
        s = 0.0
        for i in range(len(ring) - 1):
            s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
        return s / 2

    def polygon(self, rings, where):
        if not isinstance(rings, list) or not rings:
            raise Problem("%s: a polygon needs at least one ring" % where)
        for r, ring in enumerate(rings):
            w = "%s ring %d" % (where, r)
            self.line(ring, w, 4)
            if list(ring[0]) != list(ring[-1]):
                raise Problem("%s: not closed (first %s, last %s)" % (w, json.dumps(ring[0]), json.dumps(ring[-1])))
            a = self.signed_area(ring)
            if a == 0:
                raise Problem("%s: zero area" % w)
            if r == 0 and a < 0:
                raise Problem("%s: exterior ring is clockwise (signed area %.9g)" % (w, a))
            if r > 0 and a > 0:
                raise Problem("%s: hole is counter-clockwise (signed area %.9g)" % (w, a))

    # --- geometries ------------------------------------------------------
    def geometry(self, g, where, depth=0):
        if g is None:
            return
        if not isinstance(g, dict):
            raise Problem("%s: geometry must be an object or null" % where)
        t = g.get("type")
        for bad in ("crs", "geometry", "properties", "features"):
            if bad in g:
                raise Problem("%s: %s has a forbidden member \"%s\"" % (where, t, bad))
        if "bbox" in g:
            self.bbox(g["bbox"], list(self.positions(g)), "%s bbox" % where)
        if t == "GeometryCollection":
            if "coordinates" in g:
                raise Problem("%s: GeometryCollection with \"coordinates\"" % where)
            gs = g.get("geometries")
            if not isinstance(gs, list):
                raise Problem("%s: GeometryCollection without a \"geometries\" array" % where)
            for i, m in enumerate(gs):
                if m is None:
                    raise Problem("%s: null member in a GeometryCollection" % where)
                self.geometry(m, "%s member %d" % (where, i), depth + 1)
            return
        if "geometries" in g:
            raise Problem("%s: %s with \"geometries\"" % (where, t))
        if "coordinates" not in g:
            raise Problem("%s: %s without \"coordinates\"" % (where, t))
        c = g["coordinates"]
        w = "%s %s" % (where, t)
        if t == "Point":
            self.position(c, w)
        elif t == "MultiPoint":
            if not isinstance(c, list):
                raise Problem("%s: coordinates must be an array" % w)
            for i, p in enumerate(c):
                self.position(p, "%s point %d" % (w, i))
        elif t == "LineString":
            self.line(c, w, 2)
        elif t == "MultiLineString":
            if not isinstance(c, list):
                raise Problem("%s: coordinates must be an array" % w)
            for i, l in enumerate(c):
                self.line(l, "%s line %d" % (w, i), 2)
        elif t == "Polygon":
            self.polygon(c, w)
        elif t == "MultiPolygon":
            if not isinstance(c, list):
                raise Problem("%s: coordinates must be an array" % w)
            for i, p in enumerate(c):
                self.polygon(p, "%s polygon %d" % (w, i))
        else:
            raise Problem("%s: unknown geometry type %s" % (where, json.dumps(t)))

    def positions(self, g):
        """Every position of a geometry (already checked or not)."""
        if g is None:
            return
        if g.get("type") == "GeometryCollection":
            for m in g.get("geometries") or []:
                yield from self.positions(m)
            return
        c = g.get("coordinates")

        def walk(x):
            if isinstance(x, list) and x and is_number(x[0]):
                yield x
            elif isinstance(x, list):
                for y in x:
                    yield from walk(y)
        yield from walk(c)

    def bbox(self, b, positions, where):
        if not isinstance(b, list) or len(b) != 4 or not all(is_number(v) and math.isfinite(v) for v in b):
            raise Problem("%s: must be 4 finite numbers, got %s" % (where, json.dumps(b)[:80]))
        w, s, e, n = b
        if s > n:
            raise Problem("%s: south %s > north %s" % (where, s, n))
        if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
            raise Problem("%s: %s outside the world" % (where, json.dumps(b)))
        for p in positions:
            x, y = p[0], p[1]
            inx = (w <= x <= e) if w <= e else (x >= w or x <= e)
            if not inx or not s <= y <= n:
                raise Problem("%s %s does not contain position %s" % (where, json.dumps(b), json.dumps(p)))

    # --- features --------------------------------------------------------
    def feature(self, f, where):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise Problem("%s: not a Feature object" % where)
        for bad in ("crs", "coordinates", "geometries", "features"):
            if bad in f:
                raise Problem("%s: Feature has a forbidden member \"%s\"" % (where, bad))
        if "geometry" not in f:
            raise Problem("%s: no \"geometry\" member" % where)
        if "properties" not in f:
            raise Problem("%s: no \"properties\" member" % where)
        if f["properties"] is not None and not isinstance(f["properties"], dict):
            raise Problem("%s: \"properties\" must be an object or null" % where)
        if "id" in f:
            if not (is_number(f["id"]) or isinstance(f["id"], str)):
                raise Problem("%s: id %s is neither a number nor a string" % (where, json.dumps(f["id"])))
        elif self.require_id:
            raise Problem("%s: no id" % where)
        self.geometry(f["geometry"], where)
        if "bbox" in f:
            self.bbox(f["bbox"], list(self.positions(f["geometry"])), "%s bbox" % where)
        elif self.require_bbox and f["geometry"] is not None:
            raise Problem("%s: no bbox" % where)

    def collection(self, d):
        if not isinstance(d, dict) or d.get("type") != "FeatureCollection":
            raise Problem("file: top level is not a FeatureCollection")
        for bad in ("crs", "coordinates", "geometries", "geometry", "properties"):
            if bad in d:
                raise Problem("file: FeatureCollection has a forbidden member \"%s\"" % bad)
        feats = d.get("features")
        if not isinstance(feats, list):
            raise Problem("file: \"features\" is not an array")
        for i, f in enumerate(feats):
            self.feature(f, "feature %d" % i)
        if "bbox" in d:
            allpos = [p for f in feats for p in self.positions(f["geometry"])]
            self.bbox(d["bbox"], allpos, "file: collection bbox")
        elif self.require_bbox:
            raise Problem("file: no collection bbox")
        return len(feats)


def main(argv):
    args = argv[1:]
    opts = {"precision": None, "require_id": False, "no_trailing_zeros": False, "require_bbox": False}
    seq = False
    path = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--precision":
            i += 1
            opts["precision"] = int(args[i])
        elif a == "--require-id":
            opts["require_id"] = True
        elif a == "--no-trailing-zeros":
            opts["no_trailing_zeros"] = True
        elif a == "--require-bbox":
            opts["require_bbox"] = True
        elif a == "--seq":
            seq = True
        elif a.startswith("-") and a != "-":
            print("usage: rfc7946_check.py FILE [--precision N] [--require-id] [--seq] [--no-trailing-zeros] [--require-bbox]")
            return 2
        else:
            path = a
        i += 1
    if path is None:
        print("usage: rfc7946_check.py FILE [--precision N] [--require-id] [--seq] [--no-trailing-zeros] [--require-bbox]")
        return 2
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    c = Checker(**opts)
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            raise Problem("file: starts with a UTF-8 BOM")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise Problem("file: not UTF-8 (%s)" % e)
        if seq:
            if not text.startswith("\x1e"):
                raise Problem("file: a GeoJSON text sequence must start with RS (0x1E)")
            records = text.split("\x1e")[1:]
            for i, r in enumerate(records):
                if not r.endswith("\n"):
                    raise Problem("feature %d: record does not end with LF" % i)
                try:
                    f = parse(r)
                except ValueError as e:
                    raise Problem("feature %d: invalid JSON: %s" % (i, e))
                c.feature(f, "feature %d" % i)
            n = len(records)
        else:
            try:
                d = parse(text)
            except ValueError as e:
                raise Problem("file: invalid JSON: %s" % e)
            n = c.collection(d)
    except Problem as e:
        print(e)
        return 1
    print("ok %d features" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
