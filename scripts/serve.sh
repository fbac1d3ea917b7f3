#!/usr/bin/env bash
# The main job: build Balto and serve the whole stack on :8765 (8766 if taken) with the embedded
# offline engines (Whisper STT, rules advisor). No API keys needed; set them in .env to use the
# cloud providers. Data goes to ./data/ (SQLite + segment audio); the admin app is at /admin/
# (its secret is generated on first start into data/admin-secret; the log says where).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --serve
# The admin app at /admin/ (Leptos, built for the browser into local-dev's WEB_DIR).
scripts/build-admin-web.sh
# The browser counter page at / (vad-wasm in a worker, segments over /ws).
scripts/build-counter-web.sh
exec cargo run --release -p local-dev --features whisper --bin balto -- serve "$@"
