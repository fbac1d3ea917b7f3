#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml): licenses, bans (wildcards, duplicates as
# warnings) and sources (crates.io only). Installs cargo-deny once (pinned); later runs reuse it.
# Advisories need the RustSec database from GitHub, unreachable here: `cargo deny check
# advisories` is run only when BALTO_ADVISORIES=1 (on a machine that reaches GitHub).
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.18.9"
if [[ "$(cargo deny --version 2>/dev/null | awk '{print $2}')" != "$version" ]]; then
  echo "supply-chain: installing cargo-deny $version (a few minutes, once)" >&2
  cargo install --locked --quiet cargo-deny --version "$version"
fi
checks=(bans licenses sources)
[[ "${BALTO_ADVISORIES:-0}" == 1 ]] && checks+=(advisories)
cargo deny --log-level error --locked check "${checks[@]}"
