import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recommendResources, weightedPercentile } from '../../../src/core/scaling/rightSizing';
import type { ResourceSample } from '../../../src/core/model/usageHistory';

const MiB = 1024 * 1024;

test('weighted percentiles pick the smallest value reaching the share', () => {
  assert.equal(weightedPercentile([1, 2, 3, 4], [1, 1, 1, 1], 0.5), 2);
  assert.equal(weightedPercentile([1, 2, 3, 4], [1, 1, 1, 1], 0.9), 4);
  assert.equal(weightedPercentile([1, 10], [9, 1], 0.9), 1);
});

test('requests come from decayed percentiles plus a margin, with reasoning', () => {
  const samples: ResourceSample[] = [];
  for (let i = 0; i < 100; i++) samples.push({ t: i * 60, cpu: i >= 10 ? 0.2 : 1.0, memory: 200 * MiB + i * MiB });
  const r = recommendResources(samples);
  assert.ok(Math.abs(r.cpuRequest - 0.2 * 1.15) < 1e-9, String(r.cpuRequest));
  assert.ok(Math.abs(r.cpuLimit - 1.0 * 1.15) < 1e-9);
  assert.ok(Math.abs(r.memoryLimit - 299 * MiB * 1.15) < 1);
  assert.equal(r.oomBumped, false);
  assert.equal(r.reasoning.length, 4);
  assert.match(r.reasoning[0]!, /p90 of 100 samples/);
});

test('old samples weigh less than recent ones', () => {
  const day = 86400;
  const samples: ResourceSample[] = [];
  for (let i = 0; i < 50; i++) samples.push({ t: i, cpu: 2, memory: MiB * 100 });
  for (let i = 0; i < 50; i++) samples.push({ t: 10 * day + i, cpu: 0.5, memory: MiB * 100 });
  assert.ok(Math.abs(recommendResources(samples).cpuRequest - 0.5 * 1.15) < 1e-9);
});

test('an OOM kill bumps memory by 20 % or 100 MiB, whichever is more', () => {
  const samples: ResourceSample[] = [{ t: 0, cpu: 0.1, memory: 100 * MiB }];
  const r = recommendResources(samples, [{ t: 0, memory: 128 * MiB }]);
  assert.equal(r.oomBumped, true);
  assert.equal(r.memoryLimit, 228 * MiB);
  assert.ok(r.memoryRequest >= 228 * MiB);
  assert.match(r.reasoning.at(-1)!, /OOM kill/);
  const big = recommendResources(samples, [{ t: 0, memory: 2048 * MiB }]);
  assert.ok(Math.abs(big.memoryLimit - 2048 * MiB * 1.2) < 1);
});

test('no history keeps the minimums and says so', () => {
  const r = recommendResources([]);
  assert.equal(r.samples, 0);
  assert.match(r.reasoning[0]!, /No usage history/);
});
