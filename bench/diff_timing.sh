#!/usr/bin/env bash
# Timings of `footprint diff` on a pair of editions (issue 20, item 3): not
# a test, not part of `make bench` (no other tool compares editions). Makes
# two editions of N rows (default 100,000) with a seeded generator -- the
# second drops 1 % of the rows, adds 1 %, moves 1 % by 1-50 km, changes a
# field of 1 %; a tenth of the rows have no id, so they pair by name +
# company + location -- imports both (untimed) and times diff, diff
# --report, and the exported layer as GeoPackage and GeoJSON (best of 3).
#   bench/diff_timing.sh [N]       (BUILD=build by default)
# Last run (2 shared cores, load average about 7): see the README's
# "What changed between two editions".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${1:-100000}
FP=${BUILD:-build}/footprint
# DIFF_BENCH_DIR keeps the editions and the store there (to profile).
if [ -n "${DIFF_BENCH_DIR:-}" ]; then T=$DIFF_BENCH_DIR; mkdir -p "$T"; rm -f "$T/s.sqlite"
else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
python3 - "$N" "$T" <<'P'
import csv, math, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(20)
companies = ['Huawei', 'ZTE', 'Tencent', 'Alibaba', 'Hikvision', 'BGI', 'China Mobile', 'Baidu']
countries = [('KEN', 36.8, -1.3), ('NGA', 7.5, 9.1), ('BRA', -47.9, -15.8), ('IDN', 106.8, -6.2), ('PAK', 73.0, 33.7),
             ('EGY', 31.2, 30.0), ('PER', -77.0, -12.0), ('KAZ', 71.4, 51.2)]
head = ['id', 'company', 'category', 'name', 'country', 'year', 'status', 'lon', 'lat']
rows = []
for i in range(n):
    c, lon, lat = rnd.choice(countries)
    rows.append([('' if i % 10 == 0 else 'R%d' % i), rnd.choice(companies), rnd.choice(['5g', 'cloud', 'other']),
                 'Project %d' % i, c, rnd.randint(2005, 2024), rnd.choice(['planned', 'built']),
                 round(lon + rnd.uniform(-3, 3), 6), round(lat + rnd.uniform(-3, 3), 6)])
def write(name, rs):
    with open('%s/%s' % (out, name), 'w', newline='') as f:
        w = csv.writer(f); w.writerow(head); w.writerows(rs)
write('a.csv', rows)
b = []
for i, r in enumerate(rows):
    r = list(r)
    k = i % 100
    if k == 1: continue                                   # removed
    if k == 2:                                            # moved 1-50 km
        d, az = rnd.uniform(1000, 50000), rnd.uniform(0, 2 * math.pi)
        r[7] = round(r[7] + d * math.sin(az) / (111320 * math.cos(math.radians(r[8]))), 6)
        r[8] = round(r[8] + d * math.cos(az) / 110574, 6)
    if k == 3: r[6] = 'built' if r[6] == 'planned' else 'planned'   # changed
    b.append(r)
for i in range(n // 100):                                 # added
    c, lon, lat = rnd.choice(countries)
    b.append(['N%d' % i, rnd.choice(companies), 'other', 'New %d' % i, c, 2025, 'planned',
              round(lon + rnd.uniform(-3, 3), 6), round(lat + rnd.uniform(-3, 3), 6)])
write('b.csv', b)
P
"$FP" -q --db "$T/s.sqlite" init
"$FP" -q --db "$T/s.sqlite" import "$T/a.csv" --dataset a > /dev/null
"$FP" -q --db "$T/s.sqlite" import "$T/b.csv" --dataset b > /dev/null
best() {  # best of 3 wall-clock seconds of the command
    local b=999 t
    for _ in 1 2 3; do
        t=$( { TIMEFORMAT=%R; time "$@" > /dev/null 2>&1; } 2>&1 )
        b=$(awk -v a="$b" -v c="$t" 'BEGIN{print (c < a ? c : a)}')
    done
    echo "$b"
}
"$FP" --db "$T/s.sqlite" diff --dataset a --against b | head -2
echo "rows: $N and $(($(wc -l < "$T/b.csv") - 1))"
echo "diff:                    $(best "$FP" -q --db "$T/s.sqlite" diff --dataset a --against b) s"
echo "diff --report CSV:       $(best "$FP" -q --db "$T/s.sqlite" diff --dataset a --against b --report "$T/r.csv") s"
echo "export diff -> GeoPackage: $(best "$FP" -q --db "$T/s.sqlite" export --what diff:a:b -o "$T/d.gpkg") s"
echo "export diff -> GeoJSON:  $(best "$FP" -q --db "$T/s.sqlite" export --what diff:a:b -o "$T/d.geojson") s"
/usr/bin/time -f "peak memory of diff: %M KiB" "$FP" -q --db "$T/s.sqlite" diff --dataset a --against b 2>&1 >/dev/null
