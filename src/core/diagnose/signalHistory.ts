// The signals an incident is judged by, over time: ready against desired replicas, container restarts
// and pending pods of a workload, sampled from the live snapshot while the workload has an open
// incident. Bounded per workload; the owner forgets workloads that no longer have incidents.
import type { ObjectRef } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { isWorkloadKind } from '../model/workload';
import { podsOf } from './ruleSupport';
import { refKey } from '../model/objectRef';

export interface SignalSample {
  /** Epoch seconds. */
  t: number;
  /** Ready replicas (or ready pods for a Job). */
  ready: number;
  /** Replicas the spec asks for; undefined for kinds without a replica count. */
  desired?: number;
  /** Container restarts summed over the workload's live pods. */
  restarts: number;
  /** Pods in phase Pending. */
  pending: number;
}

/** Four hours of 15-second samples. */
const MAX_SAMPLES = 960;

/** What the workload's signals are now; undefined when the object has no pods to speak of. */
export function sampleSignals(snapshot: ClusterSnapshot, ref: ObjectRef, t: number): SignalSample | undefined {
  const workload = isWorkloadKind(ref.kind) ? snapshot.getWorkload(ref.kind, ref.namespace, ref.name) : undefined;
  if (!workload && ref.kind !== 'Job' && ref.kind !== 'CronJob' && ref.kind !== 'Pod') return undefined;
  const pods = podsOf(snapshot, ref);
  let restarts = 0;
  let pending = 0;
  let readyPods = 0;
  for (const pod of pods) {
    for (const c of [...pod.containerStatuses, ...pod.initContainerStatuses]) restarts += c.restartCount;
    if (pod.phase === 'Pending') pending++;
    if (pod.conditions.some((c) => c.type === 'Ready' && c.status === 'True')) readyPods++;
  }
  if (!workload) return { t, ready: readyPods, restarts, pending };
  return { t, ready: workload.ready, desired: workload.desired, restarts, pending };
}

export class SignalHistory {
  private readonly series = new Map<string, SignalSample[]>();

  /** Adds a sample; one not later than the last is ignored. */
  add(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>, sample: SignalSample): void {
    const k = refKey(ref);
    let list = this.series.get(k);
    if (!list) this.series.set(k, (list = []));
    const last = list[list.length - 1];
    if (last && sample.t <= last.t) return;
    list.push(sample);
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  }

  samples(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): readonly SignalSample[] {
    return this.series.get(refKey(ref)) ?? [];
  }

  /** Drops every workload not in `keep`. */
  retain(keep: readonly Pick<ObjectRef, 'kind' | 'namespace' | 'name'>[]): void {
    const wanted = new Set(keep.map(refKey));
    for (const k of [...this.series.keys()]) if (!wanted.has(k)) this.series.delete(k);
  }

  get size(): number {
    return this.series.size;
  }
}
