#!/usr/bin/env bash
# auth_bench.sh: start-up, memory and throughput figures for `sabil-api` (a benchmark, not a timed test).
#
# What it measures, per engine (SQLite and/or PostgreSQL), against the release build:
#   - cold start: time from spawning target/release/sabil-api to the first 200 from GET /readyz,
#     on a brand-new database (SQLite: a fresh data dir, so the first start creates the DB file and
#     migrates; PostgreSQL: a fresh database, migrated by SABIL_AUTO_MIGRATE=true). Both also seed the
#     demo accounts (SABIL_DEMO_DATA=true), which hashes two passwords with argon2.
#   - warm start: the same, started a second time on the same (already migrated, seeded) database.
#   - idle RSS: VmRSS from /proc/<pid>/status 1 s after the server is ready; and RSS again after the load.
#   - requests/s of GET /healthz and of GET /api/users/me (JWT check + one read), with wrk at
#     BENCH_CONNECTIONS connections for BENCH_DURATION each, in the same server run (the cold-started one),
#     plus latency (avg, p99). The bearer token comes from one POST /api/auth/login as the demo customer
#     (+96500000002 / sabil-demo-customer); it lives 15 minutes, plenty for these runs.
# Targets (issue): start < 500 ms, idle RSS < 30 MB, users/me req/s >= 25 % of /healthz req/s.
#
# How to run (from the workspace root):
#   bash tests/bench/auth_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_DURATION     wrk duration of each load run              (default 10s)
#   BENCH_CONNECTIONS  wrk connections                            (default 32)
#   BENCH_THREADS      wrk threads                                (default 2)
#   BENCH_PG_URL       PostgreSQL server to use; the script creates its own database
#                      sabil_bench_<random> there with psql and drops it at the end
#                      (default postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_PORT         first port to try for the server           (default 18090; the next free one is used)
# Needs: cargo, curl, python3, psql (for postgres), wrk (installed with apt-get if missing).
# All traffic goes to 127.0.0.1 only. The server, its temp data dirs and the bench database are removed
# on exit (trap), also on failure or Ctrl-C. Runtime is bounded: every wait has a timeout.
# Note: wrk and the server share the machine's cores, so the absolute req/s depend on the machine; the
# ratio users/me : healthz measured in one run is the figure to compare.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/auth_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18090}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # 40 characters, test value
DEMO_PHONE="+96500000002"
DEMO_PASSWORD="sabil-demo-customer"
START_TIMEOUT_S=30

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BIN="$ROOT/target/release/sabil-api"

cat <<EOF
== Sabil auth benchmark ==
Measures, per engine: cold start (spawn -> first 200 from /readyz, fresh DB), warm start (second start,
same DB), idle RSS (1 s after ready) and RSS after load, and wrk req/s + latency of GET /healthz and
GET /api/users/me (JWT check + one read) in one server run.
Targets: start < 500 ms, idle RSS < 30 MB, users/me >= 25 % of /healthz.
Run: bash tests/bench/auth_bench.sh [sqlite|postgres|both]   (default both)
Env: BENCH_DURATION=$DURATION BENCH_CONNECTIONS=$CONNECTIONS BENCH_THREADS=$THREADS
     BENCH_PG_URL=$PG_URL (a database sabil_bench_<random> is created and dropped there)
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo); wrk and the server share these cores.

EOF

# Settings from the caller's environment must not leak into the server.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

# ---------------------------------------------------------------- cleanup
SERVER_PID=""
TMP_ROOT="$(mktemp -d -t sabil-bench.XXXXXX)"
BENCH_DB=""

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do # up to 10 s (SABIL_SHUTDOWN_GRACE_SECS=5 below)
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "  server $SERVER_PID did not stop on SIGTERM; sending SIGKILL" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    if [[ -n "$BENCH_DB" ]]; then
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "warning: could not drop database $BENCH_DB" >&2
    fi
    rm -rf "$TMP_ROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
    echo "error: $*" >&2
    exit 1
}

# ---------------------------------------------------------------- tools
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if [[ "$MODE" != sqlite ]]; then command -v psql >/dev/null || die "psql is required for postgres"; fi
if ! command -v wrk >/dev/null; then
    echo "-- installing wrk (apt-get)"
    if ! apt-get install -y wrk >/dev/null 2>&1; then
        apt-get update >/dev/null
        apt-get install -y wrk >/dev/null
    fi
    command -v wrk >/dev/null || die "could not install wrk"
