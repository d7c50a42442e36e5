// The cluster as NimbusGuard sees it: plain, indexed data that informers update one object at a
// time. Readers never see Kubernetes client types.
import { Workload, WorkloadKind, workloadKey } from './workload';

export class ClusterSnapshot {
  private readonly workloads = new Map<string, Workload>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private revision = 0;

  /** Increases on every change; cheap to compare for "did anything change". */
  get version(): number {
    return this.revision;
  }

  upsertWorkload(w: Workload): void {
    const key = workloadKey(w.kind, w.namespace, w.name);
    this.workloads.set(key, w);
    let keys = this.byNamespace.get(w.namespace);
    if (!keys) this.byNamespace.set(w.namespace, (keys = new Set()));
    keys.add(key);
    this.revision++;
  }

  removeWorkload(kind: WorkloadKind, namespace: string, name: string): void {
    const key = workloadKey(kind, namespace, name);
    if (!this.workloads.delete(key)) return;
    const keys = this.byNamespace.get(namespace);
    keys?.delete(key);
    if (keys && keys.size === 0) this.byNamespace.delete(namespace);
    this.revision++;
  }

  /** Drops every workload of one kind (e.g. after its watch was stopped or became Forbidden). */
  clearKind(kind: WorkloadKind): void {
    for (const w of [...this.workloads.values()]) if (w.kind === kind) this.removeWorkload(kind, w.namespace, w.name);
  }

  getWorkload(kind: WorkloadKind, namespace: string, name: string): Workload | undefined {
    return this.workloads.get(workloadKey(kind, namespace, name));
  }

  namespaces(): string[] {
    return [...this.byNamespace.keys()].sort();
  }

  workloadsIn(namespace: string): Workload[] {
    const keys = this.byNamespace.get(namespace);
    if (!keys) return [];
    const kindOrder: Record<WorkloadKind, number> = { Deployment: 0, StatefulSet: 1, DaemonSet: 2 };
    return [...keys]
      .map((k) => this.workloads.get(k)!)
      .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.name.localeCompare(b.name));
  }

  allWorkloads(): Workload[] {
    return [...this.workloads.values()];
  }

  get workloadCount(): number {
    return this.workloads.size;
  }
}
