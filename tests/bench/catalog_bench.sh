#!/usr/bin/env bash
# catalog_bench.sh: GET /api/products throughput and latency with the read cache, against a bare
# poem-openapi endpoint serving the same bytes (a benchmark, not a timed test; issue 3, "Figures to report").
#
# What it measures, per engine (SQLite and/or PostgreSQL), against the release build:
#   - setup: sabil-api on a fresh database with the demo data (SABIL_DEMO_DATA=true: demo admin and a demo
#     catalog of 4 products); signs in as the demo admin (+96500000001 / sabil-demo-admin) and creates
#     products through POST /api/admin/products until 50 active products are listed.
#   - cold, sequential: BENCH_COLD_REQUESTS requests, one after another on one keep-alive connection (curl),
#     to /api/products?limit=50&bench=<n> with a distinct n each: every one is a cache miss (the cache key
#     is path + query + language; poem-openapi ignores the unknown parameter), so each pays the database
#     read, the JSON serialization, the SHA-256 ETag and the cache insert. Mean, p50 and p99 in ms.
#   - cold, under load ("no cache"): wrk on /api/products?limit=50 with an `Authorization: Bearer <admin
#     token>` header; the cache layer passes signed-in requests through, so every request reads the database
#     and serializes (the route itself ignores the token). req/s and p99.
#   - warm: wrk on /api/products?limit=50 without Authorization after one priming request: every request is
#     a cache hit (x-cache: hit) served from the cached bytes. req/s and p99.
#   - bare: the exact body of /api/products?limit=50 is saved to a file; the sabil-api server is stopped and
#     the bench binary api/benches/bare_products.rs (a poem-openapi OpenApiService with one GET operation
#     returning those bytes from memory, through poem's plain Server) serves it on another port; wrk on it
#     the same way. req/s and p99.
# Targets (issue): warm req/s >= bare req/s on both databases, warm p99 < 5 ms.
#
# How to run (from the workspace root):
#   bash tests/bench/catalog_bench.sh [sqlite|postgres|both]      # default: both
# Environment:
#   BENCH_DURATION       wrk duration of each load run                 (default 10s)
#   BENCH_CONNECTIONS    wrk connections                               (default 32)
#   BENCH_THREADS        wrk threads                                   (default 2)
#   BENCH_COLD_REQUESTS  sequential cache-miss requests                (default 200)
#   BENCH_PG_URL         PostgreSQL server to use; the script creates its own database
#                        sabil_bench_<random> there with psql and drops it at the end
#                        (default postgres://postgres@127.0.0.1:5432/postgres; sslmode=disable is added
#                        to the server's URL, the traffic is loopback)
#   BENCH_PORT           first port to try for the servers             (default 18190; the next free ones are used)
#   BENCH_TARGET_DIR     cargo target directory of the binaries        (default $CARGO_TARGET_DIR or ./target)
#   BENCH_SKIP_BUILD=1   use the release binaries already built there (e.g. a build with symbols, for perf)
# Needs: cargo, curl, python3, psql (for postgres), wrk (installed with apt-get if missing).
# All traffic goes to 127.0.0.1 only. The servers, the temp data dirs and the bench database are removed
# on exit (trap), also on failure or Ctrl-C. Runtime is bounded: every wait has a timeout.
# Note: wrk and the server share the machine's cores, so absolute req/s depend on the machine; the ratio
# warm : bare measured in one run is the figure to compare.
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
    sqlite | postgres | both) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: bash tests/bench/catalog_bench.sh [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
COLD_REQUESTS="${BENCH_COLD_REQUESTS:-200}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FIRST_PORT="${BENCH_PORT:-18190}"
JWT_SECRET="bench-only-jwt-secret-0123456789abcdefgh" # 40 characters, test value
ADMIN_PHONE="+96500000001"
ADMIN_PASSWORD="sabil-demo-admin"
PRODUCTS_WANTED=50
START_TIMEOUT_S=30
P99_TARGET_MS=5

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
TARGET_DIR="${BENCH_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}}"
BIN="$TARGET_DIR/release/sabil-api"

cat <<EOF
== Sabil catalog benchmark ==
Measures, per engine: GET /api/products?limit=50 with $PRODUCTS_WANTED products - cold (sequential cache misses;
and wrk with an Authorization header, which bypasses the cache), warm (wrk, cached bytes), and a bare
poem-openapi endpoint returning the same bytes from memory (wrk), in one run.
Targets: warm req/s >= bare req/s, warm p99 < $P99_TARGET_MS ms.
Run: bash tests/bench/catalog_bench.sh [sqlite|postgres|both]   (default both)
Env: BENCH_DURATION=$DURATION BENCH_CONNECTIONS=$CONNECTIONS BENCH_THREADS=$THREADS BENCH_COLD_REQUESTS=$COLD_REQUESTS
     BENCH_PG_URL=$PG_URL (a database sabil_bench_<random> is created and dropped there)
Mode: $MODE
Machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/{printf "%.0f MiB RAM", $2/1024}' /proc/meminfo); wrk and the server share these cores.

EOF

# Settings from the caller's environment must not leak into the server.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

# ---------------------------------------------------------------- cleanup
SERVER_PID=""
TMP_ROOT="$(mktemp -d -t sabil-catalog-bench.XXXXXX)"
BENCH_DB=""
source "$ROOT/tests/bench/lib.sh" # die, stop_server, pick_port, db_url, ensure_wrk, create/drop_pg_db, wait_http_200, find_bench_bin

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

# ---------------------------------------------------------------- tools
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if [[ "$MODE" != sqlite ]]; then command -v psql >/dev/null || die "psql is required for postgres"; fi
ensure_wrk

# ---------------------------------------------------------------- build (once)
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    echo "-- cargo build --release -p sabil-api"
    cargo build --release -p sabil-api
    echo "-- cargo build --release -p sabil-api --bench bare_products"
    cargo build --release -p sabil-api --bench bare_products
fi
[[ -x "$BIN" ]] || die "$BIN was not built"
BARE_BIN="$(find_bench_bin bare_products "$TARGET_DIR")"
echo "   bare endpoint binary: ${BARE_BIN#"$ROOT"/}"
echo

# ---------------------------------------------------------------- helpers
# start_server LOGFILE ENV... : spawns sabil-api on $PORT with the demo data and waits for /readyz.
start_server() {
    local log="$1"
    shift
    env "$@" SABIL_BIND="127.0.0.1:$PORT" SABIL_JWT_SECRET="$JWT_SECRET" SABIL_LOG=warn SABIL_DEMO_DATA=true SABIL_DEMO_HISTORY=false \
        SABIL_SHUTDOWN_GRACE_SECS=5 "$BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    wait_http_200 "http://127.0.0.1:$PORT/readyz" "$log" sabil-api "$START_TIMEOUT_S"
}

# start_bare FILE LOGFILE : spawns the bare endpoint on $BARE_PORT serving FILE.
start_bare() {
    "$BARE_BIN" "$1" "127.0.0.1:$BARE_PORT" >"$2" 2>&1 &
    SERVER_PID=$!
    wait_http_200 "http://127.0.0.1:$BARE_PORT/api/products" "$2" bare_products "$START_TIMEOUT_S"
}

to_ms() { # wrk duration (850.00us, 1.23ms, 1.02s, 2.00m) -> milliseconds
    python3 - "$1" <<'PY'
import re, sys
m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", sys.argv[1])
if not m:
    sys.exit(f"cannot read the duration {sys.argv[1]!r}")
print(f"{float(m[1]) * {'us': 0.001, 'ms': 1, 's': 1000, 'm': 60000}[m[2]]:.3f}")
PY
}

# run_wrk NAME URL [HEADER] : runs wrk, prints its output, sets WRK_RPS WRK_AVG WRK_P99 (ms) WRK_ERR.
run_wrk() {
    local name="$1" url="$2" header="${3:-}" out="$TMP_ROOT/wrk-$1.txt"
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 5s)
    [[ -n "$header" ]] && args+=(-H "$header")
    echo "  wrk ${args[*]/#Authorization: Bearer */Authorization: Bearer <token>} $url"
    timeout 600 wrk "${args[@]}" "$url" >"$out" 2>&1 || die "wrk failed for $name: $(cat "$out")"
    sed 's/^/    /' "$out"
    WRK_RPS="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    WRK_AVG="$(to_ms "$(awk '$1 == "Latency" { print $2; exit }' "$out")")"
    WRK_P99="$(to_ms "$(awk '$1 == "99%" { print $2; exit }' "$out")")"
    WRK_ERR="$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")"
    [[ -n "$WRK_RPS" ]] || die "could not read Requests/sec from wrk output"
}

