#!/usr/bin/env bash
# `npm run test:fresh`: proves that a new machine can run the project. Clones the committed HEAD into
# a scratch folder, points NIMBUSGUARD_CACHE (pinned Node, Go-built control plane, code-server) at an
# empty folder, then runs `npm test` and `npm run demo -- --check` there and prints how long each took.
# The npm and Go download caches are shared with the machine, as a developer's would be.
#
# Usage: bash test/harness/fresh.sh [CACHE_DIR]   (CACHE_DIR must be empty or absent; default: a
# scratch folder that is removed afterwards)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$repo/test/harness/cleanEnv.sh"
say() { printf 'fresh: %s\n' "$*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/nimbusguard-fresh.XXXXXX")"
cache="${1:-$work/cache}"
if [ -d "$cache" ] && [ -n "$(ls -A "$cache")" ]; then
  say "$cache is not empty; give an empty or absent folder"
  exit 2
fi
mkdir -p "$cache"
keep_cache=0
[ -n "${1:-}" ] && keep_cache=1
cleanup() {
  if [ "$keep_cache" = 1 ]; then rm -rf "$work/clone" "$work/shared"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Laid out as CI lays it: the clone, with the shared benchmark traces and design folder beside it.
git clone --quiet --no-local "$repo" "$work/clone"
[ -d "$repo/../shared" ] && cp -r "$repo/../shared" "$work/shared"
cd "$work/clone"
say "clone of $(git rev-parse --short HEAD) in $work/clone, empty cache $cache"
export NIMBUSGUARD_CACHE="$cache"
unset NIMBUSGUARD_CLUSTER_DIR

started=$(date +%s)
status=0
npm test || status=$?
test_seconds=$(($(date +%s) - started))
say "npm test: exit $status after ${test_seconds}s"
[ "$status" = 0 ] || exit "$status"

started=$(date +%s)
npm run demo -- --check || status=$?
demo_seconds=$(($(date +%s) - started))
say "npm run demo -- --check: exit $status after ${demo_seconds}s"
printf '\nfresh clone, empty cache: npm test %ss, npm run demo --check %ss\n' "$test_seconds" "$demo_seconds"
exit "$status"
