// Pods the kubelet evicted (phase Failed, reason Evicted), usually under node resource pressure.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { Pod } from '../model/resources';
import { ageMs, clip, finding, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { groupByWorkload, PodIndex, podListEvidence } from './pods';

/** Evicted pods linger until garbage-collected; evictions older than this are history. */
export const EVICTION_WINDOW_MS = 24 * 60 * 60 * 1000;

function evictedAt(pod: Pod): string | undefined {
  const times = pod.conditions
    .map((c) => c.lastTransitionTime ?? '')
    .filter(Boolean)
    .sort();
  return times[times.length - 1] ?? pod.startTime;
}

export const evictedDetector: Detector = {
  types: ['Evicted'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<string | undefined>(index, (pod) => {
      if (pod.phase !== 'Failed' || pod.reason !== 'Evicted') return [];
      const at = evictedAt(pod);
      const age = ageMs(at, now);
      if (age !== undefined && age > EVICTION_WINDOW_MS) return [];
      return [{ key: '', detail: at }];
    });
    return groups.map((group) => {
      const hits = [...group.hits].sort((a, b) => (b.detail ?? '').localeCompare(a.detail ?? ''));
      const latest = hits[0]!.pod;
      const nodes = [...new Set(hits.map((h) => h.pod.nodeName).filter((n): n is string => Boolean(n)))];
      const evictedPods = hits.length;
      const who =
        group.workload.kind === 'Pod'
          ? `pod ${oneLine(group.workload.name)} was`
          : `${evictedPods === 1 ? '1 pod' : `${evictedPods} pods`} of ${oneLine(group.workload.name)} ${evictedPods === 1 ? 'was' : 'were'}`;
      const summary = `${who} evicted${nodes.length > 0 ? ` from ${nodes.length === 1 ? `node ${oneLine(nodes[0])}` : `${nodes.length} nodes`}` : ''}: ${oneLine(latest.message ?? 'no reason given', 200)}`;
      return finding('Evicted', 'warning', group.workload, summary, [
        podListEvidence(
          hits.map((h) => h.pod),
          (p) => `node ${p.nodeName ?? '?'}`,
        ),
        {
          kind: 'status',
          source: refOf('Pod', latest.meta),
          field: 'status.message',
          text: clip(latest.message ?? ''),
          reason: 'Evicted',
          ...(hits[0]!.detail ? { lastSeen: hits[0]!.detail } : {}),
        },
        nodes.length > 0
          ? {
              kind: 'status',
              source: refOf('Pod', latest.meta),
              field: 'spec.nodeName',
              text: clip(`nodes: ${nodes.join(', ')}`),
            }
          : undefined,
      ]);
    });
  },
};
