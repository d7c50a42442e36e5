// Services with a selector whose EndpointSlices hold no ready endpoint: traffic goes nowhere.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { clip, endpointsOf, finding, lastedAtLeast, matchesSelector, oneLine, selectorText } from './support';
import { refOf } from '../model/objectRef';
import { isPodReady, isTerminalPod, podListEvidence, podsByNamespace, podTrouble } from './pods';

/** A new Service, or pods that are just starting, get this long before an empty endpoint set counts. */
export const SERVICE_GRACE_MS = 60 * 1000;

export const serviceNoEndpointsDetector: Detector = {
  types: ['ServiceNoEndpoints'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    const pods = podsByNamespace(snapshot);
    const workloads = snapshot.allWorkloads();
    for (const svc of snapshot.list('Service')) {
      if (svc.type === 'ExternalName' || Object.keys(svc.selector).length === 0) continue;
      if (!lastedAtLeast(svc.meta.createdAt, now, SERVICE_GRACE_MS)) continue;
      const endpoints = endpointsOf(snapshot, svc.meta.namespace, svc.meta.name);
      if (!endpoints || endpoints.ready > 0) continue;
      const matching = (pods.get(svc.meta.namespace) ?? []).filter(
        (p) => !isTerminalPod(p) && matchesSelector(svc.selector, p.meta.labels),
      );
      // Pods still starting: the endpoints will follow.
      if (matching.some((p) => !lastedAtLeast(p.meta.createdAt, now, SERVICE_GRACE_MS))) continue;
      const owners = workloads.filter(
        (w) => w.namespace === svc.meta.namespace && matchesSelector(svc.selector, w.template.labels),
      );
      // The backing workload is deliberately scaled to zero.
      if (matching.length === 0 && owners.length > 0 && owners.every((w) => w.desired === 0)) continue;
      const readyPods = matching.filter(isPodReady).length;
      const ref = refOf('Service', svc.meta);
      const why =
        matching.length === 0
          ? owners.length === 0
            ? 'no pod or workload matches its selector'
            : 'no pod matches its selector'
          : `${matching.length} matching ${matching.length === 1 ? 'pod is' : 'pods are'} not ready`;
      const summary = `Service ${oneLine(svc.meta.name)} has no ready endpoints: ${why} (${oneLine(selectorText(svc.selector), 120)})`;
      out.push(
        finding('ServiceNoEndpoints', 'warning', ref, summary, [
          { kind: 'spec', source: ref, field: 'spec.selector', text: clip(`selector ${selectorText(svc.selector)}`) },
          {
            kind: 'status',
            source: ref,
            text: `${endpoints.slices} EndpointSlices: ${endpoints.ready} ready, ${endpoints.notReady} not ready endpoints`,
            count: endpoints.ready,
          },
          {
            kind: 'status',
            source: ref,
            text: `${matching.length} pods match the selector, ${readyPods} ready`,
            count: matching.length,
          },
          podListEvidence(matching, (p) => podTrouble(p) ?? 'ready'),
          owners.length > 0
            ? {
                kind: 'status',
                source: { kind: owners[0]!.kind, namespace: owners[0]!.namespace, name: owners[0]!.name },
                text: clip(
                  `workloads with matching pod labels: ${owners.map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}`).join(', ')}`,
                ),
              }
            : undefined,
        ]),
      );
    }
    return out;
  },
};
