#!/usr/bin/env bash
# A DynamoDB-compatible server (npm `dynalite`, pinned in tools/dynalite/package-lock.json) for
# the DynamoDB store's tests and for running the Lambda functions locally.
#
#   scripts/dynamo-local.sh install        install (idempotent; cached under ~/.cache/balto/dynalite)
#   scripts/dynamo-local.sh start [PORT]   install if needed, then serve on 127.0.0.1:PORT (default 8000),
#                                          in memory, in the foreground
#   scripts/dynamo-local.sh path           print the installed server's entry point
#
# The tests (lambda-stt-llm/tests/dynamo_*.rs) start the server themselves from the installed
# location (or $BALTO_DYNALITE); they fail, saying to run this script, when it is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tools/dynalite"
dest="${BALTO_CACHE_DIR:-$HOME/.cache/balto}/dynalite"
entry="$dest/node_modules/dynalite/cli.js"

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "dynamo-local: '$1' is required (Debian: apt-get install nodejs npm)" >&2
        exit 1
    }
}

install() {
    if [[ -f "$entry" ]] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
        return 0
    fi
    need node
    need npm
    local started=$SECONDS
    mkdir -p "$dest"
    cp "$src/package.json" "$src/package-lock.json" "$dest/"
    (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
    # dynalite runs in memory here; its optional on-disk backend (classic-level) is not needed.
    node -e "require('$dest/node_modules/dynalite')" >/dev/null
    echo "dynamo-local: dynalite installed in $dest ($((SECONDS - started)) s)" >&2
}

case "${1:-install}" in
    install) install ;;
    path)
        install
        echo "$entry"
        ;;
    start)
        install
        port="${2:-8000}"
        exec node "$entry" --host 127.0.0.1 --port "$port"
        ;;
    *)
        echo "usage: $0 install | start [PORT] | path" >&2
        exit 2
        ;;
esac
