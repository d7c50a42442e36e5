// Pods the scheduler cannot place on any node (PodScheduled=False, reason Unschedulable).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { Condition } from '../model/resources';
import { clip, condition, conditionEvidence, finding, lastedAtLeast, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { groupByWorkload, podEvents, PodIndex, podListEvidence, podsPhrase } from './pods';

/** The scheduler retries, and a cluster autoscaler may be adding a node; brief Pending is normal. */
export const UNSCHEDULABLE_GRACE_MS = 30 * 1000;

export const unschedulableDetector: Detector = {
  types: ['Unschedulable'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<Condition>(index, (pod) => {
      if (pod.phase !== 'Pending' || pod.nodeName) return [];
      const scheduled = condition(pod.conditions, 'PodScheduled');
      if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return [];
      if (!lastedAtLeast(scheduled.lastTransitionTime ?? pod.meta.createdAt, now, UNSCHEDULABLE_GRACE_MS)) return [];
      return [{ key: '', detail: scheduled }];
    });
    return groups.map((group) => {
      const pods = group.hits.map((h) => h.pod);
      const first = group.hits[0]!;
      const ready = index.readyOf(group.workload);
      const message = first.detail.message ?? '';
      const summary = `${podsPhrase(index, group.workload, pods.length)} cannot be scheduled${ready === 0 ? ' and none is ready' : ''}: ${message ? oneLine(message, 200) : 'no node fits'}`;
      const template = first.pod.spec;
      const constraints = [
        Object.keys(template.nodeSelector).length > 0
          ? `nodeSelector ${Object.entries(template.nodeSelector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}`
          : '',
        template.hasAffinity ? 'affinity rules' : '',
        template.tolerations.length > 0 ? `${template.tolerations.length} tolerations` : '',
        template.claimNames.length > 0 ? `PVCs ${template.claimNames.join(', ')}` : '',
      ].filter(Boolean);
      return finding('Unschedulable', ready === 0 ? 'critical' : 'warning', group.workload, summary, [
        podListEvidence(pods, (p) => `Pending since ${p.meta.createdAt}`),
        conditionEvidence(refOf('Pod', first.pod.meta), first.detail, 'scheduler'),
        ...podEvents(snapshot, pods, ['FailedScheduling', 'NotTriggerScaleUp'], now, () => true, 3).map((e) => ({
          ...e,
          kind: 'scheduler' as const,
        })),
        constraints.length > 0
          ? {
              kind: 'spec',
              source: refOf('Pod', first.pod.meta),
              field: 'spec',
              text: clip(`placement constraints: ${constraints.join('; ')}`),
            }
          : undefined,
        { kind: 'status', source: group.workload, text: `${ready} ready` },
      ]);
    });
  },
};
