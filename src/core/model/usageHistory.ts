// Recent CPU/memory usage per workload container, sampled from metrics.k8s.io. Bounded: a fixed
// number of samples per series, and series of deleted workloads are dropped by the owner.
import { refKey } from './objectRef';

/** One reading of a container's usage: what right-sizing works from. */
export interface ResourceSample {
  /** Seconds (any epoch) of the sample. */
  t: number;
  /** CPU in cores. */
  cpu: number;
  /** Memory working set in bytes. */
  memory: number;
}

/** A resource sample and the pod it was read from. */
export interface UsageSample extends ResourceSample {
  pod: string;
}

const MAX_SAMPLES = 2880;

export class UsageHistory {
  private readonly series = new Map<string, UsageSample[]>();

  static key(kind: string, namespace: string, name: string, container: string): string {
    return `${refKey({ kind, namespace, name })}/${container}`;
  }

  add(kind: string, namespace: string, name: string, container: string, sample: UsageSample): void {
    const key = UsageHistory.key(kind, namespace, name, container);
    let list = this.series.get(key);
    if (!list) this.series.set(key, (list = []));
    const last = list[list.length - 1];
    if (last && last.t === sample.t && last.pod === sample.pod) return;
    list.push(sample);
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  }

  samples(kind: string, namespace: string, name: string, container: string): readonly UsageSample[] {
    return this.series.get(UsageHistory.key(kind, namespace, name, container)) ?? [];
  }

  /** Forgets every series of a workload (it was deleted). */
  forget(kind: string, namespace: string, name: string): void {
    const prefix = `${refKey({ kind, namespace, name })}/`;
    for (const key of [...this.series.keys()]) if (key.startsWith(prefix)) this.series.delete(key);
  }

  get size(): number {
    return this.series.size;
  }
}
