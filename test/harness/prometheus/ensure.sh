#!/usr/bin/env bash
# Makes sure Debian's `prometheus` package is installed and prints the path of its binary.
# The package's own service must never start (it would listen on every interface): while
# apt-get runs, a policy-rc.d that forbids service starts is put in place unless one exists.
set -euo pipefail

log() { echo "[prometheus] $*" >&2; }

if command -v prometheus >/dev/null 2>&1; then
  command -v prometheus
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Written by NimbusGuard test harness while installing prometheus.\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  added_policy=1
fi
remove_policy() { if [ "$added_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap remove_policy EXIT

log "installing Debian package prometheus"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus >&2; then
  "${sudo[@]}" apt-get update -q >&2
  "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus >&2
fi
# Some images start the service from the package scripts anyway (no policy-rc.d honoured):
# stop it so nothing listens on all interfaces.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
command -v prometheus >/dev/null 2>&1 || { log "prometheus is still missing after apt-get install"; exit 1; }
command -v prometheus
