#!/usr/bin/env bash
# `footprint serve`: files, MBTiles tiles (TMS flip, gzip'd vector tiles),
# content types, caching, conditional requests, error statuses, path
# traversal, keep-alive and a clean stop on SIGINT. Everything is checked
# with curl (and Python for raw sockets) against a server on a free port.
. "$(dirname "$0")/lib.sh"
SERVERS=""
trap 'for p in $SERVERS; do kill -9 $p 2>/dev/null; done; _fp_exit' EXIT

# ---------------------------------------------------------------- fixture
mkdir -p www/sub www/empty www/lib www/layers www/3/2 www/raster.preview www/tilesdir/0/0
PNG=/usr/share/javascript/leaflet/images/marker-icon.png
if [ ! -f "$PNG" ]; then  # a 1x1 PNG when Leaflet's images are not installed
    python3 -c "
import zlib,struct,sys
def ch(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d))
sys.stdout.buffer.write(b'\x89PNG\r\n\x1a\n'+ch(b'IHDR',struct.pack('>IIBBBBB',1,1,8,6,0,0,0))+ch(b'IDAT',zlib.compress(b'\0\0\0\0\0'))+ch(b'IEND',b''))" > tiny.png
    PNG=$PWD/tiny.png
fi
printf '<!doctype html><title>preview</title><p>footprint</p>\n' > www/index.html
printf '<p>sub</p>\n' > www/sub/index.html
printf '{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}\n' > www/layers/projects.geojson
printf '{"tilejson":"3.0.0","tiles":["tiles/{z}/{x}/{y}.png"]}\n' > www/tiles.json
printf '\x1e{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}\n' > www/layers/projects.geojsons
printf 'console.log("map");\n' > www/lib/app.js
printf 'body{margin:0}\n' > www/lib/app.css
printf 'SECRET=1\n' > www/.env
cp "$PNG" www/3/2/1.png
printf '\x1a\x03abc' > www/tilesdir/0/0/0.pbf          # a plain (uncompressed) pbf file
ln -s /etc www/etc                                    # a symlink out of the folder
ln -s /etc/passwd www/passwd.txt

# MBTiles 1.3: metadata and tiles, rows in TMS order (from the south).
printf '\x1a\x0bvector tile payload' > plain.pbf
gzip -n -c plain.pbf > tile.pbf.gz
sqlite3 www/raster.mbtiles <<SQL
CREATE TABLE metadata (name text, value text);
CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
INSERT INTO metadata VALUES ('name', 'raster'), ('format', 'png'), ('minzoom', '0'), ('maxzoom', '2');
INSERT INTO tiles VALUES (1, 0, 1, readfile('$PNG'));
SQL
sqlite3 www/vector.mbtiles <<SQL
CREATE TABLE metadata (name text, value text);
CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
INSERT INTO metadata VALUES ('name', 'vector'), ('format', 'pbf');
INSERT INTO tiles VALUES (2, 1, 2, readfile('tile.pbf.gz'));
INSERT INTO tiles VALUES (2, 0, 3, X'');
SQL
printf '<p>raster preview</p>\n' > www/raster.preview/index.html

