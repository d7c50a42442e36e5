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

export const SCORE_KEYS = ['sloViolationPct', 'replicaHours', 'costRatio', 'scalingActions', 'thetaU', 'thetaO', 'tauU', 'tauO'] as const;

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

/** Whether the default policy meets the bar against the HPA on one trace, and why not when it does not. */
export interface BarVerdict {
  met: boolean;
  text: string;
}

/**
 * The bar: at most half the HPA's violating ticks (none where the HPA has none) at no more than the
 * HPA's replica-hours.
 */
export function barVerdict(policy: Scores, hpa: Scores): BarVerdict {
  const why: string[] = [];
  if (hpa.sloViolationPct === 0) {
    if (policy.sloViolationPct > 0) why.push(`violations ${fmt(policy.sloViolationPct)} % where the HPA has none`);
  } else if (policy.sloViolationPct > hpa.sloViolationPct / 2) {
    why.push(`violations ${fmt(policy.sloViolationPct)} % > half the HPA's ${fmt(hpa.sloViolationPct)} %`);
  }
  if (policy.replicaHours > hpa.replicaHours) {
    why.push(`replica-hours ${policy.replicaHours.toFixed(2)} > the HPA's ${hpa.replicaHours.toFixed(2)}`);
  }
  return why.length === 0 ? { met: true, text: 'bar met' } : { met: false, text: `not met: ${why.join('; ')}` };
}

function fmt(pct: number): string {
  return String(Math.round(pct * 1000) / 1000);
}
