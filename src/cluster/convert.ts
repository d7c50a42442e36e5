// Kubernetes objects (typed models from a list, plain JSON from a watch) → NimbusGuard's plain
// records. Only the fields the detectors read are kept.
import type {
  Condition,
  ContainerSpec,
  ContainerState,
  ContainerStatus,
  CronJob,
  EndpointSlice,
  HorizontalPodAutoscaler,
  HpaMetric,
  Job,
  KubeEvent,
  Meta,
  Node,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  PodTemplate,
  PodVolume,
  Probe,
  ReplicaSet,
  ResourceQuota,
  Service,
  WebhookConfiguration,
} from '../core/model/resources';
import type { LimitRange } from '../core/model/resources';
import { Workload, WorkloadKind } from '../core/model/workload';

export type Obj = Record<string, any>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
export const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const n = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
export const opt = <T>(key: string, value: T | undefined | ''): Record<string, T> =>
  value === undefined || value === '' ? {} : { [key]: value as T };

export function timestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : '';
}

export function strings(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(map))) if (v !== undefined && v !== null) out[k] = str(v);
  return out;
}

export function conditions(list: unknown): Condition[] {
  return arr(list).map((c) => ({
    type: str(c['type']),
    status: str(c['status']),
    ...opt('reason', str(c['reason'])),
    ...opt('message', str(c['message'])),
    ...opt('lastTransitionTime', timestamp(c['lastTransitionTime'])),
  }));
}

export function toMeta(o: Obj): Meta {
  const m = obj(o['metadata']);
  return {
    namespace: str(m['namespace']),
    name: str(m['name']),
    uid: str(m['uid']),
    labels: strings(m['labels']),
    annotations: strings(m['annotations']),
    owners: arr(m['ownerReferences']).map((r) => ({
      kind: str(r['kind']),
      name: str(r['name']),
      uid: str(r['uid']),
      controller: r['controller'] === true,
    })),
    createdAt: timestamp(m['creationTimestamp']),
    ...opt('deletedAt', timestamp(m['deletionTimestamp'])),
    generation: n(m['generation']),
  };
}

function probe(p: unknown): Probe | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const o = obj(p);
  const common = {
    initialDelaySeconds: n(o['initialDelaySeconds']),
    periodSeconds: n(o['periodSeconds'], 10),
    timeoutSeconds: n(o['timeoutSeconds'], 1),
    failureThreshold: n(o['failureThreshold'], 3),
  };
  if (o['httpGet']) {
    const h = obj(o['httpGet']);
    return {
      type: 'httpGet',
      target: `${str(h['scheme']) || 'HTTP'} GET :${str(h['port'])}${str(h['path']) || '/'}`,
      ...common,
    };
  }
  if (o['tcpSocket']) return { type: 'tcpSocket', target: `tcp :${str(obj(o['tcpSocket'])['port'])}`, ...common };
  if (o['exec'])
    return { type: 'exec', target: `exec ${(obj(o['exec'])['command'] ?? []).map(str).join(' ')}`, ...common };
  if (o['grpc']) return { type: 'grpc', target: `grpc :${str(obj(o['grpc'])['port'])}`, ...common };
  return { type: 'unknown', target: '', ...common };
}

