// A new Deployment revision whose pods fail while the previous revision was serving fine.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { Pod } from '../model/resources';
import { clip, finding, lastedAtLeast, oneLine } from './support';
import { refOf, workloadRef } from '../model/objectRef';
import { notReadySince, podListEvidence, podTrouble } from './pods';
import { imagesOf } from './rolloutStuck';
import { completedRegressionFindings, templateDiff } from './rolloutRegressedAfterReady';

/** Failing-to-start reasons count at once; "not ready"/"Pending" only after this long. */
export const REGRESSION_NOT_READY_GRACE_MS = 2 * 60 * 1000;
const HARD_FAILURES = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'Error',
  'OOMKilled',
];

function failing(pod: Pod, now: Date): string | undefined {
  const trouble = podTrouble(pod);
  if (!trouble) return undefined;
  if (HARD_FAILURES.includes(trouble)) return trouble;
  return lastedAtLeast(notReadySince(pod), now, REGRESSION_NOT_READY_GRACE_MS) ? trouble : undefined;
}

export const rolloutRegressionDetector: Detector = {
  types: ['RolloutRegression'],
  detect(ctx: DetectContext): Finding[] {
    const { snapshot, now } = ctx;
    const out: Finding[] = completedRegressionFindings(ctx);
    for (const d of snapshot.list('Deployment')) {
      if (d.desired <= 0) continue;
      const sets = [...snapshot.ownedBy('ReplicaSet', d.uid)]
        .filter((rs) => rs.revision > 0)
        .sort((a, b) => b.revision - a.revision);
      const [current, previous] = sets;
      if (!current || !previous) continue;
      if (previous.ready <= 0 && previous.available <= 0) continue;
      const newPods = snapshot.ownedBy('Pod', current.meta.uid).filter((p) => !p.meta.deletedAt);
      const failed = newPods
        .map((pod) => ({ pod, why: failing(pod, now) }))
        .filter((x): x is { pod: Pod; why: string } => x.why !== undefined);
      if (failed.length === 0 || current.ready >= Math.max(current.desired, 1)) continue;
      const reasons = [...new Set(failed.map((f) => f.why))];
      const diff = templateDiff(previous, current);
      const ref = workloadRef(d);
      const summary = `Revision ${current.revision} of ${oneLine(d.name)} fails (${oneLine(reasons.slice(0, 3).join(', '), 80)} in ${failed.length} of ${newPods.length} new pods) while revision ${previous.revision} had ${previous.ready} ready${diff.length > 0 ? `; changed ${oneLine(diff[0], 160)}` : ''}`;
      out.push(
        finding('RolloutRegression', d.ready === 0 ? 'critical' : 'warning', ref, summary, [
          {
            kind: 'revision',
            source: refOf('ReplicaSet', current.meta),
            field: "metadata.annotations['deployment.kubernetes.io/revision']",
            text: clip(
              `new revision ${current.revision}: ${current.ready} of ${current.desired} ready; ${imagesOf(current)}`,
            ),
            count: current.ready,
          },
          {
            kind: 'revision',
            source: refOf('ReplicaSet', previous.meta),
            field: "metadata.annotations['deployment.kubernetes.io/revision']",
            text: clip(
              `previous revision ${previous.revision}: ${previous.ready} of ${previous.desired} ready; ${imagesOf(previous)}`,
            ),
            count: previous.ready,
          },
          diff.length > 0
            ? { kind: 'spec', source: ref, field: 'spec.template', text: clip(`changes: ${diff.join('; ')}`) }
            : undefined,
          podListEvidence(
            failed.map((f) => f.pod),
            (p) => failed.find((f) => f.pod === p)!.why,
          ),
        ]),
      );
    }
    return out;
  },
};
