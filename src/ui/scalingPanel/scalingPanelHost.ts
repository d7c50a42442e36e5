// The Scaling panel host: one webview panel per workload, showing its demand, the forecast with
// its band, ready and proposed replicas. It pulls a fresh state when the session says something
// changed (at most every few seconds, and only while the panel is visible) and when the webview asks.
import * as vscode from 'vscode';
import type { ConnectionManager } from '../../cluster/connection';
import type { ClusterSession } from '../../cluster/clusterSession';
import type { Workload } from '../../core/model/workload';
import type { TreeNode } from '../workloadTree';
import { dispatch, on } from '../webview/ipc';
import { pageAssets, PanelRegistry, type PanelController, type PanelKind } from '../webview/panelRegistry';
import {
  ApplyMessage,
  CloseMessage,
  ReadyMessage,
  RefreshMessage,
  savedScalingRef,
  StateMessage,
  type ScalingPanelState,
  type ScalingWorkloadRef,
} from './protocol';
import { scalingPanelHtml } from './scalingPanelHtml';
import { buildScalingState, panelActProposal, type DemandInput, type ScalingSource } from './scalingState';
import type { Proposal } from '../../core/model/proposal';
import { planDemand, type GoverningPolicy, type PrometheusSettingsValue } from './demandSource';
import type { PrometheusDemand } from '../../cluster/prometheusDemand';
import { refKey } from '../../core/model/objectRef';
import { COMMANDS } from '../commandIds';
import { scalingObjectiveSetting } from '../scalingObjective';

const VIEW_TYPE = 'nimbusguard.scaling';
/** Fastest refresh while the cluster keeps changing. */
const MIN_INTERVAL_MS = 5_000;

export interface ScalingPanelDeps {
  extensionUri: vscode.Uri;
  manager: ConnectionManager;
  /** The Prometheus settings in force (undefined: none configured). */
  prometheus: () => PrometheusSettingsValue | undefined;
  /** The Prometheus reader, from the cluster bundle (loaded on first use). */
  demand: () => Promise<PrometheusDemand>;
  /** The policy custom resource governing a workload, and problems with the policies selecting it. */
  policyFor?: (workload: Workload) => { policy?: GoverningPolicy; notes: string[] };
  /** Opens the Verification panel for a proposal (verify → approve → act); absent without the act loop. */
  verify?: (proposal: Proposal) => void;
}

function sourceOf(manager: ConnectionManager): ScalingSource | undefined {
  const state = manager.state;
  if (state.kind !== 'ready' || state.session.state.phase !== 'connected') return undefined;
  const session = state.session;
  return {
    context: state.context,
    snapshot: session.snapshot,
    usage: session.usage,
    metrics: session.metricsState,
    synced: session.synced,
  };
}

