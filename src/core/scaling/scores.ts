// The benchmark's scores of one run: SLO violations, cost against the oracle, churn, and the
// SPEC RG elasticity metrics with the oracle as demand and ready pods as supply.
import { oracleReplicas, SLO_UTILIZATION, utilization, type Timeline } from './simulator';
import { TICK_SECONDS } from './trace';

export interface Scores {
  ticks: number;
  sloViolationPct: number;
  replicaHours: number;
  costRatio: number;
  scalingActions: number;
  thetaU: number;
  thetaO: number;
  tauU: number;
  tauO: number;
}

export const SCORE_KEYS = [
  'sloViolationPct',
  'replicaHours',
  'costRatio',
  'scalingActions',
  'thetaU',
  'thetaO',
  'tauU',
  'tauO',
] as const;

export function scoreTimeline(run: Timeline): Scores {
  const n = run.rps.length;
  let violations = 0;
  let podTicks = 0;
  let oracleTicks = 0;
  let actions = 0;
  let under = 0;
  let over = 0;
  let underTicks = 0;
  let overTicks = 0;
  for (let i = 0; i < n; i++) {
    const rps = run.rps[i]!;
    const ready = run.ready[i]!;
    if (utilization(rps, ready, run.capacity) > SLO_UTILIZATION) violations++;
    podTicks += run.pods[i]!;
    const demand = oracleReplicas(rps, run.capacity);
    oracleTicks += demand;
    if (i > 0 && run.desired[i] !== run.desired[i - 1]) actions++;
    if (ready < demand) {
      under += (demand - ready) / demand;
      underTicks++;
    } else if (ready > demand) {
      over += (ready - demand) / demand;
      overTicks++;
    }
  }
  const hours = TICK_SECONDS / 3600;
  const pct = n > 0 ? 100 / n : 0;
  return {
    ticks: n,
    sloViolationPct: violations * pct,
    replicaHours: podTicks * hours,
    costRatio: oracleTicks > 0 ? podTicks / oracleTicks : 0,
    scalingActions: actions,
    thetaU: under * pct,
    thetaO: over * pct,
    tauU: underTicks * pct,
    tauO: overTicks * pct,
  };
}

/** Scores rounded as the benchmark's reference table shows them. */
export function roundScores(s: Scores): Scores {
  return {
    ticks: s.ticks,
    sloViolationPct: round(s.sloViolationPct, 3),
    replicaHours: round(s.replicaHours, 2),
    costRatio: round(s.costRatio, 4),
    scalingActions: s.scalingActions,
    thetaU: round(s.thetaU, 3),
    thetaO: round(s.thetaO, 3),
    tauU: round(s.tauU, 3),
    tauO: round(s.tauO, 3),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The figures the bar compares, counted as "The bar a default policy must meet" defines them. */
export interface BarScores {
  /** Violating ticks from t = 60 s on. */
  viol: number;
  /** Those of them whose demand had been seen in the 5 minutes before the decision point t - 75 s. */
  seenViol: number;
  /** Replica-hours over every tick, t = 0 included. */
  replicaHours: number;
}

/** Ticks before the first one a causal policy can have a pod ready beyond the start count (60 s). */
export const BAR_FROM_TICK = 60 / TICK_SECONDS;
/** The window of earlier demand a violation counts as seen against: oracle(u) for u in [t - 24, t - 5] ticks. */
export const SEEN_FROM_TICKS = 360 / TICK_SECONDS;
export const SEEN_TO_TICKS = 75 / TICK_SECONDS;

export function barScores(run: Timeline): BarScores {
  const n = run.rps.length;
  const oracle = new Int32Array(n);
  for (let i = 0; i < n; i++) oracle[i] = oracleReplicas(run.rps[i]!, run.capacity);
  let viol = 0;
  let seenViol = 0;
  let podTicks = 0;
  for (let i = 0; i < n; i++) {
    podTicks += run.pods[i]!;
    if (i < BAR_FROM_TICK || !(utilization(run.rps[i]!, run.ready[i]!, run.capacity) > SLO_UTILIZATION)) continue;
    viol++;
    let seen = -1;
    for (let u = Math.max(0, i - SEEN_FROM_TICKS); u <= i - SEEN_TO_TICKS; u++) seen = Math.max(seen, oracle[u]!);
    if (seen >= 0 && oracle[i]! <= seen) seenViol++;
  }
  return { viol, seenViol, replicaHours: podTicks * (TICK_SECONDS / 3600) };
}

/** Whether the default policy meets the bar against the HPA on one trace, and why not when it does not. */
export interface BarVerdict {
  met: boolean;
  text: string;
}

/** The bar: no more violations, no more violations on demand already seen, at no more replica-hours than the HPA. */
export function barVerdict(policy: BarScores, hpa: BarScores): BarVerdict {
  const why: string[] = [];
  if (policy.viol > hpa.viol) why.push(`viol ${policy.viol} > the HPA's ${hpa.viol}`);
  if (policy.seenViol > hpa.seenViol) why.push(`seenViol ${policy.seenViol} > the HPA's ${hpa.seenViol}`);
  if (policy.replicaHours > hpa.replicaHours + 1e-9) {
    why.push(`replica-hours ${policy.replicaHours.toFixed(2)} > the HPA's ${hpa.replicaHours.toFixed(2)}`);
  }
  return why.length === 0 ? { met: true, text: 'bar met' } : { met: false, text: `not met: ${why.join('; ')}` };
}

/**
 * The stretch figure: the mean of viol / the HPA's viol over the runs where the HPA has at least
 * `minHpaViol` violating ticks; undefined when there is none.
 */
export function stretchRatio(
  pairs: readonly { policy: BarScores; hpa: BarScores }[],
  minHpaViol = 20,
): number | undefined {
  const counted = pairs.filter((p) => p.hpa.viol >= minHpaViol);
  if (counted.length === 0) return undefined;
  return counted.reduce((sum, p) => sum + p.policy.viol / p.hpa.viol, 0) / counted.length;
}
