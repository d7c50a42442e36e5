// Storage that broke after it worked: a PersistentVolumeClaim Lost (its volume is gone) and a
// PersistentVolume Failed (its reclaim failed). Neither state passes on its own.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { clip, finding, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { podListEvidence, podsByNamespace, podTrouble } from './pods';

export const volumeLostDetector: Detector = {
  types: ['VolumeLost'],
  detect({ snapshot }: DetectContext): Finding[] {
    const out: Finding[] = [];
    const pods = podsByNamespace(snapshot);
    for (const pvc of snapshot.list('PersistentVolumeClaim')) {
      if (pvc.phase !== 'Lost' || pvc.meta.deletedAt) continue;
      const ref = refOf('PersistentVolumeClaim', pvc.meta);
      const users = (pods.get(pvc.meta.namespace) ?? []).filter((p) => p.spec.claimNames.includes(pvc.meta.name));
      const pvKnown = snapshot.observes('PersistentVolume');
      const pv = pvc.volumeName ? snapshot.get('PersistentVolume', '', pvc.volumeName) : undefined;
      const gone =
        pvc.volumeName && pvKnown && !pv ? `; PersistentVolume ${oneLine(pvc.volumeName, 63)} no longer exists` : '';
      out.push(
        finding(
          'VolumeLost',
          'critical',
          ref,
          `PVC ${oneLine(pvc.meta.name)} is Lost: its volume ${oneLine(pvc.volumeName ?? '(none)', 63)} is gone${gone}${users.length > 0 ? `; ${users.length === 1 ? '1 pod uses' : `${users.length} pods use`} it` : ''}`,
          [
            { kind: 'status', source: ref, field: 'status.phase', text: 'Lost' },
            {
              kind: 'spec',
              source: ref,
              field: 'spec.volumeName',
              text: clip(`volumeName ${pvc.volumeName ?? '(none)'}, storage class ${pvc.storageClassName ?? '(none)'}`),
            },
            pv
              ? {
                  kind: 'status',
                  source: refOf('PersistentVolume', pv.meta),
                  field: 'status.phase',
                  text: clip(
                    `PersistentVolume ${pv.meta.name} is ${pv.phase}${pv.claim ? `, bound to ${pv.claim.namespace}/${pv.claim.name}` : ''}`,
                  ),
                }
              : undefined,
            podListEvidence(users, (p) => podTrouble(p) ?? p.phase),
          ],
        ),
      );
    }
    for (const pv of snapshot.list('PersistentVolume')) {
      if (pv.phase !== 'Failed' || pv.meta.deletedAt) continue;
      const ref = refOf('PersistentVolume', pv.meta);
      out.push(
        finding(
          'VolumeLost',
          'warning',
          ref,
          `PersistentVolume ${oneLine(pv.meta.name)} is Failed${pv.message ? `: ${oneLine(pv.message, 200)}` : pv.reason ? ` (${oneLine(pv.reason, 60)})` : ''}`,
          [
            {
              kind: 'status',
              source: ref,
              field: 'status.phase',
              text: clip(`Failed${pv.reason ? ` (${pv.reason})` : ''}${pv.message ? `: ${pv.message}` : ''}`),
              ...(pv.reason ? { reason: pv.reason } : {}),
            },
            {
              kind: 'spec',
              source: ref,
              field: 'spec.persistentVolumeReclaimPolicy',
              text: clip(
                `reclaim policy ${pv.reclaimPolicy}, storage class ${pv.storageClassName ?? '(none)'}, capacity ${pv.capacity ?? '?'}${pv.claim ? `, claimed by ${pv.claim.namespace}/${pv.claim.name}` : ''}`,
              ),
            },
          ],
        ),
      );
    }
    return out;
  },
};
