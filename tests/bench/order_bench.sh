#!/usr/bin/env bash
# order_bench.sh: checkout throughput and latency of `sabil-api` under concurrent customers, and on PostgreSQL
# the same server's pgbench tpcb-like figure for scale (a benchmark, not a timed test; issue 4, "Figures to report").
#
# What it measures, per engine (SQLite and/or PostgreSQL), against the release build:
#   - setup: sabil-api on a fresh database (SQLite: a fresh temp data dir; PostgreSQL: a fresh database made
#     with psql), with SABIL_DEMO_DATA=true (the demo admin +96500000001 / sabil-demo-admin),
#     SABIL_CASH_ON_DELIVERY=true (so `cash` orders start `confirmed` and wait for no payment) and
#     SABIL_TRUSTED_PROXIES=127.0.0.1/32 (the seeding gives each customer its own X-Forwarded-For address,
#     because code requests are limited to 30 an hour per client IP). The load generator
#     (api/benches/order_load.rs, mode `seed`) then creates through the HTTP API: one product (12.50 AED),
#     a delivery area, one 10:00-12:00 slot per weekday with capacity BENCH_SLOT_CAPACITY per date, and
#     BENCH_CONCURRENCY customers (register, SMS code read with `sabil sms list`, verify, one address each).
#   - load (mode `load`): BENCH_CONCURRENCY customers, one task each, loop for BENCH_DURATION: POST
#     /api/cart/items (2 packs), POST /api/cart/checkout with a fresh Idempotency-Key and paymentMethod
#     BENCH_PAYMENT, the (slot, date) rotating over BENCH_DATES consecutive dates from two days ahead (so the
#     checkouts spread over 28 slot reservation rows by default). Reported: orders/s (201 answers / wall time),
#     checkout latency p50/p90/p99/max, errors by status and code; then the orders in the database are counted
#     and must equal the 201s. CPU seconds used during the load by sabil-api, by the PostgreSQL server
#     processes (all of them: other databases on the same server count too) and by the generator are printed,
#     per order, to show where the time goes.
#   - pgbench (PostgreSQL only; sabil-api stopped first): `pgbench -i -s 1` on a separate fresh database on
#     the same server, then `pgbench -b tpcb-like -c 32 -j 2 -T <BENCH_DURATION>`; its tps (without initial
#     connection time) and the ratio orders/s : pgbench tps.
# Target (issue): on PostgreSQL orders/s >= 25 % of pgbench tpcb-like tps. SQLite (one writer at a time):
# orders/s and latencies only.
#
# How to run (from the workspace root):
#   bash tests/bench/order_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_DURATION        seconds of the load run and of the pgbench run  (default 10; "10s" is accepted)
#   BENCH_CONCURRENCY     concurrent customers                           (default 32)
#   BENCH_PAYMENT         cash or card (card orders wait in pending_payment) (default cash)
#   BENCH_DATES           delivery dates the checkouts rotate over       (default 28)
#   BENCH_SLOT_CAPACITY   places per slot and date                       (default 10000, the most the admin API
#                         accepts; with 28 dates that is 280000 places, no checkout is refused for a full slot)
#   BENCH_PG_URL          PostgreSQL server to use; the script creates its own databases sabil_bench_<random>
#                         and sabil_pgbench_<random> there with psql and drops them at the end
#                         (default postgres://postgres@127.0.0.1:5432/postgres; sslmode=disable is added to
#                         the server's URL, the traffic is loopback)
#   BENCH_PORT            first port to try for the server               (default 18290; the next free one is used)
# Needs: cargo, curl, python3; psql and pgbench for postgres.
# All traffic goes to 127.0.0.1 only. The server, the temp data dirs and the bench databases are removed on
# exit (trap), also on failure or Ctrl-C. Runtime is bounded: every wait has a timeout.
# Note: the generator, the server and PostgreSQL share the machine's cores, so absolute figures depend on the
# machine (and on whatever else runs on it); the ratio to pgbench measured in one run is the figure to compare.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/order_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
DURATION="${BENCH_DURATION:-10}"
DURATION="${DURATION%s}"
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -gt 0 ]] || {
    echo "BENCH_DURATION must be a whole number of seconds" >&2
    exit 2
}
CONCURRENCY="${BENCH_CONCURRENCY:-32}"
PAYMENT="${BENCH_PAYMENT:-cash}"
DATES="${BENCH_DATES:-28}"
SLOT_CAPACITY="${BENCH_SLOT_CAPACITY:-10000}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18290}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # 40 characters, test value
START_TIMEOUT_S=30
TARGET_PERCENT=25

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BIN="$ROOT/target/release/sabil-api"
CLI="$ROOT/target/release/sabil"

