// The act loop's commands: "Apply Fix…" (CodeLens, quick fix, tree, palette, Incidents panel) opens
// the Verification panel of a proposal; "Roll Back Change…" (tree, panel, palette) prepares the
// restore of a recorded change — showing the three versions when its fields drifted — and opens the
// same panel, so a rollback goes through the same dry-run and confirmation.
import * as vscode from 'vscode';
import type { Incident } from '../../core/model/incident';
import type { ChangeRecord, Proposal } from '../../core/model/proposal';
import { COMMANDS } from '../commandIds';
import { noIcons } from '../incidentMarkdown';
import type { ChangeListSource, ProposalSource } from '../incidentsPanel/incidentsPanelHost';
import type { VerificationPanels } from '../verifyPanel/verifyPanelHost';
import type { ActController } from './actController';

/** What "Apply Fix…" may be called with: an incident id, a tree node, or {incidentId, fix summary}. */
export function applyFixTarget(arg: unknown): { incidentId?: string; fix?: string } {
  if (typeof arg === 'string') return { incidentId: arg };
  if (typeof arg !== 'object' || arg === null) return {};
  const a = arg as Record<string, unknown>;
  if (a['type'] === 'incident' && typeof a['incident'] === 'object' && a['incident'] !== null)
    return { incidentId: String((a['incident'] as Incident).id) };
  return {
    ...(typeof a['incidentId'] === 'string' ? { incidentId: a['incidentId'] } : {}),
    ...(typeof a['fix'] === 'string' ? { fix: a['fix'] } : {}),
  };
}

/** The proposals that answer an incident, best first. */
export function proposalsOf(act: ActController, incident: Incident): Proposal[] {
  const service = act.service;
  if (!service) return [];
  const list = service.proposalsFor(incident.workload, { type: incident.type });
  const answering = list.proposals.filter((p) => p.incidents.includes(incident.id));
  return answering.length > 0 ? answering : list.proposals;
}

/** What the Incidents panel's detail offers for an incident: its proposals, verified in their own panel. */
export function incidentProposalSource(act: ActController, panels: VerificationPanels): ProposalSource {
  return {
    proposalsFor: (incident) =>
      proposalsOf(act, incident).map((p) => ({
        proposalId: p.id,
        planHash: p.id,
        summary: p.successRate
          ? `${p.summary} (resolved ${Math.round(p.successRate.rate * 100)} % of ${p.successRate.samples} times before)`
          : p.summary,
      })),
    verify: async (incident, action) => {
      const proposal = proposalsOf(act, incident).find((p) => p.id === action.proposalId);
      if (proposal) panels.open(proposal);
      else void vscode.window.showInformationMessage('NimbusGuard: this proposal is no longer offered.');
    },
    onDidChange: act.onDidChange,
  };
}

/** The Incidents panel's Applied changes tab: the ledger of the context; Rollback runs the command. */
export function changeListSource(act: ActController): ChangeListSource {
  return {
    rows: () =>
      act.changes().map((c) => ({
        id: c.id,
        summary: c.proposal.summary,
        target: `${c.plan.target.kind} ${c.plan.target.namespace}/${c.plan.target.name}`,
        status: c.status,
        ...(c.outcome ? { outcome: c.outcome.result } : {}),
        at: c.at,
        canRollback: c.status === 'applied',
      })),
    rollback: (changeId) => void vscode.commands.executeCommand(COMMANDS.rollbackChange, changeId),
    onDidChange: act.onDidChange,
  };
}

export function changeLabel(c: ChangeRecord): string {
  const t = c.plan.target;
  const outcome = c.outcome ? ` · ${c.outcome.result}` : '';
  return `${c.status}${outcome} · ${t.kind} ${t.namespace}/${t.name}`;
}

