// A claim whose volume is gone, or a volume whose reclaim failed. Nothing in the spec brings the
// data back; the fixes say what to restore or clean up.
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

function diagnoseVolume(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  if (incident.workload.kind === 'PersistentVolumeClaim') {
    const pvc = snapshot.get('PersistentVolumeClaim', incident.workload.namespace, incident.workload.name);
    if (!pvc) return undefined;
    const pv = pvc.volumeName ? snapshot.get('PersistentVolume', '', pvc.volumeName) : undefined;
    const boundElsewhere = pv?.claim && (pv.claim.namespace !== pvc.meta.namespace || pv.claim.name !== pvc.meta.name);
    return diagnosis({
      category: 'volume-lost',
      summary: pv
        ? `PersistentVolume ${q(pv.meta.name, 63)} ${boundElsewhere ? `is bound to ${q(`${pv.claim!.namespace}/${pv.claim!.name}`, 120)}, not to` : 'no longer matches'} claim ${q(pvc.meta.name)}, which is Lost`
        : `PersistentVolume ${q(pvc.volumeName ?? '(none)', 63)} was deleted while claim ${q(pvc.meta.name)} was bound to it`,
      explanation:
        'A claim becomes Lost when the volume it was bound to disappears or is bound elsewhere. Pods that use it cannot start until a volume is bound again; the data on the old volume is only back if the volume (or its backing disk) is restored.',
      confidence: 0.85,
      fields: ['spec.volumeName'],
      evidence: incident.evidence,
      fixes: [
        {
          summary: `Restore PersistentVolume ${q(pvc.volumeName ?? '', 63)} (same name, claimRef ${q(`${pvc.meta.namespace}/${pvc.meta.name}`, 120)}) from its backing disk or a backup`,
        },
        { summary: `Or, if the data can go: delete claim ${q(pvc.meta.name)} and let its workload create a fresh one` },
      ],
    });
  }
  const pv = snapshot.get('PersistentVolume', '', incident.workload.name);
  if (!pv) return undefined;
  return diagnosis({
    category: 'volume-lost',
    summary: `reclaiming PersistentVolume ${q(pv.meta.name, 63)} (policy ${q(pv.reclaimPolicy, 20)}) failed${pv.message ? `: ${q(pv.message, 200)}` : ''}`,
    explanation:
      'After its claim was deleted the volume was to be recycled or deleted, and that failed: the storage behind it is neither freed nor reusable, and the volume stays Failed until someone cleans it up.',
    confidence: 0.8,
    fields: ['spec.persistentVolumeReclaimPolicy'],
    evidence: incident.evidence,
    fixes: [
      {
        summary: `Fix what the message names (provisioner, credentials, the backing disk), then delete PersistentVolume ${q(pv.meta.name, 63)} and its disk by hand`,
      },
      {
        summary:
          'Or keep the data: set persistentVolumeReclaimPolicy Retain and clear spec.claimRef so the volume can be bound again',
      },
    ],
  });
}

export const volumeLostRule: DiagnosisRule = {
  types: ['VolumeLost'],
  diagnose: diagnoseVolume,
};
