#!/usr/bin/env bash
# Replays every fuzz harness's seed corpus (tests/fuzz/corpus/NAME) and its
# crash regressions (tests/fuzz/regressions/NAME: each input that once
# crashed it, kept after the fix) through the harness built without
# libFuzzer ($BUILD/fuzz/replay_NAME, from `make unit`; under SAN=1 with
# ASan+UBSan). A harness checks its own invariants and aborts when one
# breaks, so each case fails on a crash, a sanitizer report or a broken
# invariant, and checks that every input was run.
. "$(dirname "$0")/lib.sh"
REPLAY=${FP_REPLAY_DIR:-$(dirname "$FP")/fuzz}
FZ="$ROOT/tests/fuzz"
for src in "$FZ"/fuzz_*.c; do
    name=$(basename "$src" .c); name=${name#fuzz_}
    case_begin "fuzz harness $name: seed corpus and crash regressions replay cleanly"
    bin="$REPLAY/replay_$name"
    dirs=()
    n=0
    for d in "$FZ/corpus/$name" "$FZ/regressions/$name"; do
        [ -d "$d" ] || continue
        dirs+=("$d")
        n=$((n + $(find "$d" -maxdepth 1 -type f ! -name '.*' | wc -l)))
    done
    if [ ! -x "$bin" ]; then
        fail "$bin is missing (built by make unit)"
    elif [ "$n" -eq 0 ]; then
        fail "no inputs for $name in tests/fuzz/corpus or tests/fuzz/regressions"
    else
        out=$("$bin" "${dirs[@]}" 2>&1); rc=$?
        assert_eq 0 "$rc" "exit status (output: $(tail -c 400 <<<"$out"))"
        assert_contains "$out" "replayed $n inputs" "every input run"
    fi
    case_end
done
