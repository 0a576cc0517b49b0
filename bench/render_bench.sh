#!/usr/bin/env bash
# Render benchmark (issue 5): one A4 landscape 300 dpi PNG world map — country
# choropleth + borders + 100,000 points — drawn from the same data by
# footprint, by Mapnik (Debian python3-mapnik) and by geopandas + matplotlib
# (Debian python3-geopandas, python3-matplotlib). See bench/README.md, "R.".
#
# Normally sourced by bench/run.sh as its last case: it then uses run.sh's
# helpers and variables (bench_case, measure, say, die, apt_install,
# ensure_data, $FP, $T, $REPS, $SEED, $REPORT, $SUMMARY) and its rows join
# run.sh's summary. Run on its own (`bench/render_bench.sh`, from anywhere) it
# loads the same helpers from bench/run.sh, runs only this case and prints its
# own summary into bench/out/render_results.txt.
#
# Environment (besides run.sh's BUILD, BENCH_REPS, BENCH_SEED):
#   BENCH_RENDER     0 skips this case (default: 1)
#   BENCH_RENDER_N   number of points, the first rows of bench/data/points_1m.csv
#                    (default: 100000)
#   BENCH_RENDER_PY  the Python with the Debian packages mapnik, geopandas and
#                    matplotlib (default: /usr/bin/python3; a pyenv/venv python3
#                    on PATH does not see them)

# ----------------------------------------------------- standalone set-up --
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    . bench/standalone.sh
    standalone_begin render
    say "reps:      $REPS per command, median reported"
    say ""
fi

# ------------------------------------------------------------ the case --
# check_png FILE: FILE is a PNG of 3508 x 2480 pixels (its IHDR chunk).
check_png() {
    local sig wh
    sig=$(od -An -tx1 -N8 "$1" 2>/dev/null | tr -d ' \n')
    wh=$(od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }')
    [ "$sig" = 89504e470d0a1a0a ] && [ "$wh" = 3508x2480 ] \
        || { echo "  $1: not a 3508 x 2480 PNG (${wh:-unreadable})" >&2; return 1; }
}
export -f check_png

