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

// One day of each shape; on noisyLowRate (too short for the error model to settle) and nearZero it does not hold.
for (const shape of ['stepSurge', 'sawtooth', 'diurnal', 'slowRamp', 'slowDrift', 'stepDown', 'weekly', 'flashCrowds', 'burstyPoisson'] as const) {
  test(`predictive beats the HPA on the synthetic ${shape} trace`, () => {
    const rps = syntheticTrace(shape, 5760, 11);
    const c = capacityPerReplica(rps);
    const hpa = scoreTimeline(simulate(rps, new HpaPolicy(), c));
    const pred = scoreTimeline(simulate(rps, new PredictivePolicy(), c));
    assert.ok(pred.replicaHours <= hpa.replicaHours, `replica-hours ${pred.replicaHours} vs hpa ${hpa.replicaHours}`);
    assert.ok(pred.sloViolationPct <= hpa.sloViolationPct, `violations ${pred.sloViolationPct} vs hpa ${hpa.sloViolationPct}`);
  });
}

/** Runs `policy` on `rates` (one per tick) with a capacity of 10 req/s per replica; returns the decisions. */
function drive(policy: PredictivePolicy, rates: readonly number[], pods: number): number[] {
  const history: Observation[] = [];
  const initial: Observation = { t: 0, rps: rates[0]!, ready: pods, rho: rates[0]! / (pods * 10) };
  const out: number[] = [];
  for (let i = 0; i < rates.length; i++) {
    const d = policy.decide({ t: i * 15, history, initial, pods, ready: pods, minReplicas: 1, maxReplicas: 50 });
    out.push(d);
    pods = d;
    history.push({ t: i * 15, rps: rates[i]!, ready: pods, rho: rates[i]! / (pods * 10) });
  }
  return out;
}

test('predictive gives pods back one startup after a lasting drop, not after 300 s', () => {
  const rates = [...Array.from({ length: 400 }, (_, i) => 200 + 10 * Math.sin(i / 7)), ...Array.from({ length: 60 }, () => 50)];
  const decisions = drive(new PredictivePolicy(), rates, 25);
  const before = decisions[399]!;
  assert.ok(before >= Math.ceil(210 / 9), `sized for the high load, got ${before}`);
  // The drop is seen at tick 401; the policy holds for the ticks a removed pod could not be back for (60 s).
  const down = decisions.findIndex((d, i) => i > 400 && d <= 10);
  assert.ok(down > 400 && down <= 410, `scaled down at tick ${down}`);
  assert.ok(decisions.slice(401, 405).every((d) => d >= before), 'no pod removed within the startup hold');
});

test('predictive sizes a held-step series from its known step and reports its forecast', () => {
  // Each value holds for four ticks, like a 60 s trace on 15 s ticks.
  const rates = Array.from({ length: 800 }, (_, i) => 100 + 40 * Math.sin(Math.floor(i / 4) / 9));
  const policy = new PredictivePolicy();
  drive(policy, rates, 15);
  const decision = policy.decision!;
  assert.equal(decision.forecast.points.length, 5);
  assert.ok(Math.abs(decision.forecast.capacity! - 10) < 1e-9, 'capacity inferred from rho');
  const last = rates[799]!;
  // Tick 800 starts a new step; the three ticks before it were the known step of tick 796.
  for (const p of decision.forecast.points) assert.ok(p.lower <= p.median && p.median <= p.upper);
  assert.ok(decision.replicas >= Math.ceil(last / 9), `replicas ${decision.replicas} for ${last} req/s`);
});

test('predictive treats a jump beyond every past error as a surge and sizes for the new level', () => {
  // The jump is at tick 300; the decision at tick 301 is the first to see it.
  const rates = [...Array.from({ length: 300 }, (_, i) => 100 + ((i * 7) % 5)), 300, 300];
  const policy = new PredictivePolicy();
  const decisions = drive(policy, rates, 12);
  assert.ok(policy.decision!.forecast.surge, 'surge flagged');
  assert.ok(decisions[300]! < 20, `no surge before it is seen, got ${decisions[300]}`);
  assert.ok(decisions[301]! >= Math.ceil(300 / 9), `sized for 300 req/s after the jump, got ${decisions[301]}`);
});
