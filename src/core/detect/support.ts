// Helpers the detectors share: time arithmetic on API timestamps, safe text, evidence builders,
// label selector matching, per-snapshot caches, controllers and endpoints.
import type { Evidence, Finding, IncidentType } from '../model/incident';
import type { Severity } from '../model/severity';
import type { Condition, KubeEvent, LabelSelectorRequirement, ObjectRef } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { appendSelector } from '../model/fieldPath';

export const MAX_TEXT = 500;
export const MAX_SUMMARY_PART = 120;
/** How many pods (or events) a finding lists; the rest are summed up in a count. */
export const MAX_LISTED = 5;
/** Events older than this no longer describe what is happening now. */
export const RECENT_EVENT_MS = 15 * 60 * 1000;
/**
 * The events that existed before NimbusGuard connected and that detectors and rules read: every
 * Warning, plus these Normal ones (a liveness kill is a Normal "Killing"; PVC provisioning and node
 * pressure report through Normal events). Anything else is only seen from the moment the watch
 * starts. A detector that reads another Normal event adds it here.
 */
export const EVENTS_READ = {
  normalReasons: ['Killing'],
  normalAbout: ['PersistentVolumeClaim', 'Node'],
} as const;

// ---- time -------------------------------------------------------------------------------------

/** Milliseconds since an API timestamp; undefined when the timestamp is missing or unparsable. */
export function ageMs(since: string | undefined, now: Date): number | undefined {
  if (!since) return undefined;
  const t = Date.parse(since);
  return Number.isFinite(t) ? now.getTime() - t : undefined;
}

/** True when `since` lies at least `ms` before now; an unknown time counts as long ago. */
export function lastedAtLeast(since: string | undefined, now: Date, ms: number): boolean {
  const age = ageMs(since, now);
  return age === undefined || age >= ms;
}

