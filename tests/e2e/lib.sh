# Helpers for end-to-end tests: each `case_begin NAME ... case_end` block is
# one test; an assertion failing inside it marks it FAIL with the reason.
# Tests run the real binary ($FP_BIN) in a fresh temporary directory.
set -u
FP=${FP_BIN:?FP_BIN not set}
ROOT=${FP_ROOT:?FP_ROOT not set}
FIX="$ROOT/tests/fixtures"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
_case=""
_fail=""

case_begin() { _case="$1"; _fail=""; }
case_end() {
    if [ -z "$_fail" ]; then echo "PASS $_case"; else printf 'FAIL %s\n%s\n' "$_case" "$_fail"; fi
}
fail() { _fail="${_fail}    $*"$'\n'; }
assert_eq() {  # expected actual message
    [ "$1" == "$2" ] || fail "$3: expected [$1], got [$2]"
}
assert_contains() {  # haystack needle message
    grep -qF -- "$2" <<<"$1" || fail "$3: [$2] not found in: $(head -c 600 <<<"$1")"
}
assert_not_contains() {
    grep -qF -- "$2" <<<"$1" && fail "$3: [$2] unexpectedly found"
    return 0
}
assert_near() {  # expected actual tolerance message
    python3 -c "import sys; sys.exit(0 if abs(float('$1')-float('$2'))<=float('$3') else 1)" 2>/dev/null ||
        fail "$4: expected $1 ± $3, got [$2]"
}
# Runs footprint, capturing stdout+stderr in $OUT and the exit status in $RC.
run() { OUT=$("$FP" "$@" 2>&1); RC=$?; }
sql() { sqlite3 -batch -noheader "$DB" "$@"; }
# SpatiaLite functions through the spatialite shell (independent of footprint).
ssql() { spatialite -batch -noheader "$DB" "$@" 2>/dev/null | grep -v '^SpatiaLite\|^$'; }
