#!/usr/bin/env bash
# The Cloudflare Worker (edge-worker/) locally: tools, build, local KV keys, `wrangler dev`.
#
#   scripts/edge-dev.sh install            npm wrangler + binaryen (pinned) into the cache, and
#                                          worker-build 0.8.7 / the matching wasm-bindgen CLI if missing
#   scripts/edge-dev.sh build              worker-build --release → edge-worker/build/ (prints sizes)
#   scripts/edge-dev.sh key LOJA BALCAO    issues a counter key into the local KV (KEY_PEPPER from
#                                          edge-worker/.dev.vars); prints the key to give the counter
#   scripts/edge-dev.sh kv-put NAME VALUE  writes one entry into the local KEYS namespace
#   scripts/edge-dev.sh start [PORT]       wrangler dev on 127.0.0.1:PORT (default 8787), foreground;
#                                          BALTO_EDGE_NO_BUILD=1 serves the last build as is,
#                                          BALTO_EDGE_ENV_FILE=F reads the secrets from F
#   scripts/edge-dev.sh deploy-check [DIR] wrangler deploy --dry-run of the last build into DIR
#                                          (default $CARGO_TARGET_DIR/edge-deploy): checks
#                                          wrangler.toml, bindings, migrations and the bundle; no account
#   scripts/edge-dev.sh bench [WAV] [N]    CPU per 20 ms frame and per segment: the same code built
#                                          for wasm32 (--features bench), timed in Node
#   scripts/edge-dev.sh env                prints the exports the other commands use
#
# Secrets for `start`/`key` come from edge-worker/.dev.vars (never committed):
#   STT_LLM_URL=http://127.0.0.1:9000
#   STT_LLM_SIGNING_SECRET=<hex>
#   KEY_PEPPER=<64+ hex>
# Local KV/Durable Object state lives in $BALTO_EDGE_STATE (default edge-worker/.wrangler/state).
# Tools are cached under $BALTO_CACHE_DIR (default ~/.cache/balto).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crate="$root/edge-worker"
cache="${BALTO_CACHE_DIR:-$HOME/.cache/balto}"
npm_dir="$cache/edge-npm"
cargo_root="$cache/cargo"
state="${BALTO_EDGE_STATE:-$crate/.wrangler/state}"
WRANGLER_VERSION=4.86.0
BINARYEN_VERSION=132.0.0
WORKER_BUILD_VERSION=0.8.7

log() { echo "edge-dev: $*" >&2; }

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
    local started=$SECONDS
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
        log "installing wasm-bindgen-cli $want (a few minutes)"
        cargo install --locked wasm-bindgen-cli --version "$want" --root "$cargo_root"
    fi
    if ! find_worker_build >/dev/null; then
        log "installing worker-build $WORKER_BUILD_VERSION (about 5 minutes)"
        cargo install --locked worker-build --version "$WORKER_BUILD_VERSION" --root "$cargo_root"
    fi
    rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown
}

# Everything worker-build, wrangler and the C VAD need, exported.
setup_env() {
    local want
    want="$(bindgen_version)"
    WASM_BINDGEN_BIN="$(find_bindgen "$want")" || { log "no wasm-bindgen $want: run '$0 install'"; exit 1; }
    export WASM_BINDGEN_BIN
    export WASM_OPT_BIN="$npm_dir/node_modules/.bin/wasm-opt"
    export ESBUILD_BIN="$npm_dir/node_modules/.bin/esbuild"
    export CC_wasm32_unknown_unknown=clang
    export AR_wasm32_unknown_unknown=llvm-ar
    export CFLAGS_wasm32_unknown_unknown="-isystem /usr/include/wasm32-wasi -D__wasi__"
    export WRANGLER_SEND_METRICS=false
    local wb
    wb="$(find_worker_build)" || { log "no worker-build $WORKER_BUILD_VERSION: run '$0 install'"; exit 1; }
    export PATH="$(dirname "$wb"):$npm_dir/node_modules/.bin:$PATH"
}

