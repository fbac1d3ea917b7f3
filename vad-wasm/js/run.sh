#!/usr/bin/env bash
# Builds the wasm32 module, runs wasm-bindgen --target web, dumps native segments for a few
# dev clips and checks the Node run gives identical segments. Needs: clang, lld, wasi-libc,
# node, wasm-bindgen-cli at the version pinned in vad-wasm/Cargo.toml.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
dev="${VAD_DEV_DIR:-$root/../shared/audio/vad-dev}"
export CC_wasm32_unknown_unknown=clang
export AR_wasm32_unknown_unknown="$(command -v llvm-ar || command -v llvm-ar-14)"
export CFLAGS_wasm32_unknown_unknown="-isystem /usr/include/wasm32-wasi -D__wasi__"
# WebAssembly SIMD (128-bit): the FIRs, RNNoise's GRUs and pitch correlation vectorise to it.
# Node >= 16.4, Chrome 91, Firefox 89, Safari 16.4 and Cloudflare Workers support it. Set
# VAD_WASM_SIMD=0 to build the scalar module instead.
if [ "${VAD_WASM_SIMD:-1}" = 1 ]; then
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
fi
cd "$root"
cargo build --release -p vad-wasm --lib --target wasm32-unknown-unknown
cargo build --release -p vad-wasm --bin vad_bench
pkg="$target/vad-wasm-pkg"
wasm-bindgen --target web --out-dir "$pkg" "$target/wasm32-unknown-unknown/release/vad_wasm.wasm"
out="$(mktemp -d)"
args=()
for clip in clip00 clip04 clip07 clip13; do
  "$target/release/vad_bench" segments "$dev/$clip.wav" > "$out/$clip.json"
  args+=("$dev/$clip.wav" "$out/$clip.json")
done
node "$here/test.mjs" "$pkg" "${args[@]}"
