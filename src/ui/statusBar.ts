// Status bar: the context NimbusGuard watches, whether it is reachable, and how many incidents are
// open. Click for the Incidents panel.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import { IncidentHub } from './incidentHub';
import { noIcons } from './incidentMarkdown';
import { COMMANDS } from './commandIds';

export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('nimbusguard.context', vscode.StatusBarAlignment.Left, 10);

  constructor(
    private readonly manager: ConnectionManager,
    private readonly hub: IncidentHub,
  ) {
    this.item.name = 'NimbusGuard';
    this.item.command = COMMANDS.showIncidentsPanel;
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
        if (s.phase !== 'connected') {
          this.item.text = `${s.phase === 'connecting' ? '$(loading~spin)' : '$(debug-disconnect)'} ${noIcons(state.context)}`;
          this.item.tooltip =
            s.phase === 'unreachable' ? `${state.context}: ${s.message}` : `Connecting to ${state.context}…`;
          if (s.phase === 'unreachable')
            this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
          return;
        }
        const open = this.hub.open();
        const critical = open.filter((i) => i.severity === 'critical').length;
        const name = noIcons(state.context);
        this.item.text =
          open.length === 0
            ? `$(cloud) ${name}`
            : `$(cloud) ${name} $(${critical > 0 ? 'error' : 'warning'}) ${open.length}`;
        this.item.tooltip = `${state.context} — ${state.session.server}\n${open.length} open incident${open.length === 1 ? '' : 's'}${critical ? ` (${critical} critical)` : ''}\nClick for the Incidents panel`;
        if (critical > 0) this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      }
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