# ---------------------------------------------------------------- helpers
# start_server NAME ARGS...: runs `footprint serve --port 0 ARGS` with
# stdout/stderr in NAME.out/NAME.err; sets PID and PORT (empty on failure).
start_server() {
    local name=$1
    shift
    "$FP" serve --port 0 "$@" >"$name.out" 2>"$name.err" &
    PID=$!
    SERVERS="$SERVERS $PID"
    PORT=""
    for _ in $(seq 1 600); do          # the URL line itself, bounded at 30 s
        PORT=$(sed -n 's|^serving .* on http://127\.0\.0\.1:\([0-9][0-9]*\)/ (Ctrl-C to stop)$|\1|p' "$name.out")
        [ -n "$PORT" ] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    URL="http://127.0.0.1:$PORT"
}
# stop_server SIGNAL: sends it and waits up to 20 s (a loaded machine); sets
# STOP_RC ("timeout" if still running).
stop_server() {
    kill -"$1" "$PID" 2>/dev/null
    STOP_RC=timeout
    for _ in $(seq 1 400); do
        if ! kill -0 "$PID" 2>/dev/null; then wait "$PID"; STOP_RC=$?; return; fi
        sleep 0.05
    done
    kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
}
# get URL [CURL OPTIONS]: body in body.out, headers in hdr.out, status in $CODE.
get() {
    local url=$1
    shift
    rm -f body.out hdr.out
    CODE=$(curl -sS --max-time 10 -o body.out -D hdr.out -w '%{http_code}' "$@" "$url" 2>curl.err)
    touch body.out hdr.out
}
# header NAME: the value of a response field from hdr.out.
header() { grep -i "^$1:" hdr.out | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# ---------------------------------------------------------------- a folder
case_begin "serve DIR prints its URL on stdout and answers"
start_server s1 www
assert_contains "$(cat s1.out)" "serving www on http://127.0.0.1:" "ready line"
[ -n "$PORT" ] || fail "no port read from: $(cat s1.out) $(cat s1.err)"
get "$URL/"
assert_eq 200 "$CODE" "GET /"
cmp -s body.out www/index.html || fail "/ is not index.html: $(head -c 200 body.out)"
assert_eq "text/html; charset=utf-8" "$(header Content-Type)" "type of /"
assert_eq "$(stat -c %s www/index.html)" "$(header Content-Length)" "Content-Length"
assert_eq "no-cache" "$(header Cache-Control)" "html is revalidated"
# A page is not map data: no CORS (below: the GeoJSON layer is).
assert_eq "" "$(header Access-Control-Allow-Origin)" "no CORS on a page"
get "$URL/layers/projects.geojson" -H "Origin: http://example.org"
assert_eq 200 "$CODE" "GET a layer"
assert_eq "*" "$(header Access-Control-Allow-Origin)" "CORS on a layer"
assert_contains "$(header Access-Control-Expose-Headers)" "ETag, Content-Range" "headers a page of another origin may read"
# A browser's CORS preflight (a page of another origin sending If-None-Match or Range).
get "$URL/layers/projects.geojson" -X OPTIONS -H "Origin: http://example.org" -H "Access-Control-Request-Method: GET" -H "Access-Control-Request-Headers: range, if-none-match"
assert_eq "204 0" "$CODE $(wc -c < body.out)" "OPTIONS: 204, no body"
assert_eq "HTTP/1.1 204 No Content" "$(head -1 hdr.out | tr -d '\r')" "status line"
assert_eq "" "$(header Content-Length)" "no Content-Length on a 204 (RFC 9110 8.6)"
assert_eq "GET, HEAD, OPTIONS" "$(header Access-Control-Allow-Methods)" "methods allowed"
assert_contains "$(header Access-Control-Allow-Headers)" "Range, If-None-Match" "headers allowed"
get "$URL/" -H "Origin: http://example.org"
assert_eq 200 "$CODE" "the next request on a fresh connection"
assert_eq "nosniff" "$(header X-Content-Type-Options)" "nosniff"
[ -n "$(header ETag)" ] || fail "no ETag"
[ -n "$(header Last-Modified)" ] || fail "no Last-Modified"
case_end

case_begin "content types, bytes and cache policy of files"
get "$URL/layers/projects.geojson"
assert_eq 200 "$CODE" "geojson status"
assert_eq "application/geo+json" "$(header Content-Type)" "geojson type"
cmp -s body.out www/layers/projects.geojson || fail "geojson bytes differ"
get "$URL/layers/projects.geojsons"
assert_eq "200 application/geo+json-seq" "$CODE $(header Content-Type)" "GeoJSON text sequence (RFC 8142)"
get "$URL/tiles.json"
assert_eq "200 application/json no-cache" "$CODE $(header Content-Type) $(header Cache-Control)" "tiles.json"
get "$URL/lib/app.js"
assert_eq "200 text/javascript" "$CODE $(header Content-Type)" "js"
assert_eq "public, max-age=3600" "$(header Cache-Control)" "lib assets are cached"
get "$URL/lib/app.css"
assert_eq "200 text/css" "$CODE $(header Content-Type)" "css"
get "$URL/3/2/1.png"
assert_eq "200 image/png" "$CODE $(header Content-Type)" "directory tile"
assert_eq "public, max-age=3600" "$(header Cache-Control)" "tiles are cached"
cmp -s body.out "$PNG" || fail "tile bytes differ from the file"
get "$URL/tilesdir/0/0/0.pbf" -H 'Accept-Encoding: gzip'
assert_eq "200 application/vnd.mapbox-vector-tile" "$CODE $(header Content-Type)" "plain pbf file"
assert_eq "" "$(header Content-Encoding)" "a plain pbf file is sent as it is"
cmp -s body.out www/tilesdir/0/0/0.pbf || fail "pbf file bytes differ"
case_end

case_begin "folders: index.html, redirect to the final slash, no listings"
get "$URL/sub/"
assert_eq 200 "$CODE" "/sub/"
cmp -s body.out www/sub/index.html || fail "/sub/ is not sub/index.html"
get "$URL/sub"
assert_eq "301 /sub/" "$CODE $(header Location)" "/sub redirects"
get "$URL//sub" --path-as-is
assert_eq "301 /sub/" "$CODE $(header Location)" "//sub redirects to /sub/, not to the site //sub/ (protocol-relative: an open redirect)"
get "$URL/sub?z=4&layer=a%20b#top"
assert_eq "301 /sub/?z=4&layer=a%20b" "$CODE $(header Location)" "the query goes along with the redirect, the fragment stays with the browser"
get "$URL/empty/"
assert_eq 404 "$CODE" "a folder without index.html"
get "$URL/nothing.html"
assert_eq 404 "$CODE" "a missing file"
case_end

case_begin "MBTiles next to the folder: NAME/z/x/y with the TMS row flip"
get "$URL/raster/1/0/0.png"
assert_eq "200 image/png" "$CODE $(header Content-Type)" "tile 1/0/0 (stored at row 1)"
cmp -s body.out "$PNG" || fail "MBTiles tile bytes differ"
assert_eq "public, max-age=3600" "$(header Cache-Control)" "cache"
get "$URL/raster/1/0/1.png"
assert_eq 404 "$CODE" "the unflipped row is not a tile"
get "$URL/raster/2/0/0.png"
assert_eq 404 "$CODE" "a missing tile"
get "$URL/raster/1/5/0.png"
assert_eq 404 "$CODE" "an address outside zoom 1"
get "$URL/nosuch/1/0/0.png"
assert_eq 404 "$CODE" "no such MBTiles"
# What NAME.preview/index.html asks for (tiles/ next to it): NAME.mbtiles's tiles.
get "$URL/raster.preview/tiles/1/0/0.png"
assert_eq "200 image/png" "$CODE $(header Content-Type)" "the preview's tile 1/0/0"
cmp -s body.out "$PNG" || fail "the preview's tile bytes differ"
get "$URL/raster.preview/tiles/2/0/0.png"
assert_eq 404 "$CODE" "a missing tile through the preview's path"
case_end

case_begin "gzip'd vector tiles: Content-Encoding gzip, or inflated for clients without gzip"
get "$URL/vector/2/1/1.pbf" -H 'Accept-Encoding: gzip, deflate'
assert_eq "200 application/vnd.mapbox-vector-tile" "$CODE $(header Content-Type)" "status and type"
assert_eq "gzip" "$(header Content-Encoding)" "Content-Encoding"
cmp -s body.out tile.pbf.gz || fail "gzip'd bytes differ from the stored blob"
get "$URL/vector/2/1/1.pbf" --compressed
cmp -s body.out plain.pbf || fail "curl --compressed does not get the tile back"
get "$URL/vector/2/1/1.pbf"
assert_eq "200" "$CODE" "without Accept-Encoding"
assert_eq "" "$(header Content-Encoding)" "no Content-Encoding"
cmp -s body.out plain.pbf || fail "inflated bytes differ"
assert_eq "Accept-Encoding" "$(header Vary)" "Vary"
# An empty tile stored as 0 bytes (older footprint archives): a tile all the
# same, 200 with an empty body, not a 404 inside the bounds.
get "$URL/vector/2/0/0.pbf" -H 'Accept-Encoding: gzip'
assert_eq "200 0" "$CODE $(wc -c < body.out)" "a 0-byte tile row"
case_end

case_begin "conditional requests: If-None-Match and If-Modified-Since give 304"
get "$URL/layers/projects.geojson"
etag=$(header ETag)
lm=$(header Last-Modified)
get "$URL/layers/projects.geojson" -H "If-None-Match: $etag"
assert_eq 304 "$CODE" "matching ETag"
assert_eq 0 "$(stat -c %s body.out)" "304 has no body"
assert_eq "$etag" "$(header ETag)" "304 repeats the ETag"
get "$URL/layers/projects.geojson" -H "If-None-Match: \"other\", W/$etag"
assert_eq 304 "$CODE" "weak match in a list"
get "$URL/layers/projects.geojson" -H 'If-None-Match: "other"'
assert_eq 200 "$CODE" "another ETag"
get "$URL/layers/projects.geojson" -H "If-Modified-Since: $lm"
assert_eq 304 "$CODE" "If-Modified-Since"
get "$URL/raster/1/0/0.png"
tetag=$(header ETag)
get "$URL/raster/1/0/0.png" -H "If-None-Match: $tetag"
assert_eq 304 "$CODE" "MBTiles tile ETag"
case_end

case_begin "path traversal and symlinks out of the folder: never a file from outside"
for path in "/../etc/passwd" "/../../../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd" \
    "/sub/..%2f..%2fetc/passwd" "/..%5c..%5cetc%5cpasswd" "/etc/passwd" "/passwd.txt" "/etc/" "/.env" "/%00/index.html"; do
    get "$URL$path" --path-as-is
    [ "$CODE" = 200 ] && fail "$path: 200"
    [ "$CODE" = 000 ] && fail "$path: no answer"
    grep -q 'root:' body.out && fail "$path: passwd bytes served"
done
get "$URL/../etc/passwd" --path-as-is
assert_eq 400 "$CODE" "a '..' segment"
get "$URL/%2e%2e/etc/passwd" --path-as-is
assert_eq 400 "$CODE" "an encoded '..'"
get "$URL/etc/passwd"
assert_eq 404 "$CODE" "a symlink to /etc"
get "$URL/a%00b"
assert_eq 400 "$CODE" "%00"
get "$URL/a%zzb"
assert_eq 400 "$CODE" "a bad escape"
case_end

case_begin "bad requests: 431 for a 20 KB header, 405 with Allow for POST, 505 for HTTP/2.0"
get "$URL/" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' x)"
assert_eq 431 "$CODE" "20 KB header"
get "$URL/" -X POST -d 'a=1'
assert_eq 405 "$CODE" "POST"
assert_eq "GET, HEAD, OPTIONS" "$(header Allow)" "Allow"
get "$URL/" -X DELETE
assert_eq 405 "$CODE" "DELETE"
got=$(python3 - "$PORT" <<'P'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n")
print(s.recv(100).split(b"\r\n")[0].decode())
P
)
assert_eq "HTTP/1.1 505 HTTP Version Not Supported" "$got" "HTTP/2.0"
get "$URL/$(head -c 3000 /dev/zero | tr '\0' a)"
assert_eq 414 "$CODE" "a path longer than 2 KiB"
case_end

case_begin "HEAD: the GET headers without a body"
rm -f body.out
CODE=$(curl -sS -I -o hdr.out -w '%{http_code}' "$URL/layers/projects.geojson")
assert_eq 200 "$CODE" "HEAD status"
assert_eq "$(stat -c %s www/layers/projects.geojson)" "$(header Content-Length)" "Content-Length of the file"
assert_eq "application/geo+json" "$(header Content-Type)" "type"
# On a raw socket: nothing may follow the head (or a keep-alive client would
# take it for the next response).
got=$(python3 - "$PORT" <<'P'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
head, _, rest = data.partition(b"\r\n\r\n")
print(len(rest))
P
)
assert_eq 0 "$got" "bytes after the HEAD response head"
case_end

case_begin "keep-alive and pipelining: several requests on one connection"
out=$(curl -sS -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/" "$URL/tiles.json" "$URL/raster/1/0/0.png")
assert_eq "1 0 0 " "$out" "connections opened per request"
got=$(python3 - "$PORT" <<'P'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /sub/ HTTP/1.1\r\nHost: localhost\r\n\r\nGET /tiles.json HTTP/1.1\r\nHost: localhost\r\n\r\n"
          b"GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
import re
print(" ".join(m.decode() for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)))
P
)
assert_eq "200 200 404" "$got" "three pipelined responses in order"
got=$(python3 - "$PORT" <<'P'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
print(data.split(b"\r\n")[0].decode(), b"\r\nConnection: close\r\n" in data)
P
)
assert_eq "HTTP/1.1 200 OK True" "$got" "HTTP/1.0 without keep-alive is answered and closed"
case_end

case_begin "concurrency: an idle connection does not hold up others; 24 parallel requests"
python3 - "$PORT" > idle.out <<'P' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\n")   # half a request, then silence
print("idle", flush=True)
time.sleep(60)
P
idle=$!
# the idle connection must be open before the others start (bounded at 30 s)
for _ in $(seq 1 300); do grep -q idle idle.out 2>/dev/null && break; sleep 0.1; done
grep -q idle idle.out || fail "the idle connection was not opened within 30 s"
pids=""
for i in $(seq 1 24); do
    curl -sS --max-time 10 -o "par$i.png" -w '%{http_code}\n' "$URL/raster/1/0/0.png" > "par$i.code" &
    pids="$pids $!"
done
wait $pids
ok=0
for i in $(seq 1 24); do
    [ "$(cat par$i.code)" = 200 ] && cmp -s "par$i.png" "$PNG" && ok=$((ok + 1))
done
assert_eq 24 "$ok" "parallel tiles answered whole"
kill $idle 2>/dev/null
wait $idle 2>/dev/null
case_end

case_begin "a large file arrives whole, also to a slow reader"
python3 -c "
import random
r = random.Random(5)
open('www/layers/big.geojson', 'wb').write(bytes(r.getrandbits(8) for _ in range(3 * 1024 * 1024)))"
get "$URL/layers/big.geojson"
assert_eq 200 "$CODE" "status"
cmp -s body.out www/layers/big.geojson || fail "3 MB file differs"
rm -f body.out
curl -sS --max-time 20 --limit-rate 2M -o body.out "$URL/layers/big.geojson"
cmp -s body.out www/layers/big.geojson || fail "3 MB file to a rate-limited client differs"
case_end

case_begin "garbage, half requests and clients leaving mid-response do not stop the server"
python3 - "$PORT" <<'P'
import random, socket, sys
port = int(sys.argv[1])
r = random.Random(11)
seeds = [b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", b"HEAD /raster/1/0/0.png HTTP/1.0\r\n\r\n",
         b"GET /%2e%2e/x HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: *\r\n\r\n"]
for i in range(300):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    b = bytearray(r.choice(seeds))
    for _ in range(r.randint(0, 6)):
        k = r.randrange(len(b) + 1)
        op = r.randrange(3)
        if op == 0 and k < len(b): b[k] = r.randrange(256)
        elif op == 1: b[k:k] = bytes([r.randrange(256)])
        else: del b[k:k + r.randint(1, 4)]
    if i % 10 == 0: b = bytes(r.randrange(256) for _ in range(r.randint(1, 3000)))
    try:
        s.sendall(bytes(b))
        if i % 3 == 0: s.recv(10)       # read a little, then leave
    except OSError:
        pass
    s.close()
# A client that asks for the big file and leaves without reading it.
for i in range(5):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /layers/big.geojson HTTP/1.1\r\nHost: localhost\r\n\r\n")
    s.recv(100)
    s.close()
P
kill -0 "$PID" 2>/dev/null || fail "the server died"
get "$URL/"
assert_eq 200 "$CODE" "still answering"
case_end

case_begin "access log: one line per request on stderr"
assert_contains "$(cat s1.err)" '127.0.0.1 "GET /" 200' "a 200"
assert_contains "$(cat s1.err)" '"GET /raster/1/0/1.png" 404' "a 404"
assert_contains "$(cat s1.err)" '"POST /" 405' "a 405"
assert_contains "$(cat s1.err)" "\"GET /layers/projects.geojson\" 200 $(stat -c %s www/layers/projects.geojson)" "bytes"
case_end

case_begin "SIGINT stops the server within 2 s with status 0"
stop_server INT
assert_eq 0 "$STOP_RC" "exit status after SIGINT"
curl -sS --max-time 2 -o /dev/null "$URL/" 2>/dev/null && fail "still answering"
case_end

# ------------------------------------------------------ FILE.mbtiles
case_begin "tiles.json and style.json served with absolute URLs (TileJSON 3.0.0: endpoints MUST be absolute); each answers 200"
# A page elsewhere (another path or origin) that names style.json resolves a relative
# "tiles.json" or "{z}/{x}/{y}.pbf" against itself, not the file (MapLibre, OpenLayers).
# Here the folder the tiles command wrote, served below www/: every URL in the served files
# is absolute, on this server, and fetched by curl.
fp_init tj.sqlite && printf 'id,name,category,lon,lat\n1,a,x,10,10\n' > tj.csv && "$FP" -q --db tj.sqlite import tj.csv
"$FP" -q --db tj.sqlite tiles --style category-points --format mvt --zoom 0-1 -o "www/my vec"
cp "www/my vec/tiles.json" tiles.disk.json
start_server s5 -q www
urls=$(curl -s "$URL/my%20vec/tiles.json" | python3 -c "import json,sys; print('\n'.join(json.load(sys.stdin)['tiles']))"
       curl -s "$URL/my%20vec/style.json" | python3 -c "import json,sys; print('\n'.join(s['url'] for s in json.load(sys.stdin)['sources'].values()))")
assert_eq "$URL/my%20vec/{z}/{x}/{y}.pbf
$URL/my%20vec/tiles.json" "$urls" "the served URLs"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/my%20vec/0/0/0.pbf")" "the tile template's z0 tile"
# Behind a TLS proxy that says so: https URLs (an https page refuses http ones).
assert_eq "https://127.0.0.1:$PORT/my%20vec/{z}/{x}/{y}.pbf" "$(curl -s -H 'X-Forwarded-Proto: https' "$URL/my%20vec/tiles.json" | python3 -c "import json,sys; print(json.load(sys.stdin)['tiles'][0])")" "X-Forwarded-Proto: https"
# Without a plain Host (HTTP/1.0 without one), the file as it is on disk.
curl -s -0 -H 'Host:' "$URL/my%20vec/tiles.json" > tj.noh.json
cmp -s tj.noh.json tiles.disk.json || fail "without a Host the file should go out as written"
cmp -s "www/my vec/tiles.json" tiles.disk.json || fail "the file on disk changed"
stop_server TERM
case_end

