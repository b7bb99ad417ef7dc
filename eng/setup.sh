#!/usr/bin/env bash
# Sets up a Debian 12 machine for SentinelSync development and tests:
#   - Debian packages (Postgres 15, ClickHouse, chromium, and the DataStax Python driver with LZ4 that the CQL
#     client's v5 and compression tests compare with), installed only when missing (librdkafka ships with
#     the build: NuGet librdkafka.redist);
#   - two dedicated Postgres 15 clusters on loopback: 15/sentinel (port 5433, source + control)
#     and 15/sentinel_dest (port 5434, destination), never touching any other cluster; and 15/sentinel_tls
#     (port 5435), which takes TLS connections with client certificates only, for the TLS tests, with a test CA,
#     server and client certificates made by openssl in /var/lib/sentinel/tls;
#   - a ClickHouse server of our own on 127.0.0.1 (HTTP 8123, native TCP 9000), and a second, separate one that
#     speaks HTTPS only (8443, certificate from the same test CA), for the ClickHouse TLS tests;
#   - the checkers of the deployment files: promtool (prometheus), yamllint, docker-compose (Debian packages),
#     kubectl (from the machine image), and eng/validate's npm packages (schemas, Dockerfile lint).
# Idempotent: a second run only checks that everything is up. Runs as root.
set -euo pipefail

PG_VERSION=15
PG_SOURCE_CLUSTER=sentinel
PG_SOURCE_PORT=5433
PG_DEST_CLUSTER=sentinel_dest
PG_DEST_PORT=5434
PG_TLS_CLUSTER=sentinel_tls
PG_TLS_PORT=5435
TLS_DIR=/var/lib/sentinel/tls
CH_HOME=/var/lib/sentinel/clickhouse
CH_HTTP_PORT=8123
CH_TCP_PORT=9000
CH_START_DEADLINE_SECONDS=60
CH_TLS_HOME=/var/lib/sentinel/clickhouse-tls
CH_TLS_HTTPS_PORT=8443
PG_START_DEADLINE_SECONDS=60

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
    die "run as root (it installs Debian packages and manages Postgres clusters and ClickHouse)"
fi

# --- Debian packages -------------------------------------------------------------------------

APT_PACKAGES=(postgresql postgresql-contrib clickhouse-server clickhouse-client chromium curl
    prometheus yamllint docker-compose python3-cassandra python3-lz4)

is_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

missing=()
for package in "${APT_PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    say "Debian packages present"
fi

# --- .NET SDK (assumed present: it is not a Debian package) -------------------------------------

if ! command -v dotnet >/dev/null 2>&1 || ! dotnet_version=$(dotnet --version 2>/dev/null); then
    die "the .NET SDK is missing: install .NET SDK 10 (https://dot.net) so that 'dotnet --version' works"
fi
say ".NET SDK $dotnet_version"

# --- Deployment checkers (tests of docker/, k8s/, deploy/) -------------------------------------

# kubectl is not packaged by Debian 12 in a usable version (kubernetes-client 1.20 predates the kustomize the
# manifests use); the build machines' image has it. Without it the manifest tests are reported as skipped.
command -v kubectl >/dev/null 2>&1 || say "WARNING: kubectl is missing: the tests that build k8s/ with 'kubectl kustomize' will be skipped (install kubectl 1.27 or later to run them)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing Debian packages: nodejs npm"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi
validate_dir="$(cd "$(dirname "$0")" && pwd)/validate"
# Installed again whenever package-lock.json changed since the last install (a copy of it marks the install).
if ! cmp -s "$validate_dir/package-lock.json" "$validate_dir/node_modules/.installed-package-lock.json" 2>/dev/null; then
    say "installing eng/validate's npm packages"
    npm ci --prefix "$validate_dir" --no-audit --no-fund --loglevel=error >/dev/null
    cp "$validate_dir/package-lock.json" "$validate_dir/node_modules/.installed-package-lock.json"
else
    say "eng/validate's npm packages present"
fi

# --- Postgres clusters ---------------------------------------------------------------------

