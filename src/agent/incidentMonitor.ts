// Turns the live snapshot into incidents: runs the detectors (debounced after watch events, and on
// a slow tick for time-based conditions), keeps the open → resolved lifecycle, and starts one
// agent-graph thread per new incident. The graph is loaded on first use, not on activation.
import { Emitter } from '../core/events';
import { detectAll } from '../core/detect/detectors';
import { IncidentTracker } from '../core/detect/incidentTracker';
import type { Finding, Incident } from '../core/model/incident';
import { bySeverity } from '../core/model/severity';
import { isControllerKind } from '../core/model/workload';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { Evidence } from '../core/model/incident';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { diagnose } from '../core/diagnose/diagnose';
import { correlate } from '../core/diagnose/correlate';
import type { RootCause } from '../core/model/rootCause';
import type { UsageHistory } from '../core/model/usageHistory';
import type { Explainer } from './nodes/explain';
import { LogFetcher, type LogReader } from './logFetcher';

export type MonitorScope = 'all' | 'annotated';
export const MONITOR_ANNOTATION = 'nimbusguard.dev/monitor';

export interface IncidentAnalysis {
  incidentId: string;
  confirmed: Finding | null;
  observed: Evidence[];
  rootCause: RootCause | null;
  trail: string[];
  finishedAt: string;
}

export interface MonitorOptions {
  snapshot: ClusterSnapshot;
  /** Fires whenever the snapshot changed. */
  onSnapshotChange: (listener: () => void) => { dispose(): void };
  scope?: () => MonitorScope;
  /** Where agent-graph threads keep checkpoints; without it no thread runs (detection only). */
  checkpointer?: () => Promise<BaseCheckpointSaver>;
  now?: () => Date;
  usage?: UsageHistory;
  /** The optional LLM step; read on every thread so a settings change applies at once. */
  explainer?: () => Explainer | undefined;
  debounceMs?: number;
  tickMs?: number;
  /** Reads container log tails for incidents that a log explains (crashes, failed containers and Jobs). */
  readLogs?: LogReader;
}

export class IncidentMonitor {
  private readonly tracker = new IncidentTracker();
  private readonly changed = new Emitter<{ opened: Incident[]; resolved: Incident[] }>();
  readonly onDidChange = this.changed.event;
  private readonly analyses = new Map<string, IncidentAnalysis>();
  private readonly queue: Incident[] = [];
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;
  private readonly subscription: { dispose(): void };
  private graph: Promise<import('./graph').IncidentGraph> | undefined;
  private detectorErrors: string[] = [];
  private groups = new Map<string, string>();
  private readonly ruleCauses = new Map<string, { lastSeen: string; cause: RootCause }>();
  private disposed = false;
  private lastEvaluationMs = 0;
  private evaluations = 0;
  private readonly now: () => Date;
  private readonly logs: LogFetcher | undefined;
  /** Incidents whose thread starts once their logs are read. */
  private readonly starting = new Set<Promise<void>>();

  constructor(private readonly options: MonitorOptions) {
    this.now = options.now ?? (() => new Date());
    this.logs = options.readLogs ? new LogFetcher(options.snapshot, options.readLogs) : undefined;
    this.subscription = options.onSnapshotChange(() => this.schedule());
    this.ticker = setInterval(() => this.evaluate(), options.tickMs ?? 5_000);
    this.ticker.unref?.();
  }

  /** Open incidents, most severe and most recent first. */
  open(): Incident[] {
    return this.tracker.open().sort((a, b) => bySeverity(a, b) || b.lastSeen.localeCompare(a.lastSeen));
  }

  /** Open and recently resolved incidents (within the tracker's retention), most severe and most recent first. */
  all(): Incident[] {
    return this.tracker.all();
  }

  /** How long resolved incidents stay listed. */
  get retentionMs(): number {
    return this.tracker.retentionMs;
  }

  /** True once the detectors have run at least once. */
  get evaluated(): boolean {
    return this.evaluations > 0;
  }

  forWorkload(kind: string, namespace: string, name: string): Incident[] {
    return this.open().filter((i) => i.workload.kind === kind && i.workload.namespace === namespace && i.workload.name === name);
  }

  get(id: string): Incident | undefined {
    return this.tracker.get(id);
  }

  analysis(id: string): IncidentAnalysis | undefined {
    return this.analyses.get(id);
  }

  /**
   * The root cause of an incident: the agent thread's (possibly LLM-worded) result when it has
   * finished, else the rule engine's, computed on demand and cached until the incident changes.
   */
  rootCause(id: string): RootCause | undefined {
    const incident = this.tracker.get(id);
    if (!incident) return undefined;
    const fromThread = this.analyses.get(id)?.rootCause;
    const groupId = this.groups.get(id);
    if (fromThread) return groupId ? { ...fromThread, groupId } : fromThread;
    const cached = this.ruleCauses.get(id);
    if (cached && cached.lastSeen === incident.lastSeen) return groupId ? { ...cached.cause, groupId } : cached.cause;
    const cause = diagnose({ snapshot: this.options.snapshot, now: this.now(), incident, ...(this.options.usage ? { usage: this.options.usage } : {}) });
    this.ruleCauses.set(id, { lastSeen: incident.lastSeen, cause });
    return groupId ? { ...cause, groupId } : cause;
  }

