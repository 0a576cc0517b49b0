#!/usr/bin/env bash
# Tiles benchmark (issue 6): the map of the render benchmark — country
# choropleth + borders + 100,000 points, bench/render/choropleth_points.json —
# as XYZ PNG tiles z0-6 (1 + 4 + ... + 4096 = 5,461 tiles, 256 px) into a
# directory, by footprint and by Mapnik (Debian python3-mapnik, one process,
# bench/tiles/mapnik_tiles.py). Per core: footprint with --threads 1 against
# Mapnik's single process (target: at least 3x Mapnik's tiles/s); footprint
# on all cores is reported alongside. See bench/README.md, "T.".
#
# Sourced by bench/run.sh after the render case (uses its helpers and
# variables), or run on its own: `bench/tiles_bench.sh` (summary in
# bench/out/tiles_results.txt).
#
# Environment (besides run.sh's BUILD, BENCH_REPS, BENCH_SEED):
#   BENCH_TILES        0 skips this case (default: 1)
#   BENCH_TILES_ZOOM   the zoom range (default: 0-6)
#   BENCH_TILES_MAPNIK_REPS  timed Mapnik runs (default: 1; about a minute each)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    . bench/standalone.sh
    standalone_begin tiles
    say "reps:      $REPS per footprint command, ${BENCH_TILES_MAPNIK_REPS:-1} for Mapnik, median reported"
    say ""
fi

# count_tiles DIR N: DIR holds N PNG tiles under z/x/.
count_tiles() {
    local n
    n=$(find "$1" -path "$1/[0-9]*" -name '*.png' | wc -l)
    [ "$n" = "$2" ] || { echo "  $1: $n tiles, expected $2" >&2; return 1; }
}
export -f count_tiles

tiles_bench() {
    local zoom=${BENCH_TILES_ZOOM:-0-6} z0 z1 n=0 z
    z0=${zoom%-*}; z1=${zoom#*-}
    for ((z = z0; z <= z1; z++)); do n=$((n + (1 << (2 * z)))); done
    local name="tiles z$zoom ($n PNG tiles): choropleth + 100k points, per core"
    if [ "${BENCH_TILES:-1}" = 0 ]; then
        bench_case "$name" 10 Mapnik --skip "BENCH_TILES=0"
        return 0
    fi
    local py=/usr/bin/python3 mapnik_skip=""
    if ! "$py" -c 'import mapnik' 2>/dev/null; then
        apt_install python3-mapnik || true
        "$py" -c 'import mapnik' 2>/dev/null || mapnik_skip="python3-mapnik not installed and could not be installed"
    fi

    echo "== set-up for the tiles case (untimed)"
    ensure_data 1000000 "${DATA_DIR:-bench/data}/points_1m.csv"
    head -n 100001 "${DATA_DIR:-bench/data}/points_1m.csv" >"$T/tiles_points.csv"
    "$FP" --quiet --db "$T/tiles.sqlite" init
    "$FP" --quiet --db "$T/tiles.sqlite" import "$T/tiles_points.csv"
    "$FP" --quiet --db "$T/tiles.sqlite" aggregate --by country --group category
    "$FP" --quiet --db "$T/tiles.sqlite" export --what aggregate:country_by_category --no-centroids \
        --style bench/render/choropleth_points.json -o "$T/tiles_countries.geojson"
    "$FP" --quiet --db "$T/tiles.sqlite" export -o "$T/tiles_points.shp"
    rm -f "$T/tiles_points.csv"
    echo

    local style=bench/render/choropleth_points.json
    TILES_N=$n TILES_ZOOM=$zoom TILES_STYLE=$style
    export TILES_N TILES_ZOOM TILES_STYLE
    if [ -n "$mapnik_skip" ]; then
        bench_case "$name" 10 Mapnik --skip "$mapnik_skip"
    else
        bench_case "$name" 10 Mapnik \
            --ours-setup 'rm -rf "$T/fp_tiles" && sync' \
            --ours '"$FP" --db "$T/tiles.sqlite" tiles --style "$TILES_STYLE" --zoom "$TILES_ZOOM" --threads 1 -o "$T/fp_tiles"' \
            --ours-check 'count_tiles "$T/fp_tiles" "$TILES_N"' \
            --theirs-reps "${BENCH_TILES_MAPNIK_REPS:-1}" \
            --theirs-setup 'rm -rf "$T/mapnik_tiles" && sync' \
            --theirs '/usr/bin/python3 bench/tiles/mapnik_tiles.py "$T/tiles_countries.geojson" "$T/tiles_points.shp" "$T/mapnik_tiles" ${TILES_ZOOM%-*} ${TILES_ZOOM#*-}' \
            --theirs-check 'count_tiles "$T/mapnik_tiles" "$TILES_N"'
    fi
    say "  footprint, 1 thread, last run: $(sed -n 's/.*(\([0-9.]* s\), \([0-9]* tiles\/s\)).*/\1, \2/p' "$T/footprint.out" | tail -1)"
    bench_alone "tiles z$zoom ($n PNG tiles): footprint on all $(nproc) cores" \
        --ours-setup 'rm -rf "$T/fp_tiles_all" && sync' \
        --ours '"$FP" --db "$T/tiles.sqlite" tiles --style "$TILES_STYLE" --zoom "$TILES_ZOOM" -o "$T/fp_tiles_all"' \
        --ours-check 'count_tiles "$T/fp_tiles_all" "$TILES_N"'
    say "  footprint, all cores, last run: $(sed -n 's/.*(\([0-9.]* s\), \([0-9]* tiles\/s\)).*/\1, \2/p' "$T/footprint.out" | tail -1)"
    # Untimed: the two tile sets must show the same map (mosaics of z3, or of the top zoom below it).
    if [ -d "$T/mapnik_tiles" ] && [ -d "$T/fp_tiles" ]; then
        local mz=$(( z1 < 3 ? z1 : 3 ))
        out=$(/usr/bin/python3 - "$T" "$mz" <<'PY'
import sys
sys.path.insert(0, "tests/tools")
import tile_check as tc
from PIL import Image, ImageChops
t, z = sys.argv[1], int(sys.argv[2])
tc.mosaic(t + "/fp_tiles", z, t + "/fp3.png")
tc.mosaic(t + "/mapnik_tiles", z, t + "/mk3.png")
a, b = Image.open(t + "/fp3.png").convert("RGB"), Image.open(t + "/mk3.png").convert("RGB")
d = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 40 else 0)
share = 100.0 * (a.width * a.height - d.histogram()[0]) / (a.width * a.height)
print("  z%d mosaics: %.2f %% of pixels differ by more than 40 levels (limit 5 %%)" % (z, share))
sys.exit(0 if share <= 5 else 1)
PY
) || { echo "$out"; die "footprint's tiles differ from Mapnik's in too many pixels"; }
        say "$out"
        cp "$T/fp3.png" "${OUT_DIR:-bench/out}/tiles_z3_footprint.png"
        cp "$T/mk3.png" "${OUT_DIR:-bench/out}/tiles_z3_mapnik.png"
    fi
    rm -rf "$T/tiles.sqlite" "$T"/tiles_countries.* "$T"/tiles_points.* "$T/fp_tiles" "$T/fp_tiles_all" "$T/mapnik_tiles" "$T"/fp3.png "$T"/mk3.png
    echo
}

tiles_bench

if [ "${STANDALONE:-0}" = 1 ]; then standalone_end tiles; fi
