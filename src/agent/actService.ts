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
import { isOk } from '../cluster/actions/apiClient';
import { templateByHash } from '../cluster/actions/writePlan';
import {
  confirmationNeeds,
  DEFAULT_PROTECTED_CONTEXTS,
  unmetConfirmation,
  type ConfirmationNeeds,
} from '../core/change/confirmation';
import { imageDiff, readImage } from '../core/change/fieldImage';
import { laterChangesOnFields } from '../core/change/ledgerFold';
import { proposalsFromCauses, type CauseOfIncident } from '../core/change/proposals';
import { maskFieldValue, templateHash } from '../core/change/templates';
import { Emitter } from '../core/events';
import { successRates, type SuccessRates } from '../core/learning/outcomeStats';
import type { Incident, IncidentType } from '../core/model/incident';
import {
  ACT_API_VERSION,
  type ApprovalDecision,
  type ChangeRecord,
  type FieldImage,
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
import type { ActRequest, ActResult } from './state';
import { refKey, sameRef } from '../core/model/objectRef';

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
}

export interface ProposalList {
  target: ObjectRef;
  /** The incidents considered: on the target, or whose fix targets it; one cause per correlation group. */
  incidents: Incident[];
  proposals: Proposal[];
  /** Fixes without a concrete change: printed, never proposed. */
  advice: string[];
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

export type RollbackPreparation =
  | { ok: true; proposal: Proposal; restoreTemplate?: Record<string, unknown>; drift: string[]; notNewest: string[] }
  | {
      ok: false;
      reason: 'unknown' | 'not-applied' | 'drift' | 'not-newest' | 'unrestorable' | 'gone';
      message: string;
      drift?: { path: string; before: unknown; after: unknown; live: unknown }[];
    };

export function threadIdFor(target: ObjectRef, groupId: string): string {
  return `act:${target.uid ?? refKey(target)}:${groupId}`;
}

function maskImage(image: FieldImage): FieldImage {
  const out: FieldImage = {};
  for (const [p, f] of Object.entries(image))
    out[p] = f.present ? { present: true, value: maskFieldValue(p, f.value) } : f;
  return out;
}

export class ActService {
  readonly ledger: Ledger;
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
    const src = this.options.incidents;
    const considered: CauseOfIncident[] = [];
    const incidents: Incident[] = [];
    const seenGroups = new Set<string>();
    const advice: string[] = [];
    for (const incident of src.open()) {
      if (opts.type && incident.type !== opts.type) continue;
      const cause = src.rootCause(incident.id);
      const fixTargets = (cause?.fixes ?? []).map((f) => f.target ?? incident.workload);
      if (!sameRef(incident.workload, target) && !fixTargets.some((t) => sameRef(t, target))) continue;
      incidents.push(incident);
      if (!cause) continue;
      const group = src.groupOf(incident.id) ?? cause.groupId ?? incident.id;
      if (seenGroups.has(group)) continue;
      seenGroups.add(group);
      considered.push({ incident, cause: { ...cause, groupId: group } });
      for (const f of cause.fixes)
        if ((f.edits?.length ?? 0) === 0 && f.rollbackToRevision === undefined) advice.push(f.summary);
    }
    const proposals = proposalsFromCauses(considered, this.ctx.uidOf, this.rates()).filter(
      (p) => sameRef(p.target, target) || considered.some((c) => sameRef(c.incident.workload, target)),
    );
    // Every incident of a proposal's group is answered by it (an OOM kill and its crash loop close together).
    for (const p of proposals) {
      const members = incidents.filter((i) => (src.groupOf(i.id) ?? i.id) === p.groupId).map((i) => i.id);
      p.incidents = [...new Set([...p.incidents, ...members])];
    }
    return { target, incidents, proposals, advice: [...new Set(advice)] };
  }

