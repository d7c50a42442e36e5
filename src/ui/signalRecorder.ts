// Samples the signals of every workload with an incident (ready replicas, restarts, pending pods)
// on a steady tick and whenever incidents change, so an incident's chart has a history by the time
// someone opens it. One recorder per monitored session.
import type { IncidentMonitor } from '../agent/incidentMonitor';
import { sampleSignals, SignalHistory } from '../core/diagnose/signalHistory';
import type { ClusterSnapshot } from '../core/model/snapshot';
import { refKey } from '../core/model/objectRef';

export const SIGNAL_TICK_MS = 15_000;

export class SignalRecorder {
  readonly history = new SignalHistory();
  private readonly timer: NodeJS.Timeout;
  private last = 0;

  constructor(
    private readonly snapshot: ClusterSnapshot,
    private readonly monitor: IncidentMonitor,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sample(), SIGNAL_TICK_MS);
    this.timer.unref?.();
  }

  /** Records one sample per workload that has an open incident (at most one round every 5 s); forgets workloads without incidents. */
  sample(): void {
    const t = Math.floor(this.now() / 1000);
    if (t - this.last < 5) return;
    this.last = t;
    const incidents = this.monitor.all();
    const seen = new Set<string>();
    for (const incident of incidents) {
      const w = incident.workload;
      const key = refKey(w);
      if (seen.has(key)) continue;
      seen.add(key);
      if (incident.status !== 'open') continue;
      const sample = sampleSignals(this.snapshot, w, t);
      if (sample) this.history.add(w, sample);
    }
    this.history.retain(incidents.map((i) => i.workload));
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
