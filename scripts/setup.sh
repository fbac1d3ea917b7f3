#!/usr/bin/env bash
# Installs what Balto needs on a fresh Debian machine; safe to run again (skips what is there).
#   scripts/setup.sh            everything the tests need
#   scripts/setup.sh --serve    only what `balto serve` needs (C toolchain for whisper.cpp, model)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"

log() { echo "setup: $*" >&2; }

# cmake + clang: whisper.cpp; lld, llvm, wasi-libc: webrtc-vad's C code for wasm32.
apt_packages=(cmake clang libclang-dev pkg-config lld llvm wasi-libc)
if [[ "$mode" != "--serve" ]]; then
  # The browser tests: Debian's Chromium driven through chromedriver.
  apt_packages+=(chromium chromium-driver)
  # systemd-analyze: deploy/systemd/balto.service is verified by local-dev/tests/deploy_files.rs.
  command -v systemd-analyze >/dev/null || apt_packages+=(systemd)
  # espeak-ng + sox: the front end's held-out evaluation synthesizes its speech (vad-wasm tests).
  apt_packages+=(espeak-ng sox)
fi
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  for attempt in 1 2 3; do
    if $sudo apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      break
    fi
    ((attempt < 3)) || { log "apt-get failed three times"; exit 1; }
    log "apt-get failed (attempt $attempt); repairing and retrying"
    DEBIAN_FRONTEND=noninteractive $sudo dpkg --configure -a || true
    sleep 5
  done
fi

# The browser apps (admin, WASM front end) need the wasm32 target and wasm-bindgen-cli.
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ -n "$want" && "$have" != "$want" ]]; then
  log "installing wasm-bindgen-cli $want (a few minutes, once)"
  # Its own lock file names a webpki-roots the registry no longer serves: resolve anew then.
  cargo install --locked --quiet --force wasm-bindgen-cli --version "$want" 2>/dev/null ||
    cargo install --quiet --force wasm-bindgen-cli --version "$want"
fi

if [[ "$mode" != "--serve" ]]; then
  command -v node >/dev/null || { log "node is required for the WASM test"; exit 1; }
  # A DynamoDB-compatible server for the DynamoDB store's tests (npm dynalite, pinned).
  scripts/dynamo-local.sh install
fi

# The Silero VAD weights vad-wasm embeds at build time (checksummed, from PyPI).
scripts/silero-model.sh >/dev/null

# The offline Whisper model (checksummed, cached outside the repository).
scripts/whisper-model.sh >/dev/null
log "ready"
