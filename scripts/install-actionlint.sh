#!/usr/bin/env bash
# Builds actionlint v1.7.12 (the GitHub Actions workflow linter) into .tools/bin/actionlint from the
# Go module proxy, as scripts/install-ferretdb.sh builds FerretDB: the workflows' jobs (a real
# MongoDB in service containers) cannot run here, so .ci/run at least proves them valid.
set -euo pipefail
version=v1.7.12
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.tools/bin/actionlint"
if [ -x "$out" ] && [[ "$("$out" -version 2>/dev/null)" == "$version"* ]]; then
  echo "actionlint $version already built: $out"
  exit 0
fi
command -v go >/dev/null || { echo "install-actionlint: Go is required (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
GOBIN="$(dirname "$out")" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
built=$("$out" -version)
echo "actionlint ${built%%$'\n'*}"