function container(c: Obj): ContainerSpec {
  const resources = obj(c['resources']);
  const configRefs: ContainerSpec['configRefs'] = [];
  const env = arr(c['env']).map((e) => {
    const from = obj(e['valueFrom']);
    const secret = obj(from['secretKeyRef']);
    const config = obj(from['configMapKeyRef']);
    if (secret['name'])
      configRefs.push({ kind: 'Secret', name: str(secret['name']), optional: secret['optional'] === true });
    if (config['name'])
      configRefs.push({ kind: 'ConfigMap', name: str(config['name']), optional: config['optional'] === true });
    const source = secret['name']
      ? `secret ${str(secret['name'])}`
      : config['name']
        ? `configmap ${str(config['name'])}`
        : from['fieldRef']
          ? 'fieldRef'
          : from['resourceFieldRef']
            ? 'resourceFieldRef'
            : undefined;
    return {
      name: str(e['name']),
      ...opt('value', e['value'] === undefined ? undefined : str(e['value'])),
      ...opt('from', source),
    };
  });
  for (const e of arr(c['envFrom'])) {
    const secret = obj(e['secretRef']);
    const config = obj(e['configMapRef']);
    if (secret['name'])
      configRefs.push({ kind: 'Secret', name: str(secret['name']), optional: secret['optional'] === true });
    if (config['name'])
      configRefs.push({ kind: 'ConfigMap', name: str(config['name']), optional: config['optional'] === true });
  }
  const readinessProbe = probe(c['readinessProbe']);
  const livenessProbe = probe(c['livenessProbe']);
  return {
    name: str(c['name']),
    image: str(c['image']),
    resources: { requests: strings(resources['requests']), limits: strings(resources['limits']) },
    ...(readinessProbe ? { readinessProbe } : {}),
    ...(livenessProbe ? { livenessProbe } : {}),
    command: (c['command'] ?? []).map(str),
    args: (c['args'] ?? []).map(str),
    env,
    configRefs,
    ...opt('restartPolicy', str(c['restartPolicy'])),
    ports: arr(c['ports'])
      .filter((p) => typeof p['containerPort'] === 'number')
      .map((p) => ({
        ...opt('name', str(p['name'])),
        containerPort: n(p['containerPort']),
        protocol: str(p['protocol']) || 'TCP',
      })),
  };
}

function volume(v: Obj): PodVolume {
  const keys = (source: Obj): string[] =>
    arr(source['items'])
      .map((i) => str(i['key']))
      .filter((k) => k !== '');
  const name = str(v['name']);
  if (v['configMap']) {
    const cm = obj(v['configMap']);
    return { name, kind: 'ConfigMap', source: str(cm['name']), optional: cm['optional'] === true, keys: keys(cm) };
  }
  if (v['secret']) {
    const secret = obj(v['secret']);
    return {
      name,
      kind: 'Secret',
      source: str(secret['secretName']),
      optional: secret['optional'] === true,
      keys: keys(secret),
    };
  }
  if (v['persistentVolumeClaim'])
    return {
      name,
      kind: 'PersistentVolumeClaim',
      source: str(obj(v['persistentVolumeClaim'])['claimName']),
      optional: false,
      keys: [],
    };
  if (v['csi']) return { name, kind: 'CSI', source: str(obj(v['csi'])['driver']), optional: false, keys: [] };
  return { name, kind: 'Other', source: Object.keys(v).find((k) => k !== 'name') ?? '', optional: false, keys: [] };
}

export function toPodTemplate(metaLike: unknown, specLike: unknown): PodTemplate {
  const meta = obj(metaLike);
  const spec = obj(specLike);
  return {
    labels: strings(meta['labels']),
    annotations: strings(meta['annotations']),
    containers: arr(spec['containers']).map(container),
    initContainers: arr(spec['initContainers']).map(container),
    nodeSelector: strings(spec['nodeSelector']),
    tolerations: arr(spec['tolerations']).map((t) => ({
      ...opt('key', str(t['key'])),
      ...opt('operator', str(t['operator'])),
      ...opt('value', str(t['value'])),
      ...opt('effect', str(t['effect'])),
    })),
    hasAffinity: Boolean(spec['affinity'] && Object.keys(obj(spec['affinity'])).length > 0),
    imagePullSecrets: arr(spec['imagePullSecrets']).map((s) => str(s['name'])),
    claimNames: arr(spec['volumes']).flatMap((v) =>
      v['persistentVolumeClaim'] ? [str(obj(v['persistentVolumeClaim'])['claimName'])] : [],
    ),
    volumes: arr(spec['volumes']).map(volume),
    restartPolicy: str(spec['restartPolicy']) || 'Always',
    serviceAccountName: str(spec['serviceAccountName']) || 'default',
    ...(spec['hostNetwork'] === true ? { hostNetwork: true } : {}),
  };
}

