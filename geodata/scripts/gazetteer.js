// GeoNames cities dump (geonames.org "cities500" format, 19 tab-separated columns) -> geodata/gazetteer.tsv
// usage: node gazetteer.js cities500.txt MIN_POP [MAX_BYTES] > gazetteer.tsv
// Keeps every place with population >= MIN_POP, plus national capitals (PPLC) and
// admin-1 seats (PPLA) of any size. If the output would exceed MAX_BYTES (default 6 MB),
// alternate names are trimmed (non-Latin-script names dropped first) - never places.
'use strict';
const fs = require('fs');
const [file, minPopArg, maxArg] = process.argv.slice(2);
const minPop = Number(minPopArg || 15000);
const maxBytes = Number(maxArg || 6 * 1000 * 1000);
const clean = (s) => (s || '').replace(/[\t\r\n|]+/g, ' ').replace(/\s+/g, ' ').trim();
const ascii = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
const rows = [];
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const c = line.split('\t');
  if (c.length < 19) throw new Error('bad line: ' + line.slice(0, 80));
  const pop = Number(c[14] || 0);
  if (!(pop >= minPop || c[7] === 'PPLC' || c[7] === 'PPLA')) continue;
  const name = clean(c[1]);
  const asciiname = clean(c[2]) || ascii(name);
  const seen = new Set([name, asciiname]);
  const alts = [];
  for (const a of (c[3] || '').split(',')) {
    const n = clean(a);
    if (n && !seen.has(n)) { seen.add(n); alts.push(n); }
  }
  const fix = (v) => String(Math.round(Number(v) * 1e5) / 1e5);
  rows.push({ id: Number(c[0]), name, asciiname, alts, country: c[8], admin1: clean(c[10]), lon: fix(c[5]), lat: fix(c[4]), pop });
}
rows.sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : b.pop - a.pop || a.id - b.id));
const latin = (s) => /^[\p{Script=Latin}\p{N}\p{P}\p{Zs}\p{M}'’.-]*$/u.test(s);
const render = (mode) => {
  const out = ['id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation'];
  for (const r of rows) {
    const alts = mode === 'latin' ? r.alts.filter(latin) : mode === 'none' ? [] : r.alts;
    out.push([r.id, r.name, r.asciiname, alts.join('|'), r.country, r.admin1, r.lon, r.lat, r.pop].join('\t'));
  }
  return out.join('\n') + '\n';
};
let text = render('all'), mode = 'all';
if (Buffer.byteLength(text) > maxBytes) { text = render('latin'); mode = 'latin'; }
if (Buffer.byteLength(text) > maxBytes) { text = render('none'); mode = 'none'; }
process.stdout.write(text);
process.stderr.write(`gazetteer: ${rows.length} places, altnames=${mode}, ${Buffer.byteLength(text)} bytes\n`);
