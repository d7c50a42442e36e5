// The variance of a request-rate forecast error as a function of the forecast level L, the way count
// data behaves: var ≈ a + b·L + c·L² (a floor, a Poisson-like part that dominates at low rates and a
// multiplicative part that dominates at high rates). Fitted online by least squares of the squared
// errors on (1, L, L²) with exponential forgetting, every coefficient kept non-negative.

const MIN_SAMPLES = 20;
/** Refit after this many new errors (and after each of the first ones). */
const REFIT_EVERY = 16;
const EAGER_REFITS = 64;

export class CountVariance {
  private readonly xx = new Float64Array(9);
  private readonly xy = new Float64Array(3);
  /** Until enough errors are seen: a standard deviation of 15 % of the level. */
  private coefficients: [number, number, number] = [0, 0, 0.0225];
  private samples = 0;
  private stale = false;

  /** @param forgetting weight kept by the older errors per new one (1 = never forget). */
  constructor(private readonly forgetting: number) {}

  get count(): number {
    return this.samples;
  }

  get coefficientsNow(): readonly [number, number, number] {
    return this.coefficients;
  }

  /** One error `error` of a forecast whose level was `level`. */
  push(level: number, error: number): void {
    const f = [1, level, level * level];
    const sq = error * error;
    for (let i = 0; i < 9; i++) this.xx[i]! *= this.forgetting;
    for (let i = 0; i < 3; i++) {
      this.xy[i]! *= this.forgetting;
      this.xy[i]! += f[i]! * sq;
      for (let j = 0; j < 3; j++) this.xx[i * 3 + j]! += f[i]! * f[j]!;
    }
    this.samples++;
    if (this.samples < EAGER_REFITS || this.samples % REFIT_EVERY === 0) this.stale = true;
  }

  /** Variance of the error at forecast level `level`; `scale` is a typical level, for conditioning. */
  variance(level: number, scale: number): number {
    if (this.stale && this.samples >= MIN_SAMPLES) this.fit(scale);
    this.stale = false;
    const [a, b, c] = this.coefficients;
    return Math.max(a + b * level + c * level * level, 1e-12);
  }

  /** Non-negative least squares by trying every subset of the three terms (there are only seven). */
  private fit(scale: number): void {
    const s = [1, scale, scale * scale];
    let best: [number, number, number] | undefined;
    let bestLoss = Infinity;
    for (let mask = 1; mask < 8; mask++) {
      const terms = [0, 1, 2].filter((i) => (mask & (1 << i)) !== 0);
      const a = terms.map((i) => terms.map((j) => this.xx[i * 3 + j]! / (s[i]! * s[j]!)));
      const b = terms.map((i) => this.xy[i]! / s[i]!);
      for (let i = 0; i < terms.length; i++) a[i]![i]! *= 1 + 1e-9;
      const x = solve(a, b);
      if (!x || x.some((v) => !(v >= 0))) continue;
      let loss = 0;
      for (let i = 0; i < terms.length; i++) {
        loss -= 2 * x[i]! * b[i]!;
        for (let j = 0; j < terms.length; j++) loss += x[i]! * a[i]![j]! * x[j]!;
      }
      if (loss < bestLoss) {
        bestLoss = loss;
        const coefficients: [number, number, number] = [0, 0, 0];
        terms.forEach((term, k) => (coefficients[term] = x[k]! / s[term]!));
        best = coefficients;
      }
    }
    if (best) this.coefficients = best;
  }
}

/** Gauss-Jordan elimination with partial pivoting; undefined when singular. */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (!(Math.abs(m[p]![c]!) > 1e-300)) return undefined;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
