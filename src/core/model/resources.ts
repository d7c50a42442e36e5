// Plain records for the Kubernetes objects the detectors read. Only the fields NimbusGuard uses
// are kept, so a snapshot of thousands of pods stays small.
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

/** A status condition as the API reports it (workloads, pods, nodes, autoscalers). */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
}

export interface Meta {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owners: OwnerRef[];
  createdAt: string;
  deletedAt?: string;
  generation: number;
}

/** Quantities stay as Kubernetes writes them ("128Mi", "250m"); core/model/quantity parses them. */
export interface Resources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

export interface Probe {
  type: 'httpGet' | 'tcpSocket' | 'exec' | 'grpc' | 'unknown';
  /** e.g. "GET :8080/healthz", "tcp :5432", "exec cat /tmp/ready". */
  target: string;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  resources: Resources;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  command: string[];
  args: string[];
  /** Names and sources of env entries, values of plain entries included (they are in the spec anyway). */
  env: { name: string; value?: string; from?: string }[];
  /** Secrets and ConfigMaps the container refers to through env/envFrom. */
  configRefs: { kind: 'Secret' | 'ConfigMap'; name: string; optional: boolean }[];
  /** Init containers only: "Always" makes it a sidecar that runs for the pod's lifetime. */
  restartPolicy?: string;
  /** Declared container ports (named ports resolve against them); absent on records built without them. */
  ports?: ContainerPort[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  /** TCP unless written otherwise. */
  protocol: string;
}

/** A pod volume and the object behind it (ConfigMap, Secret, claim); other sources keep only their kind. */
export interface PodVolume {
  name: string;
  kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim' | 'CSI' | 'Other';
  /** The ConfigMap, Secret or claim name, or the CSI driver. */
  source: string;
  optional: boolean;
  /** Keys listed under `items`, when the volume projects only some keys. */
  keys: string[];
}

export interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  containers: ContainerSpec[];
  initContainers: ContainerSpec[];
  nodeSelector: Record<string, string>;
  tolerations: { key?: string; operator?: string; value?: string; effect?: string }[];
  hasAffinity: boolean;
  imagePullSecrets: string[];
  claimNames: string[];
  volumes: PodVolume[];
  restartPolicy: string;
  serviceAccountName: string;
  /** spec.hostNetwork: true when the pod uses the node's network (NetworkPolicies do not apply). */
  hostNetwork?: boolean;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { reason: string; exitCode: number; message?: string; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  image: string;
  state: ContainerState;
  lastState: ContainerState;
}

export interface Pod {
  meta: Meta;
  phase: string;
  reason?: string;
  message?: string;
  nodeName?: string;
  conditions: Condition[];
  spec: PodTemplate;
  containerStatuses: ContainerStatus[];
  initContainerStatuses: ContainerStatus[];
  startTime?: string;
}

export interface ReplicaSet {
  meta: Meta;
  desired: number;
  ready: number;
  available: number;
  /** deployment.kubernetes.io/revision, 0 when absent. */
  revision: number;
  template: PodTemplate;
  conditions: Condition[];
}

export interface Job {
  meta: Meta;
  completions: number;
  parallelism: number;
  backoffLimit: number;
  active: number;
  succeeded: number;
  failed: number;
  conditions: Condition[];
  template: PodTemplate;
  startTime?: string;
  completionTime?: string;
}

export interface CronJob {
  meta: Meta;
  schedule: string;
  suspend: boolean;
  timeZone?: string;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  active: number;
}

export interface Service {
  meta: Meta;
  type: string;
  selector: Record<string, string>;
  /** targetPort as written (a number or a container port name); protocol absent means TCP. */
  ports: { name?: string; port: number; targetPort?: string; protocol?: string }[];
}

export interface EndpointSlice {
  meta: Meta;
  serviceName: string;
  ready: number;
  notReady: number;
}

export interface PersistentVolumeClaim {
  meta: Meta;
  phase: string;
  storageClassName?: string;
  requested?: string;
  volumeName?: string;
  accessModes: string[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Node {
  meta: Meta;
  conditions: Condition[];
  unschedulable: boolean;
  taints: Taint[];
  allocatable: Record<string, string>;
  capacity: Record<string, string>;
}

export interface HpaMetric {
  type: string;
  /** Resource name for Resource/ContainerResource metrics, metric name otherwise. */
  name: string;
  targetType?: string;
  targetAverageUtilization?: number;
  targetValue?: string;
  currentAverageUtilization?: number;
  currentValue?: string;
}

export interface HorizontalPodAutoscaler {
  meta: Meta;
  target: { kind: string; name: string; apiVersion: string };
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  metrics: HpaMetric[];
  conditions: Condition[];
  lastScaleTime?: string;
}

export interface ResourceQuota {
  meta: Meta;
  hard: Record<string, string>;
  used: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values: string[];
}

/** A LimitRange's bounds, per limit type (Container, Pod, PersistentVolumeClaim). */
export interface LimitRange {
  meta: Meta;
  limits: { type: string; max: Record<string, string>; min: Record<string, string> }[];
}

export interface PodDisruptionBudget {
  meta: Meta;
  minAvailable?: string;
  maxUnavailable?: string;
  selector: Record<string, string>;
  /** spec.selector.matchExpressions. */
  selectorExpressions: LabelSelectorRequirement[];
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  expectedPods: number;
  observedGeneration: number;
  conditions: Condition[];
}

export interface KubeEvent {
  meta: Meta;
  involved: ObjectRef;
  reason: string;
  message: string;
  type: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  source: string;
}

/** Which log to read for an incident: one container of one pod, its previous run or its last one. */
export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  restartCount: number;
}

/** The tail of one container's log, as read for an incident (bounded; never the whole log). */
export interface LogTail {
  namespace: string;
  pod: string;
  container: string;
  /** True when it is the previous (crashed) run's log, kubectl logs --previous. */
  previous: boolean;
  /** The container's restart count when it was read: a later crash makes it stale. */
  restartCount: number;
  lines: string[];
  /** Why no lines could be read: Forbidden, no logs, timeout. */
  unavailable?: string;
  fetchedAt: string;
}

export interface PodUsage {
  namespace: string;
  name: string;
  timestamp: string;
  containers: { name: string; cpuMillicores: number; memoryBytes: number }[];
}

export interface WebhookConfiguration {
  meta: Meta;
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  webhooks: {
    name: string;
    failurePolicy: string;
    service?: { namespace: string; name: string; port?: number };
    url?: string;
  }[];
}

/**
 * What NimbusGuard knows of a Secret: that it exists. It is listed and watched as metadata only,
 * and its annotations are dropped (kubectl's last-applied annotation holds the plaintext value).
 */
export interface SecretMeta {
  meta: Meta;
}
