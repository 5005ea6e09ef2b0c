# pg_cluster.sh — a private PostgreSQL cluster for tests/pg_test.sh and
# bench/pg_workers.sh (sourced, not run).  pg_start DIR makes a cluster with
# initdb under DIR, starts it on a free port of 127.0.0.1 (its socket in
# DIR, nothing else on the machine touched) and creates the database
# "cairn" owned by the superuser "cairn" (trust authentication, loopback
# only); it sets PGURL.  When the caller is root, initdb and the server run
# as the unprivileged postgres user (nobody when there is none), as
# PostgreSQL requires.  pg_stop stops the server; the caller removes DIR.
# pg_sql SQL prints the rows of one query, unaligned, '|' between columns.

pg_bin=${CAIRN_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
pg_dir=""
pg_port=""
pg_user=""
PGURL=""

# pg_as CMD...: run CMD as the cluster's owner.
pg_as() {
    if [ -n "$pg_user" ]; then
        runuser -u "$pg_user" -- "$@"
    else
        "$@"
    fi
}

# pg_free_port: a TCP port of 127.0.0.1 nothing listens on.
pg_free_port() {
    local p i
    for i in $(seq 50); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# pg_start DIR: 0 when the cluster runs; otherwise 1 with the reason on stderr.
pg_start() {
    pg_dir=$1
    if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
        echo "PostgreSQL server binaries missing (run scripts/setup.sh)" >&2
        return 1
    fi
    mkdir -p "$pg_dir"
    if [ "$(id -u)" = 0 ]; then
        if getent passwd postgres >/dev/null; then pg_user=postgres; else pg_user=nobody; fi
        chmod 755 "$(dirname "$pg_dir")"
        chown "$pg_user" "$pg_dir"
    fi
    chmod 700 "$pg_dir"
    if ! pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U cairn --auth=trust -E UTF8 --no-sync \
        >"$pg_dir/initdb.log" 2>&1; then
        echo "initdb failed: $(tail -n 3 "$pg_dir/initdb.log")" >&2
        return 1
    fi
    pg_port=$(pg_free_port) || { echo "no free port" >&2; return 1; }
    if ! pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" \
        start >/dev/null 2>&1; then
        echo "the server did not start: $(tail -n 3 "$pg_dir/server.log" 2>/dev/null)" >&2
        return 1
    fi
    if ! "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U cairn cairn 2>"$pg_dir/createdb.err"; then
        echo "createdb failed: $(cat "$pg_dir/createdb.err")" >&2
        return 1
    fi
    PGURL="postgres://cairn@127.0.0.1:$pg_port/cairn"
    return 0
}

# pg_stop: stop the server at once (the data is thrown away).
pg_stop() {
    if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
        pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
}

# pg_sql SQL: the rows of one query.
pg_sql() {
    "$pg_bin/psql" -X -A -t -q -h 127.0.0.1 -p "$pg_port" -U cairn -d cairn -c "$1"
}
