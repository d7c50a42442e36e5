// Deployments whose controller gave up on the rollout (Progressing=False, ProgressDeadlineExceeded).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { ReplicaSet } from '../model/resources';
import { clip, condition, conditionEvidence, finding, oneLine } from './support';
import { refOf, workloadRef } from '../model/objectRef';
import { podListEvidence, podTrouble } from './pods';

export function newestReplicaSet(sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort((a, b) => b.revision - a.revision || b.meta.createdAt.localeCompare(a.meta.createdAt))[0];
}

export function imagesOf(rs: ReplicaSet): string {
  return rs.template.containers.map((c) => `${c.name}=${c.image}`).join(', ');
}

export const rolloutStuckDetector: Detector = {
  types: ['RolloutStuck'],
  detect({ snapshot }: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const d of snapshot.list('Deployment')) {
      const progressing = condition(d.conditions, 'Progressing');
      if (d.desired <= 0 || progressing?.status !== 'False' || progressing.reason !== 'ProgressDeadlineExceeded')
        continue;
      const ref = workloadRef(d);
      const newest = newestReplicaSet(snapshot.ownedBy('ReplicaSet', d.uid));
      const newPods = newest ? snapshot.ownedBy('Pod', newest.meta.uid).filter((p) => !p.meta.deletedAt) : [];
      const troubled = newPods.filter((p) => podTrouble(p) !== undefined);
      const reasons = [...new Set(troubled.map((p) => podTrouble(p)!))];
      const deadline = d.progressDeadlineSeconds ?? 600;
      const revision = newest ? `revision ${newest.revision}` : 'the new revision';
      const readyPart = newest
        ? `${newest.ready} of ${newest.desired} new pods ready`
        : `${d.updated} of ${d.desired} updated`;
      const summary = `Rollout of ${oneLine(d.name)} is stuck: ${revision} has ${readyPart} after the ${deadline}s progress deadline${reasons.length > 0 ? ` (${oneLine(reasons.slice(0, 3).join(', '), 80)})` : ''}`;
      out.push(
        finding('RolloutStuck', 'critical', ref, summary, [
          conditionEvidence(ref, progressing),
          {
            kind: 'status',
            source: ref,
            field: 'status',
            text: `ready ${d.ready}, updated ${d.updated}, available ${d.available}, desired ${d.desired}`,
          },
          newest
            ? {
                kind: 'revision',
                source: refOf('ReplicaSet', newest.meta),
                field: "metadata.annotations['deployment.kubernetes.io/revision']",
                text: clip(`revision ${newest.revision}: ${imagesOf(newest)}`),
              }
            : undefined,
          podListEvidence(troubled, (p) => podTrouble(p) ?? ''),
        ]),
      );
    }
    return out;
  },
};
