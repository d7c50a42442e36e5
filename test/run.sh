#!/usr/bin/env bash
# `npm test`: brings the toolchain up from nothing (pinned Node, npm packages), then runs the test
# layers. Usage: test/run.sh [unit|cluster|e2e ...] (default: all three).
set -euo pipefail
cd "$(dirname "$0")/.."
source test/harness/cleanEnv.sh
nodebin="$(bash test/harness/node.sh)"
export PATH="$nodebin:$PATH"
# Native modules must build against the headers of the Node that runs them.
export npm_config_nodedir="$(dirname "$nodebin")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
exec node test/run.mjs "$@"
