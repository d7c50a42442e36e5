// The act loop in the editor: one ActService for the connected session (a new one after a context
// switch), its paused approvals kept in a file checkpointer per context so they survive a window
// reload, and one event for everything the tree and the panels redraw on (ledger, pending approvals).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ActService, type PendingApproval } from '../../agent/actService';
import { ApiClient } from '../../cluster/actions/apiClient';
import { ShadowRunner } from '../../cluster/actions/shadow';
import type { ClusterSession } from '../../cluster/clusterSession';
import type { ConnectionManager } from '../../cluster/connection';
import { clientConfigFor } from '../../cluster/kubeconfigLoader';
import { DEFAULT_PROTECTED_CONTEXTS } from '../../core/change/confirmation';
import type { Incident } from '../../core/model/incident';
import type { ChangeRecord } from '../../core/model/proposal';
import type { IncidentHub } from '../incidentHub';

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

export class ActController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** The ledger or the pending approvals changed, or the service was replaced. */
  readonly onDidChange = this.changed.event;
  private current: { session: ClusterSession; service: ActService; listeners: vscode.Disposable[] } | undefined;
  private pendingCache: PendingApproval[] = [];

  constructor(private readonly manager: ConnectionManager, private readonly hub: IncidentHub, private readonly checkpointRoot: string) {}

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

  /** The open incidents of the monitored session. */
  openIncidents(): Incident[] {
    return this.hub.open();
  }

  /** Follows the hub: a new service when the monitored session changes. */
  sync(): void {
    const session = this.hub.currentSession;
    const monitor = this.hub.current;
    const state = this.manager.state;
    if (session && this.current?.session === session) return;
    this.teardown();
    if (!session || !monitor || state.kind !== 'ready') {
      this.changed.fire();
      return;
    }
    const api = new ApiClient(clientConfigFor(state.loaded, state.context));
    const dir = join(this.checkpointRoot, createHash('sha256').update(`${state.context}\n${api.server}`).digest('hex').slice(0, 16));
    const checkpointer = import('../../agent/runtime').then((m) => m.createCheckpointer(dir, config().get<boolean>('agent.allowTracing', false)));
    void checkpointer.then((cp) => {
      if (this.hub.currentSession !== session) return;
      const service = new ActService({
        api,
        snapshot: session.snapshot,
        incidents: monitor,
        checkpointer: cp,
        shadow: new ShadowRunner(api),
        protectedContexts,
        namespaces: () => session.snapshot.namespaces(),
      });
      const listeners = [
        toDisposable(service.onDidChangeLedger(() => this.changed.fire())),
        toDisposable(service.onDidChangePending(() => void this.refreshPending())),
      ];
      service.ledger.watch();
      this.current = { session, service, listeners };
      void service.start().then((notes) => {
        for (const note of notes) void vscode.window.showInformationMessage(`NimbusGuard: ${note}`);
      }, (error: unknown) => void vscode.window.showWarningMessage(`NimbusGuard: the act loop could not settle earlier changes: ${String(error)}`));
      void this.refreshPending();
    }, (error: unknown) => void vscode.window.showWarningMessage(`NimbusGuard: pending approvals cannot be read: ${String(error)}`));
  }

  async refreshPending(): Promise<void> {
    const service = this.current?.service;
    this.pendingCache = service ? await service.pending().catch(() => []) : [];
    this.changed.fire();
  }

  dispose(): void {
    this.teardown();
    this.changed.dispose();
  }

  private teardown(): void {
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
