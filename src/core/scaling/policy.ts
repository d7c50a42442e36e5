// The one interface every scaling policy implements: observations in, desired replicas out.

/** One metrics sample of a workload, as the simulator produces it and the live extension will. */
export interface Observation {
  /** Seconds since the start of the series. */
  t: number;
  /** Requests per second served by the workload. */
  rps: number;
  /** Ready replicas at `t`. */
  ready: number;
  /** Utilization of the ready replicas, `rps / (ready * capacityPerReplica)`; Infinity with load and no ready replica. */
  rho: number;
}

/** What a policy may see when it decides at time `t`. */
export interface ScalingContext {
  t: number;
  /** Observations of the ticks u <= t - 15 s (metrics lag one tick), oldest first. */
  history: readonly Observation[];
  /** The state the service started in; the only thing known at t = 0, when `history` is empty. */
  initial: Observation;
  /** Pods that exist now (ready or starting) and how many of them are ready, before the decision. */
  pods: number;
  ready: number;
  minReplicas: number;
  maxReplicas: number;
}

export interface ScalingPolicy {
  readonly name: string;
  /** Desired replicas at `ctx.t`: an integer in [ctx.minReplicas, ctx.maxReplicas]. */
  decide(ctx: ScalingContext): number;
}

export function clampReplicas(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return max;
  return Math.min(max, Math.max(min, Math.ceil(value - 1e-9)));
}
