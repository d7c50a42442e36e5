// CPU and memory request/limit recommendations from usage history, in the manner of the VPA
// recommender and KRR: percentiles of an exponentially decaying usage histogram, a safety margin,
// and a memory bump after an out-of-memory kill. Every figure comes back with its reasoning.
import type { ResourceSample } from '../model/usageHistory';

export interface OomEvent {
  t: number;
  /** Memory in use when the container was killed (bytes), usually its limit. */
  memory: number;
}

export interface RightSizingOptions {
  /** Half-life of a sample's weight, in seconds (VPA: 24 h). */
  halfLifeSeconds: number;
  cpuRequestPercentile: number;
  cpuLimitPercentile: number;
  memoryRequestPercentile: number;
  /** Margin added on top of every percentile (VPA: 15 %). */
  safetyMargin: number;
  /** Memory after an OOM kill: at least this ratio times the memory at the kill... */
  oomBumpRatio: number;
  /** ...and at least this many bytes above it. */
  oomMinBumpBytes: number;
  minCpu: number;
  minMemory: number;
}

export const RIGHT_SIZING_DEFAULTS: RightSizingOptions = {
  halfLifeSeconds: 24 * 3600,
  cpuRequestPercentile: 0.9,
  cpuLimitPercentile: 0.99,
  memoryRequestPercentile: 0.9,
  safetyMargin: 0.15,
  oomBumpRatio: 1.2,
  oomMinBumpBytes: 100 * 1024 * 1024,
  minCpu: 0.01,
  minMemory: 16 * 1024 * 1024,
};

export interface ResourceRecommendation {
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
  samples: number;
  oomBumped: boolean;
  reasoning: string[];
}

/** Percentile of `values` where each value counts with `weights` (the smallest value reaching the share). */
export function weightedPercentile(values: readonly number[], weights: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (const w of weights) total += w;
  const goal = p * total;
  let running = 0;
  for (const i of order) {
    running += weights[i]!;
    if (running >= goal - 1e-12) return values[i]!;
  }
  return values[order[order.length - 1]!]!;
}

function decayWeights(samples: readonly ResourceSample[], halfLife: number): number[] {
  const newest = Math.max(...samples.map((s) => s.t));
  return samples.map((s) => Math.pow(0.5, (newest - s.t) / halfLife));
}

function cores(value: number): string {
  return value >= 1 ? `${value.toFixed(2)} cores` : `${Math.round(value * 1000)}m`;
}

function mebibytes(value: number): string {
  return `${Math.round(value / (1024 * 1024))}Mi`;
}

export function recommendResources(
  samples: readonly ResourceSample[],
  ooms: readonly OomEvent[] = [],
  options: Partial<RightSizingOptions> = {},
): ResourceRecommendation {
  const o = { ...RIGHT_SIZING_DEFAULTS, ...options };
  const reasoning: string[] = [];
  if (samples.length === 0) {
    reasoning.push('No usage history yet: keeping the minimum requests until samples arrive.');
    return {
      cpuRequest: o.minCpu,
      cpuLimit: o.minCpu,
      memoryRequest: o.minMemory,
      memoryLimit: o.minMemory,
      samples: 0,
      oomBumped: false,
      reasoning,
    };
  }
  const weights = decayWeights(samples, o.halfLifeSeconds);
  const cpu = samples.map((s) => s.cpu);
  const memory = samples.map((s) => s.memory);
  const margin = 1 + o.safetyMargin;
  const halfLifeHours = o.halfLifeSeconds / 3600;
  const cpuP = weightedPercentile(cpu, weights, o.cpuRequestPercentile);
  const cpuTop = weightedPercentile(cpu, weights, o.cpuLimitPercentile);
  const cpuRequest = Math.max(o.minCpu, cpuP * margin);
  const cpuLimit = Math.max(cpuRequest, cpuTop * margin);
  reasoning.push(
    `CPU request ${cores(cpuRequest)}: p${Math.round(o.cpuRequestPercentile * 100)} of ${samples.length} samples (weights halve every ${halfLifeHours} h) is ${cores(cpuP)}, plus ${Math.round(o.safetyMargin * 100)} % margin.`,
  );
  reasoning.push(
    `CPU limit ${cores(cpuLimit)}: p${Math.round(o.cpuLimitPercentile * 100)} usage ${cores(cpuTop)} plus the margin, so bursts are not throttled.`,
  );
  const memP = weightedPercentile(memory, weights, o.memoryRequestPercentile);
  const memPeak = Math.max(...memory);
  let memoryRequest = Math.max(o.minMemory, memP * margin);
  let memoryLimit = Math.max(memoryRequest, memPeak * margin);
  reasoning.push(
    `Memory request ${mebibytes(memoryRequest)}: p${Math.round(o.memoryRequestPercentile * 100)} working set ${mebibytes(memP)} plus the margin.`,
  );
  reasoning.push(
    `Memory limit ${mebibytes(memoryLimit)}: the peak ${mebibytes(memPeak)} plus the margin; memory cannot be throttled, only killed.`,
  );
  let oomBumped = false;
  for (const oom of ooms) {
    const bumped = Math.max(oom.memory * o.oomBumpRatio, oom.memory + o.oomMinBumpBytes);
    if (bumped > memoryLimit) {
      memoryLimit = bumped;
      oomBumped = true;
    }
    if (bumped > memoryRequest) memoryRequest = Math.max(memoryRequest, bumped);
  }
  if (oomBumped || ooms.length > 0) {
    const last = ooms.reduce((a, b) => (b.memory > a.memory ? b : a));
    reasoning.push(
      `OOM kill seen at ${mebibytes(last.memory)}: memory raised to at least ${Math.round(o.oomBumpRatio * 100)} % of it or +${mebibytes(o.oomMinBumpBytes)}, whichever is more (${mebibytes(memoryLimit)}).`,
    );
    oomBumped = true;
  }
  return { cpuRequest, cpuLimit, memoryRequest, memoryLimit, samples: samples.length, oomBumped, reasoning };
}
