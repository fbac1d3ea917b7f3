#!/usr/bin/env bash
# Builds the browser counter page into OUT_DIR, where local-dev serves it at / (/counter/).
# Default OUT_DIR: ${WEB_DIR:-target/web}/counter (local-dev's WEB_DIR default).
# It compiles vad-wasm for wasm32 (the webrtc-vad C code needs clang, llvm-ar and wasi-libc
# headers), runs wasm-bindgen --target web and copies the static page from web/counter/.
# Needs wasm-bindgen-cli at the version pinned in vad-wasm/Cargo.toml. Honors CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir="${1:-${WEB_DIR:-target/web}/counter}"
target_dir="${CARGO_TARGET_DIR:-target}"

want=$(awk -F'"' '/^wasm-bindgen = / { gsub(/=/, "", $2); print $2; exit }' vad-wasm/Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen $want is needed (found: ${have:-none}):" >&2
  echo "  cargo install --locked wasm-bindgen-cli --version $want" >&2
  exit 1
fi

export CC_wasm32_unknown_unknown=clang
export AR_wasm32_unknown_unknown="$(command -v llvm-ar || command -v llvm-ar-14)"
export CFLAGS_wasm32_unknown_unknown="-isystem /usr/include/wasm32-wasi -D__wasi__"
# WebAssembly SIMD: Chrome 91, Firefox 89, Safari 16.4. VAD_WASM_SIMD=0 builds the scalar module.
if [ "${VAD_WASM_SIMD:-1}" = 1 ]; then
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
fi

start=$(date +%s)
cargo build --release --target wasm32-unknown-unknown -p vad-wasm --lib
mkdir -p "$out_dir"
wasm-bindgen --target web --no-typescript --out-dir "$out_dir" \
  "$target_dir/wasm32-unknown-unknown/release/vad_wasm.wasm"
cp web/counter/*.html web/counter/*.js web/counter/*.css "$out_dir/"

wasm="$out_dir/vad_wasm_bg.wasm"
size=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "counter page built into $out_dir in $(( $(date +%s) - start )) s: wasm $(( size / 1024 )) KiB ($(( gz / 1024 )) KiB gzipped)"
