// Running containers that stay not-ready well past their probe's initial delay and failure budget.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { ContainerStatus, Probe } from '../model/resources';
import { ageMs, clip, condition, namedItem, finding, formatDuration, lastedAtLeast, oneLine } from './support';
import { refOf } from '../model/objectRef';
import {
  containerSpecOf,
  groupByWorkload,
  podEvents,
  PodIndex,
  podListEvidence,
  podsPhrase,
  statusField,
} from './pods';

/** Extra slack on top of initialDelay + period × failureThreshold before not-ready counts. */
export const READINESS_SLACK_MS = 30 * 1000;

/** How long a probe may fail before the container is expected to have become ready. */
export function readinessBudgetMs(probe: Probe): number {
  const period = probe.periodSeconds > 0 ? probe.periodSeconds : 10;
  const threshold = probe.failureThreshold > 0 ? probe.failureThreshold : 3;
  return (Math.max(0, probe.initialDelaySeconds) + period * (threshold + 1)) * 1000 + READINESS_SLACK_MS;
}

interface Hit {
  status: ContainerStatus;
  probe: Probe;
  notReadyMs: number | undefined;
}

export const readinessProbeFailingDetector: Detector = {
  types: ['ReadinessProbeFailing'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<Hit>(index, (pod) => {
      if (pod.phase !== 'Running') return [];
      const ready = condition(pod.conditions, 'Ready');
      if (ready?.status === 'True') return [];
      return pod.containerStatuses.flatMap((status) => {
        if (status.ready || !status.state.running) return [];
        const probe = containerSpecOf(pod, status.name)?.readinessProbe;
        if (!probe) return [];
        const startedAt = status.state.running.startedAt || pod.startTime || pod.meta.createdAt;
        const budget = readinessBudgetMs(probe);
        if (!lastedAtLeast(startedAt, now, budget)) return [];
        // The pod may have been ready and only just dropped out: give that the probe's failure budget.
        const since = ready?.lastTransitionTime ?? startedAt;
        if (!lastedAtLeast(since, now, budget - Math.max(0, probe.initialDelaySeconds) * 1000)) return [];
        return [{ key: status.name, detail: { status, probe, notReadyMs: ageMs(since, now) } }];
      });
    });
    return groups.map((group) => {
      const first = group.hits[0]!;
      const { status, probe } = first.detail;
      const pods = group.hits.map((h) => h.pod);
      const longest = Math.max(...group.hits.map((h) => h.detail.notReadyMs ?? 0));
      const events = podEvents(snapshot, pods, ['Unhealthy'], now, (e) => e.message.includes('Readiness probe'), 3);
      const summary = `${podsPhrase(index, group.workload, pods.length)} ${pods.length === 1 ? 'is' : 'are'} not ready: readiness probe ${oneLine(probe.target || probe.type, 80)} of container ${oneLine(status.name)} failing${longest > 0 ? ` for ${formatDuration(longest)}` : ''}`;
      const podRef = refOf('Pod', first.pod.meta);
      return finding(
        'ReadinessProbeFailing',
        'warning',
        group.workload,
        summary,
        [
          podListEvidence(pods, (p) => `running since ${p.startTime ?? p.meta.createdAt}`),
          {
            kind: 'status',
            source: podRef,
            field: statusField(status.name, 'ready'),
            text: `container ${status.name} ready=false, ${status.restartCount} restarts`,
          },
          {
            kind: 'spec',
            source: podRef,
            field: `${namedItem('spec.containers', status.name)}.readinessProbe`,
            text: clip(
              `${probe.target || probe.type}, initialDelay ${probe.initialDelaySeconds}s, period ${probe.periodSeconds}s, timeout ${probe.timeoutSeconds}s, failureThreshold ${probe.failureThreshold}`,
            ),
          },
          ...events,
        ],
        status.name,
      );
    });
  },
};
