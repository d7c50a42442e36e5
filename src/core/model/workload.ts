// Plain data for the workloads NimbusGuard monitors, and how healthy each one is.
import type { Condition, PodTemplate } from './resources';

/** Kinds the snapshot keeps as Workload records: replicas, a pod template and a health. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Kinds an incident names as the workload in trouble: the Workload kinds and the batch controllers. */
export const CONTROLLER_KINDS = [...WORKLOAD_KINDS, 'Job', 'CronJob'] as const;
export type ControllerKind = (typeof CONTROLLER_KINDS)[number];

/** Every kind that creates pods, at any level of ownership (a Deployment's ReplicaSets included). */
export const POD_OWNER_KINDS = [...CONTROLLER_KINDS, 'ReplicaSet', 'ReplicationController'] as const;

/** Kinds whose spec.template is the pod template (a CronJob's is one level deeper). */
export const POD_TEMPLATE_KINDS = [...WORKLOAD_KINDS, 'Job'] as const;

/** Workload kinds with a replica count to set: what a scaling proposal or an autoscaler can target. */
export const SCALABLE_KINDS = ['Deployment', 'StatefulSet'] as const;
export type ScalableKind = (typeof SCALABLE_KINDS)[number];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

export function isControllerKind(kind: string): kind is ControllerKind {
  return (CONTROLLER_KINDS as readonly string[]).includes(kind);
}

export function isPodOwnerKind(kind: string): boolean {
  return (POD_OWNER_KINDS as readonly string[]).includes(kind);
}

export function isPodTemplateKind(kind: string): boolean {
  return (POD_TEMPLATE_KINDS as readonly string[]).includes(kind);
}

export function isScalableKind(kind: string): kind is ScalableKind {
  return (SCALABLE_KINDS as readonly string[]).includes(kind);
}

export type Health = 'healthy' | 'progressing' | 'degraded' | 'failing';

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
