// The default policy, built from rules rather than fitted to any trace:
// - Hold: it never provisions below the most demand observed in the last 360 s, so a demand already
//   seen is never the cause of a violation (the benchmark counts those as a policy's own fault).
// - Headroom: for the ticks until pods created now are ready, it multiplies a base demand by a quantile
//   of the workload's own past rises over that horizon (the most demand reached within it, over the base
//   at its start), weighted towards recent ones with a half-life of hours. The base is the most demand of
//   the last 15 s, 1, 3 or 6 minutes, or the demand extrapolated along the last 3 minutes' trend: each
//   sizes at the same quantile of its own rises, and the one that has cost least lately speaks.
// - The HPA alongside: the Kubernetes HPA runs on the same observations (never applied). Its count is a
//   floor, trimmed to the newest demand times the 99-99.5 % quantile of its rises, so its 5-minute hold
//   at 1/0.7 of a past peak is dropped once the workload's own rises say it cannot be needed.
// - No flapping: a pod asked for by any decision of the last startup period is not removed, since it
//   could not be back in time.
// - Budget: while it has spent less than 97 % of what the HPA would have, the quantile steps up a list
//   (to 99.9 %); above, it steps down (to the median) and the count is capped at the HPA's (or the
//   hold's); above the HPA's own spending, at the hold or the trimmed HPA.
// Until enough rises are seen it provisions what the shadow HPA would, and never less than the hold.
// It reads only observations (rate, ready, utilization) and its own decisions; nothing depends on a
// series' source, length or step (no step detection: held values are just rises of zero). A jump is
// answered at the next decision.
import type { Forecast, ForecastPoint } from './forecast';
import { DecayingQuantile } from './decayingQuantile';
import { clampReplicas, type Observation, type ScalingContext, type ScalingPolicy } from './policy';
import { PREDICTIVE_DEFAULTS, type PredictiveOptions } from './predictiveOptions';
import { ShadowHpa } from './shadowHpa';

export { PREDICTIVE_DEFAULTS, type PredictiveOptions } from './predictiveOptions';

export interface PredictiveDecision {
  replicas: number;
  /** Replicas the headroom over the newest demand asks for. */
  need: number;
  /** Replicas the most demand of the hold window needs. */
  hold: number;
  /** Replicas the shadow HPA runs at this tick. */
  hpa: number;
  /** Estimated probability that demand outgrows `replicas` before new pods could be ready. */
  risk: number;
  forecast: Forecast;
}

/** Coverage of the lower end of the band shown. */
const LOWER_QUANTILE = 0.01;

interface DecisionState {
  replicas: number;
  need: number;
  hold: number;
  hpa: number;
  quantile: number;
  headroom: number;
  base: number;
  /** The HPA's count as trimmed. */
  prior: number;
  /** The base window that spoke. */
  window: number;
}

export class PredictivePolicy implements ScalingPolicy {
  readonly name = 'predictive';
  readonly options: PredictiveOptions;
  private consumed = 0;
  private readonly rates: number[] = [];
  private readonly times: number[] = [];
  /** The demand each move is measured from: the rate, but never under what one replica serves. */
  private readonly bases: number[] = [];
  /** Indices of the observations that may still be the hold window's maximum, their rates decreasing. */
  private readonly holdQueue: number[] = [];
  private capacity: number | undefined;
  private tickSeconds = 15;
  /** Per base window: the observations it spans, the most base in it at each index, its sliding maximum. */
  private windows: BaseWindow[] = [];
  /** The demand h ticks later over the demand now, for h = 1 .. horizon (the band shown). */
  private moves: DecayingQuantile[] = [];
  private readonly shadow: ShadowHpa;
  private level: number;
  private ownPodTicks = 0;
  /** The counts the last decisions asked for, before this hold. */
  private readonly recent: number[] = [];
  private last: DecisionState | undefined;

