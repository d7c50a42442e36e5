// Why an incident happened, in terms a developer can act on: the cause, the evidence chain, the
// spec fields it implicates and concrete fixes (spec edits or a rollback).
import type { Evidence, Incident, IncidentType } from './incident';
import type { ObjectRef } from './resources';

/**
 * One edit of the workload's spec. `path` uses the manifest form, e.g.
 * `spec.template.spec.containers[name=api].resources.limits.memory`; `value` is what the field
 * should become (a string for quantities and images), `previous` what the cluster has now.
 */
export interface SpecEdit {
  path: string;
  value: string | number | boolean;
  previous?: string | number | boolean;
}

export interface SuggestedFix {
  summary: string;
  /** Edits to the workload that owns the incident (kind/name/namespace of incident.workload). */
  edits?: SpecEdit[];
  /** Roll the Deployment back to this revision instead of editing it. */
  rollbackToRevision?: number;
  /** The object the edits apply to when it is not the incident's workload (e.g. the HPA's target). */
  target?: ObjectRef;
  /**
   * The target's fields as the rule read them, for edits through a list index: a list the patch
   * replaces whole (one without a merge key) is copied from here with the edited item changed.
   */
  base?: Record<string, unknown>;
}

export type CauseCategory =
  | 'memory-limit'
  | 'bad-rollout'
  | 'crash'
  | 'image-pull'
  | 'config-missing'
  | 'insufficient-resources'
  | 'scheduling-constraints'
  | 'volume-binding'
  | 'quota'
  | 'readiness-probe'
  | 'selector-mismatch'
  | 'storage-class'
  | 'hpa-capacity'
  | 'hpa-config'
  | 'node-failure'
  | 'node-pressure'
  | 'job-failure'
  | 'cronjob-config'
  | 'webhook'
  | 'unknown'
  | 'ingress-config'
  | 'disruption-budget'
  | 'node-problem'
  | 'statefulset-config'
  | 'volume-lost'
  | 'gateway-config'
  | 'pod-setup'
  | 'admission'
  | 'container-failed'
  | 'pull-secret'
  | 'network-policy';

export interface RootCause {
  incidentId: string;
  incidentType: IncidentType;
  category: CauseCategory;
  /** One sentence: "memory limit 128Mi is below the container's peak of ~300Mi". */
  summary: string;
  /** A short paragraph for the hover and the explanation view. */
  explanation: string;
  /** 0..1: how strongly the evidence supports this cause. */
  confidence: number;
  /** Spec paths of the workload the cause implicates, most specific first. */
  fields: string[];
  /** The evidence chain, each item pointing at the field, event, revision or message it came from. */
  evidence: Evidence[];
  fixes: SuggestedFix[];
  /** Incidents with one cause share a group id (e.g. a node NotReady and its evicted pods). */
  groupId?: string;
  /** Where the words came from; an LLM may only rephrase and add hypotheses. */
  source: 'rules' | 'llm';
  /** Extra hypotheses an LLM offered, shown as such and never acted on by themselves. */
  hypotheses?: string[];
  /** One line about the LLM step when it was asked and did not help ("LLM unreachable: …"). */
  note?: string;
}

export interface DiagnoseInput {
  incident: Incident;
  /** All open incidents, for correlation. */
  open: Incident[];
}

export function sameWorkload(a: Pick<Incident, 'workload'>, b: Pick<Incident, 'workload'>): boolean {
  return (
    a.workload.kind === b.workload.kind &&
    a.workload.namespace === b.workload.namespace &&
    a.workload.name === b.workload.name
  );
}
