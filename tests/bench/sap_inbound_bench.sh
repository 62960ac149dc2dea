#!/usr/bin/env bash
# sap_inbound_bench.sh: how many of SAP's changes per second `sabil-api` applies when SAP pushes them to
# our endpoints (role sap), on SQLite and on PostgreSQL (a benchmark, not a timed test; SAP integration).
#
# What it measures, per engine, against the release build:
#   - setup: sabil-api on a fresh database (SQLite: a fresh temp data dir; PostgreSQL: a fresh database
#     made with psql), SABIL_TRUSTED_PROXIES=127.0.0.1/32 (so each seeded customer registers from its own
#     X-Forwarded-For address: code requests are limited per client IP). A SAP client is created with
#     `sabil sap-client create --name bench` on the same database and signs in with POST
#     /api/auth/sap/login (a 1-hour token with the sap role). BENCH_CUSTOMERS customers register (POST
#     /api/auth/register), their codes are read with `sabil sms list` and they verify (POST
#     /api/auth/verify-phone); GET /api/users/me gives each one's id (the appId SAP sends).
#   - products: wrk -t BENCH_THREADS -c BENCH_CONNECTIONS -d BENCH_DURATION with a Lua script: every request
#     is PUT /api/products with its own valid body: sapId from a pool of BENCH_POOL products per wrk thread
#     (`BP-<thread>-<n>`, so threads never share a product), version = the thread's request counter (so
#     the versions of one sapId only grow: a 409 would be a bug, as would any non-200). The first request
#     of each sapId creates the product, the later ones update it.
#   - mixed: a second wrk run, same settings, 10 requests in turn: 6 PUT /api/products (the same pools,
#     versions above the first run's), 2 PUT /api/promotions (`BPR-<thread>-<n>`, a pool of 200 per thread,
#     buy 10 get 2 free, valid from yesterday to 30 days ahead, linking 2 products of the thread sent in the
#     first run) and 2 PUT /api/customers (renames: `fullName` with the version, appId of a seeded customer,
#     sapId `BC-<n>`; each customer belongs to one wrk thread).
#   Reported per run: changes/s (answers 200 / wrk's duration), latency p50/p99 (wrk, per request), answers
#   by status (every non-200 is counted, and the first ones are printed with their body), socket errors,
#   and the CPU used during the run by sabil-api, by the PostgreSQL server processes and by wrk.
# Target (issue): products on PostgreSQL >= 2000 changes/s.
#
# How to run (from the workspace root):
#   bash tests/bench/sap_inbound_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_DURATION     seconds of each wrk run                      (default 10; "10s" is accepted)
#   BENCH_CONNECTIONS  wrk connections                              (default 32)
#   BENCH_THREADS      wrk threads                                  (default 2)
#   BENCH_POOL         products per wrk thread                      (default 1000)
#   BENCH_CUSTOMERS    customers seeded for the renames             (default 200)
#   BENCH_PG_URL       PostgreSQL server to use; the script creates its own database sabil_bench_<random>
#                      there with psql and drops it at the end (default postgres://postgres@127.0.0.1:5432/postgres;
#                      sslmode=disable is added to the server's URL, the traffic is loopback)
#   BENCH_PORT         first port to try for the server             (default 18390; the next free one is used)
#   BENCH_DB_CONNECTIONS       SABIL_DB_MAX_CONNECTIONS of the server (default: unset, the server's default 10)
#   BENCH_PG_SYNCHRONOUS_COMMIT  when set (on|off|...), ALTER DATABASE <bench db> SET synchronous_commit to it,
#                      to see what the commit flushes cost (default: unset, the server's setting)
# Needs: cargo, curl, python3, wrk (installed with apt-get if missing), psql (for postgres).
# All traffic goes to 127.0.0.1 only. The server, the temp data dirs and the bench database are removed on
# exit (trap), also on failure or Ctrl-C. Runtime is bounded: every wait has a timeout.
# Note: wrk, the server and PostgreSQL share the machine's cores; the CPU lines show who used them.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/sap_inbound_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
DURATION="${BENCH_DURATION:-10}"
DURATION="${DURATION%s}"
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -gt 0 ]] || {
    echo "BENCH_DURATION must be a whole number of seconds" >&2
    exit 2
}
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
POOL="${BENCH_POOL:-1000}"
CUSTOMERS="${BENCH_CUSTOMERS:-200}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18390}"
DB_CONNECTIONS="${BENCH_DB_CONNECTIONS:-}"
PG_SYNC_COMMIT="${BENCH_PG_SYNCHRONOUS_COMMIT:-}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # 40 characters, test value
START_TIMEOUT_S=30
TARGET_PG=2000

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BIN="$ROOT/target/release/sabil-api"
CLI="$ROOT/target/release/sabil"

