import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeScaling } from '../../../src/core/scaling/scalingProposal';
import { scalingChartData } from '../../../src/core/scaling/scalingChartData';
import type { Observation } from '../../../src/core/scaling/policy';

function rising(n: number): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const rps = 100 + i * 2;
    out.push({ t: i * 15, rps, ready: 5, rho: rps / (5 * 40) });
  }
  return out;
}

test('a proposal carries replicas, forecast with bounds, reason and confidence', () => {
  const p = proposeScaling({ history: rising(300), pods: 5, ready: 5, hpa: { minReplicas: 2, maxReplicas: 10 } });
  assert.ok(p.replicas > 5, `rising load should scale up, got ${p.replicas}`);
  assert.equal(p.forecast.length, 5);
  for (const point of p.forecast) assert.ok(point.lower <= point.median && point.median <= point.upper);
  assert.ok(p.forecast[4]!.median > 698, 'the trend carries forward');
  assert.ok(p.replicaCapacity && Math.abs(p.replicaCapacity - 36) < 1e-6);
  assert.match(p.reason, /Scale up 5 → \d+/);
  assert.ok(p.confidence > 0 && p.confidence <= 1);
  assert.ok(p.hpa && p.hpa.minReplicas >= 2 && p.hpa.maxReplicas >= p.replicas);
  const upper = Math.max(...p.forecast.map((f) => f.upper));
  assert.ok(p.replicas >= Math.ceil(upper / 36), 'enough replicas for the upper bound at 36 req/s each');
  assert.ok(p.replicas > 10);
  assert.equal(p.hpa.maxReplicas, p.replicas, 'the HPA ceiling of 10 is raised');
});

test('no load yet: hold with low confidence', () => {
  const history: Observation[] = [
    { t: 0, rps: 0, ready: 3, rho: 0 },
    { t: 15, rps: 0, ready: 3, rho: 0 },
  ];
  const p = proposeScaling({ history, pods: 3, ready: 3 });
  assert.equal(p.replicas, 3);
  assert.equal(p.hpa, undefined);
  assert.ok(p.confidence <= 0.1);
  assert.match(p.reason, /capacity is unknown/);
});

test('chart data: chart.js datasets for history, forecast band and proposal', () => {
  const history = rising(50);
  const p = proposeScaling({ history, pods: 5, ready: 5 });
  const chart = scalingChartData({ history, forecast: p.forecast, proposal: p, maxHistoryPoints: 20 });
  const labels = chart.datasets.map((d) => d.label);
  assert.deepEqual(labels.slice(0, 5), [
    'Requests/s',
    'Forecast upper',
    'Forecast lower',
    'Forecast',
    'Ready replicas',
  ]);
  assert.match(labels[5]!, /^Proposed replicas \(\d+\)$/);
  assert.equal(chart.datasets[0]!.data.length, 20);
  assert.deepEqual(chart.datasets[0]!.data[19], { x: 49 * 15, y: 198 });
  const forecast = chart.datasets[3]!;
  assert.equal(forecast.data.length, 6, 'anchored at the last observation');
  assert.equal(forecast.data[0]!.x, 49 * 15);
  assert.equal(chart.datasets[1]!.fill, '+1');
  assert.equal(chart.datasets[4]!.yAxisID, 'replicas');
  assert.doesNotThrow(() => JSON.stringify(chart));
});
