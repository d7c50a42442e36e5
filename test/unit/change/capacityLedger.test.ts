// Fit, quota and disruption after the rollout, computed from a snapshot; and the ledger folded into
// changes, with what a rollback may undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  disruptionCheck,
  fitCheck,
  predictedHpaReplicas,
  quotaCheck,
  rolloutBudget,
  type CapacityInput,
} from '../../../src/core/change/capacity';
import { laterChangesOnFields } from '../../../src/core/change/ledgerFold';
import { ClusterSnapshot } from '../../../src/core/model/snapshot';
import { Ledger } from '../../../src/agent/ledger';
import { LEDGER_VERSION, type IntentEntry, type Proposal, type WritePlan } from '../../../src/core/model/proposal';
import { addApp, container, node, quota, template } from '../detect/fixtures';

function setup(): { snapshot: ClusterSnapshot; input: (over: Partial<CapacityInput>) => CapacityInput } {
  const snapshot = new ClusterSnapshot();
  snapshot.upsert('Node', node('node-1', { allocatable: { cpu: '2', memory: '1Gi', pods: '110' } }));
  const app = addApp(snapshot, 'api', { replicas: 2 });
  const input = (over: Partial<CapacityInput>): CapacityInput => ({
    snapshot,
    namespace: 'shop',
    current: app.pods,
    newTemplate: undefined,
    currentTemplate: app.deployment.template,
    replicasBefore: 2,
    replicasAfter: 2,
    maxSurge: 1,
    maxUnavailable: 0,
    ...over,
  });
  return { snapshot, input };
}

test('fit: new requests that fit after the old pods go pass; too large fails; no nodes visible is inconclusive', () => {
  const { snapshot, input } = setup();
  const big = (memory: string) =>
    template({
      labels: { app: 'api' },
      containers: [container({ resources: { requests: { cpu: '100m', memory }, limits: {} } })],
    });
  assert.equal(fitCheck(input({ newTemplate: big('400Mi') })).result, 'pass');
  const tooBig = fitCheck(input({ newTemplate: big('700Mi') }));
  assert.equal(tooBig.result, 'fail');
  assert.match(tooBig.detail, /only 1 of 2 new pods fit/);
  assert.equal(fitCheck(input({})).result, 'skipped', 'the same pods, no new template');
  snapshot.remove('Node', '', 'node-1');
  assert.equal(fitCheck(input({ newTemplate: big('100Mi') })).result, 'inconclusive');
});

test('quota: after the rollout = used − replaced + new; the surge with maxUnavailable 0 stalls', () => {
  const { snapshot, input } = setup();
  snapshot.upsert(
    'ResourceQuota',
    quota('mem', { 'requests.memory': '600Mi', pods: '3' }, { 'requests.memory': '256Mi', pods: '2' }),
  );
  const t = (memory: string) =>
    template({
      labels: { app: 'api' },
      containers: [container({ resources: { requests: { cpu: '100m', memory }, limits: {} } })],
    });
  assert.equal(quotaCheck(input({ newTemplate: t('200Mi'), maxSurge: 0, maxUnavailable: 1 })).result, 'pass');
  const over = quotaCheck(input({ newTemplate: t('400Mi'), maxSurge: 0, maxUnavailable: 1 }));
  assert.equal(over.result, 'fail');
  assert.match(over.detail, /requests\.memory 800Mi > 600Mi/);
  const stall = quotaCheck(input({ newTemplate: t('200Mi'), maxSurge: 2, maxUnavailable: 0 }));
  assert.equal(stall.result, 'fail');
  assert.match(stall.detail, /rollout would stall/);
  assert.equal(quotaCheck(input({ replicasAfter: 4 })).result, 'fail', 'scaling to 4 pods breaks pods: 3');
});

test('disruption: a scale-down that leaves a PDB without allowance fails', () => {
  const { snapshot, input } = setup();
  snapshot.upsert('PodDisruptionBudget', {
    meta: {
      namespace: 'shop',
      name: 'api',
      uid: 'pdb',
      labels: {},
      annotations: {},
      owners: [],
      createdAt: '',
      generation: 1,
    },
    minAvailable: '1',
    selector: { app: 'api' },
    selectorExpressions: [],
    currentHealthy: 2,
    desiredHealthy: 1,
    disruptionsAllowed: 1,
    expectedPods: 2,
    observedGeneration: 1,
    conditions: [],
  });
  assert.equal(disruptionCheck(input({ replicasAfter: 1 })).result, 'fail');
  assert.equal(disruptionCheck(input({ replicasAfter: 3 })).result, 'pass');
  assert.deepEqual(rolloutBudget(4, undefined), { maxSurge: 1, maxUnavailable: 1 });
  assert.deepEqual(rolloutBudget(2, { maxSurge: 0, maxUnavailable: 0 }), { maxSurge: 1, maxUnavailable: 0 });
  assert.equal(predictedHpaReplicas(900, 100, 50, 1, 10), 10);
  assert.equal(predictedHpaReplicas(900, 600, 50, 1, 10), 3);
});

function intent(id: string, at: string, fields: string[], uid = 'u1'): IntentEntry {
  return {
    v: LEDGER_VERSION,
    type: 'intent',
    changeId: id,
    at,
    who: 'dev',
    context: 'c',
    server: 's',
    proposal: { fields, summary: id } as Proposal,
    verdict: { result: 'pass', planHash: 'h', verifiedAt: at, checks: [] },
    plan: { target: { kind: 'Deployment', namespace: 'shop', name: 'api', uid, apiVersion: 'apps/v1' } } as WritePlan,
    before: {},
  };
}

test('ledger: locked appends fold into changes; damaged lines are skipped; only the newest change of a field is undoable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-ledger-'));
  const ledger = new Ledger('cluster-1', dir);
  let fired = 0;
  ledger.onDidChange(() => fired++);
  ledger.append(intent('c-1', '2026-01-01T00:00:01Z', ['spec.replicas']));
  ledger.append({
    v: LEDGER_VERSION,
    type: 'applied',
    changeId: 'c-1',
    at: '2026-01-01T00:00:02Z',
    after: {},
    generation: 2,
    resourceVersion: '9',
    manifest: 'cluster-only',
  });
  appendFileSync(ledger.file, '{not json\n');
  ledger.append(intent('c-2', '2026-01-01T00:00:03Z', ['spec.replicas']));
  ledger.append({
    v: LEDGER_VERSION,
    type: 'applied',
    changeId: 'c-2',
    at: '2026-01-01T00:00:04Z',
    after: {},
    generation: 3,
    resourceVersion: '10',
    manifest: 'cluster-only',
  });
  ledger.append(intent('c-3', '2026-01-01T00:00:05Z', ['spec.template.spec.containers[name=api].image']));
  assert.equal(fired, 5);
  assert.equal(ledger.entries().skipped, 1);
  const changes = ledger.changes();
  assert.deepEqual(
    changes.map((c) => [c.id, c.status]),
    [
      ['c-3', 'pending'],
      ['c-2', 'applied'],
      ['c-1', 'applied'],
    ],
  );
  assert.deepEqual(
    laterChangesOnFields(
      changes,
      changes.find((c) => c.id === 'c-1')!,
    ).map((c) => c.id),
    ['c-2'],
  );
  assert.deepEqual(
    laterChangesOnFields(
      changes,
      changes.find((c) => c.id === 'c-2')!,
    ),
    [],
  );
  assert.equal(readFileSync(ledger.file, 'utf8').trim().split('\n').length, 6);
});
