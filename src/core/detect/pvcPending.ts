// PersistentVolumeClaims that stay Pending: no volume provisioned or bound.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { ageMs, clip, eventEvidence, finding, formatDuration, lastedAtLeast, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { podListEvidence, podsByNamespace } from './pods';

/** Provisioning a volume takes a little while. */
export const PVC_GRACE_MS = 2 * 60 * 1000;
const PVC_EVENT_REASONS = [
  'ProvisioningFailed',
  'FailedBinding',
  'ExternalProvisioning',
  'WaitForFirstConsumer',
  'Provisioning',
  'WaitForPodScheduled',
];

export const pvcPendingDetector: Detector = {
  types: ['PVCPending'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    const pods = podsByNamespace(snapshot);
    for (const pvc of snapshot.list('PersistentVolumeClaim')) {
      if (pvc.phase !== 'Pending' || pvc.meta.deletedAt || !lastedAtLeast(pvc.meta.createdAt, now, PVC_GRACE_MS))
        continue;
      const ref = refOf('PersistentVolumeClaim', pvc.meta);
      const users = (pods.get(pvc.meta.namespace) ?? []).filter((p) => p.spec.claimNames.includes(pvc.meta.name));
      const events = snapshot
        .eventsFor('PersistentVolumeClaim', pvc.meta.namespace, pvc.meta.name)
        .filter((e) => PVC_EVENT_REASONS.includes(e.reason));
      const waiting = users.filter((p) => p.phase === 'Pending');
      const failure = events.find((e) => e.reason === 'ProvisioningFailed' || e.reason === 'FailedBinding');
      // Unused and not failing: WaitForFirstConsumer binding keeps a claim Pending until a pod uses it, by design.
      if (users.length === 0 && !failure) continue;
      const age = ageMs(pvc.meta.createdAt, now);
      const cls = pvc.storageClassName ? `storage class ${oneLine(pvc.storageClassName, 63)}` : 'no storage class';
      const summary = `PVC ${oneLine(pvc.meta.name)} is Pending${age !== undefined ? ` for ${formatDuration(age)}` : ''} (${cls})${failure ? `: ${oneLine(failure.message, 200)}` : ''}${waiting.length > 0 ? `; ${waiting.length} pod${waiting.length === 1 ? '' : 's'} waiting for it` : ''}`;
      out.push(
        finding('PVCPending', waiting.length > 0 ? 'critical' : 'warning', ref, summary, [
          {
            kind: 'spec',
            source: ref,
            field: 'spec.storageClassName',
            text: clip(
              `${cls}, requested ${pvc.requested ?? '?'}, access modes ${pvc.accessModes.join(',') || '?'}${pvc.volumeName ? `, volume ${pvc.volumeName}` : ''}`,
            ),
          },
          {
            kind: 'status',
            source: ref,
            field: 'status.phase',
            text: 'Pending',
            ...(pvc.meta.createdAt ? { firstSeen: pvc.meta.createdAt } : {}),
          },
          ...events.slice(0, 3).map(eventEvidence),
          podListEvidence(users, (p) => p.phase),
        ]),
      );
    }
    return out;
  },
};
