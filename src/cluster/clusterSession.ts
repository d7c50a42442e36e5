// Everything NimbusGuard knows about one context of one kubeconfig: a reachability probe, the
// informers that feed the snapshot, pod usage, and which kinds had to be skipped. Disposing it
// stops every watch, so a context switch never leaves the old one running.
import { KubeConfig, KubernetesObject, VersionApi } from '@kubernetes/client-node';
import { Emitter } from '../core/events';
import { ClusterSnapshot, type SnapshotKind } from '../core/model/snapshot';
import { UsageHistory } from '../core/model/usageHistory';
import type { PodUsage } from '../core/model/resources';
import { describeClusterError } from './errors';
import { InformerState, ResilientInformer, backoffDelay } from './informer';
import { MetricsPoller, MetricsState } from './metricsPoller';
import { KIND_BINDINGS, KindBinding } from './resourceKinds';
import { isPodTemplateKind, isWorkloadKind } from '../core/model/workload';

export type SessionState =
  | { phase: 'connecting' }
  | { phase: 'connected'; serverVersion: string }
  | { phase: 'unreachable'; message: string; retryInMs: number };

export interface SessionOptions {
  /** Namespaces to watch; empty means every namespace the user may list. */
  namespaces: string[];
  /** Kinds to watch; all of KIND_BINDINGS when omitted (the thin tree needs only workloads). */
  kinds?: readonly string[];
  /** Read pod usage from metrics.k8s.io (default true). */
  metrics?: boolean;
  /** Items per list page (LIST_PAGE_SIZE when omitted; 0 lists each kind in one response). */
  pageSize?: number;
}

interface RunningInformer {
  informer: ResilientInformer<KubernetesObject>;
  binding: KindBinding;
  namespace: string | undefined;
  state: InformerState;
}

export class ClusterSession {
  readonly snapshot = new ClusterSnapshot();
  /** Usage per workload container over time, for right-sizing and the scaling panel. */
  readonly usage = new UsageHistory();
  private readonly changed = new Emitter<void>();
  private readonly stateChanged = new Emitter<SessionState>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeState = this.stateChanged.event;

  private running: RunningInformer[] = [];
  private metrics: MetricsPoller | undefined;
  private current: SessionState = { phase: 'connecting' };
  private probeTimer: NodeJS.Timeout | undefined;
  private probeAttempt = 0;
  private disposed = false;

  constructor(
    readonly kc: KubeConfig,
    readonly contextName: string,
    private readonly options: SessionOptions,
  ) {}

