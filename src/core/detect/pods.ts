// Pod helpers the detectors share: container lookups, pod → workload grouping, why a pod is not
// serving, and evidence listing pods and their events.
import type { Evidence } from '../model/incident';
import type { ContainerSpec, ContainerStatus, KubeEvent, ObjectRef, Pod } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { MAX_LISTED, clip, condition, eventEvidence, namedItem, memo, oneLine, plural, recentEvents } from './support';
import { refKey, refOf } from '../model/objectRef';
import { isWorkloadKind } from '../model/workload';

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
  return `${namedItem(`status.${init ? 'initContainerStatuses' : 'containerStatuses'}`, container)}.${path}`;
}

/** Every container status of a pod, init containers flagged. */
export function containerStatuses(pod: Pod): { status: ContainerStatus; init: boolean }[] {
  return [
    ...pod.initContainerStatuses.map((status) => ({ status, init: true })),
    ...pod.containerStatuses.map((status) => ({ status, init: false })),
  ];
}

/** Events of several pods, at most `limit`, newest first. */
export function podEvents(
  snapshot: ClusterSnapshot,
  pods: readonly Pod[],
  reasons: readonly string[],
  now: Date,
  filter: (e: KubeEvent) => boolean = () => true,
  limit = 3,
): Evidence[] {
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
      const key = refKey(ref);
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
    return this.byWorkload.get(refKey(ref))?.pods ?? [];
  }

  /** Ready replicas of a workload: its status when it is a Deployment/StatefulSet/DaemonSet, else ready pods. */
  readyOf(ref: ObjectRef): number {
    if (isWorkloadKind(ref.kind)) {
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
export function groupByWorkload<T>(
  index: PodIndex,
  observe: (pod: Pod) => { key: string; detail: T }[],
): PodGroup<T>[] {
  const groups = new Map<string, PodGroup<T>>();
  for (const pod of index.pods()) {
    for (const { key, detail } of observe(pod)) {
      const workload = index.ownerOf(pod);
      const gk = `${refKey(workload)}\u0000${key}`;
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

/** Sort by restart count, most first, so the worst pods are listed. */
export function byRestartsDesc<T extends { status: ContainerStatus }>(hits: PodHit<T>[]): PodHit<T>[] {
  return [...hits].sort((a, b) => b.detail.status.restartCount - a.detail.status.restartCount);
}

// ---- pod trouble --------------------------------------------------------------------------------

/** Waiting reasons that mean a container cannot run, as opposed to starting up. */
export const FAILING_WAIT_REASONS = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
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
