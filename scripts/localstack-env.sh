# Sourced by deploy-local.sh and destroy-local.sh: the environment cdklocal needs to reach a
# LocalStack-compatible emulator, defined once, and the checks both scripts run before using it.
#
# AWS_ENDPOINT_URL names the emulator, at any host and port (LocalStack, or MiniStack from
# `npm run emulator`); unset, LocalStack's default http://localhost.localstack.cloud:4566.
if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
  ENDPOINT_SOURCE="AWS_ENDPOINT_URL"
else
  ENDPOINT_SOURCE="AWS_ENDPOINT_URL unset: LocalStack's default"
fi
AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:${LOCALSTACK_PORT:-4566}}"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL%/}"
# S3 at the same endpoint, addressed path-style (http://host:port/bucket/key), so publishing the
# assets needs no bucket subdomain and no DNS. cdklocal refuses AWS_ENDPOINT_URL without
# AWS_ENDPOINT_URL_S3; CDK_S3_FORCE_PATH_STYLE is the CDK CLI's switch (aws/aws-cdk-cli#1625), the
# one LocalStack's own CLI sets for `cdk` (localstack/lstk#497).
export AWS_ENDPOINT_URL_S3="${AWS_ENDPOINT_URL_S3:-$AWS_ENDPOINT_URL}"
export CDK_S3_FORCE_PATH_STYLE=1
# cdklocal drops AWS_* settings (profiles, keys) so nothing reaches real AWS; keep the region.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_REGION}"
export AWS_ENVAR_ALLOWLIST="AWS_REGION,AWS_DEFAULT_REGION"

# Exits with one line, within seconds, unless a LocalStack-compatible emulator answers its health
# check at AWS_ENDPOINT_URL. $1: the command, for the message.
require_emulator() {
  local error
  if ! error=$(curl -fsS -o /dev/null --connect-timeout 3 --max-time 5 \
    "${AWS_ENDPOINT_URL}/_localstack/health" 2>&1); then
    echo "$1: no LocalStack-compatible emulator answers at ${AWS_ENDPOINT_URL} (${ENDPOINT_SOURCE}; ${error#curl: }). Start one with \`npm run emulator\` (MiniStack: no Docker, no token) or \`docker compose up -d --wait\` (LocalStack), or set AWS_ENDPOINT_URL to yours." >&2
    exit 1
  fi
}

# Prints `ministack` or `localstack`: MiniStack also answers /_ministack/health, LocalStack does not.
emulator_kind() {
  if curl -fsS -o /dev/null --max-time 5 "${AWS_ENDPOINT_URL}/_ministack/health" 2>/dev/null; then
    echo ministack
  else
    echo localstack
  fi
}
