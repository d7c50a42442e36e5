// The cluster as NimbusGuard sees it: plain, indexed data that informers update one object at a
// time (never rebuilt per event). Readers never see Kubernetes client types.
import type {
  CronJob,
  EndpointSlice,
  HorizontalPodAutoscaler,
  Job,
  KubeEvent,
  LogTail,
  Meta,
  Node,
  ObjectRef,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  PodUsage,
  ReplicaSet,
  ResourceQuota,
  SecretMeta,
  Service,
  WebhookConfiguration,
} from './resources';
import type { LimitRange } from './resources';
import type { Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass } from './routing';
import type { PersistentVolume, StorageClass } from './storage';
import type { NetworkPolicy } from './networkPolicy';
import { isWorkloadKind, Workload, WORKLOAD_KINDS, WorkloadKind } from './workload';
import { refKey } from './objectRef';

/** Every kind the snapshot stores, with its plain record type. */
export interface KindRecords {
  Deployment: Workload;
  StatefulSet: Workload;
  DaemonSet: Workload;
  Pod: Pod;
  ReplicaSet: ReplicaSet;
  Job: Job;
  CronJob: CronJob;
  Service: Service;
  EndpointSlice: EndpointSlice;
  PersistentVolumeClaim: PersistentVolumeClaim;
  Node: Node;
  HorizontalPodAutoscaler: HorizontalPodAutoscaler;
  ResourceQuota: ResourceQuota;
  LimitRange: LimitRange;
  PodDisruptionBudget: PodDisruptionBudget;
  Event: KubeEvent;
  ValidatingWebhookConfiguration: WebhookConfiguration;
  MutatingWebhookConfiguration: WebhookConfiguration;
  // Objects that other objects refer to by name, and routing/storage kinds with their own checks.
  Ingress: Ingress;
  IngressClass: IngressClass;
  StorageClass: StorageClass;
  PersistentVolume: PersistentVolume;
  Secret: SecretMeta;
  GatewayClass: GatewayClass;
  Gateway: Gateway;
  HTTPRoute: HTTPRoute;
  NetworkPolicy: NetworkPolicy;
}
export type SnapshotKind = keyof KindRecords;

const WORKLOAD_ORDER: Record<WorkloadKind, number> = { Deployment: 0, StatefulSet: 1, DaemonSet: 2 };
/** Events older than this are dropped; the detectors look at recent trouble only. */
export const EVENT_RETENTION_MS = 60 * 60 * 1000;
const EVENTS_PER_OBJECT = 50;

function metaOf(
  kind: SnapshotKind,
  record: KindRecords[SnapshotKind],
): { namespace: string; name: string; uid: string } {
  return isWorkloadKind(kind) ? (record as Workload) : (record as { meta: Meta }).meta;
}

export class ClusterSnapshot {
  private readonly stores = new Map<SnapshotKind, Map<string, KindRecords[SnapshotKind]>>();
  private readonly workloadsByNamespace = new Map<string, Set<string>>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly eventsByObject = new Map<string, Set<string>>();
  private readonly usage = new Map<string, PodUsage>();
  /** "Kind/namespace" (or "Kind/*" for every namespace) whose list is complete: absence means missing. */
  private readonly observed = new Set<string>();
  /** Kinds a watch reported it cannot list: what they hold proves nothing. */
  private readonly unobserved = new Set<SnapshotKind>();
  private readonly logTails = new Map<string, LogTail>();
  private revision = 0;

  /** Increases on every change; cheap to compare for "did anything change". */
  get version(): number {
    return this.revision;
  }

  upsert<K extends SnapshotKind>(kind: K, record: KindRecords[K]): void {
    const m = metaOf(kind, record);
    const key = refKey({ kind, namespace: m.namespace, name: m.name });
    const store = this.store(kind);
    const previous = store.get(key);
    if (previous) this.unindex(kind, key, previous);
    store.set(key, record);
    this.index(kind, key, record);
    this.revision++;
    if (kind === 'Event') this.pruneEvents(record as KubeEvent);
  }

