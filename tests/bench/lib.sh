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
