#!/usr/bin/env bash
# The command-line contract: help, exit codes, error messages.
. "$(dirname "$0")/lib.sh"

case_begin "--help prints the command list and exits 0"
run --help
assert_eq 0 "$RC" "exit status"
for c in init import rejects geocode run; do assert_contains "$OUT" "  $c" "command $c listed"; done
case_end

# The release is include/fp_version.h's; the commit part must name a commit of
# the source tree (git cat-file), or say "no git" for a tree without git.
case_begin "--version: 'footprint RELEASE (COMMIT)', the release of fp_version.h and a commit of this repository (or 'no git')"
run --version
assert_eq 0 "$RC" "exit status"
# (FOOTPRINT_VERSION is made of FP_VERSION_MAJOR, _MINOR and _PATCH.)
rel=$(awk '$1 == "#define" && $2 ~ /^FP_VERSION_(MAJOR|MINOR|PATCH)$/ {printf "%s%s", sep, $3; sep = "."}' "$ROOT/include/fp_version.h")
src=$(sed -nE 's/^footprint [^ ]+ \((.*)\)$/\1/p' <<<"$OUT")
assert_eq "footprint $rel (${src:-COMMIT})" "$OUT" "the form"
if [ -n "$src" ]; then
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        c=${src%-dirty}; c=${c##*-g}          # git describe: HASH, or TAG-N-gHASH
        git -C "$ROOT" cat-file -e "$c^{commit}" 2>/dev/null || fail "'$src' names no commit of $ROOT"
    else
        assert_eq "no git" "$src" "a source tree without git"
    fi
fi
case_end

case_begin "help import documents --map and the fields"
run help import
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "--map FIELD=COL" "--map"
assert_contains "$OUT" "company, category, name, place, country, year" "field list"
case_end

case_begin "unknown command is a usage error (exit 2)"
run frobnicate
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "unknown command 'frobnicate'" "message"
case_end

case_begin "bad option is a usage error (exit 2)"
run --db x.sqlite import --no-such-option f.csv
assert_eq 2 "$RC" "exit status"
case_end

case_begin "--map without '=' is a usage error naming the value"
run --db x.sqlite import f.csv --map company
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "--map wants FIELD=COLUMN, not 'company'" "message"
case_end

case_begin "a command on a missing store fails (exit 1), says to run init, creates nothing"
run --db missing.sqlite import "$FIX/points_good.csv"
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "missing.sqlite: no such database; run \`footprint init\` first" "message"
[ -e missing.sqlite ] && fail "missing.sqlite was created"
case_end

case_begin "importing a missing file fails naming the file"
fp_init s.sqlite
run --db s.sqlite import nope.csv
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "nope.csv: no such file" "message"
case_end

case_begin "--map to an unknown field is a usage error listing the fields"
run --db s.sqlite import "$FIX/points_good.csv" --map colour=note
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "unknown field 'colour'" "message"
case_end

case_begin "--map to a missing column names the file and lists the columns"
run --db s.sqlite import "$FIX/points_good.csv" --map company=firm
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "points_good.csv: --map company=firm: no column 'firm' (columns: id, company, category" "message"
case_end

case_begin "a text file as the store is refused, untouched"
echo "hello" > notdb.sqlite
run --db notdb.sqlite init
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "notdb.sqlite" "message names the file"
assert_eq "hello" "$(cat notdb.sqlite)" "file untouched"
case_end

case_begin "the man page renders and names every command"
out=$(man -l "$ROOT/doc/footprint.1" 2>/dev/null | col -b)
for c in init import rejects geocode run; do assert_contains "$out" "$c" "man page mentions $c"; done
case_end

case_begin "GDAL is loaded by the commands that read or write a GDAL format, and only by them"
# footprint does not link GDAL (55 ms of start-up per command): it opens it
# on first use (src/common/gdal_api.c). The dynamic linker's own log says
# which library a process loaded.
# The program itself, also when FP is a wrapper (make valgrind's).
elf=${VG_FP_REAL:-$FP}
readelf -d "$elf" > dyn.txt 2>&1 || fail "readelf -d $elf: $(head -2 dyn.txt)"
assert_eq 0 "$(grep NEEDED dyn.txt | grep -c 'libgdal')" "libgdal among the program's NEEDED libraries"
[ "$(grep -c NEEDED dyn.txt)" -gt 5 ] || fail "no NEEDED libraries read from $elf"
fp_init g.sqlite
printf 'name,country,lon,lat\nA,DE,10,50\n' > g.csv
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"B","country":"FR"},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}' > g.geojson
gdal_loads() { LD_DEBUG=libs "$FP" --quiet --db g.sqlite "$@" 2>&1 >/dev/null | grep -c 'calling init: .*libgdal\.so'; }
assert_eq 0 "$(gdal_loads import g.csv)" "a CSV import loads GDAL"
assert_eq 0 "$(gdal_loads rejects)" "rejects loads GDAL"
assert_eq 1 "$(gdal_loads import g.geojson)" "a GeoJSON import loads GDAL"
assert_eq 1 "$(gdal_loads export -o g.gpkg)" "a GeoPackage export loads GDAL"
assert_eq 2 "$(DB=g.sqlite sql "select count(*) from projects")" "both imports stored"
assert_eq 2 "$(ogrinfo -ro -so g.gpkg projects 2>/dev/null | sed -n 's/^Feature Count: //p')" "the GeoPackage's features (ogrinfo)"
case_end

