#!/usr/bin/env bash
# stats_bench.sh: time per call of GET /api/admin/stats (the admin dashboard) over a year of orders, on SQLite
# and PostgreSQL (a benchmark, not a timed test; issue 7, "Figures to report": target < 200 ms on PostgreSQL).
#
# What it does, per engine (SQLite and/or PostgreSQL), with the release build:
#   - load: a fresh database (SQLite: a fresh temp data dir; PostgreSQL: a fresh database made with psql), then
#     `sabil demo history --orders BENCH_ORDERS --days BENCH_DAYS` (default 100,000 orders over the 365 business
#     days ending today: customers, lines, lifecycle events, ratings; the demo accounts and catalog come first).
#     The wall time of the command is the load time printed. On PostgreSQL `VACUUM ANALYZE` follows (autovacuum
#     does the same within a minute or two of a bulk insert: statistics, and the visibility map index-only scans
#     need; the timings are for that steady state). SQLite is left as loaded.
#   - serve: sabil-api (release) on that database, SABIL_DEMO_DATA=false (the accounts are there already);
#     signs in as the demo admin (+96500000001 / sabil-demo-admin).
#   - time: GET /api/admin/stats for the whole period (from = the first day, to = today) and for the last 30
#     days (the endpoint's default range), each BENCH_WARMUP calls first (not counted), then BENCH_CALLS
#     sequential calls on one keep-alive connection (curl). Prints min / p50 / p95 / max ms of curl's total
#     time per call, and checks that the whole period counts every order loaded.
#
# How to run (from the workspace root):
#   bash tests/bench/stats_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_ORDERS   orders in the history                            (default 100000)
#   BENCH_DAYS     business days it spans, ending today (at most 366, one stats call covers it) (default 365)
#   BENCH_CALLS    timed calls per range                            (default 30)
#   BENCH_WARMUP   untimed calls per range first                    (default 3)
#   BENCH_PG_URL   PostgreSQL server to use; the script creates its own database sabil_bench_<random> there with
#                  psql and drops it at the end (default postgres://postgres@127.0.0.1:5432/postgres;
#                  sslmode=disable is added, the traffic is loopback)
#   BENCH_PORT     first port to try for the server                 (default 18390; the next free one is used)
#   CARGO          the cargo to build with                          (default cargo)
# Needs: cargo, curl, python3; psql for postgres.
# All traffic goes to 127.0.0.1 only. The server, the temp data dir and the bench database are removed on exit
# (trap), also on failure or Ctrl-C. Runtime is bounded: every wait has a timeout.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/stats_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
ORDERS="${BENCH_ORDERS:-100000}"
DAYS="${BENCH_DAYS:-365}"
CALLS="${BENCH_CALLS:-30}"
WARMUP="${BENCH_WARMUP:-3}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18390}"
CARGO="${CARGO:-cargo}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # 40 characters, test value
ADMIN_PHONE="+96500000001"
ADMIN_PASSWORD="sabil-demo-admin"
START_TIMEOUT_S=30
LOAD_TIMEOUT_S=900
TARGET_MS=200

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
API_BIN="$ROOT/target/release/sabil-api"
CLI_BIN="$ROOT/target/release/sabil"

cat <<EOF
== Sabil stats benchmark ==
Measures, per engine: the load time of a history of $ORDERS orders over $DAYS days (sabil demo history), then
GET /api/admin/stats for the whole period and for the last 30 days: $WARMUP warm-up calls, then $CALLS timed calls each.
Target (PostgreSQL): < $TARGET_MS ms per call.
Run: bash tests/bench/stats_bench.sh [sqlite|postgres|both]   (default both)
Env: BENCH_ORDERS=$ORDERS BENCH_DAYS=$DAYS BENCH_CALLS=$CALLS BENCH_WARMUP=$WARMUP BENCH_PG_URL=$PG_URL
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo); curl, the server and PostgreSQL share these cores.

