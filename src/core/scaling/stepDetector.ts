// Detects, online, that a per-tick series only changes every k ticks (a trace with a longer step whose
// value is held for every tick of the step): every change seen so far falls a multiple of k ticks after
// the first one. Until three changes agree on some k > 1 the series is taken to change every tick.

export class StepDetector {
  private last: number | undefined;
  private ticks = 0;
  private firstChange = -1;
  private changes = 0;
  private changeGcd = 0;

  /** @param maxTicks the longest step that may be inferred. */
  constructor(private readonly maxTicks: number) {}

  /** Adds the value of the next tick. */
  push(value: number): void {
    const i = this.ticks++;
    if (this.last !== undefined && value !== this.last) {
      if (this.firstChange < 0) this.firstChange = i;
      else this.changeGcd = gcd(this.changeGcd, i - this.firstChange);
      this.changes++;
    }
    this.last = value;
  }

  /** Ticks per step. */
  get step(): number {
    return this.changes >= 3 && this.changeGcd > 1 && this.changeGcd <= this.maxTicks ? this.changeGcd : 1;
  }

  /** The tick index, modulo the step, at which steps start. */
  get phase(): number {
    const step = this.step;
    return step > 1 ? this.firstChange % step : 0;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
