#!/usr/bin/env bash
# durability_drill.sh: kill -9 of `sabil-api` in the middle of concurrent checkouts, restart on the same
# database, clients resending every unanswered request with the same Idempotency-Key and body; then the
# database is checked for lost, doubled or over-booked orders (a drill, not a timed test; issue 4).
#
# What it does, per engine (SQLite and/or PostgreSQL), against the release build:
#   - setup: sabil-api on a fresh database (SQLite: a fresh temp data dir; PostgreSQL: a fresh database made
#     with psql), with the demo admin (SABIL_DEMO_DATA=true), SABIL_CASH_ON_DELIVERY=true and
#     SABIL_TRUSTED_PROXIES=127.0.0.1/32 (see order_bench.sh). The generator api/benches/order_load.rs (mode
#     `seed --drill-capacity`) creates the shop, DRILL_CLIENTS customers, and the drill slot: one slot and
#     date with capacity DRILL_CAPACITY, below the demand DRILL_CLIENTS x DRILL_ORDERS (500 < 32 x 20 = 640
#     by default), so the last checkouts must be refused with 422 order.slot_full.
#   - run (mode `drill`): each client fixes DRILL_ORDERS idempotency keys up front and, one after another,
#     puts 2 packs in its cart and checks out (payment cash) in the drill slot. A request that gets no answer
#     (connection refused or reset, timeout) or a 5xx is sent again unchanged (same key, same body) after
#     100 ms, until it is answered (at most DRILL_RETRY_FOR seconds).
#   - the kills: DRILL_KILLS times, when the orders in the database (polled every 20 ms) reach i/(DRILL_KILLS+1)
#     of the capacity (125, 250, 375 by default), the server gets SIGKILL while the clients are mid-flight;
#     after DRILL_DOWN_SECS it is started again on the same database and port, and the clients carry on.
#     Several kills make it likely that one lands between a checkout's commit and its answer, so that the
#     resent request must be answered from the idempotency key (200, replayed) rather than placed again.
#   - checks, on the database (psql for PostgreSQL, python's sqlite3 for SQLite) against the clients' answers:
#     every key answered 2xx has exactly one idempotency_keys row, whose order exists and is the order id
#     the client was given; no key answered 422 has a row; no order without a key row, no order shared by
#     two keys, no key row without an order; orders == distinct keys answered 2xx; orders in the drill
#     slot == slot_reservations.reserved == min(capacity, keys) (so exactly the capacity when the demand is
#     larger), never above capacity; every key got an answer (201, 200 replayed or 422 order.slot_full).
#     Prints the counts (placed, replayed answers, refusals, resends after the kills, orders in the database,
#     duplicates) and exits non-zero on any violation.
#
# How to run (from the workspace root):
#   bash tests/bench/durability_drill.sh [sqlite|postgres|both]      # default: both
# Environment:
#   DRILL_CLIENTS      concurrent clients (one customer each)            (default 32)
#   DRILL_ORDERS       orders (keys) per client                          (default 20)
#   DRILL_CAPACITY     places of the drill slot                          (default 500)
#   DRILL_KILLS        how many times the server is killed               (default 3)
#   DRILL_DOWN_SECS    seconds the server stays down                     (default 1)
#   DRILL_RETRY_FOR    seconds a client keeps resending one request      (default 120)
#   BENCH_PG_URL       PostgreSQL server to use; the script creates its own database sabil_drill_<random>
#                      there with psql and drops it at the end
#                      (default postgres://postgres@127.0.0.1:5432/postgres; sslmode=disable is added)
#   BENCH_PORT         first port to try for the server                  (default 18390; the next free one is used)
# Needs: cargo, curl, python3; psql for postgres.
# All traffic goes to 127.0.0.1 only. The server, the generator, the temp data dirs and the drill database
# are removed on exit (trap), also on failure or Ctrl-C. Runtime is bounded: every wait has a timeout.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/durability_drill.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
CLIENTS="${DRILL_CLIENTS:-32}"
ORDERS="${DRILL_ORDERS:-20}"
CAPACITY="${DRILL_CAPACITY:-500}"
KILLS="${DRILL_KILLS:-3}"
DOWN_SECS="${DRILL_DOWN_SECS:-1}"
RETRY_FOR="${DRILL_RETRY_FOR:-120}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18390}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # 40 characters, test value
START_TIMEOUT_S=30
KILL_WAIT_S=120

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BIN="$ROOT/target/release/sabil-api"
CLI="$ROOT/target/release/sabil"