  /**
   * The root cause when one is known already (the agent thread's, or the rule engine's from an earlier
   * ask, possibly from an earlier evaluation), without diagnosing now: cheap enough for a list of all.
   */
  knownRootCause(id: string): RootCause | undefined {
    const cause = this.analyses.get(id)?.rootCause ?? this.ruleCauses.get(id)?.cause;
    if (!cause) return undefined;
    const groupId = this.groups.get(id);
    return groupId ? { ...cause, groupId } : cause;
  }

  /** The correlation group of an incident (incidents with one cause share it). */
  groupOf(id: string): string | undefined {
    return this.groups.get(id);
  }

  /** Messages of detectors that threw during the last evaluation. */
  errors(): string[] {
    return this.detectorErrors;
  }

  /** Runs the detectors now; returns what opened and resolved. */
  evaluate(): { opened: Incident[]; resolved: Incident[] } {
    if (this.disposed) return { opened: [], resolved: [] };
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    const started = performance.now();
    const { findings, errors } = detectAll({ snapshot: this.options.snapshot, now });
    this.lastEvaluationMs = performance.now() - started;
    this.evaluations++;
    this.detectorErrors = errors.map((e) => `${e.detector}: ${e.message}`);
    const { opened, updated, resolved } = this.tracker.reconcile(findings.filter((f) => this.monitored(f)), now);
    for (const incident of resolved) {
      this.analyses.delete(incident.id);
      this.ruleCauses.delete(incident.id);
    }
    this.groups = correlate(this.tracker.open(), this.options.snapshot);
    const openedIds = new Set(opened.map((i) => i.id));
    for (const incident of [...opened, ...updated]) {
      const read = this.logs?.fetch(incident);
      // The agent thread diagnoses once the logs it would quote are in (or could not be read).
      if (openedIds.has(incident.id) && this.options.checkpointer) {
        if (read) {
          const start: Promise<void> = read.then(() => void this.ruleCauses.delete(incident.id)).finally(() => {
            this.starting.delete(start);
            this.enqueue(incident);
          });
          this.starting.add(start);
        } else this.enqueue(incident);
      } else if (read) void read.then(() => this.ruleCauses.delete(incident.id));
    }
    // The first evaluation always reports, so listeners learn that "no incidents" is now an answer.
    if (opened.length > 0 || updated.length > 0 || resolved.length > 0 || this.evaluations === 1) this.changed.fire({ opened, resolved });
    return { opened, resolved };
  }

  /** Resolves when every queued graph thread has finished. */
  async idle(): Promise<void> {
    do {
      await this.logs?.idle();
      await Promise.all([...this.starting]);
      while (this.draining) await this.draining;
    } while (this.starting.size > 0 || this.draining);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.subscription.dispose();
    this.changed.dispose();
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    // A big cluster changes constantly: never spend more than about a third of the time detecting.
    const wait = Math.max(this.options.debounceMs ?? 150, 2 * this.lastEvaluationMs);
    this.timer = setTimeout(() => this.evaluate(), wait);
  }

  private monitored(f: Finding): boolean {
    if ((this.options.scope?.() ?? 'all') === 'all' || !isControllerKind(f.workload.kind)) return true;
    const s = this.options.snapshot;
    const ref = f.workload;
    const record =
      ref.kind === 'Job' || ref.kind === 'CronJob'
        ? s.get(ref.kind, ref.namespace, ref.name)?.meta
        : s.get(ref.kind as 'Deployment', ref.namespace, ref.name);
    return record?.annotations[MONITOR_ANNOTATION] === 'true';
  }

  private enqueue(incident: Incident): void {
    this.queue.push(incident);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.disposed) {
      const incident = this.queue.shift()!;
      if (this.tracker.get(incident.id)?.status !== 'open') continue;
      await this.runThread(incident);
    }
  }

  private async runThread(incident: Incident): Promise<void> {
    let checkpointer: BaseCheckpointSaver | undefined;
    try {
      checkpointer = await this.options.checkpointer!();
      const saver = checkpointer;
      this.graph ??= import('./graph').then((m) =>
        m.buildIncidentGraph({
          snapshot: () => this.options.snapshot,
          now: this.now,
          checkpointer: saver,
          usage: () => this.options.usage,
          explainer: () => this.options.explainer?.(),
        }),
      );
      const graph = await this.graph;
      const result = await graph.invoke({ incident }, { configurable: { thread_id: incident.id } });
      this.analyses.set(incident.id, {
        incidentId: incident.id,
        confirmed: result.confirmed,
        observed: result.observed,
        rootCause: result.rootCause,
        trail: result.trail,
        finishedAt: this.now().toISOString(),
      });
    } catch (error) {
      this.analyses.set(incident.id, {
        incidentId: incident.id,
        confirmed: null,
        observed: [],
        rootCause: null,
        trail: [`the agent graph failed: ${error instanceof Error ? error.message : String(error)}`],
        finishedAt: this.now().toISOString(),
      });
    } finally {
      // The thread ran to its end; its checkpoints are not needed any more.
      await checkpointer?.deleteThread(incident.id).catch(() => undefined);
    }
    if (!this.disposed) this.changed.fire({ opened: [], resolved: [] });
  }
}