render_bench() {
    local name="render A4 300 dpi PNG: choropleth + ${RENDER_N_LABEL} points"
    if [ "${BENCH_RENDER:-1}" = 0 ]; then
        bench_case "$name" 2.5 Mapnik --skip "BENCH_RENDER=0"
        bench_case "$name" 10 geopandas+matplotlib --skip "BENCH_RENDER=0"
        return 0
    fi

    # The Debian packages, installed only if missing. Pillow and NumPy (for
    # the untimed comparison of the PNGs) come with python3-matplotlib.
    local mapnik_skip="" mpl_skip=""
    [ -x "$RENDER_PY" ] || die "BENCH_RENDER_PY=$RENDER_PY: no such interpreter"
    if ! "$RENDER_PY" -c 'import mapnik' 2>/dev/null; then
        echo "bench: Mapnik missing for $RENDER_PY, installing package 'python3-mapnik'"
        apt_install python3-mapnik || true
        "$RENDER_PY" -c 'import mapnik' 2>/dev/null \
            || mapnik_skip="python3-mapnik not installed and could not be installed"
    fi
    if ! "$RENDER_PY" -c 'import geopandas, matplotlib' 2>/dev/null; then
        echo "bench: geopandas/matplotlib missing for $RENDER_PY, installing 'python3-geopandas python3-matplotlib'"
        apt_install python3-geopandas python3-matplotlib || true
        "$RENDER_PY" -c 'import geopandas, matplotlib' 2>/dev/null \
            || mpl_skip="python3-geopandas/python3-matplotlib not installed and could not be installed"
    fi
    local can_compare=1
    if ! "$RENDER_PY" -c 'import PIL, numpy' 2>/dev/null; then
        apt_install python3-pil python3-numpy || true
        "$RENDER_PY" -c 'import PIL, numpy' 2>/dev/null || can_compare=0
    fi
    say "render:    $("$RENDER_PY" - <<'PY' 2>/dev/null
import platform
out = ["Python %s (%s)" % (platform.python_version(), __import__("sys").executable)]
try:
    import mapnik
    v = mapnik.mapnik_version()
    out.append("Mapnik %d.%d.%d" % (v // 100000, v // 100 % 1000, v % 100))
except Exception:
    out.append("Mapnik missing")
try:
    import geopandas, matplotlib, shapely, pyproj, fiona
    out.append("geopandas %s, matplotlib %s (Agg), Shapely %s, pyproj %s (PROJ %s), Fiona %s" % (
        geopandas.__version__, matplotlib.__version__, shapely.__version__, pyproj.__version__,
        pyproj.proj_version_str, fiona.__version__))
except Exception:
    out.append("geopandas/matplotlib missing")
print(", ".join(out))
PY
)"

    # Untimed set-up: a store with the first RENDER_N points, aggregated by
    # country; the same data exported for the other tools.
    echo "== set-up for the render case (untimed)"
    ensure_data 1000000 "$RENDER_DATA"
    local t0 n
    t0=$(date +%s.%N)
    head -n $((RENDER_N + 1)) "$RENDER_DATA" >"$T/render_points.csv"
    "$FP" --quiet --db "$T/render.sqlite" init
    "$FP" --quiet --db "$T/render.sqlite" import "$T/render_points.csv"
    n=$(sqlite3 "$T/render.sqlite" 'select count(*) from projects')
    [ "$n" = "$RENDER_N" ] || die "render store: projects has $n rows, expected $RENDER_N"
    "$FP" --quiet --db "$T/render.sqlite" aggregate --by country --group category
    "$FP" --quiet --db "$T/render.sqlite" export --what aggregate:country_by_category --no-centroids \
        --style "$RENDER_STYLE" -o "$T/countries.geojson"
    "$FP" --quiet --db "$T/render.sqlite" export -o "$T/points.shp"
    "$FP" --quiet --db "$T/render.sqlite" export -o "$T/points.csv"
    rm -f "$T/render_points.csv"
    echo "  store: $RENDER_N points, aggregated; exported countries.geojson, points.shp, points.csv ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)"
    echo

    local fp_setup='rm -f "$T/fp.png" "$T/fp.pgw" "$T/fp.prj" && sync'
    local fp_cmd='"$FP" --db "$T/render.sqlite" render --style "$RENDER_STYLE" --paper A4 --dpi 300 -o "$T/fp.png"'
    local fp_check='check_png "$T/fp.png"'

    if [ -n "$mapnik_skip" ]; then
        bench_case "$name" 2.5 Mapnik --skip "$mapnik_skip"
    else
        bench_case "$name" 2.5 Mapnik --ours-key render \
            --ours-setup "$fp_setup" --ours "$fp_cmd" --ours-check "$fp_check" \
            --theirs-setup 'rm -f "$T/mapnik.png" && sync' \
            --theirs       '"$RENDER_PY" bench/render/mapnik_render.py "$T/countries.geojson" "$T/points.shp" "$T/mapnik.png"' \
            --theirs-check 'check_png "$T/mapnik.png"'
    fi
    if [ -n "$mpl_skip" ]; then
        bench_case "$name" 10 geopandas+matplotlib --skip "$mpl_skip"
    else
        bench_case "$name" 10 geopandas+matplotlib --ours-key render \
            --ours-setup "$fp_setup" --ours "$fp_cmd" --ours-check "$fp_check" \
            --theirs-setup 'rm -f "$T/mpl.png" && sync' \
            --theirs       '"$RENDER_PY" bench/render/mpl_render.py "$T/countries.geojson" "$T/points.csv" "$T/mpl.png"' \
            --theirs-check 'check_png "$T/mpl.png"'
    fi

    # Untimed: the maps must look alike (same colours in the same places),
    # and they are kept in bench/out/ for a look.
    [ -f "$T/fp.png" ] || return 0
    cp "$T/fp.png" "$OUT_DIR/render_footprint.png"
    local other out
    for other in mapnik mpl; do
        [ -f "$T/$other.png" ] || continue
        cp "$T/$other.png" "$OUT_DIR/render_$other.png"
        [ "$can_compare" = 1 ] || { say "  $other.png: not compared (no Pillow/NumPy)"; continue; }
        out=$("$RENDER_PY" bench/render/compare_png.py "$T/fp.png" "$T/$other.png") \
            || { echo "$out"; die "the $other map differs from footprint's in too many pixels"; }
        if [ "$other" = mapnik ]; then say "$out"; else say "$(tail -n 1 <<<"$out")"; fi
    done
    say "  maps kept: $OUT_DIR/render_footprint.png, render_mapnik.png, render_mpl.png"
    rm -f "$T/render.sqlite" "$T"/countries.* "$T"/points.* "$T"/fp.* "$T/mapnik.png" "$T/mpl.png"
    echo
}

RENDER_PY=${BENCH_RENDER_PY:-/usr/bin/python3}
RENDER_N=${BENCH_RENDER_N:-100000}
RENDER_N_LABEL=$(awk -v n="$RENDER_N" 'BEGIN{ if (n % 1000 == 0 && n >= 1000) printf "%dk", n / 1000; else print n }')
RENDER_DATA=${DATA_DIR:-bench/data}/points_1m.csv
RENDER_STYLE=bench/render/choropleth_points.json
export RENDER_PY RENDER_STYLE
[ "$RENDER_N" -le 1000000 ] || die "BENCH_RENDER_N=$RENDER_N: at most 1000000 (the rows of points_1m.csv)"
render_bench

if [ "${STANDALONE:-0}" = 1 ]; then standalone_end render; fi
