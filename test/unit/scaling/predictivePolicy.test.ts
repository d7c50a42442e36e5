import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictivePolicy } from '../../../src/core/scaling/predictivePolicy';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import { DecayingQuantile } from '../../../src/core/scaling/decayingQuantile';
import { capacityPerReplica, oracleReplicas, simulate } from '../../../src/core/scaling/simulator';
import { barScores } from '../../../src/core/scaling/scores';
import { familyTrace, TRACE_FAMILIES, TUNING_SEEDS } from '../../../src/core/scaling/syntheticTraces';
import type { Observation, ScalingContext, ScalingPolicy } from '../../../src/core/scaling/policy';

test('predictive respects the min and max replicas', () => {
  const history: Observation[] = [];
  const policy = new PredictivePolicy();
  for (let i = 0; i < 200; i++) {
    const rps = i < 100 ? 1 : 10_000;
    const ctx: ScalingContext = {
      t: i * 15,
      history,
      initial: { t: 0, rps: 1, ready: 3, rho: 0.1 },
      pods: 3,
      ready: 3,
      minReplicas: 3,
      maxReplicas: 7,
    };
    const d = policy.decide(ctx);
    assert.ok(d >= 3 && d <= 7, `decision ${d} at tick ${i}`);
    history.push({ t: i * 15, rps, ready: 3, rho: rps / (3 * 10) });
  }
  assert.equal(
    policy.decide({ t: 3000, history, initial: history[0]!, pods: 7, ready: 7, minReplicas: 3, maxReplicas: 7 }),
    7,
  );
});

test('predictive does what the HPA does while no load has shown what a replica serves', () => {
  const zero: Observation = { t: 0, rps: 0, ready: 2, rho: 0 };
  const ctx: ScalingContext = {
    t: 15,
    history: [zero],
    initial: zero,
    pods: 2,
    ready: 2,
    minReplicas: 1,
    maxReplicas: 50,
  };
  assert.equal(new PredictivePolicy().decide(ctx), new HpaPolicy().decide(ctx));
});

/** Runs `policy` on `rps` under the benchmark's rules and returns its decisions. */
function decisions(rps: Float64Array, policy: ScalingPolicy, capacity = capacityPerReplica(rps)): number[] {
  return [...simulate(rps, policy, capacity).desired];
}

test('causality: the decisions up to a tick are identical when the trace after it changes', () => {
  for (const family of TRACE_FAMILIES) {
    const rps = familyTrace(family, TUNING_SEEDS[0]!, 2000);
    const capacity = capacityPerReplica(rps);
    const cut = 1200;
    const changed = rps.slice();
    for (let i = cut + 1; i < changed.length; i++) changed[i] = i % 3 === 0 ? 0 : changed[i]! * 7 + 50;
    const a = decisions(rps, new PredictivePolicy(), capacity);
    const b = decisions(changed, new PredictivePolicy(), capacity);
    // The decision at tick cut + 1 is the first to see tick cut + 1... it sees up to tick cut.
    assert.deepEqual(b.slice(0, cut + 2), a.slice(0, cut + 2), `${family}: decisions up to tick ${cut + 1}`);
    assert.notDeepEqual(b.slice(cut + 2), a.slice(cut + 2), `${family}: the change is seen afterwards`);
  }
});

test('never below the demand observed in the last 360 s unless at the HPA or above, so seen demand violates no more', () => {
  for (const family of TRACE_FAMILIES) {
    const rps = familyTrace(family, TUNING_SEEDS[1]!, 4000);
    const capacity = capacityPerReplica(rps);
    const run = simulate(rps, new PredictivePolicy(), capacity);
    const hpa = simulate(rps, new HpaPolicy(), capacity);
    for (let t = 1; t < rps.length; t++) {
      let seen = 0;
      for (let u = Math.max(0, t - 24); u < t; u++) seen = Math.max(seen, oracleReplicas(rps[u]!, capacity));
      assert.ok(
        run.desired[t]! >= Math.min(seen, hpa.desired[t]!),
        `${family} tick ${t}: desired ${run.desired[t]} below the ${seen} replicas seen in the last 24 ticks and the HPA's ${hpa.desired[t]}`,
      );
    }
    const scores = barScores(run);
    assert.ok(
      scores.seenViol <= barScores(hpa).seenViol,
      `${family}: ${scores.seenViol} violations on demand already seen`,
    );
  }
});

