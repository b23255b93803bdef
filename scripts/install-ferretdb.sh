#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (a MongoDB wire-protocol server on SQLite) into .tools/bin/ferretdb from
# the Go module proxy. `go install …@v1.24.2` builds a binary that panics at start-up (it expects a
# build/version/version.txt that only FerretDB's own release tooling writes), so we build a copy of
# the module source with that file in place.
set -euo pipefail
version=v1.24.2
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.tools/bin/ferretdb"
# Read whole outputs into variables: `cmd | grep -q` / `| head` would end cmd with SIGPIPE, which
# pipefail turns into a failure.
if [ -x "$out" ] && [[ "$("$out" --version 2>/dev/null)" == *"version: $version"* ]]; then
  echo "FerretDB $version already built: $out"
  exit 0
fi
command -v go >/dev/null || { echo "install-ferretdb: Go is required (https://go.dev/dl/)" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
echo "Building FerretDB $version (one time, about a minute)…"
(cd "$work" && go mod init ferretdb-build >/dev/null 2>&1 && go mod download -json "github.com/FerretDB/FerretDB@$version" >"$work/mod.json")
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/mod.json")
[ -d "$src" ] || { echo "install-ferretdb: could not download the FerretDB module" >&2; exit 1; }
cp -r "$src" "$work/src"
chmod -R u+w "$work/src"
echo "$version" >"$work/src/build/version/version.txt"
mkdir -p "$(dirname "$out")"
(cd "$work/src" && CGO_ENABLED=0 go build -o "$out" ./cmd/ferretdb)
built=$("$out" --version)
echo "${built%%$'\n'*}"