function template(spec: Obj): PodTemplate {
  const t = obj(spec['template']);
  return toPodTemplate(t['metadata'], t['spec']);
}

function state(s: unknown): ContainerState {
  const o = obj(s);
  const out: ContainerState = {};
  if (o['waiting']) {
    const w = obj(o['waiting']);
    out.waiting = { reason: str(w['reason']), ...opt('message', str(w['message'])) };
  }
  if (o['running']) out.running = { startedAt: timestamp(obj(o['running'])['startedAt']) };
  if (o['terminated']) {
    const t = obj(o['terminated']);
    out.terminated = {
      reason: str(t['reason']),
      exitCode: n(t['exitCode']),
      ...opt('message', str(t['message'])),
      ...opt('startedAt', timestamp(t['startedAt'])),
      ...opt('finishedAt', timestamp(t['finishedAt'])),
    };
  }
  return out;
}

function containerStatuses(list: unknown): ContainerStatus[] {
  return arr(list).map((c) => ({
    name: str(c['name']),
    ready: c['ready'] === true,
    started: c['started'] === true,
    restartCount: n(c['restartCount']),
    image: str(c['image']),
    state: state(c['state']),
    lastState: state(c['lastState']),
  }));
}

export function toWorkload(kind: WorkloadKind, o: Obj): Workload {
  const meta = toMeta(o);
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  const counts =
    kind === 'DaemonSet'
      ? {
          desired: n(status['desiredNumberScheduled']),
          ready: n(status['numberReady']),
          updated: n(status['updatedNumberScheduled']),
          available: n(status['numberAvailable']),
        }
      : {
          desired: n(spec['replicas'], 1),
          ready: n(status['readyReplicas']),
          updated: n(status['updatedReplicas']),
          available: n(status['availableReplicas']),
        };
  return {
    kind,
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    ...counts,
    generation: meta.generation,
    observedGeneration: n(status['observedGeneration']),
    labels: meta.labels,
    annotations: meta.annotations,
    conditions: conditions(status['conditions']),
    createdAt: meta.createdAt,
    selector: strings(obj(spec['selector'])['matchLabels']),
    template: template(spec),
    ...(kind === 'Deployment'
      ? { progressDeadlineSeconds: n(spec['progressDeadlineSeconds'], 600), paused: spec['paused'] === true }
      : {}),
    ...(kind === 'StatefulSet'
      ? {
          ...opt('serviceName', str(spec['serviceName'])),
          claimTemplates: claimTemplates(spec['volumeClaimTemplates']),
        }
      : {}),
  };
}

function claimTemplates(list: unknown): { name: string; storageClassName?: string }[] {
  return arr(list).map((t) => ({
    name: str(obj(t['metadata'])['name']),
    ...opt('storageClassName', str(obj(t['spec'])['storageClassName'])),
  }));
}

export function toPod(o: Obj): Pod {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  const meta = toMeta(o);
  return {
    meta,
    phase: str(status['phase']) || 'Pending',
    ...opt('reason', str(status['reason'])),
    ...opt('message', str(status['message'])),
    ...opt('nodeName', str(spec['nodeName'])),
    conditions: conditions(status['conditions']),
    spec: toPodTemplate({ labels: meta.labels, annotations: meta.annotations }, spec),
    containerStatuses: containerStatuses(status['containerStatuses']),
    initContainerStatuses: containerStatuses(status['initContainerStatuses']),
    ...opt('startTime', timestamp(status['startTime'])),
  };
}

export function toReplicaSet(o: Obj): ReplicaSet {
  const meta = toMeta(o);
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  return {
    meta,
    desired: n(spec['replicas'], 1),
    ready: n(status['readyReplicas']),
    available: n(status['availableReplicas']),
    revision: Number.parseInt(meta.annotations['deployment.kubernetes.io/revision'] ?? '0', 10) || 0,
    template: template(spec),
    conditions: conditions(status['conditions']),
  };
}

