#!/usr/bin/env bash
# Builds the pinned control-plane binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok, metrics-server) plus the
# harness's own pod simulator from the Go module proxy into
#   ~/.cache/nimbusguard/k8s/<pin-hash>/bin
# The pin hash covers every input that changes the upstream binaries (wrapper
# go.mod/go.sum, wrapper sources, versions, flags, Go toolchain), so a second
# run is a no-op. The simulator is rebuilt on its own when its sources change.
#
# Usage: bash test/harness/cluster/build.sh [--quiet]
# Prints the absolute bin directory as the last line on stdout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

QUIET=0
[[ "${1:-}" == "--quiet" ]] && QUIET=1
log() { [[ $QUIET == 1 ]] || echo "[build] $*" >&2; }
die() { echo "[build] ERROR: $*" >&2; exit 1; }

# Bump when the way binaries are built changes (flags, layout).
RECIPE=1

find_go() {
  if [[ -n "${GO:-}" ]]; then echo "$GO"; return; fi
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  for c in /usr/local/go/bin/go "$HOME/go/bin/go" "$HOME/sdk/go/bin/go"; do
    [[ -x "$c" ]] && { echo "$c"; return; }
  done
  die "no Go toolchain found (need Go >= 1.24; set GO=/path/to/go)"
}
GO="$(find_go)"
GO_VERSION="$("$GO" env GOVERSION)"
case "$GO_VERSION" in
  go1.2[4-9]*|go1.[3-9][0-9]*) ;;
  *) die "Go >= 1.24 required, found $GO_VERSION at $GO" ;;
esac

MODS="$HERE/go"
check_pin() { # module-dir module-path version
  grep -qE "^(require )?[[:space:]]*$2 $3( |\$)" "$MODS/$1/go.mod" \
    || die "$MODS/$1/go.mod does not require $2 $3 (versions.sh and go.mod disagree)"
}
check_pin kubernetes k8s.io/kubernetes "$K8S_VERSION"
check_pin etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
check_pin kwok sigs.k8s.io/kwok "$KWOK_VERSION"
check_pin metrics-server sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION"

hash_files() { sha256sum "$@" | sha256sum | cut -c1-16; }

PIN_HASH="$(
  {
    echo "recipe=$RECIPE go=$GO_VERSION os=$("$GO" env GOOS) arch=$("$GO" env GOARCH)"
    echo "k8s=$K8S_VERSION date=$K8S_BUILD_DATE etcd=$ETCD_VERSION kwok=$KWOK_VERSION ms=$METRICS_SERVER_VERSION"
    cd "$MODS" && sha256sum kubernetes/go.* kubernetes/*.go etcd/go.* etcd/*.go \
      kwok/go.* kwok/*.go metrics-server/go.* metrics-server/*.go
  } | sha256sum | cut -c1-16
)"
CACHE_ROOT="${NIMBUSGUARD_CACHE:-$HOME/.cache/nimbusguard}/k8s"
OUT="$CACHE_ROOT/$PIN_HASH"
BIN="$OUT/bin"
mkdir -p "$BIN"

export CGO_ENABLED=0 GOFLAGS="-mod=readonly" GOTOOLCHAIN=local
GOBUILD=("$GO" build -trimpath)

# Serialise concurrent builds of the same pin (e.g. two `up` at once).
exec 9>"$OUT/.lock"
flock 9

UPSTREAM=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok metrics-server)
upstream_ok() {
  [[ -f "$OUT/.complete" ]] || return 1
  for b in "${UPSTREAM[@]}"; do [[ -x "$BIN/$b" ]] || return 1; done
}

timed() { # name cmd...
  local start=$SECONDS
  log "building $1 ..."
  shift
  "$@" || die "build failed: $*"
  log "  done in $((SECONDS - start))s"
}

if upstream_ok; then
  log "upstream binaries up to date ($PIN_HASH)"
else
  rm -f "$OUT/.complete"
  total_start=$SECONDS
  K8S_MINOR="${K8S_VERSION#v1.}"; K8S_MINOR="${K8S_MINOR%%.*}"
  vflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    vflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR"
    vflags+=" -X $pkg.gitTreeState=clean -X $pkg.gitCommit= -X $pkg.buildDate=$K8S_BUILD_DATE"
  done
  (cd "$MODS/kubernetes" && timed "kube-apiserver kube-controller-manager kube-scheduler ($K8S_VERSION)" \
    "${GOBUILD[@]}" -ldflags "-s -w$vflags" -o "$BIN/" \
      k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler)
  (cd "$MODS/etcd" && timed "etcd ($ETCD_VERSION)" \
    "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/etcd" .)
  (cd "$MODS/kwok" && timed "kwok ($KWOK_VERSION)" \
    "${GOBUILD[@]}" -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S_VERSION#v}" \
      -o "$BIN/kwok" sigs.k8s.io/kwok/cmd/kwok)
  msv="-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION -X k8s.io/client-go/pkg/version.gitCommit= -X k8s.io/client-go/pkg/version.buildDate=$K8S_BUILD_DATE"
  (cd "$MODS/metrics-server" && timed "metrics-server ($METRICS_SERVER_VERSION)" \
    "${GOBUILD[@]}" -ldflags "-s -w $msv" -o "$BIN/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server)
  cat >"$OUT/versions.txt" <<EOF
kubernetes $K8S_VERSION
etcd $ETCD_VERSION
kwok $KWOK_VERSION
metrics-server $METRICS_SERVER_VERSION
go $GO_VERSION
EOF
  touch "$OUT/.complete"
  log "upstream binaries built in $((SECONDS - total_start))s"
fi

# The simulator is ours and changes more often than the pins; key it on its
# own sources so editing it never triggers an upstream rebuild.
SIM_HASH="$(cd "$MODS/sim" && hash_files go.mod go.sum $(find . -name '*.go' | sort))"
if [[ -x "$BIN/nimbus-sim" && "$(cat "$BIN/.nimbus-sim.hash" 2>/dev/null)" == "$SIM_HASH" ]]; then
  log "nimbus-sim up to date"
else
  (cd "$MODS/sim" && timed "nimbus-sim" "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/nimbus-sim.tmp" .)
  mv -f "$BIN/nimbus-sim.tmp" "$BIN/nimbus-sim"
  echo "$SIM_HASH" >"$BIN/.nimbus-sim.hash"
fi

log "binaries in $BIN"
echo "$BIN"
