#!/usr/bin/env bash
# geocode evaluation: tests/fixtures/geocode_eval.csv (5,587 towns of the SimpleMaps World
# Cities Database, CC BY 4.0 - not GeoNames; built by geodata/scripts/eval_set.js) geocoded
# with place + country only, and again with the admin-1 column; distances to SimpleMaps'
# coordinates computed by tests/tools/geocode_score.py (haversine, independent of footprint).
# Prints the figures; asserts the issue's targets where this set can meet them (see README).
. "$(dirname "$0")/lib.sh"
EVAL="$FIX/geocode_eval.csv"
SCORE="$ROOT/tests/tools/geocode_score.py"
python3 -c "
import csv, sys
r = csv.reader(open('$EVAL', encoding='utf-8'))
w = csv.writer(open('nostate.csv', 'w', newline='', encoding='utf-8'))
for row in r: w.writerow(row[:3] + row[4:])"
dump() { spatialite_q "$1" "SELECT source_key, X(geom), Y(geom), geocode_method, geocode_precision FROM projects" | grep '|'; }
metric() { sed -n "s/^RESULT $2 .*$3=\([0-9.]*\).*/\1/p" <<<"$1"; }
ge() { python3 -c "import sys; sys.exit(0 if float('$1') >= float('$2') else 1)"; }

case_begin "evaluation, place + country only: figures printed; district towns and capitals >= 93% within 10 km"
fp_init a.sqlite && "$FP" -q --db a.sqlite import nostate.csv
run --db a.sqlite geocode --report a.csv
assert_eq 0 "$RC" "exit status"
# The terminal gets a summary and a few examples, not one line per fallback.
lines=$(wc -l <<<"$OUT")
[ "$lines" -le 25 ] || fail "terminal output has $lines lines"
assert_eq 5588 "$(wc -l < a.csv)" "the report lists every row (+ header)"
dump a.sqlite > a.txt
A=$(python3 "$SCORE" "$EVAL" a.txt all; python3 "$SCORE" "$EVAL" a.txt capitals)
echo "$A" | sed 's/^/    /'
ge "$(metric "$A" capitals w10)" 93 || fail "capitals within 10 km: $(metric "$A" capitals w10)% < 93%"
# Regression bounds at today's level (3.53%, 75.3%), NOT the issue's <= 1%: namesakes without an admin-1 column.
ge 4 "$(metric "$A" capitals o100)" || fail "capitals > 100 km: $(metric "$A" capitals o100)% > 4%"
ge "$(metric "$A" all w10)" 75 || fail "all within 10 km: $(metric "$A" all w10)% < 75%"
case_end

case_begin "evaluation with the admin-1 column: figures printed; capitals >= 95% within 10 km, <= 1% > 100 km (the issue's target)"
fp_init b.sqlite && "$FP" -q --db b.sqlite import "$EVAL"
run --db b.sqlite geocode
assert_eq 0 "$RC" "exit status"
dump b.sqlite > b.txt
B=$(python3 "$SCORE" "$EVAL" b.txt all; python3 "$SCORE" "$EVAL" b.txt capitals)
echo "$B" | sed 's/^/    /'
ge "$(metric "$B" capitals w10)" 95 || fail "capitals within 10 km: $(metric "$B" capitals w10)% < 95%"
ge 1.0 "$(metric "$B" capitals o100)" || fail "capitals > 100 km: $(metric "$B" capitals o100)% > 1%"
# The admin-1 column helps: fewer rows more than 100 km off than without it.
ge "$(metric "$A" all o100)" "$(metric "$B" all o100)" || fail "admin-1 column did not reduce > 100 km"
case_end

case_begin "evaluation with ISO 3166-2 codes in the admin-1 column: as good as the names, better than none"
# The rows whose SimpleMaps state name is one iso-codes subdivision's name, with the state
# replaced by its code (tests/tools/iso_state_codes.py: iso-codes' names only, not
# footprint's mapping). Scored on those rows: with the codes, with the names (run B) and
# without an admin-1 column (run A). Measured (4,546 rows): > 100 km 11.94% with codes,
# 11.94% with names, 12.45% with codes before geodata/admin1_iso3166.tsv, 23.0% without.
python3 "$ROOT/tests/tools/iso_state_codes.py" "$EVAL" iso.csv 2> iso.count
read -r kept total < iso.count
[ "$kept" -ge 4000 ] || fail "only $kept of $total rows got an ISO code"
fp_init c.sqlite && "$FP" -q --db c.sqlite import iso.csv
run --db c.sqlite geocode
assert_eq 0 "$RC" "exit status"
dump c.sqlite > c.txt
C=$(python3 "$SCORE" iso.csv c.txt all; python3 "$SCORE" iso.csv c.txt capitals)
echo "$C" | sed 's/^/    /'
CN=$(python3 "$SCORE" iso.csv b.txt all); CA=$(python3 "$SCORE" iso.csv a.txt all)
echo "    the same rows: with names o100=$(metric "$CN" all o100), without admin-1 o100=$(metric "$CA" all o100)"
ge 1.0 "$(metric "$C" capitals o100)" || fail "capitals > 100 km with ISO codes: $(metric "$C" capitals o100)% > 1%"
ge "$(metric "$CN" all o100)" "$(metric "$C" all o100)" || fail "ISO codes place more rows > 100 km off than names"
ge "$(metric "$CA" all o100)" "$(metric "$C" all o100)" || fail "ISO codes no better than no admin-1 column"
case_end

