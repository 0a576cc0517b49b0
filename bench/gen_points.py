#!/usr/bin/env python3
"""Seeded generator of synthetic project points for the footprint benchmarks.

usage: python3 bench/gen_points.py N OUT.csv [--seed S]   (default seed 42)

Writes a CSV with the header
    id,company,category,name,year,amount,lon,lat
and ids 1..N. 80% of the points are drawn around ~60 hard-coded city
centres (Gaussian, sigma 1-3 degrees, clamped to valid ranges), 20% are
uniform in lon -180..180, lat -60..75. Only random.Random(seed) is used, so
the output is byte-identical for the same N and seed.
"""
import argparse
import random
import sys

COMPANIES = ["Huawei", "ZTE", "Tencent", "Baidu", "CETC", "Alibaba",
             "China Mobile", "China Telecom", "China Unicom", "WuXi",
             "Hikvision", "BGI"]

CATEGORIES = ["5g", "smart_city", "surveillance", "data_centre", "rd_lab",
              "university", "cable", "landing_station", "telecom", "cloud",
              "training", "other"]

# (lon, lat, sigma in degrees)
CITIES = [
    (116.40, 39.90, 1.5),   # Beijing
    (121.47, 31.23, 1.5),   # Shanghai
    (114.06, 22.54, 1.0),   # Shenzhen
    (113.26, 23.13, 1.5),   # Guangzhou
    (104.07, 30.67, 2.0),   # Chengdu
    (120.15, 30.28, 1.5),   # Hangzhou
    (106.55, 29.56, 2.0),   # Chongqing
    (103.82, 1.35, 1.0),    # Singapore
    (101.69, 3.14, 1.5),    # Kuala Lumpur
    (100.50, 13.75, 2.0),   # Bangkok
    (106.83, -6.21, 2.0),   # Jakarta
    (120.98, 14.60, 2.0),   # Manila
    (105.85, 21.03, 1.5),   # Hanoi
    (96.16, 16.87, 2.0),    # Yangon
    (90.41, 23.81, 1.5),    # Dhaka
    (77.21, 28.61, 2.5),    # Delhi
    (72.88, 19.08, 2.0),    # Mumbai
    (67.01, 24.86, 2.0),    # Karachi
    (73.05, 33.68, 2.0),    # Islamabad
    (69.24, 41.30, 2.5),    # Tashkent
    (71.43, 51.13, 3.0),    # Astana
    (51.39, 35.69, 2.5),    # Tehran
    (55.27, 25.20, 1.5),    # Dubai
    (46.68, 24.71, 2.5),    # Riyadh
    (28.98, 41.01, 2.0),    # Istanbul
    (31.24, 30.04, 2.0),    # Cairo
    (3.38, 6.52, 2.0),      # Lagos
    (36.82, -1.29, 2.0),    # Nairobi
    (38.75, 9.03, 2.5),     # Addis Ababa
    (39.27, -6.79, 2.0),    # Dar es Salaam
    (28.05, -26.20, 2.0),   # Johannesburg
    (18.42, -33.92, 1.5),   # Cape Town
    (13.23, -8.84, 2.0),    # Luanda
    (32.58, 0.35, 2.0),     # Kampala
    (-17.47, 14.72, 1.5),   # Dakar
    (-7.59, 33.57, 2.0),    # Casablanca
    (3.06, 36.75, 2.0),     # Algiers
    (-0.13, 51.51, 1.5),    # London
    (2.35, 48.86, 1.5),     # Paris
    (13.40, 52.52, 1.5),    # Berlin
    (4.90, 52.37, 1.0),     # Amsterdam
    (12.50, 41.90, 2.0),    # Rome
    (-3.70, 40.42, 2.0),    # Madrid
    (21.01, 52.23, 2.0),    # Warsaw
    (20.46, 44.79, 2.0),    # Belgrade
    (19.04, 47.50, 1.5),    # Budapest
    (37.62, 55.76, 3.0),    # Moscow
    (18.07, 59.33, 2.0),    # Stockholm
    (-74.01, 40.71, 1.5),   # New York
    (-122.42, 37.77, 1.5),  # San Francisco
    (-99.13, 19.43, 2.0),   # Mexico City
    (-79.38, 43.65, 2.0),   # Toronto
    (-46.63, -23.55, 2.0),  # Sao Paulo
    (-43.17, -22.91, 1.5),  # Rio de Janeiro
    (-58.38, -34.60, 2.0),  # Buenos Aires
    (-70.67, -33.45, 1.5),  # Santiago
    (-77.04, -12.05, 2.0),  # Lima
    (-74.07, 4.71, 2.0),    # Bogota
    (-66.90, 10.49, 2.0),   # Caracas
    (151.21, -33.87, 2.0),  # Sydney
    (144.96, -37.81, 2.0),  # Melbourne
    (174.76, -36.85, 1.5),  # Auckland
    (139.69, 35.69, 1.5),   # Tokyo
    (126.98, 37.57, 1.5),   # Seoul
]


def generate(n, out, seed):
    rng = random.Random(seed)
    rand = rng.random
    gauss = rng.gauss
    randrange = rng.randrange
    choice = rng.choice
    ncomp = len(COMPANIES)
    ncat = len(CATEGORIES)
    lines = []
    write = out.write
    out.write("id,company,category,name,year,amount,lon,lat\n")
    for i in range(1, n + 1):
        if rand() < 0.8:
            clon, clat, sigma = choice(CITIES)
            lon = clon + gauss(0.0, sigma)
            lat = clat + gauss(0.0, sigma)
            if lon < -180.0:
                lon = -180.0
            elif lon > 180.0:
                lon = 180.0
            if lat < -90.0:
                lat = -90.0
            elif lat > 90.0:
                lat = 90.0
        else:
            lon = rand() * 360.0 - 180.0
            lat = rand() * 135.0 - 60.0
        # amount: log-ish spread, 0.1 to ~5000 (million USD)
        amount = 0.1 + (rand() ** 3) * 5000.0
        lines.append("%d,%s,%s,Project %d,%d,%.2f,%.6f,%.6f\n" % (
            i, COMPANIES[randrange(ncomp)], CATEGORIES[randrange(ncat)],
            randrange(1, 100000), 2005 + randrange(20), amount, lon, lat))
        if len(lines) >= 65536:
            write("".join(lines))
            lines.clear()
    if lines:
        write("".join(lines))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of rows")
    ap.add_argument("out", help="output CSV path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if args.out == "-":
        generate(args.n, sys.stdout, args.seed)
        sys.stdout.flush()
    else:
        with open(args.out, "w", encoding="ascii", newline="\n",
                  buffering=1 << 20) as f:
            generate(args.n, f, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
