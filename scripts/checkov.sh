#!/usr/bin/env bash
# Scans the synthesized CloudFormation templates with checkov (from PyPI): the default one, and
# two with every option together (a created key, then an existing one by ARN), each also checked
# by every cdk-nag pack (-c compliance=all) while it is synthesized. docs/security.md lists the
# findings the stack accepts, and why.
#
#   bash scripts/checkov.sh
#
# checkov is installed into .tools/checkov-venv on first use (python3 -m venv). Exits non-zero on
# any failed check, any parsing error, and any skip without a reason (a Metadata.checkov.skip entry
# without a comment). Needs no network: --skip-download keeps checkov off Prisma Cloud.
set -euo pipefail

cd "$(dirname "$0")/.."
CHECKOV_VERSION="3.3.30"
VENV=".tools/checkov-venv"
STACK="${STACK_NAME:-OrderProcessing}"

source scripts/pypi-tool.sh
pypi_tool "${VENV}" checkov "${CHECKOV_VERSION}"
checkov() { "${VENV}/bin/python" "${VENV}/bin/checkov" "$@"; }

templates=$(mktemp -d)
trap 'rm -rf "${templates}"' EXIT
# A made-up key (in the region the templates are synthesized for). kmsKeyArn replaces the key the
# stack makes, securityGroupIds its security group, aws-iam the secret, so the two templates hold
# every resource the options add between them.
network=("${SYNTH_NETWORK_OPTIONS[@]}"
  -c mongoAuth=aws-iam -c mongoUri=mongodb+srv://cluster0.example.mongodb.net/)
everything=("${network[@]}" -c tracing=active -c functionUrlAuth=AWS_IAM -c alarmEmail=ops@example.com
  -c compliance=all)
key_arn="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

status=0
scan() {
  local name=$1
  shift
  echo "checkov: synthesizing ${STACK}${*:+ with $*}"
  # Synthesis (cdk-nag included) prints only when it fails.
  if ! AWS_REGION=eu-west-1 npx cdk synth --quiet --no-notices --output "${templates}/${name}" \
    "${STACK}" "$@" >"${templates}/${name}.log" 2>&1; then
    cat "${templates}/${name}.log"
    echo "checkov: synthesis failed" >&2
    exit 1
  fi
  local template="${templates}/${name}/${STACK}.template.json"
  # Exit status 1 means failed checks, which the report below shows; anything else is checkov's own.
  checkov -f "${template}" --framework cloudformation --skip-download \
    -o json >"${templates}/${name}.json" || [ $? -eq 1 ]
  node -e '
    const [file, name] = process.argv.slice(1);
    const { results, summary } = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const unreasoned = results.skipped_checks.filter((c) => {
      const comment = (c.check_result.suppress_comment ?? "").trim();
      return comment === "" || comment === "No comment provided";
    });
    const line = (c) => `  ${c.check_id} ${c.resource}: ${c.check_name}`;
    console.log(`checkov: ${name}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (all with a reason: ${unreasoned.length === 0 ? "yes" : "no"}), ${summary.parsing_errors} parsing errors`);
    for (const c of results.failed_checks) console.log(`FAILED${line(c)}`);
    for (const c of unreasoned) console.log(`SKIPPED WITHOUT A REASON${line(c)}`);
    process.exit(summary.failed + unreasoned.length + summary.parsing_errors === 0 ? 0 : 1);
  ' "${templates}/${name}.json" "${name}" || status=1
}

scan default
scan all-options-created-key "${everything[@]}" -c encryption=kms
scan all-options-given-key "${everything[@]}" -c kmsKeyArn="${key_arn}" -c securityGroupIds=sg-0123456789abcdef0 \
  -c healthReservedConcurrency=none

[ "${status}" -eq 0 ] || { echo "checkov: failed"; exit 1; }
echo "checkov: no failed check, every skip with a reason"
