// The act loop in the editor: one ActService for the connected session (a new one after a context
// switch), its paused approvals kept in a file checkpointer per context so they survive a window
// reload, and one event for everything the tree and the panels redraw on (ledger, pending approvals).
// The service and the writers come from the agent bundle, loaded after activation.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ActService, PendingApproval } from '../../agent/actService';
import type { AgentModule } from '../../agent/agentBundle';
import type { ClusterSession } from '../../cluster/clusterSession';
import type { ConnectionManager } from '../../cluster/connection';
import { DEFAULT_PROTECTED_CONTEXTS } from '../../core/change/confirmation';
import type { Incident } from '../../core/model/incident';
import type { ChangeRecord } from '../../core/model/proposal';
import type { RateRow } from '../../core/learning/outcomeStats';
import type { ScalingPolicyName } from '../../core/change/qScaling';
import type { IncidentHub } from '../incidentHub';
import { scalingObjectiveSetting } from '../scalingObjective';

export type ShadowSetting = 'ask' | 'always' | 'never';

const config = () => vscode.workspace.getConfiguration('nimbusguard');

export function shadowSetting(): ShadowSetting {
  const value = config().get<string>('verify.shadow', 'ask');
  return value === 'always' || value === 'never' ? value : 'ask';
}

export function protectedContexts(): string[] {
  const value = config().get<unknown>('protectedContexts', DEFAULT_PROTECTED_CONTEXTS);
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : DEFAULT_PROTECTED_CONTEXTS;
}

/** `nimbusguard.scaling.policy`: which policy makes the act loop's scaling proposals. */
export function scalingPolicy(): ScalingPolicyName {
  return config().get<string>('scaling.policy', 'predictive') === 'qlearning' ? 'qlearning' : 'predictive';
}

export class ActController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** The ledger or the pending approvals changed, or the service was replaced. */
  readonly onDidChange = this.changed.event;
  private current: { session: ClusterSession; service: ActService; listeners: vscode.Disposable[] } | undefined;
  private pendingCache: PendingApproval[] = [];
  /** The session whose service is being built (the checkpointer loads asynchronously). */
  private loading: ClusterSession | undefined;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly hub: IncidentHub,
    private readonly checkpointRoot: string,
    private readonly loadAgent: () => Promise<AgentModule>,
  ) {}

  /** The service of the connected session, or undefined while there is none. */
  get service(): ActService | undefined {
    return this.current?.service;
  }

  /** The context the service writes to. */
  get context(): string | undefined {
    return this.current?.service.context;
  }

  /** Paused approvals and interrupted verifications, as last read. */
  get pending(): readonly PendingApproval[] {
    return this.pendingCache;
  }

  /** The recorded changes of this cluster made in the current context, newest first. */
  changes(): ChangeRecord[] {
    const service = this.current?.service;
    if (!service) return [];
    return service.history().filter((c) => c.context === service.context);
  }

  /** Success rates per (cause category × fix kind) learned from this cluster's judged outcomes. */
  rates(): RateRow[] {
    return this.current?.service.rates().rows() ?? [];
  }

  /** The open incidents of the monitored session. */
  openIncidents(): Incident[] {
    return this.hub.open();
  }

  /** Follows the hub: a new service when the monitored session changes. */
  sync(): void {
    const session = this.hub.currentSession;
    const monitor = this.hub.current;
    const state = this.manager.state;
    if (session && (this.current?.session === session || this.loading === session)) return;
    this.teardown();
    if (!session || !monitor || state.kind !== 'ready') {
      this.changed.fire();
      return;
    }
    this.loading = session;
    void this.loadAgent().then(
      (agent) => {
        if (this.loading !== session || this.hub.currentSession !== session) return;
        this.loading = undefined;
        const api = new agent.ApiClient(agent.clientConfigFor(state.loaded, state.context));
        const dir = join(
          this.checkpointRoot,
          createHash('sha256').update(`${state.context}\n${api.server}`).digest('hex').slice(0, 16),
        );
        const service = new agent.ActService({
          api,
          snapshot: session.snapshot,
          incidents: monitor,
          usage: session.usage,
          scalingObjective: () => scalingObjectiveSetting().objective,
          checkpointer: agent.createCheckpointer(dir, config().get<boolean>('agent.allowTracing', false)),
          shadow: new agent.ShadowRunner(api),
          protectedContexts,
          scalingPolicy,
          namespaces: () => session.snapshot.namespaces(),
        });
        const listeners = [
          toDisposable(service.onDidChangeLedger(() => void this.refreshPending())),
          toDisposable(service.onDidChangePending(() => void this.refreshPending())),
        ];
        service.ledger.watch();
        this.current = { session, service, listeners };
        void service.start().then(
          (notes) => {
            for (const note of notes) void vscode.window.showInformationMessage(`NimbusGuard: ${note}`);
          },
          (error: unknown) =>
            void vscode.window.showWarningMessage(
              `NimbusGuard: the act loop could not settle earlier changes: ${String(error)}`,
            ),
        );
        void this.refreshPending();
      },
      (error: unknown) => {
        if (this.loading === session) this.loading = undefined;
        void vscode.window.showWarningMessage(
          `NimbusGuard: the act loop is unavailable (its pending approvals cannot be read): ${String(error)}`,
        );
      },
    );
  }

  async refreshPending(): Promise<void> {
    const service = this.current?.service;
    const pending = service ? await service.pending().catch(() => []) : [];
    // A thread whose write went out stays checkpointed until its outcome is judged: it no longer waits for anyone.
    const written = new Set((service?.history() ?? []).map((c) => `${c.proposal.id}:${c.verdict.planHash}`));
    this.pendingCache = pending.filter((p) => !(p.verdict && written.has(`${p.proposal.id}:${p.verdict.planHash}`)));
    this.changed.fire();
  }

  dispose(): void {
    this.teardown();
    this.changed.dispose();
  }

  private teardown(): void {
    this.loading = undefined;
    if (!this.current) return;
    this.current.service.cancel();
    for (const l of this.current.listeners) l.dispose();
    this.current.service.dispose();
    this.current = undefined;
    this.pendingCache = [];
  }
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return { dispose: () => d.dispose() };
}