export function toJob(o: Obj): Job {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  return {
    meta: toMeta(o),
    completions: n(spec['completions'], 1),
    parallelism: n(spec['parallelism'], 1),
    backoffLimit: n(spec['backoffLimit'], 6),
    active: n(status['active']),
    succeeded: n(status['succeeded']),
    failed: n(status['failed']),
    conditions: conditions(status['conditions']),
    template: template(spec),
    ...opt('startTime', timestamp(status['startTime'])),
    ...opt('completionTime', timestamp(status['completionTime'])),
  };
}

export function toCronJob(o: Obj): CronJob {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  return {
    meta: toMeta(o),
    schedule: str(spec['schedule']),
    suspend: spec['suspend'] === true,
    ...opt('timeZone', str(spec['timeZone'])),
    ...opt('lastScheduleTime', timestamp(status['lastScheduleTime'])),
    ...opt('lastSuccessfulTime', timestamp(status['lastSuccessfulTime'])),
    active: arr(status['active']).length,
  };
}

export function toService(o: Obj): Service {
  const spec = obj(o['spec']);
  return {
    meta: toMeta(o),
    type: str(spec['type']) || 'ClusterIP',
    selector: strings(spec['selector']),
    ports: arr(spec['ports']).map((p) => ({
      ...opt('name', str(p['name'])),
      port: n(p['port']),
      ...opt('targetPort', str(p['targetPort'])),
      ...opt('protocol', str(p['protocol'])),
    })),
  };
}

export function toEndpointSlice(o: Obj): EndpointSlice {
  const meta = toMeta(o);
  let ready = 0;
  let notReady = 0;
  for (const e of arr(o['endpoints'])) {
    // A missing ready condition means ready, per the EndpointSlice API.
    if (obj(e['conditions'])['ready'] === false) notReady++;
    else ready++;
  }
  return { meta, serviceName: meta.labels['kubernetes.io/service-name'] ?? '', ready, notReady };
}

export function toPvc(o: Obj): PersistentVolumeClaim {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  return {
    meta: toMeta(o),
    phase: str(status['phase']) || 'Pending',
    ...opt('storageClassName', str(spec['storageClassName'])),
    ...opt('requested', str(obj(obj(spec['resources'])['requests'])['storage'])),
    ...opt('volumeName', str(spec['volumeName'])),
    accessModes: (spec['accessModes'] ?? []).map(str),
  };
}

export function toNode(o: Obj): Node {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  return {
    meta: toMeta(o),
    conditions: conditions(status['conditions']),
    unschedulable: spec['unschedulable'] === true,
    taints: arr(spec['taints']).map((t) => ({
      key: str(t['key']),
      ...opt('value', str(t['value'])),
      effect: str(t['effect']),
    })),
    allocatable: strings(status['allocatable']),
    capacity: strings(status['capacity']),
  };
}

function metricKey(m: Obj): string {
  const type = str(m['type']);
  return type.charAt(0).toLowerCase() + type.slice(1);
}

function metricName(m: Obj): string {
  const body = obj(m[metricKey(m)]);
  return str(body['name']) || str(obj(body['metric'])['name']);
}

function hpaMetric(spec: Obj, current: Obj | undefined): HpaMetric {
  const target = obj(obj(spec[metricKey(spec)])['target']);
  const cur = obj(obj(current?.[metricKey(spec)])['current']);
  return {
    type: str(spec['type']),
    name: metricName(spec),
    ...opt('targetType', str(target['type'])),
    ...(typeof target['averageUtilization'] === 'number'
      ? { targetAverageUtilization: target['averageUtilization'] }
      : {}),
    ...opt('targetValue', str(target['averageValue'] ?? target['value'])),
    ...(typeof cur['averageUtilization'] === 'number' ? { currentAverageUtilization: cur['averageUtilization'] } : {}),
    ...opt('currentValue', str(cur['averageValue'] ?? cur['value'])),
  };
}

