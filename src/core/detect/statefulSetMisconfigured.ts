// StatefulSets that name what does not exist: the governing Service (spec.serviceName), whose
// absence leaves the pods without their stable DNS names, or a StorageClass in a
// volumeClaimTemplate, whose absence leaves every new claim, and so every new pod, Pending.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { REFERENCE_GRACE_MS, clip, finding, lastedAtLeast, oneLine } from './support';
import { workloadRef } from '../model/objectRef';

export const statefulSetMisconfiguredDetector: Detector = {
  types: ['StatefulSetMisconfigured'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    const classesKnown = snapshot.observes('StorageClass');
    for (const sts of snapshot.list('StatefulSet')) {
      if (!lastedAtLeast(sts.createdAt, now, REFERENCE_GRACE_MS)) continue;
      const ref = workloadRef(sts);
      const ns = sts.namespace;
      if (sts.serviceName && snapshot.observes('Service', ns) && !snapshot.get('Service', ns, sts.serviceName)) {
        out.push(
          finding(
            'StatefulSetMisconfigured',
            'warning',
            ref,
            `StatefulSet ${oneLine(sts.name)} names Service ${oneLine(sts.serviceName, 63)} in spec.serviceName, which does not exist: its pods get no stable DNS names`,
            [{ kind: 'spec', source: ref, field: 'spec.serviceName', text: clip(`serviceName: ${sts.serviceName}`) }],
            `service:${sts.serviceName}`,
          ),
        );
      }
      if (!classesKnown) continue;
      for (const t of sts.claimTemplates ?? []) {
        if (t.storageClassName === undefined || snapshot.get('StorageClass', '', t.storageClassName)) continue;
        const severity = sts.desired > 0 && sts.ready < sts.desired ? 'critical' : 'warning';
        out.push(
          finding(
            'StatefulSetMisconfigured',
            severity,
            ref,
            `StatefulSet ${oneLine(sts.name)} claims volume ${oneLine(t.name, 63)} from StorageClass ${oneLine(t.storageClassName, 63)}, which does not exist: new pods wait for a volume that is never provisioned (${sts.ready}/${sts.desired} ready)`,
            [
              {
                kind: 'spec',
                source: ref,
                field: `spec.volumeClaimTemplates[${(sts.claimTemplates ?? []).indexOf(t)}].spec.storageClassName`,
                text: clip(`volumeClaimTemplate ${t.name}: storageClassName ${t.storageClassName}`),
              },
              {
                kind: 'status',
                source: ref,
                text: clip(
                  `StorageClasses in the cluster: ${
                    snapshot
                      .list('StorageClass')
                      .map((c) => `${c.meta.name}${c.isDefault ? ' (default)' : ''}`)
                      .join(', ') || 'none'
                  }`,
                ),
              },
            ],
            `storageclass:${t.name}`,
          ),
        );
      }
    }
    return out;
  },
};
