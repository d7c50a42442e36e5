// The default policy. It forecasts the request rate for every tick until pods created now are ready,
// with an error model that behaves like count data, and sizes each tick by weighing the cost of a
// replica against the risk of an SLO violation:
// - Capacity per replica is read from the observations (rps / (rho · ready)). A series that changes
//   only every k ticks is detected online (stepDetector.ts); ticks still in the newest step are known.
// - Level + trend models forecast the step series; each fits, per horizon, the variance of its errors
//   as a + b·L + c·L² in the forecast level L (countVariance.ts) and keeps its errors standardized by it,
//   whose empirical distribution gives the tail. Once a day of history exists a seasonal model joins
//   them: the rate around the same time a day earlier, scaled by the level now over the level then.
//   The model with the lowest recent relative squared error speaks; a step beyond the tail of its
//   one-step errors is a surge and resets every level.
// - The replicas for a tick minimise cost · n + slo · P(violation | n), never below the forecast plus a
//   minimum headroom, nor below three robust deviations of the error (capped in headroom).
// - Pods created now are ready one startup later, so additions size for that tick; a pod removed now
//   cannot be back before then, so the count never drops below the need of any tick until then, nor
//   below the needs of the decisions of the last startup period (forecast revisions are noise).
import type { Forecast, ForecastPoint } from './forecast';
import { CountVariance } from './countVariance';
import { clampReplicas, type Observation, type ScalingContext, type ScalingPolicy } from './policy';
import { SlidingQuantile } from './slidingQuantile';
import { StepDetector } from './stepDetector';
import { slope, windowMedian } from './stepSeries';
import { PREDICTIVE_DEFAULTS, type PredictiveModel, type PredictiveOptions } from './predictiveOptions';

export { PREDICTIVE_DEFAULTS, type PredictiveModel, type PredictiveOptions, type PredictiveWeights } from './predictiveOptions';

export interface PredictiveDecision {
  replicas: number;
  /** Replicas the forecast needs at this decision, before holding for earlier needs. */
  need: number;
  /** Estimated probability of an SLO violation on the worst tick until new pods are ready, at `replicas`. */
  risk: number;
  forecast: Forecast;
}

const MIN_ERRORS = 20;
/** Deviations treated as safe while a horizon has too few errors; coverage of the bands shown. */
const WARMUP_DEVIATIONS = 3;
const COVERAGE = 0.99;

interface Pending {
  made: number;
  means: number[];
}

interface Model {
  options: PredictiveModel;
  level: number;
  variances: CountVariance[];
  errors: SlidingQuantile[];
  pending: Pending[];
  /** Smoothed relative squared error, and the weight of its smoothing so far (divides out the start at 0). */
  score: number;
  weight: number;
  /** Steps whose errors were scored. */
  scored: number;
  /** Seasonal models: the level one season earlier, smoothed like `level`. */
  lagged: number;
}

interface TickNeed {
  need: number;
  point: ForecastPoint;
  known: boolean;
  sd: number;
  errors: SlidingQuantile | undefined;
}

export class PredictivePolicy implements ScalingPolicy {
  readonly name = 'predictive';
  readonly options: PredictiveOptions;
  private consumed = 0;
  private readonly values: number[] = [];
  private readonly times: number[] = [];
  private capacity: number | undefined;
  private tickSeconds = 15;
  private readonly detector: StepDetector;
  private step = 1;
  private phase = 0;
  private steps: number[] = [];
  /** Medians of the steps around each step, by step, once its window has been seen. */
  private medians: number[] = [];
  private models: Model[] = [];
  private scale = 1;
  private surge = false;
  private readonly holds: number[] = [];
  private lastDecision: PredictiveDecision | undefined;

  constructor(options: Partial<PredictiveOptions> = {}) {
    this.options = { ...PREDICTIVE_DEFAULTS, ...options, weights: { ...PREDICTIVE_DEFAULTS.weights, ...options.weights } };
    this.detector = new StepDetector(this.options.maxStepTicks);
    this.resetModels();
  }

  get decision(): PredictiveDecision | undefined {
    return this.lastDecision;
  }

  /** Ticks from a decision to the readiness of the pods it creates. */
  get startupTicks(): number {
    return Math.max(1, Math.ceil(this.options.startupSeconds / this.tickSeconds - 1e-9));
  }

  /** Seconds from the newest observation to the last tick a decision sizes for. */
  get horizonSeconds(): number {
    return (this.startupTicks + 1) * this.tickSeconds;
  }

