// PodDisruptionBudgets that allow no disruption: every eviction is refused, so node drains,
// cluster upgrades and autoscaler scale-downs stall on the pods they count. Either the budget can
// never allow one (minAvailable equal to the replicas, maxUnavailable 0), or its pods are unhealthy.
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import type { Pod, PodDisruptionBudget } from '../model/resources';
import {
  clip,
  condition,
  conditionEvidence,
  finding,
  labelSelectorText,
  lastedAtLeast,
  matchesLabelSelector,
  oneLine,
  plural,
} from './support';
import { refOf } from '../model/objectRef';
import { isPodReady, isTerminalPod, podListEvidence, podsByNamespace, podTrouble } from './pods';

/** A budget that can never allow a disruption: reported once it is a minute old. */
export const PDB_BLOCKED_GRACE_MS = 60 * 1000;
/** Pods briefly unhealthy during a rollout block evictions too, by design: only a lasting block counts. */
export const PDB_UNHEALTHY_GRACE_MS = 90 * 1000;

/** The live pods a budget counts (its selector in its namespace). */
export function podsOfBudget(pods: readonly Pod[], pdb: PodDisruptionBudget): Pod[] {
  return pods.filter(
    (p) =>
      !isTerminalPod(p) &&
      p.meta.namespace === pdb.meta.namespace &&
      matchesLabelSelector(p.meta.labels, pdb.selector, pdb.selectorExpressions),
  );
}

/** True when the budget demands every pod it counts be healthy, so even a healthy set allows nothing. */
export function budgetNeverAllows(pdb: PodDisruptionBudget): boolean {
  return pdb.expectedPods > 0 && pdb.desiredHealthy >= pdb.expectedPods;
}

export function budgetText(pdb: PodDisruptionBudget): string {
  return pdb.minAvailable !== undefined
    ? `minAvailable ${pdb.minAvailable}`
    : pdb.maxUnavailable !== undefined
      ? `maxUnavailable ${pdb.maxUnavailable}`
      : 'no minAvailable or maxUnavailable';
}

export const disruptionBlockedDetector: Detector = {
  types: ['DisruptionBlocked'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    const byNamespace = podsByNamespace(snapshot);
    for (const pdb of snapshot.list('PodDisruptionBudget')) {
      if (pdb.meta.deletedAt || !lastedAtLeast(pdb.meta.createdAt, now, PDB_BLOCKED_GRACE_MS)) continue;
      // The controller has not judged the current spec yet.
      if (pdb.observedGeneration < pdb.meta.generation) continue;
      const allowed = condition(pdb.conditions, 'DisruptionAllowed');
      const blocked = allowed ? allowed.status === 'False' : pdb.observedGeneration > 0 && pdb.disruptionsAllowed === 0;
      if (!blocked) continue;
      const pods = podsOfBudget(byNamespace.get(pdb.meta.namespace) ?? [], pdb);
      // A budget that selects nothing guards nothing: no eviction waits on it.
      if (pdb.expectedPods === 0 && pods.length === 0) continue;
      const never = budgetNeverAllows(pdb);
      if (
        !lastedAtLeast(
          allowed?.lastTransitionTime ?? pdb.meta.createdAt,
          now,
          never ? PDB_BLOCKED_GRACE_MS : PDB_UNHEALTHY_GRACE_MS,
        )
      )
        continue;
      const ref = refOf('PodDisruptionBudget', pdb.meta);
      const selector = labelSelectorText(pdb.selector, pdb.selectorExpressions);
      const healthy = `${pdb.currentHealthy} of ${pdb.expectedPods} pods healthy, ${pdb.desiredHealthy} required`;
      const why =
        allowed?.reason === 'SyncFailed'
          ? `the disruption controller cannot evaluate it${allowed.message ? ` (${oneLine(allowed.message, 160)})` : ''}, so every eviction is refused`
          : never
            ? `${budgetText(pdb)} with ${plural(pdb.expectedPods, 'pod')}, so no pod may ever be evicted`
            : `${healthy}, so no healthy pod may be evicted`;
      const unhealthy = pods.filter((p) => !isPodReady(p));
      const specField = pdb.minAvailable !== undefined ? 'spec.minAvailable' : 'spec.maxUnavailable';
      out.push(
        finding(
          'DisruptionBlocked',
          'warning',
          ref,
          `PDB ${oneLine(pdb.meta.name)} allows no disruption: ${why} (selector ${oneLine(selector, 120)}); node drains and upgrades stall on it`,
          [
            allowed ? conditionEvidence(ref, allowed) : undefined,
            {
              kind: 'spec',
              source: ref,
              field: specField,
              text: clip(`${budgetText(pdb)}, selector ${oneLine(selector, 200)}`),
            },
            {
              kind: 'status',
              source: ref,
              field: 'status.disruptionsAllowed',
              text: `disruptionsAllowed ${pdb.disruptionsAllowed}: ${healthy}`,
              count: pdb.disruptionsAllowed,
            },
            podListEvidence(never ? pods : unhealthy.length > 0 ? unhealthy : pods, (p) => podTrouble(p) ?? 'healthy'),
          ].filter((e): e is Evidence => e !== undefined),
        ),
      );
    }
    return out;
  },
};
