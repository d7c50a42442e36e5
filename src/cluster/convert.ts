// Kubernetes objects (typed models from a list, plain JSON from a watch) → NimbusGuard's plain model.
import { Condition, Workload, WorkloadKind } from '../core/model/workload';

type Obj = Record<string, any>;

export function timestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : '';
}

function strings(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (map && typeof map === 'object') for (const [k, v] of Object.entries(map)) if (typeof v === 'string') out[k] = v;
  return out;
}

function conditions(list: unknown): Condition[] {
  if (!Array.isArray(list)) return [];
  return list.map((c: Obj) => ({
    type: String(c['type'] ?? ''),
    status: String(c['status'] ?? ''),
    ...(c['reason'] ? { reason: String(c['reason']) } : {}),
    ...(c['message'] ? { message: String(c['message']) } : {}),
    ...(c['lastTransitionTime'] ? { lastTransitionTime: timestamp(c['lastTransitionTime']) } : {}),
  }));
}

const n = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export function toWorkload(kind: WorkloadKind, obj: Obj): Workload {
  const meta: Obj = obj['metadata'] ?? {};
  const spec: Obj = obj['spec'] ?? {};
  const status: Obj = obj['status'] ?? {};
  const counts =
    kind === 'DaemonSet'
      ? { desired: n(status['desiredNumberScheduled']), ready: n(status['numberReady']), updated: n(status['updatedNumberScheduled']), available: n(status['numberAvailable']) }
      : { desired: n(spec['replicas'], 1), ready: n(status['readyReplicas']), updated: n(status['updatedReplicas']), available: n(status['availableReplicas']) };
  return {
    kind,
    namespace: String(meta['namespace'] ?? ''),
    name: String(meta['name'] ?? ''),
    uid: String(meta['uid'] ?? ''),
    ...counts,
    generation: n(meta['generation']),
    observedGeneration: n(status['observedGeneration']),
    labels: strings(meta['labels']),
    annotations: strings(meta['annotations']),
    conditions: conditions(status['conditions']),
    createdAt: timestamp(meta['creationTimestamp']),
  };
}
