// Small builders for plain snapshot records: sensible healthy defaults, overridable per test.
import { ClusterSnapshot } from '../../../src/core/model/snapshot';
import type {
  Condition,
  ContainerSpec,
  ContainerStatus,
  CronJob,
  EndpointSlice,
  HorizontalPodAutoscaler,
  Job,
  KubeEvent,
  Meta,
  Node,
  ObjectRef,
  OwnerRef,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  PodTemplate,
  ReplicaSet,
  ResourceQuota,
  SecretMeta,
  Service,
  WebhookConfiguration,
} from '../../../src/core/model/resources';
import type { Ingress, IngressClass } from '../../../src/core/model/routing';
import type { PersistentVolume, StorageClass } from '../../../src/core/model/storage';
import type { Workload } from '../../../src/core/model/workload';
import type { DetectContext, Detector } from '../../../src/core/detect/detector';
import type { Finding } from '../../../src/core/model/incident';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** An ISO timestamp `seconds` before NOW. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

/** Partial record whose meta is itself partial. */
export type Over<T> = Partial<Omit<T, 'meta'>> & { meta?: Partial<Meta> };

let uidCounter = 0;
export function uid(prefix = 'uid'): string {
  return `${prefix}-${++uidCounter}`;
}

export function meta(name: string, overrides: Partial<Meta> = {}): Meta {
  return {
    namespace: 'shop',
    name,
    uid: uid(name),
    labels: {},
    annotations: {},
    owners: [],
    createdAt: ago(3600),
    generation: 1,
    ...overrides,
  };
}

export function owner(kind: string, name: string, ownerUid: string): OwnerRef {
  return { kind, name, uid: ownerUid, controller: true };
}

export function container(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: 'app',
    image: 'registry.example.com/shop/app:1.0',
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    command: [],
    args: [],
    env: [],
    configRefs: [],
    ...overrides,
  };
}

export function template(overrides: Partial<PodTemplate> = {}): PodTemplate {
  return {
    labels: {},
    annotations: {},
    containers: [container()],
    initContainers: [],
    nodeSelector: {},
    tolerations: [],
    hasAffinity: false,
    imagePullSecrets: [],
    claimNames: [],
    volumes: [],
    restartPolicy: 'Always',
    serviceAccountName: 'default',
    ...overrides,
  };
}

export function runningStatus(overrides: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    name: 'app',
    ready: true,
    started: true,
    restartCount: 0,
    image: 'registry.example.com/shop/app:1.0',
    state: { running: { startedAt: ago(3500) } },
    lastState: {},
    ...overrides,
  };
}

export function cond(type: string, status: string, extra: Partial<Condition> = {}): Condition {
  return { type, status, lastTransitionTime: ago(3500), ...extra };
}

export const READY_CONDITIONS: Condition[] = [
  cond('PodScheduled', 'True'),
  cond('Initialized', 'True'),
  cond('ContainersReady', 'True'),
  cond('Ready', 'True'),
];

export interface PodOptions extends Partial<Omit<Pod, 'meta'>> {
  meta?: Partial<Meta>;
}

/** A healthy Running pod; pass `meta.owners` to attach it to a ReplicaSet/Job. */
export function pod(name: string, options: PodOptions = {}): Pod {
  const { meta: m, ...rest } = options;
  return {
    meta: meta(name, m),
    phase: 'Running',
    nodeName: 'node-1',
    conditions: READY_CONDITIONS,
    spec: template(),
    containerStatuses: [runningStatus()],
    initContainerStatuses: [],
    startTime: ago(3550),
    ...rest,
  };
}

export function workload(name: string, overrides: Partial<Workload> = {}): Workload {
  return {
    kind: 'Deployment',
    namespace: 'shop',
    name,
    uid: uid(name),
    desired: 3,
    ready: 3,
    updated: 3,
    available: 3,
    generation: 1,
    observedGeneration: 1,
    labels: {},
    annotations: {},
    createdAt: ago(86400),
    selector: { app: name },
    conditions: [
      cond('Available', 'True', { reason: 'MinimumReplicasAvailable' }),
      cond('Progressing', 'True', { reason: 'NewReplicaSetAvailable' }),
    ],
    template: template({ labels: { app: name } }),
    progressDeadlineSeconds: 600,
    paused: false,
    ...overrides,
  };
}