# Loopback development/test clusters only: every local connection is trusted, no password.
# Never use this pg_hba.conf on a machine reachable from elsewhere.
write_pg_hba() {
    if [[ ${1:-} == tls ]]; then
        cat <<'EOF'
# Written by SentinelSync eng/setup.sh: the TLS test cluster. Over TCP only TLS with a client certificate
# signed by the test CA and naming the user (CN) is accepted; local socket for setup only.
# TYPE     DATABASE     USER  ADDRESS        METHOD
local      all          all                  trust
hostssl    all          all   127.0.0.1/32   cert
hostssl    replication  all   127.0.0.1/32   cert
EOF
        return
    fi
    cat <<'EOF'
# Written by SentinelSync eng/setup.sh: a loopback dev/test cluster, trust authentication.
# listen_addresses is 127.0.0.1 only; do not reuse this file on a reachable server.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
host    all          all   ::1/128        trust
local   replication  all                  trust
host    replication  all   127.0.0.1/32   trust
host    replication  all   ::1/128        trust
EOF
}

write_pg_conf() {
    cat <<'EOF'
# Written by SentinelSync eng/setup.sh: settings for a loopback dev/test cluster.
listen_addresses = '127.0.0.1'
wal_level = logical
max_replication_slots = 64
max_wal_senders = 64
max_connections = 300
shared_buffers = 256MB
EOF
    if [[ ${1:-} == tls ]]; then
        cat <<EOF
ssl = on
ssl_cert_file = '$TLS_DIR/server.crt'
ssl_key_file = '$TLS_DIR/server.key'
ssl_ca_file = '$TLS_DIR/ca.crt'
EOF
    else
        cat <<'EOF'
# Loopback only: TLS would only slow connections down.
ssl = off
EOF
    fi
}

