// The forecast a scaling decision rests on: the request rate expected for every tick until pods
// created now are ready, with its bounds and what produced it.

export interface ForecastPoint {
  /** Seconds since the start of the series. */
  t: number;
  /** The model's point forecast; the errors it made before are measured against it. */
  mean: number;
  /** The point forecast corrected by the median of its past errors: the central line to show. */
  median: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  points: ForecastPoint[];
  /** Index of the model that produced the points. */
  model: number;
  level: number;
  /** Change of the rate per observation step. */
  trend: number;
  /** Whether the points come from the daily seasonal model. */
  seasonal: boolean;
  surge: boolean;
  /** Requests per second one replica serves at utilization 1, inferred from the observations. */
  capacity: number | undefined;
  /** Past errors the bands rest on (fewest over horizons). */
  errorSamples: number;
}