login() { # prints the access token of the demo admin
    local body
    body="$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$PORT/api/auth/login" \
        -H 'content-type: application/json' \
        -d "{\"phone\":\"$ADMIN_PHONE\",\"password\":\"$ADMIN_PASSWORD\"}")" || die "login request failed"
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accessToken"])' "$body" 2>/dev/null ||
        die "admin login gave no accessToken: $body"
}

count_products() { # number of active products listed (one page of up to 100)
    local body
    body="$(curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/products?limit=100")" ||
        die "GET /api/products failed"
    python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["items"]))' "$body" 2>/dev/null ||
        die "GET /api/products gave no items: $body"
}

# load_products : creates products through the admin API until PRODUCTS_WANTED are listed.
load_products() {
    local have i body code kinds=(refill pack coupon_book)
    have="$(count_products)"
    for ((i = have + 1; i <= PRODUCTS_WANTED; i++)); do
        body="$(
            python3 - "$i" "${kinds[$((i % 3))]}" <<'PY'
import json, sys
n, kind = int(sys.argv[1]), sys.argv[2]
print(json.dumps({
    "sapId": f"BENCH-{n:03d}",
    "titleAr": f"منتج قياس الأداء رقم {n}",
    "titleEn": f"Benchmark product {n}",
    "descriptionAr": f"منتج تجريبي رقم {n} لقياس أداء قائمة المنتجات",
    "descriptionEn": f"Benchmark product number {n}, created to measure the product list",
    "type": kind,
    "volumeMl": {"refill": 18900, "pack": 500, "coupon_book": 18900}[kind],
    "bottlesPerPack": {"refill": 1, "pack": 24, "coupon_book": 1}[kind],
    "price": {"amount": 1000 + 25 * n, "currency": "KWD"},
    "minQuantity": 1,
    "maxQuantity": 20,
    "imageId": None,
    "active": True,
    "sortOrder": 100 + n,
}, ensure_ascii=False))
PY
        )"
        code="$(curl -sS -o "$TMP_ROOT/create.json" -w '%{http_code}' --max-time 10 -X POST \
            "http://127.0.0.1:$PORT/api/admin/products" -H "Authorization: Bearer $TOKEN" \
            -H 'content-type: application/json' --data-binary "$body")" || die "POST /api/admin/products failed"
        [[ "$code" == 200 || "$code" == 201 ]] ||
            die "POST /api/admin/products gave $code: $(cat "$TMP_ROOT/create.json")"
    done
    have="$(count_products)"
    [[ "$have" == "$PRODUCTS_WANTED" ]] || die "expected $PRODUCTS_WANTED active products, the list has $have"
    echo "  products listed: $have (created $((PRODUCTS_WANTED - ${1:-0})) through POST /api/admin/products)"
}