export function replicaSet(name: string, overrides: Over<ReplicaSet> = {}): ReplicaSet {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    desired: 3,
    ready: 3,
    available: 3,
    revision: 1,
    template: template(),
    conditions: [],
    ...rest,
  };
}

export function event(
  involved: ObjectRef,
  reason: string,
  message: string,
  overrides: Partial<KubeEvent> = {},
): KubeEvent {
  return {
    meta: meta(`${involved.name}.${uid('ev')}`, { namespace: involved.namespace }),
    involved,
    reason,
    message,
    type: 'Warning',
    count: 1,
    firstSeen: ago(300),
    lastSeen: ago(20),
    source: 'test',
    ...overrides,
  };
}

export function job(name: string, overrides: Over<Job> = {}): Job {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    completions: 1,
    parallelism: 1,
    backoffLimit: 6,
    active: 0,
    succeeded: 1,
    failed: 0,
    conditions: [cond('Complete', 'True')],
    template: template({ restartPolicy: 'Never' }),
    startTime: ago(600),
    completionTime: ago(500),
    ...rest,
  };
}

export function cronJob(name: string, overrides: Over<CronJob> = {}): CronJob {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    schedule: '*/5 * * * *',
    suspend: false,
    lastScheduleTime: ago(120),
    lastSuccessfulTime: ago(100),
    active: 0,
    ...rest,
  };
}

export function service(name: string, overrides: Over<Service> = {}): Service {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    type: 'ClusterIP',
    selector: { app: name },
    ports: [{ port: 80, targetPort: '8080' }],
    ...rest,
  };
}

export function endpointSlice(service: string, ready: number, notReady = 0, namespace = 'shop'): EndpointSlice {
  return {
    meta: meta(`${service}-${uid('eps')}`, { namespace, labels: { 'kubernetes.io/service-name': service } }),
    serviceName: service,
    ready,
    notReady,
  };
}

export function pvc(name: string, overrides: Over<PersistentVolumeClaim> = {}): PersistentVolumeClaim {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    phase: 'Bound',
    storageClassName: 'standard',
    requested: '10Gi',
    volumeName: `pv-${name}`,
    accessModes: ['ReadWriteOnce'],
    ...rest,
  };
}

export function node(name: string, overrides: Over<Node> = {}): Node {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, { namespace: '', ...m }),
    conditions: [
      cond('Ready', 'True', { reason: 'KubeletReady' }),
      cond('MemoryPressure', 'False'),
      cond('DiskPressure', 'False'),
      cond('PIDPressure', 'False'),
      cond('NetworkUnavailable', 'False'),
    ],
    unschedulable: false,
    taints: [],
    allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
    capacity: { cpu: '4', memory: '16Gi', pods: '110' },
    ...rest,
  };
}

export function hpa(name: string, overrides: Over<HorizontalPodAutoscaler> = {}): HorizontalPodAutoscaler {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    target: { kind: 'Deployment', name, apiVersion: 'apps/v1' },
    minReplicas: 2,
    maxReplicas: 10,
    currentReplicas: 3,
    desiredReplicas: 3,
    metrics: [
      {
        type: 'Resource',
        name: 'cpu',
        targetType: 'Utilization',
        targetAverageUtilization: 70,
        currentAverageUtilization: 45,
      },
    ],
    conditions: [
      cond('AbleToScale', 'True', { reason: 'ReadyForNewScale' }),
      cond('ScalingActive', 'True', { reason: 'ValidMetricFound' }),
      cond('ScalingLimited', 'False', { reason: 'DesiredWithinRange' }),
    ],
    ...rest,
  };
}

export function quota(
  name: string,
  hard: Record<string, string>,
  used: Record<string, string>,
  namespace = 'shop',
): ResourceQuota {
  return { meta: meta(name, { namespace }), hard, used };
}

export function webhookConfig(name: string, webhooks: WebhookConfiguration['webhooks']): WebhookConfiguration {
  return { meta: meta(name, { namespace: '' }), kind: 'ValidatingWebhookConfiguration', webhooks };
}

export function ref(kind: string, name: string, namespace = 'shop'): ObjectRef {
  return { kind, namespace, name };
}

export interface App {
  deployment: Workload;
  rs: ReplicaSet;
  pods: Pod[];
}

