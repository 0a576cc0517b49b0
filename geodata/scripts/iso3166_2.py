#!/usr/bin/env python3
"""ISO 3166-2 codes and names of the admin-1 regions, for geocode's admin-1 column.

Natural Earth codes some regions with its own ids where ISO 3166-2 has a code
(New South Wales is AU-AUS2654 there, AU-NSW in ISO), keeps old codes (Mexico
City MX-DIF, now MX-CMX), and cuts some countries finer than the ISO level a
data editor writes (the United Kingdom's council areas under GB-SCT, France's
departments under FR-IDF). This script matches the subdivisions of Debian's
iso-codes (/usr/share/iso-codes/json/iso_3166-2.json) to the regions of
geodata/regions.gpkg by name, and writes geodata/admin1_iso3166.tsv in
admin1_names.tsv's form, "NE code<TAB>names": for each region the ISO codes and
names that lead to it. A parent subdivision (GB-SCT, FR-IDF, ES-CT) leads to
every region its children lead to; geocode then takes the name's regions
together, as it does for "Puglia".

A subdivision is matched when its name, folded (accents, case, punctuation and
words such as "Province" or "City of" dropped), equals a folded name of one or
more regions of its country: the region's own name or one of its other names
in admin1_names.tsv.gz. A code that already is a region's code is skipped
(geocode reads region codes first). Unmatched subdivisions are counted, not
guessed.

Usage: geodata/scripts/iso3166_2.py [ISO_3166-2_JSON] (from the repository root;
writes geodata/admin1_iso3166.tsv and prints the coverage).
Source: Debian package iso-codes (LGPL-2.1-or-later), version printed in the file.
"""
import collections
import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/iso-codes/json/iso_3166-2.json'
# Renames that no name of the region carries, checked by hand: Mexico City's
# code changed from MX-DIF (Distrito Federal, still Natural Earth's) to MX-CMX
# in 2017; "CDMX" and "Mexico City" are how lists write it.
BY_HAND = {'MX-CMX': ({'MX-DIF'}, ['Mexico City', 'CDMX'])}
TYPE_WORDS = {
    'state', 'province', 'provincia', 'region', 'oblast', 'oblys', 'governorate', 'prefecture', 'district',
    'county', 'department', 'departamento', 'municipality', 'division', 'territory', 'emirate', 'canton',
    'voivodeship', 'kray', 'krai', 'republic', 'respublika', 'of', 'the', 'city', 'council', 'area', 'autonomous',
    'capital', 'federal', 'metropolitan', 'special', 'administrative', 'islands', 'island', 'de', 'del', 'la', 'le',
    'and', 'y', 'et', 'e',
}


def fold(text):
    t = unicodedata.normalize('NFKD', text)
    t = ''.join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"[’'ʼʻ`]", '', t)
    return ' '.join(re.sub(r'[^0-9a-z]+', ' ', t).split())


def bare(text):
    return ' '.join(w for w in fold(text).split() if w not in TYPE_WORDS)


def forms(name):
    """The keys a name matches under: folded, without type words, and with a
    comma's inversion undone ("Edinburgh, City of")."""
    out = {fold(name), bare(name)}
    if ',' in name:
        a, b = name.split(',', 1)
        out |= {fold(b + ' ' + a), bare(a)}
    return {f for f in out if f}


