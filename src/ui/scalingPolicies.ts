// Follows the current session with a watch on the scaling policy custom resources, and answers
// which policy governs a workload (for the tree and the scaling panel) and what is wrong with them.
import * as vscode from 'vscode';
import type { ConnectionManager } from '../cluster/connection';
import type { ClusterSession } from '../cluster/clusterSession';
import { PolicyWatcher } from '../cluster/policyWatcher';
import type { Workload } from '../core/model/workload';
import { governedBy, type GoverningPolicy } from './scalingPanel/demandSource';

export class ScalingPolicies implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private session: ClusterSession | undefined;
  private watcher: PolicyWatcher | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly manager: ConnectionManager) {
    this.subscription = manager.onDidChange(() => this.follow());
    this.follow();
  }

  private follow(): void {
    const session =
      this.manager.state.kind === 'ready' && this.manager.state.session.state.phase === 'connected'
        ? this.manager.state.session
        : undefined;
    if (session === this.session) return;
    this.watcher?.stop();
    this.watcher = undefined;
    this.session = session;
    if (!session) return;
    // Cluster-wide when allowed; the watcher notes a kind it may not read and never fails because of it.
    this.watcher = new PolicyWatcher(session.kc);
    this.watcher.onDidChange(() => this.changed.fire());
    this.watcher.start();
  }

  /** The policy governing the workload and notes about the policies selecting it. */
  policyFor(workload: Workload): { policy?: GoverningPolicy; notes: string[] } {
    if (!this.watcher || !this.session) return { notes: [] };
    return governedBy(this.session.snapshot, this.watcher.policies(), workload);
  }

  /** Short text for the tree: the governing policy, or that several overlap. */
  treeLabel(workload: Workload): string | undefined {
    if (!this.watcher || !this.session) return undefined;
    const g = governedBy(this.session.snapshot, this.watcher.policies(), workload);
    if (g.policy) return `policy ${g.policy.label.split(' ').slice(1).join(' ')}`;
    return g.notes.length > 0 ? 'policies overlap' : undefined;
  }

  /** Malformed policies and unreadable kinds, for the tree's notes. */
  problems(): string[] {
    return this.watcher?.problems() ?? [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.watcher?.stop();
    this.changed.dispose();
  }
}
