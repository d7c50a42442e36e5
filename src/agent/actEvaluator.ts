// After a write is accepted: follow the rollout, then watch the incident's own signal until it is
// judged (resolved, unresolved, regressed, inconclusive) or the wait ends. A rollback is judged by
// whether the fields hold the restored values. Confounders (another rollout, an HPA action) are noted.
import { isOk } from '../cluster/actions/apiClient';
import { followRollout, rolloutState } from '../cluster/actions/writer';
import { templateHash } from '../core/change/templates';
import { imageDiff, readImage } from '../core/change/fieldImage';
import { judgeOutcome, SETTLE_MS } from '../core/change/outcome';
import {
  CHANGE_ID_ANNOTATION,
  LEDGER_VERSION,
  type FieldImage,
  type Outcome,
  type OutcomeResult,
  type Proposal,
  type WritePlan,
} from '../core/model/proposal';
import type { ActContext } from './actContext';
import { qLearnFromOutcome, type QLearningUpdate } from '../core/change/qScaling';
import { demandHistory, scalingWorkloadOf } from './scalingProposals';
import { sameRef } from '../core/model/objectRef';

export interface EvaluateInput {
  changeId: string;
  proposal: Proposal;
  plan: WritePlan;
  generation: number;
  /** When the write was accepted (epoch ms); the wait counts from here. */
  acceptedAt: number;
  waitSeconds: number;
  /** For a rollback: the image the fields must hold, or the hash of the pod template put back. */
  restored?: FieldImage;
  restoredTemplateHash?: string;
  settleMs?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onTarget(ctx: ActContext, proposal: Proposal): string[] {
  const t = proposal.target;
  return ctx.incidents
    .open()
    .filter((i) => sameRef(i.workload, t))
    .map((i) => i.id);
}

/** A rollback is judged on the object itself once the controller has seen it: do the fields hold their earlier values? */
async function judgeRestore(
  ctx: ActContext,
  input: EvaluateInput,
  deadline: number,
): Promise<Omit<Outcome, 'judgedAt' | 'elapsedMs'>> {
  const t = input.plan.target;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON, read field by field
  let object: Record<string, any> | undefined;
  for (;;) {
    const r = await ctx.api.read(t.kind, t.namespace, t.name).catch(() => undefined);
    if (r && isOk(r)) object = r.body;
    const observed = Number(object?.['status']?.['observedGeneration'] ?? input.generation);
    if (object && (observed >= input.generation || Date.now() >= deadline)) break;
    if (Date.now() >= deadline || input.signal?.aborted) break;
    await sleep(500);
  }
  if (!object)
    return {
      result: 'not-restored',
      detail: 'the object could not be read',
      rollout: 'none',
      confounders: [],
      newIncidents: [],
    };
  const rollout = rolloutState(t.kind, object, input.generation).state;
  let drift: string[];
  if (input.restoredTemplateHash)
    drift = templateHash(object['spec']?.['template'] ?? {}) === input.restoredTemplateHash ? [] : ['spec.template'];
  else drift = imageDiff(input.restored ?? {}, readImage(object, Object.keys(input.restored ?? {})));
  return {
    result: drift.length === 0 ? 'restored' : 'not-restored',
    detail:
      drift.length === 0
        ? 'every touched field holds its value from before the change'
        : `fields differ: ${drift.join(', ')}`,
    rollout,
    confounders: [],
    newIncidents: [],
  };
}

/**
 * A scaling change made under the Q-learning policy: its judged outcome is the reward of the
 * (state, action) it took, learned into the cluster's persisted table the policy reads next time.
 */
function learnFromScaling(
  ctx: ActContext,
  input: EvaluateInput,
  result: OutcomeResult,
): { update?: QLearningUpdate; note?: string } {
  const step = input.proposal.learning;
  if (!step || !ctx.qTable) return {};
  const workload = scalingWorkloadOf(ctx.snapshot, input.proposal);
  const { history } = demandHistory(ctx.snapshot, ctx.usage?.(), workload);
  try {
    const update = ctx.qTable.update((agent) =>
      qLearnFromOutcome(agent, step, result, history, Math.floor(input.acceptedAt / 1000)),
    );
    return update ? { update } : { note: 'nothing learned (the outcome carries no reward)' };
  } catch (error) {
    return { note: `the Q-table was not updated: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export async function evaluateChange(ctx: ActContext, input: EvaluateInput): Promise<Outcome> {
  const deadline = input.acceptedAt + input.waitSeconds * 1000;
  const settleMs = input.settleMs ?? SETTLE_MS;
  const t = input.plan.target;
  const finish = (o: Omit<Outcome, 'judgedAt' | 'elapsedMs'>): Outcome => {
    const outcome: Outcome = { ...o, judgedAt: ctx.now().toISOString(), elapsedMs: Date.now() - input.acceptedAt };
    ctx.ledger.append({ v: LEDGER_VERSION, type: 'outcome', changeId: input.changeId, at: outcome.judgedAt, outcome });
    return outcome;
  };
  if (input.restored || input.restoredTemplateHash) return finish(await judgeRestore(ctx, input, deadline));
  const rollout = await followRollout(ctx.api, input.plan, input.generation, deadline, input.signal);
  const before = new Set(onTarget(ctx, input.proposal));
  const answered = input.proposal.incidents;
  const opened = new Map<string, number>();
  const confounders = new Set<string>();
  let closedSince: number | undefined;
  for (;;) {
    ctx.incidents.evaluate?.();
    const elapsed = Date.now() - input.acceptedAt;
    const open = new Set(ctx.incidents.open().map((i) => i.id));
    const answeredOpen = answered.filter((id) => open.has(id));
    if (answeredOpen.length > 0) closedSince = undefined;
    else closedSince ??= elapsed;
    for (const id of onTarget(ctx, input.proposal))
      if (!before.has(id) && !answered.includes(id) && !opened.has(id)) opened.set(id, elapsed);
    for (const id of [...opened.keys()]) if (!open.has(id)) opened.delete(id);
    const r = await ctx.api.read(t.kind, t.namespace, t.name).catch(() => undefined);
    if (r && isOk(r)) {
      const changeId = r.body['metadata']?.['annotations']?.[CHANGE_ID_ANNOTATION];
      if (Number(r.body['metadata']?.['generation'] ?? 0) > input.generation && changeId !== input.changeId)
        confounders.add('another change to the spec during the window (a new rollout)');
    }
    const hpa = ctx.snapshot
      .list('HorizontalPodAutoscaler', t.namespace)
      .find((h) => h.target.kind === t.kind && h.target.name === t.name);
    if (hpa?.lastScaleTime && Date.parse(hpa.lastScaleTime) > input.acceptedAt)
      confounders.add(`HorizontalPodAutoscaler ${hpa.meta.name} scaled during the window`);
    const final = Date.now() >= deadline || Boolean(input.signal?.aborted);
    const judged = judgeOutcome(
      {
        elapsedMs: elapsed,
        rollout: rollout.state,
        answeredOpen,
        closedSinceMs: closedSince,
        newIncidents: [...opened].map(([id, at]) => ({ id, openedAtMs: at })),
        confounders: [...confounders],
      },
      final,
      settleMs,
    );
    if (judged) {
      const learned = learnFromScaling(ctx, input, judged.result);
      return finish({
        result: judged.result,
        detail: learned.note ? `${judged.detail}; ${learned.note}` : judged.detail,
        rollout: rollout.state,
        confounders: [...confounders],
        newIncidents: [...opened.keys()],
        ...(learned.update ? { learned: learned.update } : {}),
      });
    }
    await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
  }
}
