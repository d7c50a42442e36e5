#!/usr/bin/env bash
# Ensures the pinned code-server (VS Code in a browser) and headless Chromium are available for the
# e2e tests and the demo, and prints the code-server launcher path.
#
# code-server is installed from the npm registry into ~/.cache/nimbusguard/code-server-<version>/,
# running npm under the pinned Node 24 so its native modules (argon2, node-pty, @vscode/spdlog,
# kerberos, ...) are compiled against Node 24's headers. A finished install leaves a stamp file, so
# later runs only check it and return.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
CACHE="${NIMBUSGUARD_CACHE:-$HOME/.cache/nimbusguard}"
prefix="$CACHE/code-server-$CODE_SERVER_VERSION"
stamp="$prefix/.installed"
log() { echo "vscode-install: $*" >&2; }
# shellcheck source=../cleanEnv.sh
source "$here/../cleanEnv.sh"

# Debian packages: Chromium for Playwright, and the headers code-server's native modules build with.
ensure_debs() {
  local wanted=(chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev pkg-config build-essential python3)
  local missing=()
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

ensure_debs

node_bin="$(bash "$repo/test/harness/node.sh")"
node_dir="$(dirname "$node_bin")"
launcher="$prefix/node_modules/code-server/out/node/entry.js"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$CODE_SERVER_VERSION $("$node_bin/node" --version)" ] && [ -f "$launcher" ]; then
  echo "$launcher"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION into $prefix (first time takes several minutes)"
start=$(date +%s)
rm -rf "$prefix"
mkdir -p "$prefix"
# npm 11 runs dependency install scripts only when package.json allows them. code-server's
# postinstall installs VS Code's own dependencies, whose package.json files carry their own lists.
cat >"$prefix/package.json" <<EOF
{
  "name": "nimbusguard-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server@$CODE_SERVER_VERSION": true, "argon2": true }
}
EOF
# A private npmrc keeps the user's nodedir (system Node headers) out of the native builds.
cat >"$prefix/.npmrc" <<EOF
fund=false
audit=false
update-notifier=false
EOF
(
  cd "$prefix"
  export PATH="$node_bin:$PATH"
  export npm_config_userconfig="$prefix/.npmrc"
  export npm_config_nodedir="$node_dir"
  export JOBS=2
  npm install --no-package-lock --omit=dev >&2
)
# The postinstall is what builds VS Code's server modules; make sure it really ran.
vscode_modules="$prefix/node_modules/code-server/lib/vscode/node_modules"
if [ ! -f "$vscode_modules/@vscode/spdlog/build/Release/spdlog.node" ] \
  || [ ! -f "$vscode_modules/kerberos/build/Release/kerberos.node" ]; then
  log "code-server's postinstall did not build VS Code's native modules"
  exit 1
fi
# Start it once on a free port and wait for its health endpoint before declaring the cache good.
smoke="$(mktemp -d)"
port="$("$node_bin/node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"$node_bin/node" "$launcher" --config "$smoke/config.yaml" --auth none --bind-addr "127.0.0.1:$port" \
  --user-data-dir "$smoke/user" --extensions-dir "$smoke/ext" --disable-telemetry --disable-update-check \
  "$smoke" >"$smoke/log" 2>&1 &
pid=$!
healthy=0
for _ in $(seq 1 60); do
  if "$node_bin/node" -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
    "http://127.0.0.1:$port/healthz"; then healthy=1; break; fi
  sleep 0.5
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
if [ "$healthy" != 1 ]; then
  log "code-server did not answer on 127.0.0.1:$port; its log:"
  cat "$smoke/log" >&2
  rm -rf "$smoke"
  exit 1
fi
rm -rf "$smoke"
echo "$CODE_SERVER_VERSION $("$node_bin/node" --version)" >"$stamp"
log "code-server $CODE_SERVER_VERSION ready in $(($(date +%s) - start))s"
echo "$launcher"