/** True when the timestamp is known and lies within the last `ms`. */
export function within(since: string | undefined, now: Date, ms: number): boolean {
  const age = ageMs(since, now);
  return age !== undefined && age <= ms;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h}h` : `${Math.round(h / 24)}d`;
}

// ---- hostile text -----------------------------------------------------------------------------

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string | undefined, max = MAX_TEXT): string {
  const s = typeof text === 'string' ? text : '';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Text for a one-line summary: control characters and newlines become spaces, then clipped. */
export function oneLine(text: string | undefined, max = MAX_SUMMARY_PART): string {
  const s = typeof text === 'string' ? text : '';
  return clip(s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim(), max);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

// ---- conditions ----------------------------------------------------------------------

export function condition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

// ---- selectors --------------------------------------------------------------------------------

/** matchLabels semantics; an empty selector matches nothing here (services without selectors are skipped). */
export function matchesSelector(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}

export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

// ---- evidence ---------------------------------------------------------------------------------

export function eventEvidence(e: KubeEvent): Evidence {
  return {
    kind: 'event',
    source: e.involved,
    text: clip(e.message),
    reason: e.reason,
    count: e.count,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
  };
}

export function conditionEvidence(source: ObjectRef, c: Condition, kind: Evidence['kind'] = 'condition'): Evidence {
  const text = `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`;
  return {
    kind,
    source,
    field: `status.conditions[type=${c.type}]`,
    text: clip(text),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.lastTransitionTime ? { firstSeen: c.lastTransitionTime } : {}),
  };
}

/** Recent events about one object whose reason is one of `reasons` (newest first). */
export function recentEvents(
  snapshot: ClusterSnapshot,
  ref: ObjectRef,
  reasons: readonly string[],
  now: Date,
  windowMs = RECENT_EVENT_MS,
): KubeEvent[] {
  return snapshot
    .eventsFor(ref.kind, ref.namespace, ref.name)
    .filter(
      (e) => reasons.includes(e.reason) && (within(e.lastSeen, now, windowMs) || ageMs(e.lastSeen, now) === undefined),
    );
}

// ---- per-snapshot caches ---------------------------------------------------------------------

const caches = new WeakMap<ClusterSnapshot, { version: number; values: Map<string, unknown> }>();

/**
 * Derived data computed once per snapshot version and shared by the detectors of one pass
 * (any change to the snapshot bumps its version and drops the cache).
 */
export function memo<T>(snapshot: ClusterSnapshot, key: string, build: () => T): T {
  let cache = caches.get(snapshot);
  if (!cache || cache.version !== snapshot.version)
    caches.set(snapshot, (cache = { version: snapshot.version, values: new Map() }));
  if (!cache.values.has(key)) cache.values.set(key, build());
  return cache.values.get(key) as T;
}

export function finding(
  type: IncidentType,
  severity: Severity,
  workload: ObjectRef,
  summary: string,
  evidence: (Evidence | undefined)[],
  key?: string,
): Finding {
  return {
    type,
    severity,
    workload,
    ...(key !== undefined && key !== '' ? { key } : {}),
    summary: oneLine(summary, 400),
    evidence: evidence.filter((e): e is Evidence => e !== undefined),
  };
}

// ---- controllers and endpoints ----------------------------------------------------------------

/** The workload behind an object events are reported on (ReplicaSet → Deployment, Job → CronJob). */
export function controllerWorkload(snapshot: ClusterSnapshot, involved: ObjectRef): ObjectRef {
  if (involved.kind === 'ReplicaSet') {
    const rs = snapshot.get('ReplicaSet', involved.namespace, involved.name);
    if (rs) return snapshot.ownerOf(rs.meta, 'ReplicaSet');
  }
  if (involved.kind === 'Job') {
    const job = snapshot.get('Job', involved.namespace, involved.name);
    if (job) return snapshot.ownerOf(job.meta, 'Job');
  }
  if (involved.kind === 'Pod') {
    const pod = snapshot.get('Pod', involved.namespace, involved.name);
    if (pod) return snapshot.ownerOf(pod.meta);
  }
  return {
    kind: involved.kind,
    namespace: involved.namespace,
    name: involved.name,
    ...(involved.uid ? { uid: involved.uid } : {}),
  };
}

export interface EndpointCounts {
  slices: number;
  ready: number;
  notReady: number;
}

/**
 * Endpoints of a Service summed over its EndpointSlices. Undefined when the snapshot holds no
 * EndpointSlice at all (not watched or not synced yet), so nothing can be concluded.
 */
export function endpointsOf(snapshot: ClusterSnapshot, namespace: string, service: string): EndpointCounts | undefined {
  if (snapshot.count('EndpointSlice') === 0) return undefined;
  const index = memo(snapshot, 'endpoints', () => {
    const byService = new Map<string, EndpointCounts>();
    for (const slice of snapshot.list('EndpointSlice')) {
      const key = `${slice.meta.namespace}/${slice.serviceName}`;
      const counts = byService.get(key) ?? { slices: 0, ready: 0, notReady: 0 };
      byService.set(key, {
        slices: counts.slices + 1,
        ready: counts.ready + slice.ready,
        notReady: counts.notReady + slice.notReady,
      });
    }
    return byService;
  });
  return index.get(`${namespace}/${service}`) ?? { slices: 0, ready: 0, notReady: 0 };
}

/** Text between the first pair of double quotes after `marker`, e.g. the webhook in a webhook error. */
export function quotedAfter(text: string, marker: string): string | undefined {
  const at = text.indexOf(marker);
  if (at < 0) return undefined;
  const open = text.indexOf('"', at + marker.length);
  if (open < 0 || open > at + marker.length + 2) return undefined;
  const close = text.indexOf('"', open + 1);
  if (close < 0 || close - open > 253) return undefined;
  return text.slice(open + 1, close);
}

/** Events about a node; the API files them under "" or "default" depending on the reporter. */
export function nodeEvents(snapshot: ClusterSnapshot, node: string): KubeEvent[] {
  return [...snapshot.eventsFor('Node', '', node), ...snapshot.eventsFor('Node', 'default', node)].sort((a, b) =>
    b.lastSeen.localeCompare(a.lastSeen),
  );
}

/** A name as it appears inside a field path selector, bounded and on one line. */
export function fieldName(name: string): string {
  return oneLine(name, 100);
}

/** The list item of that name under `list`: `spec.containers[name=api]` (see model/fieldPath). */
export function namedItem(list: string, name: string): string {
  return appendSelector(list, 'name', fieldName(name));
}

// ---- references between objects -----------------------------------------------------------------

/** A reference to a missing object counts once the referrer is this old (it may be created just after). */
export const REFERENCE_GRACE_MS = 60 * 1000;

/** Full label-selector semantics (matchLabels and matchExpressions); an empty selector matches everything. */
export function matchesLabelSelector(
  labels: Record<string, string>,
  matchLabels: Record<string, string>,
  expressions: readonly LabelSelectorRequirement[] = [],
): boolean {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
  if (!Object.entries(matchLabels).every(([k, v]) => has(k) && labels[k] === v)) return false;
  return expressions.every((e) => {
    switch (e.operator) {
      case 'In':
        return has(e.key) && e.values.includes(labels[e.key]!);
      case 'NotIn':
        return !has(e.key) || !e.values.includes(labels[e.key]!);
      case 'Exists':
        return has(e.key);
      case 'DoesNotExist':
        return !has(e.key);
      default:
        return false;
    }
  });
}

/** matchLabels and matchExpressions as kubectl prints them: "app=web,tier in (a,b)". */
export function labelSelectorText(
  matchLabels: Record<string, string>,
  expressions: readonly LabelSelectorRequirement[] = [],
): string {
  const words: Record<string, string> = { In: 'in', NotIn: 'notin' };
  const parts = [
    selectorText(matchLabels),
    ...expressions.map((e) =>
      e.operator === 'Exists'
        ? e.key
        : e.operator === 'DoesNotExist'
          ? `!${e.key}`
          : `${e.key} ${words[e.operator] ?? e.operator} (${e.values.join(',')})`,
    ),
  ].filter((p) => p !== '');
  return parts.join(',') || '(everything)';
}
