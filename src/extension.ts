// Composition root: builds the services, registers views and commands, and nothing else.
import * as vscode from 'vscode';
import { ConnectionManager, type ClusterModule, type ConnectionSettings } from './cluster/connection';
import type { AgentModule } from './agent/agentBundle';
import { lazyBundle } from './lazyBundle';
import type { MonitorScope } from './core/detect/incidentWatch';
import { registerConnectionCommands } from './ui/connectionCommands';
import { NimbusDocuments, SCHEME } from './ui/documents';
import { registerIncidentCommands } from './ui/incidentCommands';
import { IncidentHub } from './ui/incidentHub';
import { CriticalIncidentNotifier } from './ui/notifier';
import { LlmSettings } from './ui/llmSettings';
import { ManifestIndexService } from './ui/manifestIndexService';
import { ManifestInsights, registerInsightProviders } from './ui/manifestInsights';
import { registerIncidentsPanel } from './ui/incidentsPanel/incidentsPanelHost';
import { registerScalingPanel } from './ui/scalingPanel/scalingPanelHost';
import { PrometheusSettings } from './ui/prometheusSettings';
import type { PrometheusDemand } from './cluster/prometheusDemand';
import { ScalingPolicies } from './ui/scalingPolicies';
import { ConnectionStatusBar } from './ui/statusBar';
import { ActController } from './ui/act/actController';
import { ManifestMarker } from './ui/act/manifestMarker';
import { changeListSource, incidentProposalSource, registerActCommands } from './ui/act/actCommands';
import { ACT_SCHEME, PlanDocuments } from './ui/act/diffDocuments';
import { registerVerificationPanels } from './ui/verifyPanel/verifyPanelHost';
import { WorkloadTreeProvider, connectionContextKey } from './ui/workloadTree';

const config = () => vscode.workspace.getConfiguration('nimbusguard');

function readSettings(): ConnectionSettings {
  const namespaces = config()
    .get<string[]>('namespaces', [])
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  return {
    kubeconfig: config().get<string>('kubeconfig') || undefined,
    context: config().get<string>('context') || undefined,
    namespaces,
  };
}

const monitorScope = (): MonitorScope => (config().get<string>('monitor') === 'annotated' ? 'annotated' : 'all');

export function activate(context: vscode.ExtensionContext): void {
  // Activation stays cheap: the Kubernetes client (dist/cluster.js) is required on the first
  // connection, right after activation, and the agent (dist/agent.js) on the first incident.
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath;
  const manager = new ConnectionManager(readSettings, lazyBundle<ClusterModule>(dist, 'cluster.js'));
  const loadAgent = lazyBundle<AgentModule>(dist, 'agent.js');
  const checkpoints = vscode.Uri.joinPath(context.globalStorageUri, 'checkpoints');
  const llm = new LlmSettings(context.secrets, context.globalState, loadAgent);
  const prometheus = new PrometheusSettings(context.secrets);
  const hub = new IncidentHub(
    manager,
    monitorScope,
    async (agentContext, clusterContext) =>
      (await loadAgent()).createIncidentAgent({
        ...agentContext,
        checkpointDir: vscode.Uri.joinPath(checkpoints, Buffer.from(clusterContext).toString('base64url')).fsPath,
        allowTracing: config().get<boolean>('agent.allowTracing', false),
      }),
    () => llm.explainer(),
  );
  const manifests = new ManifestIndexService();
  const insights = new ManifestInsights(hub, manifests);
  const act = new ActController(manager, hub, vscode.Uri.joinPath(context.globalStorageUri, 'act').fsPath, loadAgent);
  const manifestMarker = new ManifestMarker(act, manifests);
  const plans = new PlanDocuments();
  const verification = registerVerificationPanels({ extensionUri: context.extensionUri, act, plans });
  const policies = new ScalingPolicies(manager);
  const tree = new WorkloadTreeProvider(manager, hub, monitorScope, act, policies);
  const view = vscode.window.createTreeView('nimbusguard.workloads', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new ConnectionStatusBar(manager, hub);
  const documents = new NimbusDocuments(manager);
  const notifier = new CriticalIncidentNotifier(() => config().get<boolean>('notifications.critical', true));

  const incidentsPanel = registerIncidentsPanel({
    extensionUri: context.extensionUri,
    manager,
    hub,
    proposals: () => incidentProposalSource(act, verification),
    changes: changeListSource(act),
  });

  let sessionListener: vscode.Disposable | undefined;
  const onConnectionChanged = () => {
    const state = manager.state;
    void vscode.commands.executeCommand('setContext', 'nimbusguard.connection', connectionContextKey(manager));
    view.message =
      state.kind === 'noKubeconfig' || state.kind === 'invalidKubeconfig'
        ? state.message
        : state.kind === 'ready' && state.session.state.phase === 'unreachable'
          ? `${state.context}: ${state.session.state.message}`
          : undefined;
    sessionListener?.dispose();
    sessionListener = manager.session?.onDidChange(() => tree.refresh());
    hub.sync();
    act.sync();
    statusBar.update();
    tree.refresh();
  };

  context.subscriptions.push(
    manager,
    hub,
    tree,
    view,
    statusBar,
    documents,
    llm,
    prometheus,
    ...prometheus.register(),
    policies,
    policies.onDidChange(() => tree.refresh()),
    manifests,
    insights,
    ...registerInsightProviders(insights),
    ...llm.register(),
    manifests.onDidChange(() => insights.schedule()),
    { dispose: () => sessionListener?.dispose() },
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    act,
    manifestMarker,
    plans,
    vscode.workspace.registerTextDocumentContentProvider(ACT_SCHEME, plans),
    act.onDidChange(() => tree.refresh()),
    ...verification.disposables,
    ...registerActCommands(act, verification),
    manager.onDidChange(onConnectionChanged),
    hub.onDidChange(({ opened }) => {
      notifier.notify(opened);
      insights.schedule();
      statusBar.update();
      tree.refresh();
    }),
    ...registerConnectionCommands(manager),
    ...registerIncidentCommands(hub, documents, manifests, incidentsPanel.show),
    ...incidentsPanel.disposables,
    ...registerScalingPanel({
      extensionUri: context.extensionUri,
      manager,
      prometheus: () => prometheus.value(),
      demand: prometheusDemand(manager),
      policyFor: (w) => policies.policyFor(w),
      verify: (proposal) => verification.open(proposal),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['kubeconfig', 'context', 'namespaces'].some((k) => e.affectsConfiguration(`nimbusguard.${k}`)))
        void manager.reload();
      if (e.affectsConfiguration('nimbusguard.monitor')) {
        hub.reevaluate();
        tree.refresh();
      }
    }),
  );
  onConnectionChanged();
  void manager.reload();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** One Prometheus reader for the window (it keeps each workload's series), built on first use. */
function prometheusDemand(manager: ConnectionManager): () => Promise<PrometheusDemand> {
  let reader: Promise<PrometheusDemand> | undefined;
  return () => (reader ??= manager.clusterModule().then((m) => new m.PrometheusDemand()));
}
