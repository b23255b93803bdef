#!/usr/bin/env bash
# Validates the synthesized CloudFormation templates with cfn-lint (from PyPI): the default one,
# and the ones with the VPC, CA and IAM options (docs/deployment.md, "Where MongoDB runs").
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

if ! "${VENV}/bin/cfn-lint" --version 2>/dev/null | grep -q "${CFN_LINT_VERSION}"; then
  echo "cfn-lint: installing ${CFN_LINT_VERSION} into ${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check "cfn-lint==${CFN_LINT_VERSION}"
fi

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
  "${VENV}/bin/cfn-lint" --non-zero-exit-code error --ignore-checks W3005 -- "$1"
}

lint "${TEMPLATE}"

if [ "${CFN_LINT_SKIP_SYNTH:-0}" != "1" ]; then
  variants=$(mktemp -d)
  trap 'rm -rf "${variants}"' EXIT
  # Made-up ids: synthesis looks nothing up. securityGroupIds replaces the group the stack makes,
  # and aws-iam the secret, so two templates hold every resource the options add.
  network=(-c vpcId=vpc-0123456789abcdef0 -c subnetIds=subnet-0123456789abcdef0,subnet-0fedcba9876543210
    -c vpcEndpoints=true -c mongoTlsCaFile=tests/fixtures/synth-ca.pem)
  synth_variant() {
    local name=$1
    shift
    echo "cfn-lint: synthesizing ${STACK} with $*"
    npx cdk synth --quiet --no-notices --output "${variants}/${name}" "${STACK}" "$@" >/dev/null
    lint "${variants}/${name}/${STACK}.template.json"
  }
  synth_variant all-options "${network[@]}" -c mongoAuth=aws-iam \
    -c mongoUri=mongodb+srv://cluster0.example.mongodb.net/
  synth_variant own-security-groups "${network[@]}" -c securityGroupIds=sg-0123456789abcdef0
fi
echo "cfn-lint: no errors"
