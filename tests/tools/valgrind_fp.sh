#!/usr/bin/env bash
# footprint under valgrind, for the end-to-end tests: valgrind_run.sh sets
# FP_BIN to this script. Each run writes its own log (VG_LOG_DIR/PID.log);
# valgrind prints nothing else (-q), so a non-empty log is an error or a
# definite leak, and valgrind_run.sh fails the test that caused it. The
# exit status is footprint's own, or 99 when valgrind found something.
#
# One shortcut: loading the 4,596 shipped regions takes 30 s under
# valgrind, and every test starts with `footprint -q --db NEW init`. Such a
# quiet init of the default regions into a store that does not exist yet
# copies VG_INIT_CACHE, a store valgrind_run.sh initialised once under
# valgrind at the start of the run (so that path is still checked); any
# other init (re-init, --regions, not quiet) runs under valgrind.
set -u
real=${VG_FP_REAL:?VG_FP_REAL not set}
logs=${VG_LOG_DIR:?VG_LOG_DIR not set}
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "${VG_INIT_CACHE:-}" ]; then
    db=output/footprint.sqlite quiet=0 cmd="" extra=0
    args=("$@")
    for ((i = 0; i < ${#args[@]}; i++)); do
        a=${args[$i]}
        if [ -n "$cmd" ]; then extra=1
        elif [ "$a" = --db ]; then i=$((i + 1)); db=${args[$i]:-}
        elif [ "${a#--db=}" != "$a" ]; then db=${a#--db=}
        elif [ "$a" = -q ] || [ "$a" = --quiet ]; then quiet=1
        else cmd=$a; fi
    done
    if [ "$cmd" = init ] && [ $quiet = 1 ] && [ $extra = 0 ] && [ -n "$db" ] && [ ! -e "$db" ]; then
        mkdir -p "$(dirname "$db")" && cp "$VG_INIT_CACHE" "$db" && exit 0
    fi
fi

export G_SLICE=always-malloc G_DEBUG=gc-friendly
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --track-origins=no --num-callers=30 \
    --suppressions="$here/../valgrind.supp" --log-file="$logs/%p.log" "$real" "$@"
