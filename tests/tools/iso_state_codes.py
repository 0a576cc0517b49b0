#!/usr/bin/env python3
"""IN.csv OUT.csv: the rows of a geocode evaluation set (key,place,country,state,...)
whose state name is, folded, the name of exactly one ISO 3166-2 subdivision of the
row's country in Debian's iso-codes, with the state replaced by that code. Independent
of footprint's own mapping (geodata/admin1_iso3166.tsv): it reads iso-codes' names
only. Prints "kept total" on stderr."""
import csv, json, re, sys, unicodedata, collections
def fold(t):
    t = unicodedata.normalize('NFKD', t); t = ''.join(c for c in t if not unicodedata.combining(c)).lower()
    return ' '.join(re.sub(r'[^0-9a-z]+', ' ', re.sub(r"[’'ʼʻ`]", '', t)).split())
iso = json.load(open('/usr/share/iso-codes/json/iso_3166-2.json'))['3166-2']
c1 = json.load(open('/usr/share/iso-codes/json/iso_3166-1.json'))['3166-1']
a2 = {}
for c in c1:
    for k in ('alpha_3', 'name', 'common_name', 'official_name'):
        if k in c: a2[fold(c[k])] = c['alpha_2']
by = collections.defaultdict(list)
for s in iso:
    by[(s['code'][:2], fold(s['name']))].append(s['code'])
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8')))
w = csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8'))
w.writerow(rows[0]); n = 0
for r in rows[1:]:
    cc = a2.get(fold(r[2]))
    codes = by.get((cc, fold(r[3])), []) if cc else []
    if len(codes) == 1:
        r[3] = codes[0]; n += 1; w.writerow(r)
print(n, len(rows) - 1, file=sys.stderr)
