// Applying a confirmed plan: the object is read again; if its generation and every touched field
// still equal what was verified, the write goes out with the re-read resourceVersion as
// precondition; if the spec changed, the proposal is verified once more (and a second change stops
// the apply). The ledger gets the intent (with the before-image) before the write and its result
// after; the target gets a Kubernetes Event.
import { randomUUID } from 'node:crypto';
import { isOk, messageOf } from '../cluster/actions/apiClient';
import { readTarget } from '../cluster/actions/writePlan';
import { changeAnnotations, recordEvent, sendWrite, WriteError } from '../cluster/actions/writer';
import { imageDiff, readImage } from '../core/change/fieldImage';
import { maskFieldValue, maskTemplate, templateHash } from '../core/change/templates';
import { VERDICT_MAX_AGE_MS } from '../core/change/verdict';
import { LEDGER_VERSION, type FieldImage, type Proposal, type Verdict } from '../core/model/proposal';
import type { ActContext } from './actContext';
import { verifyProposal, type VerifyOptions } from './actVerifier';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON, read field by field
type Obj = Record<string, any>;

export interface ApplyOutcome {
  status: 'applied' | 'failed' | 'stopped';
  message: string;
  changeId?: string;
  /** The verdict the write went out on (a re-verification replaces the confirmed one). */
  verdict: Verdict;
  reverified: number;
  generation?: number;
  after?: FieldImage;
}

function masked(image: FieldImage): FieldImage {
  const out: FieldImage = {};
  for (const [path, f] of Object.entries(image))
    out[path] = f.present ? { present: true, value: maskFieldValue(path, f.value) } : f;
  return out;
}

/** Why a verdict cannot be used as it is: too old, another context, or the object moved on. */
function staleness(ctx: ActContext, verdict: Verdict, live: Obj, proposal: Proposal): string | undefined {
  if (ctx.now().getTime() - Date.parse(verdict.verifiedAt) > VERDICT_MAX_AGE_MS)
    return 'the verdict is older than 10 minutes';
  if (
    verdict.plan.server !== ctx.api.server ||
    verdict.plan.context !== ctx.api.context ||
    verdict.plan.user !== ctx.api.user
  )
    return 'the verdict was reached in another context';
  if (Number(live['metadata']?.['generation'] ?? 0) !== verdict.plan.preconditions.generation)
    return `the spec changed since verification (generation ${verdict.plan.preconditions.generation} → ${String(live['metadata']?.['generation'])})`;
  const moved = imageDiff(verdict.plan.preconditions.fields, readImage(live, proposal.fields));
  if (moved.length > 0) return `touched fields changed since verification: ${moved.join(', ')}`;
  return undefined;
}

