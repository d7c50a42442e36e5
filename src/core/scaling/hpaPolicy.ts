// The Kubernetes HPA algorithm with its default behaviour, on utilization with target 0.7:
// 10 % tolerance, 300 s scale-down stabilization, scale-up by at most +100 % or +4 pods per 15 s.
import type { ScalingContext, ScalingPolicy } from './policy';
import { TICK_SECONDS } from './trace';

export interface HpaOptions {
  targetUtilization: number;
  tolerance: number;
  stabilizationSeconds: number;
}

export const HPA_DEFAULTS: HpaOptions = { targetUtilization: 0.7, tolerance: 0.1, stabilizationSeconds: 300 };

export class HpaPolicy implements ScalingPolicy {
  readonly name = 'hpa';
  private readonly options: HpaOptions;
  private readonly recommendations: number[] = [];

  constructor(options: Partial<HpaOptions> = {}) {
    this.options = { ...HPA_DEFAULTS, ...options };
  }

  /** The unstabilized recommendation for the last observation. */
  recommend(ctx: ScalingContext): number {
    const last = ctx.history.length > 0 ? ctx.history[ctx.history.length - 1]! : ctx.initial;
    const m = last.rho;
    const current = ctx.pods;
    const target = this.options.targetUtilization;
    if (Math.abs(m / target - 1) <= this.options.tolerance) return current;
    if (!Number.isFinite(m)) return ctx.maxReplicas;
    const raw = Math.ceil((last.ready * m) / target);
    return Math.min(ctx.maxReplicas, Math.max(ctx.minReplicas, raw));
  }

  decide(ctx: ScalingContext): number {
    const recommendation = this.recommend(ctx);
    const window = Math.max(1, Math.round(this.options.stabilizationSeconds / TICK_SECONDS));
    this.recommendations.push(recommendation);
    if (this.recommendations.length > window) this.recommendations.shift();
    const current = ctx.pods;
    if (recommendation < current) {
      let highest = recommendation;
      for (const r of this.recommendations) if (r > highest) highest = r;
      return Math.min(current, highest);
    }
    return Math.min(recommendation, Math.max(2 * current, current + 4));
  }
}
