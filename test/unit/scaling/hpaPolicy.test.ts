import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import type { Observation, ScalingContext } from '../../../src/core/scaling/policy';

function ctx(t: number, last: Observation, pods: number): ScalingContext {
  return { t, history: [last], initial: last, pods, ready: pods, minReplicas: 1, maxReplicas: 50 };
}

const obs = (rho: number, ready: number): Observation => ({ t: 0, rps: rho * ready, ready, rho });

test('within 10 % of the target the HPA keeps the current replicas', () => {
  const hpa = new HpaPolicy();
  assert.equal(hpa.decide(ctx(15, obs(0.76, 10), 10)), 10);
  assert.equal(hpa.decide(ctx(30, obs(0.64, 10), 10)), 10);
});

test('outside the tolerance it scales by ceil(ready * m / 0.7)', () => {
  assert.equal(new HpaPolicy().decide(ctx(15, obs(0.8, 10), 10)), 12);
  // a fresh HPA has only this recommendation in its window, so it scales down at once
  assert.equal(new HpaPolicy().decide(ctx(15, obs(0.35, 10), 10)), 5);
});

test('scale-down waits for the highest recommendation of the last 300 s', () => {
  const hpa = new HpaPolicy();
  assert.equal(hpa.decide(ctx(0, obs(1.4, 10), 10)), 20);
  // load falls: recommendations 10 for 19 ticks are capped by the 20 still in the window
  for (let i = 1; i < 20; i++) assert.equal(hpa.decide(ctx(i * 15, obs(0.35, 20), 20)), 20, `tick ${i}`);
  // the 20 leaves the 20-tick window
  assert.equal(hpa.decide(ctx(20 * 15, obs(0.35, 20), 20)), 10);
});

test('scale-up is limited to max(2 * current, current + 4) per tick', () => {
  assert.equal(new HpaPolicy().decide(ctx(15, obs(5, 2), 2)), 6);
  assert.equal(new HpaPolicy().decide(ctx(15, obs(5, 10), 10)), 20);
  assert.equal(new HpaPolicy().decide(ctx(15, { t: 0, rps: 5, ready: 0, rho: Infinity }, 3)), 7);
});

test('zero ready pods under load recommends the maximum; no load recommends the minimum', () => {
  const hpa = new HpaPolicy();
  assert.equal(hpa.recommend(ctx(15, { t: 0, rps: 5, ready: 0, rho: Infinity }, 0)), 50);
  assert.equal(hpa.recommend(ctx(15, { t: 0, rps: 0, ready: 3, rho: 0 }, 3)), 1);
});
