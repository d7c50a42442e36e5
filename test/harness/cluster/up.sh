#!/usr/bin/env bash
# Starts the simulated cluster (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok, metrics-server, nimbus-sim, prometheus) on free loopback ports.
# All state lives in <repo>/.cluster (override with NIMBUSGUARD_CLUSTER_DIR).
# Returns once the API answers, the nodes are Ready, the default
# ServiceAccount exists and metrics.k8s.io is served. Idempotent.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
STATE="${NIMBUSGUARD_CLUSTER_DIR:-$ROOT/.cluster}"
STATE="$(realpath -m -- "$STATE")"
NODES="${NIMBUSGUARD_NODES:-2}"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

log() { echo "[up] $*" >&2; }

summary() {
  # shellcheck disable=SC1091
  source "$STATE/ports.env"
  cat >&2 <<EOF
[up] cluster ready: Kubernetes $K8S_VERSION at https://127.0.0.1:$API_PORT ($NODES kwok nodes)
[up]   kubeconfig: $STATE/kubeconfig (contexts nimbusguard-admin, nimbusguard-limited, nimbusguard-viewer, nimbusguard-prod)
[up]   prometheus: http://127.0.0.1:$PROMETHEUS_PORT
[up]   logs:       $STATE/logs/ (audit.log: every write, metadata level)
[up]   e.g.        kubectl --kubeconfig $STATE/kubeconfig get nodes
EOF
}

# Fast path: a healthy cluster from an earlier `up`.
if [[ -f "$STATE/ready" && -f "$STATE/bin-dir" ]]; then
  BIN="$(cat "$STATE/bin-dir")"
  if [[ -x "$BIN/nimbus-sim" ]] &&
    "$BIN/nimbus-sim" wait --state "$STATE" --kubeconfig "$STATE/kubeconfig" --timeout 5s \
      api "nodes=$NODES" default-sa 2>/dev/null; then
    log "already running"
    summary
    exit 0
  fi
  log "existing cluster is unhealthy; restarting it"
fi
if [[ -e "$STATE" ]]; then
  bash "$HERE/down.sh" --quiet
fi

BIN="$(bash "$HERE/build.sh" | tail -n 1)"
[[ -x "$BIN/nimbus-sim" ]] || { log "build did not produce $BIN"; exit 1; }
SIM="$BIN/nimbus-sim"

mkdir -p "$STATE"/{logs,pids,etcd,metrics-server}
chmod 700 "$STATE/etcd"
chmod 700 "$STATE"
echo "$BIN" >"$STATE/bin-dir"
STARTED=$SECONDS

# On failure stop whatever was started; logs stay for inspection until the
# next `up` or `down`.
cleanup_on_failure() {
  local rc=$?
  if [[ $rc -ne 0 && ! -f "$STATE/ready" ]]; then
    log "start-up failed (exit $rc); stopping the components. Logs: $STATE/logs/"
    bash "$HERE/down.sh" --keep-state --quiet || true
  fi
}
trap cleanup_on_failure EXIT

mapfile -t PORTS < <("$SIM" ports 9)
cat >"$STATE/ports.env" <<EOF
ETCD_PORT=${PORTS[0]}
ETCD_PEER_PORT=${PORTS[1]}
API_PORT=${PORTS[2]}
KCM_PORT=${PORTS[3]}
SCHEDULER_PORT=${PORTS[4]}
KWOK_PORT=${PORTS[5]}
METRICS_SERVER_PORT=${PORTS[6]}
SIM_METRICS_PORT=${PORTS[7]}
PROMETHEUS_PORT=${PORTS[8]}
EOF
# shellcheck disable=SC1091
source "$STATE/ports.env"

"$SIM" pki --state "$STATE" --api-port "$API_PORT"
PKI="$STATE/pki"
KCS="$STATE/kubeconfigs"
ADMIN="$STATE/kubeconfig"

# start NAME CMD... : runs CMD in its own session (so `down` can signal the
# whole process group) with output in logs/NAME.log and the pid in pids/NAME.pid.
start() {
  local name=$1
  shift
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name.pid"
}
wait_for() { "$SIM" wait --state "$STATE" "$@"; }

log "starting etcd $ETCD_VERSION"
start etcd "$BIN/etcd" \
  --name=nimbusguard \
  --data-dir="$STATE/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="nimbusguard=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync \
  --quota-backend-bytes=4294967296 \
  --log-level=warn
wait_for --component etcd --timeout 30s "http=http://127.0.0.1:$ETCD_PORT/health"

