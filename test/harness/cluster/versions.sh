# Pinned upstream versions for the simulated cluster. Sourced by build.sh and
# up.sh. Each pin must match the corresponding go/<component>/go.mod; build.sh
# refuses to build when they disagree so the cache key never lies.
K8S_VERSION=v1.34.4
K8S_BUILD_DATE=2026-02-10T12:53:36Z
ETCD_VERSION=v3.6.5
KWOK_VERSION=v0.7.0
METRICS_SERVER_VERSION=v0.7.2
