// Plain data for the workloads NimbusGuard monitors, and how healthy each one is.
import type { PodTemplate } from './resources';
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export type Health = 'healthy' | 'progressing' | 'degraded' | 'failing';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  uid: string;
  /** Replicas the spec asks for (for a DaemonSet: nodes it should run on). */
  desired: number;
  ready: number;
  updated: number;
  available: number;
  generation: number;
  observedGeneration: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  conditions: Condition[];
  createdAt: string;
  /** spec.selector.matchLabels (matchExpressions are not needed by any detector). */
  selector: Record<string, string>;
  template: PodTemplate;
  /** Deployment only: seconds before a stalled rollout is reported by the controller. */
  progressDeadlineSeconds?: number;
  paused?: boolean;
  /** StatefulSet only: the governing headless Service (spec.serviceName). */
  serviceName?: string;
  /** StatefulSet only: spec.volumeClaimTemplates, by name with the class each asks for. */
  claimTemplates?: { name: string; storageClassName?: string }[];
}

export function workloadKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function conditionOf(w: Pick<Workload, 'conditions'>, type: string): Condition | undefined {
  return w.conditions.find((c) => c.type === type);
}

export function workloadHealth(w: Workload): Health {
  const progressing = conditionOf(w, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') return 'failing';
  if (w.desired === 0) return 'healthy';
  if (w.ready === 0) return 'failing';
  const rolledOut = w.observedGeneration >= w.generation && w.updated >= w.desired;
  if (w.ready >= w.desired && rolledOut) return 'healthy';
  return rolledOut ? 'degraded' : 'progressing';
}

export function readyText(w: Pick<Workload, 'ready' | 'desired'>): string {
  return `${w.ready}/${w.desired}`;
}