  decide(ctx: ScalingContext): number {
    for (; this.consumed < ctx.history.length; this.consumed++) this.observe(ctx.history[this.consumed]!);
    if (this.values.length === 0) return this.decideFromInitial(ctx);
    const capacity = this.capacity;
    const n = this.values.length;
    if (capacity === undefined || capacity <= 0) {
      const hold = clampReplicas(ctx.pods, ctx.minReplicas, ctx.maxReplicas);
      this.lastDecision = { replicas: hold, need: hold, risk: 0, forecast: this.emptyForecast(n) };
      return hold;
    }
    const perReplica = this.options.sloUtilization * capacity;
    const model = this.selected();
    const ticks = this.tickNeeds(model, perReplica, ctx);
    const needs = ticks.map((t) => t.need);
    const add = needs[needs.length - 1]!;
    let hold = Math.max(...needs);
    this.holds.push(hold);
    const keep = Math.max(0, Math.round(this.options.holdSeconds / this.tickSeconds));
    while (this.holds.length > keep + 1) this.holds.shift();
    hold = Math.max(...this.holds);
    const replicas = clampReplicas(Math.max(add, Math.min(ctx.pods, hold)), ctx.minReplicas, ctx.maxReplicas);
    let risk = 0;
    for (const t of ticks) risk = Math.max(risk, this.riskAt(t, replicas * perReplica));
    this.lastDecision = { replicas, need: Math.max(...needs), risk, forecast: this.forecastOf(model, ticks, capacity) };
    return replicas;
  }

  /** At the very start only the initial state is known: keep its pods, or add for 3 deviations of 15 %. */
  private decideFromInitial(ctx: ScalingContext): number {
    const o = ctx.initial;
    let replicas = clampReplicas(ctx.pods, ctx.minReplicas, ctx.maxReplicas);
    if (o.ready > 0 && o.rps > 0 && Number.isFinite(o.rho) && o.rho > 0) {
      const capacity = o.rps / (o.rho * o.ready);
      const want = (o.rps * (1 + WARMUP_DEVIATIONS * 0.15)) / (this.options.sloUtilization * capacity);
      replicas = clampReplicas(Math.max(ctx.pods, want), ctx.minReplicas, ctx.maxReplicas);
    }
    this.lastDecision = { replicas, need: replicas, risk: 0, forecast: this.emptyForecast(0) };
    return replicas;
  }

  private observe(obs: Observation): void {
    const i = this.values.length;
    const x = Math.max(0, obs.rps);
    if (i === 1) this.tickSeconds = Math.max(1, obs.t - this.times[0]!);
    if (obs.ready > 0 && obs.rps > 0 && Number.isFinite(obs.rho) && obs.rho > 0) this.capacity = obs.rps / (obs.rho * obs.ready);
    this.detector.push(x);
    this.values.push(x);
    this.times.push(obs.t);
    const { step, phase } = this.detector;
    if (step !== this.step || phase !== this.phase) {
      this.step = step;
      this.phase = phase;
      this.resetModels();
      for (let j = 0; j < this.values.length; j++) if (this.startsStep(j)) this.addStep(this.values[j]!);
    } else if (this.startsStep(i)) this.addStep(x);
  }

  private resetModels(): void {
    this.steps = [];
    this.medians = [];
    this.surge = false;
    this.models = this.options.models.map((options) => ({ options, level: 0, variances: [], errors: [], pending: [], score: 0, weight: 0, scored: 0, lagged: 0 }));
  }

  private startsStep(tick: number): boolean {
    return (((tick - this.phase) % this.step) + this.step) % this.step === 0;
  }

  private stepOf(tick: number): number {
    return Math.floor((tick - this.phase) / this.step);
  }

  /** Steps ahead the models forecast: enough to reach the last tick a decision sizes for. */
  private horizonSteps(): number {
    return Math.ceil((this.startupTicks + 1) / this.step) + 1;
  }

