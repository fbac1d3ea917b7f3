#!/usr/bin/env bash
# The Cloudflare Worker (edge-worker/) locally: tools, build, local KV keys, `wrangler dev`, and
# `up`, the whole serverless stack on this machine (dynalite + the stt-llm Lambda + the Worker).
#
#   scripts/edge-dev.sh install            npm wrangler + binaryen (pinned) into the cache, and
#                                          worker-build 0.8.7 / the matching wasm-bindgen CLI if missing
#   scripts/edge-dev.sh build              worker-build --release → edge-worker/build/, then drops the
#                                          wasm name section (BALTO_EDGE_KEEP_NAMES=1 keeps it); sizes
#   scripts/edge-dev.sh up                 the local serverless stack, in the foreground: dynalite, the
#                                          stt-llm Lambda on HTTP and the Worker under wrangler dev, with
#                                          the secrets of the env file; builds first what is missing or
#                                          older than its sources; Ctrl-C (or SIGTERM) stops all three
#   scripts/edge-dev.sh key LOJA BALCAO    issues a counter key into the local KV (KEY_PEPPER from the
#                                          env file); prints the key to give the counter
#   scripts/edge-dev.sh counter KEY FILE… [OPTIONS]
#                                          a counter against the local Worker: `balto stream --mode
#                                          segments` (OPTIONS go to balto stream, e.g. --mode raw)
#   scripts/edge-dev.sh start [PORT]       the Worker alone under wrangler dev on 127.0.0.1:PORT
#                                          (default $BALTO_EDGE_PORT), foreground; serves the last
#                                          build, rebuilding it first when its sources are newer
#   scripts/edge-dev.sh wrangler ARGS…     the pinned wrangler, run in edge-worker/ with the tool paths
#                                          (`kv key put` writes the local KV unless given --remote)
#   scripts/edge-dev.sh kv-put NAME VALUE  writes one entry into the local KEYS namespace
#   scripts/edge-dev.sh deploy-check [DIR] wrangler deploy --dry-run of the last build into DIR
#                                          (default $CARGO_TARGET_DIR/edge-deploy): checks
#                                          wrangler.toml, bindings, migrations and the bundle; no account
#   scripts/edge-dev.sh bench [WAV] [N]    CPU per 20 ms frame and per segment: the same code built
#                                          for wasm32 (--features bench), timed in Node
#   scripts/edge-dev.sh env                prints the exports the other commands use
#
# Settings (environment):
#   BALTO_EDGE_ENV_FILE     the Worker's local secrets and vars (default edge-worker/.dev.vars, never
#                           committed). Created on first use, mode 0600, with random
#                           STT_LLM_SIGNING_SECRET and KEY_PEPPER and STT_LLM_URL; `up` gives the same
#                           signing secret to the stt-llm it starts.
#   BALTO_EDGE_STATE        local KV / Durable Object state (default edge-worker/.wrangler/state);
#                           `up` keeps its logs and run files in $BALTO_EDGE_STATE/up/
#   BALTO_EDGE_PORT         the Worker (8787); BALTO_STT_LLM_PORT the Lambda (9000);
#                           BALTO_DYNAMO_PORT dynalite (8000)
#   BALTO_EDGE_CARGO_FLAGS  cargo flags of the stt-llm, edge-key and balto builds (default
#                           "-p lambda-stt-llm -p edge-worker -p local-dev")
#   BALTO_EDGE_NO_BUILD=1   `start`/`up` serve the last Worker build as is, without the staleness check
#   BALTO_CACHE_DIR         tools cache (default ~/.cache/balto)
# `up` passes the speech-to-text and LLM provider variables (ELEVENLABS_API_KEY, …; docs/deploy.md)
# from the environment or from ./.env to the stt-llm Lambda; without any, segments are stored but
# not transcribed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crate="$root/edge-worker"
cache="${BALTO_CACHE_DIR:-$HOME/.cache/balto}"
npm_dir="$cache/edge-npm"
cargo_root="$cache/cargo"
state="${BALTO_EDGE_STATE:-$crate/.wrangler/state}"
env_file="${BALTO_EDGE_ENV_FILE:-$crate/.dev.vars}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
edge_port="${BALTO_EDGE_PORT:-8787}"
stt_port="${BALTO_STT_LLM_PORT:-9000}"
dynamo_port="${BALTO_DYNAMO_PORT:-8000}"
read -r -a cargo_flags <<<"${BALTO_EDGE_CARGO_FLAGS:--p lambda-stt-llm -p edge-worker -p local-dev}"
WRANGLER_VERSION=4.86.0
BINARYEN_VERSION=132.0.0
WORKER_BUILD_VERSION=0.8.7
# Seconds a process group gets between SIGTERM and SIGKILL.
STOP_GRACE_S=5

