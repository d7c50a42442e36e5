// Commands that choose what NimbusGuard connects to: switch context, pick a kubeconfig, refresh.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import { noIcons } from './incidentMarkdown';
import { COMMANDS } from './commandIds';

export function registerConnectionCommands(manager: ConnectionManager): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.switchContext, async () => {
      const contexts = manager.contexts();
      if (contexts.length === 0) {
        const state = manager.state;
        const reason =
          state.kind === 'noKubeconfig' || state.kind === 'invalidKubeconfig'
            ? state.message
            : 'No contexts are defined.';
        const pick = await vscode.window.showWarningMessage(`NimbusGuard: ${reason}`, 'Pick Kubeconfig File…');
        if (pick) await vscode.commands.executeCommand(COMMANDS.pickKubeconfig);
        return;
      }
      const active = manager.state.kind === 'ready' ? manager.state.context : '';
      const picked = await vscode.window.showQuickPick(
        contexts.map((c) => ({
          label: noIcons(c.name),
          name: c.name,
          description: c.name === active ? 'current' : '',
          detail: noIcons(`cluster ${c.cluster}${c.namespace ? ` · namespace ${c.namespace}` : ''}`),
        })),
        { title: 'NimbusGuard: Switch Context', placeHolder: 'Context to watch' },
      );
      if (picked) await manager.switchContext(picked.name);
    }),
    vscode.commands.registerCommand(COMMANDS.pickKubeconfig, async () => {
      const files = await vscode.window.showOpenDialog({
        title: 'Kubeconfig file for NimbusGuard',
        canSelectMany: false,
        openLabel: 'Use this kubeconfig',
      });
      if (!files?.[0]) return;
      await vscode.workspace
        .getConfiguration('nimbusguard')
        .update('kubeconfig', files[0].fsPath, vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand(COMMANDS.refresh, () => manager.reload(true)),
  ];
}
