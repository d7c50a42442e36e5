// A scale-down weighed against recent demand, and the "cluster only" marker: set at apply, cleared
// when the manifest holds the change or the change is rolled back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeFindings, scaleDownCheck } from '../../../src/core/change/scaleDown';
import { fieldsNotInManifest, manifestDocument } from '../../../src/core/change/manifestMatch';
import { foldLedger } from '../../../src/core/change/ledgerFold';
import { maskFieldValue } from '../../../src/core/change/templates';
import type { Observation } from '../../../src/core/scaling/policy';
import { LEDGER_VERSION, type LedgerEntry, type Proposal, type WritePlan } from '../../../src/core/model/proposal';

/** `cores` of demand per tick for the last `ticks` metrics intervals. */
const demand = (cores: number[], ready = 4): Observation[] =>
  cores.map((c, i) => ({ t: 15 * i, rps: c, ready, rho: c / (ready * 0.1) }));

test('scale-down: the capacity left must carry the recent peak below the SLO utilization', () => {
  const busy = demand([...Array(30).fill(0.1), 0.25, 0.2]);
  const fail = scaleDownCheck({ field: 'replicas', before: 4, after: 2, history: busy, perReplica: 0.1 })!;
  assert.equal(fail.result, 'fail');
  assert.match(fail.detail, /replicas 4 → 2 .*0\.25 cores.* 125 % .*needs 3 replicas/);
  assert.ok(fail.evidence.some((e) => /capacity left: 0\.200 cores/.test(e)));

  const ok = scaleDownCheck({ field: 'replicas', before: 4, after: 3, history: busy, perReplica: 0.1 })!;
  assert.equal(ok.result, 'pass', ok.detail);
  assert.match(ok.detail, /83 % of the capacity left/);

  // The peak counts only over the last 5 minutes: an old spike does not block.
  const oldSpike = demand([0.5, ...Array(25).fill(0.05)]);
  assert.equal(
    scaleDownCheck({ field: 'replicas', before: 4, after: 1, history: oldSpike, perReplica: 0.1 })!.result,
    'pass',
  );

  const lowerMax = scaleDownCheck({ field: 'hpa-max', before: 10, after: 2, history: busy, perReplica: 0.1 })!;
  assert.equal(lowerMax.result, 'fail');
  assert.match(lowerMax.detail, /autoscaler's maximum 10 → 2/);
  const lowerMin = scaleDownCheck({
    field: 'hpa-min',
    before: 3,
    after: 1,
    history: busy,
    perReplica: 0.1,
    current: 3,
  })!;
  assert.equal(lowerMin.result, 'pass');
  assert.match(lowerMin.detail, /still scales up on demand/);
});

test('scale-down: unknown demand or per-replica capacity is inconclusive, and a scale-up is not weighed', () => {
  const unknownDemand = scaleDownCheck({ field: 'replicas', before: 3, after: 1, history: [], perReplica: 0.1 })!;
  assert.equal(unknownDemand.result, 'inconclusive');
  assert.match(unknownDemand.detail, /no recent demand/);
  const noRequest = scaleDownCheck({
    field: 'replicas',
    before: 3,
    after: 1,
    history: demand([0.1]),
    perReplica: undefined,
  })!;
  assert.equal(noRequest.result, 'inconclusive');
  assert.match(noRequest.detail, /requests no CPU/);
  // Replicas that never ran (a quota refused them) are no capacity: scaling down to the running count loses nothing.
  const refused = scaleDownCheck({ field: 'replicas', before: 4, after: 2, history: [], perReplica: 0.1, current: 2 })!;
  assert.equal(refused.result, 'pass');
  assert.match(refused.detail, /loses no running replica: 2 run now/);
  assert.equal(
    scaleDownCheck({ field: 'replicas', before: 4, after: 2, history: [], perReplica: 0.1, current: 3 })!.result,
    'inconclusive',
  );
  assert.equal(scaleDownCheck({ field: 'replicas', before: 2, after: 3, history: [], perReplica: 0.1 }), undefined);
  assert.equal(scaleDownCheck({ field: 'replicas', before: 2, after: 2, history: [], perReplica: 0.1 }), undefined);
  const merged = mergeFindings(
    { result: 'pass', detail: 'every PodDisruptionBudget keeps disruptions allowed', evidence: ['a'], warnings: [] },
    unknownDemand,
  );
  assert.equal(merged.result, 'inconclusive');
  assert.match(merged.detail, /^the capacity lost .*; every PodDisruptionBudget/);
  assert.deepEqual(merged.evidence.slice(0, 1), ['a']);
});

const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: other
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 4
  template:
    spec:
      containers:
        - name: api
          image: shop/api:1.2
          env:
            - name: TOKEN
              value: s3cret
          resources:
            limits:
              memory: 0.25Gi
`;

test('manifest match: the fields the change wrote, quantities by amount and masked values by hash', () => {
  const object = manifestDocument(manifest, 1);
  const limit = 'spec.template.spec.containers[name=api].resources.limits.memory';
  const env = 'spec.template.spec.containers[name=api].env[name=TOKEN].value';
  const after = {
    'spec.replicas': { present: true as const, value: 4 },
    [limit]: { present: true as const, value: '256Mi' },
    [env]: { present: true as const, value: maskFieldValue(env, 's3cret') },
  };
  assert.deepEqual(fieldsNotInManifest({ after }, object), []);
  assert.deepEqual(fieldsNotInManifest({ after: { ...after, 'spec.replicas': { present: true, value: 5 } } }, object), [
    'spec.replicas',
  ]);
  assert.deepEqual(
    fieldsNotInManifest({ after: { [env]: { present: true, value: maskFieldValue(env, 'other') } } }, object),
    [env],
  );
  assert.deepEqual(
    fieldsNotInManifest({ after: { 'spec.paused': { present: false } } }, object),
    [],
    'a field the change removed is absent from the manifest too',
  );
  assert.deepEqual(fieldsNotInManifest({ after: { 'spec.template': { present: true, value: {} } } }, object), [
    'spec.template',
  ]);
  assert.equal(manifestDocument('a: [', 0), undefined);
  assert.equal(manifestDocument(manifest, 7), undefined);
});

const plan = {
  target: { kind: 'Deployment', namespace: 'shop', name: 'api', uid: 'u1', apiVersion: 'apps/v1' },
} as WritePlan;
const at = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}Z`;
const intent = (changeId: string, s: number, rollbackOf?: string): LedgerEntry => ({
  v: LEDGER_VERSION,
  type: 'intent',
  changeId,
  at: at(s),
  who: 'dev',
  context: 'c',
  server: 's',
  proposal: { fields: ['spec.replicas'], summary: changeId } as Proposal,
  verdict: { result: 'pass', planHash: 'h', verifiedAt: at(s), checks: [] },
  plan,
  before: {},
  ...(rollbackOf ? { rollbackOf } : {}),
});
const applied = (changeId: string, s: number): LedgerEntry => ({
  v: LEDGER_VERSION,
  type: 'applied',
  changeId,
  at: at(s),
  after: { 'spec.replicas': { present: true, value: 3 } },
  generation: 2,
  resourceVersion: '1',
  manifest: 'cluster-only',
});
const marker = (entries: LedgerEntry[]) =>
  Object.fromEntries(foldLedger(entries).map((c) => [c.id, c.manifest ?? 'none']));

test('cluster only: set at apply, cleared when the manifest holds the change, and gone with a rollback', () => {
  assert.deepEqual(marker([intent('c-1', 1), applied('c-1', 2)]), { 'c-1': 'cluster-only' });
  const matched: LedgerEntry = {
    v: LEDGER_VERSION,
    type: 'manifest',
    changeId: 'c-1',
    at: at(3),
    manifest: 'matches',
    file: 'k8s/api.yaml',
  };
  assert.deepEqual(marker([intent('c-1', 1), applied('c-1', 2), matched]), { 'c-1': 'matches' });

  // Rolled back while cluster only: the cluster is back to the manifest, so neither change is "cluster only".
  const rollback = [intent('c-1', 1), applied('c-1', 2), intent('c-2', 4, 'c-1'), applied('c-2', 5)];
  const rolledBack: LedgerEntry = { v: LEDGER_VERSION, type: 'rolledBack', changeId: 'c-1', at: at(5), by: 'c-2' };
  assert.deepEqual(marker([...rollback, rolledBack]), { 'c-1': 'none', 'c-2': 'matches' });

  // Rolled back after the manifest took the change: now the rollback is the cluster-only one.
  assert.deepEqual(marker([intent('c-1', 1), applied('c-1', 2), matched, ...rollback.slice(2), rolledBack]), {
    'c-1': 'none',
    'c-2': 'cluster-only',
  });
  // The editor's own finding on the rollback wins.
  const rollbackMatched: LedgerEntry = { ...matched, changeId: 'c-2', at: at(6) };
  assert.deepEqual(
    marker([intent('c-1', 1), applied('c-1', 2), matched, ...rollback.slice(2), rolledBack, rollbackMatched]),
    {
      'c-1': 'none',
      'c-2': 'matches',
    },
  );
});
