#!/usr/bin/env bash
# Builds the Leptos admin app (admin-leptos) for the browser into OUT_DIR, where local-dev serves
# it at /admin/. Default OUT_DIR: ${WEB_DIR:-target/web}/admin (local-dev's WEB_DIR default).
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at the version of the
# wasm-bindgen crate in Cargo.lock (scripts/setup.sh). Honors CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir="${1:-${WEB_DIR:-target/web}/admin}"
target_dir="${CARGO_TARGET_DIR:-target}"

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen $want is needed (found: ${have:-none}):" >&2
  echo "  cargo install --locked wasm-bindgen-cli --version $want" >&2
  exit 1
fi

start=$(date +%s)
cargo build --release --target wasm32-unknown-unknown -p admin-leptos --lib
mkdir -p "$out_dir"
wasm-bindgen --target web --no-typescript --out-dir "$out_dir" \
  "$target_dir/wasm32-unknown-unknown/release/admin_leptos.wasm"
cp admin-leptos/static/index.html admin-leptos/static/boot.js admin-leptos/static/style.css "$out_dir/"

wasm="$out_dir/admin_leptos_bg.wasm"
size=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "admin app built into $out_dir in $(( $(date +%s) - start )) s: wasm $(( size / 1024 )) KiB ($(( gz / 1024 )) KiB gzipped)"