# cold_sequential : COLD_REQUESTS distinct-query requests on one connection; sets COLD_MEAN COLD_P50 COLD_P99 (ms).
cold_sequential() {
    local out="$TMP_ROOT/cold-seq.txt"
    curl -sS --max-time 120 -o /dev/null -w '%{http_code} %header{x-cache} %{time_total}\n' \
        "http://127.0.0.1:$PORT/api/products?limit=50&bench=[1-$COLD_REQUESTS]" >"$out" ||
        die "sequential cold requests failed"
    read -r COLD_MEAN COLD_P50 COLD_P99 < <(
        python3 - "$out" "$COLD_REQUESTS" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
bad = [r for r in rows if r[0] != "200" or len(r) < 3 or r[1] != "miss"]
if len(rows) != int(sys.argv[2]) or bad:
    sys.exit(f"expected {sys.argv[2]} answers 200 with x-cache: miss; got {len(rows)}, unexpected: {bad[:3]}")
ms = sorted(float(r[2]) * 1000 for r in rows)
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f"{statistics.mean(ms):.3f} {p(0.50):.3f} {p(0.99):.3f}")
PY
    ) || die "could not read the sequential cold timings"
}

header_of() { # header_of URL NAME : the value of response header NAME
    curl -sS --max-time 5 -o /dev/null -D - "$1" | tr -d '\r' | awk -v h="$(tr '[:upper:]' '[:lower:]' <<<"$2")" \
        'BEGIN { FS = ": " } tolower($1) == h { print $2; exit }'
}

