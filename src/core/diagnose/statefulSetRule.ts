// StatefulSets that name a missing governing Service or StorageClass. The governing Service is a
// headless Service the user can create from the StatefulSet's own selector; volumeClaimTemplates
// cannot change on a StatefulSet, so a missing class is created or the set recreated.
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { selectorText } from '../detect/support';
import { nearestName } from './ingressRule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

function diagnoseStatefulSet(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const sts = snapshot.getWorkload('StatefulSet', incident.workload.namespace, incident.workload.name);
  const key = incident.key ?? '';
  if (!sts) return undefined;
  if (key.startsWith('service:')) {
    const name = key.slice('service:'.length);
    const near = nearestName(
      name,
      snapshot.list('Service', sts.namespace).map((s) => s.meta.name),
    );
    return diagnosis({
      category: 'statefulset-config',
      summary: `Service ${q(name, 63)} does not exist in namespace ${q(sts.namespace)}; StatefulSet ${q(sts.name)} names it as its governing Service${near ? ` (did you mean ${q(near, 63)}?)` : ''}`,
      explanation:
        'A StatefulSet gives each pod a stable network identity (pod-0.service.namespace.svc) through its governing headless Service. Without it the pods run, but peers that find each other by those names (databases, quorum systems) cannot.',
      confidence: 0.85,
      fields: ['spec.serviceName'],
      evidence: incident.evidence,
      fixes: [
        {
          summary: `Create a headless Service ${q(name, 63)} (clusterIP: None) with selector ${q(selectorText(sts.selector), 120)} in namespace ${q(sts.namespace)}`,
        },
        near
          ? {
              summary: `Or recreate the StatefulSet with serviceName ${q(near, 63)} (the field cannot change on an existing StatefulSet)`,
            }
          : undefined,
      ],
    });
  }
  if (key.startsWith('storageclass:')) {
    const template = key.slice('storageclass:'.length);
    const index = (sts.claimTemplates ?? []).findIndex((t) => t.name === template);
    const cls = sts.claimTemplates?.[index]?.storageClassName ?? '?';
    const classes = snapshot.list('StorageClass');
    const near =
      nearestName(
        cls,
        classes.map((c) => c.meta.name),
      ) ?? classes.find((c) => c.isDefault)?.meta.name;
    return diagnosis({
      category: 'statefulset-config',
      summary: `StorageClass ${q(cls, 63)} does not exist; StatefulSet ${q(sts.name)} claims volume ${q(template, 63)} from it (the cluster has: ${q(classes.map((c) => c.meta.name).join(', ') || 'none', 100)})`,
      explanation:
        'Each StatefulSet pod gets its own PersistentVolumeClaim from the volumeClaimTemplate. With a class that does not exist, no provisioner creates the volumes, the claims stay Pending and so do the pods that need them.',
      confidence: 0.9,
      fields: [`spec.volumeClaimTemplates[${Math.max(0, index)}].spec.storageClassName`],
      evidence: incident.evidence,
      fixes: [
        { summary: `Create StorageClass ${q(cls, 63)} with a provisioner that runs in the cluster` },
        near
          ? {
              summary: `Or recreate the StatefulSet with storageClassName ${q(near, 63)} (volumeClaimTemplates cannot change on an existing StatefulSet) and delete its Pending claims`,
            }
          : undefined,
      ],
    });
  }
  return undefined;
}

export const statefulSetRule: DiagnosisRule = {
  types: ['StatefulSetMisconfigured'],
  diagnose: diagnoseStatefulSet,
};
