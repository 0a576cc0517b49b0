#!/bin/bash
# Layering: only src/store/ speaks SQL to the store (issue 13, item 1). A
# grep over src/: no SQL keyword string and no sqlite3_ call outside
# src/store/, except the files allowed below, each with the reason.
. "$(dirname "$0")/lib.sh"

SRC="$ROOT/src"
# An SQL statement in a C string: a keyword right after the opening quote.
SQL_RE='"(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|REPLACE|WITH) '

# Allowed for good:
#   src/common/mbtiles_file.c
#                   MBTiles is an output file format, not the store: the
#                   one helper that reads and writes .mbtiles files (their
#                   own SQLite files, schema and busy wait), below the two
#                   stages that use it -- the tile writer (src/tiles/sink.c)
#                   and the server (src/serve/mbtiles.c), which hold no SQL
#   src/export/gpkg_styles.c
#                   likewise the exported GeoPackage's layer_styles table
#                   (QGIS's styles inside the OUTPUT file; OGR has no API
#                   for it and its SQL dialect would paste the QML in)
allowed_re='^src/(common/mbtiles_file\.c|export/gpkg_styles\.c)$'

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

case_begin "no SQL outside src/store/ but in the allowed files"
    n=0
    for f in $(offenders); do
        n=$((n + 1))
        [[ "$f" =~ $allowed_re ]] && continue
        fail "$f speaks SQL: $(cd "$ROOT" && grep -nE "$SQL_RE|$LITE_RE" "$f" | head -3)"
    done
    [ "$n" -gt 0 ] || fail "found no file at all: is FP_ROOT right?"
case_end

case_begin "every module holds no SQL but the two allowed files"
    for d in $(cd "$SRC" && ls -d */ | tr -d / | grep -vx store); do
        hits=$(cd "$ROOT" && grep -rnE "$SQL_RE|$LITE_RE" "src/$d" | grep -vE '^src/(common/mbtiles_file|export/gpkg_styles)\.c:' | head -3)
        assert_eq "" "$hits" "SQL in src/$d"
    done
case_end

case_begin "the public headers hand out no SQLite handle"
    hits=$(cd "$ROOT" && grep -nE "fp_store_sqlite|sqlite3" include/*.h)
    assert_eq "" "$hits" "sqlite in include/"
case_end

case_begin "the store's raw handle is used only by src/store/"
    for f in $(cd "$ROOT" && grep -rl "fp_store_sqlite" src | grep -v '^src/store/' | sort); do
        fail "$f takes the store's SQLite handle"
    done
case_end