cat <<EOF
== Sabil durability drill ==
Per engine: $CLIENTS clients x $ORDERS orders (fixed idempotency keys) into one slot of capacity $CAPACITY;
kill -9 of sabil-api $KILLS times (at i/$((KILLS + 1)) of the capacity), restart after ${DOWN_SECS}s on the same database; unanswered requests
resent unchanged; then the database is checked (one order per key answered 2xx, none for refusals, slot
reservations == orders in the slot == min(capacity, keys)).
Run: bash tests/bench/durability_drill.sh [sqlite|postgres|both]   (default both)
Env: DRILL_CLIENTS=$CLIENTS DRILL_ORDERS=$ORDERS DRILL_CAPACITY=$CAPACITY DRILL_KILLS=$KILLS DRILL_DOWN_SECS=$DOWN_SECS
     DRILL_RETRY_FOR=$RETRY_FOR BENCH_PG_URL=$PG_URL (a database sabil_drill_<random> is created and dropped there)
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
load average $(cut -d' ' -f1-3 /proc/loadavg)

EOF
((KILLS >= 1 && CAPACITY / (KILLS + 1) >= 1)) || {
    echo "DRILL_KILLS must be at least 1 and below DRILL_CAPACITY" >&2
    exit 2
}

# Settings from the caller's environment must not leak into the server.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

# ---------------------------------------------------------------- cleanup
SERVER_PID=""
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

GEN_PID=""
TMP_ROOT="$(mktemp -d -t sabil-drill.XXXXXX)"
DRILL_DB=""

stop_generator() {
    if [[ -n "$GEN_PID" ]] && kill -0 "$GEN_PID" 2>/dev/null; then
        kill -TERM "$GEN_PID" 2>/dev/null || true
        wait "$GEN_PID" 2>/dev/null || true
    fi
    GEN_PID=""
}

