#!/usr/bin/env bash
# Deploys the stack to LocalStack with cdklocal and writes its outputs to cdk-outputs.local.json,
# which `npm run test:e2e` and the commands in README.md ("Deploy to LocalStack") read.
#
#   docker compose up -d --wait        # LocalStack + MongoDB (needs LOCALSTACK_AUTH_TOKEN)
#   npm run deploy:local               # bootstrap (first time) + deploy
#   npm run deploy:local -- -c consumerTimeoutSeconds=10   # extra CDK context, e.g. faster DLQ
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/localstack-env.sh
source scripts/localstack-env.sh
OUTPUTS="cdk-outputs.local.json"

echo "deploy:local: waiting for LocalStack at ${AWS_ENDPOINT_URL}"
deadline=$((SECONDS + 120))
until curl -fsS "${AWS_ENDPOINT_URL}/_localstack/health" >/dev/null 2>&1; do
  if [ "${SECONDS}" -ge "${deadline}" ]; then
    echo "deploy:local: LocalStack does not answer at ${AWS_ENDPOINT_URL}." >&2
    echo "  Start it with: docker compose up -d --wait   (LOCALSTACK_AUTH_TOKEN must be set)" >&2
    exit 1
  fi
  sleep 2
done

npx cdklocal bootstrap --no-notices -c target=local
npx cdklocal deploy --no-notices --require-approval never -c target=local \
  --outputs-file "${OUTPUTS}" "$@"
# Function URLs in the form LocalStack serves them (handled in code: infra/localStackFunctionUrl.ts).
npx tsx infra/normalizeLocalOutputs.ts "${OUTPUTS}" "${AWS_ENDPOINT_URL}"
echo "deploy:local: outputs written to ${OUTPUTS}"
