// The Verification panel's content as data: checks as they run, the change as field lines, the
// verdict with what its confirmation needs, and the change it became.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmationNeeds } from '../../../src/core/change/confirmation';
import {
  ACT_API_VERSION,
  type ChangeRecord,
  type CheckResult,
  type Proposal,
  type ShadowTimelineEntry,
  type Verdict,
} from '../../../src/core/model/proposal';
import { buildVerifyState, diffLines, withProgress } from '../../../src/ui/verifyPanel/verifyState';

const FIELD = 'spec.template.spec.containers[name=api].resources.limits.memory';

const proposal: Proposal = {
  apiVersion: ACT_API_VERSION,
  kind: 'Proposal',
  id: 'p-1a2b3c',
  incidents: ['i-1'],
  incidentType: 'OOMKilled',
  groupId: 'g-1',
  category: 'memory-limit',
  fixKind: 'memory-limit',
  target: { kind: 'Deployment', namespace: 'shop', name: 'api', uid: 'u-1' },
  change: { kind: 'patch', edits: [{ path: FIELD, value: '256Mi', previous: '128Mi' }], patch: {} },
  summary: 'Raise the memory limit of api to 256Mi',
  risk: 'low',
  riskReason: 'raises a limit',
  fields: [FIELD],
  score: 1,
};

const check = (name: CheckResult['name'], result: CheckResult['result'], detail = `${name} detail`): CheckResult => ({
  name,
  result,
  detail,
  evidence: [`${name} evidence`],
  warnings: [],
  durationMs: 12,
});

function verdict(result: Verdict['result'], checks: CheckResult[]): Verdict {
  return {
    apiVersion: ACT_API_VERSION,
    kind: 'Verdict',
    proposalId: proposal.id,
    planHash: 'abc123',
    result,
    checks,
    verifiedAt: '2026-01-01T00:00:00.000Z',
    plan: {
      server: 'https://127.0.0.1:6443',
      caHash: '',
      context: 'dev',
      user: 'admin',
      target: { kind: 'Deployment', namespace: 'shop', name: 'api', uid: 'u-1', apiVersion: 'apps/v1' },
      access: { verb: 'patch', group: 'apps', resource: 'deployments' },
      patchType: 'strategic',
      body: {},
      preconditions: { generation: 1, fields: {} },
    },
    before: { [FIELD]: { present: true, value: '128Mi' } },
    after: { [FIELD]: { present: true, value: '256Mi' } },
    liveObject: { kind: 'Deployment' },
    dryRunObject: { kind: 'Deployment' },
  };
}

test('while verifying, every check is listed in the fixed order: waiting, then running, then its result', () => {
  let checks = withProgress(new Map(), { proposalId: proposal.id, check: 'permissions', phase: 'started' });
  let state = buildVerifyState({ context: 'dev', proposal, phase: 'verifying', checks, now: 1 });
  assert.deepEqual(
    state.checks.map((c) => c.name),
    ['permissions', 'dryRun', 'ownership', 'podAdmission', 'fit', 'quota', 'disruption', 'shadow', 'replay'],
  );
  assert.equal(state.checks[0]!.status, 'running');
  assert.ok(state.checks.slice(1).every((c) => c.status === 'waiting'));
  checks = withProgress(checks, {
    proposalId: proposal.id,
    check: 'permissions',
    phase: 'finished',
    result: check('permissions', 'pass', 'allowed to patch deployments'),
  });
  state = buildVerifyState({ context: 'dev', proposal, phase: 'verifying', checks, now: 2 });
  assert.deepEqual(
    { status: state.checks[0]!.status, detail: state.checks[0]!.detail, ms: state.checks[0]!.durationMs },
    { status: 'pass', detail: 'allowed to patch deployments', ms: 12 },
  );
  assert.equal(state.verdict, undefined, 'no verdict before the checks end');
});

test('the shadow pod timeline shows live while the shadow runs and stays with the verdict', () => {
  const step = (at: string, kind: ShadowTimelineEntry['step'], text: string): ShadowTimelineEntry => ({
    at,
    step: kind,
    text,
    key: `${kind}:${at}`,
  });
  const early = [
    step('2026-03-01T10:00:00.000Z', 'created', 'pod api-ng-shadow-1 created'),
    step('2026-03-01T10:00:01.000Z', 'scheduled', 'scheduled on node n1'),
  ];
  let checks = withProgress(new Map(), { proposalId: proposal.id, check: 'shadow', phase: 'started' });
  checks = withProgress(checks, { proposalId: proposal.id, check: 'shadow', phase: 'timeline', timeline: early });
  let shadow = buildVerifyState({ context: 'dev', proposal, phase: 'verifying', checks, now: 1 }).checks.find(
    (c) => c.name === 'shadow',
  )!;
  assert.equal(shadow.status, 'running', 'a timeline update keeps the check running');
  assert.deepEqual(
    shadow.timeline!.map((r) => [r.offset, r.step, r.bad]),
    [
      ['+0.0s', 'created', false],
      ['+1.0s', 'scheduled', false],
    ],
  );
  const full = [
    ...early,
    step('2026-03-01T10:00:07.500Z', 'oomKilled', 'container api OOMKilled, exit code 137'),
    step('2026-03-01T10:00:09.000Z', 'removed', 'pod api-ng-shadow-1 deleted (confirmed gone)'),
  ];
  checks = withProgress(checks, { proposalId: proposal.id, check: 'shadow', phase: 'timeline', timeline: full });
  const result = { ...check('shadow', 'fail', 'the shadow was OOMKilled too'), timeline: full };
  checks = withProgress(checks, { proposalId: proposal.id, check: 'shadow', phase: 'finished', result });
  shadow = buildVerifyState({ context: 'dev', proposal, phase: 'verifying', checks, now: 2 }).checks.find(
    (c) => c.name === 'shadow',
  )!;
  assert.equal(shadow.status, 'fail');
  assert.deepEqual(
    shadow.timeline!.map((r) => [r.offset, r.step, r.bad]),
    [
      ['+0.0s', 'created', false],
      ['+1.0s', 'scheduled', false],
      ['+7.5s', 'oomKilled', true],
      ['+9.0s', 'removed', false],
    ],
  );
  // After the verdict (and after a reload, from the stored verdict): the same timeline.
  const stored = buildVerifyState({
    context: 'dev',
    proposal,
    phase: 'verified',
    checks: new Map(),
    verdict: verdict('fail', [check('dryRun', 'pass'), result]),
    now: 3,
  }).checks.find((c) => c.name === 'shadow')!;
  assert.deepEqual(stored.timeline, shadow.timeline);
});