class ScalingPanel implements PanelController {
  private readonly disposables: vscode.Disposable[] = [];
  private sessionListener: { dispose(): void } | undefined;
  private session: ClusterSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastPush = 0;
  private stale = true;
  private pushing = false;
  private disposed = false;
  /** The state last sent to the page: Verify & Apply acts on what the user saw. */
  private shown: ScalingPanelState | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: ScalingWorkloadRef,
    private readonly deps: ScalingPanelDeps,
  ) {
    panel.webview.html = scalingPanelHtml({ ...pageAssets(panel.webview, deps.extensionUri, 'scaling'), ref });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((value: unknown) => {
        dispatch(value, [
          on(ReadyMessage, () => this.push()),
          on(RefreshMessage, () => this.push()),
          on(CloseMessage, () => this.dispose()),
          on(ApplyMessage, () => this.verifyShown()),
        ]);
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.stale) this.schedule();
      }),
      deps.manager.onDidChange(() => this.attach()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('nimbusguard.scaling.objective')) this.schedule();
      }),
    );
    this.attach();
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Follows the current session (a context switch replaces it). */
  private attach(): void {
    const session = this.deps.manager.session;
    if (session !== this.session) {
      this.sessionListener?.dispose();
      this.session = session;
      this.sessionListener = session?.onDidChange(() => this.schedule());
    }
    this.schedule();
  }

  /** Marks the state stale and pushes it when the panel is visible, no sooner than MIN_INTERVAL_MS after the last push. */
  private schedule(): void {
    this.stale = true;
    if (this.disposed || this.timer || !this.panel.visible) return;
    const delay = Math.max(0, this.lastPush + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.push();
    }, delay);
  }

  private push(): void {
    if (this.disposed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pushing) {
      this.stale = true;
      return;
    }
    this.stale = false;
    this.lastPush = Date.now();
    this.pushing = true;
    void this.build()
      .then((state) => {
        if (this.disposed) return;
        this.panel.title = titleOf(
          this.ref,
          state.proposal ? `${state.proposal.currentReplicas} → ${state.proposal.replicas}` : undefined,
        );
        this.shown = state;
        void this.panel.webview.postMessage(StateMessage.create(state));
      })
      .finally(() => {
        this.pushing = false;
        if (this.stale) this.schedule();
      });
  }

  /** Verify & Apply: the proposal the page shows, rebuilt from the host's own state and the live snapshot. */
  private verifyShown(): void {
    const snapshot = this.deps.manager.session?.snapshot;
    const proposal = snapshot && this.shown ? panelActProposal(snapshot, this.shown) : undefined;
    if (!this.deps.verify)
      return void vscode.window.showWarningMessage('NimbusGuard: connect to a cluster first to verify and apply.');
    if (!proposal)
      return void vscode.window.showInformationMessage(
        `NimbusGuard: the Scaling panel of ${this.ref.name} proposes no change to verify right now.`,
      );
    this.deps.verify(proposal);
  }

  /** The panel's state, with Prometheus read first when it is the demand source. */
  private async build() {
    const source = sourceOf(this.deps.manager);
    const workload = source?.snapshot.getWorkload(this.ref.kind, this.ref.namespace, this.ref.name);
    let input: DemandInput | undefined;
    if (source && workload) {
      const governed = this.deps.policyFor?.(workload) ?? { notes: [] };
      const plan = planDemand(source.snapshot, workload, this.deps.prometheus(), governed.policy);
      const objective = scalingObjectiveSetting();
      input = {
        plan,
        policyNotes: objective.problem ? [...governed.notes, objective.problem] : governed.notes,
        objective: objective.objective,
        ...(governed.policy ? { policy: governed.policy } : {}),
      };
      if (plan.source === 'prometheus') input.read = await (await this.deps.demand()).read(plan.request);
    }
    return buildScalingState(sourceOf(this.deps.manager), this.ref, Date.now(), input);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.sessionListener?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function titleOf(ref: ScalingWorkloadRef, detail?: string): string {
  return `Scaling: ${ref.name}${detail ? ` (${detail})` : ''}`;
}

/** The workload a tree node passed as the command argument stands for. */
function workloadOfArg(arg: unknown): ScalingWorkloadRef | undefined {
  const node = arg as TreeNode | undefined;
  if (node?.type !== 'workload') return undefined;
  const w: Workload = node.workload;
  return { kind: w.kind, namespace: w.namespace, name: w.name };
}

async function pickWorkload(manager: ConnectionManager): Promise<ScalingWorkloadRef | undefined> {
  const workloads = manager.session?.snapshot.allWorkloads() ?? [];
  if (workloads.length === 0) {
    void vscode.window.showInformationMessage('NimbusGuard: no workloads in the current context yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    workloads.map((w) => ({
      label: w.name,
      description: `${w.namespace} · ${w.kind}`,
      ref: { kind: w.kind, namespace: w.namespace, name: w.name },
    })),
    { title: 'NimbusGuard: show the scaling proposal of…', matchOnDescription: true },
  );
  return picked?.ref;
}

const scalingKind = (deps: ScalingPanelDeps): PanelKind<ScalingWorkloadRef> => ({
  viewType: VIEW_TYPE,
  key: refKey,
  title: (ref) => titleOf(ref),
  refFromState: savedScalingRef,
  attach: (panel, ref) => new ScalingPanel(panel, ref, deps),
});

/** The Show Scaling Proposal command, its panels (restored after a reload), all disposed with the returned list. */
export function registerScalingPanel(deps: ScalingPanelDeps): vscode.Disposable[] {
  const panels = new PanelRegistry(deps.extensionUri, scalingKind(deps));
  const show = async (arg?: unknown) => {
    const ref = workloadOfArg(arg) ?? (await pickWorkload(deps.manager));
    if (ref) panels.show(ref);
  };
  return [vscode.commands.registerCommand(COMMANDS.showScaling, show), ...panels.register()];
}
