// What the act loop's nodes need from the world: the cluster client, the ledger, the snapshot and
// incidents for judging outcomes, and a way to report progress. Built by ActService; no VS Code.
import type { ApiClient } from '../cluster/actions/apiClient';
import type { Incident } from '../core/model/incident';
import type { ObjectRef } from '../core/model/resources';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { RootCause } from '../core/model/rootCause';
import type { VerifyProgress } from '../core/model/proposal';
import type { Ledger } from './ledger';

/** The incident side the act loop reads: open incidents and their causes (an IncidentMonitor fits). */
export interface IncidentSource {
  open(): Incident[];
  get(id: string): Incident | undefined;
  rootCause(id: string): RootCause | undefined;
  groupOf(id: string): string | undefined;
  /** Runs detection now (so an outcome is judged on fresh state). */
  evaluate?(): unknown;
}

export interface ShadowRunner {
  /**
   * Runs the shadow check for a planned template; the shadow is deleted (and confirmed gone) before it
   * resolves. `onTimeline` receives the shadow pod's timeline each time it grows.
   */
  run(
    input: import('../cluster/actions/shadow').ShadowInput,
    signal?: AbortSignal,
    onTimeline?: (timeline: import('../core/model/proposal').ShadowTimelineEntry[]) => void,
  ): Promise<import('../core/model/proposal').CheckResult>;
  /** Removes shadows a crash left behind (expired, or held by a process that is gone). */
  sweep(namespaces: readonly string[]): Promise<string[]>;
}

export interface ActContext {
  api: ApiClient;
  ledger: Ledger;
  snapshot: ClusterSnapshot;
  incidents: IncidentSource;
  now: () => Date;
  who: () => string;
  progress: (event: VerifyProgress) => void;
  shadow?: ShadowRunner;
  /** Usage history per workload container (the scaling proposals' demand and the replay check). */
  usage?: () => import('../core/model/usageHistory').UsageHistory | undefined;
  /** What scaling proposals optimize (`nimbusguard.scaling.objective`); the replay check judges by it. */
  scalingObjective?: () => import('../core/scaling/objective').ScalingObjective;
  /** Aborted when the user interrupts (Ctrl-C, window closing): a running shadow is removed at once. */
  signal?: () => AbortSignal;
  /** The Q-learning scaling policy's table of this cluster: judged scaling changes made under it update it. */
  qTable?: import('./qTableStore').QTableStore;
  /** The workload a target belongs to, for the snapshot lookups (an HPA's target, a Service's pods). */
  uidOf: (ref: ObjectRef) => string | undefined;
}
