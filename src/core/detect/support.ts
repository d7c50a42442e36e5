// Helpers the detectors share: time arithmetic on API timestamps, safe text, evidence builders,
// pod → workload grouping and label selector matching.
import type { Evidence, Finding, IncidentType, Severity } from '../model/incident';
import type { ContainerSpec, ContainerStatus, KubeEvent, Meta, ObjectRef, Pod } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import type { Condition, Workload } from '../model/workload';

export const MAX_TEXT = 500;
export const MAX_SUMMARY_PART = 120;
/** How many pods (or events) a finding lists; the rest are summed up in a count. */
export const MAX_LISTED = 5;
/** Events older than this no longer describe what is happening now. */
export const RECENT_EVENT_MS = 15 * 60 * 1000;

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

// ---- refs and conditions ----------------------------------------------------------------------

export function refOf(kind: string, meta: Pick<Meta, 'namespace' | 'name' | 'uid'>): ObjectRef {
  return { kind, namespace: meta.namespace, name: meta.name, uid: meta.uid };
}

export function workloadRef(w: Workload): ObjectRef {
  return { kind: w.kind, namespace: w.namespace, name: w.name, uid: w.uid };
}

export function refKeyOf(ref: ObjectRef): string {
  return `${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
}

export function condition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

export function isTerminalPod(pod: Pod): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

export function isPodReady(pod: Pod): boolean {
  return condition(pod.conditions, 'Ready')?.status === 'True';
}

/** Pods that count: not being deleted. */
export function livePods(snapshot: ClusterSnapshot): Pod[] {
  return snapshot.list('Pod').filter((p) => !p.meta.deletedAt);
}

export function containerSpecOf(pod: Pod, name: string, init = false): ContainerSpec | undefined {
  return (init ? pod.spec.initContainers : pod.spec.containers).find((c) => c.name === name);
}

export function statusField(container: string, path: string, init = false): string {
  return `status.${init ? 'initContainerStatuses' : 'containerStatuses'}[name=${fieldName(container)}].${path}`;
}

/** Every container status of a pod, init containers flagged. */
export function containerStatuses(pod: Pod): { status: ContainerStatus; init: boolean }[] {
  return [
    ...pod.initContainerStatuses.map((status) => ({ status, init: true })),
    ...pod.containerStatuses.map((status) => ({ status, init: false })),
  ];
}

// ---- selectors --------------------------------------------------------------------------------

/** matchLabels semantics; an empty selector matches nothing here (services without selectors are skipped). */
export function matchesSelector(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}

export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
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
export function recentEvents(snapshot: ClusterSnapshot, ref: ObjectRef, reasons: readonly string[], now: Date, windowMs = RECENT_EVENT_MS): KubeEvent[] {
  return snapshot
    .eventsFor(ref.kind, ref.namespace, ref.name)
    .filter((e) => reasons.includes(e.reason) && (within(e.lastSeen, now, windowMs) || ageMs(e.lastSeen, now) === undefined));
}

/** Events of several pods, at most `limit`, newest first. */
export function podEvents(snapshot: ClusterSnapshot, pods: readonly Pod[], reasons: readonly string[], now: Date, filter: (e: KubeEvent) => boolean = () => true, limit = 3): Evidence[] {
  const events = pods.flatMap((p) => recentEvents(snapshot, refOf('Pod', p.meta), reasons, now).filter(filter));
  events.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return events.slice(0, limit).map(eventEvidence);
}

/** One evidence line naming the affected pods (a few of them) with how many there are. */
export function podListEvidence(pods: readonly Pod[], describe: (p: Pod) => string): Evidence | undefined {
  const first = pods[0];
  if (!first) return undefined;
  const listed = pods.slice(0, MAX_LISTED).map((p) => `${p.meta.name} (${oneLine(describe(p), 80)})`);
  const more = pods.length > MAX_LISTED ? `, and ${pods.length - MAX_LISTED} more` : '';
  return {
    kind: 'status',
    source: refOf('Pod', first.meta),
    text: clip(`${plural(pods.length, 'pod')}: ${listed.join(', ')}${more}`),
    count: pods.length,
  };
}

// ---- per-snapshot caches ---------------------------------------------------------------------

const caches = new WeakMap<ClusterSnapshot, { version: number; values: Map<string, unknown> }>();

/**
 * Derived data computed once per snapshot version and shared by the detectors of one pass
 * (any change to the snapshot bumps its version and drops the cache).
 */
export function memo<T>(snapshot: ClusterSnapshot, key: string, build: () => T): T {
  let cache = caches.get(snapshot);
  if (!cache || cache.version !== snapshot.version) caches.set(snapshot, (cache = { version: snapshot.version, values: new Map() }));
  if (!cache.values.has(key)) cache.values.set(key, build());
  return cache.values.get(key) as T;
}

/** Live pods grouped by namespace. */
export function podsByNamespace(snapshot: ClusterSnapshot): Map<string, Pod[]> {
  return memo(snapshot, 'podsByNamespace', () => {
    const out = new Map<string, Pod[]>();
    for (const pod of livePods(snapshot)) {
      const list = out.get(pod.meta.namespace);
      if (list) list.push(pod);
      else out.set(pod.meta.namespace, [pod]);
    }
    return out;
  });
}

// ---- pod → workload grouping --------------------------------------------------------------------

/** Pods per owning workload (ReplicaSet → Deployment, Job → CronJob), keyed by refKeyOf. */
export class PodIndex {
  /** The shared index for the snapshot's current version. */
  static of(snapshot: ClusterSnapshot): PodIndex {
    return memo(snapshot, 'podIndex', () => new PodIndex(snapshot));
  }

  private readonly byWorkload = new Map<string, { ref: ObjectRef; pods: Pod[] }>();
  private readonly owners = new Map<Pod, ObjectRef>();

  constructor(private readonly snapshot: ClusterSnapshot) {
    for (const pod of livePods(snapshot)) {
      const ref = snapshot.ownerOf(pod.meta);
      this.owners.set(pod, ref);
      const key = refKeyOf(ref);
      const entry = this.byWorkload.get(key);
      if (entry) entry.pods.push(pod);
      else this.byWorkload.set(key, { ref, pods: [pod] });
    }
  }

  pods(): Pod[] {
    return [...this.owners.keys()];
  }

  ownerOf(pod: Pod): ObjectRef {
    return this.owners.get(pod) ?? this.snapshot.ownerOf(pod.meta);
  }

  podsOf(ref: ObjectRef): Pod[] {
    return this.byWorkload.get(refKeyOf(ref))?.pods ?? [];
  }

  /** Ready replicas of a workload: its status when it is a Deployment/StatefulSet/DaemonSet, else ready pods. */
  readyOf(ref: ObjectRef): number {
    if (ref.kind === 'Deployment' || ref.kind === 'StatefulSet' || ref.kind === 'DaemonSet') {
      const w = this.snapshot.getWorkload(ref.kind, ref.namespace, ref.name);
      if (w) return w.ready;
    }
    return this.podsOf(ref).filter((p) => !isTerminalPod(p) && isPodReady(p)).length;
  }

  /** Pods of the workload that are not finished (the "3" in "2 of 3 pods"). */
  activeCountOf(ref: ObjectRef): number {
    return this.podsOf(ref).filter((p) => !isTerminalPod(p)).length;
  }
}

export interface PodHit<T> {
  pod: Pod;
  detail: T;
}

export interface PodGroup<T> {
  workload: ObjectRef;
  key: string;
  hits: PodHit<T>[];
}

/**
 * Groups per-pod observations by (workload, key). `observe` returns the observations on one pod,
 * each with its key (typically the container name).
 */
export function groupByWorkload<T>(index: PodIndex, observe: (pod: Pod) => { key: string; detail: T }[]): PodGroup<T>[] {
  const groups = new Map<string, PodGroup<T>>();
  for (const pod of index.pods()) {
    for (const { key, detail } of observe(pod)) {
      const workload = index.ownerOf(pod);
      const gk = `${refKeyOf(workload)}\u0000${key}`;
      let group = groups.get(gk);
      if (!group) groups.set(gk, (group = { workload, key, hits: [] }));
      group.hits.push({ pod, detail });
    }
  }
  return [...groups.values()];
}

/** "2 of 3 pods of checkout" / "pod web-1" / "the pod of job-x". */
export function podsPhrase(index: PodIndex, workload: ObjectRef, affected: number): string {
  if (workload.kind === 'Pod') return `pod ${oneLine(workload.name)}`;
  const total = Math.max(index.activeCountOf(workload), affected);
  const name = oneLine(workload.name);
  if (total === 1) return `the pod of ${name}`;
  return `${affected} of ${total} pods of ${name}`;
}

export function finding(type: IncidentType, severity: Severity, workload: ObjectRef, summary: string, evidence: (Evidence | undefined)[], key?: string): Finding {
  return {
    type,
    severity,
    workload,
    ...(key !== undefined && key !== '' ? { key } : {}),
    summary: oneLine(summary, 400),
    evidence: evidence.filter((e): e is Evidence => e !== undefined),
  };
}

/** Sort by restart count, most first, so the worst pods are listed. */
export function byRestartsDesc<T extends { status: ContainerStatus }>(hits: PodHit<T>[]): PodHit<T>[] {
  return [...hits].sort((a, b) => b.detail.status.restartCount - a.detail.status.restartCount);
}

// ---- pod trouble --------------------------------------------------------------------------------

/** Waiting reasons that mean a container cannot run, as opposed to starting up. */
export const FAILING_WAIT_REASONS = [
  'CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
];

/** Why a pod is not serving, in a word or two ("CrashLoopBackOff", "not ready", "Unschedulable"); undefined when fine. */
export function podTrouble(pod: Pod): string | undefined {
  if (pod.phase === 'Failed') return pod.reason || 'Failed';
  for (const { status } of containerStatuses(pod)) {
    const reason = status.state.waiting?.reason;
    if (reason && FAILING_WAIT_REASONS.includes(reason)) return reason;
  }
  const scheduled = condition(pod.conditions, 'PodScheduled');
  if (scheduled?.status === 'False') return scheduled.reason || 'not scheduled';
  if (pod.phase === 'Pending') return 'Pending';
  if (pod.phase === 'Running' && !isPodReady(pod)) return 'not ready';
  return undefined;
}

/** When a pod stopped (or never started) serving: its Ready condition's transition, else its creation. */
export function notReadySince(pod: Pod): string {
  const ready = condition(pod.conditions, 'Ready');
  return (ready?.status !== 'True' ? ready?.lastTransitionTime : undefined) || pod.meta.createdAt;
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
  return { kind: involved.kind, namespace: involved.namespace, name: involved.name, ...(involved.uid ? { uid: involved.uid } : {}) };
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
      byService.set(key, { slices: counts.slices + 1, ready: counts.ready + slice.ready, notReady: counts.notReady + slice.notReady });
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
  return [...snapshot.eventsFor('Node', '', node), ...snapshot.eventsFor('Node', 'default', node)].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
}

/** A name as it appears inside a field path selector, bounded and on one line. */
export function fieldName(name: string): string {
  return oneLine(name, 100);
}
