// The default policy. It keeps an account against the Kubernetes HPA run on the same observations
// (`HpaLedger`), which makes three guarantees hold on any series by construction, whatever the sizing
// below proposes:
// - cost: never more replica-hours than the HPA (a count above the HPA's is paid from pod-ticks saved
//   earlier, reconciled every tick);
// - violations on demand already seen: none the HPA does not also have (the hold below, which the
//   account only overrides with a count at or above the HPA's);
// - violations: never more than the HPA's plus `violationAllowance` ticks (a count below the HPA's is
//   allowed only while the ticks it leaves exposed are covered by violations already saved).
// Within those bounds it sizes from the workload's own behaviour:
// - Hold: never below the most demand observed in the last 360 s.
// - Headroom: for the ticks until pods created now are ready, a base demand times a quantile of the
//   workload's own past rises over that horizon (the most demand reached within it over the base at its
//   start), weighted towards recent ones with a half-life of hours. The bases are the most demand of the
//   last 15 s, 1, 3 or 6 minutes, or the demand extrapolated along the last 3 minutes' trend.
// - Below the HPA only where every base, at its largest rise (its 99.9 % quantile once the policy has
//   violated less than the HPA), stays below the HPA's count: the HPA's room is not needed there.
// - Above the HPA where the quantile the bank affords asks for more: while the bank holds more than
//   `costReserve` of the HPA's spending the quantile steps up a list (to 99.9 %), else down.
// - No flapping: a pod asked for by any decision of the last startup period is not removed.
// Until enough rises are seen it provisions what the HPA would, and never less than the hold. It reads
// only observations (rate, ready, utilization) and its own decisions; nothing depends on a series'
// source, length or step (no step detection: held values are just rises of zero).
import type { Forecast, ForecastPoint } from './forecast';
import { DecayingQuantile } from './decayingQuantile';
import type { Observation, ScalingContext, ScalingPolicy } from './policy';
import { PREDICTIVE_DEFAULTS, type PredictiveOptions } from './predictiveOptions';
import { BaseWindow } from './baseWindow';
import { HpaLedger } from './hpaLedger';

export { PREDICTIVE_DEFAULTS, type PredictiveOptions } from './predictiveOptions';

export interface PredictiveDecision {
  replicas: number;
  /** Replicas the headroom over the newest demand asks for. */
  need: number;
  /** Replicas the most demand of the hold window needs. */
  hold: number;
  /** Replicas the HPA run alongside has at this tick. */
  hpa: number;
  /** Pod-ticks saved against the HPA so far, and its violating ticks less the policy's. */
  bank: number;
  credit: number;
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
  private readonly ledger: HpaLedger;
  private level: number;
  /** The counts the last decisions asked for, before this hold. */
  private readonly recent: number[] = [];
  private last: DecisionState | undefined;

  constructor(options: Partial<PredictiveOptions> = {}) {
    this.options = { ...PREDICTIVE_DEFAULTS, ...options };
    this.ledger = new HpaLedger(
      this.options.startupSeconds,
      this.options.sloUtilization,
      this.options.violationAllowance,
    );
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
    return {
      replicas: d.replicas,
      need: d.need,
      hold: d.hold,
      hpa: d.hpa,
      bank: this.ledger.bank,
      credit: this.ledger.credit,
      risk,
      forecast: this.forecastOf(d),
    };
  }

  decide(ctx: ScalingContext): number {
    const fresh = ctx.history.slice(this.consumed);
    for (; this.consumed < ctx.history.length; this.consumed++) this.observe(ctx.history[this.consumed]!);
    const { minReplicas: min, maxReplicas: max } = ctx;
    const newest = ctx.history.length > 0 ? ctx.history[ctx.history.length - 1] : undefined;
    const ledger = this.ledger;
    ledger.tickSeconds = this.tickSeconds;
    ledger.observe(ctx.initial, fresh);
    const bounds = ledger.bounds(ctx.t, ctx.initial, newest, min, max);
    const state = this.size(bounds.hpa, min, max);
    // A pod removed now could not be back before new pods are ready: keep, of the pods there are, as
    // many as any decision of the last startup period wanted (its needs were as likely as this one's).
    this.recent.push(state.replicas);
    const keep = Math.round(this.options.regretSeconds / this.tickSeconds);
    while (this.recent.length > keep + 1) this.recent.shift();
    state.replicas = Math.max(state.replicas, Math.min(ctx.pods, Math.max(...this.recent)));
    // The account has the last word: never fewer than keeps the violations within the allowance, never
    // more than the bank pays for.
    state.replicas = Math.min(bounds.upper, Math.max(bounds.lower, state.replicas));
    ledger.commit(ctx.t, state.replicas);
    this.last = state;
    return state.replicas;
  }

  /** What the workload's own rises ask for, given the HPA's count. */
  private size(hpa: number, min: number, max: number): DecisionState {
    const n = this.rates.length;
    const start = {
      need: hpa,
      hold: hpa,
      hpa,
      quantile: 1,
      headroom: 1,
      base: n > 0 ? this.bases[n - 1]! : 0,
      window: 0,
    };
    // Nothing but the start is known, or no load has shown what a replica serves: do what the HPA does.
    if (n === 0 || this.capacity === undefined || !(this.capacity > 0)) return { replicas: hpa, ...start };
    const slo = this.options.sloUtilization;
    const perReplica = this.capacity * slo;
    const held = this.rates[this.holdQueue[0]!]!;
    // The hold is sized on every capacity still possible, a tie at the boundary rounded up.
    const need = (rate: number) =>
      Math.min(max, Math.max(min, this.ledger.capacity.replicasFor(rate, slo) ?? Math.ceil(rate / perReplica)));
    const hold = need(held);
    const quantile = this.quantileInForce();
    const warm = this.windows.length > 0 && this.windows.every((w) => w.rises.count >= this.options.minRises);
    if (!warm) return { ...start, replicas: Math.max(hold, hpa), hold, quantile };
    // Every base sizes the headroom at the same quantile of its own rises; the one that has cost least
    // lately speaks for the count above the HPA's.
    const guard = this.ledger.credit > 0 ? this.options.saveQuantile : 1;
    const smoothing = 1 - 2 ** (-this.tickSeconds / this.options.riseHalfLifeSeconds);
    let best = 0;
    this.windows.forEach((w, k) => {
      const rate = Math.max(held, w.peak() * w.rises.quantile(quantile));
      w.cost = w.cost === undefined ? rate : w.cost + smoothing * (rate - w.cost);
      if (w.cost < this.windows[best]!.cost!) best = k;
    });
    const window = this.windows[best]!;
    const base = window.peak();
    // Below the HPA only where every base at the guarded quantile stays below it.
    const save = Math.max(hold, ...this.windows.map((w) => need(w.peak() * w.rises.quantile(guard))));
    if (save < hpa) {
      return {
        replicas: save,
        need: save,
        hold,
        hpa,
        quantile: guard,
        headroom: window.rises.quantile(guard),
        base,
        window: best,
      };
    }
    const headroom = window.rises.quantile(quantile);
    const spend = Math.max(hpa, hold, need(base * headroom));
    return { replicas: spend, need: spend, hold, hpa, quantile, headroom, base, window: best };
  }

  /** The quantile a count above the HPA's is read at: up the list while the bank holds the reserve, else down. */
  private quantileInForce(): number {
    const quantiles = this.options.riseQuantiles;
    if (this.ledger.bank < this.options.costReserve * this.ledger.shadow.podTicks)
      this.level = Math.max(0, this.level - 1);
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
