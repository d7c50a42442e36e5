import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountVariance } from '../../../src/core/scaling/countVariance';
import { StepDetector } from '../../../src/core/scaling/stepDetector';
import { seededRandom } from '../../../src/core/learning/seededRandom';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
}

test('count variance recovers a Poisson-like part at low levels and a multiplicative part at high ones', () => {
  const random = seededRandom(5);
  const fit = new CountVariance(0.9999);
  // True variance: 2·L + 0.01·L² over levels from 1 to 1000.
  for (let i = 0; i < 20_000; i++) {
    const level = Math.exp(random() * Math.log(1000));
    fit.push(level, gaussian(random) * Math.sqrt(2 * level + 0.01 * level * level));
  }
  // Unweighted least squares on squared errors (heavy-tailed): looser at the low end, where the squares are small.
  for (const [level, tolerance] of [[5, 0.3], [50, 0.2], [500, 0.1]] as const) {
    const truth = 2 * level + 0.01 * level * level;
    const got = fit.variance(level, 100);
    assert.ok(Math.abs(got / truth - 1) < tolerance, `variance at ${level}: ${got} vs ${truth}`);
  }
  // The linear (Poisson-like) term carries the low end: without it the variance at 5 would be 0.25.
  assert.ok(fit.coefficientsNow[1] > 0.5, `linear coefficient ${fit.coefficientsNow[1]}`);
  assert.ok(fit.coefficientsNow[2] > 0.005, `quadratic coefficient ${fit.coefficientsNow[2]}`);
  assert.ok(fit.coefficientsNow.every((c) => c >= 0));
});

test('count variance stays non-negative and starts at 15 % of the level', () => {
  const fit = new CountVariance(0.999);
  assert.ok(Math.abs(Math.sqrt(fit.variance(100, 100)) - 15) < 1e-9);
  for (let i = 0; i < 200; i++) fit.push(10 + (i % 50), i % 2 === 0 ? 0.1 : -0.1);
  assert.ok(fit.variance(1000, 30) > 0);
  assert.ok(fit.coefficientsNow.every((c) => c >= 0));
});

test('step detector finds a value held for four ticks, with its phase, and falls back to one tick', () => {
  const held = new StepDetector(240);
  for (let i = 0; i < 200; i++) held.push(Math.floor((i + 1) / 4) % 7);
  assert.equal(held.step, 4);
  assert.equal(held.phase, 3);
  const perTick = new StepDetector(240);
  for (let i = 0; i < 200; i++) perTick.push(i % 3 === 0 ? Math.floor(i / 12) : Math.floor(i / 12) + 0.5);
  assert.equal(perTick.step, 1);
  const early = new StepDetector(240);
  for (const v of [1, 1, 1, 1, 2, 2, 2, 2]) early.push(v);
  assert.equal(early.step, 1, 'one change is no evidence of a step');
});