log() { echo "edge-dev: $*" >&2 || true; }

PG_LOG_PREFIX=edge-dev
# shellcheck source=scripts/lib/process-group.sh
source "$root/scripts/lib/process-group.sh"

# Ends every process group this script started, on every way out.
stop_groups() {
    trap '' INT TERM
    ((${#PG_NAMES[@]})) && log "stopping ${PG_NAMES[*]}"
    pg_stop_all "$STOP_GRACE_S"
}
on_exit_stop_groups() {
    trap stop_groups EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# The wasm-bindgen crate version of Cargo.lock: the CLI must be the same.
bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$root/Cargo.lock"
}

find_bindgen() {
    local want="$1" bin
    for bin in "$cargo_root/bin/wasm-bindgen" "$(command -v wasm-bindgen || true)"; do
        if [[ -x "$bin" ]] && [[ "$("$bin" --version 2>/dev/null)" == "wasm-bindgen $want" ]]; then
            echo "$bin"
            return 0
        fi
    done
    return 1
}

find_worker_build() {
    local bin
    for bin in "$cargo_root/bin/worker-build" "$(command -v worker-build || true)"; do
        if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -q "$WORKER_BUILD_VERSION"; then
            echo "$bin"
            return 0
        fi
    done
    return 1
}

install() {
    local started=$SECONDS step
    mkdir -p "$npm_dir"
    if [[ ! -x "$npm_dir/node_modules/.bin/wrangler" ]] \
        || ! grep -q "\"$WRANGLER_VERSION\"" "$npm_dir/package.json" 2>/dev/null; then
        printf '{"private":true,"dependencies":{"wrangler":"%s","binaryen":"%s"}}\n' \
            "$WRANGLER_VERSION" "$BINARYEN_VERSION" >"$npm_dir/package.json"
        (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error)
        log "npm wrangler@$WRANGLER_VERSION binaryen@$BINARYEN_VERSION installed ($((SECONDS - started)) s)"
    fi
    local want
    want="$(bindgen_version)"
    if ! find_bindgen "$want" >/dev/null; then
        step=$SECONDS
        log "installing wasm-bindgen-cli $want (cargo install: a few minutes, once)"
        cargo install --locked wasm-bindgen-cli --version "$want" --root "$cargo_root"
        log "wasm-bindgen-cli installed ($((SECONDS - step)) s)"
    fi
    if ! find_worker_build >/dev/null; then
        step=$SECONDS
        log "installing worker-build $WORKER_BUILD_VERSION (cargo install: 3-11 min on 2 cores, once)"
        cargo install --locked worker-build --version "$WORKER_BUILD_VERSION" --root "$cargo_root"
        log "worker-build installed ($((SECONDS - step)) s)"
    fi
    rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown
}

# Everything worker-build and wrangler need, exported. (The C VAD's clang settings for wasm32
# come from .cargo/config.toml.)
setup_env() {
    local want
    want="$(bindgen_version)"
    WASM_BINDGEN_BIN="$(find_bindgen "$want")" || { log "no wasm-bindgen $want: run '$0 install'"; exit 1; }
    export WASM_BINDGEN_BIN
    export WASM_OPT_BIN="$npm_dir/node_modules/.bin/wasm-opt"
    export ESBUILD_BIN="$npm_dir/node_modules/.bin/esbuild"
    export WRANGLER_SEND_METRICS=false
    [[ -x "$npm_dir/node_modules/.bin/wrangler" ]] || { log "no wrangler: run '$0 install'"; exit 1; }
    local wb
    wb="$(find_worker_build)" || { log "no worker-build $WORKER_BUILD_VERSION: run '$0 install'"; exit 1; }
    PATH="$(dirname "$wb"):$npm_dir/node_modules/.bin:$PATH"
    export PATH
}

bundle_wasm() { echo "$crate/build/index_bg.wasm"; }

sizes() {
    local wasm
    wasm="$(bundle_wasm)"
    [[ -f "$wasm" ]] || return 0
    log "bundle: $(basename "$wasm") $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip"
}

build() {
    setup_env
    local started=$SECONDS wasm
    (cd "$crate" && worker-build --release)
    wasm="$(bundle_wasm)"
    if [[ "${BALTO_EDGE_KEEP_NAMES:-}" != 1 ]]; then
        # worker-build 0.8.7 runs wasm-opt with --debuginfo, which keeps the name section
        # (function names, ≈ 130 KB): only a trap's stack trace reads it. Rewrite without it.
        wasm-opt "$wasm" -o "$wasm.stripped" --strip-debug --strip-producers \
            --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
            --enable-bulk-memory --enable-multivalue --enable-reference-types \
            --enable-exception-handling
        mv "$wasm.stripped" "$wasm"
    fi
    log "built in $((SECONDS - started)) s"
    sizes
}

# Whether edge-worker/build/ is missing or older than what it is built from: the sources cargo
# listed in its dep-info file for the wasm (this checkout's only), or Cargo.lock.
build_is_stale() {
    local wasm dep sources
    wasm="$(bundle_wasm)"
    dep="$target_dir/wasm32-unknown-unknown/release/edge_worker.d"
    [[ -f "$wasm" && -f "$crate/build/worker/shim.mjs" && -f "$dep" ]] || return 0
    # "OUTPUT: SOURCE SOURCE …", spaces in names escaped as "\ ".
    mapfile -t sources < <(sed -e 's/^[^:]*: *//' -e 's/\\ /\x01/g' "$dep" | tr ' ' '\n' \
        | tr '\001' ' ' | grep -F "$root/" || true)
    ((${#sources[@]})) || return 0
    [[ -n "$(find "${sources[@]}" "$root/Cargo.lock" -newer "$wasm" -print -quit 2>/dev/null)" ]]
}

build_if_stale() {
    [[ "${BALTO_EDGE_NO_BUILD:-}" == 1 ]] && return 0
    if build_is_stale; then
        log "the Worker build is missing or older than its sources: building it (about 1-3 min)"
        build
    fi
}

# The same configuration without the [build] step, to serve or check the last build as is
# (git-ignored, beside the original; written atomically, runs may share it). Prints its name.
nobuild_config() {
    [[ -f "$crate/build/worker/shim.mjs" ]] || { log "no build: run '$0 build'"; exit 1; }
    local tmp
    tmp="$(mktemp "$crate/.wrangler.nobuild.XXXXXX")"
    awk '/^\[build\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$crate/wrangler.toml" >"$tmp"
    mv "$tmp" "$crate/wrangler.nobuild.toml"
    echo wrangler.nobuild.toml
}

random_hex() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }

# The env file with both secrets; created (or completed) with fresh random ones.
ensure_env_file() {
    mkdir -p "$(dirname "$env_file")"
    if [[ ! -f "$env_file" ]]; then
        (umask 077 && printf 'STT_LLM_URL=http://127.0.0.1:%s\nSTT_LLM_SIGNING_SECRET=%s\nKEY_PEPPER=%s\n' \
            "$stt_port" "$(random_hex)" "$(random_hex)" >"$env_file")
        log "created $env_file with new random secrets (keep it: keys issued here need its KEY_PEPPER)"
    fi
    local name
    for name in STT_LLM_SIGNING_SECRET KEY_PEPPER; do
        if [[ -z "$(env_var "$name")" ]]; then
            printf '%s=%s\n' "$name" "$(random_hex)" >>"$env_file"
            log "added a random $name to $env_file"
        fi
    done
}

env_var() {
    [[ -f "$env_file" ]] || return 0
    sed -n "s/^$1=//p" "$env_file" | tail -1 | tr -d '"'
}

# A workspace binary built with the shared flags (so stt-llm, edge-key and balto share one
# feature resolution and build each other's dependencies once). Prints its path.
cargo_bin() {
    local bin="$1" first
    if [[ ! -x "$target_dir/debug/$bin" ]]; then
        case "$bin" in
            stt-llm) first="10-30 min: the AWS SDK" ;;
            edge-key) first="about 1 min" ;;
            *) first="a few minutes" ;;
        esac
        log "first use: compiling $bin with cargo ($first, once)"
    fi
    cargo build "${cargo_flags[@]}" --bin "$bin" >&2
    echo "$target_dir/debug/$bin"
}

key() {
    ensure_env_file
    local edge_key out name value
    edge_key="$(cargo_bin edge-key)"
    out="$(KEY_PEPPER="$(env_var KEY_PEPPER)" "$edge_key" "$1" "$2")"
    name="$(sed -n 1p <<<"$out")"
    value="$(sed -n 2p <<<"$out")"
    setup_env
    (cd "$crate" && wrangler kv key put --local --persist-to "$state" --binding KEYS "$name" "$value" >&2)
    log "key for $1 / $2 stored in the local KV ($state)"
    sed -n 3p <<<"$out"
}

# wrangler dev of the last build (rebuilt first if stale) in its own process group, in the
# foreground, until it ends or this script is told to stop.
start() {
    local port="$1" config
    ensure_env_file
    setup_env
    build_if_stale
    cd "$crate"
    config="$(nobuild_config)"
    on_exit_stop_groups
    pg_start wrangler wrangler dev -c "$config" --ip 127.0.0.1 --port "$port" --persist-to "$state" \
        --show-interactive-dev-session=false --env-file "$env_file"
    local rc=0
    wait "$PG_LAST" || rc=$?
    exit "$rc"
}

# Exports the provider variables of ./.env (KEY=VALUE lines, as `balto serve` reads them) that the
# environment does not set already.
export_dotenv() {
    [[ -f "$root/.env" ]] || return 0
    local line name value
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        name="${BASH_REMATCH[2]}"
        value="${BASH_REMATCH[3]}"
        value="${value%\"}" && value="${value#\"}"
        value="${value%\'}" && value="${value#\'}"
        [[ -z "${!name+set}" ]] && export "$name=$value"
    done <"$root/.env"
}

# The stt-llm Lambda on a plain socket against the local dynalite, with the Worker's signing
# secret and the provider variables of the environment and ./.env. Ends by becoming stt-llm.
run_stt_llm() {
    export_dotenv
    export STT_LLM_SIGNING_SECRET="$2" BALTO_LOCAL_HTTP="127.0.0.1:$stt_port" \
        DYNAMODB_ENDPOINT="http://127.0.0.1:$dynamo_port" BALTO_ENSURE_TABLE=1 \
        AWS_REGION="${AWS_REGION:-us-east-1}" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
    exec "$1"
}

# Waits until $2 appears in log $3 while group $4 runs; $1 names the service.
wait_ready() {
    local name="$1" marker="$2" log_file="$3" pgid="$4" limit=$((SECONDS + ${5:-120}))
    until grep -q "$marker" "$log_file" 2>/dev/null; do
        if ! pg_alive "$pgid"; then
            log "$name exited before it was ready; its log ($log_file):"
            tail -n 30 "$log_file" >&2 || true
            exit 1
        fi
        if ((SECONDS > limit)); then
            log "$name not ready after ${5:-120} s; its log ($log_file):"
            tail -n 30 "$log_file" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

up() {
    local started=$SECONDS run="$state/up" stt_llm secret worker_env
    "$root/scripts/dynamo-local.sh" install
    ensure_env_file
    setup_env
    build_if_stale
    stt_llm="$(cargo_bin stt-llm)"
    secret="$(env_var STT_LLM_SIGNING_SECRET)"
    mkdir -p "$run"
    # wrangler reads the env file as is, with STT_LLM_URL pointing at the stt-llm started here.
    worker_env="$run/worker.dev.vars"
    (umask 077 && { grep -v '^STT_LLM_URL=' "$env_file" || true; echo "STT_LLM_URL=http://127.0.0.1:$stt_port"; } >"$worker_env")

    on_exit_stop_groups
    : >"$run/dynalite.log"
    : >"$run/stt-llm.log"
    : >"$run/wrangler.log"
    # What the three print, as it comes (a group of its own too).
    pg_start output tail -n +1 -F "$run/dynalite.log" "$run/stt-llm.log" "$run/wrangler.log"

    pg_start dynalite node "$("$root/scripts/dynamo-local.sh" path)" --host 127.0.0.1 --port "$dynamo_port" \
        >>"$run/dynalite.log" 2>&1
    wait_ready dynalite "listening at" "$run/dynalite.log" "$PG_LAST" 30

    pg_start stt-llm run_stt_llm "$stt_llm" "$secret" >>"$run/stt-llm.log" 2>&1
    wait_ready stt-llm "listening on" "$run/stt-llm.log" "$PG_LAST" 60

    # `start` ends wrangler's own group (within STOP_GRACE_S): it gets twice that.
    pg_start --grace $((2 * STOP_GRACE_S)) wrangler env BALTO_EDGE_NO_BUILD=1 \
        BALTO_EDGE_ENV_FILE="$worker_env" "$root/scripts/edge-dev.sh" start "$edge_port" \
        >>"$run/wrangler.log" 2>&1
    wait_ready "wrangler dev" "Ready on" "$run/wrangler.log" "$PG_LAST" 180

    log "ready in $((SECONDS - started)) s: counters connect to ws://127.0.0.1:$edge_port/ws" \
        "(Lambda http://127.0.0.1:$stt_port, DynamoDB http://127.0.0.1:$dynamo_port, logs in $run);" \
        "issue a key with 'scripts/edge-dev.sh key LOJA BALCAO'; Ctrl-C stops all three"
    # Until one of the three ends by itself (then stop the others) or Ctrl-C/SIGTERM.
    local rc=0 services=("${PG_GROUPS[@]:1}")
    wait -n "${services[@]}" || rc=$?
    log "a service stopped by itself (exit $rc): stopping the others; logs in $run"
    exit 1
}

counter() {
    local key="$1" balto arg mode=(--mode segments)
    shift
    # balto stream takes --mode once: a --mode among OPTIONS replaces the default.
    for arg in "$@"; do
        [[ "$arg" == --mode || "$arg" == --mode=* ]] && mode=()
    done
    balto="$(cargo_bin balto)"
    exec "$balto" stream --url "ws://127.0.0.1:$edge_port/ws" --key "$key" "${mode[@]}" "$@"
}

case "${1:-}" in
    install) install ;;
    env)
        setup_env
        env | grep -E '^(WASM_BINDGEN_BIN|WASM_OPT_BIN|ESBUILD_BIN|WRANGLER_SEND_METRICS|PATH)=' | sed 's/^/export /'
        ;;
    build) build ;;
    up)
        [[ $# -eq 1 ]] || { echo "usage: $0 up   (ports: BALTO_EDGE_PORT, BALTO_STT_LLM_PORT, BALTO_DYNAMO_PORT)" >&2; exit 2; }
        up
        ;;
    key)
        [[ $# -eq 3 ]] || { echo "usage: $0 key LOJA BALCAO" >&2; exit 2; }
        key "$2" "$3"
        ;;
    counter)
        [[ $# -ge 3 ]] || { echo "usage: $0 counter KEY FILE... [balto stream options]" >&2; exit 2; }
        shift
        counter "$@"
        ;;
    wrangler)
        shift
        setup_env
        cd "$crate"
        exec wrangler "$@"
        ;;
    bench)
        setup_env
        wav="${2:-$root/../shared/audio/speech/pt1.wav}"
        cargo build -q -p edge-worker --lib --release --target wasm32-unknown-unknown \
            --no-default-features --features bench
        out="$target_dir/edge-bench"
        rm -rf "$out"
        "$WASM_BINDGEN_BIN" --target nodejs --out-dir "$out" \
            "$target_dir/wasm32-unknown-unknown/release/edge_worker.wasm"
        node "$crate/bench/bench.mjs" "$out" "$wav" "${3:-20}" 20
        ;;
    deploy-check)
        setup_env
        out="${2:-$target_dir/edge-deploy}"
        config="$(nobuild_config)"
        rm -rf "$out"
        started=$SECONDS
        (cd "$crate" && wrangler deploy --dry-run --outdir "$out" -c "$config")
        log "deploy dry run in $((SECONDS - started)) s: $(find "$out" -mindepth 1 -maxdepth 1 -printf '%f ')"
        ;;
    kv-put)
        [[ $# -eq 3 ]] || { echo "usage: $0 kv-put NAME VALUE" >&2; exit 2; }
        setup_env
        cd "$crate"
        wrangler kv key put --local --persist-to "$state" --binding KEYS "$2" "$3" >&2
        ;;
    start) start "${2:-$edge_port}" ;;
    *)
        sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
