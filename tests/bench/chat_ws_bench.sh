#!/usr/bin/env bash
# chat_ws_bench.sh: live chat over WebSocket on one instance (a benchmark, not a timed test; issue 6,
# "Figures to report"): 1,000 connections, 100 conversations exchanging messages; delivery latency p50/p99 from
# send to receipt, and the server's RSS. Targets: p99 < 50 ms, RSS < 200 MB.
#
# What it does, per engine (SQLite and/or PostgreSQL), against the release build:
#   - seed: the load generator api/benches/chat_ws_load.rs (mode seed) opens the fresh database through the
#     application itself and creates BENCH_CUSTOMERS customers and BENCH_AGENTS admins (support agents) with
#     signed access tokens, and one conversation for each of the first BENCH_CONVERSATIONS customers.
#   - server: sabil-api on that database (in-process chat hub: no Redis), logging warnings only.
#   - load: one WebSocket per customer and per agent (BENCH_CUSTOMERS + BENCH_AGENTS connections, default 1,000),
#     all open before the clock starts; then for BENCH_DURATION seconds every conversation ping-pongs: the
#     customer sends a message over its socket, the agent owning the conversation (one of BENCH_AGENTS, each
#     sees every conversation's events as support does) answers BENCH_THINK_MS after receiving it, and so on.
#     The other customers stay connected and idle. Latency = send of the `send` frame -> receipt of the
#     `message` frame at the other side's socket (one process, one clock), so it includes the message's
#     transaction (stored first), the fan-out and both socket hops. Every message also makes a delivered
#     receipt (a write) when it reaches the other side.
#   - memory: VmRSS of the sabil-api process from /proc/<pid>/status before the connections, with them open,
#     peak during the load (sampled every 200 ms) and VmHWM.
#
# How to run (from the workspace root):
#   bash tests/bench/chat_ws_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_DURATION        seconds of load                          (default 30)
#   BENCH_CUSTOMERS       customer connections                     (default 990)
#   BENCH_AGENTS          support connections                      (default 10)
#   BENCH_CONVERSATIONS   conversations exchanging messages        (default 100)
#   BENCH_THINK_MS        pause before each answer                 (default 500)
#   BENCH_ARRIVALS        how the conversations start, one load run each, on the same server (default "spread lockstep"):
#                         spread   = first messages spread evenly over one think time, as independent users would;
#                         lockstep = all 100 first messages at the same instant, so every round arrives as one burst
#                                    of 100 sends (and stays one: the think time is fixed) - the worst case
#   BENCH_PG_URL          PostgreSQL server; the script creates sabil_chat_bench_<random> there and drops it
#                         (default postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_PORT            first port to try                        (default 18390)
#   CARGO                 the cargo command                        (default cargo)
#   BENCH_SKIP_BUILD=1    use the release binaries already built (e.g. to run the measurement while holding a
#                         lock that keeps other builds off the cores: flock /tmp/cargo.lock env BENCH_SKIP_BUILD=1 ...)
# Needs: cargo, curl, python3; psql for postgres. Everything runs on 127.0.0.1; the server, the temporary data and
# the bench database are removed on exit (trap). The generator and the server share the machine's cores.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/chat_ws_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
DURATION="${BENCH_DURATION:-30}"
CUSTOMERS="${BENCH_CUSTOMERS:-990}"
AGENTS="${BENCH_AGENTS:-10}"
CONVERSATIONS="${BENCH_CONVERSATIONS:-100}"
THINK_MS="${BENCH_THINK_MS:-500}"
ARRIVALS="${BENCH_ARRIVALS:-spread lockstep}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18390}"
CARGO="${CARGO:-cargo}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # test value
START_TIMEOUT_S=30

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BIN="$ROOT/target/release/sabil-api"

cat <<EOF
== Sabil chat WebSocket benchmark ==
$((CUSTOMERS + AGENTS)) connections ($CUSTOMERS customers, $AGENTS support agents), $CONVERSATIONS conversations ping-ponging
(answer ${THINK_MS} ms after receipt) for ${DURATION}s. Targets: delivery p99 < 50 ms, server RSS < 200 MB.
Run: bash tests/bench/chat_ws_bench.sh [sqlite|postgres|both]   Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)

EOF

while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

SERVER_PID=""
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

TMP_ROOT="$(mktemp -d -t sabil-chat-bench.XXXXXX)"
BENCH_DBS=()
cleanup() {
    local rc=$? db
    trap - EXIT INT TERM
    stop_server
    for db in "${BENCH_DBS[@]}"; do
        psql "$PG_URL" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || echo "warning: could not drop $db" >&2
    done
    rm -rf "$TMP_ROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
[[ "$MODE" == sqlite ]] || command -v psql >/dev/null || die "psql is required for postgres"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > 2 * (CUSTOMERS + AGENTS) + 100)) || die "open-file limit $(ulimit -n) is too low for $((CUSTOMERS + AGENTS)) connections"

