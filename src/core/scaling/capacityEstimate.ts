// What one replica serves, recovered from the observations to the last bit. A policy sees the
// capacity only through `rho = rps / (ready * capacity)`; to replay another controller's utilization on
// a different ready count exactly (the HPA's, or its own as it would have been), it keeps the interval
// of floating-point capacities that reproduce every observed rho bit for bit. On one series the true
// capacity is always inside, and the interval shrinks to a few values within a handful of observations;
// an observation that no capacity in the interval reproduces (the capacity changed, as when a live
// workload's requests are edited) restarts it from that observation.
import type { Observation } from './policy';

const view = new DataView(new ArrayBuffer(8));

/** The next double above a positive finite `x`. */
function nextUp(x: number): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/** The next double below a positive finite `x`. */
function nextDown(x: number): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/** Utilization as the service computes it (the same operations, so the same rounding). */
export function utilizationAt(rps: number, ready: number, capacity: number): number {
  if (rps <= 0) return 0;
  return ready <= 0 ? Infinity : rps / (ready * capacity);
}

/** Steps searched on either side of the first estimate for capacities that reproduce an observation. */
const SEARCH_STEPS = 64;

export class CapacityEstimate {
  private lo: number | undefined;
  private hi: number | undefined;
  private restarts = 0;

  /** The smallest and largest capacity consistent with the observations since the last restart. */
  get bounds(): { lo: number; hi: number } | undefined {
    return this.lo === undefined || this.hi === undefined ? undefined : { lo: this.lo, hi: this.hi };
  }

  /** How often an observation contradicted the interval and restarted it. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Narrows the interval with one observation; observations without load or without ready replicas say nothing. */
  observe(obs: Observation): void {
    if (!(obs.rps > 0) || !(obs.ready > 0) || !Number.isFinite(obs.rho) || !(obs.rho > 0)) return;
    const found = consistentCapacities(obs);
    if (this.lo === undefined || this.hi === undefined) {
      [this.lo, this.hi] = [found.lo, found.hi];
      return;
    }
    const lo = Math.max(this.lo, found.lo);
    const hi = Math.min(this.hi, found.hi);
    if (lo <= hi) [this.lo, this.hi] = [lo, hi];
    else {
      [this.lo, this.hi] = [found.lo, found.hi];
      this.restarts++;
    }
  }

  /**
   * The utilization `ready` replicas would have had at `obs`: exactly the observed rho when `ready` is the
   * observed count, else the range over the capacities still possible (`low` = `high` once they agree).
   * Undefined while no load has shown the capacity.
   */
  utilization(obs: Observation, ready: number): { low: number; high: number } | undefined {
    if (ready === obs.ready && !Number.isNaN(obs.rho)) return { low: obs.rho, high: obs.rho };
    if (obs.rps <= 0) return { low: 0, high: 0 };
    if (ready <= 0) return { low: Infinity, high: Infinity };
    if (this.lo === undefined || this.hi === undefined) return undefined;
    return { low: utilizationAt(obs.rps, ready, this.hi), high: utilizationAt(obs.rps, ready, this.lo) };
  }

  /**
   * Replicas that keep `rps` at or under `utilization` whatever the capacity in the interval, with a
   * margin of one part in 10^9 so a float tie at the boundary is never taken as met.
   */
  replicasFor(rps: number, utilization: number): number | undefined {
    if (this.lo === undefined) return undefined;
    if (rps <= 0) return 0;
    return Math.ceil((rps / (utilization * this.lo)) * (1 + 1e-9));
  }
}

/** Every capacity (as an interval of doubles) for which the service's own arithmetic gives the observed rho. */
function consistentCapacities(obs: Observation): { lo: number; hi: number } {
  const { rps, ready, rho } = obs;
  const guess = rps / (rho * ready);
  const exact = (c: number) => utilizationAt(rps, ready, c) === rho;
  let start: number | undefined;
  if (exact(guess)) start = guess;
  else {
    // Utilization falls as capacity grows: walk towards the observed value.
    const up = utilizationAt(rps, ready, guess) > rho;
    let c = guess;
    for (let i = 0; i < SEARCH_STEPS && start === undefined; i++) {
      c = up ? nextUp(c) : nextDown(c);
      if (exact(c)) start = c;
    }
  }
  // No double reproduces it (a rho computed another way): trust the estimate to a part in 10^12.
  if (start === undefined) return { lo: guess * (1 - 1e-12), hi: guess * (1 + 1e-12) };
  let lo = start;
  let hi = start;
  for (let i = 0; i < SEARCH_STEPS && exact(nextDown(lo)); i++) lo = nextDown(lo);
  for (let i = 0; i < SEARCH_STEPS && exact(nextUp(hi)); i++) hi = nextUp(hi);
  return { lo, hi };
}
