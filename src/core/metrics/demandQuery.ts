// Which PromQL query measures a workload's demand, and the query text with its placeholders
// filled in: `$namespace`, `$workload` and `$pods` (a regex matching the workload's pod names,
// past pods of its recent ReplicaSets included, so a range query keeps the history of pods that
// were replaced). Precedence: the workload's annotation, then a policy that governs it, then
// the user's setting, then the default.
import type { WorkloadKind } from '../model/workload';

export const DEMAND_QUERY_ANNOTATION = 'nimbusguard.dev/demand-query';
/** Requests per second over a 1-minute window: the seed's 5 minutes would add minutes of lag. */
export const DEFAULT_DEMAND_QUERY = 'sum(rate(http_requests_total{namespace="$namespace",pod=~"$pods"}[1m]))';
/** Longest query accepted from any source. */
const MAX_QUERY = 4_000;

export type DemandQueryOrigin = 'annotation' | 'policy' | 'setting' | 'default';

export interface DemandQueryChoice {
  /** The query with placeholders, as written. */
  template: string;
  origin: DemandQueryOrigin;
  /** The policy's name when the query comes from one. */
  policy?: string;
}

/** Picks the query: annotation > policy > setting > default. Blank or oversized ones are skipped. */
export function chooseDemandQuery(input: {
  annotations: Record<string, string>;
  policy?: { name: string; query: string | undefined };
  setting?: string;
}): DemandQueryChoice {
  const usable = (q: string | undefined): q is string =>
    typeof q === 'string' && q.trim().length > 0 && q.length <= MAX_QUERY;
  const annotated = input.annotations[DEMAND_QUERY_ANNOTATION];
  if (usable(annotated)) return { template: annotated.trim(), origin: 'annotation' };
  if (input.policy && usable(input.policy.query))
    return { template: input.policy.query.trim(), origin: 'policy', policy: input.policy.name };
  if (usable(input.setting)) return { template: input.setting.trim(), origin: 'setting' };
  return { template: DEFAULT_DEMAND_QUERY, origin: 'default' };
}

/** A value inside a PromQL double-quoted string. */
export function promString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A literal inside an RE2 regular expression. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

export interface PodNameSource {
  kind: WorkloadKind;
  name: string;
  /** Names of the workload's ReplicaSets (Deployment), newest or not: their pods are `<rs>-<5 chars>`. */
  replicaSets: readonly string[];
  /** Names of the workload's pods now. */
  pods: readonly string[];
}

/**
 * An RE2 pattern (Prometheus anchors it) matching the workload's pods: the pods that exist now by
 * name, and the names its controller gives pods — `<replicaset>-xxxxx` for a Deployment,
 * `<name>-N` for a StatefulSet, `<name>-xxxxx` for a DaemonSet — so replaced pods still match.
 */
export function podNamePattern(src: PodNameSource): string {
  const alternatives = new Set<string>();
  const suffix = '[a-z0-9]{5}';
  if (src.kind === 'Deployment') for (const rs of src.replicaSets) alternatives.add(`${regexLiteral(rs)}-${suffix}`);
  if (src.kind === 'StatefulSet') alternatives.add(`${regexLiteral(src.name)}-[0-9]+`);
  if (src.kind === 'DaemonSet') alternatives.add(`${regexLiteral(src.name)}-${suffix}`);
  for (const pod of src.pods) alternatives.add(regexLiteral(pod));
  // No pod and no ReplicaSet yet: a pattern that matches nothing rather than everything.
  if (alternatives.size === 0) return 'a^';
  return [...alternatives].sort().join('|');
}

/** The query with `$namespace`, `$workload` and `$pods` replaced (inside PromQL strings, escaped for them). */
export function expandDemandQuery(
  template: string,
  values: { namespace: string; workload: string; pods: string },
): string {
  return template.replace(/\$(namespace|workload|pods)\b/g, (_m, name: 'namespace' | 'workload' | 'pods') =>
    promString(values[name]),
  );
}
