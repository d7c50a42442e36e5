// Window statistics over the step series the predictive policy forecasts.

/** Least-squares slope per step of the last `window` values. */
export function slope(values: readonly number[], window: number): number {
  const n = values.length;
  const m = Math.min(n, window);
  if (m < 3) return 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < m; k++) {
    const y = values[n - m + k]!;
    sx += k;
    sy += y;
    sxy += k * y;
    sxx += k * k;
  }
  const denominator = m * sxx - sx * sx;
  return denominator === 0 ? 0 : (m * sxy - sx * sy) / denominator;
}

/** Median of the values within `window` of index `at` (those that exist): smooths noise, keeps edges. */
export function windowMedian(values: readonly number[], at: number, window: number): number {
  const from = Math.max(0, at - window);
  const to = Math.min(values.length - 1, at + window);
  const sorted = values.slice(from, to + 1).sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : 0.5 * (sorted[mid - 1]! + sorted[mid]!);
}
