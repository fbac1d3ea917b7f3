#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ (cargo fuzz, libFuzzer) from the committed corpus.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   each target for SECONDS (default 30); all targets
#   scripts/fuzz.sh --grow SECONDS [TARGET...]  fuzz into fuzz/corpus itself, then minimize it
#                                             (cargo fuzz cmin): how the committed corpus is made
# cargo fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# New inputs go to a scratch corpus, so a run leaves the committed corpus untouched; a crash
# leaves its input in fuzz/artifacts/TARGET/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
CARGO_FUZZ_VERSION=0.13.2
log() { echo "fuzz: $*" >&2; }

if [[ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION (about two minutes, once)"
  cargo install --quiet --locked --force cargo-fuzz --version "$CARGO_FUZZ_VERSION" ||
    cargo install --quiet --force cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

grow=false
if [[ "${1:-}" == "--grow" ]]; then
  grow=true
  shift
fi
seconds=30
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi
targets=("$@")
((${#targets[@]})) || targets=(protocol_parse session audio_decode front_end)

# Longest input per target: the front end and the decoder need room for audio.
max_len() {
  case "$1" in
    front_end | audio_decode) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

cd fuzz
# Sanitizer off: the code under test has no unsafe Rust, and it halves the time per input;
# debug assertions (overflow checks) stay on.
for target in "${targets[@]}"; do
  cargo fuzz build --sanitizer none --debug-assertions "$target" || {
    log "$target: build failed"
    exit 1
  }
done
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  if $grow; then
    log "$target: growing corpus/$target for ${seconds}s"
    cargo fuzz run --sanitizer none --debug-assertions "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
      -rss_limit_mb=2048 >"$scratch/$target.log" 2>&1 || {
      grep -A4 -E "panicked at|ERROR: libFuzzer" "$scratch/$target.log" | head -n 20 >&2
      exit 1
    }
    cargo fuzz cmin --sanitizer none --debug-assertions "$target" "corpus/$target" -- \
      -max_len="$(max_len "$target")" >"$scratch/$target.cmin.log" 2>&1
    log "$target: corpus now $(ls "corpus/$target" | wc -l) inputs, $(du -sh "corpus/$target" | cut -f1)"
    continue
  fi
  mkdir -p "$scratch/$target" "artifacts/$target"
  log "$target: ${seconds}s from $(ls "corpus/$target" | wc -l) committed inputs"
  # -timeout: an input slower than 10 s is a hang; -rss_limit_mb: runaway allocation is a bug.
  if ! cargo fuzz run --sanitizer none --debug-assertions "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$scratch/$target.log" 2>&1; then
    grep -A4 -E "panicked at|ERROR: libFuzzer|SUMMARY|Failing input|Reproduce with" "$scratch/$target.log" |
      grep -v "^\s*\[" | head -n 40 | cut -c1-300 >&2
    log "$target: FAILED; the input is in fuzz/artifacts/$target/"
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^Done" "$scratch/$target.log" |
    sed "s/^/fuzz: $target: /" >&2 || true
  log "$target: $(ls "$scratch/$target" | wc -l) new inputs, no crash"
done