cat <<EOF
== Sabil order benchmark ==
Measures, per engine: $CONCURRENCY concurrent customers each looping cart add (2 packs) + checkout (fresh
Idempotency-Key, payment $PAYMENT) for ${DURATION}s: orders/s, checkout latency p50/p99, errors; on PostgreSQL
also pgbench -b tpcb-like -c 32 -j 2 -T $DURATION on the same server (scale 1, its own database).
Target: PostgreSQL orders/s >= $TARGET_PERCENT % of pgbench tps.
Run: bash tests/bench/order_bench.sh [sqlite|postgres|both]   (default both)
Env: BENCH_DURATION=$DURATION BENCH_CONCURRENCY=$CONCURRENCY BENCH_PAYMENT=$PAYMENT BENCH_DATES=$DATES BENCH_SLOT_CAPACITY=$SLOT_CAPACITY
     BENCH_PG_URL=$PG_URL (databases sabil_bench_<random>, sabil_pgbench_<random> are created and dropped there)
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg);
the generator, the server and PostgreSQL share these cores.

EOF

# Settings from the caller's environment must not leak into the server.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

# ---------------------------------------------------------------- cleanup
SERVER_PID=""
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

TMP_ROOT="$(mktemp -d -t sabil-order-bench.XXXXXX)"
BENCH_DBS=()

