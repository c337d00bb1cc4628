#!/bin/sh
# tests/servers/pg.sh — a throwaway PostgreSQL 15 for the tests and the
# bench: a cluster made in DIR, listening on 127.0.0.1 at a free port,
# its socket in DIR, password (SCRAM) authentication for the role the
# tests use, so that a connection string really carries a password.
#
#   tests/servers/pg.sh start DIR   initdb (once) and start; prints the
#                                   connection URL (also in DIR/url; the
#                                   port in DIR/port)
#   tests/servers/pg.sh stop DIR    stop now (-m immediate: a crash, as a
#                                   killed database server would stop)
#   tests/servers/pg.sh restart DIR start again after a stop, same port
#
# PostgreSQL refuses to run as root: as root, the cluster is made and run
# by the unprivileged system user incomescore-test (created when missing)
# through runuser; otherwise by the current user. Debian's binaries in
# /usr/lib/postgresql/15/bin (PG_BIN overrides).
set -eu
ACTION=${1:?usage: tests/servers/pg.sh start|stop|restart DIR}
DIR=${2:?usage: tests/servers/pg.sh start|stop|restart DIR}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
TEST_USER=incomescore-test
ROLE=incomescore
# Not a secret: a throwaway cluster on loopback. Distinctive, so that a
# test can grep every output for it.
PASSWORD=${PG_TEST_PASSWORD:-s3cr3t-Pg-pw}

[ -x "$PG_BIN/pg_ctl" ] || {
    echo "pg.sh: no PostgreSQL 15 in $PG_BIN (make deps installs postgresql)" >&2
    exit 1
}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$TEST_USER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    if [ "$(id -u)" -eq 0 ]; then
        id "$TEST_USER" >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin \
                "$TEST_USER"
        chown "$TEST_USER" "$DIR"
    fi
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        printf '%s\n' "$PASSWORD" > "$DIR/pwfile"
        [ "$(id -u)" -eq 0 ] && chown "$TEST_USER" "$DIR/pwfile"
        as_owner "$PG_BIN/initdb" -D "$DIR/data" -U "$ROLE" \
            --pwfile="$DIR/pwfile" --auth=scram-sha-256 -E UTF8 \
            --locale=C.UTF-8 > "$DIR/initdb.log" 2>&1 || {
            cat "$DIR/initdb.log" >&2
            exit 1
        }
        rm -f "$DIR/pwfile"
        free_port > "$DIR/port"
    fi
    port=$(cat "$DIR/port")
    # fsync stays on: the audit's promise is a commit on disk, and a
    # bench without it would flatter PostgreSQL.
    as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$DIR -c max_connections=50" \
        start > /dev/null || {
        cat "$DIR/server.log" >&2
        exit 1
    }
    url="postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
    printf '%s\n' "$url" > "$DIR/url"
    printf '%s\n' "$url"
}

case $ACTION in
start | restart) start ;;
stop)
    [ -f "$DIR/data/postmaster.pid" ] &&
        as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop \
            > /dev/null 2>&1
    exit 0
    ;;
*)
    echo "pg.sh: start, stop or restart, not '$ACTION'" >&2
    exit 2
    ;;
esac