case_begin "evaluation: '+ambiguous' marks the risky rows (their > 100 km share is several times the rest's)"
python3 - "$EVAL" a.txt <<'P' > amb.txt
import csv, math, sys
t = {r['key']: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))}
def hav(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2-p1)/2)**2 + math.cos(p1)*math.cos(p2)*math.sin(math.radians(lon2-lon1)/2)**2
    return 2 * 6371.0088 * math.asin(min(1, math.sqrt(a)))
f = {True: [0, 0], False: [0, 0]}
for line in open(sys.argv[2], encoding='utf-8'):
    k, x, y, m, p = line.rstrip('\n').split('|')
    if p != 'city': continue
    d = hav(float(t[k]['truth_x']), float(t[k]['truth_y']), float(x), float(y))
    s = f['+ambiguous' in m]; s[0] += 1; s[1] += d > 100
print(f"{100*f[True][1]/f[True][0]:.1f} {100*f[False][1]/f[False][0]:.1f} {f[True][0]}")
P
read amb rest n < amb.txt
echo "    town rows flagged +ambiguous: $n, > 100 km: $amb%; unflagged: $rest%"
python3 -c "import sys; sys.exit(0 if $amb >= 4 * $rest else 1)" || fail "+ambiguous rows $amb% vs $rest%"
case_end

# The same towns written in one column, as data editors write them: "Town,
# State, Country" and "Town, Country" with no country column, and "Town,
# State" beside the country (qualified_place.c). Each scored against the
# runs with separate columns above (B: place, country, state; A: place,
# country): as good within 0.1 percentage points. Measured (8 December):
# "Town, State, Country" 79.86% within 10 km, 11.47% > 100 km (B: 79.86,
# 11.47); "Town, Country" 75.30 / 21.80 (A: 75.32 / 21.78); "Town, State" +
# country 79.85 / 11.49; before qualified names, all three fell to the
# country's centroid or were not placed.
case_begin "evaluation, one column ('Town, State, Country', 'Town, Country', 'Town, State' + country): as good as separate columns"
python3 - "$EVAL" <<'P'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
def w(name, f):
    with open(name, 'w', newline='', encoding='utf-8') as o:
        wr = csv.writer(o); wr.writerow(['key', 'place', 'country', 'truth_x', 'truth_y'])
        for r in rows:
            p, c = f(r); wr.writerow([r['key'], p, c, r['truth_x'], r['truth_y']])
w('q_tsc.csv', lambda r: (f"{r['place']}, {r['state']}, {r['country']}" if r['state'] else f"{r['place']}, {r['country']}", ''))
w('q_tc.csv', lambda r: (f"{r['place']}, {r['country']}", ''))
w('q_ts.csv', lambda r: (f"{r['place']}, {r['state']}" if r['state'] else r['place'], r['country']))
P
for v in q_tsc q_tc q_ts; do
    fp_init $v.sqlite && "$FP" -q --db $v.sqlite import $v.csv
    run --db $v.sqlite geocode
    assert_eq 0 "$RC" "$v: exit status"
    dump $v.sqlite > $v.txt
done
R1=$(python3 "$SCORE" "$EVAL" q_tsc.txt all); R2=$(python3 "$SCORE" "$EVAL" q_tc.txt all); R3=$(python3 "$SCORE" "$EVAL" q_ts.txt all)
echo "$R1" "$R2" "$R3" | grep RESULT | sed 's/^/    /'
near() { python3 -c "import sys; sys.exit(0 if abs(float('$1') - float('$2')) <= 0.1 else 1)"; }
BA=$(python3 "$SCORE" "$EVAL" b.txt all); AA=$(python3 "$SCORE" "$EVAL" a.txt all)
for m in w10 o100; do
    near "$(metric "$R1" all $m)" "$(metric "$BA" all $m)" || fail "'Town, State, Country' $m $(metric "$R1" all $m) against separate columns' $(metric "$BA" all $m)"
    near "$(metric "$R2" all $m)" "$(metric "$AA" all $m)" || fail "'Town, Country' $m $(metric "$R2" all $m) against separate columns' $(metric "$AA" all $m)"
    near "$(metric "$R3" all $m)" "$(metric "$BA" all $m)" || fail "'Town, State' + country $m $(metric "$R3" all $m) against separate columns' $(metric "$BA" all $m)"
done
case_end
