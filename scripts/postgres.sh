#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and benchmarks: installs PostgreSQL from
# Debian's packages when missing, starts a cluster in a temporary directory on its own
# port on 127.0.0.1, and prints `export EL_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT`.
#   source <(scripts/postgres.sh start)   # sets EL_TEST_POSTGRES and EL_PG_DIR
#   scripts/postgres.sh stop "$EL_PG_DIR"
set -euo pipefail

bin_dir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

install() {
    if [ -z "$(bin_dir)" ]; then
        echo "installing PostgreSQL from Debian's packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    fi
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    install
    bin=$(bin_dir)
    dir=$(mktemp -d /tmp/el-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=1000 -c synchronous_commit=off" \
        start >&2 || { cat "$dir/server.log" >&2; exit 1; }
    echo "export EL_TEST_POSTGRES=postgres://postgres@127.0.0.1:$port EL_PG_DIR=$dir"
    ;;
stop)
    dir=${2:?the cluster directory}
    as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