  /** The scaling proposal for a Deployment or StatefulSet (new replicas, or new HPA bounds), or why there is none. */
  scalingProposalFor(target: ObjectRef): { proposal?: Proposal; note: string } {
    return scalingProposalFor(this.options.snapshot, this.options.usage, target, this.options.scalingObjective?.());
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

  /** Every recorded change of this cluster, newest first. */
  history(): ChangeRecord[] {
    return this.ledger.changes();
  }

  /**
   * A restore proposal for a recorded change: the fields NimbusGuard changed get their before-image
   * back (absent fields removed; a template replace gets its whole previous template). Refused when
   * the fields no longer hold NimbusGuard's values (drift) or a later change touched them, unless `force`.
   */
  async prepareRollback(changeId: string, opts: { force?: boolean } = {}): Promise<RollbackPreparation> {
    const changes = this.ledger.changes();
    const change = changes.find((c) => c.id === changeId);
    if (!change)
      return { ok: false, reason: 'unknown', message: `no change ${changeId} in the ledger of this cluster` };
    if (change.status !== 'applied' || !change.after)
      return {
        ok: false,
        reason: 'not-applied',
        message: `change ${changeId} is ${change.status}, nothing to roll back`,
      };
    const t = change.plan.target;
    const r = await this.options.api.read(t.kind, t.namespace, t.name);
    if (!isOk(r) || r.body['metadata']?.['uid'] !== t.uid)
      return {
        ok: false,
        reason: 'gone',
        message: `${t.kind} ${t.namespace}/${t.name} no longer exists as it was when the change was made`,
      };
    const template = change.beforeTemplate !== undefined;
    const fields = template ? ['spec.template'] : change.proposal.fields;
    const liveImage = readImage(r.body, fields);
    let driftPaths: string[];
    if (template) {
      driftPaths =
        templateHash(r.body['spec']['template']) ===
        (change.afterTemplate?.['nimbusguard.dev/template-hash'] as string | undefined)
          ? []
          : ['spec.template'];
    } else {
      driftPaths = imageDiff(change.after, maskImage(liveImage));
    }
    const drift = driftPaths.map((path) => ({
      path,
      before: change.before[path],
      after: change.after?.[path],
      live: liveImage[path],
    }));
    const later = laterChangesOnFields(changes, change).map((c) => c.id);
    if (!opts.force && later.length > 0)
      return {
        ok: false,
        reason: 'not-newest',
        message: `later changes touched the same fields (${later.join(', ')}): roll those back first, or use --force`,
      };
    if (!opts.force && drift.length > 0)
      return {
        ok: false,
        reason: 'drift',
        message: `the fields changed since NimbusGuard set them: ${driftPaths.join(', ')} (use --force to restore anyway)`,
        drift,
      };
    let restoreTemplate: Record<string, unknown> | undefined;
    if (template) {
      const hash = change.beforeTemplate!['nimbusguard.dev/template-hash'] as string;
      restoreTemplate = await templateByHash(this.options.api, t.namespace, t.uid, hash);
      if (!restoreTemplate)
        return {
          ok: false,
          reason: 'unrestorable',
          message:
            'the ReplicaSet holding the previous pod template is gone, so the template cannot be restored exactly',
        };
    } else if (
      Object.values(change.before).some(
        (f) => f.present && typeof f.value === 'string' && f.value.startsWith('masked:'),
      )
    ) {
      return {
        ok: false,
        reason: 'unrestorable',
        message: 'the before-image holds masked values (literal env or Secret data): restore them from the manifest',
      };
    }
    const proposal: Proposal = {
      apiVersion: ACT_API_VERSION,
      kind: 'Proposal',
      id: `rb-${changeId.replace(/^c-/, '')}`,
      incidents: [],
      incidentType: change.proposal.incidentType,
      groupId: `rollback:${changeId}`,
      category: 'rollback',
      fixKind: template ? 'template' : change.proposal.fixKind,
      target: { kind: t.kind, namespace: t.namespace, name: t.name, uid: t.uid },
      change: {
        kind: 'restore',
        changeId,
        image: change.before,
        ...(restoreTemplate ? { template: restoreTemplate } : {}),
      },
      summary: `Roll back ${changeId}: ${change.proposal.summary}`,
      risk: 'medium',
      riskReason: template
        ? 'replaces the pod template with the one before the change (starts a rollout)'
        : 'restores the earlier values',
      fields,
      score: 0,
    };
    return { ok: true, proposal, ...(restoreTemplate ? { restoreTemplate } : {}), drift: driftPaths, notNewest: later };
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