  remove(kind: SnapshotKind, namespace: string, name: string): void {
    const key = refKey({ kind, namespace, name });
    const store = this.store(kind);
    const previous = store.get(key);
    if (!previous) return;
    store.delete(key);
    this.unindex(kind, key, previous);
    if (kind === 'Pod') {
      this.usage.delete(`${namespace}/${name}`);
      for (const key of this.logTails.keys()) if (key.startsWith(`${namespace}/${name}/`)) this.logTails.delete(key);
    }
    this.revision++;
  }

  /** Drops every record of one kind (its watch stopped or became Forbidden). */
  clearKind(kind: SnapshotKind): void {
    for (const record of [...this.store(kind).values()]) {
      const m = metaOf(kind, record);
      this.remove(kind, m.namespace, m.name);
    }
  }

  get<K extends SnapshotKind>(kind: K, namespace: string, name: string): KindRecords[K] | undefined {
    return this.store(kind).get(refKey({ kind, namespace, name })) as KindRecords[K] | undefined;
  }

  list<K extends SnapshotKind>(kind: K, namespace?: string): KindRecords[K][] {
    const all = [...this.store(kind).values()] as KindRecords[K][];
    return namespace === undefined ? all : all.filter((r) => metaOf(kind, r).namespace === namespace);
  }

  count(kind: SnapshotKind): number {
    return this.store(kind).size;
  }

  /**
   * Records that the watch of `kind` in `namespace` (undefined: every namespace, or a cluster-scoped
   * kind) has listed (true), or stopped being able to (false).
   */
  setObserved(kind: SnapshotKind, namespace: string | undefined, observed: boolean): void {
    const key = `${kind}/${namespace ?? '*'}`;
    if (observed) this.unobserved.delete(kind);
    else this.unobserved.add(kind);
    if (observed === this.observed.has(key)) return;
    if (observed) this.observed.add(key);
    else this.observed.delete(key);
    this.revision++;
  }

  /**
   * True when the snapshot holds every `kind` object of `namespace` (omit it for cluster-scoped kinds),
   * so a name it lacks does not exist. For a kind no watch reported on (a snapshot filled by hand:
   * tests, replays) the records it holds count as complete.
   */
  observes(kind: SnapshotKind, namespace?: string): boolean {
    if (this.observed.has(`${kind}/*`) || (namespace !== undefined && this.observed.has(`${kind}/${namespace}`)))
      return true;
    const prefix = `${kind}/`;
    for (const key of this.observed) if (key.startsWith(prefix)) return false;
    return !this.unobserved.has(kind) && this.count(kind) > 0;
  }

  // ---- workloads (the tree's view) -------------------------------------------------------------

  upsertWorkload(w: Workload): void {
    this.upsert(w.kind, w);
  }

  removeWorkload(kind: WorkloadKind, namespace: string, name: string): void {
    this.remove(kind, namespace, name);
  }

  getWorkload(kind: WorkloadKind, namespace: string, name: string): Workload | undefined {
    return this.get(kind, namespace, name);
  }

  namespaces(): string[] {
    return [...this.workloadsByNamespace.keys()].sort();
  }

  workloadsIn(namespace: string): Workload[] {
    const keys = this.workloadsByNamespace.get(namespace);
    if (!keys) return [];
    return [...keys]
      .map((k) => this.store(k.split('/')[0] as WorkloadKind).get(k) as Workload)
      .sort((a, b) => WORKLOAD_ORDER[a.kind] - WORKLOAD_ORDER[b.kind] || a.name.localeCompare(b.name));
  }

  allWorkloads(): Workload[] {
    return WORKLOAD_KINDS.flatMap((k) => this.list(k));
  }

  get workloadCount(): number {
    return WORKLOAD_KINDS.reduce((n, k) => n + this.count(k), 0);
  }

  // ---- relations ---------------------------------------------------------------------------------

