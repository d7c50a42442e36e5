// Watches the scaling policy custom resources (IntelligentScaling, ScalingPolicy) when the cluster
// serves them. A cluster without the CRDs is the normal case, not an error: the watch is tried
// again now and then, so installing the CRDs later is noticed. Objects are parsed as they arrive;
// a malformed one is kept as a message and never reaches a proposal.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Emitter } from '../core/events';
import {
  POLICY_TYPES,
  parseScalingPolicy,
  type PolicyKind,
  type PolicyParse,
  type ScalingPolicyRecord,
} from '../core/scaling/scalingPolicies';
import { ResilientInformer, type InformerState } from './informer';

/** How long to wait before asking again for a kind the server does not serve. */
const ABSENT_RETRY_MS = 60_000;

export type PolicyKindState = 'listing' | 'watching' | 'absent' | { unavailable: string };

interface Watched {
  kind: PolicyKind;
  informer: ResilientInformer<KubernetesObject> | undefined;
  state: PolicyKindState;
  objects: Map<string, PolicyParse>;
  retry?: NodeJS.Timeout;
}

export class PolicyWatcher {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watched: Watched[];
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace?: string,
    private readonly absentRetryMs = ABSENT_RETRY_MS,
  ) {
    this.watched = POLICY_TYPES.map((t) => ({
      kind: t.kind,
      informer: undefined,
      state: 'listing',
      objects: new Map(),
    }));
  }

  start(): void {
    this.stopped = false;
    for (const w of this.watched) this.startKind(w);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watched) {
      if (w.retry) clearTimeout(w.retry);
      w.informer?.stop();
      w.informer = undefined;
    }
    this.changed.dispose();
  }

  /** Per kind: watching, absent (CRD not installed), or why it cannot be read. */
  states(): Record<PolicyKind, PolicyKindState> {
    return Object.fromEntries(this.watched.map((w) => [w.kind, w.state])) as Record<PolicyKind, PolicyKindState>;
  }

  /** True once every kind has listed or was found absent/unreadable. */
  get settled(): boolean {
    return this.watched.every((w) => w.state !== 'listing');
  }

  /** The well-formed policies. */
  policies(): ScalingPolicyRecord[] {
    return this.watched.flatMap((w) => [...w.objects.values()].flatMap((p) => (p.ok ? [p.policy] : [])));
  }

  /** Messages for malformed policies, and kinds that exist but may not be read. */
  problems(): string[] {
    const out = this.watched.flatMap((w) => [...w.objects.values()].flatMap((p) => (p.ok ? [] : [p.message])));
    for (const w of this.watched)
      if (typeof w.state === 'object') out.push(`${w.kind} policies cannot be read: ${w.state.unavailable}`);
    return out;
  }

  private startKind(w: Watched): void {
    const type = POLICY_TYPES.find((t) => t.kind === w.kind)!;
    const key = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    const informer = new ResilientInformer<KubernetesObject>(
      this.kc,
      { apiVersion: type.apiVersion, kind: type.kind, plural: type.plural },
      this.namespace,
      {
        upsert: (obj) => {
          w.objects.set(key(obj), parseScalingPolicy(w.kind, obj));
          this.changed.fire();
        },
        remove: (obj) => {
          w.objects.delete(key(obj));
          this.changed.fire();
        },
        stateChanged: (state) => this.onState(w, informer, state),
      },
    );
    w.informer = informer;
    informer.start();
  }

  private onState(w: Watched, informer: ResilientInformer<KubernetesObject>, state: InformerState): void {
    if (this.stopped || w.informer !== informer) return;
    if (state.phase === 'synced') w.state = 'watching';
    else if (state.phase === 'unavailable') {
      informer.stop();
      w.informer = undefined;
      w.objects.clear();
      w.state = /does not serve/.test(state.message) ? 'absent' : { unavailable: state.message };
      w.retry = setTimeout(() => {
        w.retry = undefined;
        if (!this.stopped) this.startKind(w);
      }, this.absentRetryMs);
    } else return;
    this.changed.fire();
  }
}
