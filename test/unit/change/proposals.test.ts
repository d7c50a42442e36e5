// Diagnosis fixes become proposals: concrete changes only, stable ids, fix kinds, risk tiers, one
// proposal per change however many incidents it answers, ranked with learned success rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposalsFromCauses, riskOf, scoreOf, fixKindOf } from '../../../src/core/change/proposals';
import { successRates } from '../../../src/core/learning/outcomeStats';
import type { Incident } from '../../../src/core/model/incident';
import type { ChangeRecord, Proposal } from '../../../src/core/model/proposal';
import type { RootCause } from '../../../src/core/model/rootCause';

const workload = { kind: 'Deployment', namespace: 'shop', name: 'api' };
const incident = (id: string, type: Incident['type']): Incident => ({
  id,
  type,
  severity: 'critical',
  status: 'open',
  workload,
  summary: '',
  evidence: [],
  firstSeen: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-01T00:00:00Z',
});
const cause = (id: string, fixes: RootCause['fixes'], category: RootCause['category'] = 'memory-limit'): RootCause => ({
  incidentId: id,
  incidentType: 'OOMKilled',
  category,
  summary: '',
  explanation: '',
  confidence: 0.9,
  fields: [],
  evidence: [],
  fixes,
  source: 'rules',
  groupId: 'g1',
});
const memory = {
  summary: 'Raise the memory limit of api to 320Mi',
  edits: [
    { path: 'spec.template.spec.containers[name=api].resources.limits.memory', value: '320Mi', previous: '128Mi' },
  ],
};
const uidOf = () => 'uid-api';

test('memory-limit, rollback and advice fixes: two proposals, advice left out', () => {
  const list = proposalsFromCauses(
    [
      {
        incident: incident('i1', 'OOMKilled'),
        cause: cause('i1', [
          memory,
          { summary: 'Roll back to revision 1', rollbackToRevision: 1 },
          { summary: 'Find out why it leaks' },
        ]),
      },
    ],
    uidOf,
  );
  assert.equal(list.length, 2);
  const [mem, rb] = list;
  assert.equal(mem!.fixKind, 'memory-limit');
  assert.equal(mem!.risk, 'low');
  assert.deepEqual(mem!.change.kind === 'patch' && mem!.change.patch, {
    spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '320Mi' } } }] } } },
  });
  assert.deepEqual(mem!.fields, ['spec.template.spec.containers[name=api].resources.limits.memory']);
  assert.deepEqual(mem!.target, { ...workload, uid: 'uid-api' });
  assert.equal(rb!.fixKind, 'revision-rollback');
  assert.equal(rb!.risk, 'medium');
  assert.match(mem!.id, /^p-[0-9a-f]{16}$/);
});

test('the same change answering two incidents of a group is one proposal, with a stable id', () => {
  const a = proposalsFromCauses(
    [
      { incident: incident('i1', 'OOMKilled'), cause: cause('i1', [memory]) },
      { incident: incident('i2', 'CrashLoopBackOff'), cause: cause('i2', [memory]) },
    ],
    uidOf,
  );
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.incidents, ['i1', 'i2']);
  const b = proposalsFromCauses([{ incident: incident('i1', 'OOMKilled'), cause: cause('i1', [memory]) }], uidOf);
  assert.equal(a[0]!.id, b[0]!.id);
  const none = proposalsFromCauses(
    [{ incident: incident('i1', 'OOMKilled'), cause: cause('i1', [memory]) }],
    () => undefined,
  );
  assert.deepEqual(none, [], 'a target whose uid is unknown gets no proposal');
});

test('risk tiers: scale-down, selectors and optional config are high; scale-up low; an image medium', () => {
  const tier = (
    edits: { path: string; value: string | number | boolean; previous?: string | number | boolean }[],
    kind = 'Deployment',
  ) => {
    const change = { kind: 'patch' as const, edits, patch: {} };
    return riskOf(change, { kind }, fixKindOf(change, { kind })).risk;
  };
  assert.equal(tier([{ path: 'spec.replicas', value: 2, previous: 4 }]), 'high');
  assert.equal(tier([{ path: 'spec.replicas', value: 5, previous: 4 }]), 'low');
  assert.equal(tier([{ path: "spec.selector['app']", value: 'checkout', previous: 'chekout' }], 'Service'), 'high');
  assert.equal(
    tier([
      {
        path: 'spec.template.spec.containers[name=o].env[name=DB].valueFrom.secretKeyRef.optional',
        value: true,
        previous: false,
      },
    ]),
    'high',
  );
  assert.equal(
    tier([{ path: 'spec.template.spec.containers[name=o].image', value: 'a:1', previous: 'a:2' }]),
    'medium',
  );
  assert.equal(tier([{ path: 'spec.maxReplicas', value: 6, previous: 3 }], 'HorizontalPodAutoscaler'), 'low');
  assert.equal(
    tier([
      { path: 'spec.template.spec.containers[name=api].resources.limits.memory', value: '64Mi', previous: '128Mi' },
    ]),
    'medium',
    'lowering a limit is not "raise a limit"',
  );
});

function record(
  category: string,
  fixKind: Proposal['fixKind'],
  result: 'resolved' | 'unresolved' | 'regressed',
): ChangeRecord {
  return {
    id: `c-${Math.random()}`,
    status: 'applied',
    at: '2026-01-01T00:00:00Z',
    who: 'dev',
    context: 'c',
    server: 's',
    proposal: { category, fixKind } as Proposal,
    verdict: { result: 'pass', planHash: '', verifiedAt: '', checks: [] },
    plan: {} as ChangeRecord['plan'],
    before: {},
    outcome: { result, detail: '', rollout: 'complete', confounders: [], newIncidents: [], judgedAt: '', elapsedMs: 0 },
  };
}

test('learned success rates re-rank proposals as samples accumulate', () => {
  const changes = [
    record('memory-limit', 'revision-rollback', 'resolved'),
    record('memory-limit', 'revision-rollback', 'resolved'),
    record('memory-limit', 'revision-rollback', 'resolved'),
    record('memory-limit', 'memory-limit', 'unresolved'),
    record('memory-limit', 'memory-limit', 'regressed'),
    record('memory-limit', 'memory-limit', 'unresolved'),
  ];
  const rates = successRates(changes);
  assert.deepEqual(rates.rateOf('memory-limit', 'memory-limit'), { rate: 0, samples: 3 });
  assert.deepEqual(rates.rateOf('memory-limit', 'revision-rollback'), { rate: 1, samples: 3 });
  const fixes = [memory, { summary: 'Roll back to revision 1', rollbackToRevision: 1 }];
  const plain = proposalsFromCauses([{ incident: incident('i1', 'OOMKilled'), cause: cause('i1', fixes) }], uidOf);
  assert.equal(plain[0]!.fixKind, 'memory-limit');
  const learned = proposalsFromCauses(
    [{ incident: incident('i1', 'OOMKilled'), cause: cause('i1', fixes) }],
    uidOf,
    rates,
  );
  assert.equal(learned[0]!.fixKind, 'revision-rollback');
  assert.deepEqual(learned[0]!.successRate, { rate: 1, samples: 3 });
  assert.ok(scoreOf(0.9, 0, 'low') > scoreOf(0.9, 1, 'low'));
});
