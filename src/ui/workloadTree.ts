// The "Workloads" tree: context → namespaces → workloads with ready/desired and a health icon.
// It pulls from the connection's snapshot whenever the connection says something changed.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import { Health, Workload, readyText, workloadHealth } from '../core/model/workload';

export type TreeNode =
  | { type: 'context'; name: string; server: string; detail: string }
  | { type: 'namespace'; name: string }
  | { type: 'workload'; workload: Workload }
  | { type: 'note'; text: string; tooltip?: string };

const HEALTH_ICONS: Record<Health, [string, string]> = {
  healthy: ['pass-filled', 'testing.iconPassed'],
  progressing: ['sync', 'charts.blue'],
  degraded: ['warning', 'list.warningForeground'],
  failing: ['error', 'list.errorForeground'],
};

const HEALTH_RANK: Record<Health, number> = { healthy: 0, progressing: 1, degraded: 2, failing: 3 };

export function connectionContextKey(manager: ConnectionManager): string {
  const state = manager.state;
  if (state.kind !== 'ready') return state.kind;
  return state.session.state.phase;
}

export class WorkloadTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly manager: ConnectionManager) {}

  /** Coalesces bursts of watch events into one repaint. */
  refresh(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.emitter.fire(undefined);
    }, 100);
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.emitter.dispose();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const state = this.manager.state;
    if (state.kind !== 'ready') return [];
    const session = state.session;
    if (!node) {
      if (session.state.phase !== 'connected') return [];
      const version = session.state.serverVersion;
      return [{ type: 'context', name: state.context, server: session.server, detail: version }];
    }
    if (node.type === 'context') {
      const notes: TreeNode[] = session.notes().map((text) => ({ type: 'note', text: 'Skipped: ' + text.split(':')[0], tooltip: text }));
      const namespaces: TreeNode[] = session.snapshot.namespaces().map((name) => ({ type: 'namespace', name }));
      if (namespaces.length === 0) {
        notes.push({ type: 'note', text: session.synced ? 'No workloads in the watched namespaces' : 'Loading workloads…' });
      }
      return [...namespaces, ...notes];
    }
    if (node.type === 'namespace') {
      return session.snapshot.workloadsIn(node.name).map((workload) => ({ type: 'workload', workload }));
    }
    return [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'context': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `context:${node.name}`;
        item.description = node.detail;
        item.tooltip = `${node.name}\n${node.server}\nKubernetes ${node.detail}`;
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'nimbusguard.context';
        return item;
      }
      case 'namespace': {
        const workloads = this.manager.session?.snapshot.workloadsIn(node.name) ?? [];
        const worst = workloads.map(workloadHealth).reduce<Health>((w, h) => (HEALTH_RANK[h] > HEALTH_RANK[w] ? h : w), 'healthy');
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `namespace:${node.name}`;
        const unhealthy = workloads.filter((w) => workloadHealth(w) !== 'healthy').length;
        item.description = unhealthy > 0 ? `${workloads.length} workloads, ${unhealthy} unhealthy` : `${workloads.length} workloads`;
        item.iconPath = worst === 'healthy' ? new vscode.ThemeIcon('symbol-namespace') : healthIcon(worst);
        item.contextValue = 'nimbusguard.namespace';
        return item;
      }
      case 'workload': {
        const w = node.workload;
        const health = workloadHealth(w);
        const item = new vscode.TreeItem(w.name, vscode.TreeItemCollapsibleState.None);
        item.id = `workload:${w.kind}/${w.namespace}/${w.name}`;
        item.description = `${readyText(w)} · ${w.kind}`;
        item.iconPath = healthIcon(health);
        item.tooltip = workloadTooltip(w, health);
        item.contextValue = `nimbusguard.workload.${w.kind}`;
        item.accessibilityInformation = { label: `${w.kind} ${w.name}, ${w.ready} of ${w.desired} ready, ${health}` };
        return item;
      }
      case 'note': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        if (node.tooltip) item.tooltip = node.tooltip;
        return item;
      }
    }
  }
}

function healthIcon(health: Health): vscode.ThemeIcon {
  const [icon, color] = HEALTH_ICONS[health];
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

function workloadTooltip(w: Workload, health: Health): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${w.kind}** \`${w.namespace}/${w.name}\` — ${health}\n\n`);
  md.appendMarkdown(`Ready ${w.ready}/${w.desired} · up-to-date ${w.updated} · available ${w.available}\n\n`);
  for (const c of w.conditions) {
    md.appendText(`${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}\n`);
  }
  return md;
}
