// The "Workloads" tree: context → namespaces → workloads with ready/desired and a health icon,
// each with its open incidents as children. It pulls from the snapshot and the incident monitor
// whenever either says something changed.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import { MONITOR_ANNOTATION, type MonitorScope } from '../core/detect/incidentWatch';
import type { Incident } from '../core/model/incident';
import type { ObjectRef } from '../core/model/resources';
import { SEVERITY_STYLE } from '../core/model/severity';
import { refKey, sameRef } from '../core/model/objectRef';
import { Health, Workload, isWorkloadKind, readyText, workloadHealth } from '../core/model/workload';
import { age } from '../core/model/age';
import { IncidentHub } from './incidentHub';
import { COMMANDS } from './commandIds';
import { incidentTooltip } from './incidentMarkdown';
import type { ActController } from './act/actController';
import { actChildren, actRoots, actTreeItem, type ActTreeNode } from './act/actTree';

export type TreeNode =
  | { type: 'context'; name: string; server: string; detail: string }
  | { type: 'nodes' }
  | { type: 'clusterObjects' }
  | { type: 'namespace'; name: string }
  | { type: 'workload'; workload: Workload }
  | { type: 'object'; ref: ObjectRef }
  | { type: 'incident'; incident: Incident }
  | { type: 'note'; text: string; tooltip?: string }
  | ActTreeNode;

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

/** Incidents on cluster-scoped objects other than nodes (a PersistentVolume, a GatewayClass, a webhook configuration). */
const isClusterObject = (i: Incident) => !i.workload.namespace && i.workload.kind !== 'Node';

