#!/usr/bin/env bash
# Removes the deployment made by deploy-local.sh from the emulator at AWS_ENDPOINT_URL (the
# emulator keeps running: Ctrl-C stops `npm run emulator`; `docker compose down -v` stops
# LocalStack and drops its data).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/localstack-env.sh
source scripts/localstack-env.sh

require_emulator destroy:local
npx cdklocal destroy --no-notices --force -c target=local "$@"
rm -f cdk-outputs.local.json
echo "destroy:local: stack removed"
