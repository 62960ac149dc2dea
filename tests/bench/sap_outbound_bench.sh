#!/usr/bin/env bash
# sap_outbound_bench.sh: how many of our changes per second the sync-worker pushes to SAP (the in-process
# SAP simulator), on SQLite and on PostgreSQL, with 0 ms and with 20 ms simulated SAP latency (a benchmark,
# not a timed test; SAP integration).
#
# It builds and runs the bench binary sync-worker/benches/outbound.rs in release. Per engine and latency the
# binary makes a fresh database (SQLite: a temp file; PostgreSQL: a fresh database sabil_test_<uuid> on
# BENCH_PG_URL, dropped after the run), an App pointed at a fresh simulator, and BENCH_CHANGES changes in our
# feed (BENCH_CHANGES / 5 customers created active, then renamed round after round); it sets the latency and
# times SyncWorker::push_until_idle (BENCH_CONCURRENCY entities side by side, BENCH_BATCH changes per pass,
# quick retries), then checks that every change arrived exactly once and each entity's changes in our order.
# Printed: changes/s per (engine, latency) and the CPU used by the bench process (worker and simulator) and by
# the PostgreSQL server processes.
# Target (issue): with 20 ms latency >= 500 changes/s.
#
# How to run (from the workspace root):
#   bash tests/bench/sap_outbound_bench.sh [sqlite|postgres|both]      # default: both
# or the binary alone (after the build below):
#   cargo build --release -p sabil-sync-worker --bench outbound
#   SABIL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
#     target/release/deps/outbound-<hash> --engine both --changes 5000 --latency-ms 0,20 --concurrency 32
# Environment:
#   BENCH_CHANGES      changes per run                              (default 5000)
#   BENCH_LATENCY_MS   simulated SAP latencies, comma-separated     (default 0,20)
#   BENCH_CONCURRENCY  entities pushed side by side                 (default 32, the daemon's default)
#   BENCH_BATCH        changes read per pass                        (default 500, the daemon's default)
#   BENCH_PG_URL       PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres; sslmode=disable
#                      is added, the traffic is loopback)
# Needs: cargo, python3; a PostgreSQL server for postgres.
# All traffic goes to 127.0.0.1 only; the run is bounded by a timeout (BENCH_TIMEOUT_S, default 600).
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/sap_outbound_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
CHANGES="${BENCH_CHANGES:-5000}"
LATENCIES="${BENCH_LATENCY_MS:-0,20}"
CONCURRENCY="${BENCH_CONCURRENCY:-32}"
BATCH="${BENCH_BATCH:-500}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
TIMEOUT_S="${BENCH_TIMEOUT_S:-600}"
TARGET_20MS=500

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"

cat <<EOF
== Sabil SAP outbound benchmark ==
Measures, per engine and simulated SAP latency ($LATENCIES ms): $CHANGES changes ($((CHANGES / 5)) customers: create + renames)
pushed by SyncWorker::push_until_idle to the in-process SAP simulator (concurrency $CONCURRENCY, batch $BATCH):
changes/s, CPU; checks exactly-once delivery in per-entity order.
Target: >= $TARGET_20MS changes/s with 20 ms latency.
Run: bash tests/bench/sap_outbound_bench.sh [sqlite|postgres|both]   (default both)
Env: BENCH_CHANGES=$CHANGES BENCH_LATENCY_MS=$LATENCIES BENCH_CONCURRENCY=$CONCURRENCY BENCH_BATCH=$BATCH BENCH_PG_URL=$PG_URL
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg);
the worker, the simulator and PostgreSQL share these cores.

EOF

# Settings from the caller's environment must not leak into the App.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

SERVER_PID=""
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
command -v python3 >/dev/null || die "python3 is required"

echo "-- cargo build --release -p sabil-sync-worker --bench outbound"
cargo build --release -p sabil-sync-worker --bench outbound
BENCH_BIN="$(find_bench_bin outbound)" || exit 1
echo "   bench binary: ${BENCH_BIN#"$ROOT"/}"
echo

ENV=()
if [[ "$MODE" != sqlite ]]; then
    command -v psql >/dev/null && { psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1 || die "cannot reach PostgreSQL at $PG_URL"; }
    ENV+=(SABIL_TEST_POSTGRES_URL="$(db_url postgres)")
fi
OUT="$(mktemp -t sabil-sap-outbound.XXXXXX)"
trap 'rm -f "$OUT"' EXIT
env "${ENV[@]}" timeout "$TIMEOUT_S" "$BENCH_BIN" --engine "$MODE" --changes "$CHANGES" --latency-ms "$LATENCIES" \
    --concurrency "$CONCURRENCY" --batch "$BATCH" | tee "$OUT"
[[ "${PIPESTATUS[0]}" == 0 ]] || die "the outbound bench failed"

echo
echo "== Results: $CHANGES changes per run, concurrency $CONCURRENCY, batch $BATCH; $(nproc) CPUs shared =="
python3 - "$OUT" "$TARGET_20MS" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
target = float(sys.argv[2])
print(f"{'engine':<9} {'latency':>8} {'changes':>8} {'seconds':>8} {'changes/s':>10}  {'machine idle/steal':<19} target")
for r in rows:
    verdict = ("PASS" if float(r["rate"]) >= target else "MISS") + f" (>= {target:.0f})" if r["latency_ms"] == "20" else "-"
    machine = f"{r.get('idle_pct', '?')} % / {r.get('steal_pct', '?')} %"
    print(f"{r['engine']:<9} {r['latency_ms'] + ' ms':>8} {r['changes']:>8} {r['seconds']:>8} {r['rate']:>10}  {machine:<19} {verdict}")
PY
