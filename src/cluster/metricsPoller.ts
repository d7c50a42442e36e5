// Pod usage from metrics.k8s.io. The metrics API cannot be watched, so it is read on an interval;
// a cluster that does not serve it is noted once and asked again only rarely.
import { KubeConfig, Metrics } from '@kubernetes/client-node';
import type { PodUsage } from '../core/model/resources';
import { parseBytes, parseMillicores } from '../core/model/quantity';
import { describeClusterError, isForbidden, isMissingResource } from './errors';
import { timestamp } from './convert';

export type MetricsState =
  { phase: 'waiting' } | { phase: 'serving'; pods: number } | { phase: 'unavailable'; message: string };

export class MetricsPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: MetricsState = { phase: 'waiting' };
  private readonly metrics: Metrics;

  constructor(
    kc: KubeConfig,
    private readonly namespaces: (string | undefined)[],
    private readonly sink: (usage: PodUsage[], state: MetricsState) => void,
    private readonly intervalMs = 15_000,
  ) {
    this.metrics = new Metrics(kc);
  }

  get state(): MetricsState {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    let next = this.intervalMs;
    try {
      const usage: PodUsage[] = [];
      for (const ns of this.namespaces) {
        const list = await this.metrics.getPodMetrics(ns);
        for (const item of list.items) {
          usage.push({
            namespace: item.metadata.namespace ?? '',
            name: item.metadata.name,
            timestamp: timestamp(item.timestamp),
            containers: item.containers.map((c) => ({
              name: c.name,
              cpuMillicores: parseMillicores(c.usage.cpu) ?? 0,
              memoryBytes: parseBytes(c.usage.memory) ?? 0,
            })),
          });
        }
      }
      this.current = { phase: 'serving', pods: usage.length };
      if (!this.stopped) this.sink(usage, this.current);
    } catch (error) {
      const unavailable = isMissingResource(error) || isForbidden(error) || describeClusterError(error).status === 503;
      this.current = {
        phase: 'unavailable',
        message: `Pod usage (metrics.k8s.io): ${describeClusterError(error).message}`,
      };
      if (unavailable) next = this.intervalMs * 20;
      if (!this.stopped) this.sink([], this.current);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), next);
  }
}