# Audit log of writes (metadata level: who, verb, object, URI with dryRun/fieldManager), so tests
# can assert that nothing was written without a confirmation. Reads are not logged.
cat >"$STATE/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    users: ["system:kube-scheduler", "system:kube-controller-manager", "system:kwok-controller", "system:nimbus-sim", "system:metrics-server"]
  - level: None
    userGroups: ["system:nodes", "system:serviceaccounts"]
  - level: Metadata
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: None
EOF

log "starting kube-apiserver $K8S_VERSION"
start kube-apiserver "$BIN/kube-apiserver" \
  --audit-policy-file="$STATE/audit-policy.yaml" \
  --audit-log-path="$STATE/logs/audit.log" \
  --audit-log-format=json \
  --audit-log-maxsize=200 \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$API_PORT" \
  --endpoint-reconciler-type=none \
  --service-cluster-ip-range=10.96.0.0/16 \
  --client-ca-file="$PKI/ca.crt" \
  --tls-cert-file="$PKI/apiserver.crt" \
  --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
  --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --profiling=false \
  --v=1
wait_for --kubeconfig "$ADMIN" --timeout 90s api

# kwok serves container logs from files named in Logs objects the simulator writes.
"$SIM" crds --kubeconfig "$ADMIN"

log "starting kube-controller-manager, kube-scheduler, kwok $KWOK_VERSION, metrics-server $METRICS_SERVER_VERSION, nimbus-sim"
# The controllers' request rate: Kubernetes' default (20/s) unless a benchmark that creates thousands
# of pods asks for more with NIMBUSGUARD_CONTROLLER_QPS.
KCM_QPS="${NIMBUSGUARD_CONTROLLER_QPS:-20}"
KCM_BURST=$((KCM_QPS * 2 > 30 ? KCM_QPS * 2 : 30))
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$KCS/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$KCS/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$KCS/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$KCM_PORT" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" \
  --cluster-signing-key-file="$PKI/ca.key" \
  --cluster-name=nimbusguard \
  --controllers='*,bootstrapsigner,tokencleaner' \
  --kube-api-qps="$KCM_QPS" \
  --kube-api-burst="$KCM_BURST" \
  --profiling=false \
  --v=1
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$KCS/scheduler.kubeconfig" \
  --authentication-kubeconfig="$KCS/scheduler.kubeconfig" \
  --authorization-kubeconfig="$KCS/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$SCHEDULER_PORT" \
  --leader-elect=false \
  --profiling=false \
  --v=1
start kwok "$BIN/kwok" \
  --kubeconfig="$KCS/kwok.kubeconfig" \
  --config="$HERE/kwok.yaml" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 \
  --node-port="$KWOK_PORT" \
  --server-address="127.0.0.1:$KWOK_PORT" \
  --tls-cert-file="$PKI/serving.crt" \
  --tls-private-key-file="$PKI/serving.key" \
  --node-lease-duration-seconds=40 \
  --enable-crds=Logs
mkdir -p "$STATE/pod-logs"
start nimbus-sim "$SIM" run --kubeconfig "$KCS/nimbus-sim.kubeconfig" --logs-dir "$STATE/pod-logs" --metrics-address "127.0.0.1:$SIM_METRICS_PORT"
log "starting prometheus (scrapes nimbus-sim's request counters)"
bash "$ROOT/test/harness/prometheus/start.sh" "$STATE" "$PROMETHEUS_PORT" "$SIM_METRICS_PORT"

"$SIM" bootstrap --kubeconfig "$ADMIN" --nodes "$NODES" --node-cpu 4 --node-memory 8Gi --node-pods 110 \
  --metrics-server-port "$METRICS_SERVER_PORT" --kube-version "$K8S_VERSION"
# metrics-server panics at start when it may not yet read the request-header CA, so it starts once
# bootstrap has created its RBAC (a race the loaded machine lost once).
start metrics-server "$BIN/metrics-server" \
  --kubeconfig="$KCS/metrics-server.kubeconfig" \
  --authentication-kubeconfig="$KCS/metrics-server.kubeconfig" \
  --authorization-kubeconfig="$KCS/metrics-server.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$METRICS_SERVER_PORT" \
  --cert-dir="$STATE/metrics-server" \
  --kubelet-insecure-tls \
  --kubelet-use-node-status-port \
  --kubelet-preferred-address-types=InternalIP,Hostname \
  --kubelet-request-timeout=5s \
  --metric-resolution=10s
wait_for --component kube-controller-manager --timeout 60s "http=https://127.0.0.1:$KCM_PORT/healthz"
wait_for --component kube-scheduler --timeout 60s "http=https://127.0.0.1:$SCHEDULER_PORT/healthz"
wait_for --kubeconfig "$ADMIN" --timeout 120s "nodes=$NODES" default-sa metrics

touch "$STATE/ready"
log "started in $((SECONDS - STARTED))s"
summary
