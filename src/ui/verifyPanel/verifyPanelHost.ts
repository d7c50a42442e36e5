// The Verification panel host: one panel per proposal being verified. It runs the verification
// through the ActService (checks stream in as they run), keeps the verdict, and on Apply re-validates
// the request, asks for the modal confirmation, holds the write 5 s behind a Cancel notification, and
// resumes the paused thread. While the shadow check runs, its pod's timeline streams in with the
// progress events. After a reload it never restarts a verification by itself.
import * as vscode from 'vscode';
import type { RollbackPreparation } from '../../agent/actService';
import type { ConfirmationNeeds } from '../../core/change/confirmation';
import type { ChangeRecord, CheckName, Proposal, Verdict } from '../../core/model/proposal';
import { COMMANDS } from '../commandIds';
import type { ActController } from '../act/actController';
import { confirmWrite, holdWrite } from '../act/approval';
import type { PlanDocuments } from '../act/diffDocuments';
import { dispatch, on } from '../webview/ipc';
import { escapeHtml, panelHtml } from '../webview/webviewHtml';
import { pageAssets, PanelRegistry, type PanelController, type PanelKind } from '../webview/panelRegistry';
import {
  ApplyMessage,
  CloseMessage,
  MissingMessage,
  OpenDiffMessage,
  ReadyMessage,
  RejectMessage,
  ReverifyMessage,
  RollbackMessage,
  savedVerifyState,
  StateMessage,
  type CheckView,
  type VerifyPhase,
  type VerifySavedState,
} from './protocol';
import { buildVerifyState, withProgress } from './verifyState';
import { askShadow } from './shadowPrompt';
import { refKey } from '../../core/model/objectRef';

const VIEW_TYPE = 'nimbusguard.verify';
/** A verdict older than this is verified again before it is applied. */
const VERDICT_TTL_MS = 10 * 60_000;
/** How long the evaluate step follows the rollout and the outcome after the write is accepted. */
const OUTCOME_WAIT_S = 120;

export interface VerifyPanelDeps {
  extensionUri: vscode.Uri;
  act: ActController;
  plans: PlanDocuments;
}

/** Proposals handed over by the commands (and rollback preparations), looked up by id when a panel attaches. */
const handed = new Map<
  string,
  { proposal: Proposal; rollback?: Extract<RollbackPreparation, { ok: true }> & { changeId: string } }
>();

