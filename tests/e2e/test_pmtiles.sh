#!/usr/bin/env bash
# tiles -o NAME.pmtiles: PMTiles v3 archives, raster and vector, and `footprint
# serve` answering the byte ranges readers ask for.
#
# Independent checks, never footprint's own reading:
#   * the `pmtiles` npm library (the reader MapLibre and Leaflet use; installed
#     into tests/node by `make deps`) reads the header, the metadata and every
#     tile of every zoom (tests/tools/pmtiles_check.mjs), compared byte for byte
#     with the MBTiles file of the same options read by the sqlite3 shell;
#   * counts from the MBTiles file with sqlite3 (tiles, distinct blobs);
#   * the spec's rules (spec/v3/spec.md): header + root directory within the
#     first 16,384 bytes, clustered, gzip'd directories, tile type and compression;
#   * HTTP ranges with curl and Python slicing the file (RFC 9110 14).
. "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/tests/tools"
PY=/usr/bin/python3
CHECK="$TOOLS/pmtiles_check.mjs"

case_begin "prerequisites: node and the pmtiles npm library in tests/node (make deps), curl"
command -v node >/dev/null || fail "node not found (make deps)"
[ -f "$ROOT/tests/node/node_modules/pmtiles/package.json" ] || fail "tests/node/node_modules/pmtiles missing: run make deps"
command -v curl >/dev/null || fail "curl not found (make deps)"
case_end