case_begin "serve FILE.mbtiles: tiles at /tiles/z/x/y, the folder FILE.preview at /"
start_server s2 --quiet www/raster.mbtiles
[ -n "$PORT" ] || fail "no port: $(cat s2.out s2.err)"
assert_contains "$(cat s2.out)" "serving www/raster.mbtiles on http://127.0.0.1:" "ready line"
get "$URL/tiles/1/0/0.png"
assert_eq "200 image/png" "$CODE $(header Content-Type)" "tile"
cmp -s body.out "$PNG" || fail "tile bytes differ"
get "$URL/tiles/1/0/1.png"
assert_eq 404 "$CODE" "unflipped row"
get "$URL/tiles/0/0/0.png"
assert_eq 404 "$CODE" "missing tile"
get "$URL/"
assert_eq 200 "$CODE" "the preview folder"
cmp -s body.out www/raster.preview/index.html || fail "/ is not raster.preview/index.html"
get "$URL/../index.html" --path-as-is
assert_eq 400 "$CODE" "no way up from the preview folder"
get "$URL/index.html"
[ "$(cat body.out)" = "$(cat www/index.html)" ] && fail "the parent folder is reachable"
assert_eq "" "$(cat s2.err)" "--quiet: no access log"
stop_server TERM
assert_eq 0 "$STOP_RC" "exit status after SIGTERM"
case_end