  get state(): SessionState {
    return this.current;
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** The namespace the context names, used when the user may not list cluster-wide. */
  get contextNamespace(): string | undefined {
    return this.kc.getContextObject(this.contextName)?.namespace || undefined;
  }

  /** True once every informer has listed (or been found unavailable). */
  get synced(): boolean {
    return (
      this.running.length > 0 &&
      this.running.every((r) => r.state.phase === 'synced' || r.state.phase === 'unavailable')
    );
  }

  /**
   * True once every workload kind has listed (or was found unavailable): the tree can show every
   * namespace's workloads with their ready counts, which come from the workload objects alone.
   */
  get workloadsListed(): boolean {
    const workloads = this.running.filter((r) => isWorkloadKind(r.binding.kind));
    return (
      workloads.length > 0 && workloads.every((r) => r.state.phase === 'synced' || r.state.phase === 'unavailable')
    );
  }

  /** Resolves once synced (or after the timeout, whichever is first). */
  whenSynced(timeoutMs = 30_000): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        listener.dispose();
        resolve(false);
      }, timeoutMs);
      const listener = this.changed.event(() => {
        if (!this.synced) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(true);
      });
    });
  }

  /** Human-readable notes about kinds or data that could not be read. */
  notes(): string[] {
    // Optional kinds (add-on CRDs) are checked where they can be read and never noted: a user who
    // may not list an unknown resource is refused before the server says it does not serve it.
    const notes = this.running.flatMap((r) =>
      r.state.phase === 'unavailable' && !r.binding.optional ? [r.state.message] : [],
    );
    const m = this.metrics?.state;
    if (m?.phase === 'unavailable') notes.push(m.message);
    return notes;
  }

  get metricsState(): MetricsState | undefined {
    return this.metrics?.state;
  }

  async start(): Promise<void> {
    if (this.disposed) return;
    try {
      const version = await this.kc.makeApiClient(VersionApi).getCode();
      if (this.disposed) return;
      this.probeAttempt = 0;
      this.setState({ phase: 'connected', serverVersion: version.gitVersion });
      this.startWatching();
    } catch (error) {
      if (this.disposed) return;
      const retryInMs = backoffDelay(++this.probeAttempt + 2);
      this.setState({ phase: 'unreachable', message: describeClusterError(error, this.server).message, retryInMs });
      this.probeTimer = setTimeout(() => void this.start(), retryInMs);
    }
  }

  /**
   * Stops every watch and keeps the snapshot as it is: a one-shot scan reports the cluster at one
   * instant, and its diagnoses then read the same objects its detection read.
   */
  freeze(): void {
    for (const r of this.running) r.informer.stop();
  }

  dispose(): void {
    this.disposed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    for (const r of this.running) r.informer.stop();
    this.running = [];
    this.metrics?.stop();
    this.changed.dispose();
    this.stateChanged.dispose();
  }

  private scopes(): (string | undefined)[] {
    return this.options.namespaces.length > 0 ? [...new Set(this.options.namespaces)] : [undefined];
  }

  private startWatching(): void {
    const wanted = this.options.kinds;
    for (const binding of KIND_BINDINGS) {
      if (wanted && !wanted.includes(binding.kind)) continue;
      for (const ns of binding.clusterScoped ? [undefined] : this.scopes()) this.addInformer(binding, ns);
    }
    if (this.options.metrics !== false) {
      this.metrics = new MetricsPoller(this.kc, this.scopes(), (usage) => {
        for (const u of usage) this.recordUsage(u);
        this.changed.fire();
      });
      this.metrics.start();
    }
  }

  private recordUsage(u: PodUsage): void {
    this.snapshot.setUsage(u);
    const pod = this.snapshot.get('Pod', u.namespace, u.name);
    if (!pod) return;
    const owner = this.snapshot.ownerOf(pod.meta);
    const t = (Date.parse(u.timestamp) || Date.now()) / 1000;
    for (const c of u.containers) {
      this.usage.add(owner.kind, owner.namespace, owner.name, c.name, {
        t,
        cpu: c.cpuMillicores / 1000,
        memory: c.memoryBytes,
        pod: u.name,
      });
    }
  }

  private addInformer(binding: KindBinding, namespace: string | undefined): void {
    const kind = binding.kind;
    const entry: RunningInformer = {
      binding,
      namespace,
      state: { phase: 'listing' },
      informer: new ResilientInformer(
        this.kc,
        binding.type,
        namespace,
        {
          upsert: (obj) => {
            this.snapshot.upsert(kind, binding.convert(obj as Record<string, any>));
            this.changed.fire();
          },
          remove: (obj) => {
            this.snapshot.remove(kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
            if (isPodTemplateKind(kind))
              this.usage.forget(kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
            this.changed.fire();
          },
          stateChanged: (state) => {
            entry.state = state;
            this.onInformerState(entry);
            this.changed.fire();
          },
        },
        this.options.pageSize !== undefined ? { pageSize: this.options.pageSize } : {},
      ),
    };
    this.running.push(entry);
    entry.informer.start();
  }

  /** What the watches of one kind hold right now, exactly as kept in memory (for inspection). */
  cachedObjects(kind: SnapshotKind): KubernetesObject[] {
    return this.running.filter((r) => r.binding.kind === kind).flatMap((r) => r.informer.cached());
  }

  private onInformerState(entry: RunningInformer): void {
    const { state, namespace, binding } = entry;
    if (state.phase === 'synced') this.snapshot.setObserved(binding.kind, namespace, true);
    if (state.phase !== 'unavailable') return;
    this.snapshot.setObserved(binding.kind, namespace, false);
    // Not allowed cluster-wide: fall back to the context's own namespace, as kubectl users expect.
    const fallback = this.contextNamespace;
    if (namespace === undefined && !binding.clusterScoped && fallback && /not allowed/.test(state.message)) {
      entry.informer.stop();
      this.running = this.running.filter((r) => r !== entry);
      this.addInformer(binding, fallback);
    }
  }

  private setState(state: SessionState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }
}
