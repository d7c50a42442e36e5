// Quantiles of a stream of positive ratios in which every sample weighs less as newer ones arrive
// (exponential forgetting with a half-life counted in samples). The ratios are binned on a log scale,
// so a quantile is exact to one bin (about 1 %) and each update costs O(1).

/** Bins per unit of natural log: a bin spans about 1 % of the ratio. */
const BINS_PER_LOG = 100;
/** Ratios from e^-4 (about 0.02) to e^5 (about 150); values beyond land in the end bins. */
const LOG_MIN = -4;
const LOG_MAX = 5;
const BINS = (LOG_MAX - LOG_MIN) * BINS_PER_LOG;
/** The growing weight of new samples is folded back into the bins before it overflows. */
const RESCALE_AT = 1e200;

export class DecayingQuantile {
  private readonly bins = new Float64Array(BINS);
  private total = 0;
  private weight = 1;
  private readonly growth: number;
  private samples = 0;

  /** @param halfLife samples after which a sample weighs half as much as a new one. */
  constructor(readonly halfLife: number) {
    this.growth = 2 ** (1 / Math.max(1, halfLife));
  }

  get count(): number {
    return this.samples;
  }

  push(ratio: number): void {
    if (!(ratio > 0) || !Number.isFinite(ratio)) return;
    const bin = Math.min(BINS - 1, Math.max(0, Math.floor((Math.log(ratio) - LOG_MIN) * BINS_PER_LOG)));
    this.bins[bin]! += this.weight;
    this.total += this.weight;
    this.samples++;
    this.weight *= this.growth;
    if (this.weight > RESCALE_AT) {
      const scale = 1 / this.weight;
      for (let i = 0; i < BINS; i++) this.bins[i]! *= scale;
      this.total *= scale;
      this.weight = 1;
    }
  }

  /**
   * The smallest ratio with at most a weighted share `1 - p` of the samples above it (the upper edge
   * of its bin, so the answer errs high); `fallback` while empty. p = 1 gives the largest sample's bin.
   */
  quantile(p: number, fallback = 1): number {
    if (this.samples === 0 || this.total <= 0) return fallback;
    const allowed = Math.max(0, 1 - p) * this.total;
    let above = 0;
    for (let i = BINS - 1; i >= 0; i--) {
      const w = this.bins[i]!;
      if (w > 0 && above + w > allowed * (1 + 1e-12)) return Math.exp(LOG_MIN + (i + 1) / BINS_PER_LOG);
      above += w;
    }
    return Math.exp(LOG_MIN + 1 / BINS_PER_LOG);
  }

  /** Weighted share of the samples above `ratio` (0 while empty). */
  shareAbove(ratio: number): number {
    if (this.samples === 0 || this.total <= 0) return 0;
    const from = Math.floor((Math.log(Math.max(ratio, 1e-300)) - LOG_MIN) * BINS_PER_LOG) + 1;
    let above = 0;
    for (let i = Math.max(0, from); i < BINS; i++) above += this.bins[i]!;
    return Math.min(1, above / this.total);
  }
}
