#!/usr/bin/env bash
# Deploys the stack with cdklocal to the LocalStack-compatible emulator at AWS_ENDPOINT_URL
# (LocalStack's default when unset) and writes its outputs to cdk-outputs.local.json, which
# `npm run send`, `npm run dlq`, `npm run test:e2e` and README.md ("Deploy to LocalStack") read.
#
#   npm run emulator                     # MiniStack: no Docker, no token (or: docker compose up -d --wait)
#   AWS_ENDPOINT_URL=http://localhost:4566 npm run deploy:local -- -c mongoUri=mongodb://127.0.0.1:27017/
#   npm run deploy:local -- -c consumerTimeoutSeconds=10   # more CDK context, e.g. a faster DLQ
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/localstack-env.sh
source scripts/localstack-env.sh
OUTPUTS="cdk-outputs.local.json"

require_emulator deploy:local
emulator=$(emulator_kind)
echo "deploy:local: deploying to ${emulator} at ${AWS_ENDPOINT_URL}"

# Synthesized once, before anything is created, so a bad setting stops here. The app reads
# DEPLOY_LOCAL_EMULATOR: MiniStack runs the Lambdas as processes on this machine, where the compose
# default MongoDB URI cannot resolve, so there the URI must be given (infra/stackPropsFromContext.ts).
DEPLOY_LOCAL_EMULATOR="${emulator}" npx cdklocal synth --quiet --no-notices -c target=local "$@"
# An explicit environment and no app: bootstrapping does not synthesize again.
npx cdklocal bootstrap --no-notices --app "" "aws://unknown-account/${AWS_REGION}"
npx cdklocal deploy --no-notices --require-approval never --app cdk.out \
  --outputs-file "${OUTPUTS}" "$@"
# Function URLs in a form this machine can call (infra/normalizeLocalOutputs.ts).
npx tsx infra/normalizeLocalOutputs.ts "${OUTPUTS}" "${AWS_ENDPOINT_URL}" "${emulator}"
echo "deploy:local: outputs written to ${OUTPUTS}"
