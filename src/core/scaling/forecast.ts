// The forecast a scaling decision rests on: the demand expected for every tick until pods created now
// are ready, read from the workload's own recent rises, with what the decision was made of.

export interface ForecastPoint {
  /** Seconds since the start of the series. */
  t: number;
  /** The median of the workload's past moves over this many ticks, applied to the newest demand. */
  mean: number;
  median: number;
  /** The low and high ends of the band: the rises' 1 % quantile and the quantile in force. */
  lower: number;
  upper: number;
}

export interface Forecast {
  points: ForecastPoint[];
  /** The demand the newest observation showed (requests per second, or cores for live CPU demand). */
  level: number;
  /** The most demand observed in the hold window: the count never goes below what it needs. */
  held: number;
  /** The quantile of the rises the headroom was read at, picked by the budget left under the shadow HPA. */
  quantile: number;
  /** The headroom over the newest demand at that quantile (1.2 = 20 %). */
  headroom: number;
  /** Demand one replica serves at utilization 1, inferred from the observations. */
  capacity: number | undefined;
  /** Rises the band rests on. */
  errorSamples: number;
}