test('before a verdict the change is read from the proposal; after it, from the verified images', () => {
  assert.deepEqual(diffLines(proposal), [{ path: FIELD, before: '128Mi', after: '256Mi' }]);
  const v = verdict('pass', [check('permissions', 'pass')]);
  v.before = { [FIELD]: { present: false } };
  assert.deepEqual(diffLines(proposal, v), [{ path: FIELD, before: 'absent', after: '256Mi' }]);
});

test('a pass verdict offers Apply once verified; fail never does; inconclusive names what is unknown', () => {
  const pass = verdict('pass', [check('permissions', 'pass'), check('shadow', 'skipped')]);
  const ok = buildVerifyState({
    context: 'dev',
    proposal,
    phase: 'verified',
    checks: new Map(),
    verdict: pass,
    needs: confirmationNeeds(proposal, pass, 'dev', 'https://x', ['*prod*']),
    now: 3,
  });
  assert.equal(ok.verdict?.canApply, true);
  assert.equal(ok.verdict?.hasDiff, true);
  assert.deepEqual(
    ok.checks.map((c) => `${c.name}=${c.status}`),
    ['permissions=pass', 'shadow=skipped'],
  );
  assert.equal(
    buildVerifyState({ context: 'dev', proposal, phase: 'applying', checks: new Map(), verdict: pass, now: 3 }).verdict
      ?.canApply,
    false,
    'no second Apply while applying',
  );

  const fail = verdict('fail', [check('podAdmission', 'fail', 'rejected by LimitRange')]);
  const failed = buildVerifyState({
    context: 'dev',
    proposal,
    phase: 'verified',
    checks: new Map(),
    verdict: fail,
    needs: confirmationNeeds(proposal, fail, 'dev', 'https://x', []),
    now: 4,
  });
  assert.equal(failed.verdict?.canApply, false);

  const unsure = verdict('inconclusive', [check('dryRun', 'inconclusive', 'the webhook timed out')]);
  const inc = buildVerifyState({
    context: 'prod-eu',
    proposal,
    phase: 'verified',
    checks: new Map(),
    verdict: unsure,
    needs: confirmationNeeds(proposal, unsure, 'prod-eu', 'https://x', ['*prod*']),
    now: 5,
  });
  assert.equal(inc.verdict?.canApply, true);
  assert.deepEqual(inc.verdict?.unknown, ['dryRun: the webhook timed out']);
  assert.ok(
    inc.verdict?.reasons.some((r) => /prod-eu is protected/.test(r)),
    JSON.stringify(inc.verdict?.reasons),
  );
});

test('the change it became: status, outcome, and Rollback only while applied', () => {
  const pass = verdict('pass', [check('permissions', 'pass')]);
  const change: ChangeRecord = {
    id: 'c-42',
    status: 'applied',
    at: '2026-01-01T00:01:00.000Z',
    who: 'dev',
    context: 'dev',
    server: 'https://x',
    proposal,
    verdict: { result: 'pass', planHash: 'abc123', verifiedAt: pass.verifiedAt, checks: [] },
    plan: pass.plan,
    before: pass.before,
    after: pass.after,
    outcome: {
      result: 'resolved',
      detail: 'the incident closed',
      rollout: 'complete',
      confounders: [],
      newIncidents: [],
      judgedAt: '2026-01-01T00:02:00.000Z',
      elapsedMs: 60_000,
    },
  };
  const applied = buildVerifyState({
    context: 'dev',
    proposal,
    phase: 'applied',
    checks: new Map(),
    verdict: pass,
    change,
    now: 6,
  });
  assert.deepEqual(applied.change, {
    id: 'c-42',
    status: 'applied',
    outcome: { result: 'resolved', detail: 'the incident closed', rollout: 'complete' },
    canRollback: true,
  });
  const undone = buildVerifyState({
    context: 'dev',
    proposal,
    phase: 'applied',
    checks: new Map(),
    change: { ...change, status: 'rolled-back' },
    now: 7,
  });
  assert.equal(undone.change?.canRollback, false);
});

test('a restore proposal names the change it rolls back', () => {
  const restore: Proposal = {
    ...proposal,
    id: 'rb-42',
    change: { kind: 'restore', changeId: 'c-42', image: { [FIELD]: { present: true, value: '128Mi' } } },
  };
  const state = buildVerifyState({ context: 'dev', proposal: restore, phase: 'ready', checks: new Map(), now: 8 });
  assert.equal(state.proposal.rollbackOf, 'c-42');
  assert.deepEqual(state.diff, [{ path: FIELD, before: "NimbusGuard's value", after: '128Mi' }]);
});
