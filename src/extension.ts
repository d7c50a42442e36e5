// Composition root: builds the services, registers views and commands, and nothing else.
import * as vscode from 'vscode';
import { ConnectionManager, ConnectionSettings } from './cluster/connection';
import { registerConnectionCommands } from './ui/connectionCommands';
import { ConnectionStatusBar } from './ui/statusBar';
import { WorkloadTreeProvider, connectionContextKey } from './ui/workloadTree';

function readSettings(): ConnectionSettings {
  const config = vscode.workspace.getConfiguration('nimbusguard');
  const namespaces = config.get<string[]>('namespaces', []).map((n) => n.trim()).filter((n) => n.length > 0);
  return { kubeconfig: config.get<string>('kubeconfig') || undefined, namespaces };
}

export function activate(context: vscode.ExtensionContext): void {
  const manager = new ConnectionManager(readSettings);
  const tree = new WorkloadTreeProvider(manager);
  const view = vscode.window.createTreeView('nimbusguard.workloads', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new ConnectionStatusBar(manager);

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
    statusBar.update();
    tree.refresh();
  };

  context.subscriptions.push(
    manager,
    tree,
    view,
    statusBar,
    { dispose: () => sessionListener?.dispose() },
    manager.onDidChange(onConnectionChanged),
    ...registerConnectionCommands(manager),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nimbusguard.kubeconfig') || e.affectsConfiguration('nimbusguard.namespaces')) void manager.reload();
    }),
  );
  onConnectionChanged();
  void manager.reload();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
