#!/usr/bin/env bash
# broadcast_bench.sh: notification fan-out, a broadcast to BENCH_CUSTOMERS customers (default 100,000), each
# with one device, delivered by the worker's broadcast job with the local push stand-in; pushes/s on SQLite
# and on PostgreSQL (a benchmark, not a timed test; issue 6, "Figures to report").
#
# It builds the bench binary sync-worker/benches/broadcast.rs in release, then per engine:
#   - a fresh database (SQLite: a file in a temp dir; PostgreSQL: a fresh database sabil_bench_<random> on
#     BENCH_PG_URL, dropped at the end), migrated by `broadcast migrate`;
#   - seeded in bulk with plain SQL (sqlite3 / psql, not through the API): one admin, BENCH_CUSTOMERS active
#     customers (Arabic and English alternating) and one Android device per customer;
#   - `broadcast run`: queues a broadcast to all customers (NotificationService::send_broadcast) and times
#     NotificationService::deliver_broadcasts step by step (BENCH_BATCH recipients a step) until nothing is
#     due: per step one multi-row insert of the in-app notifications, one read of the devices, and one push
#     per device through the local stand-in, which writes each push as a row of local_pushes.
#   - checked afterwards with SQL: one notification and one local push per customer.
# Printed: pushes/s per engine (pushes = recipients here), the slowest step, the seconds of the whole run.
#
# How to run (from the workspace root):
#   bash tests/bench/broadcast_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_CUSTOMERS  customers (each one device)          (default 100000)
#   BENCH_BATCH      recipients per step                  (default 500, the worker's default)
#   BENCH_PG_URL     PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres; sslmode=disable
#                    is added, the traffic is loopback)
#   BENCH_CARGO      the cargo to build with (default lcargo when it exists, else cargo)
# Needs: cargo, python3, sqlite3; psql for postgres.
# The temp dir and the bench database are removed on exit (trap). Runtime is bounded (BENCH_TIMEOUT_S, 900).
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/broadcast_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
CUSTOMERS="${BENCH_CUSTOMERS:-100000}"
BATCH="${BENCH_BATCH:-500}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
TIMEOUT_S="${BENCH_TIMEOUT_S:-900}"
CARGO="${BENCH_CARGO:-$(command -v lcargo || echo cargo)}"
[[ "$CUSTOMERS" =~ ^[0-9]+$ && "$CUSTOMERS" -gt 0 && "$CUSTOMERS" -le 9999999 ]] || {
    echo "BENCH_CUSTOMERS must be 1 to 9999999" >&2
    exit 2
}

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"

cat <<INFO
== Sabil broadcast benchmark ==
A broadcast to $CUSTOMERS customers (one device each) with the local push stand-in, $BATCH recipients a step.
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg).

INFO

# Settings from the caller's environment must not leak into the App.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

SERVER_PID=""
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
command -v python3 >/dev/null || die "python3 is required"
command -v sqlite3 >/dev/null || die "sqlite3 is required"

echo "-- $CARGO build --release -p sabil-sync-worker --bench broadcast"
"$CARGO" build --release -p sabil-sync-worker --bench broadcast
BENCH_BIN="$(find_bench_bin broadcast)" || exit 1
echo "   bench binary: ${BENCH_BIN#"$ROOT"/}"

WORK="$(mktemp -d -t sabil-broadcast.XXXXXX)"
PG_DB=""
cleanup() {
    [[ -n "$PG_DB" ]] && drop_pg_db "$PG_DB"
    rm -rf "$WORK"
}
trap cleanup EXIT
OUT="$WORK/results.txt"
: >"$OUT"

ADMIN_ID="00000000-0000-7000-8000-000000000001" # the bench binary's BENCH_ADMIN_ID