def main():
    db = sqlite3.connect(os.path.join(HERE, 'regions.gpkg'))
    regions = db.execute("SELECT code, name, parent, iso_a2 FROM regions WHERE level = 'admin1'").fetchall()
    a3_of = dict(db.execute("SELECT iso_a2, code FROM regions WHERE level = 'country' AND iso_a2 IS NOT NULL"))
    own_codes = {r[0] for r in regions}
    others = {}
    with gzip.open(os.path.join(HERE, 'admin1_names.tsv.gz'), 'rt', encoding='utf-8') as fh:
        next(fh)
        for line in fh:
            code, names = line.rstrip('\n').split('\t', 1)
            others[code] = names.split('|')
    # "A3|key" -> region codes, from the regions' own names first; other names
    # only where no own name has the key (a province's "region" name is shared
    # by its siblings and must not outvote a region's own name).
    own_key, other_key = collections.defaultdict(set), collections.defaultdict(set)
    for code, name, a3, _ in regions:
        for f in forms(name):
            own_key[a3 + '|' + f].add(code)
        for n in others.get(code, []):
            if len(n) > 3:      # not postal abbreviations
                for f in forms(n):
                    other_key[a3 + '|' + f].add(code)

    def regions_named(a3, name):
        for f in sorted(forms(name), key=len, reverse=True):
            if a3 + '|' + f in own_key: return own_key[a3 + '|' + f]
        for f in sorted(forms(name), key=len, reverse=True):
            if a3 + '|' + f in other_key: return other_key[a3 + '|' + f]
        return set()

    subs = json.load(open(SRC, encoding='utf-8'))['3166-2']
    found, parent_of, names_of = {}, {}, {}
    unmatched = []
    for s in subs:
        code, cc = s['code'], s['code'].split('-')[0]
        names_of[code] = s['name']
        if 'parent' in s:
            p = s['parent']
            parent_of[code] = p if '-' in p else cc + '-' + p
        a3 = a3_of.get(cc)
        if not a3: continue
        if code in own_codes:
            found[code] = {code}
            continue
        r = BY_HAND[code][0] if code in BY_HAND else regions_named(a3, s['name'])
        if r: found[code] = r
        else: unmatched.append(code)
    # Parents lead to every region their children lead to, grandchildren too.
    children = collections.defaultdict(list)
    for c, p in parent_of.items(): children[p].append(c)

    def below(code, seen):
        out = set(found.get(code, ()))
        for c in children.get(code, ()):
            if c not in seen:
                seen.add(c)
                out |= below(c, seen)
        return out
    by_parent = 0
    for p in list(children):
        if p in found or p in own_codes: continue
        r = below(p, {p})
        if r:
            found[p] = r
            by_parent += 1
            if p in unmatched: unmatched.remove(p)
    # Rows: NE code -> the ISO codes (and names) leading to it, other than itself.
    lead = collections.defaultdict(list)
    for code in sorted(found):
        if code in own_codes: continue
        suffix = code.split('-', 1)[1]
        for r in sorted(found[code]):
            lead[r] += [code, names_of[code]] + (BY_HAND[code][1] if code in BY_HAND else [])
            if re.fullmatch(r'[A-Z]{2,3}', suffix): lead[r].append(suffix)
    try:
        version = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'iso-codes'], capture_output=True, text=True).stdout
    except OSError:
        version = ''
    out = os.path.join(HERE, 'admin1_iso3166.tsv')
    with open(out + '.tmp', 'w', encoding='utf-8') as fh:
        fh.write('code\tnames\n')
        for r in sorted(lead):
            seen, keep = set(), []
            for n in lead[r]:
                if n not in seen:
                    seen.add(n)
                    keep.append(n)
            fh.write(r + '\t' + '|'.join(keep) + '\n')
    os.replace(out + '.tmp', out)
    countries = {s['code'].split('-')[0] for s in subs if s['code'].split('-')[0] in a3_of}
    listed = [s for s in subs if s['code'].split('-')[0] in countries]
    print(f'iso3166_2: iso-codes {version or "?"}: {len(listed)} subdivisions of {len(countries)} countries; '
          f'{sum(1 for s in listed if s["code"] in own_codes)} are region codes, '
          f'{sum(1 for s in listed if s["code"] in found and s["code"] not in own_codes)} matched by name or by their '
          f'children ({by_parent} parents), {len(unmatched)} unmatched; {len(lead)} regions get ISO codes')


if __name__ == '__main__':
    main()
