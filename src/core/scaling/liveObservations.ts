// A live workload's CPU usage samples as the benchmark's observations, so the predictive policy
// that is scored offline sizes the workload from the same kind of series: one observation per
// metrics interval, demand in CPU cores, ready = pods that reported, rho against the CPU request.
import { parseCores } from '../model/quantity';
import type { PodTemplate } from '../model/resources';
import type { UsageSample } from '../model/usageHistory';
import type { Observation } from './policy';

/** The samples of one container of the workload (every pod's samples, interleaved). */
export interface ContainerSeries {
  container: string;
  samples: readonly UsageSample[];
}

export interface LiveObservationOptions {
  /** Width of a bucket: the metrics interval (default 15 s). */
  tickSeconds: number;
  /** Empty buckets bridged by repeating the previous observation (default 2); a longer gap restarts the series. */
  maxFillTicks: number;
  /** Newest observations kept (default 960: four hours at 15 s). */
  maxObservations: number;
}

export const LIVE_OBSERVATION_DEFAULTS: LiveObservationOptions = {
  tickSeconds: 15,
  maxFillTicks: 2,
  maxObservations: 960,
};

export interface LiveObservations {
  /** Oldest first, `t` in the samples' seconds, evenly spaced by `tickSeconds`. `rho` is NaN when the CPU request is unknown. */
  observations: Observation[];
  tickSeconds: number;
  /** Empty buckets that were bridged with the previous observation. */
  filled: number;
  /** Time of the first observation after a gap too long to bridge, when older data was dropped. */
  restartedAt?: number;
  /** True when rho could be computed (every container requests CPU). */
  capacityKnown: boolean;
}

/**
 * CPU cores a pod of this template requests, or undefined when any container has no CPU request:
 * like the HorizontalPodAutoscaler, utilization is only defined when every container requests CPU.
 */
export function podCpuRequest(template: Pick<PodTemplate, 'containers'>): number | undefined {
  if (template.containers.length === 0) return undefined;
  let total = 0;
  for (const c of template.containers) {
    const cores = parseCores(c.resources.requests['cpu']);
    if (cores === undefined || !(cores > 0)) return undefined;
    total += cores;
  }
  return total;
}

interface Bucket {
  /** pod → container → summed cpu and count, with the sample times seen (duplicates are dropped). */
  pods: Map<string, Map<string, { sum: number; n: number; times: Set<number> }>>;
}

/**
 * Buckets usage samples by time and turns each bucket into an observation. Buckets end at the newest
 * sample and step back by `tickSeconds`, so one metrics poll (whose pod timestamps differ by a few
 * seconds) lands in one bucket. Demand is the CPU of every pod and container in the bucket (a
 * container sampled twice in one bucket counts once, at its mean), ready is the number of pods.
 */
export function liveObservations(
  series: readonly ContainerSeries[],
  cpuRequestPerPod: number | undefined,
  options: Partial<LiveObservationOptions> = {},
): LiveObservations {
  const opts = { ...LIVE_OBSERVATION_DEFAULTS, ...options };
  const tick = opts.tickSeconds > 0 ? opts.tickSeconds : LIVE_OBSERVATION_DEFAULTS.tickSeconds;
  const capacityKnown = cpuRequestPerPod !== undefined && cpuRequestPerPod > 0;
  let newest = -Infinity;
  for (const s of series)
    for (const sample of s.samples) if (Number.isFinite(sample.t) && sample.t > newest) newest = sample.t;
  if (!Number.isFinite(newest)) return { observations: [], tickSeconds: tick, filled: 0, capacityKnown };

  // Bucket k (k >= 0) holds samples with newest - (k + 1)·tick < t <= newest - k·tick.
  const buckets = new Map<number, Bucket>();
  for (const s of series) {
    for (const sample of s.samples) {
      if (!Number.isFinite(sample.t) || !Number.isFinite(sample.cpu)) continue;
      const k = Math.floor((newest - sample.t) / tick);
      if (k >= opts.maxObservations) continue;
      let bucket = buckets.get(k);
      if (!bucket) buckets.set(k, (bucket = { pods: new Map() }));
      let containers = bucket.pods.get(sample.pod);
      if (!containers) bucket.pods.set(sample.pod, (containers = new Map()));
      let acc = containers.get(s.container);
      if (!acc) containers.set(s.container, (acc = { sum: 0, n: 0, times: new Set() }));
      if (acc.times.has(sample.t)) continue;
      acc.times.add(sample.t);
      acc.sum += Math.max(0, sample.cpu);
      acc.n++;
    }
  }

  const indices = [...buckets.keys()].sort((a, b) => b - a);
  const observations: Observation[] = [];
  let filled = 0;
  let restartedAt: number | undefined;
  let previous: number | undefined;
  for (const k of indices) {
    const obs = observe(buckets.get(k)!, newest - k * tick, cpuRequestPerPod);
    if (previous !== undefined) {
      const missing = previous - k - 1;
      if (missing > opts.maxFillTicks) {
        observations.length = 0;
        filled = 0;
        restartedAt = obs.t;
      } else {
        const last = observations[observations.length - 1]!;
        for (let j = 1; j <= missing; j++) observations.push({ ...last, t: last.t + j * tick });
        filled += missing;
      }
    }
    observations.push(obs);
    previous = k;
  }
  const kept = observations.length > opts.maxObservations ? observations.slice(-opts.maxObservations) : observations;
  const result: LiveObservations = { observations: kept, tickSeconds: tick, filled, capacityKnown };
  if (restartedAt !== undefined) result.restartedAt = restartedAt;
  return result;
}

function observe(bucket: Bucket, t: number, cpuRequestPerPod: number | undefined): Observation {
  let demand = 0;
  for (const containers of bucket.pods.values()) for (const acc of containers.values()) demand += acc.sum / acc.n;
  const ready = bucket.pods.size;
  const rho =
    cpuRequestPerPod !== undefined && cpuRequestPerPod > 0 && ready > 0
      ? demand / (ready * cpuRequestPerPod)
      : Number.NaN;
  return { t, rps: round(demand), ready, rho };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
