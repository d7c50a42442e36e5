// Incidents: what went wrong, with which workload, since when, and the evidence that shows it.
import type { ObjectRef } from './resources';
import type { Severity } from './severity';

export const INCIDENT_TYPES = [
  'CrashLoopBackOff',
  'OOMKilled',
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'Unschedulable',
  'Evicted',
  'ReadinessProbeFailing',
  'ReplicasUnavailable',
  'RolloutStuck',
  'RolloutRegression',
  'QuotaExceeded',
  'ServiceNoEndpoints',
  'PVCPending',
  'NodeNotReady',
  'NodePressure',
  'HPASaturated',
  'HPAMisconfigured',
  'JobFailed',
  'CronJobSuspendedOrInvalid',
  'WebhookUnavailable',
  // Objects that refer to what is missing or that block others: Ingresses, PDBs, nodes, storage, Gateway API.
  'IngressMisconfigured',
  'DisruptionBlocked',
  'NodeProblem',
  'StatefulSetMisconfigured',
  'VolumeLost',
  'GatewayMisconfigured',
  // pod-side families: stuck before start, pods not created, failed outside a crash loop, pull secrets
  'PodSetupFailed',
  'PodCreationRejected',
  'ContainerFailed',
  'PullSecretMissing',
  // a Service no traffic can reach because NetworkPolicies admit none of its ports
  'NetworkPolicyBlocked',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export type EvidenceKind = 'status' | 'condition' | 'event' | 'scheduler' | 'revision' | 'metric' | 'spec' | 'log';

export interface Evidence {
  kind: EvidenceKind;
  /** The object the evidence was read from. */
  source: ObjectRef;
  /** Field path within the source, e.g. "status.containerStatuses[name=api].lastState.terminated.reason". */
  field?: string;
  text: string;
  reason?: string;
  /** How many times it was seen (an event's count); shown as "×N". */
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
}

/** What one detector reports for one evaluation; the tracker turns findings into incidents. */
export interface Finding {
  type: IncidentType;
  severity: Severity;
  /** The workload (or Service, PVC, Node, HPA, Job, CronJob) the incident belongs to. */
  workload: ObjectRef;
  /** Distinguishes several findings of one type on one workload, e.g. the container name. */
  key?: string;
  summary: string;
  evidence: Evidence[];
}

export type IncidentStatus = 'open' | 'resolved';

export interface Incident extends Finding {
  id: string;
  status: IncidentStatus;
  firstSeen: string;
  lastSeen: string;
  resolvedAt?: string;
}

/** The reason to show before the evidence's text: none when the text already starts with it ("Error, exit code 1"). */
export function shownReason(e: Pick<Evidence, 'reason' | 'text'>): string | undefined {
  return e.reason && !e.text.startsWith(e.reason) ? e.reason : undefined;
}

/** Stable across evaluations and restarts: the same problem on the same workload keeps its id. */
export function incidentId(f: Pick<Finding, 'type' | 'workload' | 'key'>): string {
  const text = [f.type, f.workload.kind, f.workload.namespace, f.workload.name, f.key ?? ''].join('\u0000');
  // FNV-1a, 64-bit via two 32-bit halves: short, deterministic, no crypto dependency in core.
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x0100019d) >>> 0;
  }
  return `${f.type.toLowerCase()}-${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}
