// Composition root: builds the services, registers views and commands, and nothing else.
import * as vscode from 'vscode';
import { ConnectionManager, ConnectionSettings } from './cluster/connection';
import type { MonitorScope } from './agent/incidentMonitor';
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
import { PrometheusDemand } from './cluster/prometheusDemand';
import { ScalingPolicies } from './ui/scalingPolicies';
import { ConnectionStatusBar } from './ui/statusBar';
import { ActController } from './ui/act/actController';
import { incidentProposalSource, registerActCommands } from './ui/act/actCommands';
import { ACT_SCHEME, PlanDocuments } from './ui/act/diffDocuments';
import { registerVerificationPanels } from './ui/verifyPanel/verifyPanelHost';
import { WorkloadTreeProvider, connectionContextKey } from './ui/workloadTree';

const config = () => vscode.workspace.getConfiguration('nimbusguard');

function readSettings(): ConnectionSettings {
  const namespaces = config().get<string[]>('namespaces', []).map((n) => n.trim()).filter((n) => n.length > 0);
  return { kubeconfig: config().get<string>('kubeconfig') || undefined, context: config().get<string>('context') || undefined, namespaces };
}

const monitorScope = (): MonitorScope => (config().get<string>('monitor') === 'annotated' ? 'annotated' : 'all');

export function activate(context: vscode.ExtensionContext): void {
  const manager = new ConnectionManager(readSettings);
  const checkpointDir = vscode.Uri.joinPath(context.globalStorageUri, 'checkpoints').fsPath;
  const llm = new LlmSettings(context.secrets, context.globalState);
  const prometheus = new PrometheusSettings(context.secrets);
  const hub = new IncidentHub(
    manager,
    monitorScope,
    async () => {
      const { createCheckpointer } = await import('./agent/runtime');
      return createCheckpointer(checkpointDir, config().get<boolean>('agent.allowTracing', false));
    },
    () => llm.explainer(),
  );
  const manifests = new ManifestIndexService();
  const insights = new ManifestInsights(hub, manifests);
  const act = new ActController(manager, hub, vscode.Uri.joinPath(context.globalStorageUri, 'act').fsPath);
  const plans = new PlanDocuments();
  const verification = registerVerificationPanels({ extensionUri: context.extensionUri, act, plans });
  const policies = new ScalingPolicies(manager);
  const tree = new WorkloadTreeProvider(manager, hub, monitorScope, act, policies);
  const view = vscode.window.createTreeView('nimbusguard.workloads', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new ConnectionStatusBar(manager, hub);
  const documents = new NimbusDocuments(manager);
  const notifier = new CriticalIncidentNotifier(() => config().get<boolean>('notifications.critical', true));

  const incidentsPanel = registerIncidentsPanel({ extensionUri: context.extensionUri, manager, hub, proposals: () => (act.service ? incidentProposalSource(act, verification) : undefined) });

  let sessionListener: vscode.Disposable | undefined;
  const onConnectionChanged = () => {
    const state = manager.state;
    void vscode.commands.executeCommand('setContext', 'nimbusguard.connection', connectionContextKey(manager));
    view.message = state.kind === 'noKubeconfig' || state.kind === 'invalidKubeconfig'
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
    ...registerScalingPanel({ extensionUri: context.extensionUri, manager, prometheus: () => prometheus.value(), demand: new PrometheusDemand(), policyFor: (w) => policies.policyFor(w) }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['kubeconfig', 'context', 'namespaces'].some((k) => e.affectsConfiguration(`nimbusguard.${k}`))) void manager.reload();
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
