// A request-rate series (from Prometheus) turned into the policy's observations. Capacity per
// replica is in the demand's unit: the policy's threshold when one is given (the demand one
// replica serves), else estimated from the CPU observations at the same time — requests per
// CPU core times the pod's CPU request — so rho is the CPU utilization the HPA would see.
import type { DemandPoint } from '../metrics/promResponse';
import type { Observation } from './policy';

export interface DemandObservationInput {
  /** The demand series, oldest first, on a `tickSeconds` grid (gaps allowed). */
  demand: readonly DemandPoint[];
  /** CPU observations of the same workload (`rps` in cores, `rho` its CPU utilization), oldest first. */
  cpu: readonly Observation[];
  /** Ready replicas now, used where no CPU observation tells how many were ready. */
  readyNow: number;
  /** Demand one replica serves at the target utilization (a policy's threshold), when given. */
  threshold?: number;
  /** The target utilization the threshold is met at (the policy's sloUtilization). */
  sloUtilization: number;
  tickSeconds: number;
  /** Empty ticks bridged by repeating the previous point; a longer gap restarts the series. */
  maxFillTicks?: number;
}

export interface DemandObservations {
  observations: Observation[];
  /** How capacity per replica is known: the threshold, CPU, or not at all. */
  capacity: 'threshold' | 'cpu' | 'unknown';
  /** Time of the first observation after a gap too long to bridge. */
  restartedAt?: number;
}

/** The CPU observation closest to `t`, within half a tick. */
function cpuAt(cpu: readonly Observation[], t: number, tick: number): Observation | undefined {
  let lo = 0;
  let hi = cpu.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cpu[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  let best: Observation | undefined;
  for (const i of [lo - 1, lo]) {
    const o = cpu[i];
    if (o && Math.abs(o.t - t) <= tick / 2 && (!best || Math.abs(o.t - t) < Math.abs(best.t - t))) best = o;
  }
  return best;
}

export function demandObservations(input: DemandObservationInput): DemandObservations {
  const tick = input.tickSeconds > 0 ? input.tickSeconds : 15;
  const maxFill = input.maxFillTicks ?? 2;
  const threshold =
    input.threshold !== undefined && Number.isFinite(input.threshold) && input.threshold > 0
      ? input.threshold
      : undefined;
  const slo = input.sloUtilization > 0 ? input.sloUtilization : 1;
  const points = [...input.demand]
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value))
    .sort((a, b) => a.t - b.t);
  const observations: Observation[] = [];
  let restartedAt: number | undefined;
  let anyCpu = false;
  for (const p of points) {
    const last = observations[observations.length - 1];
    if (last) {
      if (p.t - last.t < tick / 2) continue; // the same tick twice
      const missing = Math.round((p.t - last.t) / tick) - 1;
      if (missing > maxFill) {
        observations.length = 0;
        restartedAt = p.t;
      } else for (let j = 1; j <= missing; j++) observations.push({ ...last, t: last.t + j * tick });
    }
    const rps = Math.max(0, p.value);
    const c = cpuAt(input.cpu, p.t, tick);
    const ready = c && c.ready > 0 ? c.ready : input.readyNow;
    let rho = Number.NaN;
    if (threshold !== undefined) rho = ready > 0 ? (rps * slo) / (ready * threshold) : rps > 0 ? Infinity : 0;
    else if (c && Number.isFinite(c.rho) && c.rho > 0) {
      rho = c.rho;
      anyCpu = true;
    }
    observations.push({ t: p.t, rps: Math.round(rps * 1e6) / 1e6, ready, rho });
  }
  const result: DemandObservations = {
    observations,
    capacity: threshold !== undefined ? 'threshold' : anyCpu ? 'cpu' : 'unknown',
  };
  if (restartedAt !== undefined) result.restartedAt = restartedAt;
  return result;
}
