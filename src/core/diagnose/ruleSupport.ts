// Helpers the diagnosis rules share: the pod template behind an incident's workload, spec paths
// relative to that workload, quantity rounding, and one place that bounds what a rule returns.
import type { Evidence } from '../model/incident';
import type { ContainerSpec, ObjectRef, Pod, PodTemplate, ReplicaSet } from '../model/resources';
import type { RootCause, SuggestedFix } from '../model/rootCause';
import type { ClusterSnapshot } from '../model/snapshot';
import { clip, namedItem, oneLine } from '../detect/support';
import { refKey } from '../model/objectRef';
import { PodIndex } from '../detect/pods';
import { appendKey } from '../model/fieldPath';
import type { DiagnoseContext } from './rule';

export type Diagnosis = Omit<RootCause, 'incidentId' | 'incidentType' | 'source'>;

const MI = 1024 * 1024;
const GI = 1024 * MI;
const MAX_EVIDENCE = 12;

export interface TemplateAt {
  template: PodTemplate;
  /** Path of the pod spec within the workload object: "spec.template.spec", "spec" for a Pod. */
  prefix: string;
}

/** The pod template of the incident's workload as the cluster has it, with its path in that object. */
export function templateOf(snapshot: ClusterSnapshot, ref: ObjectRef): TemplateAt | undefined {
  switch (ref.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet': {
      const w = snapshot.getWorkload(ref.kind, ref.namespace, ref.name);
      return w ? { template: w.template, prefix: 'spec.template.spec' } : undefined;
    }
    case 'ReplicaSet': {
      const rs = snapshot.get('ReplicaSet', ref.namespace, ref.name);
      return rs ? { template: rs.template, prefix: 'spec.template.spec' } : undefined;
    }
    case 'Job': {
      const job = snapshot.get('Job', ref.namespace, ref.name);
      return job ? { template: job.template, prefix: 'spec.template.spec' } : undefined;
    }
    case 'CronJob': {
      const cj = snapshot.get('CronJob', ref.namespace, ref.name);
      if (!cj) return undefined;
      const jobs = snapshot
        .ownedBy('Job', cj.meta.uid)
        .sort((a, b) => b.meta.createdAt.localeCompare(a.meta.createdAt));
      return jobs[0] ? { template: jobs[0].template, prefix: 'spec.jobTemplate.spec.template.spec' } : undefined;
    }
    case 'Pod': {
      const pod = snapshot.get('Pod', ref.namespace, ref.name);
      return pod ? { template: pod.spec, prefix: 'spec' } : undefined;
    }
    default:
      return undefined;
  }
}

/** The pod-spec prefix for a workload kind, even when the object itself is not in the snapshot. */
export function prefixFor(kind: string): string {
  if (kind === 'Pod') return 'spec';
  if (kind === 'CronJob') return 'spec.jobTemplate.spec.template.spec';
  return 'spec.template.spec';
}

export interface ContainerAt {
  spec: ContainerSpec;
  init: boolean;
  /** e.g. "spec.template.spec.containers[name=api]". */
  path: string;
}

export function containerPath(prefix: string, name: string, init = false): string {
  return namedItem(`${prefix}.${init ? 'initContainers' : 'containers'}`, name);
}

export function findContainer(at: TemplateAt | undefined, name: string | undefined): ContainerAt | undefined {
  if (!at || name === undefined) return undefined;
  const main = at.template.containers.find((c) => c.name === name);
  if (main) return { spec: main, init: false, path: containerPath(at.prefix, name) };
  const init = at.template.initContainers.find((c) => c.name === name);
  return init ? { spec: init, init: true, path: containerPath(at.prefix, name, true) } : undefined;
}

/** The container an incident is about: its key, else the only container of the template. */
export function incidentContainer(ctx: DiagnoseContext, at: TemplateAt | undefined): ContainerAt | undefined {
  const named = findContainer(at, ctx.incident.key);
  if (named || !at) return named;
  const only = at.template.containers.length === 1 ? at.template.containers[0] : undefined;
  return only ? findContainer(at, only.name) : undefined;
}