case_begin "serve FILE.mbtiles without a preview folder serves only the tiles"
cp www/vector.mbtiles alone.mbtiles
start_server s3 -q alone.mbtiles
get "$URL/tiles/2/1/1.pbf" -H 'Accept-Encoding: gzip'
assert_eq "200 gzip" "$CODE $(header Content-Encoding)" "vector tile"
cmp -s body.out tile.pbf.gz || fail "bytes differ"
get "$URL/"
assert_eq 404 "$CODE" "no preview folder"
stop_server INT
assert_eq 0 "$STOP_RC" "exit status"
case_end

# ------------------------------------------------------------ errors
case_begin "errors: a missing folder, not an MBTiles file, a bad port, a port in use"
run serve --port 0 no-such-folder
assert_eq 1 "$RC" "missing folder: status"
assert_contains "$OUT" "no-such-folder: No such file or directory" "missing folder: message"
echo "not sqlite" > fake.mbtiles
run serve --port 0 fake.mbtiles
assert_eq 1 "$RC" "fake MBTiles: status"
assert_contains "$OUT" "fake.mbtiles: not an MBTiles file" "fake MBTiles: message"
echo "not an archive" > fake.pmtiles
OUT=$(timeout 10 "$FP" serve --port 0 fake.pmtiles 2>&1); RC=$?
assert_eq 1 "$RC" "fake PMTiles: status (124: it started and served the garbage)"
assert_contains "$OUT" "fake.pmtiles: not a PMTiles archive" "fake PMTiles: message"
run serve --port 0 www/index.html
assert_eq 2 "$RC" "a plain file: status"
assert_contains "$OUT" "not a folder, an .mbtiles or a .pmtiles file" "a plain file: message"
run serve --port 70000 www
assert_eq 2 "$RC" "bad port: status"
assert_contains "$OUT" "--port '70000'" "bad port: message"
run serve www www
assert_eq 2 "$RC" "two roots: status"
start_server s4 -q www
busy=$PORT
run serve --port "$busy" www
assert_eq 1 "$RC" "port in use: status"
assert_contains "$OUT" "cannot listen on 127.0.0.1 port $busy" "port in use: message"
stop_server INT
assert_eq 0 "$STOP_RC" "the first server stops cleanly"
run help serve
assert_contains "$OUT" "usage: footprint serve [--port N] [--host ADDR]" "help"
case_end

