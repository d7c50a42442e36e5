// The kinds NimbusGuard watches: where each lives in the API and how it becomes a plain record.
import { EVENT_RETENTION_MS, type SnapshotKind } from '../core/model/snapshot';
import { EVENTS_READ } from '../core/detect/support';
import * as c from './convert';
import type { ResourceType } from './informer';
import * as routing from './convertRouting';
import * as storage from './convertStorage';
import { toSecretMeta } from './metadataOnly';
import { toNetworkPolicy } from './convertNetworkPolicy';

export interface KindBinding {
  kind: SnapshotKind;
  type: ResourceType;
  clusterScoped: boolean;
  /** Served only where an add-on installed its CRDs: a server without it is no error and no note. */
  optional?: boolean;
  convert(o: Record<string, any>): any;
}

const bind = (
  kind: SnapshotKind,
  apiVersion: string,
  plural: string,
  convert: KindBinding['convert'],
  clusterScoped = false,
  extra: { optional?: boolean; metadataOnly?: boolean; backfill?: ResourceType['backfill'] } = {},
): KindBinding => ({
  kind,
  type: {
    apiVersion,
    kind,
    plural,
    ...(extra.metadataOnly ? { metadataOnly: true } : {}),
    ...(extra.backfill ? { backfill: extra.backfill } : {}),
  },
  clusterScoped,
  ...(extra.optional ? { optional: true } : {}),
  convert,
});

const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/**
 * Events are not listed whole: on a big cluster they outnumber pods (a Scheduled and a
 * SuccessfulCreate per pod, and more), and almost all are Normal events nothing reads. The first
 * list takes the Warnings and the Normal events the detectors read (EVENTS_READ) from within the
 * snapshot's retention; the watch then brings every event from that moment on.
 */
const EVENT_BACKFILL: ResourceType['backfill'] = {
  fieldSelectors: [
    'type=Warning',
    ...EVENTS_READ.normalReasons.map((r) => `type=Normal,reason=${r}`),
    ...EVENTS_READ.normalAbout.map((k) => `type=Normal,involvedObject.kind=${k}`),
  ],
  keep: (o) => {
    const age = Date.now() - Date.parse(c.toEvent(o as Record<string, any>).lastSeen);
    return !(age > EVENT_RETENTION_MS);
  },
};

export const KIND_BINDINGS: readonly KindBinding[] = [
  bind('Deployment', 'apps/v1', 'deployments', (o) => c.toWorkload('Deployment', o)),
  bind('StatefulSet', 'apps/v1', 'statefulsets', (o) => c.toWorkload('StatefulSet', o)),
  bind('DaemonSet', 'apps/v1', 'daemonsets', (o) => c.toWorkload('DaemonSet', o)),
  bind('ReplicaSet', 'apps/v1', 'replicasets', c.toReplicaSet),
  bind('Pod', 'v1', 'pods', c.toPod),
  bind('Job', 'batch/v1', 'jobs', c.toJob),
  bind('CronJob', 'batch/v1', 'cronjobs', c.toCronJob),
  bind('Service', 'v1', 'services', c.toService),
  bind('EndpointSlice', 'discovery.k8s.io/v1', 'endpointslices', c.toEndpointSlice),
  bind('PersistentVolumeClaim', 'v1', 'persistentvolumeclaims', c.toPvc),
  bind('HorizontalPodAutoscaler', 'autoscaling/v2', 'horizontalpodautoscalers', c.toHpa),
  bind('ResourceQuota', 'v1', 'resourcequotas', c.toResourceQuota),
  bind('LimitRange', 'v1', 'limitranges', c.toLimitRange),
  bind('PodDisruptionBudget', 'policy/v1', 'poddisruptionbudgets', c.toPdb),
  bind('Event', 'v1', 'events', c.toEvent, false, { backfill: EVENT_BACKFILL }),
  bind('Node', 'v1', 'nodes', c.toNode, true),
  bind(
    'ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1',
    'validatingwebhookconfigurations',
    (o) => c.toWebhookConfiguration('ValidatingWebhookConfiguration', o),
    true,
  ),
  bind(
    'MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1',
    'mutatingwebhookconfigurations',
    (o) => c.toWebhookConfiguration('MutatingWebhookConfiguration', o),
    true,
  ),
  // Routing and storage, and the objects other objects name.
  bind('Ingress', 'networking.k8s.io/v1', 'ingresses', routing.toIngress),
  bind('IngressClass', 'networking.k8s.io/v1', 'ingressclasses', routing.toIngressClass, true),
  bind('StorageClass', 'storage.k8s.io/v1', 'storageclasses', storage.toStorageClass, true),
  bind('PersistentVolume', 'v1', 'persistentvolumes', storage.toPersistentVolume, true),
  bind('NetworkPolicy', 'networking.k8s.io/v1', 'networkpolicies', toNetworkPolicy),
  bind('Secret', 'v1', 'secrets', toSecretMeta, false, { metadataOnly: true }),
  bind('GatewayClass', GATEWAY_API, 'gatewayclasses', routing.toGatewayClass, true, { optional: true }),
  bind('Gateway', GATEWAY_API, 'gateways', routing.toGateway, false, { optional: true }),
  bind('HTTPRoute', GATEWAY_API, 'httproutes', routing.toHTTPRoute, false, { optional: true }),
];