  private addStep(y: number): void {
    const m = this.steps.length;
    this.steps.push(y);
    this.scale = m === 0 ? Math.max(y, 1e-6) : 0.999 * this.scale + 0.001 * Math.max(y, 1e-6);
    this.surge = this.isSurge(y, m);
    const horizon = this.horizonSteps();
    const smoothing = this.options.selectionSmoothing;
    for (const model of this.models) {
      let done = 0;
      let relative = 0;
      let scored = 0;
      for (const p of model.pending) {
        const h = m - p.made;
        if (h >= 1 && h <= p.means.length) {
          while (model.variances.length < h) {
            model.variances.push(new CountVariance(this.options.varianceForgetting));
            model.errors.push(new SlidingQuantile(this.options.errorWindow));
          }
          const f = p.means[h - 1]!;
          const e = y - f;
          model.errors[h - 1]!.push(e / Math.sqrt(model.variances[h - 1]!.variance(f, this.scale)));
          model.variances[h - 1]!.push(f, e);
          relative += (e * e) / (f + 0.05 * this.scale);
          scored++;
        }
        if (h >= p.means.length) done++;
      }
      if (done > 0) model.pending.splice(0, done);
      if (!model.options.seasonal || scored > 0) {
        model.score = (1 - smoothing) * model.score + smoothing * relative;
        model.weight = (1 - smoothing) * model.weight + smoothing;
        model.scored++;
      }
      model.level = m === 0 || this.surge ? y : model.level + model.options.levelAlpha * (y - model.level);
      if (model.options.seasonal) {
        const means = this.seasonalMeans(model, m, horizon);
        if (means) model.pending.push({ made: m, means });
        continue;
      }
      const trend = model.options.trendWindow > 0 ? slope(this.steps, model.options.trendWindow) : 0;
      const means: number[] = [];
      let cumulative = 0;
      let damp = 1;
      for (let h = 1; h <= horizon; h++) {
        cumulative += damp;
        damp *= this.options.trendDamping;
        means.push(Math.max(0, model.level + trend * cumulative));
      }
      model.pending.push({ made: m, means });
    }
  }

  /** Steps in one season, and the half-width of the window a seasonal model averages, in steps. */
  private seasonSteps(): { season: number; window: number } {
    const stepSeconds = this.tickSeconds * this.step;
    return {
      season: Math.max(1, Math.round(this.options.seasonSeconds / stepSeconds)),
      window: Math.max(0, Math.round(this.options.seasonalWindowSeconds / stepSeconds)),
    };
  }

  /**
   * Updates the level one season back and returns the seasonal forecast for the next `horizon` steps:
   * the median around the same time one season earlier, times the level now over the level then.
   * Nothing until a season of history (and the warm-up of the smoothed levels) exists.
   */
  private seasonalMeans(model: Model, m: number, horizon: number): number[] | undefined {
    const { season, window } = this.seasonSteps();
    if (season <= horizon + window || m < season) return undefined;
    const alpha = model.options.levelAlpha;
    const then = this.steps[m - season]!;
    if (m === season) model.lagged = then;
    else if (this.surge) model.lagged = this.medianAround(m - season, window);
    else model.lagged += alpha * (then - model.lagged);
    if (m < season + window + Math.ceil(3 / alpha)) return undefined;
    const ratio = model.lagged > 1e-9 ? model.level / model.lagged : 1;
    const means: number[] = [];
    for (let h = 1; h <= horizon; h++) means.push(Math.max(0, this.medianAround(m + h - season, window) * ratio));
    return means;
  }

  /** The median of the steps within `window` of `step`, whose window must have been seen. */
  private medianAround(step: number, window: number): number {
    while (this.medians.length <= step) this.medians.push(NaN);
    if (Number.isNaN(this.medians[step]!)) this.medians[step] = windowMedian(this.steps, step, window);
    return this.medians[step]!;
  }

  /** A seasonal model speaks only after its error has been scored over the selection's memory. */
  private eligible(model: Model): boolean {
    return !model.options.seasonal || model.scored >= Math.ceil(1 / this.options.selectionSmoothing);
  }

  private selected(): Model {
    let best = this.models[0]!;
    let bestScore = best.weight > 0 ? best.score / best.weight : 0;
    for (const model of this.models) {
      if (model.weight <= 0 || !this.eligible(model)) continue;
      const score = model.score / model.weight;
      if (score < bestScore) {
        best = model;
        bestScore = score;
      }
    }
    return best;
  }

  /** The newest step lies beyond every one-step error but the top `surgeQuantile` the selected model made. */
  private isSurge(y: number, m: number): boolean {
    if (this.options.surgeQuantile <= 0) return false;
    const model = this.selected();
    const p = model.pending[model.pending.length - 1];
    const errors = model.errors[0];
    const variance = model.variances[0];
    if (!p || p.made !== m - 1 || !errors || !variance || errors.count < MIN_ERRORS) return false;
    const f = p.means[0]!;
    return (y - f) / Math.sqrt(variance.variance(f, this.scale)) > errors.quantile(this.options.surgeQuantile);
  }

