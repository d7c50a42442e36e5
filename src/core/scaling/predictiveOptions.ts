// The options of the default (predictive) policy. One set for every workload: each is relative (to the
// observed demand, its own rises, or the HPA's spending), none is a replica count or a rate.

export interface PredictiveOptions {
  /** Utilization above which a tick violates the SLO. */
  sloUtilization: number;
  /** Seconds from creating a pod to it being ready. */
  startupSeconds: number;
  /** Never provision below the demand observed in this many seconds before the newest observation. */
  holdSeconds: number;
  /**
   * Spans the demand a rise is measured from may be the most of: the newest observation (15 s) up to
   * the hold window. Each sizes the headroom at the same quantile of its own rises; the cheapest speaks.
   */
  baseWindowSeconds: readonly number[];
  /** Seconds of observations a trend line is fitted through, for one more base: the demand extrapolated (0: none). */
  trendSeconds: number;
  /** Half-life, in seconds, of the weight of a past rise in the distribution the headroom is read from. */
  riseHalfLifeSeconds: number;
  /** Rises seen before the distribution is trusted; until then the policy provisions what the HPA would. */
  minRises: number;
  /** Quantiles of the rises the headroom may be read at, lowest first; the budget picks one. */
  riseQuantiles: readonly number[];
  /** The quantile of the rises a count below the HPA's must cover once the policy has violated less than the HPA (until then, the largest rise). */
  saveQuantile: number;
  /** Seconds for which the count asked for by a decision keeps pods from being removed. */
  regretSeconds: number;
  /** Share of the HPA's replica-hours kept in the bank: below it the quantile steps down, above it up. */
  costReserve: number;
  /** Violating ticks beyond the HPA's the policy may risk before it has earned any (see `HpaLedger`). */
  violationAllowance: number;
}

export const PREDICTIVE_DEFAULTS: PredictiveOptions = {
  sloUtilization: 0.9,
  startupSeconds: 60,
  holdSeconds: 360,
  baseWindowSeconds: [15, 60, 180, 360],
  trendSeconds: 180,
  riseHalfLifeSeconds: 6 * 3600,
  minRises: 40,
  riseQuantiles: [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999],
  saveQuantile: 0.999,
  regretSeconds: 60,
  costReserve: 0.03,
  violationAllowance: 5,
};
