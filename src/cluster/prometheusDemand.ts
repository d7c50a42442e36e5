// A workload's demand series from Prometheus: the last hour from one range query (15 s step), then
// one instant query per tick appended to it. A gap, or a different query or server, starts over
// with a range query. Every time is aligned to the step, so range and instant points share a grid.
import type { DemandPoint, PromError, PromResult } from '../core/metrics/promResponse';
import { PrometheusClient, type PrometheusEndpoint } from './prometheusClient';

export const DEMAND_STEP_SECONDS = 15;
/** History fetched when a series starts. */
const HISTORY_SECONDS = 3600;
/** Points kept per series: four hours, as the CPU history keeps. */
const MAX_POINTS = 960;
/** A series not read for this long is forgotten. */
const IDLE_MS = 30 * 60_000;

export interface DemandRequest {
  /** Identifies the workload. */
  key: string;
  /** The query with its placeholders filled in. */
  query: string;
  endpoint: PrometheusEndpoint;
}

export type DemandRead = { ok: true; points: DemandPoint[]; series: number } | { ok: false; error: PromError };

interface Cached {
  signature: string;
  points: DemandPoint[];
  series: number;
  usedAt: number;
}

type Client = Pick<PrometheusClient, 'instant' | 'range'>;

export class PrometheusDemand {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<DemandRead>>();

  constructor(private readonly clientFor: (endpoint: PrometheusEndpoint) => Client = (e) => new PrometheusClient(e)) {}

  /** The series up to `nowMs`, reading only what is new since the last call. */
  read(request: DemandRequest, nowMs = Date.now()): Promise<DemandRead> {
    const running = this.inFlight.get(request.key);
    if (running) return running;
    const promise = this.fetch(request, nowMs).finally(() => this.inFlight.delete(request.key));
    this.inFlight.set(request.key, promise);
    return promise;
  }

  forget(key: string): void {
    this.cache.delete(key);
  }

  private async fetch(request: DemandRequest, nowMs: number): Promise<DemandRead> {
    this.prune(nowMs);
    const step = DEMAND_STEP_SECONDS;
    const end = Math.floor(nowMs / 1000 / step) * step;
    const signature = JSON.stringify([request.query, request.endpoint.url, request.endpoint.authHeader ?? '']);
    const client = this.clientFor(request.endpoint);
    let cached = this.cache.get(request.key);
    if (cached && cached.signature !== signature) cached = undefined;
    const last = cached?.points[cached.points.length - 1];
    let result: PromResult;
    if (cached && last && end - last.t <= 3 * step) {
      if (end <= last.t) {
        cached.usedAt = nowMs;
        return { ok: true, points: [...cached.points], series: cached.series };
      }
      // Ticks missed in between (a slow refresh) are read as a short range, the tick itself instantly.
      result =
        end - last.t > step
          ? await client.range(request.query, last.t + step, end, step)
          : await client.instant(request.query, end);
      if (!result.ok) return result;
      cached.points.push(...result.points.filter((p) => p.t > last.t));
      if (cached.points.length > MAX_POINTS) cached.points.splice(0, cached.points.length - MAX_POINTS);
      cached.series = result.series;
      cached.usedAt = nowMs;
      return { ok: true, points: [...cached.points], series: cached.series };
    }
    result = await client.range(request.query, end - HISTORY_SECONDS, end, step);
    if (!result.ok) {
      this.cache.delete(request.key);
      return result;
    }
    const fresh: Cached = { signature, points: result.points.slice(-MAX_POINTS), series: result.series, usedAt: nowMs };
    this.cache.set(request.key, fresh);
    return { ok: true, points: [...fresh.points], series: fresh.series };
  }

  private prune(nowMs: number): void {
    for (const [key, c] of this.cache) if (nowMs - c.usedAt > IDLE_MS) this.cache.delete(key);
  }
}
