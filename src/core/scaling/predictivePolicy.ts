// The default policy. Every tick it asks, for each tick from now until a pod created now would be
// ready, how many replicas that tick needs: exactly the known need when the tick lies in a step of
// the metric already observed (see StepDetector), otherwise the count minimising weighted cost plus
// weighted SLO risk under the forecaster's own error distribution at that many steps ahead. New pods
// are created for the farthest tick (the first one they can serve); pods are kept only as long as a
// nearer tick, which no new pod could reach in time, still needs them.
import { DemandForecaster, type Forecast, type ForecasterOptions } from './demandForecaster';
import { clampReplicas, type Observation, type ScalingContext, type ScalingPolicy } from './policy';
import { StepDetector } from './stepDetector';

export interface PredictiveWeights {
  /** Cost of one replica for one tick. */
  cost: number;
  /** Cost of one tick over the SLO utilization. */
  slo: number;
}

export interface PredictiveOptions {
  /** Utilization above which a tick violates the SLO. */
  sloUtilization: number;
  weights: PredictiveWeights;
  /** Seconds from creating a pod until it is ready. */
  startupSeconds: number;
  forecaster: Partial<ForecasterOptions>;
}

export const PREDICTIVE_DEFAULTS: PredictiveOptions = {
  sloUtilization: 0.9,
  weights: { cost: 1, slo: 50 },
  startupSeconds: 60,
  forecaster: {},
};

export interface PredictiveDecision {
  replicas: number;
  /** Replicas the first tick a new pod could serve needs. */
  need: number;
  /** Estimated probability of an SLO violation at the riskiest tick until new pods could be ready. */
  risk: number;
  forecast: Forecast;
  /** Samples per step of the observed metric, as inferred so far. */
  stepSamples: number;
}

const MIN_ERRORS = 20;
/** Bound on the forecast error assumed until a model has seen enough of its own errors. */
const FALLBACK_RATIO = 1.5;

export class PredictivePolicy implements ScalingPolicy {
  readonly name = 'predictive';
  readonly options: PredictiveOptions;
  private model: DemandForecaster;
  private readonly steps = new StepDetector();
  private stepSize = 1;
  private consumed = 0;
  private tickSeconds = 15;
  private latest: Forecast | undefined;
  private lastDecision: PredictiveDecision | undefined;

  constructor(options: Partial<PredictiveOptions> = {}) {
    this.options = { ...PREDICTIVE_DEFAULTS, ...options, weights: { ...PREDICTIVE_DEFAULTS.weights, ...options.weights } };
    this.model = this.newForecaster();
  }

  get forecaster(): DemandForecaster {
    return this.model;
  }

  get decision(): PredictiveDecision | undefined {
    return this.lastDecision;
  }

  decide(ctx: ScalingContext): number {
    this.ingest(ctx.history);
    const history = ctx.history;
    const last = history.length - 1;
    let forecaster = this.model;
    let forecast = this.latest;
    if (last < 0 || forecast === undefined) {
      // Only the initial state is known: forecast from it with the untrained error bound.
      forecaster = this.newForecaster();
      forecaster.observe({ ...ctx.initial, t: ctx.t - this.tickSeconds });
      forecast = forecaster.forecast();
    }
    const capacity = forecast.capacity;
    if (capacity === undefined || capacity <= 0) {
      const hold = clampReplicas(ctx.pods, ctx.minReplicas, ctx.maxReplicas);
      this.lastDecision = { replicas: hold, need: hold, risk: 0, forecast, stepSamples: this.stepSize };
      return hold;
    }
    const perReplica = this.options.sloUtilization * capacity;
    const startupTicks = Math.max(1, Math.ceil(this.options.startupSeconds / this.tickSeconds - 1e-9));
    const knownStep = last >= 0 ? this.steps.stepOf(last) : -1;
    const known = last >= 0 ? exactNeed(history[last]!.rps, perReplica) : 0;
    const byHorizon = new Map<number, { n: number; risk: number }>();
    const needAt = (d: number): { n: number; risk: number } => {
      const h = last >= 0 ? this.steps.stepOf(last + 1 + d) - knownStep : d + 1;
      if (h <= 0) return { n: known, risk: 0 };
      let found = byHorizon.get(h);
      if (!found) {
        found = this.choose(forecaster, forecast!, h, perReplica, ctx.minReplicas, ctx.maxReplicas);
        byHorizon.set(h, found);
      }
      return found;
    };
    // Ticks before a new pod could be ready: only pods that exist now can serve them.
    let keep = 0;
    let risk = 0;
    for (let d = 0; d < startupTicks; d++) {
      const at = needAt(d);
      keep = Math.max(keep, Math.min(ctx.pods, at.n));
      risk = Math.max(risk, at.risk);
    }
    const first = needAt(startupTicks);
    risk = Math.max(risk, first.risk);
    const replicas = clampReplicas(Math.max(first.n, keep), ctx.minReplicas, ctx.maxReplicas);
    this.lastDecision = { replicas, need: first.n, risk, forecast, stepSamples: this.stepSize };
    return replicas;
  }

  /** The replica count with the least weighted cost + SLO risk for a tick `h` steps past the last observed one. */
  private choose(forecaster: DemandForecaster, forecast: Forecast, h: number, perReplica: number, min: number, max: number): { n: number; risk: number } {
    const points = forecast.points;
    const index = Math.min(h, points.length) - 1;
    if (index < 0) return { n: max, risk: 1 };
    const p = points[index]!;
    const floor = forecaster.floor();
    const errors = forecaster.errorsFor(forecast.model, index + 1);
    const trained = errors.count >= MIN_ERRORS;
    const fallbackUpper = (p.mean + floor) * FALLBACK_RATIO - floor;
    const { cost, slo } = this.options.weights;
    let best = max;
    let bestScore = Infinity;
    let bestRisk = 1;
    for (let n = min; n <= max; n++) {
      const limit = n * perReplica;
      const risk = trained ? errors.fractionAbove((limit + floor) / (p.mean + floor)) : limit < fallbackUpper ? 1 : 0;
      const score = cost * n + slo * risk;
      if (score < bestScore - 1e-12) {
        best = n;
        bestScore = score;
        bestRisk = risk;
      }
      if (risk === 0) break;
    }
    return { n: best, risk: bestRisk };
  }

  private newForecaster(): DemandForecaster {
    return new DemandForecaster({ ...this.options.forecaster, stepSeconds: this.stepSize * this.tickSeconds });
  }

  /** Feeds new observations: the step detector sees every sample, the forecaster one per step. */
  private ingest(history: readonly Observation[]): void {
    if (history.length >= 2 && this.consumed < 2) this.tickSeconds = Math.max(1, history[1]!.t - history[0]!.t);
    for (; this.consumed < history.length; this.consumed++) {
      const index = this.consumed;
      this.steps.observe(history[index]!.rps);
      if (this.steps.size !== this.stepSize) {
        this.stepSize = this.steps.size;
        this.model = this.newForecaster();
        this.latest = undefined;
        for (let i = 0; i <= index; i++) this.feed(history[i]!, i);
      } else this.feed(history[index]!, index);
    }
  }

  private feed(obs: Observation, index: number): void {
    if (!this.steps.startsStep(index)) return;
    this.model.observe(obs);
    this.latest = this.model.forecast();
  }
}

/** Replicas that keep a known rate at or under the SLO utilization. */
function exactNeed(rps: number, perReplica: number): number {
  return Math.max(0, Math.ceil((rps / perReplica) * (1 + 1e-9) - 1e-9));
}