export class WorkloadTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly hub: IncidentHub,
    private readonly scope: () => MonitorScope,
    private readonly act?: ActController,
    /** Scaling policy custom resources: which one governs a workload, and malformed ones. */
    private readonly policies?: { treeLabel(w: Workload): string | undefined; problems(): string[] },
  ) {}

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

  private monitored(w: Workload): boolean {
    return this.scope() === 'all' || w.annotations[MONITOR_ANNOTATION] === 'true';
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const state = this.manager.state;
    if (state.kind !== 'ready') return [];
    const session = state.session;
    const snapshot = session.snapshot;
    const incidents = this.hub.open();
    if (!node) {
      if (session.state.phase !== 'connected') return [];
      return [{ type: 'context', name: state.context, server: session.server, detail: session.state.serverVersion }];
    }
    switch (node.type) {
      case 'context': {
        const out: TreeNode[] = [];
        if (incidents.some((i) => i.workload.kind === 'Node')) out.push({ type: 'nodes' });
        if (incidents.some(isClusterObject)) out.push({ type: 'clusterObjects' });
        // The first paint: once every workload kind has listed, before Pods, Events and the rest
        // have (the rows need only the workload objects; their incidents follow).
        const listed = session.workloadsListed;
        const namespaces = new Set(
          listed ? snapshot.namespaces().filter((ns) => snapshot.workloadsIn(ns).some((w) => this.monitored(w))) : [],
        );
        for (const i of incidents) if (i.workload.namespace) namespaces.add(i.workload.namespace);
        out.push(...[...namespaces].sort().map((name): TreeNode => ({ type: 'namespace', name })));
        const notes = session
          .notes()
          .map((text): TreeNode => ({ type: 'note', text: `Skipped: ${text.split(':')[0]}`, tooltip: text }));
        for (const problem of this.policies?.problems() ?? [])
          notes.push({
            type: 'note',
            text: `Scaling policy ignored: ${problem.split(' is ignored')[0]}`,
            tooltip: problem,
          });
        if (!listed) notes.push({ type: 'note', text: 'Loading workloads…' });
        else if (namespaces.size === 0)
          notes.push({ type: 'note', text: 'No monitored workloads in the watched namespaces' });
        return [...out, ...actRoots(this.act), ...notes];
      }
      case 'nodes': {
        const seen = new Map<string, ObjectRef>();
        for (const i of incidents) if (i.workload.kind === 'Node') seen.set(i.workload.name, i.workload);
        return [...seen.values()].map((ref) => ({ type: 'object', ref }));
      }
      case 'clusterObjects': {
        const seen = new Map<string, ObjectRef>();
        for (const i of incidents) if (isClusterObject(i)) seen.set(refKey(i.workload), i.workload);
        return [...seen.values()].map((ref) => ({ type: 'object', ref }));
      }
      case 'namespace': {
        const workloads: TreeNode[] = snapshot
          .workloadsIn(node.name)
          .filter((w) => this.monitored(w))
          .map((workload) => ({ type: 'workload', workload }));
        const others = new Map<string, ObjectRef>();
        for (const i of incidents) {
          if (i.workload.namespace !== node.name || isWorkloadKind(i.workload.kind)) continue;
          others.set(refKey(i.workload), i.workload);
        }
        return [...workloads, ...[...others.values()].map((ref): TreeNode => ({ type: 'object', ref }))];
      }
      case 'workload':
        return incidents
          .filter((i) => sameRef(i.workload, node.workload))
          .map((incident) => ({ type: 'incident', incident }));
      case 'object':
        return incidents
          .filter((i) => sameRef(i.workload, node.ref))
          .map((incident) => ({ type: 'incident', incident }));
      case 'changes':
      case 'rates':
        return actChildren(this.act, node);
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const incidents = this.hub.open();
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
      case 'nodes': {
        const item = new vscode.TreeItem('Nodes', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'nodes';
        item.iconPath = new vscode.ThemeIcon('server', new vscode.ThemeColor('list.errorForeground'));
        return item;
      }
      case 'clusterObjects': {
        const item = new vscode.TreeItem('Cluster objects', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'clusterObjects';
        item.tooltip =
          'Cluster-scoped objects with open incidents (PersistentVolumes, GatewayClasses, webhook configurations)';
        item.iconPath = new vscode.ThemeIcon('globe', new vscode.ThemeColor('list.warningForeground'));
        return item;
      }
      case 'namespace': {
        const workloads = this.manager.session?.snapshot.workloadsIn(node.name).filter((w) => this.monitored(w)) ?? [];
        const worst = workloads
          .map(workloadHealth)
          .reduce<Health>((w, h) => (HEALTH_RANK[h] > HEALTH_RANK[w] ? h : w), 'healthy');
        const open = incidents.filter((i) => i.workload.namespace === node.name).length;
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `namespace:${node.name}`;
        item.description = `${workloads.length} workload${workloads.length === 1 ? '' : 's'}${open > 0 ? ` · ${open} incident${open === 1 ? '' : 's'}` : ''}`;
        item.iconPath =
          worst === 'healthy' && open === 0
            ? new vscode.ThemeIcon('symbol-namespace')
            : healthIcon(worst === 'healthy' ? 'degraded' : worst);
        item.contextValue = 'nimbusguard.namespace';
        return item;
      }
      case 'workload': {
        const w = node.workload;
        const health = workloadHealth(w);
        const open = incidents.filter((i) => sameRef(i.workload, w));
        const item = new vscode.TreeItem(
          w.name,
          open.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `workload:${refKey(w)}`;
        const policy = this.policies?.treeLabel(w);
        item.description = `${readyText(w)} · ${w.kind}${policy ? ` · ${policy}` : ''}`;
        item.iconPath = healthIcon(
          open.some((i) => i.severity === 'critical')
            ? 'failing'
            : open.length > 0 && health === 'healthy'
              ? 'degraded'
              : health,
        );
        item.tooltip = workloadTooltip(w, health);
        item.contextValue = 'nimbusguard.workload';
        item.accessibilityInformation = {
          label: `${w.kind} ${w.name}, ${w.ready} of ${w.desired} ready, ${health}, ${open.length} incidents`,
        };
        return item;
      }
      case 'object': {
        const item = new vscode.TreeItem(node.ref.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `object:${refKey(node.ref)}`;
        item.description = node.ref.kind;
        const open = incidents.filter((i) => sameRef(i.workload, node.ref));
        const critical = open.some((i) => i.severity === 'critical');
        item.iconPath = new vscode.ThemeIcon(
          'symbol-object',
          new vscode.ThemeColor(critical ? 'list.errorForeground' : 'list.warningForeground'),
        );
        item.tooltip = `${node.ref.kind} ${node.ref.namespace ? `${node.ref.namespace}/` : ''}${node.ref.name} — ${open.length} open incident${open.length === 1 ? '' : 's'}`;
        item.contextValue = 'nimbusguard.object';
        return item;
      }
      case 'incident': {
        const i = node.incident;
        const item = new vscode.TreeItem(i.type, vscode.TreeItemCollapsibleState.None);
        item.id = `incident:${i.id}`;
        item.description = `${age(i.firstSeen, new Date())} · ${i.summary}`;
        const style = SEVERITY_STYLE[i.severity];
        item.iconPath = new vscode.ThemeIcon(style.icon, new vscode.ThemeColor(style.color));
        // Plain text: cluster and log text shown as it is, with no Markdown to escape.
        item.tooltip = incidentTooltip(i, this.hub.current?.knownRootCause(i.id));
        item.contextValue = 'nimbusguard.incident';
        item.command = { command: COMMANDS.showEvidence, title: 'Show Evidence', arguments: [node] };
        return item;
      }
      case 'note': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        if (node.tooltip) item.tooltip = node.tooltip;
        return item;
      }
      default:
        return actTreeItem(this.act, node);
    }
  }
}

function healthIcon(health: Health): vscode.ThemeIcon {
  const [icon, color] = HEALTH_ICONS[health];
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

function workloadTooltip(w: Workload, health: Health): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`${w.kind} ${w.namespace}/${w.name} — ${health}\n`);
  md.appendText(`Ready ${w.ready}/${w.desired} · up-to-date ${w.updated} · available ${w.available}\n`);
  for (const c of w.conditions)
    md.appendText(`${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}\n`);
  return md;
}