  constructor(options: Partial<PredictiveOptions> = {}) {
    this.options = { ...PREDICTIVE_DEFAULTS, ...options };
    this.shadow = new ShadowHpa(this.options.startupSeconds, this.options.sloUtilization);
    this.level = this.options.riseQuantiles.length - 1;
  }

  /** Ticks from a decision to the readiness of the pods it creates. */
  get startupTicks(): number {
    return Math.max(1, Math.ceil(this.options.startupSeconds / this.tickSeconds - 1e-9));
  }

  /** Ticks from the newest observation to the first tick pods created now serve. */
  get horizonTicks(): number {
    return this.startupTicks + 1;
  }

  /** Seconds from the newest observation to the last tick a decision sizes for. */
  get horizonSeconds(): number {
    return this.horizonTicks * this.tickSeconds;
  }

  /** The last decision, with the forecast it rests on. */
  get decision(): PredictiveDecision | undefined {
    const d = this.last;
    if (!d) return undefined;
    const perReplica = this.capacity === undefined ? undefined : this.capacity * this.options.sloUtilization;
    const rises = this.windows[d.window]?.rises;
    const risk =
      perReplica === undefined || !rises || d.base <= 0 ? 0 : rises.shareAbove((d.replicas * perReplica) / d.base);
    return { replicas: d.replicas, need: d.need, hold: d.hold, hpa: d.hpa, risk, forecast: this.forecastOf(d) };
  }

  decide(ctx: ScalingContext): number {
    for (; this.consumed < ctx.history.length; this.consumed++) this.observe(ctx.history[this.consumed]!);
    const { minReplicas: min, maxReplicas: max } = ctx;
    const newest = ctx.history.length > 0 ? ctx.history[ctx.history.length - 1] : undefined;
    const hpa = this.shadow.decide(ctx.t, ctx.initial, newest, this.capacity, min, max);
    const n = this.rates.length;
    let state: DecisionState;
    if (n === 0 || this.capacity === undefined || !(this.capacity > 0)) {
      // Nothing but the start is known, or no load has shown what a replica serves: do what the HPA does.
      const replicas = n === 0 ? hpa : clampReplicas(ctx.pods, min, max);
      state = {
        replicas,
        need: replicas,
        hold: replicas,
        hpa,
        prior: hpa,
        quantile: 1,
        headroom: 1,
        base: n > 0 ? this.bases[n - 1]! : 0,
        window: 0,
      };
    } else {
      const perReplica = this.capacity * this.options.sloUtilization;
      const held = this.rates[this.holdQueue[0]!]!;
      const hold = clampReplicas(held / perReplica, min, max);
      const quantile = this.quantileInForce();
      const warm = this.windows.length > 0 && this.windows.every((w) => w.rises.count >= this.options.minRises);
      if (!warm) {
        const replicas = Math.max(hold, hpa);
        state = {
          replicas,
          need: hpa,
          hold,
          hpa,
          prior: hpa,
          quantile,
          headroom: 1,
          base: this.bases[n - 1]!,
          window: 0,
        };
      } else {
        // Every base window sizes the headroom at the same quantile of its own rises; the one that has
        // cost least lately speaks.
        const smoothing = 1 - 2 ** (-this.tickSeconds / this.options.riseHalfLifeSeconds);
        let best = 0;
        const rates: number[] = [];
        this.windows.forEach((w, k) => {
          const rate = Math.max(held, w.peak() * w.rises.quantile(quantile));
          rates.push(rate);
          w.cost = w.cost === undefined ? rate : w.cost + smoothing * (rate - w.cost);
          if (w.cost < this.windows[best]!.cost!) best = k;
        });
        const base = this.windows[best]!.peak();
        const headroom = this.windows[best]!.rises.quantile(quantile);
        const need = clampReplicas((base * headroom) / perReplica, min, max);
        // The HPA's count, trimmed to what the highest of the newest demand's rises could need.
        const first = this.windows[0]!;
        const trim = clampReplicas(
          (first.peak() *
            first.rises.quantile(Math.max(this.options.trimFloor, Math.min(this.options.trimQuantile, quantile)))) /
            perReplica,
          min,
          max,
        );
        const prior = Math.min(hpa, trim);
        state = {
          replicas: Math.max(hold, need, prior),
          need,
          hold,
          hpa,
          prior,
          quantile,
          headroom,
          base,
          window: best,
        };
      }
    }
    // A pod removed now could not be back before new pods are ready: keep, of the pods there are, as
    // many as any decision of the last startup period wanted (its needs were as likely as this one's).
    this.recent.push(state.replicas);
    const keep = Math.round(this.options.regretSeconds / this.tickSeconds);
    while (this.recent.length > keep + 1) this.recent.shift();
    state.replicas = Math.max(state.replicas, Math.min(ctx.pods, Math.max(...this.recent)));
    // Over budget, never run more than the HPA would (or the hold needs), so the overrun cannot grow;
    // beyond the HPA's spending itself, only the hold and the trimmed HPA count, so it shrinks.
    if (n > 0 && this.overBudget()) state.replicas = Math.min(state.replicas, Math.max(state.hold, hpa));
    if (n > 0 && this.ownPodTicks > this.shadow.podTicks)
      state.replicas = Math.min(state.replicas, Math.max(state.hold, state.prior));
    this.ownPodTicks += state.replicas;
    this.last = state;
    return state.replicas;
  }

