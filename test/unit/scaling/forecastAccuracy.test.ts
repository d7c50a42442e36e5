import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeAccuracy, forecastAccuracy, type PastForecast } from '../../../src/core/scaling/forecastAccuracy';
import { proposeScaling } from '../../../src/core/scaling/scalingProposal';
import type { Observation } from '../../../src/core/scaling/policy';

const obs = (values: number[]): Observation[] => values.map((rps, i) => ({ t: i * 15, rps, ready: 2, rho: 0.5 }));
const point = (t: number, median: number, lower = median, upper = median) => ({
  t,
  mean: median,
  median,
  lower,
  upper,
});

test('a forecast that matched the demand has no error and full coverage', () => {
  const history = obs([10, 12, 14, 16, 18]);
  const forecasts: PastForecast[] = [
    { t: 0, points: [point(15, 12), point(30, 14)] },
    { t: 15, points: [point(30, 14), point(45, 16)] },
  ];
  const a = forecastAccuracy(forecasts, history)!;
  assert.equal(a.samples, 4);
  assert.equal(a.forecasts, 2);
  assert.equal(a.weightedError, 0);
  assert.equal(a.coverage, 1);
  assert.equal(a.above, 0);
  assert.equal(a.bias, 0);
});

test('error, bias, and demand above the band are measured against what arrived', () => {
  const history = obs([10, 10, 20, 10]);
  const forecasts: PastForecast[] = [
    // At t=0: expected 12 next (band 8–14), 10 after (band 8–12); 10 then 20 arrived.
    { t: 0, points: [point(15, 12, 8, 14), point(30, 10, 8, 12)] },
    // Points at or before the forecast's own time, and past the history's end, are not compared.
    { t: 45, points: [point(45, 99), point(60, 99)] },
  ];
  const a = forecastAccuracy(forecasts, history)!;
  assert.equal(a.samples, 2);
  assert.equal(a.forecasts, 1, 'the forecast with nothing to compare is not counted');
  assert.ok(Math.abs(a.weightedError! - 12 / 30) < 1e-12, `|12-10| + |10-20| over 30: ${a.weightedError}`);
  assert.ok(Math.abs(a.bias! - -8 / 30) < 1e-12, 'ran low');
  assert.equal(a.coverage, 0.5);
  assert.equal(a.above, 0.5, 'the 20 went above the band');
  assert.match(
    describeAccuracy(a),
    /off by 40 % of the demand on average \(running low\).*inside the band 50 %.*above it 50 %/,
  );
});

test('nothing to compare: no accuracy rather than a made-up one', () => {
  assert.equal(forecastAccuracy([], obs([1, 2, 3])), undefined);
  assert.equal(forecastAccuracy([{ t: 0, points: [point(15, 1)] }], obs([1])), undefined);
  const zero = forecastAccuracy([{ t: 0, points: [point(15, 0)] }], obs([0, 0]))!;
  assert.equal(zero.weightedError, undefined, 'no demand: no relative error');
  assert.match(describeAccuracy(zero), /no demand to measure the error against/);
});

// A bursty workload: quiet, then bursts the policy learns to expect.
function bursty(n: number): Observation[] {
  return Array.from({ length: n }, (_, i) => {
    const rps = 100 + (i % 40 < 6 ? 120 : 0) + 10 * Math.sin(i / 7);
    return { t: i * 15, rps, ready: 5, rho: rps / (5 * 40) };
  });
}

test('a live proposal carries the accuracy of the forecasts made while its history was replayed', () => {
  const p = proposeScaling({ history: bursty(400), pods: 5, ready: 5 });
  const a = p.accuracy!;
  assert.ok(a.forecasts > 300 && a.samples > a.forecasts, `${a.forecasts} forecasts, ${a.samples} points`);
  assert.ok(a.weightedError !== undefined && a.weightedError > 0 && a.weightedError < 1, `${a.weightedError}`);
  assert.ok(a.coverage > 0 && a.coverage <= 1);
});

test('the cost objective runs no more than the HPA would; availability keeps the headroom', () => {
  // Just after a burst: the forecast keeps headroom for the next one, the HPA has already come down. The
  // default policy pays for a count above the HPA's from what it saved earlier, so the bursts follow a
  // quiet spell in which it ran fewer pods than the HPA.
  const history = Array.from({ length: 1890 }, (_, i): Observation => {
    const rps = 150 + (i >= 1500 && (i - 1500) % 40 < 6 ? 150 : 0) + 5 * Math.sin(i / 7);
    return { t: i * 15, rps, ready: 5, rho: rps / (5 * 40) };
  });
  const availability = proposeScaling({ history, pods: 5, ready: 5 });
  const cost = proposeScaling({ history, pods: 5, ready: 5, objective: 'cost' });
  assert.equal(availability.objective, 'availability', 'availability is the default');
  assert.equal(cost.objective, 'cost');
  const hpa = Number(/The HPA on the same demand would run (\d+)/.exec(cost.reason)?.[1]);
  assert.ok(Number.isFinite(hpa), cost.reason);
  assert.ok(cost.replicas <= Math.max(1, hpa), `cost ${cost.replicas} ≤ HPA ${hpa}`);
  assert.ok(availability.replicas > cost.replicas, `${availability.replicas} > ${cost.replicas}`);
  assert.match(cost.reason, /The objective is cost: \d+ replicas, what the HPA would run/);
});

test('a flat forecast is not counted as missed by noise under 1 % of the demand', () => {
  const history = obs([120, 120.01, 119.99, 126]);
  const a = forecastAccuracy([{ t: 0, points: [point(15, 120), point(30, 120), point(45, 120)] }], history)!;
  assert.equal(a.samples, 3);
  assert.equal(a.coverage, 2 / 3, 'the two noisy points are inside');
  assert.equal(a.above, 1 / 3, 'the 5 % jump is above');
});