# ---- outside testers' findings ---------------------------------------------

# ogr_count FILE [LAYER]: the features GDAL reads (independent of footprint).
ogr_count() { ogrinfo -ro -so -al "$@" 2>/dev/null | sed -n 's/^Feature Count: //p' | head -1; }
ogr_driver() { ogrinfo -ro -so "$1" 2>/dev/null | sed -n "s/^ *using driver \`\([^']*\)' successful.*/\1/p"; }

case_begin "export writes the file -o names: NAME.json, agg.json, --format geojson -o other.txt"
fp_init x.sqlite
"$FP" -q --db x.sqlite import "$FIX/points_good.csv" > /dev/null
"$FP" -q --db x.sqlite aggregate --by country > /dev/null
np=$(DB=x.sqlite sql "select count(*) from projects")
nc=$(DB=x.sqlite sql "select count(*) from regions where level='country'")
[ "$np" -gt 0 ] || fail "no projects stored"
run --db x.sqlite export -o p.json
assert_eq 0 "$RC" "exit status (-o p.json)"
[ -e p.json ] || fail "p.json not written ($(ls))"
[ -e p.geojson ] && fail "p.geojson written instead of p.json"
assert_eq GeoJSON "$(ogr_driver p.json)" "p.json read by GDAL as"
assert_eq "$np" "$(ogr_count p.json)" "p.json features (ogrinfo) = projects (sqlite3)"
run --db x.sqlite export --what aggregate:country -o agg.json
assert_eq 0 "$RC" "exit status (aggregate -o agg.json)"
[ -e agg.geojson ] && fail "agg.geojson written instead of agg.json"
assert_eq "$nc" "$(ogr_count agg.json)" "agg.json regions (ogrinfo) = countries (sqlite3)"
assert_eq "$nc" "$(ogr_count agg_centroids.json)" "agg_centroids.json points (ogrinfo)"
run --db x.sqlite export --format geojson -o other.txt
assert_eq 0 "$RC" "exit status (--format geojson -o other.txt)"
[ -e other.geojson ] && fail "other.geojson written instead of other.txt"
assert_eq GeoJSON "$(ogr_driver other.txt)" "other.txt read by GDAL as"
assert_eq "$np" "$(ogr_count other.txt)" "other.txt features (ogrinfo)"
case_end

