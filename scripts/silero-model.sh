#!/usr/bin/env bash
# Produces the Silero VAD v6.2 16 kHz weights (Balto's compact f32 file) in Balto's cache.
#
#   scripts/silero-model.sh            # prints the weights path on its last line
#   BALTO_CACHE_DIR=/some/cache scripts/silero-model.sh
#
# Silero VAD (MIT) ships in the PyPI wheel silero-vad==6.2.3 (pinned by hash). Its
# silero_vad/data/silero_vad.jit is a zip of pickled tensors: scripts/silero_extract.py reads the
# 16 kHz model's tensors with zipfile + pickle (no torch, no numpy) and writes them in the order
# vad-wasm's forward pass reads them. The result is checked against the recorded sha256.
# vad-wasm's build script embeds these weights (as f16) from this path, so it must run before
# building vad-wasm (scripts/setup.sh does). Idempotent.
set -euo pipefail

CACHE_DIR="${BALTO_CACHE_DIR:-$HOME/.cache/balto}"
MODEL_DIR="$CACHE_DIR/models"
WEIGHTS="$MODEL_DIR/silero-vad-v6.2-16k.bin"
# sha256 of the file silero_extract.py writes (1,238,604 bytes); also checked by vad-wasm/build.rs.
WEIGHTS_SHA256="74763719b499be4ceabeee2dabad74e3e4ab6770e28b4d4c17055d701a0017fa"
WHEEL="silero-vad==6.2.3"
WHEEL_SHA256="7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXTRACT="$SCRIPT_DIR/silero_extract.py"

log() { echo "silero-model: $*" >&2; }
die() {
  echo "silero-model: error: $*" >&2
  exit 1
}
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "$WEIGHTS" ]]; then
  if [[ "$(sha256_of "$WEIGHTS")" == "$WEIGHTS_SHA256" ]]; then
    log "weights up to date"
    echo "$WEIGHTS"
    exit 0
  fi
  log "existing $WEIGHTS has a different checksum; rebuilding it"
fi

command -v python3 >/dev/null || die "python3 is required"
python3 -m pip --version >/dev/null 2>&1 || die "pip is required (python3 -m pip)"
started=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/balto-silero.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log "downloading $WHEEL from PyPI"
echo "$WHEEL --hash=sha256:$WHEEL_SHA256" >"$WORK/requirements.txt"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
  --only-binary silero-vad -r "$WORK/requirements.txt" -d "$WORK/dl" ||
  die "pip download failed (is PyPI reachable? does the pinned hash still match?)"

python3 "$EXTRACT" "$WORK"/dl/silero_vad-*.whl "$WORK/weights.bin" || die "extraction failed"
actual="$(sha256_of "$WORK/weights.bin")"
[[ "$actual" == "$WEIGHTS_SHA256" ]] ||
  die "checksum mismatch for the extracted weights: got $actual, expected $WEIGHTS_SHA256"
mkdir -p "$MODEL_DIR"
mv -f "$WORK/weights.bin" "$WEIGHTS.tmp.$$"
mv -f "$WEIGHTS.tmp.$$" "$WEIGHTS"
log "weights ready ($(stat -c %s "$WEIGHTS") bytes, sha256 $WEIGHTS_SHA256) in $((SECONDS - started)) s"
echo "$WEIGHTS"