fi

# ---------------------------------------------------------------- build (once)
echo "-- cargo build --release -p sabil-api -p sabil-cli"
cargo build --release -p sabil-api -p sabil-cli
[[ -x "$BIN" ]] || die "$BIN was not built"
echo

# ---------------------------------------------------------------- helpers
now() { date +%s.%N; }

port_free() { # true when nothing listens on 127.0.0.1:$1
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

pick_port() {
    local p
    for ((p = FIRST_PORT; p < FIRST_PORT + 100; p++)); do
        if port_free "$p"; then
            echo "$p"
            return 0
        fi
    done
    die "no free port in $FIRST_PORT..$((FIRST_PORT + 99))"
}

rss_mb() { # VmRSS of $1 in MiB
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# start_server LOGFILE ENV... : spawns the server, waits for the first 200 from /readyz, sets
# SERVER_PID and START_MS (spawn -> ready, in ms).
START_MS=""
start_server() {
    local log="$1"
    shift
    local t0 t1 code deadline
    t0="$(now)"
    env "$@" SABIL_BIND="127.0.0.1:$PORT" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn SABIL_DEMO_DATA=true SABIL_DEMO_HISTORY=false \
        SABIL_SHUTDOWN_GRACE_SECS=5 "$BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    deadline=$(($(date +%s) + START_TIMEOUT_S))
    while :; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/readyz" || true)"
        if [[ "$code" == 200 ]]; then
            t1="$(now)"
            break
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$log" >&2
            SERVER_PID=""
            die "sabil-api exited before it was ready (log above)"
        fi
        if (($(date +%s) >= deadline)); then
            cat "$log" >&2
            die "sabil-api not ready within ${START_TIMEOUT_S}s (last /readyz status: $code)"
        fi
        sleep 0.005
    done
    START_MS="$(python3 -c "print(round(($t1 - $t0) * 1000))")"
}

# run_wrk NAME URL [HEADER] : runs wrk, prints its output, sets WRK_RPS WRK_AVG WRK_P99 WRK_ERR.
run_wrk() {
    local name="$1" url="$2" header="${3:-}" out="$TMP_ROOT/wrk-$1.txt"
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 5s)
    [[ -n "$header" ]] && args+=(-H "$header")
    echo "  wrk ${args[*]/#Authorization: Bearer */Authorization: Bearer <token>} $url"
    timeout 600 wrk "${args[@]}" "$url" >"$out" 2>&1 || die "wrk failed for $name: $(cat "$out")"
    sed 's/^/    /' "$out"
    WRK_RPS="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    WRK_AVG="$(awk '$1 == "Latency" { print $2; exit }' "$out")"
    WRK_P99="$(awk '$1 == "99%" { print $2; exit }' "$out")"
    WRK_ERR="$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")"
    [[ -n "$WRK_RPS" ]] || die "could not read Requests/sec from wrk output"
}

login() { # prints the access token of the demo customer
    local body
    body="$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$PORT/api/auth/login" \
        -H 'content-type: application/json' \
        -d "{\"phone\":\"$DEMO_PHONE\",\"password\":\"$DEMO_PASSWORD\"}")" || die "login request failed"
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accessToken"])' "$body" 2>/dev/null ||
        die "login gave no accessToken: $body"
}

# ---------------------------------------------------------------- one engine
declare -A R # results, keyed "engine:field"

