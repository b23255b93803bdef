#!/usr/bin/env bash
# Removes the LocalStack deployment made by deploy-local.sh (the containers keep running:
# `docker compose down -v` stops them and drops their data).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${LOCALSTACK_PORT:-4566}"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:${PORT}}"
export AWS_ENDPOINT_URL_S3="${AWS_ENDPOINT_URL_S3:-http://s3.localhost.localstack.cloud:${PORT}}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_REGION}"
export AWS_ENVAR_ALLOWLIST="AWS_REGION,AWS_DEFAULT_REGION"

npx cdklocal destroy --no-notices --force -c target=local "$@"
rm -f cdk-outputs.local.json
echo "destroy:local: stack removed"