  /** The replicas each tick from now until new pods are ready needs, with its forecast. */
  private tickNeeds(model: Model, perReplica: number, ctx: ScalingContext): TickNeed[] {
    const n = this.values.length;
    const last = this.values[n - 1]!;
    const lastStep = this.stepOf(n - 1);
    const [min, max] = [ctx.minReplicas, ctx.maxReplicas];
    const out: TickNeed[] = [];
    for (let u = 0; u <= this.startupTicks; u++) {
      const t = this.times[n - 1]! + (u + 1) * this.tickSeconds;
      const ahead = this.stepOf(n + u) - lastStep;
      const p = model.pending[model.pending.length - 1];
      if (ahead <= 0 || !p) {
        out.push({ need: clampReplicas(last / perReplica, min, max), known: true, sd: 0, errors: undefined, point: { t, mean: last, median: last, lower: last, upper: last } });
        continue;
      }
      const f = p.means[Math.min(ahead, p.means.length) - 1]!;
      const variance = model.variances[ahead - 1];
      const errors = model.errors[ahead - 1];
      const sd = (variance ? Math.sqrt(variance.variance(f, this.scale)) : 0.15 * f + 0.5 * perReplica) || 1e-9;
      const tick: TickNeed = { need: 0, known: false, sd, errors, point: { t, mean: f, median: f, lower: f, upper: f } };
      const ready = errors !== undefined && errors.count >= MIN_ERRORS;
      tick.point.median = Math.max(0, f + sd * (ready ? errors.quantile(0.5) : 0));
      tick.point.lower = Math.max(0, f + sd * (ready ? errors.quantile(1 - COVERAGE) : -WARMUP_DEVIATIONS));
      tick.point.upper = Math.max(0, f + sd * (ready ? errors.quantile(COVERAGE) : WARMUP_DEVIATIONS));
      const { cost, slo } = this.options.weights;
      let best = max;
      let bestScore = Infinity;
      for (let r = clampReplicas(f / perReplica, min, max); r <= max; r++) {
        const risk = this.riskAt(tick, r * perReplica);
        const score = cost * r + slo * risk;
        if (score < bestScore - 1e-12) {
          bestScore = score;
          best = r;
        }
        if (risk === 0) break;
      }
      let core = 0;
      if (ready && this.options.coreDeviations > 0) {
        const spread = (errors.quantile(0.75) - errors.quantile(0.25)) / 1.349;
        const robust = f + sd * (errors.quantile(0.5) + this.options.coreDeviations * spread);
        core = clampReplicas(Math.min(f * (1 + this.options.coreMaxHeadroom), robust) / perReplica, min, max);
      }
      const floor = clampReplicas((f * (1 + this.options.minHeadroom)) / perReplica, min, max);
      tick.need = Math.max(best, core, floor);
      out.push(tick);
    }
    return out;
  }

  /** Probability that the tick's rate exceeds `limit` requests per second. */
  private riskAt(tick: TickNeed, limit: number): number {
    if (tick.known) return tick.point.mean > limit ? 1 : 0;
    const z = (limit - tick.point.mean) / tick.sd;
    if (tick.errors && tick.errors.count >= MIN_ERRORS) return tick.errors.fractionAbove(z);
    return z >= WARMUP_DEVIATIONS ? 0 : 1;
  }

  private forecastOf(model: Model, ticks: TickNeed[], capacity: number): Forecast {
    const unknown = ticks.filter((t) => !t.known);
    const samples = unknown.length === 0 ? (model.errors[0]?.count ?? 0) : Math.min(...unknown.map((t) => t.errors?.count ?? 0));
    return {
      points: ticks.map((t) => t.point),
      model: this.models.indexOf(model),
      level: model.level,
      trend: this.trendOf(model),
      seasonal: model.options.seasonal === true,
      surge: this.surge,
      capacity,
      errorSamples: samples,
    };
  }

  /** Change of the rate per observation the model forecasts. */
  private trendOf(model: Model): number {
    if (!model.options.seasonal) return model.options.trendWindow > 0 ? slope(this.steps, model.options.trendWindow) / this.step : 0;
    const means = model.pending[model.pending.length - 1]?.means ?? [];
    return means.length > 1 ? (means[means.length - 1]! - means[0]!) / (means.length - 1) / this.step : 0;
  }

  private emptyForecast(n: number): Forecast {
    const last = n > 0 ? this.values[n - 1]! : 0;
    const t0 = n > 0 ? this.times[n - 1]! : 0;
    const points: ForecastPoint[] = [];
    for (let u = 0; u <= this.startupTicks; u++) points.push({ t: t0 + (u + 1) * this.tickSeconds, mean: last, median: last, lower: last, upper: last });
    return { points, model: 0, level: last, trend: 0, seasonal: false, surge: false, capacity: this.capacity, errorSamples: 0 };
  }
}
