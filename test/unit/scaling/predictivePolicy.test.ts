import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictivePolicy } from '../../../src/core/scaling/predictivePolicy';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import { capacityPerReplica, simulate } from '../../../src/core/scaling/simulator';
import { scoreTimeline } from '../../../src/core/scaling/scores';
import { syntheticTrace } from '../../../src/core/scaling/syntheticTraces';
import type { Observation, ScalingContext } from '../../../src/core/scaling/policy';

test('predictive respects the min and max replicas', () => {
  const history: Observation[] = [];
  const policy = new PredictivePolicy();
  for (let i = 0; i < 200; i++) {
    const rps = i < 100 ? 1 : 10_000;
    const ctx: ScalingContext = { t: i * 15, history, initial: { t: 0, rps: 1, ready: 3, rho: 0.1 }, pods: 3, ready: 3, minReplicas: 3, maxReplicas: 7 };
    const d = policy.decide(ctx);
    assert.ok(d >= 3 && d <= 7, `decision ${d} at tick ${i}`);
    history.push({ t: i * 15, rps, ready: 3, rho: rps / (3 * 10) });
  }
  assert.equal(policy.decide({ t: 3000, history, initial: history[0]!, pods: 7, ready: 7, minReplicas: 3, maxReplicas: 7 }), 7);
});

test('predictive holds when capacity cannot be inferred yet', () => {
  const policy = new PredictivePolicy();
  const zero: Observation = { t: 0, rps: 0, ready: 2, rho: 0 };
  assert.equal(policy.decide({ t: 15, history: [zero], initial: zero, pods: 2, ready: 2, minReplicas: 1, maxReplicas: 50 }), 2);
});

for (const shape of ['stepSurge', 'sawtooth', 'diurnal', 'slowRamp', 'slowDrift', 'stepDown', 'weekly'] as const) {
  test(`predictive beats the HPA on the synthetic ${shape} trace`, () => {
    const rps = syntheticTrace(shape, 5760, 11);
    const c = capacityPerReplica(rps);
    const hpa = scoreTimeline(simulate(rps, new HpaPolicy(), c));
    const pred = scoreTimeline(simulate(rps, new PredictivePolicy(), c));
    assert.ok(pred.replicaHours <= hpa.replicaHours, `replica-hours ${pred.replicaHours} vs hpa ${hpa.replicaHours}`);
    assert.ok(pred.sloViolationPct <= hpa.sloViolationPct, `violations ${pred.sloViolationPct} vs hpa ${hpa.sloViolationPct}`);
  });
}
