// Fetches log tails for the pods of an incident (crash loops, failed containers and Jobs, OOM
// kills, rollout regressions) through the cluster layer and stores them in the snapshot, where the
// rules read them. At most a few pods per incident, each container run once.
import type { Incident, IncidentType } from '../core/model/incident';
import type { ContainerStatus, LogRequest, LogTail, Pod } from '../core/model/resources';
import type { ClusterSnapshot } from '../core/model/snapshot';
import { podsOf } from '../core/diagnose/ruleSupport';

export const LOG_INCIDENT_TYPES: readonly IncidentType[] = [
  'CrashLoopBackOff',
  'ContainerFailed',
  'JobFailed',
  'OOMKilled',
  'RolloutRegression',
];
/** Pods per incident whose logs are read. */
export const LOG_PODS_PER_INCIDENT = 2;

export type LogReader = (req: LogRequest) => Promise<LogTail>;

function failedRun(s: ContainerStatus): boolean {
  const t = s.state.terminated ?? s.lastState.terminated;
  return t !== undefined && t.exitCode !== 0;
}

/** The log reads an incident needs: its container (or the failed ones) in a few of its pods. */
export function logRequests(snapshot: ClusterSnapshot, incident: Incident): LogRequest[] {
  if (!LOG_INCIDENT_TYPES.includes(incident.type)) return [];
  const pods = podsOf(snapshot, incident.workload);
  const out: LogRequest[] = [];
  const statusesOf = (p: Pod) => [...p.initContainerStatuses, ...p.containerStatuses];
  const candidates = pods
    .map((pod) => ({
      pod,
      statuses: statusesOf(pod).filter((s) => (incident.key ? s.name === incident.key : true) && failedRun(s)),
    }))
    .filter((c) => c.statuses.length > 0)
    .sort(
      (a, b) => Math.max(...b.statuses.map((s) => s.restartCount)) - Math.max(...a.statuses.map((s) => s.restartCount)),
    );
  for (const { pod, statuses } of candidates.slice(0, LOG_PODS_PER_INCIDENT)) {
    for (const s of statuses.slice(0, 2)) {
      // A terminated container's own log is its failed run; a restarted one's is the previous run.
      const previous = s.state.terminated === undefined;
      out.push({
        namespace: pod.meta.namespace,
        pod: pod.meta.name,
        container: s.name,
        previous,
        restartCount: s.restartCount,
      });
    }
  }
  return out;
}

export class LogFetcher {
  private readonly seen = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly snapshot: ClusterSnapshot,
    private readonly read: LogReader,
  ) {}

  /** Reads what the incident needs and has not been read yet; resolves when those reads are stored. */
  fetch(incident: Incident): Promise<void> {
    const reads = logRequests(this.snapshot, incident).filter((r) => {
      const key = `${r.namespace}/${r.pod}/${r.container}/${r.restartCount}/${r.previous}`;
      if (this.seen.has(key)) return false;
      this.seen.add(key);
      return true;
    });
    if (reads.length === 0) return Promise.resolve();
    const job = Promise.all(
      reads.map((r) =>
        this.read(r).then(
          (tail) => this.snapshot.setLogTail(tail),
          () => undefined,
        ),
      ),
    ).then(() => undefined);
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
    return job;
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
