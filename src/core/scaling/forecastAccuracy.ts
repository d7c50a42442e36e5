// How good the forecast has been on this workload: every forecast the policy made while it replayed
// the history, held against the demand that then arrived. Users see it beside the proposal, so a
// band that has been missing the demand is not trusted blindly.
import type { ForecastPoint } from './forecast';
import type { Observation } from './policy';

/** Relative tolerance around the band's ends. */
const BAND_SLACK = 0.01;

/** The forecast made at one tick: its points are for the ticks after `t`. */
export interface PastForecast {
  t: number;
  points: readonly ForecastPoint[];
}

export interface ForecastAccuracy {
  /** Forecast points that could be compared with demand that arrived. */
  samples: number;
  /** Forecasts (ticks) those points came from. */
  forecasts: number;
  /** Sum of |median − actual| over sum of actual demand (0.1 = 10 % off), or undefined without demand. */
  weightedError: number | undefined;
  /** Share of compared points whose actual demand fell inside the forecast band [lower, upper]. */
  coverage: number;
  /** Share of compared points whose actual demand went above the band's upper end: the ones that hurt. */
  above: number;
  /** Sum of (median − actual) over sum of actual: above 0 the forecast ran high, below 0 low. */
  bias: number | undefined;
}

/** Compares each past forecast point with the observation at the same time (to within half a tick). */
export function forecastAccuracy(
  forecasts: readonly PastForecast[],
  history: readonly Observation[],
): ForecastAccuracy | undefined {
  if (history.length < 2) return undefined;
  const step = history[1]!.t - history[0]!.t;
  const tolerance = step > 0 ? step / 2 : 0;
  const first = history[0]!.t;
  const actualAt = (t: number): number | undefined => {
    if (!(step > 0)) return undefined;
    const i = Math.round((t - first) / step);
    const o = history[i];
    return o && Math.abs(o.t - t) <= tolerance && Number.isFinite(o.rps) ? o.rps : undefined;
  };
  let samples = 0;
  let used = 0;
  let absError = 0;
  let signedError = 0;
  let demand = 0;
  let inside = 0;
  let above = 0;
  for (const f of forecasts) {
    let compared = false;
    for (const p of f.points) {
      if (p.t <= f.t) continue;
      const actual = actualAt(p.t);
      if (actual === undefined) continue;
      compared = true;
      samples++;
      absError += Math.abs(p.median - actual);
      signedError += p.median - actual;
      demand += Math.abs(actual);
      // A band is judged to within 1 % of its own size: a flat forecast is not "missed" by measurement noise.
      const slack = BAND_SLACK * Math.max(Math.abs(p.upper), Math.abs(p.lower));
      if (actual > p.upper + slack) above++;
      else if (actual >= p.lower - slack) inside++;
    }
    if (compared) used++;
  }
  if (samples === 0) return undefined;
  return {
    samples,
    forecasts: used,
    weightedError: demand > 0 ? absError / demand : undefined,
    coverage: inside / samples,
    above: above / samples,
    bias: demand > 0 ? signedError / demand : undefined,
  };
}

/** One line for the panel and the proposal's reason. */
export function describeAccuracy(a: ForecastAccuracy): string {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const error =
    a.weightedError === undefined
      ? 'no demand to measure the error against'
      : `off by ${pct(a.weightedError)} of the demand on average${
          a.bias !== undefined && Math.abs(a.bias) >= 0.05 ? ` (running ${a.bias > 0 ? 'high' : 'low'})` : ''
        }`;
  return `Forecast accuracy over ${a.forecasts} past forecasts: the median was ${error}; demand stayed inside the band ${pct(a.coverage)} of the time and went above it ${pct(a.above)} (${a.samples} points compared).`;
}