export function toHpa(o: Obj): HorizontalPodAutoscaler {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  const ref = obj(spec['scaleTargetRef']);
  const currents = arr(status['currentMetrics']);
  return {
    meta: toMeta(o),
    target: { kind: str(ref['kind']), name: str(ref['name']), apiVersion: str(ref['apiVersion']) },
    minReplicas: n(spec['minReplicas'], 1),
    maxReplicas: n(spec['maxReplicas']),
    currentReplicas: n(status['currentReplicas']),
    desiredReplicas: n(status['desiredReplicas']),
    metrics: arr(spec['metrics']).map((m) =>
      hpaMetric(
        m,
        currents.find((c) => c['type'] === m['type'] && metricName(c) === metricName(m)),
      ),
    ),
    conditions: conditions(status['conditions']),
    ...opt('lastScaleTime', timestamp(status['lastScaleTime'])),
  };
}

export function toResourceQuota(o: Obj): ResourceQuota {
  const status = obj(o['status']);
  return { meta: toMeta(o), hard: strings(status['hard'] ?? obj(o['spec'])['hard']), used: strings(status['used']) };
}

export function toLimitRange(o: Obj): LimitRange {
  return {
    meta: toMeta(o),
    limits: arr(obj(o['spec'])['limits']).map((l) => ({
      type: str(l['type']),
      max: strings(l['max']),
      min: strings(l['min']),
    })),
  };
}

export function toPdb(o: Obj): PodDisruptionBudget {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  return {
    meta: toMeta(o),
    ...opt('minAvailable', spec['minAvailable'] === undefined ? undefined : str(spec['minAvailable'])),
    ...opt('maxUnavailable', spec['maxUnavailable'] === undefined ? undefined : str(spec['maxUnavailable'])),
    selector: strings(obj(spec['selector'])['matchLabels']),
    selectorExpressions: arr(obj(spec['selector'])['matchExpressions']).map((e) => ({
      key: str(e['key']),
      operator: str(e['operator']),
      values: Array.isArray(e['values']) ? e['values'].map(str) : [],
    })),
    currentHealthy: n(status['currentHealthy']),
    desiredHealthy: n(status['desiredHealthy']),
    disruptionsAllowed: n(status['disruptionsAllowed']),
    expectedPods: n(status['expectedPods']),
    observedGeneration: n(status['observedGeneration']),
    conditions: conditions(status['conditions']),
  };
}

/** core/v1 Events (the API's newest fields preferred over the deprecated ones). */
export function toEvent(o: Obj): KubeEvent {
  const meta = toMeta(o);
  const inv = obj(o['involvedObject'] ?? o['regarding']);
  const series = obj(o['series']);
  const lastSeen =
    timestamp(series['lastObservedTime']) ||
    timestamp(o['lastTimestamp']) ||
    timestamp(o['eventTime']) ||
    meta.createdAt;
  return {
    meta,
    involved: {
      kind: str(inv['kind']),
      namespace: str(inv['namespace']) || meta.namespace,
      name: str(inv['name']),
      ...opt('uid', str(inv['uid'])),
    },
    reason: str(o['reason']),
    message: str(o['message'] ?? o['note']),
    type: str(o['type']) || 'Normal',
    count: Math.max(n(o['count']), n(series['count']), 1),
    firstSeen: timestamp(o['firstTimestamp']) || timestamp(o['eventTime']) || meta.createdAt,
    lastSeen,
    source: str(obj(o['source'])['component'] ?? o['reportingComponent'] ?? o['reportingController']),
  };
}

export function toWebhookConfiguration(kind: WebhookConfiguration['kind'], o: Obj): WebhookConfiguration {
  return {
    meta: toMeta(o),
    kind,
    webhooks: arr(o['webhooks']).map((w) => {
      const cc = obj(w['clientConfig']);
      const svc = cc['service'] ? obj(cc['service']) : undefined;
      return {
        name: str(w['name']),
        failurePolicy: str(w['failurePolicy']) || 'Fail',
        ...(svc
          ? {
              service: {
                namespace: str(svc['namespace']),
                name: str(svc['name']),
                ...(typeof svc['port'] === 'number' ? { port: svc['port'] } : {}),
              },
            }
          : {}),
        ...opt('url', str(cc['url'])),
      };
    }),
  };
}