case_begin "what a web site may read: map data (tiles, TileJSON, GeoJSON) from any origin, a store or a CSV from none; a Host that is not the loopback's (DNS rebinding) is refused"
# Before: Access-Control-Allow-Origin: * on every response, the store included,
# and any Host answered.
mkdir -p sec/output sec/layers
cp www/index.html sec/ && echo '{"type":"FeatureCollection","features":[]}' > sec/layers/l.geojson
printf 'SQLite format 3\000secret' > sec/output/footprint.sqlite
printf 'name,salary\nalice,1\n' > sec/people.csv
start_server s9 sec
for p in /output/footprint.sqlite /people.csv /index.html; do
    get "$URL$p" -H "Origin: https://evil.example"
    assert_eq 200 "$CODE" "$p served (same origin)"
    assert_eq "" "$(header Access-Control-Allow-Origin)" "$p: no CORS, a page of another origin cannot read it"
done
get "$URL/layers/l.geojson" -H "Origin: https://evil.example"
assert_eq "200 *" "$CODE $(header Access-Control-Allow-Origin)" "a GeoJSON layer: any origin"
# DNS rebinding: evil.example resolved to 127.0.0.1, so the browser sends its Host.
get "$URL/output/footprint.sqlite" -H "Host: evil.example:$PORT"
assert_eq 403 "$CODE" "a foreign Host on the loopback listener"
for h in "localhost:$PORT" "127.0.0.1:$PORT" "LOCALHOST"; do
    get "$URL/index.html" -H "Host: $h"
    assert_eq 200 "$CODE" "Host $h"
