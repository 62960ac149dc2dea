#!/usr/bin/env bash
# run.sh: the end-to-end runner (issue 7; a step of .ci/run).
#
#   1. `npm ci` in tests/e2e when node_modules is missing or older than package-lock.json;
#   2. builds sabil-api and sabil (debug, honouring CARGO_TARGET_DIR);
#   3. clients.sh: the spec validated, the kotlin and swift5 clients generated, warnings reviewed;
#   4. starts sabil-api on a free loopback port over a fresh SQLite file in a temp dir, with the embedded
#      defaults (demo data, payment sandbox, local SMS outbox), and waits for /readyz;
#   5. the customer journey: TypeScript types generated from the spec (`npm run gen`), type-checked
#      (`tsc -p .`), then journey.ts run with tsx through openapi-fetch;
#   6. `node admin_dashboard.mjs` (the /admin page in headless Chromium) when that file exists.
# The server is always stopped; on failure the tail of its log is printed.
#
# Run from anywhere: bash tests/e2e/run.sh
# Environment: E2E_SKIP_BUILD=1 skips step 2 (uses the binaries already built), E2E_SKIP_CLIENTS=1 step 3;
# CARGO (default cargo) runs the build; CARGO_TARGET_DIR.
# Needs: cargo, node 20+ with npm, python3 (with venv), java 11+, curl; chromium for step 6.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$(pwd)"
E2E="$ROOT/tests/e2e"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
CARGO="${CARGO:-cargo}"
READY_TIMEOUT_S=60

run_start=$SECONDS
timings=()

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# part NAME CMD...: runs CMD under a heading and records how long it took.
part() {
    local name=$1 start=$SECONDS
    shift
    printf '\n-- e2e: %s\n' "$name"
    "$@"
    timings+=("$(printf '%-28s %4ds' "$name" "$((SECONDS - start))")")
}

npm_ci() {
    if [[ -f "$E2E/node_modules/.package-lock.json" && "$E2E/node_modules/.package-lock.json" -nt "$E2E/package-lock.json" ]]; then
        echo "node_modules up to date"
        return 0
    fi
    (cd "$E2E" && npm ci --no-audit --no-fund)
}

# Settings from the caller's environment (CI sets SABIL_TEST_*) must not reach the server or the CLI.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^SABIL_' || true)

WORK="$(mktemp -d -t sabil-e2e.XXXXXX)"
SERVER_PID=""
SERVER_LOG="$WORK/server.log"

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

on_exit() {
    local status=$?
    stop_server
    if ((status != 0)) && [[ -s "$SERVER_LOG" ]]; then
        echo "---- last 60 lines of the sabil-api log ($SERVER_LOG) ----" >&2
        tail -n 60 "$SERVER_LOG" >&2
        echo "---- end of log ----" >&2
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
    local port deadline
    port="$(free_port)"
    BASE_URL="http://127.0.0.1:$port"
    export BASE_URL SABIL_DATA_DIR="$WORK/data" SABIL_BIND="127.0.0.1:$port" SABIL_SHUTDOWN_GRACE_SECS=2
    export SABIL_CLI="$TARGET/debug/sabil"
    NO_COLOR=1 "$TARGET/debug/sabil-api" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    deadline=$((SECONDS + READY_TIMEOUT_S))
    until curl -fsS --max-time 2 -o /dev/null "$BASE_URL/readyz" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "sabil-api exited before it was ready"
        ((SECONDS < deadline)) || die "sabil-api not ready within ${READY_TIMEOUT_S}s"
        sleep 0.1
    done
    echo "sabil-api ready at $BASE_URL (SQLite in $SABIL_DATA_DIR)"
}

journey() {
    (cd "$E2E" && npm run --silent gen && npx tsc -p . && echo "tsc: journey.ts type-checks against the generated types" && npx tsx journey.ts)
}

admin_dashboard() {
    (cd "$E2E" && node admin_dashboard.mjs)
}

part "npm ci" npm_ci
if [[ "${E2E_SKIP_BUILD:-}" == 1 ]]; then
    echo "E2E_SKIP_BUILD=1: using the binaries already in $TARGET/debug"
else
    part "cargo build" "$CARGO" build -p sabil-api -p sabil-cli
fi
if [[ "${E2E_SKIP_CLIENTS:-}" == 1 ]]; then
    echo "E2E_SKIP_CLIENTS=1: clients.sh skipped"
else
    part "generated clients" bash "$E2E/clients.sh"
fi
part "start sabil-api" start_server
part "customer journey (TypeScript)" journey
if [[ -f "$E2E/admin_dashboard.mjs" ]]; then
    part "admin dashboard (Chromium)" admin_dashboard
else
    echo "no tests/e2e/admin_dashboard.mjs: admin page check skipped"
fi

printf '\n-- e2e timings\n'
printf '  %s\n' "${timings[@]}"
printf 'e2e passed in %ds\n' "$((SECONDS - run_start))"