bench_engine() {
    local engine="$1" data_dir="$TMP_ROOT/$1-data" db_env=()
    mkdir -p "$data_dir"
    if [[ "$engine" == postgres ]]; then
        local db_name
        db_name="sabil_bench_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db_name\"" >/dev/null ||
            die "cannot create database $db_name at $PG_URL"
        BENCH_DB="$db_name" # from now on the cleanup drops it
        local db_url
        db_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_URL" "$BENCH_DB")"
        db_env=(SABIL_DATABASE_URL="$db_url" SABIL_AUTO_MIGRATE=true)
        echo "== postgres (database $BENCH_DB, fresh; data dir $data_dir) =="
    else
        echo "== sqlite (fresh data dir $data_dir) =="
    fi
    PORT="$(pick_port)"

    # Run 1: cold start on the new database; idle RSS; load.
    start_server "$TMP_ROOT/$engine-cold.log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
    R[$engine:cold]="$START_MS"
    echo "  cold start (pid $SERVER_PID, port $PORT): ${START_MS} ms"
    sleep 1
    R[$engine:rss_idle]="$(rss_mb "$SERVER_PID")"
    echo "  idle RSS: ${R[$engine:rss_idle]} MiB"

    local token code
    token="$(login)"
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/users/me")"
    [[ "$code" == 200 ]] || die "GET /api/users/me with the token gave $code, not 200"
    R[$engine:rss_login]="$(rss_mb "$SERVER_PID")"
    echo "  RSS after one login: ${R[$engine:rss_login]} MiB"

    run_wrk "$engine-healthz" "http://127.0.0.1:$PORT/healthz"
    R[$engine:h_rps]="$WRK_RPS" R[$engine:h_avg]="$WRK_AVG" R[$engine:h_p99]="$WRK_P99" R[$engine:h_err]="$WRK_ERR"
    run_wrk "$engine-me" "http://127.0.0.1:$PORT/api/users/me" "Authorization: Bearer $token"
    R[$engine:m_rps]="$WRK_RPS" R[$engine:m_avg]="$WRK_AVG" R[$engine:m_p99]="$WRK_P99" R[$engine:m_err]="$WRK_ERR"
    R[$engine:rss_load]="$(rss_mb "$SERVER_PID")"
    echo "  RSS after load: ${R[$engine:rss_load]} MiB"
    stop_server

    # Run 2: warm start on the same database (already migrated and seeded).
    start_server "$TMP_ROOT/$engine-warm.log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
    R[$engine:warm]="$START_MS"
    echo "  warm start: ${START_MS} ms"
    sleep 1
    R[$engine:rss_warm]="$(rss_mb "$SERVER_PID")"
    echo "  idle RSS (warm start): ${R[$engine:rss_warm]} MiB"
    stop_server

    if [[ "$engine" == postgres ]]; then
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)" >/dev/null &&
            BENCH_DB=""
    fi
    echo
}

ENGINES=()
case "$MODE" in
    sqlite) ENGINES=(sqlite) ;;
    postgres) ENGINES=(postgres) ;;
    both) ENGINES=(sqlite postgres) ;;
esac
for e in "${ENGINES[@]}"; do bench_engine "$e"; done

# ---------------------------------------------------------------- table
verdict() { # verdict EXPR -> PASS/MISS
    if python3 -c "import sys; sys.exit(0 if ($1) else 1)"; then echo PASS; else echo MISS; fi
}

echo "== Results (wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $(nproc) CPUs shared by wrk and the server) =="
printf '%-9s %8s %8s %9s %9s %9s %9s %11s %11s %7s %-22s %-22s\n' \
    engine "cold ms" "warm ms" "idle MiB" "warm MiB" "login MiB" "load MiB" "healthz/s" "users/me/s" "ratio" \
    "healthz avg/p99" "users/me avg/p99"
for e in "${ENGINES[@]}"; do
    ratio="$(python3 -c "print(f'{100 * ${R[$e:m_rps]} / ${R[$e:h_rps]}:.1f}')")"
    R[$e:ratio]="$ratio"
    printf '%-9s %8s %8s %9s %9s %9s %9s %11s %11s %6s%% %-22s %-22s\n' \
        "$e" "${R[$e:cold]}" "${R[$e:warm]}" "${R[$e:rss_idle]}" "${R[$e:rss_warm]}" "${R[$e:rss_login]}" "${R[$e:rss_load]}" \
        "${R[$e:h_rps]}" "${R[$e:m_rps]}" "$ratio" "${R[$e:h_avg]}/${R[$e:h_p99]}" "${R[$e:m_avg]}/${R[$e:m_p99]}"
done
echo
echo "Targets: cold start < 500 ms | idle RSS < 30 MB | users/me >= 25 % of healthz"
printf '%-9s %-22s %-22s %-22s %-22s %s\n' engine "cold start" "warm start" "idle RSS" "ratio" "non-2xx/socket errors (healthz, me)"
for e in "${ENGINES[@]}"; do
    printf '%-9s %-22s %-22s %-22s %-22s %s\n' "$e" \
        "$(verdict "${R[$e:cold]} < 500") (${R[$e:cold]} ms)" \
        "$(verdict "${R[$e:warm]} < 500") (${R[$e:warm]} ms)" \
        "$(verdict "${R[$e:rss_idle]} < 30") (${R[$e:rss_idle]} MiB)" \
        "$(verdict "${R[$e:ratio]} >= 25") (${R[$e:ratio]} %)" \
        "${R[$e:h_err]}, ${R[$e:m_err]}"
done
