# Scores a geocode run: truth CSV (key, truth_x, truth_y, sm_population, capital?) against
# "key|x|y|method|precision" lines dumped from the store by spatialite.
import csv, math, sys
from collections import Counter, defaultdict
truth = {r['key']: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))}
def hav(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2-p1)/2)**2 + math.cos(p1)*math.cos(p2)*math.sin(math.radians(lon2-lon1)/2)**2
    return 2 * 6371.0088 * math.asin(min(1, math.sqrt(a)))
got = {}
for line in open(sys.argv[2], encoding='utf-8'):
    k, x, y, m, p = line.rstrip('\n').split('|')
    got[k] = (float(x), float(y), m, p) if x else None
subset = sys.argv[3] if len(sys.argv) > 3 else 'all'
def keep(t):
    if subset == 'all': return True
    if subset == 'capitals': return t['sm_capital'] in ('primary', 'admin', 'minor')
    return float(t['sm_population'] or 0) >= 10000
n = w10 = o100 = 0
by = defaultdict(list)
for k, t in truth.items():
    if not keep(t): continue
    n += 1
    g = got.get(k)
    if not g:
        by['not placed'].append(None); o100 += 1; continue
    d = hav(float(t['truth_x']), float(t['truth_y']), g[0], g[1])
    w10 += d <= 10; o100 += d > 100
    base = g[2].split('+')[0]
    cls = 'town' if base in ('exact','folded','alternate','fuzzy') else base
    by[cls].append(d)
    if '+ambiguous' in g[2]: by['  of which +ambiguous'].append(d)
    if '+admin1-differs' in g[2]: by['  of which +admin1-differs'].append(d)
    if base == 'fuzzy': by['  of which fuzzy'].append(d)
print(f"{subset}: {n} rows; within 10 km {w10} ({100*w10/n:.1f}%); more than 100 km off or not placed {o100} ({100*o100/n:.2f}%)")
for cls in sorted(by, key=lambda c: (c.startswith(' '), c)):
    ds = sorted(d for d in by[cls] if d is not None)
    med = ds[len(ds)//2] if ds else float('nan')
    print(f"  {cls:28s} {len(by[cls]):6d} rows ({100*len(by[cls])/n:5.1f}%)" + (f"  median {med:7.1f} km, within 10 km {sum(d<=10 for d in ds)}, >100 km {sum(d>100 for d in ds)}" if ds else ""))
print(f"RESULT {subset} n={n} w10={100*w10/n:.2f} o100={100*o100/n:.2f}")