EOF
((DAYS >= 1 && DAYS <= 366)) || { echo "error: BENCH_DAYS must be 1 to 366 (one stats call covers at most 366 days)" >&2; exit 2; }

# Settings from the caller's environment must not leak into the server or the CLI.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

# ---------------------------------------------------------------- cleanup
SERVER_PID=""
BENCH_DB=""
TMP_ROOT="$(mktemp -d -t sabil-stats-bench.XXXXXX)"
source "$ROOT/tests/bench/lib.sh" # die, stop_server, pick_port, db_url, create/drop_pg_db, wait_http_200 (SERVER_PID, PG_URL)

drop_db() {
    if [[ -n "$BENCH_DB" ]]; then
        drop_pg_db "$BENCH_DB"
        BENCH_DB=""
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    drop_db
    rm -rf "$TMP_ROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools and build
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if [[ "$MODE" != sqlite ]]; then command -v psql >/dev/null || die "psql is required for postgres"; fi
echo "-- $CARGO build --release -p sabil-api -p sabil-cli"
"$CARGO" build --release -p sabil-api -p sabil-cli
[[ -x "$API_BIN" && -x "$CLI_BIN" ]] || die "the release binaries were not built"
echo

# ---------------------------------------------------------------- helpers
login() { # prints the demo admin's access token
    local body
    body="$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$PORT/api/auth/login" -H 'content-type: application/json' \
        -d "{\"phone\":\"$ADMIN_PHONE\",\"password\":\"$ADMIN_PASSWORD\"}")" || die "login request failed"
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accessToken"])' "$body" 2>/dev/null ||
        die "admin login gave no accessToken: $body"
}

# time_calls NAME QUERY : warm-ups, then CALLS timed calls of /api/admin/stats?QUERY on one connection;
# sets T_MIN T_P50 T_P95 T_MAX (ms) and T_ORDERS (the answer's order count).
time_calls() {
    local name="$1" query="$2" url="http://127.0.0.1:$PORT/api/admin/stats?$2" out="$TMP_ROOT/$1.txt"
    curl -sS --max-time 60 -o "$TMP_ROOT/$name.json" -H "Authorization: Bearer $TOKEN" "$url&warmup=[1-$WARMUP]" ||
        die "warm-up calls to /api/admin/stats?$query failed"
    curl -sS --max-time 600 -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" \
        "$url&call=[1-$CALLS]" >"$out" || die "timed calls to /api/admin/stats?$query failed"
    read -r T_MIN T_P50 T_P95 T_MAX < <(
        python3 - "$out" "$CALLS" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
bad = [r for r in rows if r[0] != "200"]
if len(rows) != int(sys.argv[2]) or bad:
    sys.exit(f"expected {sys.argv[2]} answers 200, got {len(rows)}; unexpected: {bad[:3]}")
ms = sorted(float(r[1]) * 1000 for r in rows)
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f"{ms[0]:.1f} {p(0.50):.1f} {p(0.95):.1f} {ms[-1]:.1f}")
PY
    ) || die "could not read the timings of $name"
    T_ORDERS="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["orders"])' "$TMP_ROOT/$name.json")" ||
        die "the stats answer has no orders count: $(head -c 300 "$TMP_ROOT/$name.json")"
}

# ---------------------------------------------------------------- one engine
declare -A R # results, keyed "engine:field"
TODAY="$(python3 -c 'import datetime, zoneinfo; print(datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Dubai")).date())')"
FIRST_DAY="$(python3 -c 'import datetime, sys; print(datetime.date.fromisoformat(sys.argv[1]) - datetime.timedelta(days=int(sys.argv[2]) - 1))' "$TODAY" "$DAYS")"

