# Sourced by scripts/cfn-lint.sh and scripts/checkov.sh: a pinned command from PyPI in a venv
# under .tools, and the made-up network options their templates are synthesized with.

# pypi_tool VENV PACKAGE VERSION installs PACKAGE==VERSION into VENV unless it is there. Run the
# tool as "VENV/bin/python VENV/bin/PACKAGE": the script's #! names the path the venv was made at,
# and .tools is shared by every worktree of the repository.
pypi_tool() {
  local venv=$1 package=$2 version=$3
  if ! "${venv}/bin/python" "${venv}/bin/${package}" --version 2>/dev/null | grep -q "${version}"; then
    echo "${package}: installing ${version} into ${venv}"
    python3 -m venv "${venv}"
    "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${package}==${version}"
  fi
}

# Made-up ids: synthesis looks nothing up.
# shellcheck disable=SC2034 # used by the scripts that source this one
SYNTH_NETWORK_OPTIONS=(-c vpcId=vpc-0123456789abcdef0
  -c subnetIds=subnet-0123456789abcdef0,subnet-0fedcba9876543210
  -c vpcEndpoints=true -c mongoTlsCaFile=tests/fixtures/synth-ca.pem)