cat <<EOF
== Sabil SAP inbound benchmark ==
Measures, per engine: SAP pushing changes to sabil-api (role sap) with wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s:
  products = PUT /api/products, a distinct valid body per request ($POOL products per wrk thread, versions growing);
  mixed    = 6 products : 2 promotions (PUT /api/promotions) : 2 customer renames (PUT /api/customers, $CUSTOMERS customers).
Reported: changes/s (200 answers / s), latency p50/p99, answers other than 200, CPU per process.
Target: products on PostgreSQL >= $TARGET_PG changes/s.
Run: bash tests/bench/sap_inbound_bench.sh [sqlite|postgres|both]   (default both)
Env: BENCH_DURATION=$DURATION BENCH_CONNECTIONS=$CONNECTIONS BENCH_THREADS=$THREADS BENCH_POOL=$POOL BENCH_CUSTOMERS=$CUSTOMERS
     BENCH_DB_CONNECTIONS=${DB_CONNECTIONS:-(server default)} BENCH_PG_SYNCHRONOUS_COMMIT=${PG_SYNC_COMMIT:-(server setting)}
     BENCH_PG_URL=$PG_URL (a database sabil_bench_<random> is created and dropped there)
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg);
wrk, the server and PostgreSQL share these cores.

EOF

# Settings from the caller's environment must not leak into the server.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

# ---------------------------------------------------------------- cleanup
SERVER_PID=""
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

TMP_ROOT="$(mktemp -d -t sabil-sap-inbound.XXXXXX)"
BENCH_DB=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    [[ -n "$BENCH_DB" ]] && drop_pg_db "$BENCH_DB"
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
ensure_wrk

# ---------------------------------------------------------------- build (once)
echo "-- cargo build --release -p sabil-api -p sabil-cli"
cargo build --release -p sabil-api -p sabil-cli
[[ -x "$BIN" && -x "$CLI" ]] || die "$BIN or $CLI was not built"
echo

# ---------------------------------------------------------------- the wrk script
LUA="$TMP_ROOT/sap_push.lua"
cat >"$LUA" <<'LUA'
-- SAP pushing changes. Arguments (after `--`): mode (products|mixed), products per thread, version base,
-- products per thread known to exist (mixed), customers file (mixed: one appId per line), wrk threads.
-- The token comes from BENCH_SAP_TOKEN.
local threads = {}
local next_id = 0

function setup(thread)
    thread:set("tid", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    mode = args[1] or "products"
    pool = tonumber(args[2] or "1000")
    version_base = tonumber(args[3] or "0")
    linkable = tonumber(args[4] or "0")
    local customers_file = args[5]
    local nthreads = tonumber(args[6] or "1")
    counter = 0
    product_n = 0
    promo_n = 0
    customer_n = 0
    statuses = {}
    errors_shown = 0
    first_errors = ""
    headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_SAP_TOKEN") }
    valid_from = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 86400)
    valid_until = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 30 * 86400)
    customers = {}
    if mode == "mixed" and customers_file then
        local i = 0
        for line in io.lines(customers_file) do
            if line ~= "" then
                if i % nthreads == tid then
                    table.insert(customers, { app_id = line, n = i })
                end
                i = i + 1
            end
        end
    end
end

local function product(version)
    local k = product_n % pool
    product_n = product_n + 1
    local body = string.format(
        '{"sapId":"BP-%d-%d","version":%d,"titleEn":"Bench water %d-%d","titleAr":"\216\168\216\167\216\168 %d","type":"refill",'
            .. '"volumeMl":18900,"bottlesPerPack":1,"price":%d,"currency":"KWD","minQuantity":1,"maxQuantity":20,"sortOrder":%d}',
        tid, k, version, tid, k, k, 1000 + version % 997, k)
    return wrk.format("PUT", "/api/products", headers, body)
