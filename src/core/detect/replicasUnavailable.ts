// Workloads running fewer ready replicas than they ask for, for longer than a rollout blip.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { Pod } from '../model/resources';
import type { Workload } from '../model/workload';
import { condition, conditionEvidence, finding, lastedAtLeast, oneLine } from './support';
import { workloadRef } from '../model/objectRef';
import { isTerminalPod, notReadySince, PodIndex, podListEvidence, podTrouble } from './pods';

/** Deployment Available=False must have lasted this long. */
export const UNAVAILABLE_GRACE_MS = 60 * 1000;
/** Without an Available condition: a pod must have been not-ready this long. */
export const POD_NOT_READY_GRACE_MS = 2 * 60 * 1000;

function rollingOut(w: Workload): boolean {
  return w.observedGeneration < w.generation || w.updated < w.desired;
}

export const replicasUnavailableDetector: Detector = {
  types: ['ReplicasUnavailable'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const out: Finding[] = [];
    for (const w of snapshot.allWorkloads()) {
      if (w.desired <= 0 || w.ready >= w.desired) continue;
      const ref = workloadRef(w);
      const pods = index.podsOf(ref).filter((p) => !isTerminalPod(p));
      const stale = pods.filter(
        (p: Pod) => podTrouble(p) !== undefined && lastedAtLeast(notReadySince(p), now, POD_NOT_READY_GRACE_MS),
      );
      const available = w.kind === 'Deployment' ? condition(w.conditions, 'Available') : undefined;
      const unavailable =
        available?.status === 'False' && lastedAtLeast(available.lastTransitionTime, now, UNAVAILABLE_GRACE_MS);
      if (!unavailable && (rollingOut(w) || stale.length === 0)) continue;
      const troubled = pods.filter((p) => podTrouble(p) !== undefined);
      const reasons = [...new Set(troubled.map((p) => podTrouble(p)!))];
      const summary = `${oneLine(w.name)} has ${w.ready} of ${w.desired} replicas ready${reasons.length > 0 ? ` (pods ${oneLine(reasons.slice(0, 3).join(', '), 100)})` : ''}`;
      out.push(
        finding('ReplicasUnavailable', w.ready === 0 ? 'critical' : 'warning', ref, summary, [
          {
            kind: 'status',
            source: ref,
            field: 'status.readyReplicas',
            text: `ready ${w.ready}, available ${w.available}, updated ${w.updated}, desired ${w.desired}`,
            count: w.ready,
          },
          available ? conditionEvidence(ref, available) : undefined,
          podListEvidence(troubled, (p) => `${podTrouble(p)} since ${notReadySince(p)}`),
        ]),
      );
    }
    return out;
  },
};