seed_sqlite() { # seed_sqlite FILE
    sqlite3 "$1" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
INSERT INTO users (id, phone, full_name, full_name_search, password_hash, role, status, language, created_at, updated_at, verified_at)
VALUES (X'$(tr -d - <<<"$ADMIN_ID")', '+96500000009', 'Bench Admin', 'bench admin', 'x', 'admin', 'active', 'en',
        '2026-03-01T09:00:00.000000Z', '2026-03-01T09:00:00.000000Z', '2026-03-01T09:00:00.000000Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CUSTOMERS)
INSERT INTO users (id, phone, full_name, full_name_search, password_hash, role, status, language, created_at, updated_at, verified_at)
SELECT randomblob(16), printf('+9655%07d', i), 'Bench Customer ' || i, 'bench customer ' || i, 'x', 'customer', 'active',
       CASE WHEN i % 2 = 0 THEN 'en' ELSE 'ar' END,
       '2026-03-01T09:00:00.000000Z', '2026-03-01T09:00:00.000000Z', '2026-03-01T09:00:00.000000Z'
FROM n;
INSERT INTO devices (token, user_id, platform, language, created_at, updated_at)
SELECT 'bench-' || lower(hex(id)), id, 'android', language, created_at, created_at FROM users WHERE role = 'customer';
COMMIT;
ANALYZE;
SQL
}

seed_postgres() { # seed_postgres URL
    psql "$1" -q -v ON_ERROR_STOP=1 <<SQL
BEGIN;
INSERT INTO users (id, phone, full_name, full_name_search, password_hash, role, status, language, created_at, updated_at, verified_at)
VALUES ('$ADMIN_ID', '+96500000009', 'Bench Admin', 'bench admin', 'x', 'admin', 'active', 'en', now(), now(), now());
INSERT INTO users (id, phone, full_name, full_name_search, password_hash, role, status, language, created_at, updated_at, verified_at)
SELECT gen_random_uuid(), '+9655' || lpad(i::text, 7, '0'), 'Bench Customer ' || i, 'bench customer ' || i, 'x', 'customer', 'active',
       CASE WHEN i % 2 = 0 THEN 'en' ELSE 'ar' END, now(), now(), now()
FROM generate_series(1, $CUSTOMERS) AS i;
INSERT INTO devices (token, user_id, platform, language, created_at, updated_at)
SELECT 'bench-' || replace(id::text, '-', ''), id, 'android', language, created_at, created_at FROM users WHERE role = 'customer';
COMMIT;
ANALYZE;
SQL
}

check_counts() { # check_counts ENGINE COUNT_COMMAND... : one notification and one local push per customer
    local engine="$1" counts
    shift
    counts="$("$@")"
    [[ "$counts" == "$CUSTOMERS|$CUSTOMERS" ]] || die "$engine: expected $CUSTOMERS notifications and pushes, found (notifications|pushes) $counts"
    echo "   checked: $CUSTOMERS in-app notifications and $CUSTOMERS local pushes"
}

COUNT_SQL="SELECT (SELECT COUNT(*) FROM notifications) || '|' || (SELECT COUNT(*) FROM local_pushes)"

run_engine() { # run_engine ENGINE
    local engine="$1" url started
    echo
    echo "-- $engine"
    if [[ "$engine" == sqlite ]]; then
        url="sqlite://$WORK/sabil.db"
        "$BENCH_BIN" migrate --database-url "$url"
        started=$(date +%s.%N)
        seed_sqlite "$WORK/sabil.db"
    else
        psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1 || die "cannot reach PostgreSQL at $PG_URL"
        PG_DB="sabil_bench_$(random_suffix)"
        create_pg_db "$PG_DB"
        url="$(db_url "$PG_DB")"
        "$BENCH_BIN" migrate --database-url "$url"
        started=$(date +%s.%N)
        seed_postgres "$url"
    fi
    printf '   seeded %s customers and devices with SQL in %.1f s\n' "$CUSTOMERS" "$(echo "$(date +%s.%N) - $started" | bc)"
    timeout "$TIMEOUT_S" "$BENCH_BIN" run --database-url "$url" --engine "$engine" --batch "$BATCH" | tee -a "$OUT"
    [[ "${PIPESTATUS[0]}" == 0 ]] || die "the $engine run failed"
    if [[ "$engine" == sqlite ]]; then
        check_counts sqlite sqlite3 "$WORK/sabil.db" "$COUNT_SQL"
    else
        check_counts postgres psql "$url" -Atqc "$COUNT_SQL"
        drop_pg_db "$PG_DB"
        PG_DB=""
    fi
}

[[ "$MODE" != postgres ]] && run_engine sqlite
[[ "$MODE" != sqlite ]] && run_engine postgres

echo
echo "== Results: a broadcast to $CUSTOMERS customers, one device each, local push stand-in; $(nproc) CPUs shared =="
python3 - "$OUT" <<'PY'
import sys
rows = [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in open(sys.argv[1]) if line.startswith("RESULT ")]
print(f"{'engine':<9} {'recipients':>10} {'pushes':>8} {'seconds':>8} {'pushes/s':>9} {'steps':>6}")
for r in rows:
    print(f"{r['engine']:<9} {r['recipients']:>10} {r['pushes']:>8} {r['seconds']:>8} {r['rate']:>9} {r['steps']:>6}")
PY
