// Infers, from the observed series alone, whether the metric only changes every k samples (a source
// sampled coarser than the metrics tick, e.g. per-minute data read every 15 s). When it does, the value
// of the current step is known exactly once its first sample is seen, and only the next steps are
// uncertain. The step is the greatest common divisor of the gaps between changes; one change off that
// grid brings it back to 1 for good.

/** Changes needed before a step larger than one sample is trusted. */
const MIN_CHANGES = 8;

export class StepDetector {
  private count = 0;
  private previous = 0;
  private firstChange = -1;
  private lastChange = -1;
  private changes = 0;
  private divisor = 0;

  /** Samples seen. */
  get length(): number {
    return this.count;
  }

  /** Samples per step (1 when the series may change at any sample). */
  get size(): number {
    return this.changes >= MIN_CHANGES && this.divisor >= 2 ? this.divisor : 1;
  }

  /** Index of a sample that starts a step; steps start at `phase + j * size`. */
  get phase(): number {
    const size = this.size;
    return size > 1 ? this.firstChange % size : 0;
  }

  observe(value: number): void {
    const index = this.count++;
    if (index > 0 && value !== this.previous) {
      if (this.lastChange >= 0) this.divisor = gcd(this.divisor, index - this.lastChange);
      else this.firstChange = index;
      this.lastChange = index;
      this.changes++;
    }
    this.previous = value;
  }

  /** The step a sample index belongs to (steps before the first full one are negative or zero). */
  stepOf(index: number): number {
    const size = this.size;
    return size === 1 ? index : Math.floor((index - this.phase) / size);
  }

  /** Whether sample `index` is the first sample of its step (sample 0 always is). */
  startsStep(index: number): boolean {
    const size = this.size;
    return index === 0 || size === 1 || (index - this.phase) % size === 0;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