export async function applyConfirmed(
  ctx: ActContext,
  proposal: Proposal,
  confirmed: Verdict,
  opts: VerifyOptions & { rollbackOf?: string },
): Promise<ApplyOutcome> {
  let verdict = confirmed;
  let reverified = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 4)
      return {
        status: 'stopped',
        message: 'stopped: the object kept changing under the write; nothing was written',
        verdict,
        reverified,
      };
    let live: Obj;
    try {
      live = await readTarget(ctx.api, proposal);
    } catch (error) {
      return {
        status: 'stopped',
        message: error instanceof Error ? error.message : String(error),
        verdict,
        reverified,
      };
    }
    const stale = staleness(ctx, verdict, live, proposal);
    // The access review and the dry-run always run again right before the write; a changed spec or a stale verdict means a full re-verification.
    if (stale && reverified >= 1)
      return {
        status: 'stopped',
        message: `stopped: ${stale} again after re-verification; nothing was written`,
        verdict,
        reverified,
      };
    const again = await verifyProposal(ctx, proposal, {
      ...opts,
      shadow: stale ? opts.shadow : false,
      shadowSkipReason: stale ? (opts.shadowSkipReason ?? 'disabled') : 'ran at verification; not repeated at apply',
    });
    if (stale) reverified++;
    if (
      again.verdict.result !== 'pass' &&
      !(again.verdict.result === 'inconclusive' && confirmed.result === 'inconclusive')
    ) {
      return {
        status: 'stopped',
        message: `stopped: ${stale ? `${stale}; ` : ''}verification at apply is ${again.verdict.result}: ${again.verdict.checks
          .filter((c) => c.result === 'fail' || c.result === 'inconclusive')
          .map((c) => `${c.name}: ${c.detail}`)
          .join('; ')}`,
        verdict: again.verdict,
        reverified,
      };
    }
    if (!stale && again.verdict.planHash !== confirmed.planHash && attempt === 0) {
      // The same object state must give the same plan; a difference means something moved between the reads.
      verdict = again.verdict;
      reverified++;
      continue;
    }
    verdict = again.verdict;
    const planned = again.planned!;
    const changeId = `c-${randomUUID()}`;
    const intentAt = ctx.now().toISOString();
    const beforeTemplate = planned.template ? maskTemplate(planned.live['spec']['template']) : undefined;
    ctx.ledger.append({
      v: LEDGER_VERSION,
      type: 'intent',
      changeId,
      at: intentAt,
      who: ctx.who(),
      context: ctx.api.context,
      server: ctx.api.server,
      proposal,
      verdict: {
        result: verdict.result,
        planHash: verdict.planHash,
        verifiedAt: verdict.verifiedAt,
        checks: verdict.checks.map((c) => ({ name: c.name, result: c.result, detail: c.detail })),
      },
      plan: verdict.plan,
      before: masked(planned.before),
      ...(beforeTemplate
        ? {
            beforeTemplate: {
              ...beforeTemplate,
              'nimbusguard.dev/template-hash': templateHash(planned.live['spec']['template']),
            },
          }
        : {}),
      ...(opts.rollbackOf ? { rollbackOf: opts.rollbackOf } : {}),
    });
    try {
      const r = await sendWrite(ctx.api, verdict.plan, planned.live, changeAnnotations(changeId, proposal.summary));
      const after = readImage(r.body, proposal.fields);
      const generation = Number(r.body['metadata']?.['generation'] ?? 0);
      const afterTemplate = planned.template ? maskTemplate(r.body['spec']['template']) : undefined;
      ctx.ledger.append({
        v: LEDGER_VERSION,
        type: 'applied',
        changeId,
        at: ctx.now().toISOString(),
        after: masked(after),
        generation,
        resourceVersion: String(r.body['metadata']?.['resourceVersion'] ?? ''),
        manifest: 'cluster-only',
        ...(afterTemplate
          ? {
              afterTemplate: {
                ...afterTemplate,
                'nimbusguard.dev/template-hash': templateHash(r.body['spec']['template']),
              },
            }
          : {}),
      });
      if (opts.rollbackOf)
        ctx.ledger.append({
          v: LEDGER_VERSION,
          type: 'rolledBack',
          changeId: opts.rollbackOf,
          at: ctx.now().toISOString(),
          by: changeId,
        });
      const eventProblem = await recordEvent(
        ctx.api,
        verdict.plan,
        opts.rollbackOf ? 'NimbusGuardRolledBack' : 'NimbusGuardApplied',
        `${opts.rollbackOf ? `rolled back ${opts.rollbackOf}` : proposal.summary} (change ${changeId}, by ${ctx.who()})`,
      );
      return {
        status: 'applied',
        message: `applied as change ${changeId}${eventProblem ? ` (${eventProblem})` : ''}`,
        changeId,
        verdict,
        reverified,
        generation,
        after,
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.ledger.append({ v: LEDGER_VERSION, type: 'failed', changeId, at: ctx.now().toISOString(), error: message });
      if (error instanceof WriteError && error.status === 409) {
        // The object changed between the last read and the write. Read it again: a status update goes
        // on; a spec change is verified once more, and a second one stops the apply (loop top).
        continue;
      }
      await recordEvent(ctx.api, verdict.plan, 'NimbusGuardApplyFailed', `${proposal.summary}: ${message}`);
      return { status: 'failed', message, changeId, verdict, reverified };
    }
  }
}

/**
 * Start-up reconciliation: an intent without a result (a crash between the intent and the write's
 * answer) is settled against the live object — applied if it carries the change id, else failed.
 */
export async function reconcileIntents(ctx: ActContext): Promise<string[]> {
  const notes: string[] = [];
  for (const change of ctx.ledger.changes().filter((c) => c.status === 'pending')) {
    const t = change.plan.target;
    const r = await ctx.api.read(t.kind, t.namespace, t.name).catch(() => undefined);
    if (!r) continue;
    const carries =
      isOk(r) &&
      r.body['metadata']?.['uid'] === t.uid &&
      r.body['metadata']?.['annotations']?.['nimbusguard.dev/change-id'] === change.id;
    if (carries) {
      ctx.ledger.append({
        v: LEDGER_VERSION,
        type: 'applied',
        changeId: change.id,
        at: ctx.now().toISOString(),
        after: masked(readImage(r.body, change.proposal.fields)),
        generation: Number(r.body['metadata']?.['generation'] ?? 0),
        resourceVersion: String(r.body['metadata']?.['resourceVersion'] ?? ''),
        manifest: 'cluster-only',
      });
      notes.push(`change ${change.id}: found applied on ${t.kind}/${t.name}`);
    } else {
      ctx.ledger.append({
        v: LEDGER_VERSION,
        type: 'failed',
        changeId: change.id,
        at: ctx.now().toISOString(),
        error:
          isOk(r) || r.status === 404 ? 'not applied (the process ended before the write was accepted)' : messageOf(r),
        reconciled: true,
      });
      notes.push(`change ${change.id}: never reached ${t.kind}/${t.name}`);
    }
  }
  return notes;
}
