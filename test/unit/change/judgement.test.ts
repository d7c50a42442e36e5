// Judgements: the verdict from the checks, the outcome from what was seen after the write, what a
// confirmation must include, and what the approve node accepts as a resume value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeVerdict, skipped } from '../../../src/core/change/verdict';
import { judgeOutcome } from '../../../src/core/change/outcome';
import { confirmationNeeds, isProtectedContext, unmetConfirmation } from '../../../src/core/change/confirmation';
import { validateDecision } from '../../../src/agent/nodes/approve';
import type { CheckResult, Proposal, Verdict } from '../../../src/core/model/proposal';

const check = (name: CheckResult['name'], result: CheckResult['result']): CheckResult => ({
  name,
  result,
  detail: '',
  evidence: [],
  warnings: [],
  durationMs: 1,
});

test('verdict: any fail fails, a check without data is inconclusive, skipped never lowers, nothing run is not a pass', () => {
  assert.equal(
    judgeVerdict([check('permissions', 'pass'), check('dryRun', 'pass'), skipped('shadow', 'disabled')]),
    'pass',
  );
  assert.equal(judgeVerdict([check('permissions', 'pass'), check('fit', 'inconclusive')]), 'inconclusive');
  assert.equal(judgeVerdict([check('permissions', 'fail'), check('fit', 'inconclusive')]), 'fail');
  assert.equal(judgeVerdict([skipped('shadow', 'x'), skipped('replay', 'y')]), 'inconclusive');
});

const base = {
  elapsedMs: 0,
  rollout: 'complete' as const,
  answeredOpen: [] as string[],
  closedSinceMs: undefined as number | undefined,
  newIncidents: [] as { id: string; openedAtMs: number }[],
  confounders: [] as string[],
};

test('outcome: resolved only after the settle period; regressed when a new incident stays; unresolved/inconclusive at the deadline', () => {
  assert.equal(
    judgeOutcome({ ...base, elapsedMs: 20_000, closedSinceMs: 5_000 }, false, 30_000),
    undefined,
    'still settling',
  );
  assert.equal(judgeOutcome({ ...base, elapsedMs: 36_000, closedSinceMs: 5_000 }, false, 30_000)?.result, 'resolved');
  assert.equal(
    judgeOutcome(
      { ...base, elapsedMs: 40_000, closedSinceMs: 1_000, newIncidents: [{ id: 'oom-2', openedAtMs: 5_000 }] },
      false,
      30_000,
    )?.result,
    'regressed',
  );
  assert.equal(judgeOutcome({ ...base, elapsedMs: 60_000, answeredOpen: ['i1'] }, true, 30_000)?.result, 'unresolved');
  assert.equal(
    judgeOutcome({ ...base, rollout: 'unfinished', elapsedMs: 60_000, answeredOpen: ['i1'] }, true, 30_000)?.result,
    'inconclusive',
  );
  assert.equal(
    judgeOutcome({ ...base, rollout: 'failed', elapsedMs: 10_000, answeredOpen: ['i1'] }, false, 30_000)?.result,
    'unresolved',
  );
  assert.equal(
    judgeOutcome({ ...base, elapsedMs: 36_000, closedSinceMs: 1_000, confounders: ['HPA scaled'] }, false, 30_000)
      ?.result,
    'inconclusive',
  );
});

const proposal = (risk: Proposal['risk']) =>
  ({ id: 'p-1', risk, riskReason: 'changes which pods receive traffic' }) as Proposal;
const verdict = (result: Verdict['result']) => ({ result, planHash: 'h1' }) as Verdict;

test('confirmation: protected contexts (by name or server) and high risk need the context typed; fail offers no apply', () => {
  assert.equal(isProtectedContext('shop-prod-eu', 'https://10.0.0.1', ['*prod*']), true);
  assert.equal(isProtectedContext('dev', 'https://api.production.example:6443', ['*production*']), true);
  assert.equal(isProtectedContext('dev', 'https://127.0.0.1', ['*prod*']), false);
  const low = confirmationNeeds(proposal('low'), verdict('pass'), 'dev', 'https://x', ['*prod*']);
  assert.deepEqual([low.canApply, low.typeContext, low.confirmRisk], [true, false, false]);
  assert.equal(unmetConfirmation(low, { decision: 'approve' }, 'dev'), undefined);
  const high = confirmationNeeds(proposal('high'), verdict('pass'), 'dev', 'https://x', ['*prod*']);
  assert.match(unmetConfirmation(high, { decision: 'approve' }, 'dev')!, /type the context name "dev"/);
  assert.match(unmetConfirmation(high, { decision: 'approve', confirmContext: 'dev' }, 'dev')!, /high-risk/);
  assert.equal(
    unmetConfirmation(high, { decision: 'approve', confirmContext: 'dev', confirmRisk: 'high' }, 'dev'),
    undefined,
  );
  const prod = confirmationNeeds(proposal('low'), verdict('pass'), 'nimbusguard-prod', 'https://x', ['*prod*']);
  assert.match(
    unmetConfirmation(prod, { decision: 'approve', confirmContext: 'nimbusguard-admin' }, 'nimbusguard-prod')!,
    /protected/,
  );
  const failed = confirmationNeeds(proposal('low'), verdict('fail'), 'dev', 'https://x', []);
  assert.equal(failed.canApply, false);
  assert.equal(unmetConfirmation(failed, { decision: 'approve' }, 'dev'), 'the verdict is fail');
  assert.equal(confirmationNeeds(proposal('low'), verdict('inconclusive'), 'dev', 'x', []).secondConfirmation, true);
});

test('the approve node accepts only the proposal id and plan hash that were shown', () => {
  const p = proposal('low');
  const v = verdict('pass');
  assert.ok(
    'decision' in validateDecision({ proposalId: 'p-1', planHash: 'h1', decision: 'approve', waitSeconds: 30 }, p, v),
  );
  assert.match(
    (validateDecision({ proposalId: 'p-1', planHash: 'other', decision: 'approve' }, p, v) as { problem: string })
      .problem,
    /another plan/,
  );
  assert.match(
    (validateDecision({ proposalId: 'p-2', planHash: 'h1', decision: 'approve' }, p, v) as { problem: string }).problem,
    /names proposal p-2/,
  );
  assert.match((validateDecision('yes', p, v) as { problem: string }).problem, /not an object/);
  assert.match(
    (validateDecision({ proposalId: 'p-1', planHash: 'h1', decision: 'maybe' }, p, v) as { problem: string }).problem,
    /neither/,
  );
  assert.match(
    (
      validateDecision({ proposalId: 'p-1', planHash: 'h1', decision: 'approve', waitSeconds: -1 }, p, v) as {
        problem: string;
      }
    ).problem,
    /waitSeconds/,
  );
});