done
# A Host serve cannot read as one host[:port] is no way round it (the review:
# an underscore, 300 bytes), nor is leaving it out of an HTTP/1.1 request.
long=$(printf 'a%.0s' $(seq 300))
for h in "a_b.evil.example:$PORT" "$long.example"; do
    get "$URL/output/footprint.sqlite" -H "Host: $h"
    assert_eq 403 "$CODE" "Host ${h:0:20}...: refused"
done
get "$URL/index.html" -H "Host:"
assert_eq 400 "$CODE" "HTTP/1.1 without a Host (400, as RFC 9112 says)"
get "$URL/index.html" -0 -H "Host:"
assert_eq 200 "$CODE" "HTTP/1.0 without a Host"
stop_server INT
# --allow-host: a reverse proxy's public name.
start_server s11 sec --allow-host maps.example.org,other.example
get "$URL/index.html" -H "Host: maps.example.org"
assert_eq 200 "$CODE" "an allowed name"
get "$URL/index.html" -H "Host: other.example:8443"
assert_eq 200 "$CODE" "the second allowed name, with a port"
get "$URL/index.html" -H "Host: evil.example"
assert_eq 403 "$CODE" "any other name"
stop_server INT
# Another loopback address is this machine too: the same rule.
"$FP" serve --port 0 --host 127.0.0.2 sec > s12.out 2>&1 & PID=$!
for _ in $(seq 1 200); do port2=$(sed -n 's|^serving .* on http://127\.0\.0\.2:\([0-9]*\)/.*|\1|p' s12.out); [ -n "$port2" ] && break; sleep 0.05; done
get "http://127.0.0.2:$port2/index.html" -H "Host: evil.example"
assert_eq 403 "$CODE" "127.0.0.2: a foreign Host refused"
get "http://127.0.0.2:$port2/index.html"
assert_eq 200 "$CODE" "127.0.0.2: its own address as Host"
stop_server INT
case_end

case_begin "slow clients do not lock others out: 200 half-sent request heads from one address, and requests still answered at once"
# Before: 128 slots, each held for up to 10 s by a head trickling in; the
# 129th client waited for a slot (the review's slowloris: 5 of 9 requests
# timed out at 3 s). Now the longest-waiting head gives way, one address
# at most 32 slots.
mkdir -p slow && echo hello > slow/index.html
start_server s10 slow
res=$(python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
t0 = time.time()
for _ in range(200):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")      # never finished
        held.append(s)
    except OSError:
        pass            # a full backlog: the old server stopped accepting at 128
    if time.time() - t0 > 3: break
ok = 0
for _ in range(5):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=3)
        c.sendall(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = c.recv(4096)
            if not d: break
            data += d
        ok += data.startswith(b"HTTP/1.1 200") and data.endswith(b"hello\n")
        c.close()
    except OSError:
        pass
print(ok)
PY
)
assert_eq 5 "$res" "requests answered with 200 within 3 s each"
stop_server INT
assert_eq 0 "$STOP_RC" "the server stops cleanly"
case_end
