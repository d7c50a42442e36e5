#!/usr/bin/env bash
# Stops every process up.sh started (by recorded pid, whole process group)
# and removes the state directory. Safe to run any number of times.
#   --keep-state  stop the processes but keep .cluster (logs) in place
#   --quiet       no progress output
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
STATE="${NIMBUSGUARD_CLUSTER_DIR:-$ROOT/.cluster}"
STATE="$(realpath -m -- "$STATE")"
KEEP=0
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --keep-state) KEEP=1 ;;
    --quiet) QUIET=1 ;;
    *) echo "usage: down.sh [--keep-state] [--quiet]" >&2; exit 2 ;;
  esac
done
log() { [[ $QUIET == 1 ]] || echo "[down] $*" >&2; }

if [[ -z "$STATE" || "$STATE" == "/" ]]; then
  echo "[down] refusing to use state directory '$STATE'" >&2
  exit 1
fi
if [[ ! -d "$STATE" ]]; then
  log "no cluster state at $STATE; nothing to stop"
  exit 0
fi

# A recorded pid is ours only if the process still runs with arguments that
# point into this state directory (guards against pid reuse after a crash).
ours() {
  local pid=$1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "$STATE"
}

# Reverse start order: clients first, etcd last.
ORDER=(prometheus nimbus-sim metrics-server kwok kube-scheduler kube-controller-manager kube-apiserver etcd)
declare -a PIDS=()
declare -a NAMES=()
for name in "${ORDER[@]}"; do
  f="$STATE/pids/$name.pid"
  [[ -f "$f" ]] || continue
  pid="$(cat "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || continue
  if ours "$pid"; then
    PIDS+=("$pid")
    NAMES+=("$name")
  fi
done

signal() { # sig pid: the process group up.sh created (setsid), else the pid
  kill -"$1" -- "-$2" 2>/dev/null || kill -"$1" "$2" 2>/dev/null || true
}

# stop TENTHS NAME... : SIGTERM, up to TENTHS/10 s grace, then SIGKILL.
stop() {
  local grace=$1
  shift
  local -a pids=() names=()
  local i name
  for name in "$@"; do
    for i in "${!NAMES[@]}"; do
      if [[ "${NAMES[$i]}" == "$name" ]]; then pids+=("${PIDS[$i]}"); names+=("$name"); fi
    done
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  log "stopping ${names[*]}"
  for i in "${!pids[@]}"; do signal TERM "${pids[$i]}"; done
  for _ in $(seq 1 "$grace"); do
    local left=0
    for i in "${!pids[@]}"; do ours "${pids[$i]}" && left=1; done
    [[ $left == 0 ]] && return 0
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if ours "${pids[$i]}"; then
      log "${names[$i]} (pid ${pids[$i]}) did not stop in time; killing it"
      signal KILL "${pids[$i]}"
    fi
  done
}
# Clients first, etcd last. The API server's graceful shutdown can wait on
# lingering connections for a minute; its state is disposable, so it gets a
# short grace period.
stop 50 prometheus nimbus-sim metrics-server kwok kube-scheduler kube-controller-manager
stop 20 kube-apiserver
stop 50 etcd

if [[ $KEEP == 1 ]]; then
  rm -f "$STATE/ready" "$STATE"/pids/*.pid
  log "stopped; state kept in $STATE"
else
  rm -rf "$STATE"
  log "stopped; removed $STATE"
fi
