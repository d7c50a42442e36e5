// Short-horizon request-rate forecast for one workload. Several simple models run side by side
// (fast level + local trend for smooth series, slower levels for noisy ones), each learning the
// distribution of its own errors per horizon; the one with the tightest calibrated upper bound
// speaks. Yesterday's trend at the same time of day joins the local trend once a day of history
// exists, and an observation above the previous upper bound (a surge) resets the level to it.
import type { Observation } from './policy';
import { SlidingQuantile } from './slidingQuantile';

export interface ForecastModelOptions {
  /** Smoothing of the level per observation (1 = the last value). */
  levelAlpha: number;
  /** Observations in the local linear trend fit; 0 disables the trend. */
  trendWindow: number;
}

export interface ForecasterOptions {
  /** Seconds from the newest observation to the end of the horizon that matters (lag + pod startup). */
  horizonSeconds: number;
  models: ForecastModelOptions[];
  /** How much of the trend is kept per step ahead (1 = undamped). */
  trendDamping: number;
  /** Past forecast errors kept per model and horizon. */
  errorWindow: number;
  /** Load, in replicas of capacity, added to both sides of error ratios so near-zero load stays sane. */
  errorFloorReplicas: number;
  /** Coverage of the upper and lower bounds of the forecast. */
  coverage: number;
  /** Consecutive observations above the previous upper bound that make a surge (0 = never). */
  surgeObservations: number;
}

export const FORECASTER_DEFAULTS: ForecasterOptions = {
  horizonSeconds: 75,
  models: [
    { levelAlpha: 0.6, trendWindow: 8 },
    { levelAlpha: 0.2, trendWindow: 24 },
    { levelAlpha: 0.05, trendWindow: 0 },
  ],
  trendDamping: 0.9,
  errorWindow: 960,
  errorFloorReplicas: 0.5,
  coverage: 0.99,
  surgeObservations: 1,
};

const DAY_SECONDS = 86400;
const MIN_ERRORS = 20;

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
  seasonal: boolean;
  surge: boolean;
  /** Requests per second one replica serves at utilization 1, inferred from the observations. */
  capacity: number | undefined;
  /** Past errors the bands rest on (fewest over horizons). */
  errorSamples: number;
}

interface ModelState {
  options: ForecastModelOptions;
  level: number;
  errors: SlidingQuantile[];
  /** Means this model forecast for upcoming indices, by horizon: pending[h - 1] targets index (made + h). */
  pending: { made: number; means: number[] } | undefined;
  queue: { made: number; means: number[] }[];
}

export class DemandForecaster {
  readonly options: ForecasterOptions;
  private readonly values: number[] = [];
  private readonly times: number[] = [];
  private readonly models: ModelState[];
  private capacityEstimate: number | undefined;
  private surge = false;
  private stepSeconds = 15;
  private lastUpper: number | undefined;
  private exceedances = 0;

  constructor(options: Partial<ForecasterOptions> = {}) {
    this.options = { ...FORECASTER_DEFAULTS, ...options };
    this.models = this.options.models.map((m) => ({ options: m, level: 0, errors: [], pending: undefined, queue: [] }));
  }

  get length(): number {
    return this.values.length;
  }

  get capacity(): number | undefined {
    return this.capacityEstimate;
  }

  get horizonSteps(): number {
    return Math.max(1, Math.ceil(this.options.horizonSeconds / this.stepSeconds - 1e-9));
  }

  observe(obs: Observation): void {
    const index = this.values.length;
    if (index === 1) this.stepSeconds = Math.max(1, obs.t - this.times[0]!);
    const x = Math.max(0, obs.rps);
    if (obs.ready > 0 && obs.rps > 0 && Number.isFinite(obs.rho) && obs.rho > 0) {
      const c = obs.rps / (obs.rho * obs.ready);
      this.capacityEstimate = this.capacityEstimate === undefined ? c : 0.8 * this.capacityEstimate + 0.2 * c;
    }
    const floor = this.floor();
    for (const model of this.models) this.score(model, index, x, floor);
    this.exceedances = this.lastUpper !== undefined && x > this.lastUpper ? this.exceedances + 1 : 0;
    this.surge = this.options.surgeObservations > 0 && this.exceedances >= this.options.surgeObservations;
    for (const model of this.models) {
      if (index === 0 || this.surge) model.level = x;
      else model.level += model.options.levelAlpha * (x - model.level);
    }
    this.values.push(x);
    this.times.push(obs.t);
  }

