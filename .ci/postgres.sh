#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the records tests.
#
#   eval "$(.ci/postgres.sh start)"   # installs PostgreSQL if missing, starts it, and prints
#                                     # `export COLLECTSIM_TEST_PG=postgresql://...`
#   .ci/postgres.sh stop              # stops it and removes its data
#
# The cluster lives in $COLLECTSIM_PG_DIR (default /tmp/collectsim-pg), listens on 127.0.0.1 only
# (port $COLLECTSIM_PG_PORT, default 54329) with password (SCRAM) authentication, and has a role
# `collectsim` that owns database `collectsim`, where tests make (and drop) scratch schemas.
# Everything but the export lines goes to stderr. Works as root (runs the server as `postgres`)
# or as an ordinary user.
set -euo pipefail

DIR=${COLLECTSIM_PG_DIR:-/tmp/collectsim-pg}
PORT=${COLLECTSIM_PG_PORT:-54329}
PASSWORD=${COLLECTSIM_PG_PASSWORD:-collectsim}

log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then
        bin=$(dirname "$(command -v initdb)")
    fi
    echo "$bin"
}

as_pg() {
    # initdb and postgres refuse to run as root.
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
    local bin
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -f "$DIR/data/postmaster.pid" ]; then
        as_pg "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR"
}

start() {
    local bin
    bin=$(pg_bin)
    if [ -z "$bin" ]; then
        log "installing PostgreSQL"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin=$(pg_bin)
    fi
    # Debian's package starts its own cluster on 5432; ours is separate, so leave that alone.
    stop
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
    chmod 700 "$DIR"
    local pwfile="$DIR/pw"
    as_pg sh -c "umask 077; printf '%s\n' '$PASSWORD' > '$pwfile'"
    log "initdb in $DIR/data ($("$bin/postgres" --version))"
    as_pg "$bin/initdb" -D "$DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
    as_pg "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR" >&2
    as_pg "$bin/psql" -h "$DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE collectsim LOGIN PASSWORD '$PASSWORD'" \
        -c "CREATE DATABASE collectsim OWNER collectsim" >&2
    log "PostgreSQL is up on 127.0.0.1:$PORT"
    echo "export COLLECTSIM_TEST_PG=postgresql://collectsim:$PASSWORD@127.0.0.1:$PORT/collectsim"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
