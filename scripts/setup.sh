#!/usr/bin/env bash
# Installs what Balto needs on a fresh Debian machine; safe to run again (skips what is there).
#   scripts/setup.sh            everything the tests need
#   scripts/setup.sh --serve    only what `balto serve` needs (C toolchain for whisper.cpp, model)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"

log() { echo "setup: $*" >&2; }

apt_packages=(cmake clang libclang-dev pkg-config)
if [[ "$mode" != "--serve" ]]; then
  # wasm32 build of webrtc-vad's C code (clang, lld, llvm-ar, wasi-libc headers).
  apt_packages+=(lld llvm wasi-libc)
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

if [[ "$mode" != "--serve" ]]; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
  want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [[ -n "$want" && "$have" != "$want" ]]; then
    log "installing wasm-bindgen-cli $want (a few minutes, once)"
    # Its own lock file may name a crate version the registry no longer serves; then resolve anew.
    cargo install --locked --quiet --force wasm-bindgen-cli --version "$want" ||
      cargo install --quiet --force wasm-bindgen-cli --version "$want"
  fi
  command -v node >/dev/null || { log "node is required for the WASM test"; exit 1; }
  # A DynamoDB-compatible server for the DynamoDB store's tests (npm dynalite, pinned).
  scripts/dynamo-local.sh install
fi

# The offline Whisper model (checksummed, cached outside the repository).
scripts/whisper-model.sh >/dev/null
log "ready"
