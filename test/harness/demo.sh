#!/usr/bin/env bash
# `npm run demo`: NimbusGuard in VS Code (code-server) against the local cluster, with demo workloads
# that are healthy, OOMKilled, stuck pulling an image, never ready, unschedulable, behind a Service
# that selects nothing, a failing Job, and one under a varying load (test/harness/demo/loadDriver.mjs).
#
# From a fresh clone: installs Node 24 and the npm dependencies when missing, packages the extension,
# starts the local cluster, applies test/harness/demo/workloads.yaml, then serves VS Code on
# http://127.0.0.1:${NIMBUSGUARD_DEMO_PORT:-8080}/ with test/harness/demo as the workspace.
# Ctrl-C (or SIGTERM) stops code-server and the cluster and leaves no process behind.
# `npm run demo -- --check` does everything, loads the workbench page once it serves, then stops
# cleanly with exit 0 (for scripted checks such as `npm run test:fresh`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
source "$repo/test/harness/cleanEnv.sh"
port="${NIMBUSGUARD_DEMO_PORT:-8080}"
check=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    *) echo "usage: npm run demo [-- --check]" >&2; exit 2 ;;
  esac
done
CACHE="${NIMBUSGUARD_CACHE:-$HOME/.cache/nimbusguard}"
state="$CACHE/demo"
kubeconfig="${NIMBUSGUARD_CLUSTER_DIR:-$repo/.cluster}/kubeconfig"
say() { printf '\033[1mdemo:\033[0m %s\n' "$*" >&2 || true; }

server_pid=""
driver_pid=""
cluster_started=0
cleaning=0
cleanup() {
  local status=$?
  [ "$cleaning" = 1 ] && return
  cleaning=1
  # Keep going whatever happens to the terminal: a closed pipe (`npm run demo | tee`) or a second Ctrl-C.
  set +e
  trap '' INT TERM PIPE HUP
  if [ -n "$driver_pid" ]; then
    say "stopping the load driver"
    kill -TERM "$driver_pid" 2>/dev/null
    wait "$driver_pid" 2>/dev/null
  fi
  if [ -n "$server_pid" ]; then
    say "stopping code-server"
    # code-server leads its own process group (setsid): the extension host and watchers go with it.
    kill -TERM -- "-$server_pid" 2>/dev/null
    for _ in $(seq 1 40); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL -- "-$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ "$cluster_started" = 1 ] && [ "${NIMBUSGUARD_KEEP_CLUSTER:-0}" != 1 ]; then
    say "stopping the cluster"
    mkdir -p "$state"
    bash "$repo/test/harness/cluster/down.sh" >"$state/cluster-down.log" 2>&1
    cat "$state/cluster-down.log" >&2 2>/dev/null
  fi
  if [ -n "$server_pid" ] || [ "$cluster_started" = 1 ]; then say "stopped"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
if port_in_use "$port"; then
  say "port $port on 127.0.0.1 is taken; set NIMBUSGUARD_DEMO_PORT to another port"
  exit 1
fi

node_bin="$(bash "$repo/test/harness/node.sh")"
export PATH="$node_bin:$PATH"
say "node $(node --version)"

# Native modules must build against the headers of the Node that runs them.
export npm_config_nodedir="$(dirname "$node_bin")"
if [ ! -d "$repo/node_modules" ] || [ "$repo/package-lock.json" -nt "$repo/node_modules/.package-lock.json" ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund
fi

say "packaging the extension"
npm run --silent package

say "preparing code-server"
launcher="$(bash "$repo/test/harness/vscode/install.sh")"

say "starting the local cluster"
cluster_started=1
bash "$repo/test/harness/cluster/up.sh"
if [ ! -f "$kubeconfig" ]; then
  say "the cluster did not write $kubeconfig"
  exit 1
fi

say "applying demo workloads"
node "$repo/test/harness/demo/apply.mjs" "$kubeconfig" "$repo/test/harness/demo/workloads.yaml" nimbusguard-admin

say "starting the load driver (demo-shop/storefront)"
mkdir -p "$state"
node "$repo/test/harness/demo/loadDriver.mjs" "$kubeconfig" --context nimbusguard-admin >"$state/load-driver.log" 2>&1 &
driver_pid=$!

mkdir -p "$state/user-data/User" "$state/extensions" "$state/xdg-config" "$state/xdg-data"
cat >"$state/user-data/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.colorTheme": "Default Dark Modern"
}
EOF
echo "auth: none" >"$state/config.yaml"

export KUBECONFIG="$kubeconfig"
export XDG_CONFIG_HOME="$state/xdg-config" XDG_DATA_HOME="$state/xdg-data"
code_server=(node "$launcher" --config "$state/config.yaml" --user-data-dir "$state/user-data" --extensions-dir "$state/extensions")

say "installing dist/nimbusguard.vsix"
"${code_server[@]}" --install-extension "$repo/dist/nimbusguard.vsix" --force >"$state/install-extension.log" 2>&1 || {
  cat "$state/install-extension.log" >&2
  exit 1
}

say "starting code-server"
setsid "${code_server[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$repo/test/harness/demo" \
  >"$state/code-server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    say "code-server exited; its log:"
    cat "$state/code-server.log" >&2
    exit 1
  fi
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$port/healthz"; then
    break
  fi
  sleep 0.5
done

if [ "$check" = 1 ]; then
  # The workbench page must come back, and the extension must have been installed into it.
  node -e 'fetch(process.argv[1]).then(async r=>{const t=await r.text();process.exit(r.ok&&t.includes("workbench")?0:1)},()=>process.exit(1))' \
    "http://127.0.0.1:$port/" || { say "the workbench page did not load"; exit 1; }
  ls "$state/extensions" | grep -q '^nimbusguard\.' || { say "the extension is not installed"; exit 1; }
  for _ in $(seq 1 40); do grep -q 'load-cpu=' "$state/load-driver.log" 2>/dev/null && break; sleep 0.25; done
  grep -q 'load-cpu=' "$state/load-driver.log" || { say "the load driver did not set a load:"; cat "$state/load-driver.log" >&2; exit 1; }
  say "demo is serving on http://127.0.0.1:$port/ with the extension installed; --check stops it now"
  exit 0
fi

say "NimbusGuard demo is running"
cat >&2 <<EOF

    Open        http://127.0.0.1:$port/
    KUBECONFIG  $kubeconfig (context nimbusguard-admin)
    Workloads   namespaces demo-shop and demo-batch
    Load        demo-shop/storefront, rewritten every 15 s ($state/load-driver.log)
    Logs        $state/code-server.log
    What to do  test/harness/demo/README.md

    Press Ctrl-C to stop code-server and the cluster.

EOF
echo "http://127.0.0.1:$port/"

wait "$server_pid" || true
server_pid=""
say "code-server exited; see $state/code-server.log"
exit 1
