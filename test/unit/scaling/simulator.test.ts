import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  capacityPerReplica,
  oracleReplicas,
  replayPolicy,
  simulate,
  utilization,
} from '../../../src/core/scaling/simulator';
import { barScores, barVerdict, scoreTimeline } from '../../../src/core/scaling/scores';
import type { ScalingContext, ScalingPolicy } from '../../../src/core/scaling/policy';

// 100 ticks at rate 20 except one tick at 200: p99 (nearest rank) is 20, so C = 1 and oracle = ceil(rps / 0.9).
function flat(n: number, rate = 9): Float64Array {
  return new Float64Array(n).fill(rate);
}

test('capacity is the nearest-rank p99 over 20; oracle rounds up at 0.9 utilization', () => {
  const rps = flat(100, 20);
  rps[5] = 200;
  assert.equal(capacityPerReplica(rps), 1);
  assert.equal(oracleReplicas(9, 1), 10);
  assert.equal(oracleReplicas(9.01, 1), 11);
  assert.equal(oracleReplicas(0, 1), 1);
  assert.equal(oracleReplicas(1000, 1), 50);
  assert.equal(utilization(5, 0, 1), Infinity);
  assert.equal(utilization(0, 0, 1), 0);
});

test('new pods become ready 60 s after creation and cost from creation', () => {
  const rps = flat(8);
  const run = simulate(rps, replayPolicy([10, 12, 12, 12, 12, 12, 12, 12]), 1);
  assert.deepEqual([...run.pods], [10, 12, 12, 12, 12, 12, 12, 12]);
  // created at t = 15, ready at t = 75 (tick 5)
  assert.deepEqual([...run.ready], [10, 10, 10, 10, 10, 12, 12, 12]);
  assert.equal(scoreTimeline(run).replicaHours, ((10 + 12 * 7) * 15) / 3600);
});

test('deletion removes not-ready pods first, youngest first', () => {
  const rps = flat(8);
  // start 10 ready; +2 at t=0 (ready t=60), +3 at t=15 (ready t=75); then down to 13 at t=30 removes the 2 youngest
  const run = simulate(rps, replayPolicy([12, 15, 13, 13, 13, 11, 11, 11]), 1);
  assert.deepEqual([...run.pods], [12, 15, 13, 13, 13, 11, 11, 11]);
  // t=60: the 2 pods of t=0 are ready -> 12; t=75: the one surviving pod of t=15 -> 13; t=75 also deletes 2 -> 11
  assert.deepEqual([...run.ready], [10, 10, 10, 10, 12, 11, 11, 11]);
});

test('deleting below the ready count removes ready pods at once, counted in the same tick', () => {
  const run = simulate(flat(3), replayPolicy([4, 4, 4]), 1);
  assert.deepEqual([...run.ready], [4, 4, 4]);
  const scores = scoreTimeline(run);
  assert.equal(scores.sloViolationPct, 100);
});

test('the service starts with oracle(0) ready pods and policies see metrics one tick late', () => {
  const rps = Float64Array.from([9, 18, 27, 36]);
  const seen: { t: number; last: number | undefined; pods: number; ready: number }[] = [];
  const spy: ScalingPolicy = {
    name: 'spy',
    decide(ctx: ScalingContext) {
      seen.push({ t: ctx.t, last: ctx.history.at(-1)?.t, pods: ctx.pods, ready: ctx.ready });
      assert.ok(ctx.history.every((o) => o.t <= ctx.t - 15));
      assert.equal(ctx.initial.ready, 10);
      return 10;
    },
  };
  simulate(rps, spy, 1);
  assert.deepEqual(
    seen.map((s) => s.last),
    [undefined, 0, 15, 30],
  );
  assert.deepEqual(seen[0], { t: 0, last: undefined, pods: 10, ready: 10 });
});

test('scores count actions, violations and the elasticity metrics', () => {
  const rps = Float64Array.from([9, 9, 18, 18]);
  const run = simulate(rps, replayPolicy([10, 20, 20, 20]), 1);
  const s = scoreTimeline(run);
  assert.equal(s.scalingActions, 1);
  assert.equal(s.sloViolationPct, 50);
  assert.equal(s.tauU, 50);
  assert.equal(s.thetaU, (100 / 4) * 2 * (10 / 20));
  assert.equal(s.tauO, 0);
});

test('a policy returning an out-of-range value is refused', () => {
  assert.throws(() => simulate(flat(2), replayPolicy([0, 1]), 1), /integer in \[1, 50\]/);
  assert.throws(() => simulate(flat(2), replayPolicy([51, 1]), 1), /integer in \[1, 50\]/);
});

test('the bar: no more viol, no more seenViol, no more replica-hours than the HPA', () => {
  const hpa = { viol: 10, seenViol: 2, replicaHours: 100 };
  assert.deepEqual(barVerdict({ viol: 10, seenViol: 2, replicaHours: 100 }, hpa), { met: true, text: 'bar met' });
  assert.equal(barVerdict({ viol: 11, seenViol: 0, replicaHours: 90 }, hpa).text, "not met: viol 11 > the HPA's 10");
  assert.equal(barVerdict({ viol: 3, seenViol: 3, replicaHours: 90 }, hpa).text, "not met: seenViol 3 > the HPA's 2");
  assert.equal(
    barVerdict({ viol: 0, seenViol: 0, replicaHours: 100.5 }, hpa).text,
    "not met: replica-hours 100.50 > the HPA's 100.00",
  );
  assert.equal(
    barVerdict({ viol: 1, seenViol: 0, replicaHours: 1 }, { viol: 0, seenViol: 0, replicaHours: 1 }).met,
    false,
    'none where the HPA has none',
  );
});

test('bar scores: violations from t = 60 s on, seen when the need was met within [t - 360 s, t - 75 s]', () => {
  // Capacity 1: oracle = ceil(rps / 0.9). One ready replica throughout (serves 0.9 req/s).
  const n = 40;
  const rps = new Float64Array(n).fill(0.5);
  rps[2] = 0.95; // before t = 60 s: not counted
  rps[10] = 3; // the need (4) was not seen before: unseen
  rps[16] = 3; // 4 seen at tick 10, within [16 - 24, 16 - 5]: seen
  rps[30] = 4; // needs 5, more than anything in [6, 25]: unseen
  rps[33] = 4; // needs 5 as tick 30 did, but 30 > 33 - 5: not in the window, unseen
  const ones = new Int32Array(n).fill(1);
  const scores = barScores({ capacity: 1, rps, desired: ones, pods: ones, ready: ones });
  assert.equal(scores.viol, 4);
  assert.equal(scores.seenViol, 1);
  assert.equal(scores.replicaHours, (n * 15) / 3600);
});