if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    echo "-- $CARGO build --release -p sabil-api --bin sabil-api --bench chat_ws_load"
    $CARGO build --release -p sabil-api --bin sabil-api --bench chat_ws_load
fi
LOAD_BIN="$(ls -t "$ROOT"/target/release/deps/chat_ws_load-* 2>/dev/null | grep -v '\.d$' | head -1 || true)"
[[ -x "$BIN" && -x "$LOAD_BIN" ]] || die "the release binaries were not built"
echo

start_server() { # start_server LOG ENV... : sabil-api on $PORT, waits for /readyz
    local log="$1" deadline code
    shift
    env "$@" "$BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    deadline=$(($(date +%s) + START_TIMEOUT_S))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/readyz" || true)" == 200 ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || {
            cat "$log" >&2
            SERVER_PID=""
            die "sabil-api exited before it was ready"
        }
        (($(date +%s) < deadline)) || die "sabil-api not ready within ${START_TIMEOUT_S}s"
        sleep 0.05
    done
}

declare -A R
result_field() { awk -v k="$2" '/^RESULT / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"; }

bench_engine() {
    local engine="$1" data="$TMP_ROOT/$1-data" env_vars=()
    mkdir -p "$data"
    PORT="$(pick_port "$FIRST_PORT")"
    env_vars=(SABIL_DATA_DIR="$data" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn SABIL_BIND="127.0.0.1:$PORT")
    if [[ "$engine" == postgres ]]; then
        local name
        name="sabil_chat_bench_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\"" >/dev/null || die "cannot create $name"
        BENCH_DBS+=("$name")
        env_vars+=(SABIL_DATABASE_URL="$(db_url "$name")" SABIL_AUTO_MIGRATE=true)
        echo "== postgres (database $name) =="
    else
        echo "== sqlite ($data) =="
    fi
    local setup="$TMP_ROOT/$engine-setup.json" out="$TMP_ROOT/$engine-load.txt"
    env "${env_vars[@]}" SABIL_LOG=error timeout 600 "$LOAD_BIN" seed --customers "$CUSTOMERS" --agents "$AGENTS" \
        --conversations "$CONVERSATIONS" --out "$setup" | sed 's/^/  /'
    start_server "$TMP_ROOT/$engine-server.log" "${env_vars[@]}"
    echo "  sabil-api pid $SERVER_PID on port $PORT"
    local arrivals flag
    for arrivals in $ARRIVALS; do
        case "$arrivals" in
            spread) flag=() ;;
            lockstep) flag=(--lockstep) ;;
            *) die "BENCH_ARRIVALS: unknown mode '$arrivals' (spread, lockstep)" ;;
        esac
        out="$TMP_ROOT/$engine-$arrivals-load.txt"
        echo "  -- arrivals: $arrivals"
        timeout $((DURATION + 300)) "$LOAD_BIN" load --setup "$setup" --url "ws://127.0.0.1:$PORT/api/chat/ws" \
            --duration "$DURATION" --think-ms "$THINK_MS" --server-pid "$SERVER_PID" "${flag[@]}" >"$out" 2>&1 || {
            cat "$out" >&2
            die "the load generator failed"
        }
        sed 's/^/  /' "$out"
        echo "  load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
        local k
        for k in connections p50_ms p99_ms per_s errors rss_open_mib rss_peak_mib rss_hwm_mib; do
            R[$engine-$arrivals:$k]="$(result_field "$out" "$k")"
        done
    done
    stop_server
    echo
}

[[ "$MODE" == postgres ]] || bench_engine sqlite
[[ "$MODE" == sqlite ]] || bench_engine postgres

echo "== summary =="
printf '%-19s %11s %9s %9s %9s %7s %13s %13s\n' engine-arrivals connections p50_ms p99_ms msgs/s errors rss_open_MiB rss_peak_MiB
for engine in sqlite postgres; do
    for arrivals in $ARRIVALS; do
        row="$engine-$arrivals"
        [[ -n "${R[$row:p99_ms]:-}" ]] || continue
        printf '%-19s %11s %9s %9s %9s %7s %13s %13s\n' "$row" "${R[$row:connections]}" "${R[$row:p50_ms]}" \
            "${R[$row:p99_ms]}" "${R[$row:per_s]}" "${R[$row:errors]}" "${R[$row:rss_open_mib]}" "${R[$row:rss_peak_mib]}"
    done
done
