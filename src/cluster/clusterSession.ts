// Everything NimbusGuard knows about one context of one kubeconfig: a reachability probe, the
// informers that feed the snapshot, and which kinds had to be skipped. Disposing it stops every
// watch, so a context switch never leaves the old one running.
import { KubeConfig, KubernetesObject, VersionApi } from '@kubernetes/client-node';
import { Emitter } from '../core/events';
import { ClusterSnapshot } from '../core/model/snapshot';
import { WORKLOAD_KINDS, WorkloadKind } from '../core/model/workload';
import { toWorkload } from './convert';
import { describeClusterError } from './errors';
import { InformerState, ResilientInformer, ResourceType, backoffDelay } from './informer';

export type SessionState =
  | { phase: 'connecting' }
  | { phase: 'connected'; serverVersion: string }
  | { phase: 'unreachable'; message: string; retryInMs: number };

const WORKLOAD_TYPES: Record<WorkloadKind, ResourceType> = {
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' },
  DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets' },
};

export interface SessionOptions {
  /** Namespaces to watch; empty means every namespace the user may list. */
  namespaces: string[];
}

export class ClusterSession {
  readonly snapshot = new ClusterSnapshot();
  private readonly changed = new Emitter<void>();
  private readonly stateChanged = new Emitter<SessionState>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeState = this.stateChanged.event;

  private informers: ResilientInformer<KubernetesObject>[] = [];
  private readonly informerStates = new Map<ResilientInformer<KubernetesObject>, InformerState>();
  private current: SessionState = { phase: 'connecting' };
  private probeTimer: NodeJS.Timeout | undefined;
  private probeAttempt = 0;
  private disposed = false;

  constructor(readonly kc: KubeConfig, readonly contextName: string, private readonly options: SessionOptions) {}

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
    return this.informers.length > 0 && [...this.informerStates.values()].every((s) => s.phase === 'synced' || s.phase === 'unavailable');
  }

  /** Human-readable notes about kinds that could not be watched. */
  notes(): string[] {
    return [...this.informerStates.values()].flatMap((s) => (s.phase === 'unavailable' ? [s.message] : []));
  }

  async start(): Promise<void> {
    if (this.disposed) return;
    try {
      const version = await this.kc.makeApiClient(VersionApi).getCode();
      if (this.disposed) return;
      this.probeAttempt = 0;
      this.setState({ phase: 'connected', serverVersion: version.gitVersion });
      this.startInformers();
    } catch (error) {
      if (this.disposed) return;
      const retryInMs = backoffDelay(++this.probeAttempt + 2);
      this.setState({ phase: 'unreachable', message: describeClusterError(error, this.server).message, retryInMs });
      this.probeTimer = setTimeout(() => void this.start(), retryInMs);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    for (const informer of this.informers) informer.stop();
    this.informers = [];
    this.informerStates.clear();
    this.changed.dispose();
    this.stateChanged.dispose();
  }

  private startInformers(): void {
    const scopes: (string | undefined)[] = this.options.namespaces.length > 0 ? [...new Set(this.options.namespaces)] : [undefined];
    for (const kind of WORKLOAD_KINDS) for (const ns of scopes) this.addWorkloadInformer(kind, ns);
  }

  private addWorkloadInformer(kind: WorkloadKind, namespace: string | undefined): void {
    const informer: ResilientInformer<KubernetesObject> = new ResilientInformer(this.kc, WORKLOAD_TYPES[kind], namespace, {
      upsert: (obj) => {
        this.snapshot.upsertWorkload(toWorkload(kind, obj as Record<string, any>));
        this.changed.fire();
      },
      remove: (obj) => {
        this.snapshot.removeWorkload(kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
        this.changed.fire();
      },
      stateChanged: (state) => {
        this.informerStates.set(informer, state);
        // Not allowed cluster-wide: fall back to the context's own namespace, as kubectl users expect.
        const fallback = this.contextNamespace;
        if (state.phase === 'unavailable' && namespace === undefined && fallback && /not allowed/.test(state.message)) {
          informer.stop();
          this.informers = this.informers.filter((i) => i !== informer);
          this.informerStates.delete(informer);
          this.addWorkloadInformer(kind, fallback);
        }
        this.changed.fire();
      },
    });
    this.informers.push(informer);
    this.informerStates.set(informer, { phase: 'listing' });
    informer.start();
  }

  private setState(state: SessionState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }
}