# A test CA, a server certificate for 127.0.0.1 and a client certificate for the user postgres, plus a second,
# unrelated CA for the refusal tests. Made once; the cluster's TLS test reads them from $TLS_DIR.
ensure_tls_certificates() {
    if [[ -f $TLS_DIR/client.key && -f $TLS_DIR/other-ca.crt ]]; then
        return
    fi
    say "making test TLS certificates in $TLS_DIR"
    mkdir -p "$TLS_DIR"
    local d=$TLS_DIR
    openssl req -x509 -new -nodes -newkey rsa:2048 -days 3650 -subj "/CN=SentinelSync test CA" -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
    openssl req -x509 -new -nodes -newkey rsa:2048 -days 3650 -subj "/CN=Some other CA" -keyout "$d/other-ca.key" -out "$d/other-ca.crt" 2>/dev/null
    openssl req -new -nodes -newkey rsa:2048 -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
    openssl req -new -nodes -newkey rsa:2048 -subj "/CN=postgres" -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
    openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 -out "$d/client.crt" 2>/dev/null
    rm -f "$d"/*.csr "$d/server.ext"
    chown postgres:postgres "$d/server.key" "$d/server.crt"
    chmod 0600 "$d/server.key" "$d/client.key" "$d/ca.key" "$d/other-ca.key"
}

# The HTTPS-only ClickHouse's certificate, from the same test CA (made once, beside the others).
ensure_clickhouse_tls_certificate() {
    local d=$TLS_DIR
    if [[ -f $d/clickhouse.key && -f $d/clickhouse.crt ]]; then
        return
    fi
    say "making the TLS ClickHouse's certificate in $TLS_DIR"
    openssl req -new -nodes -newkey rsa:2048 -subj "/CN=127.0.0.1" -keyout "$d/clickhouse.key" -out "$d/clickhouse.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/clickhouse.ext"
    openssl x509 -req -in "$d/clickhouse.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 -extfile "$d/clickhouse.ext" -out "$d/clickhouse.crt" 2>/dev/null
    rm -f "$d/clickhouse.csr" "$d/clickhouse.ext"
    chmod 0600 "$d/clickhouse.key"
}

# Replaces a file only when its content differs; returns 0 when it changed.
replace_if_changed() {
    local target=$1 tmp
    tmp=$(mktemp)
    cat >"$tmp"
    if [[ -f $target ]] && cmp -s "$tmp" "$target"; then
        rm -f "$tmp"
        return 1
    fi
    install -o postgres -g postgres -m 0644 "$tmp" "$target"
    rm -f "$tmp"
    return 0
}

cluster_exists() { [[ -d /etc/postgresql/$PG_VERSION/$1 ]]; }

cluster_online() { pg_lsclusters -h "$PG_VERSION" "$1" 2>/dev/null | awk '{print $4}' | grep -q '^online'; }

# The cluster that is configured on a port, if any (pg_lsclusters: version cluster port ...).
cluster_on_port() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v p="$1" '$1 == v && $3 == p { print $2 }'; }

wait_pg_ready() {
    local port=$1 deadline=$((SECONDS + PG_START_DEADLINE_SECONDS))
    until pg_isready -q -h 127.0.0.1 -p "$port"; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 0.5
    done
}

pg_query() {
    # Over the local socket: the TLS cluster takes TCP connections with a client certificate only.
    psql -h /var/run/postgresql -p "$1" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$2"
}

ensure_cluster() {
    local name=$1 port=$2 mode=${3:-} conf_dir=/etc/postgresql/$PG_VERSION/$1 restart=no owner

    if cluster_exists "$name"; then
        say "postgres $PG_VERSION/$name exists"
        configured_port=$(pg_conftool -s "$PG_VERSION" "$name" show port 2>/dev/null || true)
        if [[ $configured_port != "$port" ]]; then
            say "postgres $PG_VERSION/$name: port $configured_port -> $port"
            pg_conftool "$PG_VERSION" "$name" set port "$port"
            restart=yes
        fi
    else
        owner=$(cluster_on_port "$port")
        if [[ -n $owner ]]; then
            die "port $port is configured for cluster $PG_VERSION/$owner, which is not ours; free the port or remove that cluster"
        fi
        say "creating postgres $PG_VERSION/$name on port $port"
        pg_createcluster --port "$port" --locale C.UTF-8 --encoding UTF8 "$PG_VERSION" "$name" >/dev/null
    fi

    mkdir -p "$conf_dir/conf.d"
    if write_pg_conf "$mode" | replace_if_changed "$conf_dir/conf.d/sentinel.conf"; then
        say "postgres $PG_VERSION/$name: wrote conf.d/sentinel.conf"
        restart=yes
    fi
    if write_pg_hba "$mode" | replace_if_changed "$conf_dir/pg_hba.conf"; then
        say "postgres $PG_VERSION/$name: wrote pg_hba.conf"
        restart=yes
    fi

    if cluster_online "$name"; then
        if [[ $restart == yes ]]; then
            say "restarting postgres $PG_VERSION/$name (configuration changed)"
            pg_ctlcluster "$PG_VERSION" "$name" restart
        fi
    else
        say "starting postgres $PG_VERSION/$name"
        pg_ctlcluster "$PG_VERSION" "$name" start
    fi

    wait_pg_ready "$port" || die "postgres $PG_VERSION/$name did not accept connections on 127.0.0.1:$port within ${PG_START_DEADLINE_SECONDS}s; see /var/log/postgresql/postgresql-$PG_VERSION-$name.log"

    # A value set with ALTER SYSTEM (postgresql.auto.conf) wins over conf.d: repair it once.
    if [[ $(pg_query "$port" 'SHOW wal_level') != logical ]]; then
        say "postgres $PG_VERSION/$name: wal_level is not logical, resetting ALTER SYSTEM overrides"
        pg_query "$port" 'ALTER SYSTEM RESET wal_level' >/dev/null
        pg_ctlcluster "$PG_VERSION" "$name" restart
        wait_pg_ready "$port" || die "postgres $PG_VERSION/$name did not come back after a restart"
        [[ $(pg_query "$port" 'SHOW wal_level') == logical ]] || die "postgres $PG_VERSION/$name: wal_level is still not logical"
    fi
    say "postgres $PG_VERSION/$name ready on 127.0.0.1:$port (wal_level=logical)"
}

# Interrupted tests and benchmarks leave their logical slots behind, and an idle slot keeps every WAL segment from its
# restart point on: on the shared development machine that once filled the disk (71 GB of pg_wal, the source cluster
# down). These clusters are test servers, not anyone's data: idle slots holding more than 2 GB are dropped, by name.
drop_idle_slots() {
    local dropped
    # The drop is in the subquery's output list: Postgres evaluates a volatile output even when nothing reads it.
    dropped=$(pg_query "$1" "SELECT string_agg(slot_name || ' (' || pg_size_pretty(held) || ')', ', ') FROM (
        SELECT slot_name, held, pg_drop_replication_slot(slot_name) FROM (
            SELECT slot_name, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) AS held FROM pg_replication_slots
            WHERE NOT active AND pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) > 2 * 1024.0 ^ 3) idle) dropped")
    [[ -z $dropped ]] || say "dropped idle replication slots holding over 2 GB of WAL on port $1: $dropped"
}

ensure_cluster "$PG_SOURCE_CLUSTER" "$PG_SOURCE_PORT"
drop_idle_slots "$PG_SOURCE_PORT"
ensure_cluster "$PG_DEST_CLUSTER" "$PG_DEST_PORT"
ensure_tls_certificates
ensure_cluster "$PG_TLS_CLUSTER" "$PG_TLS_PORT" tls

# --- ClickHouse ----------------------------------------------------------------------------

# The Debian package ships no service that this machine starts, so we run a server of our own
# with a minimal configuration. ClickHouse 18.16 does not refuse to run as root, so it runs as
# root here (checked: it starts and serves queries); the files live under $CH_HOME.
write_ch_config() {
    cat <<EOF
<?xml version="1.0"?>
<!-- Written by SentinelSync eng/setup.sh: a loopback dev/test ClickHouse 18.16 server. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$CH_HOME/clickhouse-server.log</log>
        <errorlog>$CH_HOME/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$CH_HTTP_PORT</http_port>
    <tcp_port>$CH_TCP_PORT</tcp_port>
    <path>$CH_HOME/data/</path>
    <tmp_path>$CH_HOME/data/tmp/</tmp_path>
    <user_files_path>$CH_HOME/data/user_files/</user_files_path>
    <format_schema_path>$CH_HOME/data/format_schemas/</format_schema_path>
    <users_config>$CH_HOME/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>536870912</mark_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
EOF
}

write_ch_users() {
    cat <<'EOF'
<?xml version="1.0"?>
<!-- Written by SentinelSync eng/setup.sh: user `default`, no password, from loopback only. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
        </default>
    </quotas>
</yandex>
EOF
}

ch_ping() { [[ $(curl -s --max-time 2 "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null || true) == "Ok." ]]; }

write_file_if_changed() {
    local target=$1 tmp
    tmp=$(mktemp)
    cat >"$tmp"
    if [[ -f $target ]] && cmp -s "$tmp" "$target"; then
        rm -f "$tmp"
        return 1
    fi
    install -m 0644 "$tmp" "$target"
    rm -f "$tmp"
    return 0
}

mkdir -p "$CH_HOME/data"
ch_changed=no
write_ch_config | write_file_if_changed "$CH_HOME/config.xml" && ch_changed=yes
write_ch_users | write_file_if_changed "$CH_HOME/users.xml" && ch_changed=yes

ch_pid() {
    local pid
    pid=$(cat "$CH_HOME/clickhouse-server.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && [[ $(readlink "/proc/$pid/exe" 2>/dev/null || true) == /usr/sbin/clickhouse-server ]]; then
        echo "$pid"
    fi
}

if ch_ping && [[ $ch_changed == yes ]]; then
    pid=$(ch_pid)
    if [[ -n $pid ]]; then
        say "clickhouse: configuration changed, stopping server $pid"
        kill "$pid"
        deadline=$((SECONDS + 30))
        while kill -0 "$pid" 2>/dev/null; do
            ((SECONDS < deadline)) || die "clickhouse server $pid did not stop within 30s"
            sleep 0.5
        done
    else
        say "clickhouse: configuration changed but the server answering on port $CH_HTTP_PORT is not ours; leaving it"
    fi
fi

if ch_ping; then
    say "clickhouse already answering on 127.0.0.1:$CH_HTTP_PORT"
else
    say "starting clickhouse-server ($CH_HOME/config.xml)"
    # setsid + nohup: the server must outlive this script and its terminal.
    # ClickHouse 18.16 writes a pid file only in --daemon mode, so we record the pid ourselves
    # (setsid does not fork here: a background job of a script is not a process-group leader).
    setsid nohup /usr/sbin/clickhouse-server --config-file="$CH_HOME/config.xml" \
        >>"$CH_HOME/clickhouse-server.stdout.log" 2>&1 </dev/null &
    echo $! >"$CH_HOME/clickhouse-server.pid"
    deadline=$((SECONDS + CH_START_DEADLINE_SECONDS))
    until ch_ping; do
        if ((SECONDS >= deadline)); then
            echo "setup: ERROR: clickhouse did not answer http://127.0.0.1:$CH_HTTP_PORT/ping within ${CH_START_DEADLINE_SECONDS}s" >&2
            for log in clickhouse-server.stdout.log clickhouse-server.err.log clickhouse-server.log; do
                if [[ -f $CH_HOME/$log ]]; then
                    echo "--- tail of $CH_HOME/$log" >&2
                    tail -n 30 "$CH_HOME/$log" >&2
                fi
            done
            exit 1
        fi
        sleep 0.5
    done
    say "clickhouse ready on 127.0.0.1:$CH_HTTP_PORT (pid $(ch_pid))"
fi

# --- ClickHouse over HTTPS only (a second, separate server) -----------------------------------

# Its own configuration, data and logs under $CH_TLS_HOME, HTTPS on $CH_TLS_HTTPS_PORT and nothing else (no plain
# HTTP, no native TCP port: a listener is opened only for a port the configuration names). The shared server above is
# never touched. Small caches and a smaller memory cap per query: it only serves the TLS tests.
write_ch_tls_config() {
    cat <<EOF
<?xml version="1.0"?>
<!-- Written by SentinelSync eng/setup.sh: a loopback ClickHouse 18.16 server for the TLS tests, HTTPS only. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$CH_TLS_HOME/clickhouse-server.log</log>
        <errorlog>$CH_TLS_HOME/clickhouse-server.err.log</errorlog>
        <size>20M</size>
        <count>2</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <https_port>$CH_TLS_HTTPS_PORT</https_port>
    <openSSL>
        <server>
            <certificateFile>$TLS_DIR/clickhouse.crt</certificateFile>
            <privateKeyFile>$TLS_DIR/clickhouse.key</privateKeyFile>
            <verificationMode>none</verificationMode>
            <loadDefaultCAFile>false</loadDefaultCAFile>
            <cacheSessions>true</cacheSessions>
            <disableProtocols>sslv2,sslv3,tlsv1,tlsv1_1</disableProtocols>
            <preferServerCiphers>true</preferServerCiphers>
        </server>
    </openSSL>
    <path>$CH_TLS_HOME/data/</path>
    <tmp_path>$CH_TLS_HOME/data/tmp/</tmp_path>
    <user_files_path>$CH_TLS_HOME/data/user_files/</user_files_path>
    <format_schema_path>$CH_TLS_HOME/data/format_schemas/</format_schema_path>
    <users_config>$CH_TLS_HOME/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>67108864</mark_cache_size>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
EOF
}

ch_tls_ping() { [[ $(curl -s --max-time 2 --cacert "$TLS_DIR/ca.crt" "https://127.0.0.1:$CH_TLS_HTTPS_PORT/ping" 2>/dev/null || true) == "Ok." ]]; }

ch_tls_pid() {
    local pid
    pid=$(cat "$CH_TLS_HOME/clickhouse-server.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && [[ $(readlink "/proc/$pid/exe" 2>/dev/null || true) == /usr/sbin/clickhouse-server ]]; then
        echo "$pid"
    fi
}

ensure_clickhouse_tls_certificate
mkdir -p "$CH_TLS_HOME/data"
ch_tls_changed=no
write_ch_tls_config | write_file_if_changed "$CH_TLS_HOME/config.xml" && ch_tls_changed=yes
# The shared server's users (default, no password, loopback only), with a smaller memory cap per query.
write_ch_users | sed 's/<max_memory_usage>4000000000</<max_memory_usage>1000000000</' | write_file_if_changed "$CH_TLS_HOME/users.xml" && ch_tls_changed=yes

if [[ $ch_tls_changed == yes ]] && [[ -n $(ch_tls_pid) ]]; then
    pid=$(ch_tls_pid)
    say "clickhouse (TLS): configuration changed, stopping server $pid"
    kill "$pid"
    deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || die "clickhouse (TLS) server $pid did not stop within 30s"
        sleep 0.5
    done
fi

if ch_tls_ping; then
    say "clickhouse (TLS) already answering on https://127.0.0.1:$CH_TLS_HTTPS_PORT"
else
    say "starting the HTTPS-only clickhouse-server ($CH_TLS_HOME/config.xml)"
    setsid nohup /usr/sbin/clickhouse-server --config-file="$CH_TLS_HOME/config.xml" \
        >>"$CH_TLS_HOME/clickhouse-server.stdout.log" 2>&1 </dev/null &
    echo $! >"$CH_TLS_HOME/clickhouse-server.pid"
    deadline=$((SECONDS + CH_START_DEADLINE_SECONDS))
    until ch_tls_ping; do
        if ((SECONDS >= deadline)); then
            echo "setup: ERROR: clickhouse (TLS) did not answer https://127.0.0.1:$CH_TLS_HTTPS_PORT/ping within ${CH_START_DEADLINE_SECONDS}s" >&2
            for log in clickhouse-server.stdout.log clickhouse-server.err.log clickhouse-server.log; do
                if [[ -f $CH_TLS_HOME/$log ]]; then
                    echo "--- tail of $CH_TLS_HOME/$log" >&2
                    tail -n 30 "$CH_TLS_HOME/$log" >&2
                fi
            done
            exit 1
        fi
        sleep 0.5
    done
    say "clickhouse (TLS) ready on https://127.0.0.1:$CH_TLS_HTTPS_PORT (pid $(ch_tls_pid))"
fi

# --- Node.js driver for the CQL reference tests -----------------------------------------------

# The Cassandra client's tests compare its bytes with the DataStax Node.js driver's (cassandra-driver, pinned by
# the lockfile). Node 20 and npm come with the machine; only the lockfile's packages are installed, and only when
# node_modules does not already match the lockfile.
CQL_REFERENCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/SentinelSync.Tests/Cassandra/node
command -v node >/dev/null 2>&1 || die "node is missing: install Node.js 20 (the CQL reference tests run cassandra-driver)"
if cmp -s "$CQL_REFERENCE_DIR/package-lock.json" "$CQL_REFERENCE_DIR/node_modules/.package-lock.json.installed" 2>/dev/null; then
    say "cassandra-driver (Node.js) present"
else
    say "installing cassandra-driver for the CQL reference tests (npm ci)"
    (cd "$CQL_REFERENCE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in $CQL_REFERENCE_DIR"
    cp "$CQL_REFERENCE_DIR/package-lock.json" "$CQL_REFERENCE_DIR/node_modules/.package-lock.json.installed"
fi
# Protocol v5 and LZ4 are compared with the DataStax Python driver (Debian's python3-cassandra, python3-lz4, above).
/usr/bin/python3 -c 'import cassandra.segment, lz4.block' 2>/dev/null \
    || die "python3-cassandra or python3-lz4 is not importable by /usr/bin/python3 (the CQL v5/LZ4 reference tests need them)"
say "DataStax Python driver $(/usr/bin/python3 -c 'import cassandra; print(cassandra.__version__)') present"

# --- Summary -------------------------------------------------------------------------------

say "done. The tests read these environment variables (defaults shown, already matching this setup):"
echo "  SENTINEL_TEST_POSTGRES=${SENTINEL_TEST_POSTGRES:-Host=127.0.0.1;Port=$PG_SOURCE_PORT;Username=postgres}"
echo "  SENTINEL_TEST_POSTGRES_DEST=${SENTINEL_TEST_POSTGRES_DEST:-Host=127.0.0.1;Port=$PG_DEST_PORT;Username=postgres}"
echo "  SENTINEL_TEST_POSTGRES_TLS=${SENTINEL_TEST_POSTGRES_TLS:-Host=127.0.0.1;Port=$PG_TLS_PORT;Username=postgres, TLS only, certificates in $TLS_DIR}"
echo "  SENTINEL_TEST_CLICKHOUSE=${SENTINEL_TEST_CLICKHOUSE:-http://127.0.0.1:$CH_HTTP_PORT}"
echo "  SENTINEL_TEST_CLICKHOUSE_TLS=${SENTINEL_TEST_CLICKHOUSE_TLS:-https://127.0.0.1:$CH_TLS_HTTPS_PORT, HTTPS only, CA $TLS_DIR/ca.crt}"
echo "  SENTINEL_LIBRDKAFKA=${SENTINEL_LIBRDKAFKA:-(unset: the bundled runtimes/linux-x64/native/centos8-librdkafka.so)}"
echo "  SENTINEL_TEST_KAFKA=${SENTINEL_TEST_KAFKA:-(unset: the librdkafka mock cluster in the test process; real-broker tests skip)}"
echo "  SENTINEL_TEST_CASSANDRA=${SENTINEL_TEST_CASSANDRA:-(unset: the Cassandra integration tests are skipped)}"
