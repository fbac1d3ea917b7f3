#!/usr/bin/env bash
# Prepares and runs the Worker's end-to-end test (local-dev/tests/edge_e2e.rs): tools, the
# Worker bundle, dynalite, the stt-llm binary, then the test with BALTO_EDGE_E2E=1. Prints the
# seconds of each phase (a warm run is the test itself; a cold one adds the installs and builds).
#
# Cargo runs with the flags of scripts/test.sh's workspace tests (--workspace --all-features
# --locked), and stt-llm is built together with the test target, so that cargo resolves features
# as `cargo test` does (dev-dependencies included): after the workspace tests nothing is compiled
# again. BALTO_EDGE_E2E_FLAGS overrides the flags; they must select lambda-stt-llm
# and local-dev, e.g. "-p lambda-stt-llm -p local-dev" for a
# local run without the all-features build. Tools are cached under $BALTO_CACHE_DIR
# (default ~/.cache/balto), as scripts/edge-dev.sh and scripts/dynamo-local.sh do.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a flags <<<"${BALTO_EDGE_E2E_FLAGS:---workspace --all-features --locked}"
started=$SECONDS
phase_start=$SECONDS
phases=()
phase() {
    phases+=("$1 $((SECONDS - phase_start)) s")
    phase_start=$SECONDS
}
scripts/edge-dev.sh install
phase "tools (wrangler, worker-build, wasm-bindgen)"
scripts/edge-dev.sh build
phase "Worker build"
scripts/dynamo-local.sh install
phase "dynalite"
cargo build "${flags[@]}" --bin stt-llm --test edge_e2e
phase "stt-llm + test build"
echo "edge-e2e: prepared in $((SECONDS - started)) s" >&2
BALTO_EDGE_E2E=1 cargo test "${flags[@]}" --test edge_e2e -- --nocapture
phase "test"
summary="$(printf '%s; ' "${phases[@]}")"
echo "edge-e2e: ${summary}total $((SECONDS - started)) s" >&2
