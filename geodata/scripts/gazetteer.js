// GeoNames cities dump (geonames.org "cities500" format, 19 tab-separated columns) -> gazetteer TSV
// usage: node gazetteer.js cities500.txt points  > points.tsv          (id lon lat country admin1, for the admin-1 join)
//        node gazetteer.js cities500.txt full REGIONS.tsv > gazetteer.tsv
// `full` keeps every place of the dump (all of cities500: populated places of 500+ people, plus
// capitals and admin-1 seats), with REGIONS.tsv (id <tab> region code, from build.sh's join
// with regions.gpkg) as the `region` column. Alternate names are trimmed to what a data editor
// writes in Latin script: non-Latin scripts, codes (IATA, postal: digits or short all-capitals)
// and names that fold to the place's own name are dropped - never places.
'use strict';
const fs = require('fs');
const [file, mode, regionsFile] = process.argv.slice(2);
const clean = (s) => (s || '').replace(/[\t\r\n|]+/g, ' ').replace(/\s+/g, ' ').trim();
const ascii = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
// Close to footprint's fp_fold_text (src/geocode/textfold.c); only used to drop duplicates.
const fold = (s) => ascii(s).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
const latin = (s) => /^[\p{Script=Latin}\p{P}\p{Zs}\p{M}'’.-]*$/u.test(s);
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
    if (!n || n.length > 60 || !latin(n) || isCode(n)) continue;
    const k = fold(n);
    if (k && !seen.has(k)) { seen.add(k); alts.push(n); }
  }
  rows.push({ id: Number(c[0]), name, asciiname, alts, country: c[8], admin1: clean(c[10]), lon: fix(c[5]), lat: fix(c[4]),
              pop: Number(c[14] || 0), region: regions.get(c[0]) || '', feature: clean(c[7]) });
}
if (mode === 'points') { process.stdout.write('id\tlon\tlat\tcountry\tadmin1\n' + out.join('\n') + '\n'); process.exit(0); }
rows.sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : b.pop - a.pop || a.id - b.id));
const text = ['id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\tregion\tfeature']
  .concat(rows.map((r) => [r.id, r.name, r.asciiname, r.alts.join('|'), r.country, r.admin1, r.lon, r.lat, r.pop,
                           r.region, r.feature].join('\t'))).join('\n') + '\n';
process.stdout.write(text);
const noRegion = rows.filter((r) => !r.region).length;
process.stderr.write(`gazetteer: ${rows.length} places, ${noRegion} without an admin-1 region, ${Buffer.byteLength(text)} bytes\n`);
