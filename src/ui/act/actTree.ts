// The tree's act-loop rows: an "Applied changes" node under the context listing the ledger's changes
// of that context (status, outcome, Rollback), and the approvals still waiting for the developer.
import * as vscode from 'vscode';
import type { PendingApproval } from '../../agent/actService';
import { age } from '../../core/model/age';
import type { ChangeRecord } from '../../core/model/proposal';
import type { RateRow } from '../../core/learning/outcomeStats';
import { COMMANDS } from '../commandIds';
import type { ActController } from './actController';

export type ActTreeNode =
  | { type: 'changes' }
  | { type: 'change'; change: ChangeRecord; changeId: string }
  | { type: 'approval'; pending: PendingApproval }
  | { type: 'rates' }
  | { type: 'rate'; row: RateRow };

/** Shown under the context once there is something to show. */
export function actRoots(act: ActController | undefined): ActTreeNode[] {
  if (!act?.service) return [];
  return act.changes().length > 0 || act.pending.length > 0 ? [{ type: 'changes' }] : [];
}

export function actChildren(act: ActController | undefined, node: ActTreeNode): ActTreeNode[] {
  if (!act) return [];
  if (node.type === 'rates') return act.rates().map((row): ActTreeNode => ({ type: 'rate', row }));
  if (node.type !== 'changes') return [];
  const approvals = act.pending.map((pending): ActTreeNode => ({ type: 'approval', pending }));
  return [
    ...approvals,
    ...(act.rates().length > 0 ? [{ type: 'rates' } as const] : []),
    ...act.changes().map((change): ActTreeNode => ({ type: 'change', change, changeId: change.id })),
  ];
}

/** "memory × memory-limit: 75 % of 4 resolved", the words of the tree row and the CLI's history. */
export function rateLabel(row: RateRow): { label: string; description: string } {
  return {
    label: `${row.category} × ${row.fixKind}`,
    description: `${Math.round(row.rate * 100)} % of ${row.samples} resolved · mean reward ${row.meanReward.toFixed(2)}`,
  };
}

const STATUS_ICON: Record<ChangeRecord['status'], [string, string]> = {
  applied: ['check', 'testing.iconPassed'],
  pending: ['loading~spin', 'charts.blue'],
  failed: ['error', 'list.errorForeground'],
  'rolled-back': ['discard', 'descriptionForeground'],
};

export function actTreeItem(act: ActController | undefined, node: ActTreeNode): vscode.TreeItem {
  switch (node.type) {
    case 'changes': {
      const count = act?.changes().length ?? 0;
      const waiting = act?.pending.length ?? 0;
      const item = new vscode.TreeItem('Applied changes', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = 'act:changes';
      item.description = `${count} change${count === 1 ? '' : 's'}${waiting > 0 ? ` · ${waiting} waiting for approval` : ''}`;
      item.iconPath = new vscode.ThemeIcon('history');
      item.contextValue = 'nimbusguard.changes';
      return item;
    }
    case 'change': {
      const c = node.change;
      const t = c.plan.target;
      const item = new vscode.TreeItem(c.proposal.summary, vscode.TreeItemCollapsibleState.None);
      item.id = `act:change:${c.id}`;
      item.description = `${c.status}${c.outcome ? ` · ${c.outcome.result}` : ''}${c.manifest === 'cluster-only' ? ' · cluster only' : ''} · ${t.kind}/${t.name} · ${age(c.at, new Date())}`;
      const [icon, color] = STATUS_ICON[c.status];
      item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
      item.tooltip = new vscode.MarkdownString().appendText(
        `${c.id} · ${c.status} by ${c.who} at ${c.at}\n${t.kind} ${t.namespace}/${t.name} in ${c.context}\n${c.outcome ? `outcome: ${c.outcome.result} — ${c.outcome.detail}\n` : ''}` +
          `${c.rolledBackBy ? `rolled back by ${c.rolledBackBy}\n` : ''}${c.rollbackOf ? `restores ${c.rollbackOf}\n` : ''}${c.manifest === 'cluster-only' ? 'cluster only: the manifest does not hold this change yet\n' : ''}`,
      );
      item.contextValue = c.status === 'applied' ? 'nimbusguard.change.applied' : 'nimbusguard.change';
      item.accessibilityInformation = {
        label: `Change ${c.proposal.summary}, ${c.status}${c.outcome ? `, outcome ${c.outcome.result}` : ''}`,
      };
      return item;
    }
    case 'rates': {
      const item = new vscode.TreeItem('Success rates', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = 'act:rates';
      item.description = 'cause × fix kind, from judged outcomes';
      item.iconPath = new vscode.ThemeIcon('graph');
      item.tooltip =
        'Each judged outcome is a reward: resolved 1, unresolved 0, regressed −1 (inconclusive ones and rollbacks do not count). Proposals are ranked with these rates.';
      return item;
    }
    case 'rate': {
      const { label, description } = rateLabel(node.row);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.id = `act:rate:${label}`;
      item.description = description;
      item.iconPath = new vscode.ThemeIcon(
        node.row.rate >= 0.5 ? 'pass' : 'warning',
        new vscode.ThemeColor(node.row.rate >= 0.5 ? 'testing.iconPassed' : 'list.warningForeground'),
      );
      item.accessibilityInformation = { label: `${label}: ${description}` };
      return item;
    }
    case 'approval': {
      const p = node.pending;
      const item = new vscode.TreeItem(p.proposal.summary, vscode.TreeItemCollapsibleState.None);
      item.id = `act:approval:${p.threadId}`;
      item.description =
        p.state === 'awaiting-approval'
          ? `waiting for approval · ${p.verdict?.result ?? ''}`
          : 'verification interrupted';
      item.iconPath = new vscode.ThemeIcon(
        p.state === 'awaiting-approval' ? 'question' : 'debug-pause',
        new vscode.ThemeColor('charts.yellow'),
      );
      item.contextValue = 'nimbusguard.approval';
      item.command = { command: COMMANDS.showApproval, title: 'Open Verification', arguments: [p.proposal.id] };
      return item;
    }
  }
}
