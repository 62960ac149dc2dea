#!/usr/bin/env bash
# clients.sh: proves that openapi/sabil.yaml serves the mobile teams' client generators (issue 7).
#
#   1. installs the pinned Python tools of tests/e2e/requirements.txt (openapi-spec-validator and the
#      official OpenAPI Generator, whose PyPI package ships the generator's jar) into a venv under
#      ${CARGO_TARGET_DIR:-target}/e2e-venv, once: reinstalled only when requirements.txt changes;
#   2. validates the spec with openapi-spec-validator (an implementation independent of poem-openapi);
#   3. generates the `kotlin` and `swift5` clients into tests/e2e/out/<generator>/ (log beside it);
#   4. fails on a generator error, or on any WARN line not listed in tests/e2e/generator-warnings.txt
#      (the reviewed warnings, each with its reason; README "Generated clients").
#
# Run from anywhere: bash tests/e2e/clients.sh        Needs: python3 (with venv), java 11+ (17 here).
# Environment: CLIENT_GENERATORS (default "kotlin swift5"), CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$(pwd)"
E2E="$ROOT/tests/e2e"
SPEC="$ROOT/openapi/sabil.yaml"
OUT="$E2E/out"
ALLOWED="$E2E/generator-warnings.txt"
REQUIREMENTS="$E2E/requirements.txt"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET/e2e-venv"
GENERATORS="${CLIENT_GENERATORS:-kotlin swift5}"

die() {
    echo "clients.sh: $*" >&2
    exit 1
}

# timed NAME CMD...: runs CMD and prints how long it took.
timed() {
    local name=$1 start=$SECONDS
    shift
    "$@"
    printf -- '-- %s: %ds\n' "$name" "$((SECONDS - start))"
}

install_tools() {
    local stamp="$VENV/.sabil-requirements" want
    want="$(python3 --version 2>&1) $(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
    if [[ -x "$VENV/bin/openapi-generator-cli" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        echo "tools already installed in $VENV"
        return 0
    fi
    echo "installing $REQUIREMENTS into $VENV"
    rm -rf "$VENV"
    mkdir -p "$TARGET"
    python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS" ||
        die "pip install -r $REQUIREMENTS failed"
    echo "$want" >"$stamp"
}

# Prints the listed warnings of generator $1, one message a line.
allowed_warnings() {
    awk -F' [|] ' -v g="$1" '!/^[[:space:]]*(#|$)/ && $1 == g { print $2 }' "$ALLOWED"
}

# generate NAME: one client into $OUT/NAME; checks its log for errors and unreviewed warnings.
generate() {
    local name=$1 log="$OUT/$1.log" status=0 unreviewed=0 warning message
    rm -rf "${OUT:?}/$name"
    "$VENV/bin/openapi-generator-cli" generate -g "$name" -i "$SPEC" -o "$OUT/$name" >"$log" 2>&1 || status=$?
    if ((status != 0)) || grep -q '^\[[^]]*\] ERROR ' "$log"; then
        tail -n 40 "$log" >&2
        die "the $name generator failed (exit $status); full log: $log"
    fi
    local files
    files="$(find "$OUT/$name" -type f | wc -l)"
    echo "$name: $files files in ${OUT#"$ROOT"/}/$name"
    while IFS= read -r warning; do
        message="${warning#* - }"
        if allowed_warnings "$name" | grep -Fxq -- "$message"; then
            echo "  reviewed warning: $message"
        else
            echo "  UNREVIEWED warning: $warning" >&2
            unreviewed=$((unreviewed + 1))
        fi
    done < <(grep '^\[[^]]*\] WARN ' "$log" || true)
    while IFS= read -r message; do
        grep -q -F -- " - $message" "$log" || echo "  note: listed warning no longer printed (remove it from ${ALLOWED#"$ROOT"/}): $message"
    done < <(allowed_warnings "$name")
    ((unreviewed == 0)) || die "$unreviewed unreviewed $name warning(s): fix the cause in the API's annotations and regenerate the spec, or list it with its reason in ${ALLOWED#"$ROOT"/}"
}

command -v python3 >/dev/null || die "python3 is missing"
command -v java >/dev/null || die "java is missing (a JDK/JRE 11 or newer; Debian: apt-get install openjdk-17-jre-headless)"
[[ -f "$SPEC" ]] || die "no spec at $SPEC"
mkdir -p "$OUT"

timed "install tools" install_tools
timed "validate spec (openapi-spec-validator)" "$VENV/bin/openapi-spec-validator" "$SPEC"
for generator in $GENERATORS; do
    timed "generate $generator" generate "$generator"
done
echo "clients.sh: spec valid; generated $GENERATORS with no unreviewed warnings"
