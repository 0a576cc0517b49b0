#!/bin/bash
# Layering: only src/store/ speaks SQL to the store (issue 13, item 1). A
# grep over src/: no SQL keyword string and no sqlite3_ call outside
# src/store/, except the files allowed below, each with the reason.
. "$(dirname "$0")/lib.sh"

SRC="$ROOT/src"
# An SQL statement in a C string: a keyword right after the opening quote.
SQL_RE='"(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|REPLACE|WITH) '

# Allowed for good:
#   src/geocode/    its SQL moves into src/store/ in the geocode branch,
#                   worked on in parallel (it adds its own src/store/ files)
#   src/common/mbtiles_file.c
#                   MBTiles is an output file format, not the store: the
#                   one helper that reads and writes .mbtiles files (their
#                   own SQLite files, schema and busy wait), below the two
#                   stages that use it -- the tile writer (src/tiles/sink.c)
#                   and the server (src/serve/mbtiles.c), which hold no SQL
allowed_re='^src/(geocode/|common/mbtiles_file\.c)'
# Not moved yet (issue 13 item 1 continues): each must still hold SQL, so
# this list can only shrink; remove a file when its SQL has moved.
pending="src/export/export.c src/export/export_internal.h src/export/geojson.c src/export/ogr_writer.c"

# SQLite itself: its calls, its handle type, its header.
LITE_RE='sqlite3_|sqlite3 \*|<sqlite3\.h>'

# Files under src/ (outside src/store/) with an SQL string or SQLite use.
offenders() {
    (cd "$ROOT" && grep -rlE "$SQL_RE|$LITE_RE" src --include='*.c' --include='*.h' | grep -v '^src/store/' | sort)
}

case_begin "the SQL pattern finds SQL strings and sqlite3_ calls (self-test)"
    printf 'static const char *q = "SELECT id FROM projects";\n' > probe1.c
    printf 'int n = sqlite3_changes(db);\n' > probe2.c
    printf 'static void f(sqlite3 *db);\n' > probe4.c
    printf 'const char *opt = "CREATE_CSVT"; /* SELECT in a comment */\n' > probe3.c
    assert_eq "probe1.c probe2.c probe4.c" \
        "$(grep -lE "$SQL_RE|$LITE_RE" probe1.c probe2.c probe3.c probe4.c | tr '\n' ' ' | sed 's/ $//')" \
        "files the pattern flags"
case_end

case_begin "no SQL outside src/store/ but in the allowed and pending files"
    n=0
    for f in $(offenders); do
        n=$((n + 1))
        [[ "$f" =~ $allowed_re ]] && continue
        grep -qxF "$f" <<<"$(tr ' ' '\n' <<<"$pending")" && continue
        fail "$f speaks SQL: $(cd "$ROOT" && grep -nE "$SQL_RE|$LITE_RE" "$f" | head -3)"
    done
    [ "$n" -gt 0 ] || fail "found no file at all: is FP_ROOT right?"
case_end

case_begin "every pending file still holds SQL (the list only shrinks)"
    all=$(offenders)
    for f in $pending; do
        grep -qxF "$f" <<<"$all" || fail "$f holds no SQL any more: remove it from the pending list"
    done
case_end

case_begin "the moved modules hold no SQL: cli, common (but its MBTiles file), ingest, aggregate, render, tiles, serve"
    for d in cli common ingest aggregate render tiles serve; do
        hits=$(cd "$ROOT" && grep -rnE "$SQL_RE|$LITE_RE" "src/$d" | grep -v '^src/common/mbtiles_file\.c:' | head -3)
        assert_eq "" "$hits" "SQL in src/$d"
    done
case_end

case_begin "the public headers hand out no SQLite handle"
    hits=$(cd "$ROOT" && grep -nE "fp_store_sqlite|sqlite3" include/*.h)
    assert_eq "" "$hits" "sqlite in include/"
case_end

case_begin "the store's raw handle is used only by src/store/, geocode and the pending files"
    for f in $(cd "$ROOT" && grep -rl "fp_store_sqlite" src | grep -v '^src/store/' | sort); do
        [[ "$f" =~ ^src/geocode/ ]] && continue
        [ "$f" = src/ingest/sink.c ] && continue   # geocode's country index, built from the handle
        grep -qxF "$f" <<<"$(tr ' ' '\n' <<<"$pending")" && continue
        fail "$f takes the store's SQLite handle"
    done
case_end
