#!/usr/bin/env python3
"""Prints the features_count and index_node_size of a FlatGeobuf file's header.

Python standard library only, independent of GDAL and footprint: reads the
magic bytes, then the size-prefixed FlatBuffers `Header` table of
https://github.com/flatgeobuf/flatgeobuf/blob/master/src/fbs/header.fbs
(field 8 features_count: ulong; field 9 index_node_size: ushort, default 16;
0 means the file has no spatial index).

usage: fgb_header.py FILE   ->   "features_count=N index_node_size=M"
"""
import struct
import sys


def main(path):
    data = open(path, "rb").read()
    if data[:3] != b"fgb" or data[4:7] != b"fgb":
        print("not a FlatGeobuf file (magic %r)" % data[:8])
        return 1
    (hlen,) = struct.unpack_from("<I", data, 8)
    buf = data[12:12 + hlen]
    (root,) = struct.unpack_from("<I", buf, 0)
    (soff,) = struct.unpack_from("<i", buf, root)
    vt = root - soff
    vt_size, _ = struct.unpack_from("<HH", buf, vt)

    def field(i):
        pos = 4 + 2 * i
        if pos >= vt_size:
            return None
        (off,) = struct.unpack_from("<H", buf, vt + pos)
        return root + off if off else None

    p = field(8)
    count = struct.unpack_from("<Q", buf, p)[0] if p is not None else 0
    p = field(9)
    node = struct.unpack_from("<H", buf, p)[0] if p is not None else 16
    print("features_count=%d index_node_size=%d" % (count, node))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
