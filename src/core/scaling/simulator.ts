// The simulated service of the scaling benchmark: 15 s ticks, one tick of metrics lag, pods ready
// 60 s after creation, deletions not-ready and youngest first, capacity from the trace's p99.
import type { Observation, ScalingContext, ScalingPolicy } from './policy';
import { TICK_SECONDS } from './trace';

export const STARTUP_SECONDS = 60;
export const SLO_UTILIZATION = 0.9;
export const MIN_REPLICAS = 1;
export const MAX_REPLICAS = 50;

/** Everything that happened at every tick of one run. */
export interface Timeline {
  capacity: number;
  rps: Float64Array;
  desired: Int32Array;
  pods: Int32Array;
  ready: Int32Array;
}

/** The nearest-rank percentile: the smallest value with at least `p` of the values at or below it. */
export function nearestRankPercentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

/** Capacity per replica: p99 (nearest rank) of the per-tick rate over the whole trace, divided by 20. */
export function capacityPerReplica(rps: ArrayLike<number>): number {
  return nearestRankPercentile(rps, 0.99) / 20;
}

export function utilization(rps: number, ready: number, capacity: number): number {
  if (rps <= 0) return 0;
  return ready <= 0 ? Infinity : rps / (ready * capacity);
}

/** The perfect-foresight replicas: just enough to stay at or under the SLO utilization. */
export function oracleReplicas(rps: number, capacity: number): number {
  const need = Math.ceil(rps / (SLO_UTILIZATION * capacity));
  return Math.min(MAX_REPLICAS, Math.max(MIN_REPLICAS, need));
}

export function oracleTimeline(rps: Float64Array, capacity = capacityPerReplica(rps)): Timeline {
  const n = rps.length;
  const desired = new Int32Array(n);
  for (let i = 0; i < n; i++) desired[i] = oracleReplicas(rps[i]!, capacity);
  return { capacity, rps, desired, pods: desired.slice(), ready: desired.slice() };
}

/** Runs `policy` over the per-tick rates under the benchmark's rules. */
export function simulate(rps: Float64Array, policy: ScalingPolicy, capacity = capacityPerReplica(rps)): Timeline {
  const n = rps.length;
  const desired = new Int32Array(n);
  const podsOut = new Int32Array(n);
  const readyOut = new Int32Array(n);
  const history: Observation[] = [];
  // Ready times of the live pods in creation order, so the youngest (and every starting pod) is last.
  const readyAt: number[] = [];
  const start = n > 0 ? oracleReplicas(rps[0]!, capacity) : MIN_REPLICAS;
  for (let i = 0; i < start; i++) readyAt.push(-Infinity);
  const initial: Observation = {
    t: 0,
    rps: n > 0 ? rps[0]! : 0,
    ready: start,
    rho: utilization(n > 0 ? rps[0]! : 0, start, capacity),
  };
  const ctx: ScalingContext = {
    t: 0,
    history,
    initial,
    pods: start,
    ready: start,
    minReplicas: MIN_REPLICAS,
    maxReplicas: MAX_REPLICAS,
  };
  for (let i = 0; i < n; i++) {
    const t = i * TICK_SECONDS;
    ctx.t = t;
    ctx.pods = readyAt.length;
    ctx.ready = countReady(readyAt, t);
    const want = policy.decide(ctx);
    if (!Number.isInteger(want) || want < MIN_REPLICAS || want > MAX_REPLICAS) {
      throw new Error(
        `policy ${policy.name} returned ${want} at t = ${t}; expected an integer in [${MIN_REPLICAS}, ${MAX_REPLICAS}]`,
      );
    }
    while (readyAt.length < want) readyAt.push(t + STARTUP_SECONDS);
    if (readyAt.length > want) readyAt.length = want;
    const ready = countReady(readyAt, t);
    desired[i] = want;
    podsOut[i] = readyAt.length;
    readyOut[i] = ready;
    history.push({ t, rps: rps[i]!, ready, rho: utilization(rps[i]!, ready, capacity) });
  }
  return { capacity, rps, desired, pods: podsOut, ready: readyOut };
}

function countReady(readyAt: number[], t: number): number {
  let notReady = 0;
  for (let k = readyAt.length - 1; k >= 0 && readyAt[k]! > t; k--) notReady++;
  return readyAt.length - notReady;
}

/** A policy that plays back a recorded `desired` column, to re-score a timeline. */
export function replayPolicy(desired: ArrayLike<number>): ScalingPolicy {
  return {
    name: 'replay',
    decide: (ctx) => {
      const value = desired[Math.round(ctx.t / TICK_SECONDS)];
      if (value === undefined) throw new Error(`no desired value for t = ${ctx.t}`);
      return value;
    },
  };
}
