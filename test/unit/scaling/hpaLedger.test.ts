// The default policy's guarantees against the HPA, proved as properties on random and adversarial
// series rather than on the benchmark's seeds: the HPA replica is the simulator's HPA tick for tick
// whatever the policy beside it does; any proposal the account clamps costs no more than the HPA and
// violates at most the allowance more; the default policy adds no violation on demand already seen; and
// an adversary that sees every decision and puts the demand where it hurts cannot break them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CapacityEstimate, utilizationAt } from '../../../src/core/scaling/capacityEstimate';
import { HpaLedger } from '../../../src/core/scaling/hpaLedger';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import { seededRandom, type Random } from '../../../src/core/learning/seededRandom';
import { PredictivePolicy } from '../../../src/core/scaling/predictivePolicy';
import { ReplicaModel } from '../../../src/core/scaling/replicaModel';
import { barScores, type BarScores } from '../../../src/core/scaling/scores';
import { capacityPerReplica, simulate, type Timeline } from '../../../src/core/scaling/simulator';
import { familyTrace, TRACE_FAMILIES, TUNING_SEEDS } from '../../../src/core/scaling/syntheticTraces';
import type { Observation, ScalingContext, ScalingPolicy } from '../../../src/core/scaling/policy';

const ALLOWANCE = new PredictivePolicy().options.violationAllowance;

/** Seeds drawn for these properties only: neither the tuning seeds nor the held-aside ones. */
const PROPERTY_SEEDS = [101, 202, 303, 404];

/** Series built to hurt: jumps from nothing, square waves, spikes past 50 replicas, exact-fraction rates. */
function adversarialTraces(seed: number, ticks = 2500): Record<string, Float64Array> {
  const r = seededRandom(seed);
  const walk = new Float64Array(ticks);
  const square = new Float64Array(ticks);
  const overload = new Float64Array(ticks);
  const fractions = new Float64Array(ticks);
  let level = 100;
  for (let i = 0; i < ticks; i++) {
    if (r() < 0.02) level = r() < 0.5 ? level * (1 + 4 * r()) : level / (1 + 4 * r());
    level = Math.min(1e5, Math.max(0.5, level * (1 + 0.05 * (r() - 0.5))));
    walk[i] = r() < 0.01 ? 0 : level;
    square[i] = Math.floor(i / (5 + Math.floor(r() * 3))) % 2 === 0 ? 40 : 40 * (1.1 + r());
    overload[i] = i % 700 < 10 ? 5000 : 50 + 20 * r();
    // Counts over 15 s, so rates and the capacity are exact fractions and boundaries are hit exactly.
    fractions[i] = Math.floor(r() * (i % 300 < 150 ? 40 : 160)) / 15;
  }
  return { walk, square, overload, fractions };
}

function* allTraces(): Generator<[string, Float64Array]> {
  for (const seed of PROPERTY_SEEDS) {
    for (const family of TRACE_FAMILIES) yield [`${family}:${seed}`, familyTrace(family, seed, 2500)];
    for (const [name, rps] of Object.entries(adversarialTraces(seed))) yield [`${name}:${seed}`, rps];
  }
}

/** A policy that proposes random counts (sticky, with jumps), through the account when `clamped`. */
class RandomProposer implements ScalingPolicy {
  readonly name = 'random';
  readonly ledger = new HpaLedger(60, 0.9, ALLOWANCE);
  readonly hpaPods: number[] = [];
  private consumed = 0;
  private want = 1;

  constructor(
    private readonly random: Random,
    private readonly clamped: boolean,
  ) {}

  decide(ctx: ScalingContext): number {
    const fresh = ctx.history.slice(this.consumed);
    this.consumed = ctx.history.length;
    this.ledger.observe(ctx.initial, fresh);
    const bounds = this.ledger.bounds(ctx.t, ctx.initial, fresh[fresh.length - 1], ctx.minReplicas, ctx.maxReplicas);
    this.hpaPods.push(bounds.hpa);
    if (this.random() < 0.2) this.want = 1 + Math.floor(this.random() * 50);
    const d = this.clamped ? Math.min(bounds.upper, Math.max(bounds.lower, this.want)) : this.want;
    this.ledger.commit(ctx.t, d);
    return d;
  }
}

function podTicks(run: Timeline, upTo = run.pods.length): number {
  let sum = 0;
  for (let i = 0; i < upTo; i++) sum += run.pods[i]!;
  return sum;
}

function assertGuarantees(name: string, own: BarScores, hpa: BarScores, seen: boolean): void {
  assert.ok(own.replicaHours <= hpa.replicaHours, `${name}: replica-hours ${own.replicaHours} > ${hpa.replicaHours}`);
  assert.ok(own.viol <= hpa.viol + ALLOWANCE, `${name}: viol ${own.viol} > ${hpa.viol} + ${ALLOWANCE}`);
  if (seen) assert.ok(own.seenViol <= hpa.seenViol, `${name}: seenViol ${own.seenViol} > ${hpa.seenViol}`);
}

test('the HPA replica is the simulator’s HPA tick for tick, whatever the policy beside it does', () => {
  for (const [name, rps] of allTraces()) {
    const capacity = capacityPerReplica(rps);
    const hpa = simulate(rps, new HpaPolicy(), capacity);
    const policy = new RandomProposer(seededRandom(name.length * 7 + rps.length), false);
    simulate(rps, policy, capacity);
    assert.deepEqual(policy.hpaPods, [...hpa.pods], `${name}: the replica's pods differ from the HPA run`);
    assert.equal(policy.ledger.shadow.ambiguous, 0, `${name}: a utilization the capacity could not pin down`);
    assert.equal(policy.ledger.capacity.restartCount, 0, `${name}: the capacity estimate lost the true capacity`);
    const bounds = policy.ledger.capacity.bounds;
    if (bounds) assert.ok(bounds.lo <= capacity && capacity <= bounds.hi, `${name}: capacity outside its bounds`);
  }
});