test('a jump is answered at the next decision, held for 360 s, then covered while the budget under the HPA allows', () => {
  // Capacity 10 req/s per replica; 100 req/s for 400 ticks, 400 req/s for 10 ticks, then 100 again.
  const rates = [
    ...Array.from({ length: 400 }, (_, i) => 100 + ((i * 7) % 5)),
    ...Array.from({ length: 10 }, () => 400),
    ...Array.from({ length: 80 }, () => 100),
  ];
  const policy = new PredictivePolicy();
  const history: Observation[] = [];
  let pods = 12;
  const out: number[] = [];
  for (let i = 0; i < rates.length; i++) {
    const d = policy.decide({
      t: i * 15,
      history,
      initial: { t: 0, rps: rates[0]!, ready: pods, rho: rates[0]! / (pods * 10) },
      pods,
      ready: pods,
      minReplicas: 1,
      maxReplicas: 50,
    });
    out.push(d);
    pods = d;
    history.push({ t: i * 15, rps: rates[i]!, ready: pods, rho: rates[i]! / (pods * 10) });
  }
  assert.ok(out[400]! < 40, `nothing announces the jump at tick 400, got ${out[400]}`);
  assert.ok(out[401]! >= Math.ceil(400 / 9), `sized for 400 req/s at the first decision that sees it, got ${out[401]}`);
  // The last tick at 400 req/s is 409: it is held while it is in the newest 24 observations (decisions 410..433).
  assert.ok(
    out.slice(410, 434).every((d) => d >= Math.ceil(400 / 9)),
    'held for 360 s',
  );
  const after = policy.decision!;
  assert.ok(after.hold <= Math.ceil(105 / 9), `the hold has let go of the jump, ${after.hold}`);
  // The fourfold rise is now one the workload makes: headroom for it is kept while the policy has spent
  // less than the HPA would have, and given back as the budget runs out (the quantile steps down).
  assert.ok(
    out.slice(434, 440).some((d) => d >= Math.ceil(400 / 9)),
    'headroom for a rise seen lately',
  );
  assert.ok(
    out[out.length - 1]! < Math.ceil(400 / 9),
    `given back when the budget ran out, got ${out[out.length - 1]}`,
  );
  assert.ok(after.forecast.quantile < 0.999, `quantile stepped down to ${after.forecast.quantile}`);
  assert.ok(after.forecast.errorSamples > 400);
});

test('decaying quantiles: exact to a bin, and the recent samples weigh more', () => {
  const q = new DecayingQuantile(1e9);
  for (let i = 1; i <= 1000; i++) q.push(1 + i / 1000);
  const p90 = q.quantile(0.9);
  assert.ok(p90 >= 1.9 && p90 <= 1.9 * 1.011, `p90 ${p90}`);
  assert.ok(q.quantile(1) >= 2 && q.quantile(1) <= 2 * 1.011);
  assert.ok(Math.abs(q.shareAbove(1.5) - 0.5) < 0.02);
  const recent = new DecayingQuantile(100);
  for (let i = 0; i < 2000; i++) recent.push(3);
  for (let i = 0; i < 1000; i++) recent.push(1.1);
  assert.ok(recent.quantile(0.99) < 1.2, 'old rises have faded after ten half-lives');
  assert.equal(new DecayingQuantile(10).quantile(0.5, 7), 7, 'fallback while empty');
});
