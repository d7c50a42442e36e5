// Quantiles of the last `size` values of a stream, kept sorted so each update costs O(size) moves.

export class SlidingQuantile {
  private readonly order: number[] = [];
  private readonly fifo: number[] = [];
  private head = 0;

  constructor(readonly size: number) {}

  get count(): number {
    return this.order.length;
  }

  push(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.fifo.length - this.head >= this.size) {
      const old = this.fifo[this.head++]!;
      this.order.splice(this.search(old), 1);
      if (this.head > 4096 && this.head * 2 > this.fifo.length) {
        this.fifo.splice(0, this.head);
        this.head = 0;
      }
    }
    this.fifo.push(value);
    this.order.splice(this.search(value), 0, value);
  }

  /** Linear-interpolated `p`-quantile of the window; `fallback` while it is empty. */
  quantile(p: number, fallback = 0): number {
    const n = this.order.length;
    if (n === 0) return fallback;
    const position = Math.min(1, Math.max(0, p)) * (n - 1);
    const lower = Math.floor(position);
    const upper = Math.min(n - 1, lower + 1);
    return this.order[lower]! + (this.order[upper]! - this.order[lower]!) * (position - lower);
  }

  /** Share of the window strictly above `value` (0 while empty). */
  fractionAbove(value: number): number {
    const n = this.order.length;
    if (n === 0) return 0;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    return (n - lo) / n;
  }

  private search(value: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
