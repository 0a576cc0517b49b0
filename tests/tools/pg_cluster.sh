#!/bin/bash
# A throw-away PostgreSQL + PostGIS cluster for the tests: initdb in a
# temporary folder, a Unix socket in that folder and a free local TCP port
# (127.0.0.1 only), stopped and removed at the end. No system service is
# used or needed.
#
# Sourced:   . tests/tools/pg_cluster.sh; pg_cluster_start || exit 1
#            ... psql/footprint against $PGC_URL ...; pg_cluster_stop
#   (the caller's EXIT trap must call pg_cluster_stop: test_postgis.sh does)
# Alone:     tests/tools/pg_cluster.sh start   prints the variables to eval
#            tests/tools/pg_cluster.sh stop DIR
#
# After pg_cluster_start:
#   PGC_DIR   the folder (data, socket, log)
#   PGC_PORT  the TCP port; PGC_SOCK the socket folder
#   PGC_URL   postgresql URL of database `fp` (PostGIS created) as the
#             superuser `postgres` over the socket (trust)
#   PGC_PW_USER/PGC_PW_PASS  a role that logs in over TCP with a password
#             (scram-sha-256); local socket logins need none.
# Running as root (CI), the server runs as `nobody`: initdb refuses root.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# Debian's psql on PATH is pg_wrapper, a Perl script that picks the
# cluster's version and then runs this one: 40 ms of CPU a call, hundreds
# of calls a check. The suites sourcing this file call the binary itself.
[ -x "$PG_BIN/psql" ] && psql() { "$PG_BIN/psql" "$@"; }

_pgc_as() {   # runs a command as the cluster's owner
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

pg_cluster_start() {
    PGC_DIR=$(mktemp -d /tmp/fp_pg.XXXXXX) || return 1
    chmod 755 "$PGC_DIR"
    [ "$(id -u)" = 0 ] && chown nobody "$PGC_DIR"
    PGC_SOCK=$PGC_DIR
    PGC_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    PGC_PW_USER=fp_pw
    PGC_PW_PASS=secret-$RANDOM$RANDOM
    if ! _pgc_as "$PG_BIN/initdb" -D "$PGC_DIR/data" -U postgres -A trust -N -E UTF8 --locale=C.UTF-8 \
            >"$PGC_DIR/initdb.log" 2>&1; then
        echo "pg_cluster: initdb failed:" >&2; cat "$PGC_DIR/initdb.log" >&2; return 1
    fi
    # Socket logins trusted; TCP logins need a password (the wrong-password case).
    cat > "$PGC_DIR/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
    # Small and quick: a test cluster, no durability needed.
    if ! _pgc_as "$PG_BIN/pg_ctl" -D "$PGC_DIR/data" -l "$PGC_DIR/server.log" -w -t 60 start \
            -o "-p $PGC_PORT -k $PGC_SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
                -c full_page_writes=off -c shared_buffers=128MB -c jit=off -c max_connections=40" >/dev/null; then
        echo "pg_cluster: server did not start:" >&2; cat "$PGC_DIR/server.log" >&2; return 1
    fi
    local psql="psql -X -q -v ON_ERROR_STOP=1 -h $PGC_SOCK -p $PGC_PORT -U postgres"
    $psql -d postgres -c "CREATE DATABASE fp" -c "CREATE ROLE $PGC_PW_USER LOGIN SUPERUSER PASSWORD '$PGC_PW_PASS'" \
        >/dev/null || return 1
    $psql -d fp -c "CREATE EXTENSION postgis" >/dev/null || return 1
    PGC_URL="postgresql://postgres@/fp?host=$PGC_SOCK&port=$PGC_PORT"
    export PGC_DIR PGC_SOCK PGC_PORT PGC_URL PGC_PW_USER PGC_PW_PASS
}

pg_cluster_stop() {
    local dir=${1:-${PGC_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        _pgc_as "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
}

# psql on a database of the cluster over the socket, unaligned, no headers.
pgc_psql() {   # DB SQL...
    local db=$1; shift
    psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGC_SOCK" -p "$PGC_PORT" -U postgres -d "$db" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
        start) pg_cluster_start || exit 1
               echo "PGC_DIR=$PGC_DIR PGC_PORT=$PGC_PORT PGC_SOCK=$PGC_SOCK PGC_URL='$PGC_URL'" ;;
        stop) pg_cluster_stop "${2:?which folder}" ;;
        *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
    esac
fi
