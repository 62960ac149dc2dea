# lib.sh: helpers shared by the order benchmark and the durability drill (sourced, not run). They use the
# caller's ROOT, PG_URL and SERVER_PID.

die() {
    echo "error: $*" >&2
    exit 1
}

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

pick_port() { # pick_port FIRST : the first free port from FIRST
    local p
    for ((p = $1; p < $1 + 100; p++)); do
        if port_free "$p"; then
            echo "$p"
            return 0
        fi
    done
    die "no free port in $1..$(($1 + 99))"
}

db_url() { # db_url NAME : PG_URL pointing at database NAME, with sslmode=disable
    python3 -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
q = [kv for kv in u.parse_qsl(p.query) if kv[0] != "sslmode"] + [("sslmode", "disable")]
print(u.urlunsplit(p._replace(path="/" + sys.argv[2], query=u.urlencode(q))))' "$PG_URL" "$1"
}

find_load_bin() { # the newest order_load bench binary (cargo names it order_load-<hash>)
    local f
    while IFS= read -r f; do
        if [[ "$f" != *.d && -x "$f" && -f "$f" ]]; then
            echo "$f"
            return 0
        fi
    done < <(ls -t "$ROOT"/target/release/deps/order_load-* 2>/dev/null || true)
    die "no order_load binary under target/release/deps"
}

# ---------------------------------------------------------------- added for the SAP benchmarks
# (sap_inbound_bench.sh, sap_outbound_bench.sh); the functions above are unchanged.

ensure_wrk() { # installs wrk with apt-get when it is missing
    command -v wrk >/dev/null && return 0
    echo "-- installing wrk (apt-get)"
    if ! apt-get install -y wrk >/dev/null 2>&1; then
        apt-get update >/dev/null
        apt-get install -y wrk >/dev/null
    fi
    command -v wrk >/dev/null || die "could not install wrk"
}

random_suffix() { python3 -c 'import secrets; print(secrets.token_hex(4))'; }

create_pg_db() { # create_pg_db NAME : CREATE DATABASE NAME on $PG_URL
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$1\"" >/dev/null || die "cannot create database $1 at $PG_URL"
}

drop_pg_db() { # drop_pg_db NAME : DROP DATABASE NAME on $PG_URL (a warning when it cannot)
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 ||
        echo "warning: could not drop database $1" >&2
}

# wait_http_200 URL LOG NAME TIMEOUT_S : waits for the first 200 from URL while $SERVER_PID lives.
wait_http_200() {
    local url="$1" log="$2" name="$3" code deadline
    deadline=$(($(date +%s) + $4))
    while :; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)"
        [[ "$code" == 200 ]] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$log" >&2
            SERVER_PID=""
            die "$name exited before it was ready (log above)"
        fi
        if (($(date +%s) >= deadline)); then
            cat "$log" >&2
            die "$name not ready within $4 s (last status of $url: $code)"
        fi
        sleep 0.02
    done
}

proc_cpu_ticks() { # proc_cpu_ticks PID... : utime + stime (clock ticks) summed over the live processes given
    local total=0 pid f
    for pid in "$@"; do
        f="/proc/$pid/stat"
        [[ -r "$f" ]] || continue
        total=$((total + $(sed 's/^.*) //' "$f" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0)))
    done
    echo "$total"
}

# sap_client_token BASE ENV... : creates a SAP client with `$CLI sap-client create --name bench` (the
# database named by the ENV... settings) and prints the access token of POST BASE/api/auth/sap/login.
sap_client_token() {
    local base="$1" out id secret body
    shift
    out="$(env "$@" SABIL_LOG=error "$CLI" sap-client create --name bench 2>&1)" || die "sabil sap-client create failed: $out"
    id="$(awk -F': *' '/^client id:/ { print $2 }' <<<"$out" | tr -d ' ')"
    secret="$(awk -F': *' '/^client secret/ { print $2 }' <<<"$out" | tr -d ' ')"
    [[ -n "$id" && -n "$secret" ]] || die "no client id or secret in: $out"
    body="$(curl -sS --max-time 10 -X POST "$base/api/auth/sap/login" -H 'content-type: application/json' \
        -d "{\"clientId\":\"$id\",\"clientSecret\":\"$secret\"}")" || die "POST /api/auth/sap/login failed"
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accessToken"])' "$body" 2>/dev/null ||
        die "SAP login gave no accessToken: $body"
}

find_bench_bin() { # find_bench_bin NAME [TARGET_DIR] : the newest release bench binary NAME-<hash> (default ./target)
    local f dir="${2:-$ROOT/target}"
    while IFS= read -r f; do
        if [[ "$f" != *.d && -x "$f" && -f "$f" ]]; then
            echo "$f"
            return 0
        fi
    done < <(ls -t "$dir"/release/deps/"$1"-* 2>/dev/null || true)
    die "no $1 binary under $dir/release/deps"
}
