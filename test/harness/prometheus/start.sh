#!/usr/bin/env bash
# Starts a Prometheus for the simulated cluster: loopback only, data under the cluster folder,
# one static scrape target (nimbus-sim's per-pod request counters). Records its pid in
# <state>/pids/prometheus.pid so down.sh stops it with the rest; no systemd involved.
#
# Usage: start.sh STATE_DIR LISTEN_PORT SCRAPE_PORT
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$1"
PORT="$2"
SCRAPE_PORT="$3"
log() { echo "[prometheus] $*" >&2; }

PROM="$(bash "$HERE/ensure.sh")"
DIR="$STATE/prometheus"
mkdir -p "$DIR/data" "$STATE/logs" "$STATE/pids"
cat >"$DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: nimbus-sim
    static_configs:
      - targets: ['127.0.0.1:$SCRAPE_PORT']
YAML

setsid "$PROM" \
  --config.file="$DIR/prometheus.yml" \
  --storage.tsdb.path="$DIR/data" \
  --storage.tsdb.retention.time=1d \
  --web.listen-address="127.0.0.1:$PORT" \
  --log.level=warn \
  >"$STATE/logs/prometheus.log" 2>&1 </dev/null &
echo $! >"$STATE/pids/prometheus.pid"

for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1; then
    log "serving on http://127.0.0.1:$PORT, scraping 127.0.0.1:$SCRAPE_PORT every 5 s"
    exit 0
  fi
  if ! kill -0 "$(cat "$STATE/pids/prometheus.pid")" 2>/dev/null; then
    log "exited during start-up:"
    tail -n 20 "$STATE/logs/prometheus.log" >&2
    exit 1
  fi
  sleep 0.2
done
log "not ready after 30 s:"
tail -n 20 "$STATE/logs/prometheus.log" >&2
exit 1