end

local function promotion(version)
    local k = promo_n % 200
    promo_n = promo_n + 1
    local a = (k * 7) % linkable
    local b = (k * 13 + 1) % linkable
    local body = string.format(
        '{"sapId":"BPR-%d-%d","version":%d,"titleEn":"Buy 10 get 2 (%d)","titleAr":"\216\185\216\177\216\182 %d","kind":"buy_get_free",'
            .. '"buyPacks":10,"freePacks":2,"validFrom":"%s","validUntil":"%s","productSapIds":["BP-%d-%d","BP-%d-%d"],"active":true}',
        tid, k, version, version, k, valid_from, valid_until, tid, a, tid, b)
    return wrk.format("PUT", "/api/promotions", headers, body)
end

local function customer(version)
    local c = customers[(customer_n % #customers) + 1]
    customer_n = customer_n + 1
    local body = string.format('{"sapId":"BC-%d","version":%d,"appId":"%s","fullName":"Bench Customer %d v%d"}',
        c.n, version, c.app_id, c.n, version)
    return wrk.format("PUT", "/api/customers", headers, body)
end

function request()
    counter = counter + 1
    local version = version_base + counter
    if mode ~= "mixed" then
        return product(version)
    end
    local slot = counter % 10
    if slot < 6 or linkable == 0 then
        return product(version)
    elseif slot < 8 then
        return promotion(version)
    elseif #customers > 0 then
        return customer(version)
    end
    return product(version)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status ~= 200 and errors_shown < 3 then
        errors_shown = errors_shown + 1
        first_errors = first_errors .. "    " .. status .. " " .. string.sub(body or "", 1, 300) .. "\n"
    end
end

function done(summary, latency, requests)
    local total = {}
    local shown = ""
    for _, t in ipairs(threads) do
        local s = t:get("statuses")
        for k, v in pairs(s) do
            total[k] = (total[k] or 0) + v
        end
        shown = shown .. t:get("first_errors")
    end
    local ok, other, list = 0, 0, {}
    for k, v in pairs(total) do
        if k == 200 then ok = ok + v else other = other + v end
        table.insert(list, k .. ":" .. v)
    end
    table.sort(list)
    local e = summary.errors
    local secs = summary.duration / 1e6
    io.write(string.format("RESULT ok=%d other=%d statuses=%s socket_errors=%d seconds=%.3f rate=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
        ok, other, table.concat(list, ","), e.connect + e.read + e.write + e.timeout, secs, ok / secs,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
    if shown ~= "" then
        io.write("  first answers other than 200:\n" .. shown)
    end
end
LUA

# ---------------------------------------------------------------- helpers
# start_server LOGFILE ENV... : spawns sabil-api on $PORT and waits for the first 200 from /readyz.
start_server() {
    local log="$1"
    shift
    env "$@" SABIL_BIND="127.0.0.1:$PORT" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn SABIL_DEMO_DATA=false \
        SABIL_TRUSTED_PROXIES=127.0.0.1/32 SABIL_ACCESS_TOKEN_TTL_SECS=3600 SABIL_SHUTDOWN_GRACE_SECS=5 "$BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    wait_http_200 "http://127.0.0.1:$PORT/readyz" "$log" sabil-api "$START_TIMEOUT_S"
}

# seed_customers OUT ENV... : registers and verifies $CUSTOMERS customers; writes their ids to OUT.
seed_customers() {
    local out="$1"
    shift
    timeout 300 python3 - "http://127.0.0.1:$PORT" "$CUSTOMERS" "$out" "$CLI" "$@" <<'PY' || die "seeding customers failed"
import concurrent.futures, json, os, re, subprocess, sys, time, urllib.request, urllib.error
base, n, out, cli, env_pairs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
password = "bench-water-for-the-mosque"
phones = [f"+9655{2_000_000 + i:07d}" for i in range(n)]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def call(method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json", **(headers or {})})
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")

def register(i):
    ip = f"198.18.{i // 250}.{1 + i % 250}"
    status, body = call("POST", "/api/auth/register",
                        {"phone": phones[i], "fullName": "Bench Customer", "password": password, "language": "en"},
                        {"x-forwarded-for": ip})
    if status != 202:
        raise SystemExit(f"register {phones[i]}: {status} {body}")

started = time.time()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(register, range(n)))
env = dict(os.environ)
env.update(kv.split("=", 1) for kv in env_pairs)
env["SABIL_LOG"] = "error"
listing = subprocess.run([cli, "sms", "list", "--limit", str(2 * n + 20)], env=env, capture_output=True, text=True, timeout=60)
if listing.returncode != 0:
    raise SystemExit(f"sabil sms list failed: {listing.stderr}")
codes = {}
for line in listing.stdout.splitlines():
    parts = line.split("  ", 2)
    if len(parts) == 3:
        m = re.search(r"\b(\d{6})\b", parts[2])
        if m:
            codes.setdefault(parts[1].strip(), m.group(1))

def verify(i):
    code = codes.get(phones[i])
    if not code:
        raise SystemExit(f"no SMS code for {phones[i]}")
    status, body = call("POST", "/api/auth/verify-phone", {"phone": phones[i], "code": code, "password": password})
    if status != 200:
        raise SystemExit(f"verify {phones[i]}: {status} {body}")
    status, me = call("GET", "/api/users/me", headers={"authorization": "Bearer " + body["accessToken"]})
    if status != 200:
        raise SystemExit(f"users/me {phones[i]}: {status} {me}")
    return me["id"]

with concurrent.futures.ThreadPoolExecutor(8) as pool:
    ids = list(pool.map(verify, range(n)))
with open(out, "w") as f:
    f.write("\n".join(ids) + "\n")
print(f"  {n} customers registered and verified in {time.time() - started:.1f} s")
PY
}

# sql ENGINE DATA_DIR URL QUERY : one value from the bench database
sql() {
    if [[ "$1" == postgres ]]; then
        psql "$3" -At -v ON_ERROR_STOP=1 -c "$4"
    else
        python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute(sys.argv[2]).fetchone()[0])' "$2/sabil.db" "$4"
    fi
}

pg_pids() { pgrep -x postgres || true; } # every PostgreSQL server process on this machine

result_field() { # result_field FILE NAME : NAME=value from the RESULT line of FILE
    awk -v k="$2" '/^RESULT / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}

declare -A R # results, keyed "engine:run:field"
TICKS="$(getconf CLK_TCK)"

# run_wrk ENGINE RUN ARGS... : one wrk run with the Lua script; records its figures in R.
run_wrk() {
    local engine="$1" run="$2" out="$TMP_ROOT/$1-$2.txt" api0 api1 pg0 pg1 pgp wrk_cpu
    shift 2
    local st0="" st1=""
    [[ "$engine" == postgres ]] && st0="$(pg_counters)"
    mapfile -t pgp < <(pg_pids)
    api0="$(proc_cpu_ticks "$SERVER_PID")"
    pg0="$(proc_cpu_ticks "${pgp[@]}")"
    local m0 m1
    m0="$(head -1 /proc/stat)"
    echo "  wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s sap_push.lua http://127.0.0.1:$PORT -- $*"
    BENCH_SAP_TOKEN="$TOKEN" timeout $((DURATION + 60)) /usr/bin/time -f 'WRKCPU %U %S' \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -s "$LUA" "http://127.0.0.1:$PORT" -- "$@" \
        >"$out" 2>&1 || {
        cat "$out" >&2
        die "wrk failed"
    }
    api1="$(proc_cpu_ticks "$SERVER_PID")"
    m1="$(head -1 /proc/stat)"
    mapfile -t pgp < <(pg_pids)
    pg1="$(proc_cpu_ticks "${pgp[@]}")"
    [[ "$engine" == postgres ]] && sleep 1.5 && st1="$(pg_counters)" # backends flush their statistics when idle
    grep -v '^WRKCPU' "$out" | sed 's/^/    /'
    [[ -n "$(result_field "$out" ok)" ]] || die "no RESULT line from the wrk script"
    wrk_cpu="$(awk '/^WRKCPU/ { print $2 + $3 }' "$out")"
    local k
    for k in ok other statuses socket_errors seconds rate p50_ms p99_ms; do
        R[$engine:$run:$k]="$(result_field "$out" "$k")"
    done
    R[$engine:$run:cpu]="$(python3 - "$api0" "$api1" "$pg0" "$pg1" "$TICKS" "$wrk_cpu" "${R[$engine:$run:ok]}" "${R[$engine:$run:seconds]}" "$engine" <<'PY'
import sys
a0, a1, p0, p1, hz = (int(x) for x in sys.argv[1:6])
wrk, ok, wall, engine = float(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8]), sys.argv[9]
api, pg = (a1 - a0) / hz, (p1 - p0) / hz
per = lambda s: f"{1e6 * s / ok:.0f} us" if ok else "n/a"
parts = [f"sabil-api {api:.2f} s ({per(api)}/change)"]
if engine == "postgres":
    parts.append(f"PostgreSQL {pg:.2f} s ({per(pg)}/change)")
parts.append(f"wrk {wrk:.2f} s ({per(wrk)}/change)")
total = api + wrk + (pg if engine == "postgres" else 0)
print(f"{', '.join(parts)}; {total:.2f} of {2 * wall:.1f} CPU-s available ({100 * total / (2 * wall):.0f} %)")
PY
)"
    echo "  CPU during the run (${R[$engine:$run:seconds]} s wall): ${R[$engine:$run:cpu]}"
    R[$engine:$run:machine]="$(python3 - "$m0" "$m1" <<'PY'
import sys
a, b = ([int(x) for x in s.split()[1:9]] for s in sys.argv[1:3])
d = [y - x for x, y in zip(a, b)]
total = max(sum(d), 1)
print(f"idle {100 * (d[3] + d[4]) / total:.0f} %, steal {100 * d[7] / total:.0f} %")
PY
)"
    echo "  machine during the run: ${R[$engine:$run:machine]} (steal: time the hypervisor gave to others)"
    if [[ "$engine" == postgres ]]; then
        python3 - "$st0" "$st1" "${R[$engine:$run:ok]}" <<'PY'
import sys
a, b, ok = [float(x) for x in sys.argv[1].split("|")], [float(x) for x in sys.argv[2].split("|")], int(sys.argv[3])
d = [y - x for x, y in zip(a, b)]
names = ["commits", "rollbacks", "rows read (index fetches)", "rows inserted", "rows updated", "WAL records", "WAL flushes (wal_sync)"]
per = ", ".join(f"{n} {v / ok:.2f}" for n, v in zip(names, d)) if ok else "n/a"
print(f"  PostgreSQL per change (bench database; WAL: whole server): {per}")
PY
    fi
}

# pg_counters : commits, rollbacks, index fetches, inserts, updates of the bench database; WAL records and
# syncs of the server (pg_stat_wal), joined by |
pg_counters() {
    psql "$PG_URL" -At -v ON_ERROR_STOP=1 -c "SELECT d.xact_commit || '|' || d.xact_rollback || '|' || d.tup_fetched || '|' || \
        d.tup_inserted || '|' || d.tup_updated || '|' || w.wal_records || '|' || w.wal_sync \
        FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = '$BENCH_DB'"
}

# ---------------------------------------------------------------- one engine
bench_engine() {
    local engine="$1" data_dir="$TMP_ROOT/$1-data" db_env=() url=""
    mkdir -p "$data_dir"
    if [[ "$engine" == postgres ]]; then
        BENCH_DB="sabil_bench_$(random_suffix)"
        create_pg_db "$BENCH_DB"
        url="$(db_url "$BENCH_DB")"
        db_env=(SABIL_DATABASE_URL="$url" SABIL_AUTO_MIGRATE=true)
        if [[ -n "$PG_SYNC_COMMIT" ]]; then
            psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "ALTER DATABASE \"$BENCH_DB\" SET synchronous_commit = '$PG_SYNC_COMMIT'" >/dev/null ||
                die "cannot set synchronous_commit=$PG_SYNC_COMMIT"
            echo "   (synchronous_commit = $PG_SYNC_COMMIT for this database)"
        fi
        echo "== postgres (database $BENCH_DB, fresh; data dir $data_dir) =="
    else
        echo "== sqlite (fresh data dir $data_dir) =="
    fi
    [[ -n "$DB_CONNECTIONS" ]] && db_env+=(SABIL_DB_MAX_CONNECTIONS="$DB_CONNECTIONS")
    PORT="$(pick_port "$FIRST_PORT")"
    start_server "$TMP_ROOT/$engine-server.log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
    echo "  sabil-api pid $SERVER_PID on port $PORT"
    TOKEN="$(sap_client_token "http://127.0.0.1:$PORT" SABIL_DATA_DIR="$data_dir" SABIL_JWT_SECRET="$JWT_SECRET" "${db_env[@]}")"
    echo "  SAP client created with sabil sap-client create; signed in with POST /api/auth/sap/login"
    local customers="$TMP_ROOT/$engine-customers.txt"
    seed_customers "$customers" SABIL_DATA_DIR="$data_dir" SABIL_JWT_SECRET="$JWT_SECRET" "${db_env[@]}"

    echo "  -- products: PUT /api/products"
    run_wrk "$engine" products products "$POOL" 0 0
    local linked linkable="$POOL" t n
    linked="$(sql "$engine" "$data_dir" "$url" "SELECT count(*) FROM sap_links WHERE entity = 'product'")"
    # Products per thread known to exist: each thread sends its sapIds 0, 1, 2, ... in turn.
    for ((t = 0; t < THREADS; t++)); do
        n="$(sql "$engine" "$data_dir" "$url" "SELECT count(*) FROM sap_links WHERE entity = 'product' AND sap_id LIKE 'BP-$t-%'")"
        if ((n < linkable)); then linkable="$n"; fi
    done
    ((linkable > 0)) || die "the products run stored no product for some wrk thread"
    echo "  products linked after the run: $linked ($linkable per thread usable by promotions)"
    R[$engine:products:stored]="$linked"

    echo "  -- mixed: 6 products : 2 promotions : 2 customer renames"
    run_wrk "$engine" mixed mixed "$POOL" 1000000000 "$linkable" "$customers" "$THREADS"
    R[$engine:mixed:promotions]="$(sql "$engine" "$data_dir" "$url" "SELECT count(*) FROM sap_links WHERE entity = 'promotion'")"
    R[$engine:mixed:customers]="$(sql "$engine" "$data_dir" "$url" "SELECT count(*) FROM sap_links WHERE entity = 'customer'")"
    R[$engine:mixed:failures]="$(sql "$engine" "$data_dir" "$url" "SELECT count(*) FROM sync_failures")"
    echo "  linked after the mixed run: ${R[$engine:mixed:promotions]} promotions, ${R[$engine:mixed:customers]} customers;" \
        "sync_failures rows (refused changes): ${R[$engine:mixed:failures]}"
    stop_server
    if [[ "$engine" == postgres ]]; then
        drop_pg_db "$BENCH_DB"
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
echo "== Results: SAP pushes, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; $(nproc) CPUs shared by wrk, sabil-api and PostgreSQL =="
printf '%-9s %-9s %11s %9s %9s %9s %8s  %-22s %s\n' engine scenario changes/s "p50 ms" "p99 ms" non-200 "sock err" "machine" "target"
for e in "${ENGINES[@]}"; do
    for run in products mixed; do
        verdict="-"
        if [[ "$e" == postgres && "$run" == products ]]; then
            verdict="$(python3 -c "print('PASS' if ${R[$e:$run:rate]} >= $TARGET_PG else 'MISS')") (>= $TARGET_PG)"
        fi
        printf '%-9s %-9s %11s %9s %9s %9s %8s  %-22s %s\n' "$e" "$run" "${R[$e:$run:rate]}" "${R[$e:$run:p50_ms]}" "${R[$e:$run:p99_ms]}" \
            "${R[$e:$run:other]}" "${R[$e:$run:socket_errors]}" "${R[$e:$run:machine]}" "$verdict"
    done
done
echo "answers by status: $(for e in "${ENGINES[@]}"; do for run in products mixed; do printf '%s/%s %s; ' "$e" "$run" "${R[$e:$run:statuses]}"; done; done)"
bad=0
for e in "${ENGINES[@]}"; do
    for run in products mixed; do
        if ((${R[$e:$run:other]} + ${R[$e:$run:socket_errors]} > 0)); then bad=1; fi
    done
done
if ((bad)); then
    echo "WARNING: some changes were not answered 200 (see the first answers printed above); every one is a bug to look at"
fi
