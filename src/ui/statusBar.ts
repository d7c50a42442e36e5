// Status bar: the context NimbusGuard watches and whether it is reachable. Click to switch context.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';

export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('nimbusguard.context', vscode.StatusBarAlignment.Left, 10);

  constructor(private readonly manager: ConnectionManager) {
    this.item.name = 'NimbusGuard Context';
    this.item.command = 'nimbusguard.switchContext';
    this.update();
    this.item.show();
  }

  update(): void {
    const state = this.manager.state;
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'loading':
        this.item.text = '$(loading~spin) NimbusGuard';
        this.item.tooltip = 'Reading kubeconfig…';
        return;
      case 'noKubeconfig':
      case 'invalidKubeconfig':
        this.item.text = '$(cloud) NimbusGuard: no context';
        this.item.tooltip = state.message;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        return;
      case 'ready': {
        const s = state.session.state;
        const icon = s.phase === 'connected' ? '$(cloud)' : s.phase === 'connecting' ? '$(loading~spin)' : '$(debug-disconnect)';
        this.item.text = `${icon} ${state.context}`;
        this.item.tooltip = s.phase === 'unreachable' ? `${state.context}: ${s.message}` : `${state.context} — ${state.session.server}\nClick to switch context`;
        if (s.phase === 'unreachable') this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      }
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
