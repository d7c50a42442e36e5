// The act loop's one API, used by the CLI and the VS Code UI alike (no VS Code in here):
//
//   const act = new ActService({ api, snapshot, incidents });   await act.start();
//   act.proposalsFor(target, { type })      → ranked proposals (+ advice) for a target's open incidents
//   act.scalingProposalFor(target)           → the scaling proposal (replicas or HPA bounds), verified with a replay
//   await act.verify(proposal)               → runs propose → verify on the thread of (target, group);
//                                              progress per check on onProgress; pauses at approve
//   act.confirmationNeeds(proposal, verdict) → what the confirmation must include (typed context…)
//   await act.decide({ proposalId, planHash, decision: 'approve', confirmContext, waitSeconds })
//                                            → resumes the paused thread: act → evaluate; the result
//   act.pending()                            → paused approvals (survive a restart with a file checkpointer)
//   await act.prepareRollback(changeId)      → a restore proposal, or why it is refused (drift, not newest)
//   act.history() / act.onDidChangeLedger    → the ledger of this cluster, folded per change
//
// One thread and one pending approval per (target, correlation group); a new verify supersedes it.
import { userInfo } from 'node:os';
import { Command, MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { ApiClient } from '../cluster/actions/apiClient';
import {
  confirmationNeeds,
  DEFAULT_PROTECTED_CONTEXTS,
  unmetConfirmation,
  type ConfirmationNeeds,
} from '../core/change/confirmation';
import type { CauseOfIncident } from '../core/change/proposals';
import { Emitter } from '../core/events';
import { successRates, type SuccessRates } from '../core/learning/outcomeStats';
import type { IncidentType } from '../core/model/incident';
import {
  LEDGER_VERSION,
  type ApprovalDecision,
  type ChangeRecord,
  type Outcome,
  type Proposal,
  type Verdict,
  type VerifyProgress,
} from '../core/model/proposal';
import type { ObjectRef } from '../core/model/resources';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { UsageHistory } from '../core/model/usageHistory';
import type { ScalingObjective } from '../core/scaling/objective';
import { scalingProposalFor } from './scalingProposals';
import type { ActContext, IncidentSource, ShadowRunner } from './actContext';
import { reconcileIntents } from './actApplier';
import type { IncidentGraph } from './graph';
import { Ledger } from './ledger';
import { proposalsForTarget, type ProposalList } from './actProposals';
import { QTableStore } from './qTableStore';
import type { ScalingPolicyName } from '../core/change/qScaling';
import { prepareRollback, type RollbackPreparation } from './actRollback';

/** The verify panel and the CLI read a rollback's preparation from here. */
export type { RollbackPreparation };
import type { ActRequest, ActResult } from './state';
import { refKey } from '../core/model/objectRef';

export interface ActServiceOptions {
  api: ApiClient;
  snapshot: ClusterSnapshot;
  incidents: IncidentSource;
  ledger?: Ledger;
  /** Where paused threads live: a FileCheckpointer in the extension, memory in the CLI (the default). */
  checkpointer?: BaseCheckpointSaver;
  shadow?: ShadowRunner;
  who?: () => string;
  now?: () => Date;
  protectedContexts?: () => readonly string[];
  /** The session's usage history: scaling proposals and their replay check. */
  usage?: UsageHistory;
  /** What scaling proposals optimize; read at each proposal and replay. */
  scalingObjective?: () => ScalingObjective;
  /** Namespaces to sweep for left-behind shadows at start (the session's). */
  namespaces?: () => readonly string[];
  /** Which policy makes scaling proposals (`nimbusguard.scaling.policy`; predictive by default). */
  scalingPolicy?: () => ScalingPolicyName;
  /** The Q-learning policy's table (by default the cluster's, next to its ledger). */
  qTable?: QTableStore;
}

export interface VerifyResult {
  threadId: string;
  proposal: Proposal;
  verdict: Verdict;
  /** True when the thread waits at approve (a `fail` verdict ends it instead). */
  awaitingApproval: boolean;
}

export interface DecideResult {
  status: ActResult['status'] | 'unconfirmed' | 'unknown';
  message: string;
  change?: ChangeRecord;
  verdict?: Verdict;
  outcome?: Outcome;
  reverified: number;
}

export interface PendingApproval {
  threadId: string;
  state: 'awaiting-approval' | 'verification-interrupted';
  proposal: Proposal;
  verdict?: Verdict;
}

export function threadIdFor(target: ObjectRef, groupId: string): string {
  return `act:${target.uid ?? refKey(target)}:${groupId}`;
}

export class ActService {
  readonly ledger: Ledger;
  /** The Q-learning scaling policy's table of this cluster (read when that policy proposes, updated by outcomes). */
  readonly qTable: QTableStore;
  private readonly checkpointer: BaseCheckpointSaver;
  private readonly progressed = new Emitter<VerifyProgress>();
  private readonly pendingChanged = new Emitter<void>();
  /** Per check, as it starts and ends: the Verification panel and the CLI's stderr. */
  readonly onProgress = this.progressed.event;
  /** Fires when a thread starts or stops waiting for approval. */
  readonly onDidChangePending = this.pendingChanged.event;
  private graph: Promise<IncidentGraph> | undefined;
  private readonly threads = new Set<string>();
  private readonly ctx: ActContext;
  private abort = new AbortController();

  constructor(private readonly options: ActServiceOptions) {
    this.ledger = options.ledger ?? Ledger.forCluster(options.api.server, options.api.caHash);
    this.checkpointer = options.checkpointer ?? new MemorySaver();
    this.qTable = options.qTable ?? QTableStore.forCluster(options.api.server, options.api.caHash);
    const now = options.now ?? (() => new Date());
    this.ctx = {
      api: options.api,
      ledger: this.ledger,
      snapshot: options.snapshot,
      incidents: options.incidents,
      now,
      who:
        options.who ??
        (() => {
          try {
            return userInfo().username;
          } catch {
            return 'unknown';
          }
        }),
      progress: (e) => this.progressed.fire(e),
      signal: () => this.abort.signal,
      usage: () => options.usage,
      qTable: this.qTable,
      ...(options.scalingObjective ? { scalingObjective: options.scalingObjective } : {}),
      ...(options.shadow ? { shadow: options.shadow } : {}),
      uidOf: (ref) =>
        ref.uid ??
        (
          options.snapshot.get(ref.kind as 'Deployment', ref.namespace, ref.name) as
            { meta?: { uid: string }; uid?: string } | undefined
        )?.meta?.uid ??
        (options.snapshot.get(ref.kind as 'Deployment', ref.namespace, ref.name) as { uid?: string } | undefined)?.uid,
    };
    const file = this.checkpointer as { threads?: () => string[] };
    for (const id of file.threads?.() ?? []) if (id.startsWith('act:')) this.threads.add(id);
  }

  /** Fires when this process or another (CLI, another window) appends to the ledger. */
  get onDidChangeLedger() {
    return this.ledger.onDidChange;
  }

  get context(): string {
    return this.options.api.context;
  }

  /** Start-up work: settles intents a crash left without a result and removes left-behind shadows. Returns notes for the user. */
  async start(): Promise<string[]> {
    const notes = await reconcileIntents(this.ctx);
    const swept =
      (await this.options.shadow?.sweep(this.options.namespaces?.() ?? []).catch(() => [] as string[])) ?? [];
    for (const s of swept) notes.push(`removed shadow pod ${s} left behind by an interrupted check`);
    return notes;
  }

  /** Interrupts a running verification: a shadow is deleted at once; later calls start afresh. */
  cancel(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }

  /** The success rates learned from this cluster's outcomes (cause category × fix kind). */
  rates(): SuccessRates {
    return successRates(this.ledger.changes());
  }

  /** Ranked proposals for the open incidents on `target` and those whose fix targets it. */
  proposalsFor(target: ObjectRef, opts: { type?: IncidentType } = {}): ProposalList {
    return proposalsForTarget(this.options.incidents, target, opts, this.ctx.uidOf, this.rates());
  }

  /**
   * The scaling proposal for a Deployment or StatefulSet (new replicas, or new HPA bounds), or why
   * there is none, from the chosen policy: under `qlearning` the proposal carries the (state, action)
   * its judged outcome rewards in this cluster's Q-table.
   */
  scalingProposalFor(
    target: ObjectRef,
    opts: { policy?: ScalingPolicyName } = {},
  ): { proposal?: Proposal; note: string } {
    const policy = opts.policy ?? this.options.scalingPolicy?.() ?? 'predictive';
    const objective = this.options.scalingObjective?.();
    const shared = objective ? { objective } : {};
    if (policy !== 'qlearning') return scalingProposalFor(this.options.snapshot, this.options.usage, target, shared);
    let agent;
    try {
      agent = this.qTable.load();
    } catch (error) {
      return {
        note: `the Q-learning policy cannot read its table: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    return scalingProposalFor(this.options.snapshot, this.options.usage, target, { ...shared, qAgent: agent });
  }

  /** What the confirmation of this verdict must include in this context. */
  confirmationNeeds(proposal: Proposal, verdict: Verdict): ConfirmationNeeds {
    return confirmationNeeds(
      proposal,
      verdict,
      this.options.api.context,
      this.options.api.server,
      this.options.protectedContexts?.() ?? DEFAULT_PROTECTED_CONTEXTS,
    );
  }

  /**
   * Verifies one proposal on its (target, group) thread and pauses at approve. A proposal from
   * `proposalsFor` or `prepareRollback`; `causes` are taken from the current diagnosis.
   */
  async verify(
    proposal: Proposal,
    opts: {
      shadow?: boolean;
      shadowSkipReason?: string;
      rollback?: { changeId: string; restoreTemplate?: Record<string, unknown> };
    } = {},
  ): Promise<VerifyResult> {
    const graph = await this.loadGraph();
    const threadId = threadIdFor(proposal.target, proposal.groupId);
    await this.checkpointer.deleteThread(threadId);
    this.threads.add(threadId);
    const causes: CauseOfIncident[] = [];
    for (const id of proposal.incidents) {
      const incident = this.options.incidents.get(id);
      const cause = incident && this.options.incidents.rootCause(id);
      if (incident && cause) causes.push({ incident, cause: { ...cause, groupId: proposal.groupId } });
    }
    const request: ActRequest = {
      causes,
      proposal,
      proposalId: proposal.id,
      shadow: opts.shadow ?? false,
      ...(opts.shadowSkipReason ? { shadowSkipReason: opts.shadowSkipReason } : {}),
      ...(opts.rollback
        ? {
            rollbackOf: opts.rollback.changeId,
            ...(opts.rollback.restoreTemplate ? { restoreTemplate: opts.rollback.restoreTemplate } : {}),
          }
        : {}),
    };
    const config = { configurable: { thread_id: threadId } };
    const out = await graph.invoke({ request, ...(causes[0] ? { incident: causes[0].incident } : {}) }, config);
    const snapshot = await graph.getState(config);
    const awaiting = snapshot.next.includes('approve');
    if (!awaiting) await this.forget(threadId);
    this.pendingChanged.fire();
    if (!out.verdict) throw new Error(out.trail[out.trail.length - 1] ?? 'verification produced no verdict');
    return { threadId, proposal: out.proposal ?? proposal, verdict: out.verdict, awaitingApproval: awaiting };
  }

  /**
   * Resumes the thread waiting for this proposal with the decision. The confirmation must match
   * the plan hash shown and include what `confirmationNeeds` asks; otherwise nothing resumes.
   */
  async decide(decision: ApprovalDecision): Promise<DecideResult> {
    const graph = await this.loadGraph();
    const pending = (await this.pending()).find(
      (p) => p.proposal.id === decision.proposalId && p.state === 'awaiting-approval',
    );
    if (!pending?.verdict)
      return {
        status: 'unknown',
        message: `no approval is pending for proposal ${decision.proposalId}`,
        reverified: 0,
      };
    if (decision.planHash !== pending.verdict.planHash)
      return {
        status: 'invalid',
        message: 'the confirmation is for another plan than the one verified; nothing was written',
        verdict: pending.verdict,
        reverified: 0,
      };
    const unmet = unmetConfirmation(
      this.confirmationNeeds(pending.proposal, pending.verdict),
      decision,
      this.options.api.context,
    );
    if (unmet) return { status: 'unconfirmed', message: unmet, verdict: pending.verdict, reverified: 0 };
    const config = { configurable: { thread_id: pending.threadId } };
    const out = await graph.invoke(
      new Command({ resume: { ...decision, who: decision.who ?? this.ctx.who() } }),
      config,
    );
    await this.forget(pending.threadId);
    this.pendingChanged.fire();
    const act = out.acted;
    const change = act?.changeId ? this.ledger.get(act.changeId) : undefined;
    return {
      status: act?.status ?? 'unknown',
      message: act?.message ?? 'the thread ended without acting',
      reverified: act?.reverified ?? 0,
      ...(change ? { change } : {}),
      ...(out.verdict ? { verdict: out.verdict } : {}),
      ...(out.outcome ? { outcome: out.outcome } : {}),
    };
  }

  /** Threads waiting for a person, and verifications a restart interrupted (offer Re-verify; never resumed by themselves). */
  async pending(): Promise<PendingApproval[]> {
    const graph = await this.loadGraph();
    const out: PendingApproval[] = [];
    for (const threadId of this.threads) {
      const s = await graph.getState({ configurable: { thread_id: threadId } });
      const values = s.values as { proposal?: Proposal | null; verdict?: Verdict | null };
      if (!values.proposal) continue;
      if (s.next.includes('approve'))
        out.push({
          threadId,
          state: 'awaiting-approval',
          proposal: values.proposal,
          ...(values.verdict ? { verdict: values.verdict } : {}),
        });
      else if (s.next.includes('verify'))
        out.push({ threadId, state: 'verification-interrupted', proposal: values.proposal });
    }
    return out;
  }

  /** Drops a pending thread (a rejected or abandoned approval in the UI; the CLI on exit). */
  async discard(threadId: string): Promise<void> {
    await this.forget(threadId);
    this.pendingChanged.fire();
  }

  /**
   * Records whether the workspace manifest holds an applied change (the editor compares them):
   * `matches` clears the "cluster only" marker, `cluster-only` sets it again. No entry when the
   * marker already says so, or the change is not applied.
   */
  markManifest(changeId: string, manifest: 'matches' | 'cluster-only', file?: string): boolean {
    const change = this.ledger.get(changeId);
    if (!change || change.status !== 'applied' || change.manifest === manifest) return false;
    this.ledger.append({
      v: LEDGER_VERSION,
      type: 'manifest',
      changeId,
      at: this.ctx.now().toISOString(),
      manifest,
      ...(file ? { file } : {}),
    });
    return true;
  }

  /** Every recorded change of this cluster, newest first. */
  history(): ChangeRecord[] {
    return this.ledger.changes();
  }

  /**
   * A restore proposal for a recorded change (the before-image back; a template replace gets its
   * whole previous template), or why it is refused (drift, a later change), unless `force`.
   */
  prepareRollback(changeId: string, opts: { force?: boolean } = {}): Promise<RollbackPreparation> {
    return prepareRollback(this.options.api, this.ledger, changeId, opts);
  }

  dispose(): void {
    this.progressed.dispose();
    this.pendingChanged.dispose();
    this.ledger.dispose();
  }

  private async forget(threadId: string): Promise<void> {
    this.threads.delete(threadId);
    await this.checkpointer.deleteThread(threadId).catch(() => undefined);
  }

  private loadGraph(): Promise<IncidentGraph> {
    this.graph ??= import('./graph').then((m) =>
      m.buildIncidentGraph({
        snapshot: () => this.options.snapshot,
        now: this.ctx.now,
        checkpointer: this.checkpointer,
        act: () => this.ctx,
      }),
    );
    return this.graph;
  }
}