drop_dbs() {
    local db
    for db in "${BENCH_DBS[@]}"; do
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "warning: could not drop database $db" >&2
    done
    BENCH_DBS=()
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    drop_dbs
    rm -rf "$TMP_ROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if [[ "$MODE" != sqlite ]]; then
    command -v psql >/dev/null || die "psql is required for postgres"
    command -v pgbench >/dev/null || die "pgbench is required for postgres (apt-get install postgresql-contrib or postgresql-client)"
fi

# ---------------------------------------------------------------- build (once)
echo "-- cargo build --release -p sabil-api -p sabil-cli"
cargo build --release -p sabil-api -p sabil-cli
[[ -x "$BIN" && -x "$CLI" ]] || die "$BIN or $CLI was not built"
echo "-- cargo build --release -p sabil-api --bench order_load"
cargo build --release -p sabil-api --bench order_load
LOAD_BIN="$(find_load_bin)" || exit 1
echo "   load generator: ${LOAD_BIN#"$ROOT"/}"
echo

# ---------------------------------------------------------------- helpers
new_db() { # new_db PREFIX : creates a fresh database, registers it for dropping, prints its name
    local name
    name="$1_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\"" >/dev/null || die "cannot create database $name at $PG_URL"
    echo "$name"
}

# start_server LOGFILE ENV... : spawns sabil-api on $PORT and waits for the first 200 from /readyz.
start_server() {
    local log="$1" code deadline
    shift
    env "$@" SABIL_BIND="127.0.0.1:$PORT" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn SABIL_DEMO_DATA=true SABIL_DEMO_HISTORY=false \
        SABIL_CASH_ON_DELIVERY=true SABIL_TRUSTED_PROXIES=127.0.0.1/32 SABIL_ACCESS_TOKEN_TTL_SECS=3600 \
        SABIL_SHUTDOWN_GRACE_SECS=5 "$BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    deadline=$(($(date +%s) + START_TIMEOUT_S))
    while :; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/readyz" || true)"
        [[ "$code" == 200 ]] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$log" >&2
            SERVER_PID=""
            die "sabil-api exited before it was ready (log above)"
        fi
        if (($(date +%s) >= deadline)); then
            cat "$log" >&2
            die "sabil-api not ready within ${START_TIMEOUT_S}s (last /readyz status: $code)"
        fi
        sleep 0.02
    done
}

cpu_ticks() { # cpu_ticks PID... : utime + stime (clock ticks) summed over the live processes given
    local total=0 pid f
    for pid in "$@"; do
        f="/proc/$pid/stat"
        [[ -r "$f" ]] || continue
        total=$((total + $(sed 's/^.*) //' "$f" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0)))
    done
    echo "$total"
}

pg_pids() { pgrep -x postgres || true; } # every PostgreSQL server process on this machine

result_field() { # result_field FILE NAME : NAME=value from the RESULT line of FILE
    awk -v k="$2" '/^RESULT / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}

# ---------------------------------------------------------------- one engine
declare -A R # results, keyed "engine:field"
TICKS="$(getconf CLK_TCK)"

bench_engine() {
    local engine="$1" data_dir="$TMP_ROOT/$1-data" db_env=() db_name="" url=""
    mkdir -p "$data_dir"
    if [[ "$engine" == postgres ]]; then
        db_name="$(new_db sabil_bench)"
        BENCH_DBS+=("$db_name")
        url="$(db_url "$db_name")"
        db_env=(SABIL_DATABASE_URL="$url" SABIL_AUTO_MIGRATE=true)
        echo "== postgres (database $db_name, fresh; data dir $data_dir) =="
    else
        echo "== sqlite (fresh data dir $data_dir) =="
    fi
    PORT="$(pick_port "$FIRST_PORT")"
    start_server "$TMP_ROOT/$engine-server.log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
    echo "  sabil-api pid $SERVER_PID on port $PORT"

    local setup="$TMP_ROOT/$engine-setup.json" out="$TMP_ROOT/$engine-load.txt"
    env SABIL_DATA_DIR="$data_dir" "${db_env[@]}" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=error \
        timeout 300 "$LOAD_BIN" seed --base "http://127.0.0.1:$PORT" --customers "$CONCURRENCY" --dates "$DATES" \
        --capacity "$SLOT_CAPACITY" --sabil "$CLI" --out "$setup" 2>&1 | sed 's/^/  /'
    [[ "${PIPESTATUS[0]}" == 0 && -s "$setup" ]] || die "seeding failed"

    local api0 pg0 api1 pg1 pgp
    mapfile -t pgp < <(pg_pids)
    api0="$(cpu_ticks "$SERVER_PID")"
    pg0="$(cpu_ticks "${pgp[@]}")"
    timeout $((DURATION + 120)) "$LOAD_BIN" load --setup "$setup" --concurrency "$CONCURRENCY" --duration "$DURATION" \
        --payment "$PAYMENT" >"$out" 2>&1 || {
        cat "$out" >&2
        die "the load generator failed"
    }
    api1="$(cpu_ticks "$SERVER_PID")"
    mapfile -t pgp < <(pg_pids)
    pg1="$(cpu_ticks "${pgp[@]}")"
    sed 's/^/  /' "$out"
    local orders rate wall
    orders="$(result_field "$out" orders)"
    rate="$(result_field "$out" orders_per_s)"
    wall="$(result_field "$out" seconds)"
    [[ -n "$orders" && -n "$rate" ]] || die "no RESULT line from the load generator"
    R[$engine:rate]="$rate" R[$engine:orders]="$orders"
    R[$engine:p50]="$(result_field "$out" p50_ms)" R[$engine:p99]="$(result_field "$out" p99_ms)"
    R[$engine:err]="$(result_field "$out" errors)"

    # Where the CPU went, per order.
    local gen_cpu
    gen_cpu="$(result_field "$out" generator_cpu_s)"
    python3 - "$api0" "$api1" "$pg0" "$pg1" "$TICKS" "$gen_cpu" "$orders" "$wall" "$engine" <<'PY'
import sys
a0, a1, p0, p1, hz = (int(x) for x in sys.argv[1:6])
gen, orders, wall, engine = float(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8]), sys.argv[9]
api, pg = (a1 - a0) / hz, (p1 - p0) / hz
per = lambda s: f"{1000 * s / orders:.2f} ms" if orders else "n/a"
print(f"  CPU during the load ({wall:.1f} s wall): sabil-api {api:.2f} s ({per(api)}/order), "
      + (f"PostgreSQL processes {pg:.2f} s ({per(pg)}/order), " if engine == "postgres" else "")
      + f"generator {gen:.2f} s ({per(gen)}/order)")
PY

    # The orders in the database must be the 201s.
    local in_db
    if [[ "$engine" == postgres ]]; then
        in_db="$(psql "$url" -At -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM orders")"
    else
        in_db="$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute("SELECT count(*) FROM orders").fetchone()[0])' \
            "$data_dir/sabil.db")"
    fi
    echo "  orders in the database: $in_db (201 answers: $orders)"
    [[ "$in_db" == "$orders" ]] || die "the database holds $in_db orders but $orders checkouts were answered 201"
    stop_server

    if [[ "$engine" == postgres ]]; then
        local pgb_db pgb_url pgb_out="$TMP_ROOT/pgbench.txt"
        pgb_db="$(new_db sabil_pgbench)"
        BENCH_DBS+=("$pgb_db")
        pgb_url="$(db_url "$pgb_db")"
        echo "  pgbench -i -s 1 (database $pgb_db); pgbench -b tpcb-like -c 32 -j 2 -T $DURATION"
        timeout 300 pgbench -i -s 1 -q "$pgb_url" >"$TMP_ROOT/pgbench-init.txt" 2>&1 || {
            cat "$TMP_ROOT/pgbench-init.txt" >&2
            die "pgbench -i failed"
        }
        timeout $((DURATION + 120)) pgbench -b tpcb-like -c 32 -j 2 -T "$DURATION" "$pgb_url" >"$pgb_out" 2>&1 || {
            cat "$pgb_out" >&2
            die "pgbench failed"
        }
        grep -E '^(number of transactions actually processed|number of failed|latency average|tps)' "$pgb_out" | sed 's/^/    /'
        R[$engine:tps]="$(awk '/^tps = / && /without initial connection time/ { print $3 }' "$pgb_out")"
        [[ -n "${R[$engine:tps]}" ]] || die "could not read tps from pgbench"
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
echo "== Results: $CONCURRENCY customers, cart add + checkout (payment $PAYMENT) for ${DURATION}s; $(nproc) CPUs shared =="
printf '%-9s %9s %10s %13s %13s %7s %12s %10s %s\n' engine orders orders/s "p50 ms" "p99 ms" errors "pgbench tps" ratio "ratio >= ${TARGET_PERCENT} %"
for e in "${ENGINES[@]}"; do
    if [[ "$e" == postgres ]]; then
        ratio="$(python3 -c "print(f'{100 * ${R[$e:rate]} / ${R[$e:tps]}:.1f}')")"
        verdict="$(python3 -c "print('PASS' if $ratio >= $TARGET_PERCENT else 'MISS')")"
        printf '%-9s %9s %10s %13s %13s %7s %12s %9s%% %s\n' "$e" "${R[$e:orders]}" "${R[$e:rate]}" "${R[$e:p50]}" "${R[$e:p99]}" \
            "${R[$e:err]}" "${R[$e:tps]}" "$ratio" "$verdict"
    else
        printf '%-9s %9s %10s %13s %13s %7s %12s %10s %s\n' "$e" "${R[$e:orders]}" "${R[$e:rate]}" "${R[$e:p50]}" "${R[$e:p99]}" \
            "${R[$e:err]}" "-" "-" "(single writer; no target)"
    fi
done