drop_db() {
    if [[ -n "$DRILL_DB" ]]; then
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$DRILL_DB\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "warning: could not drop database $DRILL_DB" >&2
        DRILL_DB=""
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_generator
    stop_server
    drop_db
    rm -rf "$TMP_ROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if [[ "$MODE" != sqlite ]]; then command -v psql >/dev/null || die "psql is required for postgres"; fi

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
# start_server LOGFILE ENV... : spawns sabil-api on $PORT, waits for the first 200 from /readyz, sets START_MS.
START_MS=""
start_server() {
    local log="$1" code deadline t0
    shift
    t0="$(date +%s%N)"
    env "$@" SABIL_BIND="127.0.0.1:$PORT" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn SABIL_DEMO_DATA=true SABIL_DEMO_HISTORY=false \
        SABIL_CASH_ON_DELIVERY=true SABIL_TRUSTED_PROXIES=127.0.0.1/32 SABIL_ACCESS_TOKEN_TTL_SECS=3600 \
        SABIL_SHUTDOWN_GRACE_SECS=5 "$BIN" >>"$log" 2>&1 &
    SERVER_PID=$!
    deadline=$(($(date +%s) + START_TIMEOUT_S))
    while :; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/readyz" || true)"
        if [[ "$code" == 200 ]]; then
            START_MS=$((($(date +%s%N) - t0) / 1000000))
            return 0
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
        sleep 0.02
    done
}

# sql ENGINE TARGET QUERY : one query; rows as tab-separated lines. TARGET: a URL (postgres) or a file (sqlite).
sql() {
    if [[ "$1" == postgres ]]; then
        psql "$2" -At -F $'\t' -v ON_ERROR_STOP=1 -c "$3"
    else
        python3 - "$2" "$3" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
for row in con.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
PY
    fi
}

result_field() { # result_field FILE NAME : NAME=value from the RESULT line of FILE
    awk -v k="$2" '/^RESULT / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}

# ---------------------------------------------------------------- one engine
declare -A R # results, keyed "engine:field"
FAILED=0

drill_engine() {
    local engine="$1" data_dir="$TMP_ROOT/$1-data" db_env=() target url=""
    mkdir -p "$data_dir"
    if [[ "$engine" == postgres ]]; then
        DRILL_DB="sabil_drill_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$DRILL_DB\"" >/dev/null ||
            die "cannot create database $DRILL_DB at $PG_URL"
        url="$(python3 -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
q = [kv for kv in u.parse_qsl(p.query) if kv[0] != "sslmode"] + [("sslmode", "disable")]
print(u.urlunsplit(p._replace(path="/" + sys.argv[2], query=u.urlencode(q))))' "$PG_URL" "$DRILL_DB")"
        db_env=(SABIL_DATABASE_URL="$url" SABIL_AUTO_MIGRATE=true)
        target="$url"
        echo "== postgres (database $DRILL_DB, fresh; data dir $data_dir) =="
    else
        target="$data_dir/sabil.db"
        echo "== sqlite (fresh data dir $data_dir) =="
    fi
    PORT="$(pick_port "$FIRST_PORT")"
    local log="$TMP_ROOT/$engine-server.log"
    start_server "$log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
    echo "  sabil-api pid $SERVER_PID on port $PORT"

    local setup="$TMP_ROOT/$engine-setup.json" answers="$TMP_ROOT/$engine-answers.tsv" out="$TMP_ROOT/$engine-drill.txt"
    env SABIL_DATA_DIR="$data_dir" "${db_env[@]}" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=error \
        timeout 300 "$LOAD_BIN" seed --base "http://127.0.0.1:$PORT" --customers "$CLIENTS" --dates 1 \
        --drill-capacity "$CAPACITY" --sabil "$CLI" --out "$setup" 2>&1 | sed 's/^/  /'
    [[ "${PIPESTATUS[0]}" == 0 && -s "$setup" ]] || die "seeding failed"

    # The run, in the background; a kill each time i/(KILLS+1) of the capacity is stored.
    local run
    run="$(python3 -c 'import secrets; print(secrets.token_hex(3))')"
    "$LOAD_BIN" drill --setup "$setup" --concurrency "$CLIENTS" --orders "$ORDERS" --run "$run" --payment cash \
        --retry-for "$RETRY_FOR" --answers "$answers" >"$out" 2>&1 &
    GEN_PID=$!
    local i kill_at deadline n=0 at_kill at_kills=() restarts=()
    for ((i = 1; i <= KILLS; i++)); do
        kill_at=$((CAPACITY * i / (KILLS + 1)))
        deadline=$(($(date +%s) + KILL_WAIT_S))
        while :; do
            n="$(sql "$engine" "$target" "SELECT count(*) FROM orders" 2>/dev/null || echo 0)"
            ((n >= kill_at)) && break
            kill -0 "$GEN_PID" 2>/dev/null || {
                cat "$out" >&2
                die "the drill generator ended before $kill_at orders were stored ($n)"
            }
            (($(date +%s) < deadline)) || die "$kill_at orders not stored within ${KILL_WAIT_S}s ($n)"
            sleep 0.02
        done
        kill -KILL "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        at_kill="$(sql "$engine" "$target" "SELECT count(*) FROM orders")"
        at_kills+=("$at_kill")
        echo "  kill $i: kill -9 when the poll saw $n orders (threshold $kill_at); $at_kill orders committed at the kill"
        sleep "$DOWN_SECS"
        start_server "$log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
        restarts+=("$START_MS")
        echo "  kill $i: restarted on the same database (pid $SERVER_PID, ready in ${START_MS} ms)"
    done

    # The clients finish (every request answered, or given up after RETRY_FOR).
    local waited=0
    while kill -0 "$GEN_PID" 2>/dev/null; do
        ((waited < (RETRY_FOR + 120) * 10)) || die "the drill generator did not finish within $((RETRY_FOR + 120))s"
        sleep 0.1
        waited=$((waited + 1))
    done
    local gen_rc=0
    wait "$GEN_PID" || gen_rc=$?
    GEN_PID=""
    sed 's/^/  /' "$out"
    ((gen_rc == 0)) || die "the drill generator failed (exit $gen_rc)"
    stop_server

    # The checks.
    local dump="$TMP_ROOT/$engine-db"
    mkdir -p "$dump"
    if [[ "$engine" == postgres ]]; then
        sql "$engine" "$target" "SELECT key, COALESCE(replace(order_id::text, '-', ''), '') FROM idempotency_keys" >"$dump/keys.tsv"
        sql "$engine" "$target" "SELECT replace(id::text, '-', ''), replace(slot_id::text, '-', ''), delivery_date::text FROM orders" >"$dump/orders.tsv"
        sql "$engine" "$target" "SELECT replace(slot_id::text, '-', ''), delivery_date::text, reserved FROM slot_reservations" >"$dump/reservations.tsv"
    else
        sql "$engine" "$target" "SELECT key, COALESCE(lower(hex(order_id)), '') FROM idempotency_keys" >"$dump/keys.tsv"
        sql "$engine" "$target" "SELECT lower(hex(id)), lower(hex(slot_id)), delivery_date FROM orders" >"$dump/orders.tsv"
        sql "$engine" "$target" "SELECT lower(hex(slot_id)), delivery_date, reserved FROM slot_reservations" >"$dump/reservations.tsv"
    fi
    local verdict="$TMP_ROOT/$engine-verdict.txt" ok=0
    python3 - "$answers" "$dump" "$setup" "$CLIENTS" "$ORDERS" >"$verdict" <<'PY' || ok=$?
import csv, json, sys
answers_file, dump, setup_file, clients, orders_per = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
setup = json.load(open(setup_file))
slot = setup["drillSlot"]["slotId"].replace("-", "").lower()
date, capacity = setup["drillSlot"]["date"], int(setup["drillSlot"]["capacity"])

def rows(name):
    return [line.rstrip("\n").split("\t") for line in open(f"{dump}/{name}") if line.strip()]

answers = list(csv.DictReader(open(answers_file), delimiter="\t"))
keys_db = rows("keys.tsv")
orders_db = rows("orders.tsv")
reservations = {(s, d): int(r) for s, d, r in rows("reservations.tsv")}

violations = []
def check(cond, what):
    if not cond:
        violations.append(what)

expected_keys = clients * orders_per
check(len(answers) == expected_keys, f"{len(answers)} keys reported, {expected_keys} expected")
check(len({a["key"] for a in answers}) == len(answers), "the same key reported twice")
ok2xx = {a["key"]: a["order_id"].replace("-", "").lower() for a in answers if a["status"] in ("200", "201")}
refused = {a["key"] for a in answers if a["status"] == "422" and a["code"] == "order.slot_full"}
other = [a for a in answers if a["key"] not in ok2xx and a["key"] not in refused]
check(not other, f"{len(other)} keys without a 2xx or 422 order.slot_full answer, e.g. {other[:3]}")
placed = sum(a["status"] == "201" for a in answers)
replayed = sum(a["status"] == "200" for a in answers)

order_ids = [o[0] for o in orders_db]
orders_set = set(order_ids)
key_rows = {}
for k, o in keys_db:
    key_rows.setdefault(k, []).append(o)
drill_key_rows = {k: v for k, v in key_rows.items() if k.startswith("drill-")}
check(len(key_rows) == len(keys_db), "an idempotency key stored twice")
for k, order in ok2xx.items():
    stored = key_rows.get(k, [])
    check(len(stored) == 1, f"key {k} answered 2xx has {len(stored)} idempotency rows")
    if stored:
        check(stored[0] == order, f"key {k}: the client was given order {order}, the key row points to {stored[0]}")
        check(stored[0] in orders_set, f"key {k}: its order {stored[0]} does not exist")
for k in refused:
    check(k not in key_rows, f"key {k} answered 422 slot_full has an idempotency row")
check(all(v[0] for v in key_rows.values()), "an idempotency key row without its order")
targets = [v[0] for v in key_rows.values() if v[0]]
shared = len(targets) - len(set(targets))
check(shared == 0, f"{shared} orders shared by two keys")
check(all(t in orders_set for t in targets), "an idempotency row points to a missing order")
keyed = set(targets)
unkeyed = [o for o in order_ids if o not in keyed]
check(not unkeyed, f"{len(unkeyed)} orders without an idempotency key row")
check(len(order_ids) == len(orders_set), "duplicate order ids")
check(len(order_ids) == len(ok2xx), f"{len(order_ids)} orders in the database, {len(ok2xx)} distinct keys answered 2xx")
check(set(drill_key_rows) == set(ok2xx), "the stored drill keys differ from the keys answered 2xx")
in_slot = sum(1 for _, s, d in orders_db if s == slot and d == date)
reserved = reservations.get((slot, date), 0)
check(reserved <= capacity, f"reserved {reserved} > capacity {capacity}")
check(in_slot == reserved, f"{in_slot} orders in the drill slot, slot_reservations.reserved = {reserved}")
want = min(capacity, expected_keys)
check(in_slot == want, f"{in_slot} orders in the drill slot, {want} expected (min(capacity {capacity}, keys {expected_keys}))")
check(len(refused) == expected_keys - want, f"{len(refused)} slot_full refusals, {expected_keys - want} expected")
# Orders beyond one per key answered 2xx, plus orders reached through two keys.
duplicates = max(0, len(order_ids) - len(ok2xx)) + shared

print(f"placed (201) {placed}; replayed answers (200) {replayed}; refused 422 slot_full {len(refused)}; other answers {len(other)}")
print(f"orders in the database {len(order_ids)}; distinct keys answered 2xx {len(ok2xx)}; idempotency rows {len(keys_db)}; "
      f"duplicates {duplicates}")
print(f"drill slot: capacity {capacity}, slot_reservations.reserved {reserved}, orders in the slot {in_slot}")
print(f"VERDICT placed={placed} replayed={replayed} refused={len(refused)} other={len(other)} orders={len(order_ids)} "
      f"keys2xx={len(ok2xx)} duplicates={duplicates} reserved={reserved} in_slot={in_slot} violations={len(violations)}")
for v in violations[:20]:
    print(f"VIOLATION: {v}")
sys.exit(1 if violations else 0)
PY
    sed 's/^/  /' "$verdict"
    vf() { awk -v k="$1" '/^VERDICT / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$verdict"; }
    R[$engine:placed]="$(vf placed)" R[$engine:replayed]="$(vf replayed)" R[$engine:refused]="$(vf refused)"
    R[$engine:orders]="$(vf orders)" R[$engine:dups]="$(vf duplicates)" R[$engine:reserved]="$(vf reserved)"
    R[$engine:violations]="$(vf violations)" R[$engine:at_kill]="$(
        IFS=/
        echo "${at_kills[*]}"
    )" R[$engine:restart]="$(
        IFS=/
        echo "${restarts[*]}"
    )"
    R[$engine:resent]="$(result_field "$out" resent)" R[$engine:retried]="$(result_field "$out" retried_keys)"
    R[$engine:seconds]="$(result_field "$out" seconds)"
    if ((ok != 0)); then
        echo "  DRILL FAILED on $engine" >&2
        FAILED=1
    else
        echo "  all checks passed on $engine"
    fi
    [[ "$engine" == postgres ]] && drop_db
    echo
}

ENGINES=()
case "$MODE" in
    sqlite) ENGINES=(sqlite) ;;
    postgres) ENGINES=(postgres) ;;
    both) ENGINES=(sqlite postgres) ;;
esac
for e in "${ENGINES[@]}"; do drill_engine "$e"; done

# ---------------------------------------------------------------- table
echo "== Results: $CLIENTS clients x $ORDERS keys = $((CLIENTS * ORDERS)) checkouts into capacity $CAPACITY; $KILLS x kill -9 + restart =="
echo "at kills = orders committed at each kill; keys resent = keys whose first checkout got no answer; restart = ms to /readyz"
printf '%-9s %7s %9s %8s %-13s %7s %12s %7s %5s %9s %-16s %6s %s\n' engine placed replayed refused "at kills" resent "keys resent" \
    orders dups reserved "restart ms" "run s" violations
for e in "${ENGINES[@]}"; do
    printf '%-9s %7s %9s %8s %-13s %7s %12s %7s %5s %9s %-16s %6s %s\n' "$e" "${R[$e:placed]}" "${R[$e:replayed]}" "${R[$e:refused]}" \
        "${R[$e:at_kill]}" "${R[$e:resent]}" "${R[$e:retried]}" "${R[$e:orders]}" "${R[$e:dups]}" "${R[$e:reserved]}" \
        "${R[$e:restart]}" "${R[$e:seconds]}" "${R[$e:violations]}"
done
exit "$FAILED"