bench_engine() {
    local engine="$1" data_dir="$TMP_ROOT/$1-data" db_env=()
    mkdir -p "$data_dir"
    if [[ "$engine" == postgres ]]; then
        BENCH_DB="sabil_bench_$(random_suffix)"
        create_pg_db "$BENCH_DB"
        db_env=(SABIL_DATABASE_URL="$(db_url "$BENCH_DB")" SABIL_AUTO_MIGRATE=true)
        echo "== postgres (database $BENCH_DB, fresh) =="
    else
        echo "== sqlite (fresh data dir $data_dir) =="
    fi

    local started load_out="$TMP_ROOT/$engine-load.txt"
    started="$(date +%s.%N)"
    timeout "$LOAD_TIMEOUT_S" env SABIL_DATA_DIR="$data_dir" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn "${db_env[@]}" \
        "$CLI_BIN" demo history --orders "$ORDERS" --days "$DAYS" --end "$TODAY" >"$load_out" 2>&1 ||
        { cat "$load_out" >&2; die "sabil demo history failed on $engine"; }
    R[$engine:load]="$(python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$started")"
    sed 's/^/  /' "$load_out"
    echo "  load (whole command, with migrations, demo accounts and catalog): ${R[$engine:load]} s"
    if [[ "$engine" == postgres ]]; then
        psql "$(db_url "$BENCH_DB")" -q -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE" >/dev/null || die "VACUUM ANALYZE failed"
        echo "  VACUUM ANALYZE done"
    fi

    PORT="$(pick_port "$FIRST_PORT")"
    local log="$TMP_ROOT/$engine-server.log"
    env SABIL_DATA_DIR="$data_dir" "${db_env[@]}" SABIL_BIND="127.0.0.1:$PORT" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn \
        SABIL_DEMO_DATA=false SABIL_SHUTDOWN_GRACE_SECS=5 "$API_BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    wait_http_200 "http://127.0.0.1:$PORT/readyz" "$log" sabil-api "$START_TIMEOUT_S"
    echo "  sabil-api pid $SERVER_PID on port $PORT"
    TOKEN="$(login)"

    time_calls "$engine-year" "from=$FIRST_DAY&to=$TODAY"
    R[$engine:year]="$T_MIN / $T_P50 / $T_P95 / $T_MAX"
    R[$engine:year_p50]="$T_P50"
    echo "  $FIRST_DAY..$TODAY ($DAYS days, $T_ORDERS orders): min / p50 / p95 / max = ${R[$engine:year]} ms"
    [[ "$T_ORDERS" == "$ORDERS" ]] || die "the whole period counts $T_ORDERS orders, $ORDERS were loaded"
    time_calls "$engine-month" ""
    R[$engine:month]="$T_MIN / $T_P50 / $T_P95 / $T_MAX"
    echo "  the default range (last 30 days, $T_ORDERS orders): min / p50 / p95 / max = ${R[$engine:month]} ms"
    stop_server
    [[ "$engine" == postgres ]] && drop_db
    echo
}

ENGINES=()
[[ "$MODE" == sqlite || "$MODE" == both ]] && ENGINES+=(sqlite)
[[ "$MODE" == postgres || "$MODE" == both ]] && ENGINES+=(postgres)
for engine in "${ENGINES[@]}"; do
    bench_engine "$engine"
done

echo "== summary: GET /api/admin/stats, $ORDERS orders over $DAYS days, $CALLS calls per range (ms: min / p50 / p95 / max) =="
printf '%-10s  %-10s  %-32s  %-32s\n' engine "load (s)" "whole period" "last 30 days"
for engine in "${ENGINES[@]}"; do
    printf '%-10s  %-10s  %-32s  %-32s\n' "$engine" "${R[$engine:load]}" "${R[$engine:year]}" "${R[$engine:month]}"
done
if [[ -n "${R[postgres:year_p50]:-}" ]]; then
    python3 - "${R[postgres:year_p50]}" "$TARGET_MS" <<'PY'
import sys
p50, target = float(sys.argv[1]), float(sys.argv[2])
print(f"PostgreSQL whole period p50 {p50:.1f} ms: target < {target:.0f} ms {'met' if p50 < target else 'NOT met'}")
PY
fi
