// The capacity a scale-down loses, against the workload's current demand: fewer replicas (or a
// lower HPA ceiling) must still serve the recent peak below the SLO utilization the scaler uses.
// Unknown demand or per-replica capacity is inconclusive, never a pass.
import type { Observation } from '../scaling/policy';
import type { CapacityFinding } from './capacity';

/** Above this utilization of the CPU request the scaling policies count an SLO miss. */
export const SLO_UTILIZATION = 0.9;
/** The demand that counts: the peak of the last 5 minutes (20 metrics intervals of 15 s). */
export const DEMAND_WINDOW_TICKS = 20;

export interface ScaleDownInput {
  /** What is lowered: the workload's replicas, or its HPA's minimum or maximum. */
  field: 'replicas' | 'hpa-min' | 'hpa-max';
  before: number;
  after: number;
  /** The workload's demand as the scaling policies observe it (CPU cores), oldest first. */
  history: readonly Observation[];
  /** CPU cores one replica requests (its capacity), undefined when a container requests none. */
  perReplica: number | undefined;
  /** Replicas running now (ready pods, or an HPA's current count): only those are capacity that can be lost. */
  current?: number;
}

/** Recent peak demand (cores) and the span it covers, or undefined without observations. */
export function recentDemand(history: readonly Observation[]): { peak: number; ticks: number } | undefined {
  const window = history.slice(-DEMAND_WINDOW_TICKS).filter((o) => Number.isFinite(o.rps));
  if (window.length === 0) return undefined;
  return { peak: window.reduce((m, o) => Math.max(m, o.rps), 0), ticks: window.length };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** The scale-down finding, or undefined when the change lowers nothing. */
export function scaleDownCheck(input: ScaleDownInput): CapacityFinding | undefined {
  if (!(input.after < input.before)) return undefined;
  const what =
    input.field === 'replicas'
      ? `replicas ${input.before} → ${input.after}`
      : `the autoscaler's ${input.field === 'hpa-min' ? 'minimum' : 'maximum'} ${input.before} → ${input.after}`;
  const demand = recentDemand(input.history);
  const evidence: string[] = [`scale-down: ${what}`];
  if (input.field === 'hpa-min') {
    const limit = input.current !== undefined ? ` (running ${input.current})` : '';
    return {
      result: 'pass',
      detail: `lowering the autoscaler's floor to ${input.after} loses no capacity at once${limit}: it still scales up on demand`,
      evidence,
      warnings: [],
    };
  }
  if (input.current !== undefined && input.after >= input.current)
    return {
      result: 'pass',
      detail: `${what} loses no running replica: ${input.current} run now (the rest were never created or ready)`,
      evidence,
      warnings: [],
    };
  if (input.perReplica === undefined || !(input.perReplica > 0))
    return {
      result: 'inconclusive',
      detail: `the capacity lost by ${what} is unknown: a container of the workload requests no CPU`,
      evidence,
      warnings: [],
    };
  if (!demand)
    return {
      result: 'inconclusive',
      detail: `the capacity lost by ${what} cannot be weighed: no recent demand of the workload is known (metrics)`,
      evidence,
      warnings: [],
    };
  const left = input.after * input.perReplica;
  const utilization = demand.peak / left;
  const needed = Math.max(1, Math.ceil(demand.peak / (input.perReplica * SLO_UTILIZATION)));
  evidence.push(
    `peak demand over the last ${Math.round((demand.ticks * 15) / 60)} min: ${demand.peak.toFixed(3)} cores`,
    `capacity before: ${(input.before * input.perReplica).toFixed(3)} cores (${input.before} × ${input.perReplica.toFixed(3)})`,
    `capacity left: ${left.toFixed(3)} cores (${input.after} × ${input.perReplica.toFixed(3)}), utilization ${pct(utilization)}`,
  );
  if (utilization > SLO_UTILIZATION)
    return {
      result: 'fail',
      detail: `after ${what} the recent peak demand (${demand.peak.toFixed(2)} cores) would run at ${pct(utilization)} of the capacity left, above ${pct(SLO_UTILIZATION)}: it needs ${needed} replicas`,
      evidence,
      warnings: [],
    };
  return {
    result: 'pass',
    detail: `after ${what} the recent peak demand runs at ${pct(utilization)} of the capacity left (${needed} replica${needed === 1 ? '' : 's'} needed)`,
    evidence,
    warnings: [],
  };
}

/** Two findings of one check as one: the worse result, both details and their evidence. */
export function mergeFindings(a: CapacityFinding, b: CapacityFinding): CapacityFinding {
  const rank = { fail: 3, inconclusive: 2, pass: 1, skipped: 0 } as const;
  const worse = rank[b.result] > rank[a.result] ? b : a;
  return {
    result: worse.result,
    detail: worse === b ? `${b.detail}; ${a.detail}` : `${a.detail}; ${b.detail}`,
    evidence: [...a.evidence, ...b.evidence],
    warnings: [...a.warnings, ...b.warnings],
  };
}
