#!/bin/sh
# A throw-away PostgreSQL server for the tests (issue 18): initdb into a temporary folder, listen on a
# loopback port only (and a socket inside the folder), trust authentication for local connections.
#   sh tools/pg_test_server.sh start DIR [PORT]   prints the URL the tests take as KEXIE_TEST_DB
#   sh tools/pg_test_server.sh stop DIR           stops the server and removes DIR
# PostgreSQL refuses to run as root: as root the server runs as the "postgres" user (which the
# postgresql package creates), otherwise as the calling user.
set -eu
action="${1:-}"
dir="${2:-}"
port="${3:-54329}"
[ -n "$action" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }

bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$candidate/pg_ctl" ] && { bindir="$candidate"; break; }
done
[ -n "$bindir" ] || bindir="$(dirname "$(command -v pg_ctl)")"

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$action" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # Tests create a database per test from a template: no durability needed, many short connections.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
