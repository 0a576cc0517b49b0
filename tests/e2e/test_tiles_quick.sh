#!/usr/bin/env bash
# tiles and serve on a tiny store, quick enough to run under valgrind too
# (`make valgrind` lists it): raster tiles into a folder and an MBTiles file,
# vector tiles, WebP, a resume, and a few requests to `footprint serve` with
# a clean SIGINT shutdown. Expected counts by arithmetic (tiles of z0-1: 1 + 4),
# HTTP statuses per the serve contract, bytes compared with cmp.
. "$(dirname "$0")/lib.sh"
DB=$WORK/q/fp.sqlite
cat > p.csv <<'CSV'
id,company,category,lon,lat
1,A,5g,36.8172,-1.2864
2,B,data_centre,-0.1276,51.5072
3,C,surveillance,139.6917,35.6895
CSV
fp_init "$DB" >/dev/null 2>&1
"$FP" -q --db "$DB" import p.csv >/dev/null 2>&1
"$FP" -q --db "$DB" aggregate --by country --group category --snap-km 0 >/dev/null 2>&1

case_begin "raster z0-1 into a folder and an MBTiles file: 5 tiles each, the same bytes"
run --db "$DB" tiles --zoom 0-1 --threads 2 -o t
assert_eq 0 "$RC" "folder ($OUT)"
assert_eq 5 "$(find t -path 't/[0-9]*' -name '*.png' | wc -l)" "tiles in the folder"
run --db "$DB" tiles --zoom 0-1 --no-preview -o t.mbtiles
assert_eq 0 "$RC" "MBTiles ($OUT)"
assert_eq 5 "$(sqlite3 t.mbtiles 'SELECT count(*) FROM tiles')" "tiles in the MBTiles file"
sqlite3 t.mbtiles "SELECT writefile('a.png', tile_data) FROM tiles WHERE zoom_level=1 AND tile_column=1 AND tile_row=0" >/dev/null
cmp -s a.png t/1/1/1.png || fail "MBTiles 1/1/row 0 differs from the folder's 1/1/1.png"
case_end

case_begin "vector z0-1 and WebP z0; --resume adds a deleted tile only"
run --db "$DB" tiles --zoom 0-1 --format mvt -o v
assert_eq 0 "$RC" "mvt ($OUT)"
assert_eq 5 "$(find v -path 'v/[0-9]*' -name '*.pbf' | wc -l)" "vector tiles"
run --db "$DB" tiles --zoom 0 --format webp --no-preview -o w
assert_eq 0 "$RC" "webp ($OUT)"
assert_eq "RIFF" "$(head -c 4 w/0/0/0.webp)" "WebP signature"
cp t/1/0/1.png saved.png && rm t/1/0/1.png
run --db "$DB" tiles --zoom 0-1 --resume -o t
assert_contains "$OUT" "5 tiles (1 written, 4 already there" "resume summary"
cmp -s saved.png t/1/0/1.png || fail "the re-drawn tile differs"
case_end

case_begin "serve: index, a tile, a missing tile, a traversal, then SIGINT -> exit 0"
"$FP" serve --port 0 --quiet t > serve.out 2> serve.err &
pid=$!
port=""
for _ in $(seq 1 300); do
    port=$(grep -o '127\.0\.0\.1:[0-9]*' serve.out 2>/dev/null | head -1 | cut -d: -f2)
    [ -n "$port" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || fail "serve did not start: $(cat serve.err)"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" "/"
curl -s -o got.png "http://127.0.0.1:$port/1/0/0.png"
cmp -s got.png t/1/0/0.png || fail "tile bytes"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/5/0/0.png")" "missing tile"
assert_eq 400 "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "http://127.0.0.1:$port/../p.csv")" "traversal"
kill -INT $pid
wait $pid
assert_eq 0 "$?" "exit status after SIGINT ($(tail -3 serve.err))"
case_end