  /** Forecast for the next `horizonSteps` observation steps, remembered so each model learns its error. */
  forecast(): Forecast {
    const n = this.values.length;
    const steps = this.horizonSteps;
    const last = n > 0 ? this.times[n - 1]! : 0;
    const floor = this.floor();
    const seasonalSlope = this.seasonalSlope();
    let best: { model: number; points: ForecastPoint[]; trend: number; samples: number; bound: number } | undefined;
    for (let k = 0; k < this.models.length; k++) {
      const model = this.models[k]!;
      const local = model.options.trendWindow > 0 ? this.trend(model.options.trendWindow) : 0;
      const trend = seasonalSlope === undefined ? local : model.options.trendWindow > 0 ? 0.5 * local + 0.5 * seasonalSlope : 0;
      const means: number[] = [];
      const points: ForecastPoint[] = [];
      let damp = 1;
      let cumulative = 0;
      let samples = Infinity;
      let bound = 0;
      for (let h = 1; h <= steps; h++) {
        cumulative += damp;
        damp *= this.options.trendDamping;
        const mean = Math.max(0, model.level + trend * cumulative);
        means.push(mean);
        const window = errorWindow(model, h, this.options.errorWindow);
        samples = Math.min(samples, window.count);
        const enough = window.count >= MIN_ERRORS;
        const hi = enough ? window.quantile(this.options.coverage) : 1.5;
        const lo = enough ? window.quantile(1 - this.options.coverage) : 0.5;
        const mid = enough ? window.quantile(0.5) : 1;
        const upper = Math.max(0, (mean + floor) * hi - floor);
        bound = Math.max(bound, upper);
        points.push({
          t: last + h * this.stepSeconds,
          mean,
          median: Math.max(0, (mean + floor) * mid - floor),
          lower: Math.max(0, (mean + floor) * lo - floor),
          upper,
        });
      }
      if (n > 0) model.queue.push({ made: n - 1, means });
      const ready = samples >= MIN_ERRORS;
      const bestReady = best !== undefined && best.samples >= MIN_ERRORS;
      if (best === undefined || (ready && !bestReady) || (ready === bestReady && bound < best.bound)) {
        best = { model: k, points, trend, samples, bound };
      }
    }
    const chosen = best!;
    this.lastUpper = chosen.points[0]?.upper;
    return {
      points: chosen.points,
      model: chosen.model,
      level: this.models[chosen.model]!.level,
      trend: chosen.trend,
      seasonal: seasonalSlope !== undefined,
      surge: this.surge,
      capacity: this.capacityEstimate,
      errorSamples: Number.isFinite(chosen.samples) ? chosen.samples : 0,
    };
  }

  /** Ratios (actual + floor) / (forecast + floor) that `model` saw at horizon `h`. */
  errorsFor(model: number, h: number): SlidingQuantile {
    return errorWindow(this.models[model]!, h, this.options.errorWindow);
  }

  /** The additive floor, in requests per second, that keeps error ratios finite near zero load. */
  floor(): number {
    return this.options.errorFloorReplicas * (this.capacityEstimate ?? 0);
  }

  private score(model: ModelState, index: number, actual: number, floor: number): void {
    let drop = 0;
    for (const entry of model.queue) {
      const h = index - entry.made;
      if (h >= 1 && h <= entry.means.length) {
        errorWindow(model, h, this.options.errorWindow).push((actual + floor) / (entry.means[h - 1]! + floor + 1e-12));
      }
      if (h >= entry.means.length) drop++;
    }
    if (drop > 0) model.queue.splice(0, drop);
  }

  private trend(window: number): number {
    const n = this.values.length;
    const m = Math.min(n, window);
    if (m < 3) return 0;
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < m; k++) {
      const y = this.values[n - m + k]!;
      sx += k;
      sy += y;
      sxy += k * y;
      sxx += k * k;
    }
    const denominator = m * sxx - sx * sx;
    return denominator === 0 ? 0 : (m * sxy - sx * sy) / denominator;
  }

  /** Yesterday's change per step around the same time of day, scaled to today's level. */
  private seasonalSlope(): number | undefined {
    const n = this.values.length;
    const day = Math.round(DAY_SECONDS / this.stepSeconds);
    const steps = this.horizonSteps;
    const half = Math.max(2, Math.round(300 / this.stepSeconds));
    const then = n - 1 - day;
    if (then - half < 0 || then + steps + half >= n) return undefined;
    const before = this.mean(then - half, then + half);
    const after = this.mean(then + steps - half, then + steps + half);
    if (before <= 0) return undefined;
    const level = this.mean(n - 1 - Math.min(half, n - 1), n - 1);
    return ((after - before) / steps) * (level / before);
  }

  private mean(from: number, to: number): number {
    let sum = 0;
    for (let i = from; i <= to; i++) sum += this.values[i]!;
    return sum / (to - from + 1);
  }
}

function errorWindow(model: ModelState, h: number, size: number): SlidingQuantile {
  while (model.errors.length < h) model.errors.push(new SlidingQuantile(size));
  return model.errors[h - 1]!;
}
