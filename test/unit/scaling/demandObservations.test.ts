import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demandObservations } from '../../../src/core/scaling/demandObservations';
import { proposeScaling } from '../../../src/core/scaling/scalingProposal';
import type { Observation } from '../../../src/core/scaling/policy';

const grid = (n: number, value: (i: number) => number, t0 = 1_000_005) =>
  Array.from({ length: n }, (_, i) => ({ t: t0 + 15 * i, value: value(i) }));

test('with a threshold, capacity per replica is the threshold at the target utilization', () => {
  const demand = grid(40, () => 120);
  const d = demandObservations({ demand, cpu: [], readyNow: 3, threshold: 50, sloUtilization: 0.9, tickSeconds: 15 });
  assert.equal(d.capacity, 'threshold');
  assert.equal(d.observations.length, 40);
  const proposal = proposeScaling({ history: d.observations, pods: 3, ready: 3 });
  assert.ok(Math.abs(proposal.replicaCapacity! - 50) < 1e-9, `capacity ${proposal.replicaCapacity}`);
  assert.ok(proposal.replicas >= 3, '120 req/s at 50 per replica needs 3');
});

test('without a threshold, capacity comes from requests per CPU core and the CPU request', () => {
  // 100 req/s on 2 pods using 0.5 cores in all with 0.5 cores requested each: rho 0.5, so one
  // pod serves 100 req/s at 100 % CPU, 90 at the 90 % target.
  const cpu: Observation[] = grid(40, () => 0).map((p) => ({ t: p.t + 3, rps: 0.5, ready: 2, rho: 0.5 }));
  const d = demandObservations({ demand: grid(40, () => 100), cpu, readyNow: 2, sloUtilization: 0.9, tickSeconds: 15 });
  assert.equal(d.capacity, 'cpu');
  assert.ok(d.observations.every((o) => o.rho === 0.5 && o.ready === 2));
  const proposal = proposeScaling({ history: d.observations, pods: 2, ready: 2 });
  assert.ok(Math.abs(proposal.replicaCapacity! - 90) < 1e-6, `capacity ${proposal.replicaCapacity}`);
});

test('no threshold and no CPU at the same time: capacity unknown, ready from the snapshot', () => {
  const cpu: Observation[] = [{ t: 1, rps: 1, ready: 5, rho: 0.5 }];
  const d = demandObservations({ demand: grid(5, () => 10), cpu, readyNow: 4, sloUtilization: 0.9, tickSeconds: 15 });
  assert.equal(d.capacity, 'unknown');
  assert.ok(d.observations.every((o) => Number.isNaN(o.rho) && o.ready === 4));
});

test('short gaps are bridged, long gaps restart the series, duplicates and negatives are tamed', () => {
  const demand = [
    { t: 0, value: 1 },
    { t: 15, value: 2 },
    { t: 15, value: 99 },
    { t: 60, value: -3 },
    { t: 200, value: 5 },
    { t: 215, value: Number.NaN },
    { t: 230, value: 6 },
  ];
  const d = demandObservations({ demand, cpu: [], readyNow: 1, sloUtilization: 0.9, tickSeconds: 15 });
  assert.equal(d.restartedAt, 200);
  assert.deepEqual(
    d.observations.map((o) => [o.t, o.rps]),
    [
      [200, 5],
      [215, 5],
      [230, 6],
    ],
  );
  const short = demandObservations({
    demand: demand.slice(0, 4),
    cpu: [],
    readyNow: 1,
    sloUtilization: 0.9,
    tickSeconds: 15,
  });
  assert.deepEqual(
    short.observations.map((o) => [o.t, o.rps]),
    [
      [0, 1],
      [15, 2],
      [30, 2],
      [45, 2],
      [60, 0],
    ],
  );
});
