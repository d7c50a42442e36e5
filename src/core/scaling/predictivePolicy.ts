// The default policy: size for the demand forecast over the lag + pod startup horizon, choosing the
// replica count that minimises weighted cost plus weighted SLO risk under the forecaster's own error
// distribution, and only scaling down once the lower need has held for a stabilization window.
import { DemandForecaster, type Forecast, type ForecasterOptions } from './demandForecaster';
import { clampReplicas, type ScalingContext, type ScalingPolicy } from './policy';

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
  /** Least headroom over the forecast mean, whatever the error history says. */
  minHeadroom: number;
  /** A lower need must hold this long before replicas are removed. */
  scaleDownStabilizationSeconds: number;
  forecaster: Partial<ForecasterOptions>;
}

export const PREDICTIVE_DEFAULTS: PredictiveOptions = {
  sloUtilization: 0.9,
  weights: { cost: 1, slo: 50 },
  minHeadroom: 0.12,
  scaleDownStabilizationSeconds: 300,
  forecaster: {},
};

export interface PredictiveDecision {
  replicas: number;
  /** Replicas the forecast needs before scale-down stabilization. */
  need: number;
  /** Estimated probability of an SLO violation within the horizon at `replicas`. */
  risk: number;
  forecast: Forecast;
}

export class PredictivePolicy implements ScalingPolicy {
  readonly name = 'predictive';
  readonly options: PredictiveOptions;
  readonly forecaster: DemandForecaster;
  private consumed = 0;
  private readonly needs: { t: number; need: number }[] = [];
  private lastDecision: PredictiveDecision | undefined;

  constructor(options: Partial<PredictiveOptions> = {}) {
    this.options = { ...PREDICTIVE_DEFAULTS, ...options, weights: { ...PREDICTIVE_DEFAULTS.weights, ...options.weights } };
    this.forecaster = new DemandForecaster(this.options.forecaster);
  }

  get decision(): PredictiveDecision | undefined {
    return this.lastDecision;
  }

  decide(ctx: ScalingContext): number {
    for (; this.consumed < ctx.history.length; this.consumed++) this.forecaster.observe(ctx.history[this.consumed]!);
    if (this.forecaster.length === 0) this.forecaster.observe({ ...ctx.initial, t: ctx.t - 15 });
    const forecast = this.forecaster.forecast();
    const capacity = forecast.capacity;
    if (capacity === undefined || capacity <= 0) {
      const hold = clampReplicas(ctx.pods, ctx.minReplicas, ctx.maxReplicas);
      this.lastDecision = { replicas: hold, need: hold, risk: 0, forecast };
      return hold;
    }
    const { need, risk } = this.choose(forecast, capacity, ctx.minReplicas, ctx.maxReplicas);
    const window = this.options.scaleDownStabilizationSeconds;
    this.needs.push({ t: ctx.t, need });
    while (this.needs.length > 0 && this.needs[0]!.t <= ctx.t - window) this.needs.shift();
    let replicas = need;
    if (need < ctx.pods) {
      let highest = need;
      for (const entry of this.needs) if (entry.need > highest) highest = entry.need;
      replicas = Math.min(ctx.pods, highest);
    }
    replicas = clampReplicas(replicas, ctx.minReplicas, ctx.maxReplicas);
    this.lastDecision = { replicas, need, risk, forecast };
    return replicas;
  }

  /** The replica count with the least weighted cost + SLO risk over the forecast horizon. */
  private choose(forecast: Forecast, capacity: number, min: number, max: number): { need: number; risk: number } {
    const perReplica = this.options.sloUtilization * capacity;
    const floor = this.forecaster.floor();
    let highest = 0;
    let lowest = Infinity;
    let peak = 0;
    for (let h = 0; h < forecast.points.length; h++) {
      const p = forecast.points[h]!;
      const worst = this.forecaster.errorsFor(forecast.model, h + 1).quantile(1, 1.5);
      highest = Math.max(highest, p.upper, (p.mean + floor) * worst - floor);
      lowest = Math.min(lowest, p.mean);
      peak = Math.max(peak, p.mean);
    }
    const floorNeed = clampReplicas((peak * (1 + this.options.minHeadroom)) / perReplica, min, max);
    const top = Math.max(floorNeed, clampReplicas(highest / perReplica, min, max));
    const bottom = Math.max(floorNeed, clampReplicas((0.5 * lowest) / perReplica, min, top));
    const { cost, slo } = this.options.weights;
    let best = top;
    let bestScore = Infinity;
    let bestRisk = 0;
    for (let n = bottom; n <= top; n++) {
      let risk = 0;
      const limit = n * perReplica;
      for (let h = 0; h < forecast.points.length; h++) {
        const errors = this.forecaster.errorsFor(forecast.model, h + 1);
        const p = forecast.points[h]!;
        const r = errors.count > 0 ? errors.fractionAbove((limit + floor) / (p.mean + floor)) : limit < p.upper ? 1 : 0;
        if (r > risk) risk = r;
      }
      const score = cost * n + slo * risk;
      if (score < bestScore - 1e-12) {
        best = n;
        bestScore = score;
        bestRisk = risk;
      }
    }
    return { need: best, risk: bestRisk };
  }
}