header_bytes() { # size of the response head of URL, status line to blank line
    curl -sS --max-time 5 -o /dev/null -D - "$1" | wc -c
}

# ---------------------------------------------------------------- one engine
declare -A R # results, keyed "engine:field"

bench_engine() {
    local engine="$1" data_dir="$TMP_ROOT/$1-data" db_env=()
    mkdir -p "$data_dir"
    if [[ "$engine" == postgres ]]; then
        local db_name db_url
        db_name="sabil_bench_$(random_suffix)"
        create_pg_db "$db_name"
        BENCH_DB="$db_name" # from now on the cleanup drops it
        db_url="$(db_url "$BENCH_DB")"
        db_env=(SABIL_DATABASE_URL="$db_url" SABIL_AUTO_MIGRATE=true)
        echo "== postgres (database $BENCH_DB, fresh; data dir $data_dir) =="
    else
        echo "== sqlite (fresh data dir $data_dir) =="
    fi
    PORT="$(pick_port "$FIRST_PORT")"
    local url="http://127.0.0.1:$PORT/api/products?limit=50"

    start_server "$TMP_ROOT/$engine-server.log" SABIL_DATA_DIR="$data_dir" "${db_env[@]}"
    echo "  sabil-api pid $SERVER_PID on port $PORT"
    TOKEN="$(login)"
    local before
    before="$(count_products)"
    load_products "$before"

    # Cold, sequential: every request a distinct cache key.
    cold_sequential
    R[$engine:cs_mean]="$COLD_MEAN" R[$engine:cs_p50]="$COLD_P50" R[$engine:cs_p99]="$COLD_P99"
    echo "  cold, sequential ($COLD_REQUESTS distinct-query misses on one connection): mean $COLD_MEAN ms, p50 $COLD_P50 ms, p99 $COLD_P99 ms"

    # Cold under load: the Authorization header makes the cache layer pass the request through.
    local xc
    xc="$(curl -sS --max-time 5 -o /dev/null -D - -H "Authorization: Bearer $TOKEN" "$url" | tr -d '\r' | awk 'tolower($1) == "x-cache:" { print $2 }')"
    [[ -z "$xc" ]] || die "a request with Authorization was answered by the cache (x-cache: $xc)"
    run_wrk "$engine-nocache" "$url" "Authorization: Bearer $TOKEN"
    R[$engine:n_rps]="$WRK_RPS" R[$engine:n_p99]="$WRK_P99" R[$engine:n_avg]="$WRK_AVG" R[$engine:n_err]="$WRK_ERR"

    # Warm: prime, check it is a hit, then load.
    curl -sS --max-time 5 -o "$TMP_ROOT/$engine-products.json" "$url" || die "GET $url failed"
    xc="$(header_of "$url" x-cache)"
    [[ "$xc" == hit ]] || die "the second GET $url was not a cache hit (x-cache: '$xc')"
    run_wrk "$engine-warm" "$url"
    R[$engine:w_rps]="$WRK_RPS" R[$engine:w_p99]="$WRK_P99" R[$engine:w_avg]="$WRK_AVG" R[$engine:w_err]="$WRK_ERR"
    xc="$(header_of "$url" x-cache)"
    [[ "$xc" == hit ]] || die "after the warm run GET $url was not a cache hit (x-cache: '$xc')"

    # The exact bytes and head of the cached answer, for the bare endpoint and the notes.
    local real_ct real_head
    curl -sS --max-time 5 -o "$TMP_ROOT/$engine-products.json" "$url" || die "GET $url failed"
    real_ct="$(header_of "$url" content-type)"
    real_head="$(header_bytes "$url")"
    R[$engine:body]="$(wc -c <"$TMP_ROOT/$engine-products.json")"
    stop_server

    # Bare: the same bytes from memory, same wrk settings.
    BARE_PORT="$(pick_port $((PORT + 1)))"
    local bare_url="http://127.0.0.1:$BARE_PORT/api/products"
    start_bare "$TMP_ROOT/$engine-products.json" "$TMP_ROOT/$engine-bare.log"
    echo "  bare_products pid $SERVER_PID on port $BARE_PORT"
    curl -sS --max-time 5 -o "$TMP_ROOT/$engine-bare.json" "$bare_url" || die "GET $bare_url failed"
    cmp -s "$TMP_ROOT/$engine-products.json" "$TMP_ROOT/$engine-bare.json" || die "the bare endpoint's body differs"
    local bare_ct bare_head
    bare_ct="$(header_of "$bare_url" content-type)"
    bare_head="$(header_bytes "$bare_url")"
    [[ "$bare_ct" == "$real_ct" ]] || echo "  warning: content types differ: sabil-api '$real_ct', bare '$bare_ct'" >&2
    echo "  body ${R[$engine:body]} bytes, identical; content type '$real_ct' (bare '$bare_ct');" \
        "response head: sabil-api $real_head bytes, bare $bare_head bytes"
    run_wrk "$engine-bare" "$bare_url"
    R[$engine:b_rps]="$WRK_RPS" R[$engine:b_p99]="$WRK_P99" R[$engine:b_avg]="$WRK_AVG" R[$engine:b_err]="$WRK_ERR"
    stop_server

    [[ "$engine" == postgres ]] && drop_db
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

echo "== Results: GET /api/products?limit=50, $PRODUCTS_WANTED products (wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $(nproc) CPUs shared by wrk and the server) =="
echo "cold seq  = $COLD_REQUESTS sequential cache misses (distinct query), one connection: mean / p99 ms"
echo "no-cache  = wrk with Authorization (bypasses the cache; database read + serialization per request): req/s, p99 ms"
echo "warm      = wrk, cached bytes (x-cache: hit): req/s, p99 ms"
echo "bare      = wrk on bare_products (poem-openapi, same bytes from memory): req/s, p99 ms"
printf '%-9s %-16s %-19s %-19s %-19s %8s %-15s %-15s %s\n' \
    engine "cold seq ms" "no-cache /s, p99" "warm /s, p99" "bare /s, p99" "warm/bare" "warm >= bare" "warm p99 < ${P99_TARGET_MS}ms" \
    "errors (no-cache, warm, bare)"
for e in "${ENGINES[@]}"; do
    ratio="$(python3 -c "print(f'{100 * ${R[$e:w_rps]} / ${R[$e:b_rps]}:.1f}')")"
    printf '%-9s %-16s %-19s %-19s %-19s %7s%% %-15s %-15s %s\n' "$e" \
        "${R[$e:cs_mean]} / ${R[$e:cs_p99]}" \
        "${R[$e:n_rps]}, ${R[$e:n_p99]}" \
        "${R[$e:w_rps]}, ${R[$e:w_p99]}" \
        "${R[$e:b_rps]}, ${R[$e:b_p99]}" \
        "$ratio" \
        "$(verdict "${R[$e:w_rps]} >= ${R[$e:b_rps]}")" \
        "$(verdict "${R[$e:w_p99]} < $P99_TARGET_MS")" \
        "${R[$e:n_err]}, ${R[$e:w_err]}, ${R[$e:b_err]}"
done
