#!/usr/bin/env bash
# Runs MiniStack (PyPI `ministack`, MIT), a LocalStack-compatible emulator that needs neither Docker
# nor a token, in the foreground on 127.0.0.1:${EMULATOR_PORT:-4566}. Ctrl-C (or SIGTERM) stops it
# and every process it started: its Lambdas run as Node.js processes in its process group.
#
#   npm run emulator                 # then, in another terminal:
#   export AWS_ENDPOINT_URL=http://localhost:4566
#   npm run deploy:local -- -c mongoUri=mongodb://127.0.0.1:27017/
#
# Installed on first use into .tools/ministack (python3 -m venv). State lives in memory: deploy
# again after a restart.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
MINISTACK_VERSION="1.5.33"
venv="${root}/.tools/ministack"
port="${EMULATOR_PORT:-4566}"
# The Node that runs npm (npm's devEngines make it Node 24), else the first on PATH.
node="${npm_node_execpath:-$(command -v node || true)}"

fail() {
  echo "emulator: $*" >&2
  exit 1
}

command -v python3 >/dev/null ||
  fail "Python 3 is required to run MiniStack and python3 is not on PATH (e.g. apt-get install python3 python3-venv)."
# MiniStack runs Node.js handlers with the first `node` on its PATH: Node 24, the version of the
# functions' nodejs24.x runtime.
[[ -n "${node}" && "$("${node}" --version 2>/dev/null)" == v24.* ]] ||
  fail "Node 24 is required for the Lambdas (.nvmrc): run this with Node 24 first on PATH."
node_bin=$(dirname "${node}")
if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
  fail "port ${port} is in use (another emulator?): stop it, or choose another with EMULATOR_PORT."
fi

installed=$("${venv}/bin/python" -c \
  'import importlib.metadata as m; print(m.version("ministack"))' 2>/dev/null || true)
if [ "${installed}" != "${MINISTACK_VERSION}" ]; then
  echo "emulator: installing MiniStack ${MINISTACK_VERSION} into .tools/ministack (one time)"
  python3 -m venv "${venv}" ||
    fail "python3 -m venv failed: install Python's venv module (e.g. apt-get install python3-venv)."
  "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check \
    "ministack==${MINISTACK_VERSION}" || fail "could not install ministack==${MINISTACK_VERSION} from PyPI."
fi

# MiniStack unpacks each function under TMPDIR. It has no runtime AWS SDK: local deployments
# bundle the SDK clients the nodejs24.x runtime would provide (infra/lambdaBundling.ts).
work=$(mktemp -d "${TMPDIR:-/tmp}/order-service-emulator.XXXXXX")
mkdir -p "${work}/lambda"

# A clean environment: no AWS_* settings (MiniStack's own advice) and none of the caller's, which
# its Lambda processes would otherwise inherit. setsid gives it a process group of its own, which
# every worker it starts joins, so one signal to the group stops them all.
env -i PATH="${node_bin}:${PATH}" HOME="${HOME:-/tmp}" TMPDIR="${work}/lambda" \
  GATEWAY_PORT="${port}" BIND_HOST=127.0.0.1 LOG_LEVEL=INFO \
  "${venv}/bin/python" -c 'import os, sys; os.setsid(); os.execv(sys.argv[1], sys.argv[1:])' \
  "${venv}/bin/python" "${venv}/bin/ministack" &
pid=$!

# Processes of the group still running (zombies left for their parent to reap are not).
group_alive() {
  ps -A -o pgid=,stat= | awk -v group="${pid}" '$1 == group && $2 !~ /^Z/ { n++ } END { exit n == 0 }'
}

stop() {
  trap - INT TERM EXIT
  kill -TERM -- "-${pid}" 2>/dev/null || true
  for _ in $(seq 50); do
    group_alive || break
    sleep 0.2
  done
  if group_alive; then
    echo "emulator: processes left after 10 s; killing them" >&2
    kill -KILL -- "-${pid}" 2>/dev/null || true
  fi
  wait "${pid}" 2>/dev/null || true
  rm -rf "${work}"
  if group_alive; then
    echo "emulator: some of MiniStack's processes are still running (process group ${pid})" >&2
    exit 1
  fi
  echo "emulator: MiniStack stopped, and every process it started"
}
# Stopped on purpose: a clean stop is a success.
trap 'stop; exit 0' INT TERM
trap stop EXIT

for _ in $(seq 150); do
  if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${port}/_localstack/health" 2>/dev/null; then
    echo "emulator: MiniStack ${MINISTACK_VERSION} on http://localhost:${port} (pid ${pid}; Lambdas on Node $("${node}" --version)). Ctrl-C stops it."
    echo "emulator: next: export AWS_ENDPOINT_URL=http://localhost:${port}; npm run deploy:local -- -c mongoUri=mongodb://127.0.0.1:27017/"
    break
  fi
  kill -0 "${pid}" 2>/dev/null || break
  sleep 0.2
done

status=0
wait "${pid}" || status=$?
exit "${status}"