/**
 * A Deployment with its current ReplicaSet and `replicas` healthy pods, plus a Service and its
 * EndpointSlice. `podOverrides` reshape the pods (index → options).
 */
export function addApp(
  snapshot: ClusterSnapshot,
  name: string,
  options: {
    replicas?: number;
    namespace?: string;
    deployment?: Partial<Workload>;
    rs?: Over<ReplicaSet>;
    pod?: (i: number) => PodOptions;
    service?: boolean;
  } = {},
): App {
  const replicas = options.replicas ?? 3;
  const namespace = options.namespace ?? 'shop';
  const labels = { app: name };
  const d = workload(name, {
    namespace,
    desired: replicas,
    ready: replicas,
    updated: replicas,
    available: replicas,
    ...options.deployment,
  });
  const rsName = `${name}-7d4b9c`;
  const rs = replicaSet(rsName, {
    desired: replicas,
    ready: replicas,
    available: replicas,
    template: d.template,
    ...options.rs,
    meta: {
      namespace,
      owners: [owner('Deployment', name, d.uid)],
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ...options.rs?.meta,
    },
  });
  snapshot.upsert('Deployment', d);
  snapshot.upsert('ReplicaSet', rs);
  const pods: Pod[] = [];
  for (let i = 0; i < replicas; i++) {
    const o = options.pod?.(i) ?? {};
    const p = pod(`${rsName}-${i}x${i}`, {
      spec: template({ labels }),
      ...o,
      meta: { namespace, labels, owners: [owner('ReplicaSet', rs.meta.name, rs.meta.uid)], ...o.meta },
    });
    snapshot.upsert('Pod', p);
    pods.push(p);
  }
  if (options.service !== false) {
    snapshot.upsert('Service', service(name, { meta: { namespace } }));
    snapshot.upsert(
      'EndpointSlice',
      endpointSlice(
        name,
        pods.filter((p) => p.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length,
        0,
        namespace,
      ),
    );
  }
  return { deployment: d, rs, pods };
}

export function ctx(snapshot: ClusterSnapshot, now = NOW): DetectContext {
  return { snapshot, now };
}

export function run(detector: Detector, snapshot: ClusterSnapshot, now = NOW): Finding[] {
  const findings = detector.detect(ctx(snapshot, now));
  for (const f of findings) {
    if (!detector.types.includes(f.type)) throw new Error(`detector reported foreign type ${f.type}`);
  }
  return findings;
}

export { ClusterSnapshot };

// ---- routing, storage and budgets ----------------------------------------------------------------

export function ingress(name: string, overrides: Over<Ingress> = {}): Ingress {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    className: 'nginx',
    backends: [
      {
        path: 'spec.rules[0].http.paths[0].backend',
        route: 'shop.example.com/',
        service: { name, port: { number: 80 } },
      },
    ],
    tls: [],
    addresses: ['10.0.0.1'],
    ...rest,
  };
}

export function ingressClass(name: string, isDefault = false): IngressClass {
  return { meta: meta(name, { namespace: '' }), controller: 'k8s.io/ingress-nginx', isDefault };
}

export function secret(name: string, namespace = 'shop'): SecretMeta {
  return { meta: meta(name, { namespace }) };
}

export function pdb(name: string, overrides: Over<PodDisruptionBudget> = {}): PodDisruptionBudget {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, m),
    minAvailable: '1',
    selector: { app: name },
    selectorExpressions: [],
    currentHealthy: 3,
    desiredHealthy: 1,
    disruptionsAllowed: 2,
    expectedPods: 3,
    observedGeneration: 1,
    conditions: [cond('DisruptionAllowed', 'True', { reason: 'SufficientPods' })],
    ...rest,
  };
}

export function storageClass(name: string, isDefault = false): StorageClass {
  return {
    meta: meta(name, { namespace: '' }),
    provisioner: 'csi.example.com',
    isDefault,
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export function persistentVolume(name: string, overrides: Over<PersistentVolume> = {}): PersistentVolume {
  const { meta: m, ...rest } = overrides;
  return {
    meta: meta(name, { namespace: '', ...m }),
    phase: 'Bound',
    storageClassName: 'standard',
    reclaimPolicy: 'Delete',
    capacity: '10Gi',
    ...rest,
  };
}
