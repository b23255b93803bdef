# Sourced by deploy-local.sh and destroy-local.sh: the environment cdklocal needs to reach
# LocalStack, defined once.
PORT="${LOCALSTACK_PORT:-4566}"
# cdklocal needs both endpoints when one is set; *.localhost.localstack.cloud resolves to 127.0.0.1.
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:${PORT}}"
export AWS_ENDPOINT_URL_S3="${AWS_ENDPOINT_URL_S3:-http://s3.localhost.localstack.cloud:${PORT}}"
# cdklocal drops AWS_* settings (profiles, keys) so nothing reaches real AWS; keep the region.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_REGION}"
export AWS_ENVAR_ALLOWLIST="AWS_REGION,AWS_DEFAULT_REGION"
