#!/usr/bin/env bash
# Every check and test of the workspace, as CI runs them. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { echo; echo "=== $* ($(date +%T))"; }

step "set-up"
scripts/setup.sh

step "format"
cargo fmt --all -- --check
rustfmt --edition 2024 --check fuzz/fuzz_targets/*.rs

step "supply chain (cargo-deny: licenses, bans, sources)"
scripts/supply-chain.sh

step "clippy (native, all features)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "wasm32 builds of core, vad-wasm, edge-worker and the admin app (core does no I/O; the front end runs in browsers and workers)"
# clang and the wasi-libc headers for the C VAD on wasm32 come from .cargo/config.toml [env].
cargo clippy -p balto-core -p balto-advisor -p vad-wasm -p edge-worker -p admin-leptos --lib --target wasm32-unknown-unknown --locked -- -D warnings
# The Worker's Node benchmark build (scripts/edge-dev.sh bench).
cargo clippy -p edge-worker --lib --target wasm32-unknown-unknown --no-default-features --features bench --locked -- -D warnings

step "admin app for the browser (Leptos → wasm32 → wasm-bindgen)"
admin_web="${CARGO_TARGET_DIR:-$PWD/target}/e2e-web"
scripts/build-admin-web.sh "$admin_web/admin"

step "counter page for the browser (vad-wasm → wasm-bindgen, web/counter; resampler test in Node)"
scripts/build-counter-web.sh "$admin_web/counter"
node web/counter/tests/resampler.test.mjs

step "tests (all features: includes the offline Whisper engine; browser tests in Chromium)"
BALTO_BROWSER_E2E=1 BALTO_ADMIN_WEB="$admin_web" BALTO_COUNTER_WEB="$admin_web" cargo test --workspace --all-features --locked

step "edge end to end: the Worker under wrangler dev + the stt-llm Lambda (local HTTP) + dynalite, both counter modes and the Worker's limits (same cargo flags as the tests above: nothing is rebuilt)"
edge_started=$SECONDS
scripts/edge-e2e.sh
echo "edge-e2e step: $((SECONDS - edge_started)) s"

step "Worker deploy check: wrangler deploy --dry-run of that build (wrangler.toml, bindings, migrations, bundle; no Cloudflare account)"
scripts/edge-dev.sh deploy-check

step "vad-wasm in Node: same segments as native, no foreign imports"
vad-wasm/js/run.sh

step "front-end benchmark (short mode)"
cargo run --release --locked -p vad-wasm --bin vad_bench -- --quick

step "fuzz: each target ${FUZZ_SECONDS:-20} s from the committed corpus (cargo fuzz, libFuzzer)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"

step "done"