  /** Records of `kind` whose controller owner has this uid (pods of a ReplicaSet, RSs of a Deployment…). */
  ownedBy<K extends 'Pod' | 'ReplicaSet' | 'Job'>(kind: K, ownerUid: string): KindRecords[K][] {
    const keys = this.byOwner.get(ownerUid);
    if (!keys) return [];
    const store = this.store(kind);
    const out: KindRecords[K][] = [];
    for (const key of keys) {
      const record = store.get(key);
      if (record && key.startsWith(`${kind}/`)) out.push(record as KindRecords[K]);
    }
    return out;
  }

  /** Recent events about one object, newest first. */
  eventsFor(kind: string, namespace: string, name: string): KubeEvent[] {
    const keys = this.eventsByObject.get(refKey({ kind, namespace, name }));
    if (!keys) return [];
    const store = this.store('Event');
    return [...keys].map((k) => store.get(k) as KubeEvent).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  }

  /** The workload a pod ultimately belongs to (ReplicaSet → Deployment, Job → CronJob), or the pod. */
  ownerOf(meta: Meta, kind = 'Pod'): ObjectRef {
    let ref: ObjectRef = { kind, namespace: meta.namespace, name: meta.name, uid: meta.uid };
    let owners = meta.owners;
    for (let depth = 0; depth < 3; depth++) {
      const owner = owners.find((o) => o.controller) ?? owners[0];
      if (!owner) break;
      ref = { kind: owner.kind, namespace: meta.namespace, name: owner.name, uid: owner.uid };
      const next =
        owner.kind === 'ReplicaSet'
          ? this.get('ReplicaSet', meta.namespace, owner.name)?.meta
          : owner.kind === 'Job'
            ? this.get('Job', meta.namespace, owner.name)?.meta
            : undefined;
      if (!next) break;
      owners = next.owners;
    }
    return ref;
  }

  setUsage(usage: PodUsage): void {
    this.usage.set(`${usage.namespace}/${usage.name}`, usage);
    this.revision++;
  }

  usageOf(namespace: string, name: string): PodUsage | undefined {
    return this.usage.get(`${namespace}/${name}`);
  }

  /** The log tail read for a pod's container (only pods in incidents have one). */
  setLogTail(tail: LogTail): void {
    this.logTails.set(`${tail.namespace}/${tail.pod}/${tail.container}`, tail);
    this.revision++;
  }

  logTailOf(namespace: string, pod: string, container: string): LogTail | undefined {
    return this.logTails.get(`${namespace}/${pod}/${container}`);
  }

  // ---- internals -------------------------------------------------------------------------------

  private store(kind: SnapshotKind): Map<string, KindRecords[SnapshotKind]> {
    let store = this.stores.get(kind);
    if (!store) this.stores.set(kind, (store = new Map()));
    return store;
  }

  private index(kind: SnapshotKind, key: string, record: KindRecords[SnapshotKind]): void {
    this.updateIndexes(kind, key, record, addTo);
  }

  private unindex(kind: SnapshotKind, key: string, record: KindRecords[SnapshotKind]): void {
    this.updateIndexes(kind, key, record, removeFrom);
  }

  private updateIndexes(kind: SnapshotKind, key: string, record: KindRecords[SnapshotKind], apply: typeof addTo): void {
    if (isWorkloadKind(kind)) apply(this.workloadsByNamespace, metaOf(kind, record).namespace, key);
    if (kind === 'Pod' || kind === 'ReplicaSet' || kind === 'Job') {
      for (const owner of (record as { meta: Meta }).meta.owners) apply(this.byOwner, owner.uid, key);
    }
    if (kind === 'Event') {
      const inv = (record as KubeEvent).involved;
      apply(this.eventsByObject, refKey(inv), key);
    }
  }

  private pruneEvents(latest: KubeEvent): void {
    const inv = latest.involved;
    const keys = this.eventsByObject.get(refKey(inv));
    if (!keys || keys.size <= EVENTS_PER_OBJECT) return;
    const cutoff = new Date(Date.parse(latest.lastSeen) - EVENT_RETENTION_MS).toISOString();
    const events = this.eventsFor(inv.kind, inv.namespace, inv.name);
    events.forEach((e, i) => {
      if (i >= EVENTS_PER_OBJECT || e.lastSeen < cutoff) this.remove('Event', e.meta.namespace, e.meta.name);
    });
  }
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}