DB=$WORK/s/fp.sqlite
fp_run "$DB" >/dev/null 2>&1 || echo "FAIL footprint run (the store for the PMTiles tests)"
# hdr KEY: a header field from the checker's output
hdr() { "$PY" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$(sed -n 's/^header //p' <<<"$CHECKED")" "$1" 2>/dev/null; }
meta() { "$PY" -c "import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print(v if isinstance(v, str) else json.dumps(v))" "$(sed -n 's/^metadata //p' <<<"$CHECKED")" "$1" 2>/dev/null; }

# ==============================================================================
case_begin "raster z0-4: the pmtiles library reads every tile, each equal to the MBTiles tile of the same options"
run --db "$DB" tiles --zoom 0-4 -o r.pmtiles
assert_eq 0 "$RC" "exit status ($OUT)"
run --db "$DB" tiles --zoom 0-4 --no-preview -o rm.mbtiles
CHECKED=$(node "$CHECK" r.pmtiles rm.mbtiles 2>&1)
n=$(sqlite3 rm.mbtiles "SELECT count(*) FROM tiles")
assert_eq "$((1 + 4 + 16 + 64 + 256))" "$n" "MBTiles tiles (sqlite3)"
assert_contains "$CHECKED" "tiles: $n in mbtiles, $n read, $n equal, 0 differ, 0 missing, 0 extra" "tiles"
case_end

case_begin "raster header: v3, PNG (2), tiles uncompressed (1), directories gzip (2), clustered, zooms, bounds, counts as MBTiles has them"
assert_eq "3 2 1 2 True 0 4" "$(hdr specVersion) $(hdr tileType) $(hdr tileCompression) $(hdr internalCompression) $(hdr clustered) $(hdr minZoom) $(hdr maxZoom)" "version, type, compressions, clustered, zooms"
assert_eq "$n" "$(hdr numAddressedTiles)" "addressed tiles = MBTiles tiles"
assert_eq "$(sqlite3 rm.mbtiles "SELECT count(DISTINCT tile_data) FROM tiles")" "$(hdr numTileContents)" "tile contents = distinct MBTiles blobs (sqlite3)"
entries=$(hdr numTileEntries)
[ "${entries:-0}" -gt 0 ] && [ "$entries" -lt "$n" ] || fail "run-length entries: $entries (of $n tiles: runs of the same sea tile share one)"
assert_eq "-180 -85.051129 180 85.051129" "$(hdr minLon) $(hdr minLat) $(hdr maxLon) $(hdr maxLat)" "bounds (Web Mercator's world)"
assert_eq "$(stat -c %s r.pmtiles)" "$(( $(hdr tileDataOffset) + $(hdr tileDataLength) ))" "the tile data ends the file"
assert_eq "127" "$(hdr rootDirectoryOffset)" "root directory right after the header"
[ $(( 127 + $(hdr rootDirectoryLength) )) -le 16384 ] || fail "header + root directory pass 16 KiB"
# the metadata: TileJSON fields
assert_eq "world-choropleth" "$(meta name)" "metadata name"
assert_eq "png" "$(meta format)" "metadata format"
assert_eq "[0, 20, 2]" "$(meta center)" "metadata center"
assert_eq "$(sqlite3 rm.mbtiles "SELECT value FROM metadata WHERE name='attribution'")" "$(meta attribution)" "attribution as in the MBTiles"
case_end

case_begin "raster preview: NAME.preview/ with index.html reading ../r.pmtiles through lib/pmtiles/pmtiles.js (the vendored file)"
assert_contains "$(cat r.preview/index.html)" "pmtiles.leafletRasterLayer(new pmtiles.PMTiles(new URL('../r.pmtiles'" "page"
assert_eq "$(sha256sum < "$ROOT/web/vendor/pmtiles/pmtiles.js")" "$(sha256sum < r.preview/lib/pmtiles/pmtiles.js)" "lib/pmtiles/pmtiles.js"
assert_contains "$(cat r.preview/tiles.json)" '"pmtiles://../r.pmtiles/{z}/{x}/{y}"' "tiles.json template"
case_end

case_begin "vector z0-4: every tile equal to the MBTiles one (inflated), MVT (1) gzip'd (2), vector_layers as in the MBTiles json"
run --db "$DB" tiles --zoom 0-4 --format mvt -o v.pmtiles
assert_eq 0 "$RC" "exit status ($OUT)"
run --db "$DB" tiles --zoom 0-4 --format mvt --no-preview -o vm.mbtiles
CHECKED=$(node "$CHECK" v.pmtiles vm.mbtiles 2>&1)
n=$(sqlite3 vm.mbtiles "SELECT count(*) FROM tiles")
assert_eq 341 "$n" "MBTiles tiles"
assert_contains "$CHECKED" "tiles: $n in mbtiles, $n read, $n equal, 0 differ, 0 missing, 0 extra" "tiles"
assert_eq "1 2 2" "$(hdr tileType) $(hdr tileCompression) $(hdr internalCompression)" "type and compressions"
assert_eq "$("$PY" -c "import json,sys; print(json.dumps(json.loads(sys.argv[1])['vector_layers']))" "$(sqlite3 vm.mbtiles "SELECT value FROM metadata WHERE name='json'")")" "$(meta vector_layers)" "vector_layers"
assert_contains "$(cat v.preview/index.html)" "maplibregl.addProtocol('pmtiles'" "MapLibre page with the pmtiles protocol"
case_end

# Vector tiles: the archive's directories do not depend on the tile format
# (raster archives are read tile by tile at z0-4 above), and z0-7 as MVT takes
# 2.2 CPU-s per archive where raster PNGs took 11.6 (twice in every check).
case_begin "z0-7 vector (21,845 tiles): the root would pass 16 KiB, so leaf directories; runs and shared contents; every tile still equal to the MBTiles one"
run --db "$DB" tiles --zoom 0-7 --format mvt --no-preview -o big.pmtiles
assert_eq 0 "$RC" "exit status ($OUT)"
run --db "$DB" tiles --zoom 0-7 --format mvt --no-preview -o big.mbtiles
CHECKED=$(node "$CHECK" big.pmtiles big.mbtiles 2>&1)
assert_contains "$CHECKED" "tiles: 21845 in mbtiles, 21845 read, 21845 equal, 0 differ, 0 missing, 0 extra" "tiles"
assert_eq "21845 1" "$(hdr numAddressedTiles) $(hdr tileType)" "addressed tiles, MVT"
# Fewer entries than tiles (runs of one content), fewer contents than entries
# (identical tiles stored once), as the spec's clustered archives have.
[ "$(hdr numTileEntries)" -lt 21845 ] 2>/dev/null || fail "no runs: $(hdr numTileEntries) entries"
[ "$(hdr numTileContents)" -lt "$(hdr numTileEntries)" ] 2>/dev/null || fail "no shared contents: $(hdr numTileContents) contents, $(hdr numTileEntries) entries"
[ "$(hdr leafDirectoryLength)" -gt 0 ] 2>/dev/null || fail "no leaf directories ($(hdr numTileEntries) entries)"
[ $(( 127 + $(hdr rootDirectoryLength) )) -le 16384 ] || fail "header + root directory pass 16 KiB"
case_end

case_begin "bad use: --resume with a .pmtiles is a usage error naming the file; an unwritable folder fails naming it; nothing left behind"
run --db "$DB" tiles --zoom 0-1 --resume -o r.pmtiles
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "r.pmtiles: --resume" "message"
mkdir ro && chmod 555 ro
run --db "$DB" tiles --zoom 0-1 -o ro/x.pmtiles
[ "$(id -u)" = 0 ] || { [ "$RC" = 1 ] || fail "unwritable folder: exit $RC"; assert_contains "$OUT" "ro/" "message names the folder"; }
chmod 755 ro
before=$(md5sum r.pmtiles)
run --db "$DB" tiles --zoom 0-2 --format jpeg -o r.pmtiles
assert_eq 2 "$RC" "unknown format"
assert_eq "$before" "$(md5sum r.pmtiles)" "the previous archive untouched"
assert_eq "" "$(find . -name '*.tmp-*' -o -name '*.partial')" "temporary files left"
case_end

# ==============================================================================
# serve: byte ranges.
serve() {
    "$FP" serve --port 0 "$1" > serve.out 2> serve.log &
    SERVE_PID=$!
    PORT=""
    for _ in $(seq 1 300); do
        PORT=$(grep -o '127\.0\.0\.1:[0-9]*' serve.out 2>/dev/null | head -1 | cut -d: -f2)
        [ -n "$PORT" ] && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
}
stop_serve() { kill -INT "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }
# slice FILE FIRST LAST: the bytes, hex, by Python
slice() { "$PY" -c "import sys; d=open(sys.argv[1],'rb').read(); print(d[int(sys.argv[2]):int(sys.argv[3])+1].hex())" "$@"; }
# get RANGE: status, Content-Range, Content-Length, Accept-Ranges of GET /r.pmtiles; body in body.bin
get() {
    curl -s -o body.bin -D head.txt ${1:+-H "Range: $1"} "http://127.0.0.1:$PORT/r.pmtiles"
    local st cr cl ar
    st=$(head -1 head.txt | cut -d' ' -f2)
    cr=$(grep -i '^content-range:' head.txt | cut -d' ' -f2- | tr -d '\r')
    cl=$(grep -i '^content-length:' head.txt | cut -d' ' -f2 | tr -d '\r')
    ar=$(grep -i '^accept-ranges:' head.txt | cut -d' ' -f2 | tr -d '\r')
    echo "$st|$cr|$cl|$ar"
}
size=$(stat -c %s r.pmtiles)

serve r.pmtiles
case_begin "serve NAME.pmtiles: the preview at /, the archive at /NAME.pmtiles (application/vnd.pmtiles, Accept-Ranges: bytes)"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
assert_contains "$(curl -s "http://127.0.0.1:$PORT/")" "../r.pmtiles" "the page"
# The served TileJSON names the archive absolutely: the pmtiles library
# resolves a relative one against the page that loads it (any page but the
# preview asked its own server for ../r.pmtiles).
assert_eq "pmtiles://http://127.0.0.1:$PORT/r.pmtiles/{z}/{x}/{y}" \
  "$(curl -s "http://127.0.0.1:$PORT/tiles.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["tiles"][0])')" "tiles.json's archive URL"
assert_eq "200||$size|bytes" "$(get)" "whole file"
assert_eq "$(md5sum < r.pmtiles)" "$(md5sum < body.bin)" "bytes"
assert_contains "$(cat head.txt)" "Content-Type: application/vnd.pmtiles" "type"
case_end

case_begin "Range: the header (bytes=0-126), an inner range, bytes=N- and bytes=-N: 206, Content-Range, exactly those bytes"
assert_eq "206|bytes 0-126/$size|127|bytes" "$(get bytes=0-126)" "header"
assert_eq "$(slice r.pmtiles 0 126)" "$(xxd -p body.bin | tr -d '\n')" "header bytes"
assert_eq "206|bytes 1000-1999/$size|1000|bytes" "$(get bytes=1000-1999)" "inner"
assert_eq "$(slice r.pmtiles 1000 1999)" "$(xxd -p body.bin | tr -d '\n')" "inner bytes"
assert_eq "206|bytes $((size - 10))-$((size - 1))/$size|10|bytes" "$(get bytes=$((size - 10))-)" "from an offset to the end"
assert_eq "$(slice r.pmtiles $((size - 10)) $((size - 1)))" "$(xxd -p body.bin | tr -d '\n')" "tail bytes"
assert_eq "206|bytes $((size - 5))-$((size - 1))/$size|5|bytes" "$(get bytes=-5)" "the last 5 bytes"
assert_eq "206|bytes 16000-$((size - 1))/$size|$((size - 16000))|bytes" "$(get bytes=16000-999999999)" "an end past the file is cut to it"
case_end

case_begin "Range: unsatisfiable or malformed -> 416 with Content-Range bytes */SIZE; several ranges -> 200 with the whole file"
for r in "bytes=$size-" "bytes=$((size + 5))-$((size + 9))" "bytes=9-2" "bytes=abc" "bytes=-0"; do
    assert_eq "416|bytes */$size|0|bytes" "$(get "$r")" "$r"
done
assert_eq "200||$size|bytes" "$(get "bytes=0-1,5-9")" "two ranges"
assert_eq "200||$size|bytes" "$(get "items=0-1")" "a unit other than bytes is ignored (RFC 9110 14.2)"
# HEAD with a range: the head of the 206, no body
h=$(curl -s -I -H "Range: bytes=0-9" "http://127.0.0.1:$PORT/r.pmtiles" | head -1 | cut -d' ' -f2)
assert_eq "206" "$h" "HEAD"
grep -q '"GET /r.pmtiles" 206' serve.log || fail "the access log shows no 206: $(tail -3 serve.log)"
stop_serve
case_end

# A name a URL would cut ('#') or misread ('%', a space): the preview's URL of it,
# resolved against the page's as a browser does (Python's urljoin), is the file.
"$FP" -q --db "$DB" tiles --zoom 0-1 -o 'v#1 %x.pmtiles' >/dev/null 2>&1 || echo "FAIL tiles into 'v#1 %x.pmtiles'"
serve .
case_begin "serve DIR: NAME.preview/index.html finds ../NAME.pmtiles; ranges on any file of the folder"
page_url="http://127.0.0.1:$PORT/$(python3 -c 'import urllib.parse; print(urllib.parse.quote("v#1 %x.preview"))')/index.html"
rel=$(grep -o "new URL('[^']*'" 'v#1 %x.preview/index.html' | sed "s/new URL('//; s/'$//")
archive_url=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urljoin(sys.argv[1], sys.argv[2]))' "$page_url" "$rel")
curl -s -o named.bin "$archive_url"
cmp -s named.bin 'v#1 %x.pmtiles' || fail "the preview's URL of 'v#1 %x.pmtiles' ($rel -> $archive_url) does not give the file"

assert_eq "206|bytes 0-6/$size|7|bytes" "$(get bytes=0-6)" "the archive"
assert_eq "PMTiles" "$(cat body.bin)" "magic"
assert_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/r.preview/index.html")" "the page"
stop_serve
case_end
