// PVCs stuck Pending: a storage class that does not exist, no class and no matching volume, or a
// provisioner that never answers. Classes that bound other claims in the cluster are known to work.
import type { SuggestedFix } from '../model/rootCause';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

export type PvcProblem = 'class-missing' | 'no-class' | 'no-provisioner' | 'provisioning-failed' | 'unknown';

export function pvcProblem(
  texts: readonly { reason?: string; text: string }[],
  storageClass: string | undefined,
): PvcProblem {
  for (const e of texts) {
    const t = e.text.slice(0, 2000).toLowerCase();
    if (t.includes('storageclass') && t.includes('not found')) return 'class-missing';
    if (t.includes('no storage class is set') || (t.includes('no persistent volumes available') && !storageClass))
      return 'no-class';
  }
  if (texts.some((e) => e.reason === 'ExternalProvisioning' || e.text.includes('waiting for a volume to be created')))
    return 'no-provisioner';
  if (texts.some((e) => e.reason === 'ProvisioningFailed')) return 'provisioning-failed';
  return 'unknown';
}

function diagnosePvc(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const pvc = snapshot.get('PersistentVolumeClaim', incident.workload.namespace, incident.workload.name);
  if (!pvc) return undefined;
  const events = snapshot
    .eventsFor('PersistentVolumeClaim', pvc.meta.namespace, pvc.meta.name)
    .map((e) => ({ reason: e.reason, text: e.message }));
  const evidenceTexts = incident.evidence
    .filter((e) => e.kind === 'event')
    .map((e) => ({ ...(e.reason ? { reason: e.reason } : {}), text: e.text }));
  const problem = pvcProblem([...events, ...evidenceTexts], pvc.storageClassName);
  const cls = pvc.storageClassName;
  // Classes that bound claims elsewhere in the cluster: the most used first.
  const working = new Map<string, number>();
  for (const other of snapshot.list('PersistentVolumeClaim')) {
    if (other.phase === 'Bound' && other.storageClassName && other.storageClassName !== cls)
      working.set(other.storageClassName, (working.get(other.storageClassName) ?? 0) + 1);
  }
  const suggestion = [...working.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const classFix: SuggestedFix | undefined = suggestion
    ? {
        summary: `Recreate the claim with storageClassName ${q(suggestion, 63)}, which binds other claims in the cluster (the field cannot change on an existing claim)`,
        edits: [{ path: 'spec.storageClassName', value: suggestion, ...(cls ? { previous: cls } : {}) }],
      }
    : undefined;
  const failure =
    incident.evidence.find(
      (e) => e.kind === 'event' && (e.reason === 'ProvisioningFailed' || e.reason === 'FailedBinding'),
    ) ?? incident.evidence.find((e) => e.kind === 'event');
  let summary: string;
  let explanation: string;
  let confidence: number;
  let fixes: (SuggestedFix | undefined)[];
  switch (problem) {
    case 'class-missing':
      summary = `storage class ${q(cls ?? '?', 63)} does not exist, so no volume is provisioned for ${q(pvc.meta.name)}`;
      explanation =
        'The claim names a StorageClass the cluster does not have; nothing will ever provision a volume for it.';
      confidence = 0.9;
      fixes = [
        classFix,
        { summary: `Create StorageClass ${q(cls ?? '', 63)} with a provisioner that runs in the cluster` },
      ];
      break;
    case 'no-class':
      summary = `${q(pvc.meta.name)} has no storage class and no existing volume matches it`;
      explanation =
        'Without a storage class (and no default class), a claim only binds to a pre-created PersistentVolume that matches its size and access modes; there is none.';
      confidence = 0.85;
      fixes = [classFix, { summary: 'Mark a StorageClass as the default, or create a matching PersistentVolume' }];
      break;
    case 'no-provisioner':
      summary = `no provisioner creates the volume for ${q(pvc.meta.name)} (storage class ${q(cls ?? 'none', 63)})`;
      explanation =
        'The claim waits for an external provisioner that does not act: the CSI driver or provisioner for this class is not installed or not running.';
      confidence = 0.75;
      fixes = [{ summary: `Install or restart the provisioner of storage class ${q(cls ?? '', 63)}` }, classFix];
      break;
    case 'provisioning-failed':
      summary = `provisioning a volume for ${q(pvc.meta.name)} fails: ${q(failure?.text, 200)}`;
      explanation =
        'The provisioner tried and failed; its message names the reason (quota at the storage backend, bad parameters, zone).';
      confidence = 0.7;
      fixes = [{ summary: 'Fix what the provisioning error names (backend quota, class parameters, zone)' }, classFix];
      break;
    default:
      summary = `${q(pvc.meta.name)} stays Pending (storage class ${q(cls ?? 'none', 63)})`;
      explanation = 'No event says why the claim is not bound.';
      confidence = 0.4;
      fixes = [{ summary: 'Check the storage class and its provisioner' }, classFix];
  }
  return diagnosis({
    category: problem === 'provisioning-failed' || problem === 'unknown' ? 'volume-binding' : 'storage-class',
    summary,
    explanation,
    confidence,
    fields: ['spec.storageClassName'],
    evidence: incident.evidence,
    fixes,
  });
}

export const pvcRule: DiagnosisRule = {
  types: ['PVCPending'],
  diagnose: diagnosePvc,
};
