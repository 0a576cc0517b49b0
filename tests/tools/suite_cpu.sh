#!/bin/bash
# The CPU each end-to-end suite costs: every suite (or those named) run
# alone, one after another, with the machine's CPU time from /proc/stat
# around it (so servers the suite starts, PostgreSQL's backends, Chromium,
# count too) and its wall time. For finding what makes `make check` long;
# run on an otherwise idle machine, after `make`.
#   tests/tools/suite_cpu.sh [NAME...]     e.g. tests/tools/suite_cpu.sh postgis render
# Prints "test_NAME rc=0 pass=N fail=N wall=S cpu=S sys=S" per suite.
# (For the CPU by program over a whole `make check`, BSD process accounting:
#  apt-get install acct; accton FILE; make check; accton off; sa -a -c FILE.)
cd "$(dirname "$0")/../.."
export FP_BIN=$PWD/build/footprint FP_ROOT=$PWD
# Debian's Python first, as tests/run.sh does (python3-pil, python3-qgis).
bin=$(mktemp -d) && ln -s /usr/bin/python3 "$bin/python3" && export PATH="$bin:$PATH"
FP_TEMPLATE_DIR=$(mktemp -d) FP_SHARED_CACHE=$(mktemp -d)
export FP_TEMPLATE_DIR FP_SHARED_CACHE
logs=$(mktemp -d)
trap 'rm -rf "$bin" "$FP_TEMPLATE_DIR" "$FP_SHARED_CACHE"' EXIT
hz=$(getconf CLK_TCK)
cpu() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $4 }' /proc/stat; }
names=("$@")
[ ${#names[@]} -eq 0 ] && names=($(cd tests/e2e && ls test_*.sh | sed 's/^test_//; s/\.sh$//'))
for n in "${names[@]}"; do
    read -r c0 s0 <<<"$(cpu)"; t0=$(date +%s.%N)
    bash "tests/e2e/test_$n.sh" > "$logs/$n.log" 2>&1; rc=$?
    read -r c1 s1 <<<"$(cpu)"; t1=$(date +%s.%N)
    awk -v n="$n" -v rc=$rc -v p="$(grep -c '^PASS' "$logs/$n.log")" -v f="$(grep -c '^FAIL' "$logs/$n.log")" \
        -v w="$(echo "$t1 - $t0" | bc)" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v hz="$hz" \
        'BEGIN { printf "test_%s rc=%d pass=%d fail=%d wall=%.1f cpu=%.1f sys=%.1f\n", n, rc, p, f, w, c / hz, s / hz }'
done
echo "logs: $logs"
