#!/usr/bin/python3
"""Independent expectations for `footprint tiles` (tests/e2e/test_tiles.sh).

  tile_check.py pixel DIR Z LON LAT [R]
      The tile of zoom Z holding LON, LAT and the pixel in it, from PROJ's
      `cs2cs EPSG:4326 EPSG:3857` (metres) and the XYZ scheme's arithmetic
      (256 px tiles, x from the west, y from the north). Prints
      "Z/X/Y PX PY #rrggbb" (the colour shared by most pixels within R px, default 0).

  tile_check.py list Z W S E N
      The tiles of zoom Z meeting the box, with the closed forms of the OSM
      wiki (x = floor((lon + 180) / 360 * 2^z), y from ln(tan(pi/4 + phi/2))),
      one "Z/X/Y" per line, sorted.

  tile_check.py files DIR EXT
      The tiles under DIR (Z/X/Y.EXT), one "Z/X/Y" per line, sorted.

  tile_check.py size FILE
      WIDTHxHEIGHT of a PNG (IHDR) or WebP (VP8/VP8L/VP8X header).

  tile_check.py mosaic DIR Z OUT.png [EXT]
      The tiles of zoom Z pasted into one image (Pillow), for pixel comparisons.

  tile_check.py same A.png B.png
      "same" if no pixel of the two images differs by more than 8 levels (of 255)
      in a channel, else the count of those that do.
"""
import math
import os
import struct
import subprocess
import sys
from collections import Counter

HALF = math.pi * 6378137.0


def merc(lon, lat):
    out = subprocess.run(["cs2cs", "-f", "%.6f", "EPSG:4326", "EPSG:3857"], input="%r %r\n" % (lat, lon),
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def pixel(d, z, lon, lat, r=0):
    from PIL import Image
    x, y = merc(lon, lat)
    size = 256 * 2 ** z
    wx = (x + HALF) / (2 * HALF) * size
    wy = (HALF - y) / (2 * HALF) * size
    tx, ty = int(wx // 256), int(wy // 256)
    px, py = int(wx - tx * 256), int(wy - ty * 256)
    im = Image.open(os.path.join(d, str(z), str(tx), "%d.png" % ty)).convert("RGB")
    c = Counter()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if 0 <= px + dx < im.width and 0 <= py + dy < im.height:
                c[im.getpixel((px + dx, py + dy))] += 1
    rgb = c.most_common(1)[0][0]
    print("%d/%d/%d %d %d #%02x%02x%02x" % (z, tx, ty, px, py, *rgb))


def tile_of(lon, lat, z):
    n = 2 ** z
    lat = max(-85.0511287798066, min(85.0511287798066, lat))
    x = int(math.floor((lon + 180) / 360 * n))
    phi = math.radians(lat)
    y = int(math.floor((1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2 * n))
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_list(z, w, s, e, n):
    x0, y0 = tile_of(w, n, z)
    x1, y1 = tile_of(e, s, z)
    # A box edge exactly on a tile edge does not take the next tile.
    nn = 2 ** z
    if x1 > x0 and (e + 180) / 360 * nn == x1:
        x1 -= 1
    return sorted("%d/%d/%d" % (z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))


def files(d, ext):
    out = []
    for z in os.listdir(d):
        if not z.isdigit():
            continue
        for x in os.listdir(os.path.join(d, z)):
            for f in os.listdir(os.path.join(d, z, x)):
                if f.endswith("." + ext) and not f.startswith("."):
                    out.append("%s/%s/%s" % (z, x, f[:-len(ext) - 1]))
    return sorted(out)


def size(path):
    b = open(path, "rb").read(64)
    if b[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", b[16:24])
        return "%dx%d" % (w, h)
    if b[:4] == b"RIFF" and b[8:12] == b"WEBP":
        kind = b[12:16]
        if kind == b"VP8 ":
            w, h = struct.unpack("<HH", b[26:30])
            return "%dx%d" % (w & 0x3fff, h & 0x3fff)
        if kind == b"VP8L":
            v = struct.unpack("<I", b[21:25])[0]
            return "%dx%d" % ((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1)
        if kind == b"VP8X":
            w = int.from_bytes(b[24:27], "little") + 1
            h = int.from_bytes(b[27:30], "little") + 1
            return "%dx%d" % (w, h)
    return "unknown"


def mosaic(d, z, out, ext="png"):
    from PIL import Image
    n = 2 ** z
    first = Image.open(os.path.join(d, str(z), "0", "0." + ext))
    t = first.width
    im = Image.new("RGB", (t * n, t * n))
    for x in range(n):
        for y in range(n):
            im.paste(Image.open(os.path.join(d, str(z), str(x), "%d.%s" % (y, ext))).convert("RGB"), (x * t, y * t))
    im.save(out)


def same(a, b):
    from PIL import Image, ImageChops
    A, B = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    if A.size != B.size:
        return "sizes differ %s %s" % (A.size, B.size)
    # Antialiasing at other device offsets may change a pixel by a few levels;
    # a symbol or line cut at a tile edge changes it by far more.
    diff = ImageChops.difference(A, B).convert("L").point(lambda v: 255 if v > 8 else 0)
    if diff.getbbox() is None:
        return "same"
    return "%d pixels differ by more than 8 levels" % (A.width * A.height - diff.histogram()[0])


def main(a):
    if a[1] == "pixel":
        pixel(a[2], int(a[3]), float(a[4]), float(a[5]), int(a[6]) if len(a) > 6 else 0)
    elif a[1] == "list":
        print("\n".join(tile_list(int(a[2]), *(float(v) for v in a[3:7]))))
    elif a[1] == "files":
        print("\n".join(files(a[2], a[3])))
    elif a[1] == "size":
        print(size(a[2]))
    elif a[1] == "mosaic":
        mosaic(a[2], int(a[3]), a[4], *(a[5:6]))
    elif a[1] == "same":
        print(same(a[2], a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