  /**
   * The quantile the headroom is read at: one step down the list while the policy has spent more than
   * the shadow HPA (less the reserve), one step up while it has spent less.
   */
  private overBudget(): boolean {
    return this.ownPodTicks > (1 - this.options.costReserve) * this.shadow.podTicks;
  }

  private quantileInForce(): number {
    const quantiles = this.options.riseQuantiles;
    if (this.overBudget()) this.level = Math.max(0, this.level - 1);
    else this.level = Math.min(quantiles.length - 1, this.level + 1);
    return quantiles[this.level]!;
  }

  private observe(obs: Observation): void {
    const i = this.rates.length;
    const x = Math.max(0, obs.rps);
    if (i === 1) this.tickSeconds = Math.max(1, obs.t - this.times[0]!);
    if (obs.ready > 0 && obs.rps > 0 && Number.isFinite(obs.rho) && obs.rho > 0)
      this.capacity = obs.rps / (obs.rho * obs.ready);
    const perReplica = this.capacity === undefined ? 0 : this.capacity * this.options.sloUtilization;
    this.rates.push(x);
    this.times.push(obs.t);
    const base = Math.max(x, perReplica);
    this.bases.push(base);
    // The hold window: the newest `holdTicks` observations.
    const holdTicks = Math.max(1, Math.round(this.options.holdSeconds / this.tickSeconds));
    while (this.holdQueue.length > 0 && this.rates[this.holdQueue[this.holdQueue.length - 1]!]! <= x)
      this.holdQueue.pop();
    this.holdQueue.push(i);
    while (this.holdQueue[0]! <= i - holdTicks) this.holdQueue.shift();
    if (i < 1) {
      this.windows.forEach((w) => w.push(i, base));
      return;
    }
    const horizon = this.horizonTicks;
    if (this.moves.length === 0) {
      const halfLife = this.options.riseHalfLifeSeconds / this.tickSeconds;
      this.moves = Array.from({ length: horizon }, () => new DecayingQuantile(halfLife));
      const spans = this.options.baseWindowSeconds.map((s) => Math.max(1, Math.round(s / this.tickSeconds)));
      this.windows = spans.map((span) => new BaseWindow(span, halfLife));
      const trend = Math.max(3, Math.round(this.options.trendSeconds / this.tickSeconds));
      if (this.options.trendSeconds > 0) this.windows.push(new BaseWindow(1, halfLife, trend, horizon));
      this.windows.forEach((w) => w.push(0, this.bases[0]!));
    }
    this.windows.forEach((w) => w.push(i, base));
    for (let h = 1; h <= Math.min(horizon, i); h++) {
      const from = this.bases[i - h]!;
      if (from > 0) this.moves[h - 1]!.push(Math.max(x, 1e-12) / from);
    }
    if (i >= horizon) {
      const u = i - horizon;
      let peak = 0;
      for (let k = u + 1; k <= i; k++) peak = Math.max(peak, this.rates[k]!);
      for (const w of this.windows) w.rises.push(Math.max(peak, 1e-12) / w.peakAt(u));
    }
  }

