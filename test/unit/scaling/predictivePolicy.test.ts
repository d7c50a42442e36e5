import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PREDICTIVE_DEFAULTS, PredictivePolicy } from '../../../src/core/scaling/predictivePolicy';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import { capacityPerReplica, simulate } from '../../../src/core/scaling/simulator';
import { scoreTimeline } from '../../../src/core/scaling/scores';
import { syntheticTrace } from '../../../src/core/scaling/syntheticTraces';
import type { Forecast } from '../../../src/core/scaling/forecast';
import type { Observation, ScalingContext, ScalingPolicy } from '../../../src/core/scaling/policy';

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

/** Simulates `policy` on `rps` and returns, per tick, the forecast it decided on. */
function forecasts(rps: Float64Array, policy: PredictivePolicy): (Forecast | undefined)[] {
  const out: (Forecast | undefined)[] = [];
  const recording: ScalingPolicy = {
    name: policy.name,
    decide(ctx) {
      const d = policy.decide(ctx);
      out.push(policy.decision?.forecast);
      return d;
    },
  };
  simulate(rps, recording, capacityPerReplica(rps));
  return out;
}

test('the seasonal model speaks on a daily cycle once a day of history exists, and forecasts its ramps better', () => {
  const day = 5760;
  const rps = syntheticTrace('diurnal', 3 * day, 11);
  const seasonal = forecasts(rps, new PredictivePolicy());
  const plain = forecasts(rps, new PredictivePolicy({ models: PREDICTIVE_DEFAULTS.models.filter((m) => !m.seasonal) }));
  assert.ok(seasonal.slice(0, day).every((f) => f?.seasonal !== true), 'not before a day of history');
  const lastDay = seasonal.slice(2 * day);
  const share = lastDay.filter((f) => f?.seasonal).length / lastDay.length;
  assert.ok(share > 0.5, `seasonal model speaks on ${(100 * share).toFixed(1)} % of the third day`);
  // The ramps of the third day: the steepest third of its ticks. Error of the forecast for the tick
  // pods created now are ready at (the last point, 60 s ahead).
  const slopeAt = (i: number) => Math.abs(rps[Math.min(rps.length - 1, i + 40)]! - rps[Math.max(0, i - 40)]!);
  const ticks = Array.from({ length: day - 5 }, (_, k) => 2 * day + k);
  const steep = [...ticks].sort((a, b) => slopeAt(b) - slopeAt(a)).slice(0, Math.floor(ticks.length / 3));
  const error = (all: (Forecast | undefined)[]) => {
    let sum = 0;
    for (const i of steep) {
      const p = all[i]!.points[4]!;
      sum += Math.abs(p.mean - rps[p.t / 15]!);
    }
    return sum / steep.length;
  };
  /** How far the forecast trails the ramp: positive when it is behind (below a rise, above a fall). */
  const bias = (all: (Forecast | undefined)[]) => {
    let sum = 0;
    for (const i of steep) {
      const p = all[i]!.points[4]!;
      const up = rps[Math.min(rps.length - 1, i + 40)]! > rps[Math.max(0, i - 40)]!;
      sum += (up ? 1 : -1) * (rps[p.t / 15]! - p.mean);
    }
    return sum / steep.length;
  };
  // Both errors include the tick's own noise; the level + trend models also lag the ramp, the seasonal one does not.
  const [withSeason, without] = [error(seasonal), error(plain)];
  assert.ok(withSeason < 0.95 * without, `mean error on the ramps ${withSeason.toFixed(3)} with the seasonal model vs ${without.toFixed(3)} without`);
  const [lagWith, lagWithout] = [bias(seasonal), bias(plain)];
  assert.ok(lagWithout > 0.3, `the level + trend models lag the ramps by ${lagWithout.toFixed(3)} req/s`);
  assert.ok(Math.abs(lagWith) < 0.25 * lagWithout, `lag on the ramps ${lagWith.toFixed(3)} req/s with the seasonal model vs ${lagWithout.toFixed(3)} without`);
});