sizes() {
    local wasm
    wasm="$(ls "$crate"/build/*.wasm 2>/dev/null | head -1)"
    [[ -n "$wasm" ]] || return 0
    log "bundle: $(basename "$wasm") $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip"
}

# The same configuration without the [build] step, to serve or check the last build as is
# (git-ignored, beside the original). Prints its name.
nobuild_config() {
    [[ -f "$crate/build/worker/shim.mjs" ]] || { log "no build: run '$0 build'"; exit 1; }
    awk '/^\[build\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$crate/wrangler.toml" >"$crate/wrangler.nobuild.toml"
    echo wrangler.nobuild.toml
}

dev_var() {
    [[ -f "$crate/.dev.vars" ]] || return 0
    sed -n "s/^$1=//p" "$crate/.dev.vars" | tail -1 | tr -d '"'
}

case "${1:-}" in
    install) install ;;
    env)
        setup_env
        env | grep -E '^(WASM_BINDGEN_BIN|WASM_OPT_BIN|ESBUILD_BIN|CC_wasm32|AR_wasm32|CFLAGS_wasm32|WRANGLER_SEND_METRICS|PATH)=' | sed 's/^/export /'
        ;;
    build)
        setup_env
        started=$SECONDS
        (cd "$crate" && worker-build --release)
        log "built in $((SECONDS - started)) s"
        sizes
        ;;
    key)
        [[ $# -eq 3 ]] || { echo "usage: $0 key LOJA BALCAO" >&2; exit 2; }
        setup_env
        out="$(KEY_PEPPER="$(dev_var KEY_PEPPER)" cargo run -q -p edge-worker --bin edge-key -- "$2" "$3")"
        name="$(sed -n 1p <<<"$out")"
        value="$(sed -n 2p <<<"$out")"
        (cd "$crate" && wrangler kv key put --local --persist-to "$state" --binding KEYS "$name" "$value" >&2)
        sed -n 3p <<<"$out"
        ;;
    bench)
        setup_env
        wav="${2:-/work/shared/audio/speech/pt1.wav}"
        target="${CARGO_TARGET_DIR:-$root/target}"
        cargo build -q -p edge-worker --lib --release --target wasm32-unknown-unknown \
            --no-default-features --features bench
        out="$target/edge-bench"
        rm -rf "$out"
        "$WASM_BINDGEN_BIN" --target nodejs --out-dir "$out" \
            "$target/wasm32-unknown-unknown/release/edge_worker.wasm"
        node "$crate/bench/bench.mjs" "$out" "$wav" "${3:-20}" 20
        ;;
    deploy-check)
        setup_env
        out="${2:-${CARGO_TARGET_DIR:-$root/target}/edge-deploy}"
        config="$(nobuild_config)"
        rm -rf "$out"
        started=$SECONDS
        (cd "$crate" && wrangler deploy --dry-run --outdir "$out" -c "$config")
        log "deploy dry run in $((SECONDS - started)) s: $(ls "$out" | tr '\n' ' ')"
        ;;
    kv-put)
        [[ $# -eq 3 ]] || { echo "usage: $0 kv-put NAME VALUE" >&2; exit 2; }
        setup_env
        cd "$crate"
        wrangler kv key put --local --persist-to "$state" --binding KEYS "$2" "$3" >&2
        ;;
    start)
        setup_env
        port="${2:-8787}"
        cd "$crate"
        config=wrangler.toml
        if [[ "${BALTO_EDGE_NO_BUILD:-}" == 1 ]]; then
            config="$(nobuild_config)"
        fi
        args=(dev -c "$config" --ip 127.0.0.1 --port "$port" --persist-to "$state" --show-interactive-dev-session=false)
        [[ -n "${BALTO_EDGE_ENV_FILE:-}" ]] && args+=(--env-file "$BALTO_EDGE_ENV_FILE")
        exec wrangler "${args[@]}"
        ;;
    *)
        sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
