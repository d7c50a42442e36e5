// The demand a rise is measured from: the most of the last `span` observations (or the demand
// extrapolated along a trend line), at every index, with the distribution of the rises measured from it.
import { DecayingQuantile } from './decayingQuantile';

/** The most base demand of the last `span` observations, at every index, and the rises measured from it. */
export class BaseWindow {
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