/**
 * A map key inside a path: `spec.selector.app`, or `spec.selector['app.kubernetes.io/name']`. The
 * bound fits the longest valid label key (a 253-character prefix, "/", a 63-character name).
 */
export function keyPath(base: string, key: string): string {
  return appendKey(base, oneLine(key, 317));
}

/** Pods of the incident's workload (live ones), from the shared index. */
export function podsOf(snapshot: ClusterSnapshot, ref: ObjectRef): Pod[] {
  if (ref.kind === 'Pod') {
    const pod = snapshot.get('Pod', ref.namespace, ref.name);
    return pod ? [pod] : [];
  }
  return PodIndex.of(snapshot).podsOf(ref);
}

/** ReplicaSets of a Deployment with a revision, newest first. */
export function revisionsOf(snapshot: ClusterSnapshot, ref: ObjectRef): ReplicaSet[] {
  if (ref.kind !== 'Deployment') return [];
  const d = snapshot.getWorkload('Deployment', ref.namespace, ref.name);
  if (!d) return [];
  return snapshot
    .ownedBy('ReplicaSet', d.uid)
    .filter((rs) => rs.revision > 0)
    .sort((a, b) => b.revision - a.revision);
}

// ---- quantities -----------------------------------------------------------------------------

/** Bytes rounded up to a whole Mi, or to 64Mi steps from 1Gi on. */
export function roundUpMemory(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes <= 0) return MI;
  const step = bytes > GI ? 64 * MI : MI;
  return Math.ceil(bytes / step - 1e-9) * step;
}

/** Bytes rounded down to a whole Mi (for requests that must fit). */
export function roundDownMemory(bytes: number): number {
  return Math.max(0, Math.floor(bytes / MI + 1e-9) * MI);
}

/** Exact memory quantity text: "384Mi", "2Gi". */
export function memoryQuantity(bytes: number): string {
  const mi = Math.round(bytes / MI);
  return mi % 1024 === 0 && mi > 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/** Exact cpu quantity text from millicores: "250m", "2". */
export function cpuQuantity(millicores: number): string {
  const m = Math.max(0, Math.round(millicores));
  return m % 1000 === 0 && m > 0 ? `${m / 1000}` : `${m}m`;
}

// ---- building the result ----------------------------------------------------------------------

export interface DiagnosisParts {
  category: Diagnosis['category'];
  summary: string;
  explanation?: string;
  confidence: number;
  fields?: (string | undefined)[];
  evidence?: (Evidence | undefined)[];
  fixes?: (SuggestedFix | undefined)[];
}

function dedupeEvidence(items: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return items.filter((e) => {
    const k = `${e.kind}\u0000${refKey(e.source)}\u0000${e.field ?? ''}\u0000${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Bounds and cleans what a rule returns: one-line summary, clipped text, confidence in [0, 1]. */
export function diagnosis(p: DiagnosisParts): Diagnosis {
  const confidence = Number.isFinite(p.confidence) ? Math.min(1, Math.max(0, p.confidence)) : 0;
  const fields = [...new Set(p.fields?.filter((f): f is string => typeof f === 'string' && f !== '') ?? [])];
  return {
    category: p.category,
    summary: oneLine(p.summary, 300),
    explanation: clip(p.explanation ?? p.summary, 1500),
    confidence: Math.round(confidence * 100) / 100,
    fields,
    evidence: dedupeEvidence(p.evidence?.filter((e): e is Evidence => e !== undefined) ?? []).slice(0, MAX_EVIDENCE),
    fixes:
      p.fixes
        ?.filter((f): f is SuggestedFix => f !== undefined)
        .map((f) => ({ ...f, summary: oneLine(f.summary, 300) })) ?? [],
  };
}

export function specEvidence(source: ObjectRef, field: string, text: string): Evidence {
  return { kind: 'spec', source, field, text: clip(text) };
}

/** Counts a message about `n` things: "1 pod", "3 pods". */
export function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Text of cluster origin for a summary: one line, bounded. */
export function q(text: string | undefined, max = 80): string {
  return oneLine(text, max);
}
