#!/usr/bin/env bash
# Runs FerretDB (MongoDB wire protocol on SQLite) in the foreground on 127.0.0.1:${FERRETDB_PORT:-27017},
# data in .tools/ferretdb-data. Then: MONGO_URI=mongodb://127.0.0.1:27017/ npm test
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-ferretdb.sh"
data="$root/.tools/ferretdb-data"
mkdir -p "$data"
exec "$root/.tools/bin/ferretdb" --handler=sqlite --sqlite-url="file:$data/" \
  --listen-addr="127.0.0.1:${FERRETDB_PORT:-27017}" --state-dir="$data" --telemetry=disable --debug-addr=- --log-level=warn