  private forecastOf(d: DecisionState): Forecast {
    const n = this.rates.length;
    const level = n > 0 ? this.rates[n - 1]! : 0;
    const held = this.holdQueue.length > 0 ? this.rates[this.holdQueue[0]!]! : level;
    const t0 = n > 0 ? this.times[n - 1]! : 0;
    const from = n > 0 ? this.bases[n - 1]! : 0;
    const points: ForecastPoint[] = [];
    for (let h = 1; h <= this.horizonTicks; h++) {
      const moves = this.moves[h - 1];
      const t = t0 + h * this.tickSeconds;
      if (!moves || moves.count < this.options.minRises || from <= 0) {
        points.push({ t, mean: level, median: level, lower: level, upper: level });
        continue;
      }
      const median = from * moves.quantile(0.5);
      const lower = Math.min(median, from * moves.quantile(LOWER_QUANTILE));
      const upper = Math.max(median, d.base * d.headroom);
      points.push({ t, mean: median, median, lower, upper });
    }
    return {
      points,
      level,
      held,
      quantile: d.quantile,
      headroom: d.headroom,
      capacity: this.capacity,
      errorSamples: this.windows[d.window]?.rises.count ?? 0,
    };
  }
}

/** The most base demand of the last `span` observations, at every index, and the rises measured from it. */
class BaseWindow {
  readonly rises: DecayingQuantile;
  cost: number | undefined;
  private readonly peaks: number[] = [];
  private readonly queue: number[] = [];
  private readonly values: number[] = [];

  private readonly raw: number[] = [];

  /**
   * @param trend when given, the base is the demand extrapolated `ahead` ticks along the least-squares
   * line through the last `trend` observations (never below the newest demand).
   */
  constructor(
    readonly span: number,
    halfLife: number,
    private readonly trend = 0,
    private readonly ahead = 0,
  ) {
    this.rises = new DecayingQuantile(halfLife);
  }

  push(i: number, demand: number): void {
    this.raw[i] = demand;
    let base = demand;
    if (this.trend > 0 && i >= 2) base = Math.max(demand, extrapolate(this.raw, i, this.trend, this.ahead));
    this.values[i] = base;
    while (this.queue.length > 0 && this.values[this.queue[this.queue.length - 1]!]! <= base) this.queue.pop();
    this.queue.push(i);
    while (this.queue[0]! <= i - this.span) this.queue.shift();
    this.peaks[i] = this.values[this.queue[0]!]!;
  }

  peakAt(i: number): number {
    return this.peaks[i]!;
  }

  peak(): number {
    return this.peaks[this.peaks.length - 1]!;
  }
}

/** The value `ahead` steps after index `last` on the least-squares line through the `window` values up to it. */
function extrapolate(values: readonly number[], last: number, window: number, ahead: number): number {
  const m = Math.min(window, last + 1);
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < m; k++) {
    const y = values[last - m + 1 + k]!;
    sx += k;
    sy += y;
    sxy += k * y;
    sxx += k * k;
  }
  const denominator = m * sxx - sx * sx;
  if (denominator === 0) return values[last]!;
  const slope = (m * sxy - sx * sy) / denominator;
  const intercept = (sy - slope * sx) / m;
  return intercept + slope * (m - 1 + ahead);
}