case_begin "README's export --split-by category -o output/projects/ writes one GeoJSON per category"
# No --format and -o a folder: GeoJSON (it said "say --format", exit 2).
run --db x.sqlite export --split-by category -o output/projects/
assert_eq 0 "$RC" "exit status: $OUT"
ncat=$(DB=x.sqlite sql "select count(distinct category) from projects")
assert_eq "$ncat" "$(ls output/projects/*.geojson 2>/dev/null | wc -l)" "GeoJSON files = categories (sqlite3)"
total=0
for f in output/projects/*.geojson; do
    [ "$(ogr_driver "$f")" = GeoJSON ] || fail "$f not read as GeoJSON"
    n=$(ogr_count "$f"); total=$((total + ${n:-0}))
done
assert_eq "$np" "$total" "features in all files (ogrinfo) = projects (sqlite3)"
# A name with an extension GDAL does not know still needs --format.
run --db x.sqlite export --split-by category -o out.xyz
assert_eq 2 "$RC" "exit status (-o out.xyz)"
assert_contains "$OUT" "say --format" "message"
case_end

case_begin "an unknown --dataset is a usage error naming the datasets in geocode, check and rejects, as in aggregate"
# They printed 0 rows and exited 0: a typo looked like a clean dataset.
for cmd in geocode check rejects "rejects --repaired" "aggregate --by country"; do
    run --db x.sqlite $cmd --dataset nosuch
    assert_eq 2 "$RC" "$cmd --dataset nosuch: exit status"
    assert_contains "$OUT" "--dataset nosuch: no " "$cmd: message names the option"
done
for cmd in geocode check rejects; do
    run --db x.sqlite $cmd --dataset nosuch
    assert_contains "$OUT" "(datasets: points_good)" "$cmd: message lists the datasets"
done
# A dataset whose every row was rejected has no projects, but its rejects are listed.
printf 'name,lon,lat\nA,500,10\nB,x,y\n' > allbad.csv
"$FP" -q --db x.sqlite import allbad.csv --dataset allbad > /dev/null 2>&1
nrej=$(DB=x.sqlite sql "select count(*) from rejects r join imports i on i.id = r.import_id where i.dataset = 'allbad'")
[ "$nrej" -gt 0 ] || fail "no rejects stored for allbad (sqlite3)"
run --db x.sqlite rejects --dataset allbad
assert_eq 0 "$RC" "rejects --dataset allbad: exit status: $OUT"
assert_contains "$OUT" "$nrej rejected row" "rejects --dataset allbad: the rows sqlite3 counts"
run --db x.sqlite check --dataset points_good
assert_eq 0 "$RC" "check --dataset points_good: exit status"
case_end

case_begin "render --diff OLD:NEW with an unknown dataset names --diff, not --against"
fp_init d.sqlite
"$FP" -q --db d.sqlite import "$FIX/diff/edition_2024.csv" --dataset 2024 > /dev/null
"$FP" -q --db d.sqlite import "$FIX/diff/edition_2025.csv" --dataset 2025 > /dev/null
run --db d.sqlite render --diff 2024:2026 -o dm/a.png
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "--diff 2024:2026: no projects in dataset '2026'" "names --diff and the dataset"
assert_not_contains "$OUT" "--against" "no option render does not have"
[ -e dm/a.png ] && fail "dm/a.png written"
run --db d.sqlite render --diff 2023:2025 -o dm/a.png
assert_contains "$OUT" "--diff 2023:2025: no projects in dataset '2023'" "the old dataset too"
run --db d.sqlite render --diff 2024:2024 -o dm/a.png
assert_eq 2 "$RC" "same dataset: exit status"
assert_contains "$OUT" "--diff 2024:2024: the same dataset" "same dataset: names --diff"
run --db d.sqlite export --what diff:2024:2026 -o dm/c.gpkg
assert_eq 2 "$RC" "export: exit status"
assert_contains "$OUT" "--what diff:2024:2026: no projects in dataset '2026'" "export names --what"
# The diff command keeps its own options' names.
run --db d.sqlite diff --dataset 2024 --against 2026
assert_contains "$OUT" "--against 2026: no projects in dataset '2026'" "diff names --against"
case_end

case_begin "import --help documents --place COL [--country COL], and they name the columns"
run help import
assert_contains "$OUT" "--place COL [--country COL]" "usage line"
fp_init pl.sqlite
printf 'site,nation\nNairobi,Kenya\n' > pl.csv
run --db pl.sqlite import pl.csv --place site --country nation
assert_eq 0 "$RC" "exit status: $OUT"
assert_eq "Nairobi|Kenya" "$(DB=pl.sqlite sql "select place || '|' || country from projects")" "columns stored (sqlite3)"
case_end

case_begin "check --report, geocode --report and diff --report create a missing folder, as export and render do"
# They failed (exit 1) where render -o nodir/m.png and export -o nodir/x.gpkg create it.
# A point at 0,0 declared in Kenya: findings for the report.
printf 'name,country,lon,lat\nZero,KEN,0,0\n' > qa.csv
"$FP" -q --db x.sqlite import qa.csv --dataset qa > /dev/null 2>&1
run --db x.sqlite check --report nodir/q.csv
assert_eq 0 "$RC" "check: exit status: $OUT"
[ -s nodir/q.csv ] || fail "nodir/q.csv not written"
nq=$(DB=x.sqlite sql "select count(*) from qa_findings" 2>/dev/null)
[ "${nq:-0}" -gt 0 ] || fail "no findings stored (sqlite3)"
assert_eq "$nq" "$(ogr_count nodir/q.csv)" "check report rows (ogrinfo) = findings (sqlite3)"
run --db x.sqlite check --report deep/er/q.geojson
assert_eq 0 "$RC" "check GeoJSON: exit status: $OUT"
assert_eq "$nq" "$(ogr_count deep/er/q.geojson)" "check GeoJSON report points (ogrinfo)"
run --db pl.sqlite geocode --report nodir2/g.csv
assert_eq 0 "$RC" "geocode: exit status: $OUT"
assert_eq "Nairobi" "$(python3 -c "import csv,sys; print(';'.join(r['place'] for r in csv.DictReader(open('nodir2/g.csv'))))")" "geocode report's rows"
run --db d.sqlite diff --dataset 2024 --against 2025 --report nodir3/d.csv
assert_eq 0 "$RC" "diff: exit status: $OUT"
[ -s nodir3/d.csv ] || fail "nodir3/d.csv not written"
# A folder that cannot be made is exit 1 naming it.
printf x > afile
run --db x.sqlite check --report afile/sub/q.csv
assert_eq 1 "$RC" "check under a file: exit status"
assert_contains "$OUT" "afile/sub/q.csv: cannot create its folder afile/sub: Not a directory" "names the report, its folder and why"
case_end

case_begin "top-level --help and run --help say what the commands write; README's default aggregation names"
run --help
assert_contains "$OUT" "PNG, PDF, SVG, GeoTIFF" "render lists GeoTIFF"
assert_contains "$OUT" "QGIS project (qgz)" "export lists qgz"
run help run
for w in export render tiles; do assert_contains "$OUT" "$w" "run --help says it does $w"; done
# The name --by grid:5 stores is the one README gives (sqlite3 reads the table).
"$FP" -q --db x.sqlite aggregate --by grid:5 > /dev/null
assert_eq 1 "$(DB=x.sqlite sql "select count(*) from sqlite_master where name = 'agg_grid_5'")" "agg_grid_5 stored"
assert_contains "$(cat "$ROOT/README.md")" '`--by grid:5` is `grid_5`' "README names it"
case_end

case_begin "the man page's entry of each command names every option its --help names"
# The man page (doc/footprint.1) is written by hand from the --help texts;
# this keeps the two in step. Options in backquotes are another command's
# (`footprint diff --dataset OLD --against NEW` in render's help).
cmds="init import rejects geocode check aggregate diff export render tiles serve run"
man_txt=$(MANWIDTH=250 man -l "$ROOT/doc/footprint.1" 2>/dev/null | col -b)
[ -n "$man_txt" ] || fail "man -l doc/footprint.1 printed nothing"
for c in $cmds; do
    # The command's entry: from its line (7 spaces, the name) to the next command's.
    entry=$(awk -v c="$c" -v cmds="$cmds help" '
        BEGIN { n = split(cmds, a, " "); for (i = 1; i <= n; i++) known[a[i]] = 1 }
        /^[A-Z]/ { sec = $0; on = 0 }
        sec == "COMMANDS" && /^       [^ \t]/ && ($1 in known) { on = ($1 == c) }
        on' <<<"$man_txt")
    [ -n "$entry" ] || { fail "no entry for $c in the man page"; continue; }
    help_txt=$("$FP" help "$c")
    for opt in $(sed 's/`[^`]*`//g' <<<"$help_txt" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | grep -vx -- '--db'); do
        grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" <<<"$entry" || fail "man page: $c has no $opt (its --help has)"
    done
done
# The formats export --help lists, qgz among them.
entry=$(awk '/^       export /{on=1; print; next} on && /^       [a-z]/{exit} on' <<<"$man_txt")
assert_contains "$entry" "geojson|geojsonseq|gpkg|fgb|shp|csv|qgz" "export's formats"
assert_contains "$man_txt" "gazetteer.tsv.gz" "FOOTPRINT_DATA names the shipped gazetteer"
case_end

# What an unattended job (cron, CI) relies on: the exit status says whether
# the output is whole.
case_begin "scripts: output that cannot be written (a full disk: /dev/full; stdout closed) exits 1 saying so; --db '' is a usage error; a named pipe is refused at once, the store unlocked"
printf 'id,name,lon,lat\nA1,x,36.82,-1.29\nA2,y,-95,95\n' > s1.csv
fp_init s1.sqlite && "$FP" -q --db s1.sqlite import s1.csv 2>/dev/null
OUT=$("$FP" --db s1.sqlite rejects 2>&1 >/dev/full); RC=$?
assert_eq 1 "$RC" "rejects > /dev/full: exit status"
assert_contains "$OUT" "cannot write to the standard output: No space left on device" "rejects > /dev/full: said"
OUT=$("$FP" --help 2>&1 >/dev/full); RC=$?
assert_eq 1 "$RC" "--help > /dev/full: exit status"
OUT=$("$FP" --db s1.sqlite rejects 2>&1 >&-); RC=$?
assert_eq 1 "$RC" "stdout closed: exit status"
assert_eq "0" "$(sqlite3 s1.sqlite "PRAGMA quick_check" | grep -vc '^ok$')" "the store was not written through a reused descriptor 1"
"$FP" --db s1.sqlite rejects | head -c 0; assert_eq "141" "${PIPESTATUS[0]}" "a reader that stops early: SIGPIPE as for any tool"
files_before=$(ls -A | sort | tr '\n' ' ')
run --db "" init
assert_eq 2 "$RC" "--db '': exit status"
assert_contains "$OUT" "--db: empty value" "--db '': said"
assert_eq "$files_before" "$(ls -A | sort | tr '\n' ' ')" "--db '': nothing created"
mkfifo drop.csv
OUT=$(timeout 20 "$FP" --db s1.sqlite import drop.csv 2>&1); RC=$?
assert_eq 1 "$RC" "a named pipe: exit status (124: it hung)"
assert_contains "$OUT" "drop.csv: not a regular file (a named pipe" "a named pipe: said"
run --db s1.sqlite import s1.csv --dataset other
assert_eq 0 "$RC" "the store is not locked afterwards"
case_end