test('any proposal clamped by the account: cost no more than the HPA at every tick, violations within the allowance', () => {
  for (const [name, rps] of allTraces()) {
    const capacity = capacityPerReplica(rps);
    const hpa = simulate(rps, new HpaPolicy(), capacity);
    const run = simulate(rps, new RandomProposer(seededRandom(rps.length + name.length), true), capacity);
    for (let i = 1; i <= rps.length; i += 97)
      assert.ok(podTicks(run, i) <= podTicks(hpa, i), `${name}: more pod-ticks than the HPA after ${i} ticks`);
    assertGuarantees(name, barScores(run), barScores(hpa), false);
  }
});

test('the default policy: cost, violations and violations on demand already seen against the HPA', () => {
  for (const [name, rps] of allTraces()) {
    const capacity = capacityPerReplica(rps);
    const own = barScores(simulate(rps, new PredictivePolicy(), capacity));
    assertGuarantees(name, own, barScores(simulate(rps, new HpaPolicy(), capacity)), true);
  }
});

/**
 * Runs `policy` and the HPA side by side on demand chosen tick by tick after both have decided: inside
 * the gap whenever the policy has fewer ready pods than the HPA (so it violates and the HPA does not),
 * else from `base`. Returns the violating ticks of each, counted from 60 s on, and their pod-ticks.
 */
function adversary(policy: ScalingPolicy, base: (i: number) => number, ticks: number) {
  const capacity = 10;
  const counts = { own: { viol: 0, pods: 0 }, hpa: { viol: 0, pods: 0 } };
  const sides = [
    { policy, model: new ReplicaModel(60, 4), history: [] as Observation[], tally: counts.own },
    { policy: new HpaPolicy(), model: new ReplicaModel(60, 4), history: [] as Observation[], tally: counts.hpa },
  ];
  const initial: Observation = { t: 0, rps: 30, ready: 4, rho: utilizationAt(30, 4, capacity) };
  for (let i = 0; i < ticks; i++) {
    const t = i * 15;
    const ready = sides.map((s) => {
      const want = s.policy.decide({
        t,
        history: s.history,
        initial,
        pods: s.model.pods,
        ready: s.model.readyBy(t),
        minReplicas: 1,
        maxReplicas: 50,
      });
      s.tally.pods += want;
      return s.model.apply(t, want);
    });
    const [mine, theirs] = ready as [number, number];
    const rps = i === 0 ? 30 : mine < theirs ? 0.9 * capacity * (mine + 0.5) : base(i);
    sides.forEach((s, k) => {
      const rho = utilizationAt(rps, ready[k]!, capacity);
      if (t >= 60 && rho > 0.9) s.tally.viol++;
      s.history.push({ t, rps, ready: ready[k]!, rho });
    });
  }
  return counts;
}

test('an adversary that sees every decision and aims at the gap cannot push past the allowance or the cost', () => {
  for (const seed of PROPERTY_SEEDS) {
    const r = seededRandom(seed);
    const wave = (i: number) => 30 + 25 * Math.sin(i / 40) + 10 * r();
    for (const policy of [new PredictivePolicy(), new RandomProposer(seededRandom(seed), true)]) {
      const { own, hpa } = adversary(policy, wave, 3000);
      assert.ok(own.pods <= hpa.pods, `${policy.name} ${seed}: pod-ticks ${own.pods} > ${hpa.pods}`);
      assert.ok(own.viol <= hpa.viol + ALLOWANCE, `${policy.name} ${seed}: viol ${own.viol} > ${hpa.viol} + allowance`);
    }
  }
});

test('the default policy on the tuning seeds: never above the HPA on cost or on violations of seen demand', () => {
  for (const family of TRACE_FAMILIES) {
    const rps = familyTrace(family, TUNING_SEEDS[0]!);
    const capacity = capacityPerReplica(rps);
    const own = barScores(simulate(rps, new PredictivePolicy(), capacity));
    assertGuarantees(family, own, barScores(simulate(rps, new HpaPolicy(), capacity)), true);
  }
});

test('the capacity estimate: the true capacity stays inside, and another ready count is judged bit for bit', () => {
  const r = seededRandom(7);
  for (const capacity of [0.1, 1 / 3, 2.5, 17.3, 1e4 / 7]) {
    const estimate = new CapacityEstimate();
    for (let i = 0; i < 200; i++) {
      const rps = Math.floor(r() * 1000) / 15;
      const ready = 1 + Math.floor(r() * 50);
      const obs = { t: i * 15, rps, ready, rho: utilizationAt(rps, ready, capacity) };
      estimate.observe(obs);
      const other = 1 + Math.floor(r() * 50);
      const judged = estimate.utilization(obs, other)!;
      assert.equal(judged.low, judged.high, `capacity ${capacity}: utilization at ${other} ready is pinned down`);
      assert.equal(judged.low, utilizationAt(rps, other, capacity));
    }
    const { lo, hi } = estimate.bounds!;
    assert.ok(lo <= capacity && capacity <= hi);
    assert.ok(estimate.replicasFor(9 * capacity, 0.9)! >= 10, 'a tie at the boundary is rounded up');
  }
  const estimate = new CapacityEstimate();
  estimate.observe({ t: 0, rps: 10, ready: 2, rho: 0.5 });
  estimate.observe({ t: 15, rps: 10, ready: 2, rho: 0.25 });
  assert.equal(estimate.restartCount, 1, 'a changed capacity restarts the estimate');
  assert.equal(estimate.utilization({ t: 15, rps: 10, ready: 2, rho: 0.25 }, 4)!.low, 0.125);
});
