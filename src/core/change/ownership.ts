// Who manages the fields a change touches: managedFields (fieldsV1) entries matched against the
// touched paths, and whether a GitOps tool, Helm, KEDA, an HPA or another operator owns the object
// or a field and will undo a change made in the cluster.
import { tryParseFieldPath } from '../model/fieldPath';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
  fieldsV1?: Record<string, unknown>;
}

/** Managers whose writes are a person at a terminal: no warning, a later apply from git is theirs to make. */
const PLAIN_KUBECTL =
  /^(kubectl|kubectl-client-side-apply|kubectl-edit|kubectl-set|kubectl-patch|kubectl-scale|kubectl-rollout|kubectl-annotate|kubectl-label|kubectl-create|kubectl-replace|nimbusguard)$/;

/** Known controllers that reconcile objects back to their own desired state. */
export function controllerOf(manager: string): string | undefined {
  const m = manager.toLowerCase();
  if (/argocd|argo-cd/.test(m)) return 'Argo CD';
  if (/kustomize-controller|helm-controller|flux/.test(m)) return 'Flux';
  if (/^helm$|^tiller/.test(m)) return 'Helm';
  if (/keda/.test(m)) return 'KEDA';
  if (/horizontal-pod-autoscaler/.test(m)) return 'an HPA';
  return undefined;
}

export function isPlainKubectl(manager: string): boolean {
  return PLAIN_KUBECTL.test(manager);
}

/** The fieldsV1 key sequence of a path: f:spec, f:template, …, k:{"name":"api"}, f:resources, … */
export function fieldsV1Keys(path: string): string[] | undefined {
  const segments = tryParseFieldPath(path);
  if (!segments) return undefined;
  const keys: string[] = [];
  for (const seg of segments) {
    if (seg.kind === 'key') keys.push(`f:${seg.key}`);
    else if (seg.kind === 'select') keys.push(`k:${JSON.stringify({ [seg.key]: seg.value })}`);
    else return keys.length > 0 ? keys : undefined; // atomic lists are owned as a whole: stop at the list
  }
  return keys;
}

/** True when the entry's field set owns the path or anything below it (or an ancestor as a leaf). */
export function ownsPath(fields: Record<string, unknown> | undefined, path: string): boolean {
  const keys = fieldsV1Keys(path);
  if (!fields || !keys) return false;
  let at: unknown = fields;
  for (const key of keys) {
    if (typeof at !== 'object' || at === null) return false;
    const o = at as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(o, key)) return false;
    at = o[key];
    if (typeof at === 'object' && at !== null && Object.keys(at).length === 0 && key !== keys[keys.length - 1])
      return true;
  }
  return true;
}

export interface OwnershipReport {
  /** path → managers that own it. */
  owners: Record<string, string[]>;
  /** Warnings: controllers that will undo the change. */
  warnings: string[];
  /** Facts for the evidence list. */
  evidence: string[];
}

export interface OwnershipInput {
  managedFields: readonly ManagedFieldsEntry[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  paths: readonly string[];
  /** An HPA that scales this object (its name), when one does. */
  hpa?: string;
}

export function analyseOwnership(input: OwnershipInput): OwnershipReport {
  const owners: Record<string, string[]> = {};
  const warnings: string[] = [];
  const evidence: string[] = [];
  for (const path of input.paths) {
    const managers = input.managedFields
      .filter((e) => e.manager && e.subresource !== 'status' && ownsPath(e.fieldsV1, path))
      .map((e) => `${e.manager}${e.operation === 'Apply' ? ' (apply)' : ''}`);
    owners[path] = [...new Set(managers)];
    evidence.push(`${path}: ${owners[path]!.length > 0 ? owners[path]!.join(', ') : 'no manager recorded'}`);
    for (const entry of input.managedFields) {
      if (
        !entry.manager ||
        entry.subresource === 'status' ||
        !ownsPath(entry.fieldsV1, path) ||
        isPlainKubectl(entry.manager)
      )
        continue;
      const controller = controllerOf(entry.manager);
      warnings.push(
        controller
          ? `${path} is managed by ${controller} (${entry.manager}): it will undo a change made only in the cluster; edit the source manifest instead`
          : `${path} is managed by ${entry.manager}: if that is an operator, it may set the field back`,
      );
    }
  }
  const l = input.labels;
  const a = input.annotations;
  if (l['argocd.argoproj.io/instance'] || a['argocd.argoproj.io/tracking-id'])
    warnings.push('the object is tracked by Argo CD: a sync will undo the change; edit the manifest in git instead');
  if (
    Object.keys(l).some((k) => k.startsWith('kustomize.toolkit.fluxcd.io/') || k.startsWith('helm.toolkit.fluxcd.io/'))
  )
    warnings.push('the object is reconciled by Flux: it will undo the change; edit the manifest in git instead');
  if (l['app.kubernetes.io/managed-by'] === 'Helm' || a['meta.helm.sh/release-name'])
    warnings.push(
      `the object belongs to the Helm release ${a['meta.helm.sh/release-name'] ?? ''}: the next upgrade resets it; change the chart values too`.replace(
        '  ',
        ' ',
      ),
    );
  if (input.hpa && input.paths.some((p) => p === 'spec.replicas'))
    warnings.push(
      `HorizontalPodAutoscaler ${input.hpa} scales this object and will override spec.replicas; change the autoscaler instead`,
    );
  return { owners, warnings: [...new Set(warnings)], evidence };
}
