// Scaling proposals in the act loop: replicas or HPA bounds as a patch with its risk, and the
// replay of recorded demand under the current and the proposed setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposalFromScaling, replayScaling } from '../../../src/core/change/scalingPlan';
import type { Observation } from '../../../src/core/scaling/policy';
import type { ScalingProposal } from '../../../src/core/scaling/scalingProposal';

const demand = (n: number, peak: number): Observation[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * 15, rps: peak * (0.6 + 0.4 * Math.sin(i / 10)), ready: 2, rho: 0.5 }));

test('replay: more replicas for a demand the current count cannot carry pass; fewer fail; too little history is inconclusive', () => {
  const history = demand(240, 50);
  const up = replayScaling(history, { replicas: 2 }, { replicas: 6 }, 10);
  assert.equal(up.result, 'pass', up.detail);
  assert.match(up.evidence.join('\n'), /current: SLO violations [\d.]+ % of ticks/);
  const down = replayScaling(history, { replicas: 6 }, { replicas: 2 }, 10);
  assert.equal(down.result, 'fail');
  assert.equal(replayScaling(demand(10, 50), { replicas: 2 }, { replicas: 6 }, 10).result, 'inconclusive');
  const hpa = replayScaling(
    history,
    { hpa: { minReplicas: 1, maxReplicas: 3 } },
    { hpa: { minReplicas: 1, maxReplicas: 8 } },
    10,
  );
  assert.equal(hpa.result, 'pass', hpa.detail);
});

const scaling = (
  replicas: number,
  current: number,
  hpa?: { minReplicas: number; maxReplicas: number },
): ScalingProposal => ({
  replicas,
  currentReplicas: current,
  forecast: [],
  replicaCapacity: 10,
  reason: 'r',
  confidence: 0.7,
  objective: 'availability',
  ...(hpa ? { hpa } : {}),
});
const workload = { kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'u-web' };

test('a scaling proposal: spec.replicas on the workload, or the bounds on its HPA; none when nothing changes', () => {
  const up = proposalFromScaling(workload, scaling(5, 3))!;
  assert.deepEqual(up.change.kind === 'patch' && up.change.patch, { spec: { replicas: 5 } });
  assert.equal(up.risk, 'low');
  assert.equal(up.incidentType, 'Scaling');
  assert.equal(proposalFromScaling(workload, scaling(2, 3))!.risk, 'high', 'a scale-down loses capacity');
  assert.equal(proposalFromScaling(workload, scaling(3, 3)), undefined);
  const bounds = proposalFromScaling(workload, scaling(7, 3, { minReplicas: 2, maxReplicas: 7 }), {
    kind: 'HorizontalPodAutoscaler',
    namespace: 'shop',
    name: 'web',
    uid: 'u-hpa',
    minReplicas: 2,
    maxReplicas: 4,
  })!;
  assert.equal(bounds.target.kind, 'HorizontalPodAutoscaler');
  assert.deepEqual(bounds.fields, ['spec.maxReplicas']);
  assert.equal(bounds.fixKind, 'hpa');
});

test('replay by objective: fewer violations at more replica-hours pass for availability and fail for cost', () => {
  const history = demand(240, 50);
  const more = replayScaling(history, { replicas: 3 }, { replicas: 6 }, 10, 'availability');
  assert.equal(more.result, 'pass', more.detail);
  assert.match(more.detail, /the objective is availability, so the extra replica-hours are accepted/);
  const cost = replayScaling(history, { replicas: 3 }, { replicas: 6 }, 10, 'cost');
  assert.equal(cost.result, 'fail');
  assert.match(cost.detail, /the objective is cost and the proposed setting costs more replica-hours/);
  assert.ok(cost.evidence.includes('objective: cost'));
  // Cheaper and no worse on violations passes under either objective.
  const cheaper = replayScaling(history, { replicas: 12 }, { replicas: 8 }, 10, 'cost');
  assert.equal(cheaper.result, 'pass', cheaper.detail);
  // Any rise in violating ticks fails, whatever it saves.
  const worse = replayScaling(history, { replicas: 6 }, { replicas: 5 }, 10, 'cost');
  assert.equal(worse.result, 'fail', worse.detail);
  assert.match(worse.detail, /violates the SLO more often/);
});
