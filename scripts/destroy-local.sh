#!/usr/bin/env bash
# Removes the LocalStack deployment made by deploy-local.sh (the containers keep running:
# `docker compose down -v` stops them and drops their data).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/localstack-env.sh
source scripts/localstack-env.sh

npx cdklocal destroy --no-notices --force -c target=local "$@"
rm -f cdk-outputs.local.json
echo "destroy:local: stack removed"