class VerifyPanel implements PanelController {
  private readonly disposables: vscode.Disposable[] = [];
  private proposal: Proposal | undefined;
  private rollback: { changeId: string; restoreTemplate?: Record<string, unknown> } | undefined;
  private phase: VerifyPhase = 'ready';
  private checks = new Map<CheckName, CheckView>();
  private verdict: Verdict | undefined;
  private needs: ConfirmationNeeds | undefined;
  private changeId: string | undefined;
  private message: string | undefined;
  private disposed = false;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly ref: VerifySavedState,
    restored: boolean,
    private readonly deps: VerifyPanelDeps,
  ) {
    const assets = pageAssets(panel.webview, deps.extensionUri, 'verify');
    panel.webview.html = panelHtml({
      ...assets,
      title: 'Verification',
      body: `<main id="app" aria-live="polite"><p>${escapeHtml('Loading…')}</p></main>`,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      deps.act.onDidChange(() => this.post()),
    );
    const given = handed.get(ref.proposalId);
    handed.delete(ref.proposalId);
    this.changeId = ref.changeId;
    if (given) {
      this.proposal = given.proposal;
      if (given.rollback)
        this.rollback = {
          changeId: given.rollback.changeId,
          ...(given.rollback.restoreTemplate ? { restoreTemplate: given.rollback.restoreTemplate } : {}),
        };
    }
    if (!restored && this.proposal) void this.verify();
    else void this.restore();
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  /** After a reload: the pending approval, the change it became, or "verification interrupted". */
  private async restore(): Promise<void> {
    const service = this.deps.act.service;
    if (!service) {
      // After a reload the panel comes back before the connection: it waits for the act loop.
      this.message = 'Waiting for the connection to the cluster this proposal was verified on…';
      this.post();
      const wait = this.deps.act.onDidChange(() => {
        if (!this.deps.act.service) return;
        wait.dispose();
        void this.restore();
      });
      this.disposables.push(wait);
      return;
    }
    const pending = (await service.pending()).find((p) => p.proposal.id === this.ref.proposalId);
    const change = this.changeId ? service.ledger.get(this.changeId) : undefined;
    this.proposal ??= pending?.proposal ?? change?.proposal ?? this.findProposal();
    if (!this.proposal && this.ref.rollbackOf) {
      const prepared = await service.prepareRollback(this.ref.rollbackOf);
      if (prepared.ok) {
        this.proposal = prepared.proposal;
        this.rollback = {
          changeId: this.ref.rollbackOf,
          ...(prepared.restoreTemplate ? { restoreTemplate: prepared.restoreTemplate } : {}),
        };
      }
    }
    if (!this.proposal) {
      this.phase = 'missing';
      this.message =
        'This proposal is no longer offered in the current context (its incident closed, or the context changed).';
      return this.post();
    }
    if (this.ref.rollbackOf && !this.rollback) this.rollback = { changeId: this.ref.rollbackOf };
    if (change) {
      this.phase = change.status === 'applied' || change.status === 'rolled-back' ? 'applied' : 'not-applied';
    } else if (pending?.state === 'awaiting-approval' && pending.verdict) {
      this.verdict = pending.verdict;
      this.deps.plans.remember(pending.verdict);
      this.needs = service.confirmationNeeds(this.proposal, pending.verdict);
      this.phase = 'verified';
    } else {
      this.phase = 'interrupted';
      this.message =
        'Verification interrupted (the window reloaded). Nothing was written; Re-verify to run the checks again.';
    }
    this.post();
  }

  private findProposal(): Proposal | undefined {
    const service = this.deps.act.service;
    if (!service) return undefined;
    const seen = new Set<string>();
    for (const incident of this.deps.act.openIncidents()) {
      const key = refKey(incident.workload);
      if (seen.has(key)) continue;
      seen.add(key);
      const hit = service.proposalsFor(incident.workload).proposals.find((p) => p.id === this.ref.proposalId);
      if (hit) return hit;
    }
    return undefined;
  }

  private receive(value: unknown): void {
    dispatch(value, [
      on(ReadyMessage, () => this.post()),
      on(ReverifyMessage, ({ proposalId }) => {
        if (proposalId === this.proposal?.id && this.phase !== 'verifying' && this.phase !== 'applying')
          void this.verify();
      }),
      on(ApplyMessage, ({ proposalId, planHash }) => void this.apply(proposalId, planHash)),
      on(RejectMessage, ({ proposalId, planHash }) => void this.reject(proposalId, planHash)),
      on(OpenDiffMessage, ({ proposalId }) => {
        if (proposalId === this.proposal?.id)
          void this.deps.plans.open(proposalId).then((ok) => {
            if (!ok)
              void vscode.window.showInformationMessage('NimbusGuard: no dry-run result to compare; verify again.');
          });
      }),
      on(RollbackMessage, ({ changeId }) => {
        if (changeId === this.changeId) void vscode.commands.executeCommand(COMMANDS.rollbackChange, changeId);
      }),
      on(CloseMessage, () => this.dispose()),
    ]);
  }

  private async verify(): Promise<void> {
    const service = this.deps.act.service;
    const proposal = this.proposal;
    if (!service || !proposal) return;
    const shadow = await askShadow(proposal, this.rollback !== undefined);
    this.phase = 'verifying';
    this.checks = new Map();
    this.verdict = undefined;
    this.needs = undefined;
    this.message = undefined;
    this.post();
    const sub = service.onProgress((e) => {
      if (e.proposalId !== proposal.id) return;
      this.checks = withProgress(this.checks, e);
      this.post();
    });
    try {
      const result = await service.verify(proposal, {
        ...shadow,
        ...(this.rollback ? { rollback: this.rollback } : {}),
      });
      this.proposal = result.proposal;
      this.verdict = result.verdict;
      this.deps.plans.remember(result.verdict);
      this.needs = service.confirmationNeeds(result.proposal, result.verdict);
      this.phase = 'verified';
      if (!result.awaitingApproval && result.verdict.result !== 'fail')
        this.message = 'The verification ended without waiting for approval; verify again to apply.';
    } catch (error) {
      this.phase = 'interrupted';
      this.message = `Verification stopped: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      sub.dispose();
    }
    this.post();
  }

  private async apply(proposalId: string, planHash: string): Promise<void> {
    const service = this.deps.act.service;
    const proposal = this.proposal;
    const verdict = this.verdict;
    // The webview only names the plan: everything else is the host's own, checked again here.
    if (
      !service ||
      !proposal ||
      !verdict ||
      proposalId !== proposal.id ||
      planHash !== verdict.planHash ||
      this.phase !== 'verified'
    )
      return;
    if (service.context !== verdict.plan.context || Date.now() - Date.parse(verdict.verifiedAt) > VERDICT_TTL_MS) {
      this.message =
        'The verdict is older than 10 minutes or from another context: verifying again before anything is written.';
      return this.verify();
    }
    const needs = service.confirmationNeeds(proposal, verdict);
    if (!needs.canApply) return;
    this.phase = 'confirming';
    this.post();
    const action = this.rollback ? 'Roll Back' : 'Apply';
    const confirmation = await confirmWrite({ proposal, verdict, needs, context: service.context, action });
    if (!confirmation.confirmed) {
      this.phase = 'verified';
      this.message = `Not ${this.rollback ? 'rolled back' : 'applied'}: ${confirmation.why}.`;
      return this.post();
    }
    const t = proposal.target;
    if (!(await holdWrite(`${this.rollback ? 'rolling back' : 'applying'} ${t.kind} ${t.namespace}/${t.name}`))) {
      this.phase = 'verified';
      this.message = 'Cancelled: nothing was written.';
      return this.post();
    }
    this.phase = 'applying';
    this.message = 'Writing, then following the rollout and judging the outcome…';
    this.post();
    try {
      const result = await service.decide({
        proposalId,
        planHash,
        decision: 'approve',
        waitSeconds: OUTCOME_WAIT_S,
        ...(confirmation.confirmContext ? { confirmContext: confirmation.confirmContext } : {}),
        ...(confirmation.confirmRisk ? { confirmRisk: confirmation.confirmRisk } : {}),
      });
      if (result.change) this.changeId = result.change.id;
      this.phase = result.status === 'applied' ? 'applied' : 'not-applied';
      this.message =
        result.status === 'applied'
          ? result.outcome
            ? `Outcome: ${result.outcome.result} — ${result.outcome.detail}`
            : result.message
          : `Not applied: ${result.message}`;
      if (result.verdict) this.verdict = result.verdict;
    } catch (error) {
      this.phase = 'not-applied';
      this.message = `Not applied: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.post();
  }

  private async reject(proposalId: string, planHash: string): Promise<void> {
    const service = this.deps.act.service;
    if (
      !service ||
      proposalId !== this.proposal?.id ||
      planHash !== this.verdict?.planHash ||
      this.phase !== 'verified'
    )
      return;
    const result = await service.decide({ proposalId, planHash, decision: 'reject' });
    this.phase = 'rejected';
    this.message =
      result.status === 'unknown' ? result.message : 'Rejected: nothing was written, and the rejection is recorded.';
    this.post();
  }

  /** The change this proposal became: by id, or (while the write is under way) the newest change of this proposal. */
  private change(): ChangeRecord | undefined {
    const service = this.deps.act.service;
    if (!service || !this.proposal) return undefined;
    if (this.changeId) return service.ledger.get(this.changeId);
    if (this.phase !== 'applying') return undefined;
    const verifiedAt = this.verdict ? Date.parse(this.verdict.verifiedAt) : 0;
    const hit = service.history().find((c) => c.proposal.id === this.proposal!.id && Date.parse(c.at) >= verifiedAt);
    if (hit) this.changeId = hit.id;
    return hit;
  }

  private post(): void {
    if (this.disposed) return;
    const proposal = this.proposal;
    if (!proposal) {
      void this.panel.webview.postMessage(MissingMessage.create({ message: this.message ?? 'Loading…' }));
      return;
    }
    const change = this.change();
    this.panel.title = `${this.rollback ? 'Roll back' : 'Verify'}: ${proposal.target.name}`;
    const state = buildVerifyState({
      context: this.deps.act.context ?? '',
      proposal,
      phase: this.phase,
      checks: this.checks,
      ...(this.verdict ? { verdict: this.verdict } : {}),
      ...(this.needs ? { needs: this.needs } : {}),
      ...(change ? { change } : {}),
      ...(this.message ? { message: this.message } : {}),
      now: Date.now(),
    });
    void this.panel.webview.postMessage(StateMessage.create(state));
  }
}

const verifyKind = (deps: VerifyPanelDeps): PanelKind<VerifySavedState> => ({
  viewType: VIEW_TYPE,
  key: (ref) => ref.proposalId,
  title: () => 'Verification',
  refFromState: savedVerifyState,
  attach: (panel, ref, restored) => new VerifyPanel(panel, ref, restored, deps),
});

export interface VerificationPanels {
  /** Opens (or reveals) the panel of a proposal and verifies it. */
  open(proposal: Proposal, rollback?: Extract<RollbackPreparation, { ok: true }> & { changeId: string }): void;
  /** Opens (or reveals) the panel of an approval that is waiting (or was interrupted), without verifying. */
  openPending(proposalId: string, rollbackOf?: string): void;
  disposables: vscode.Disposable[];
}

export function registerVerificationPanels(deps: VerifyPanelDeps): VerificationPanels {
  const panels = new PanelRegistry(deps.extensionUri, verifyKind(deps));
  return {
    open: (proposal, rollback) => {
      const ref: VerifySavedState = { proposalId: proposal.id, ...(rollback ? { rollbackOf: rollback.changeId } : {}) };
      if (panels.get(ref)) {
        panels.show(ref);
        return;
      }
      handed.set(proposal.id, { proposal, ...(rollback ? { rollback } : {}) });
      panels.show(ref);
    },
    openPending: (proposalId, rollbackOf) => void panels.show({ proposalId, ...(rollbackOf ? { rollbackOf } : {}) }),
    disposables: panels.register(),
  };
}