export function registerActCommands(act: ActController, panels: VerificationPanels): vscode.Disposable[] {
  const notConnected = () =>
    void vscode.window.showWarningMessage(
      'NimbusGuard: connect to a cluster first (the act loop works on the connected context).',
    );

  const applyFix = async (arg?: unknown) => {
    if (!act.service) return notConnected();
    const want = applyFixTarget(arg);
    const open = act.openIncidents();
    let incident = want.incidentId ? open.find((i) => i.id === want.incidentId) : undefined;
    if (want.incidentId && !incident)
      return void vscode.window.showInformationMessage('NimbusGuard: this incident is no longer open.');
    if (!incident) {
      const withProposals = open.filter((i) => proposalsOf(act, i).length > 0);
      if (withProposals.length === 0)
        return void vscode.window.showInformationMessage(
          'NimbusGuard: no open incident has a fix that can be applied to the cluster.',
        );
      const picked = await vscode.window.showQuickPick(
        withProposals.map((i) => ({
          label: `${i.type}: ${noIcons(i.workload.name)}`,
          description: noIcons(`${i.workload.kind} ${i.workload.namespace ?? ''}`),
          detail: noIcons(i.summary),
          incident: i,
        })),
        { title: 'NimbusGuard: Apply Fix — which incident?' },
      );
      incident = picked?.incident;
      if (!incident) return;
    }
    const proposals = proposalsOf(act, incident);
    if (proposals.length === 0)
      return void vscode.window.showInformationMessage(
        `NimbusGuard: ${incident.type} on ${incident.workload.name} has only advice, no change that can be applied to the cluster.`,
      );
    let proposal = want.fix ? proposals.find((p) => p.summary === want.fix) : undefined;
    if (!proposal && proposals.length === 1) proposal = proposals[0];
    if (!proposal) {
      const picked = await vscode.window.showQuickPick(
        proposals.map((p, index) => ({
          label: noIcons(p.summary),
          description: `risk ${p.risk}${index === 0 ? ' · best ranked' : ''}${p.successRate ? ` · resolved ${Math.round(p.successRate.rate * 100)} % of ${p.successRate.samples} before` : ''}`,
          detail: `${p.target.kind} ${p.target.namespace}/${p.target.name} · ${noIcons(p.riskReason)}`,
          proposal: p,
        })),
        { title: `NimbusGuard: Apply Fix — ${incident.type} on ${incident.workload.name}` },
      );
      proposal = picked?.proposal;
      if (!proposal) return;
    }
    panels.open(proposal);
  };

  const rollbackChange = async (arg?: unknown) => {
    const service = act.service;
    if (!service) return notConnected();
    let changeId =
      typeof arg === 'string'
        ? arg
        : typeof arg === 'object' && arg !== null && typeof (arg as { changeId?: unknown }).changeId === 'string'
          ? (arg as { changeId: string }).changeId
          : undefined;
    if (!changeId) {
      const applied = act.changes().filter((c) => c.status === 'applied');
      if (applied.length === 0)
        return void vscode.window.showInformationMessage(
          'NimbusGuard: no applied change to roll back in this context.',
        );
      const picked = await vscode.window.showQuickPick(
        applied.map((c) => ({
          label: noIcons(c.proposal.summary),
          description: c.id,
          detail: `${changeLabel(c)} · ${new Date(c.at).toLocaleString()}`,
          id: c.id,
        })),
        { title: 'NimbusGuard: Roll Back Change' },
      );
      changeId = picked?.id;
      if (!changeId) return;
    }
    let prepared = await service.prepareRollback(changeId);
    if (!prepared.ok && prepared.reason === 'drift' && prepared.drift) {
      const lines = prepared.drift.map(
        (d) =>
          `${d.path}\n  before: ${show(d.before)}\n  NimbusGuard set: ${show(d.after)}\n  live now: ${show(d.live)}`,
      );
      const choice = await vscode.window.showWarningMessage(
        `The fields of ${changeId} changed since NimbusGuard set them.`,
        {
          modal: true,
          detail: `${lines.join('\n\n')}\n\nRestore the before-image over the live values, or keep the live values?`,
        },
        'Restore Before-Image',
        'Keep Live Values',
      );
      if (choice !== 'Restore Before-Image') return;
      prepared = await service.prepareRollback(changeId, { force: true });
    } else if (!prepared.ok && prepared.reason === 'not-newest') {
      const choice = await vscode.window.showWarningMessage(
        `NimbusGuard: ${prepared.message}`,
        { modal: true },
        'Roll Back Anyway',
      );
      if (choice !== 'Roll Back Anyway') return;
      prepared = await service.prepareRollback(changeId, { force: true });
    }
    if (!prepared.ok)
      return void vscode.window.showWarningMessage(`NimbusGuard: cannot roll back ${changeId}: ${prepared.message}`);
    panels.open(prepared.proposal, { ...prepared, changeId });
  };

  return [
    vscode.commands.registerCommand(COMMANDS.applyFix, applyFix),
    vscode.commands.registerCommand(COMMANDS.rollbackChange, rollbackChange),
    vscode.commands.registerCommand(COMMANDS.showApproval, (proposalId?: unknown) => {
      const pending = act.pending.find((p) => p.proposal.id === proposalId);
      if (pending)
        panels.openPending(
          pending.proposal.id,
          pending.proposal.change.kind === 'restore' ? pending.proposal.change.changeId : undefined,
        );
    }),
  ];
}

function show(field: unknown): string {
  const f = field as { present?: boolean; value?: unknown } | undefined;
  if (!f) return 'unknown';
  if (!f.present) return 'absent';
  return noIcons(typeof f.value === 'string' ? f.value : JSON.stringify(f.value));
}
