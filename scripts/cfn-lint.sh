#!/usr/bin/env bash
# Validates the synthesized CloudFormation templates with cfn-lint (from PyPI): the default one,
# and the ones with the VPC, CA and IAM options (docs/deployment.md, "Where MongoDB runs"), the
# customer-managed key and tracing.
#
#   bash scripts/cfn-lint.sh          # synthesizes (no Docker, no AWS credentials), then lints
#   CFN_LINT_SKIP_SYNTH=1 bash …      # lints the template already in cdk.out, and only that one
#
# cfn-lint is installed into .tools/venv on first use (python3 -m venv); exits non-zero when
# cfn-lint reports an error (warnings and informational findings are printed, not fatal).
set -euo pipefail

cd "$(dirname "$0")/.."
CFN_LINT_VERSION="1.58.0"
VENV=".tools/venv"
STACK="${STACK_NAME:-OrderProcessing}"
TEMPLATE="cdk.out/${STACK}.template.json"

source scripts/pypi-tool.sh
pypi_tool "${VENV}" cfn-lint "${CFN_LINT_VERSION}"
cfn_lint() { "${VENV}/bin/python" "${VENV}/bin/cfn-lint" "$@"; }

if [ "${CFN_LINT_SKIP_SYNTH:-0}" != "1" ]; then
  echo "cfn-lint: synthesizing ${STACK}"
  npx cdk synth --quiet --no-notices "${STACK}" >/dev/null
fi

if [ ! -f "${TEMPLATE}" ]; then
  echo "cfn-lint: ${TEMPLATE} not found; run without CFN_LINT_SKIP_SYNTH, or set STACK_NAME" >&2
  exit 1
fi

lint() {
  echo "cfn-lint: linting $1"
  # W3005: CDK makes each function DependsOn its role's policy as well as the role it already
  # references; the redundant DependsOn on the role is CDK's doing and harmless.
  cfn_lint --non-zero-exit-code error --ignore-checks W3005 -- "$1"
}

lint "${TEMPLATE}"

if [ "${CFN_LINT_SKIP_SYNTH:-0}" != "1" ]; then
  variants=$(mktemp -d)
  trap 'rm -rf "${variants}"' EXIT
  # securityGroupIds replaces the group the stack makes, and aws-iam the secret, so two templates
  # hold every resource the options add.
  network=("${SYNTH_NETWORK_OPTIONS[@]}")
  synth_variant() {
    local name=$1
    shift
    echo "cfn-lint: synthesizing ${STACK} with $*"
    npx cdk synth --quiet --no-notices --output "${variants}/${name}" "${STACK}" "$@" >/dev/null
    lint "${variants}/${name}/${STACK}.template.json"
  }
  synth_variant all-options "${network[@]}" -c mongoAuth=aws-iam \
    -c mongoUri=mongodb+srv://cluster0.example.mongodb.net/ -c encryption=kms -c tracing=active
  synth_variant own-security-groups "${network[@]}" -c securityGroupIds=sg-0123456789abcdef0
fi
echo "cfn-lint: no errors"
