#!/usr/bin/env bash
# Data QA benchmark (issue 19): `footprint check` on 1M points with a
# declared country, against the containment part of the same check written
# in SpatiaLite SQL (ST_Contains through the R*Tree, as the aggregation case).
# footprint does more (the variants of every misplaced point, placeholders,
# decimals, duplicates, storing the findings): the ratio is conservative.
#
# Data (untimed set-up): bench/data/points_1m.csv (gen_points.py); each row's
# declared country is the country footprint's aggregation assigns it (rows
# at sea get none); then every 100th row with a country has lon/lat swapped
# and every 100th + 50 its lon negated: the mistakes the check looks for.
#
# Sourced by bench/run.sh, or run on its own: `bench/qa_bench.sh` (summary
# in bench/out/qa_results.txt).
#
# Environment (besides run.sh's BUILD, BENCH_REPS, BENCH_SEED):
#   BENCH_QA        0 skips this case (default: 1)
#   BENCH_QA_N      points (default: 1000000)
#   BENCH_QA_SQL_REPS  timed SpatiaLite runs (default: 1)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    . bench/standalone.sh
    standalone_begin qa
    say ""
fi

qa_bench() {
    local n=${BENCH_QA_N:-1000000}
    local name="check $n points (QA: country containment and variants)"
    if [ "${BENCH_QA:-1}" = 0 ]; then
        bench_case "$name" 10 SpatiaLite-SQL --skip "BENCH_QA=0"
        return 0
    fi
    echo "== set-up for the QA case (untimed)"
    ensure_data 1000000 "${DATA_DIR:-bench/data}/points_1m.csv"
    head -n $((n + 1)) "${DATA_DIR:-bench/data}/points_1m.csv" >"$T/qa_points.csv"
    "$FP" --quiet --db "$T/qa_assign.sqlite" init
    "$FP" --quiet --db "$T/qa_assign.sqlite" import "$T/qa_points.csv" --dataset p
    "$FP" --quiet --db "$T/qa_assign.sqlite" aggregate --by country --snap-km 0 --name c
    sqlite3 -csv "$T/qa_assign.sqlite" "SELECT p.source_key, coalesce(a.region_code, '') FROM projects p
        LEFT JOIN agg_c_assign a ON a.project_id = p.id ORDER BY p.id" >"$T/qa_codes.csv"
    python3 - "$T/qa_points.csv" "$T/qa_codes.csv" "$T/qa.csv" <<'PY'
import csv, sys
codes = dict(csv.reader(open(sys.argv[2])))
with open(sys.argv[1], newline="") as f, open(sys.argv[3], "w", newline="") as out:
    r, w = csv.DictReader(f), None
    w = csv.writer(out)
    w.writerow(r.fieldnames + ["country_code"])
    k = 0
    for row in r:
        code = codes.get(row["id"], "")
        if code:
            k += 1
            if k % 100 == 0 and abs(float(row["lon"])) <= 90:
                row["lon"], row["lat"] = row["lat"], row["lon"]
            elif k % 100 == 50:
                row["lon"] = str(-float(row["lon"]))
        w.writerow([row[c] for c in r.fieldnames] + [code])
PY
    rm -f "$T/qa_assign.sqlite" "$T/qa_points.csv" "$T/qa_codes.csv"
    "$FP" --quiet --db "$T/qa.sqlite" init
    "$FP" --quiet --db "$T/qa.sqlite" import "$T/qa.csv" --dataset p
    rm -f "$T/qa.csv"
    # The SpatiaLite side reads the same store, as the aggregation case's
    # SQL does: each country against the points its box holds (R*Tree),
    # ST_Contains, then the points not in their declared country.
    cat >"$T/qa.sql" <<'SQL'
DROP TABLE IF EXISTS sl_in;
DROP TABLE IF EXISTS sl_outside;
CREATE TABLE sl_in AS SELECT p.id, c.code FROM regions c JOIN projects p
    ON c.level = 'country' AND ST_Contains(c.geom, p.geom)
   AND p.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'projects' AND search_frame = c.geom);
CREATE INDEX sl_in_id ON sl_in(id);
CREATE TABLE sl_outside AS SELECT id FROM projects p WHERE p.country_code IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM sl_in s WHERE s.id = p.id AND s.code = p.country_code);
SQL
    echo
    # Check: footprint's containment findings (outside-country, swapped, sign)
    # are points SpatiaLite also finds outside their country (footprint's
    # 25 km snapping only removes some).
    bench_case "$name" 10 SpatiaLite-SQL \
        --ours '"$FP" --db "$T/qa.sqlite" check >"$T/qa_check.out"' \
        --ours-check 'tail -n 3 "$T/qa_check.out"' \
        --theirs 'sqlite3 -bail "$T/qa.sqlite" ".load mod_spatialite" ".read $T/qa.sql"' \
        --theirs-reps "${BENCH_QA_SQL_REPS:-1}" \
        --theirs-check 'qa_compare "$T/qa.sqlite"'
    say "  footprint: $(grep '^qa:' "$T/qa_check.out" | tail -1)"
    rm -f "$T/qa.sqlite" "$T/qa.sql" "$T/qa_check.out"
    echo
}

# qa_compare DB: footprint's containment findings against SpatiaLite's outside points.
qa_compare() {
    local ours theirs both
    ours=$(sqlite3 "$1" "SELECT count(*) FROM qa_findings WHERE kind IN ('outside-country', 'swapped', 'sign')")
    theirs=$(sqlite3 "$1" "SELECT count(*) FROM sl_outside")
    both=$(sqlite3 "$1" "SELECT count(*) FROM qa_findings f JOIN sl_outside s ON s.id = f.project_id
                         WHERE f.kind IN ('outside-country', 'swapped', 'sign')")
    echo "  containment findings: footprint $ours, SpatiaLite $theirs outside, $both in both"
    [ "$both" = "$ours" ] && [ "$ours" -gt 0 ]
}
export -f qa_compare

qa_bench

if [ "${STANDALONE:-0}" = 1 ]; then standalone_end qa; fi
