#!/usr/bin/env bash
# Prepares and runs the Worker's end-to-end test (edge-worker/tests/edge_e2e.rs): tools, the
# Worker bundle, dynalite, the stt-llm binary, then the test with BALTO_EDGE_E2E=1.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
scripts/edge-dev.sh install
scripts/edge-dev.sh build
scripts/dynamo-local.sh install
cargo build -p lambda-stt-llm --features aws --bin stt-llm
echo "edge-e2e: prepared in $((SECONDS - started)) s" >&2
BALTO_EDGE_E2E=1 cargo test -p local-dev --test edge_e2e -- --nocapture
echo "edge-e2e: done in $((SECONDS - started)) s" >&2
