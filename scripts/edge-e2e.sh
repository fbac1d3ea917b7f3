#!/usr/bin/env bash
# Prepares and runs the Worker's end-to-end tests (local-dev/tests/edge_e2e.rs): tools, the
# Worker bundle, dynalite, the stt-llm, edge-key and balto binaries, then the tests with
# BALTO_EDGE_E2E=1, one at a time: the Worker against the Lambda and dynalite (both counter
# modes, the limits, a Lambda outage), and the local serverless stack started with the commands
# the documentation shows, run as written (edge-worker/README.md, "Run locally"). Prints the
# seconds of each phase (a warm run is the tests themselves; a cold one adds installs and builds).
#
# Cargo runs with the flags of scripts/test.sh's workspace tests (--workspace --all-features
# --locked), and the binaries are built together with the test target, so that cargo resolves
# features as `cargo test` does (dev-dependencies included): after the workspace tests nothing is
# compiled again. The documented commands build the same binaries through scripts/edge-dev.sh,
# which is given the same flags (BALTO_EDGE_CARGO_FLAGS), so that their builds are no-ops too.
# BALTO_EDGE_E2E_FLAGS overrides the flags; they must select lambda-stt-llm and
# local-dev, e.g. "-p lambda-stt-llm -p local-dev -p edge-worker"
# for a local run without the all-features build. Tools are cached under $BALTO_CACHE_DIR
# (default ~/.cache/balto), as scripts/edge-dev.sh and scripts/dynamo-local.sh do.
#
# Every process the tests start carries BALTO_EDGE_E2E_RUN=<this run> in its environment; on
# the way out (end, failure, Ctrl-C, SIGTERM) whatever still carries it is ended, so that even a
# test process killed outright leaves no wrangler, workerd or esbuild behind.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a flags <<<"${BALTO_EDGE_E2E_FLAGS:---workspace --all-features --locked}"
PG_LOG_PREFIX=edge-e2e
# shellcheck source=scripts/lib/process-group.sh
source scripts/lib/process-group.sh
BALTO_EDGE_E2E_RUN="$$-$(date +%s%N)"
export BALTO_EDGE_E2E_RUN
end_run() {
    trap '' INT TERM
    local run="$BALTO_EDGE_E2E_RUN"
    unset BALTO_EDGE_E2E_RUN # (the search's own helpers must not carry it)
    pg_reap_env "BALTO_EDGE_E2E_RUN=$run" 5
}
trap end_run EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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
cargo build "${flags[@]}" --bin stt-llm --bin edge-key --bin balto --test edge_e2e
phase "stt-llm, edge-key, balto + test build"
echo "edge-e2e: prepared in $((SECONDS - started)) s" >&2
export BALTO_EDGE_CARGO_FLAGS="${flags[*]} --test edge_e2e"
BALTO_EDGE_E2E=1 cargo test "${flags[@]}" --test edge_e2e -- --nocapture --test-threads=1
phase "tests"
summary="$(printf '%s; ' "${phases[@]}")"
echo "edge-e2e: ${summary}total $((SECONDS - started)) s" >&2
