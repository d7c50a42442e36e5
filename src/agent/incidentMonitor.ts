// What the UI and the CLI ask about incidents: continuous detection (core's IncidentWatch) and one
// agent-graph thread per incident, run by the ThreadRunner that the agent bundle provides on first
// use. An incident's root cause is the one its thread's diagnose node produced; nothing else here
// computes one. This file only imports types from the agent, so it stays out of the agent bundle.
import { Emitter } from '../core/events';
import { IncidentWatch, type MonitorScope } from '../core/detect/incidentWatch';
import type { ReconcileResult } from '../core/detect/incidentTracker';
import { correlate } from '../core/diagnose/correlate';
import type { Evidence, Finding, Incident } from '../core/model/incident';
import type { RootCause } from '../core/model/rootCause';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { UsageHistory } from '../core/model/usageHistory';
import type { IncidentAgent } from './incidentAgent';
import type { Explainer } from './nodes/explain';
import { LogFetcher, type LogReader } from './logFetcher';
import type { State } from './state';
import type { PendingThread, ThreadOutcome } from './threadRunner';

export interface IncidentAnalysis {
  incidentId: string;
  /** done: the thread reached its end; paused: it waits for an answer (see pending()); failed: it could not run. */
  status: 'done' | 'paused' | 'failed';
  confirmed: Finding | null;
  observed: Evidence[];
  rootCause: RootCause | null;
  trail: string[];
  finishedAt: string;
}

/** What the agent reads while it runs; every getter is read per run so changes apply at once. */
export interface AgentContext {
  snapshot: () => ClusterSnapshot;
  now: () => Date;
  usage: () => UsageHistory | undefined;
  explainer: () => Explainer | undefined;
}

export interface MonitorOptions {
  snapshot: ClusterSnapshot;
  /** Fires whenever the snapshot changed. */
  onSnapshotChange: (listener: () => void) => { dispose(): void };
  scope?: () => MonitorScope;
  /** Starts the agent (graph and thread runner) on first use; without it no thread runs (detection only). */
  agent?: (context: AgentContext) => Promise<IncidentAgent>;
  now?: () => Date;
  usage?: UsageHistory;
  /** The optional LLM step. */
  explainer?: () => Explainer | undefined;
  debounceMs?: number;
  tickMs?: number;
  /** Reads container log tails for incidents that a log explains (crashes, failed containers and Jobs). */
  readLogs?: LogReader;
}

export class IncidentMonitor {
  private readonly watch: IncidentWatch;
  private readonly changed = new Emitter<{ opened: Incident[]; resolved: Incident[] }>();
  readonly onDidChange = this.changed.event;
  private readonly analyses = new Map<string, IncidentAnalysis>();
  private agent: Promise<IncidentAgent> | undefined;
  private readonly starting = new Set<Promise<unknown>>();
  private groups = { evaluation: -1, byIncident: new Map<string, string>() };
  private disposed = false;
  private readonly logs: LogFetcher | undefined;

  constructor(private readonly options: MonitorOptions) {
    this.logs = options.readLogs ? new LogFetcher(options.snapshot, options.readLogs) : undefined;
    this.watch = new IncidentWatch({
      snapshot: options.snapshot,
      onSnapshotChange: options.onSnapshotChange,
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
      ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
    });
    this.watch.onDidChange((change) => this.incidentsChanged(change));
  }

  /** Open incidents, most severe and most recent first. */
  open(): Incident[] {
    return this.watch.open();
  }

  /** Open and recently resolved incidents (within the tracker's retention), most severe and most recent first. */
  all(): Incident[] {
    return this.watch.all();
  }

  /** How long resolved incidents stay listed. */
  get retentionMs(): number {
    return this.watch.retentionMs;
  }

  /** True once the detectors have run at least once. */
  get evaluated(): boolean {
    return this.watch.evaluations > 0;
  }

  forWorkload(kind: string, namespace: string, name: string): Incident[] {
    return this.open().filter(
      (i) => i.workload.kind === kind && i.workload.namespace === namespace && i.workload.name === name,
    );
  }

  get(id: string): Incident | undefined {
    return this.watch.get(id);
  }

  /** What the incident's agent thread found, once its run ended (paused, done or failed). */
  analysis(id: string): IncidentAnalysis | undefined {
    return this.analyses.get(id);
  }

  /** The root cause the incident's thread diagnosed (possibly LLM-worded), with its correlation group. */
  rootCause(id: string): RootCause | undefined {
    if (!this.watch.get(id)) return undefined;
    const cause = this.analyses.get(id)?.rootCause;
    if (!cause) return undefined;
    const groupId = this.groupOf(id);
    return groupId ? { ...cause, groupId } : cause;
  }

  /** The root cause its thread has found so far, if any, without waiting; cheap enough for a list of all incidents. */
  knownRootCause(id: string): RootCause | undefined {
    const cause = this.analyses.get(id)?.rootCause;
    if (!cause) return undefined;
    const groupId = this.groupOf(id);
    return groupId ? { ...cause, groupId } : cause;
  }

  /** The correlation group of an incident (incidents with one cause share it). */
  groupOf(id: string): string | undefined {
    if (this.groups.evaluation !== this.watch.evaluations) {
      this.groups = {
        evaluation: this.watch.evaluations,
        byIncident: correlate(this.watch.open(), this.options.snapshot),
      };
    }
    return this.groups.byIncident.get(id);
  }

  /** Messages of detectors that threw during the last evaluation. */
  errors(): string[] {
    return this.watch.errors();
  }

  /** Runs the detectors now; returns what opened, changed and resolved. */
  evaluate(): ReconcileResult {
    return this.watch.evaluate();
  }

  /** Threads paused at an interrupt() (e.g. waiting for an approval), including those from before a reload. */
  async pending(): Promise<PendingThread<State>[]> {
    const agent = this.loadAgent();
    return agent ? (await agent).pending() : [];
  }

  /** Answers a paused thread; its analysis is updated when the run ends. */
  async resume(incidentId: string, value: unknown): Promise<ThreadOutcome<State>> {
    const agent = this.loadAgent();
    if (!agent) throw new Error('no agent runs in this monitor');
    return (await agent).resume(incidentId, value);
  }

  /** Resolves when no thread is queued or running. */
  async idle(): Promise<void> {
    await this.logs?.idle();
    while (this.starting.size > 0) await Promise.allSettled([...this.starting]);
    if (this.agent) await (await this.agent.catch(() => undefined))?.idle();
  }

  dispose(): void {
    this.disposed = true;
    this.watch.dispose();
    this.changed.dispose();
    void this.agent?.then(
      (a) => a.dispose(),
      () => undefined,
    );
  }

  private incidentsChanged({ opened, updated, resolved }: ReconcileResult): void {
    for (const incident of resolved) {
      // A paused thread keeps its analysis: its question is still open until answered or discarded.
      if (this.analyses.get(incident.id)?.status !== 'paused') this.analyses.delete(incident.id);
    }
    // New evidence re-runs a finished thread, so the diagnosis follows what the cluster shows.
    // The thread diagnoses once the logs it would quote are in (or could not be read).
    for (const incident of [...opened, ...updated]) {
      const read = this.logs?.fetch(incident);
      if (!read) {
        this.startThread(incident);
        continue;
      }
      const job: Promise<void> = read.finally(() => {
        this.starting.delete(job);
        this.startThread(incident);
      });
      this.starting.add(job);
    }
    this.changed.fire({ opened, resolved });
  }

  private loadAgent(): Promise<IncidentAgent> | undefined {
    const make = this.options.agent;
    if (!make || this.disposed) return this.agent;
    this.agent ??= make({
      snapshot: () => this.options.snapshot,
      now: this.watch.now,
      usage: () => this.options.usage,
      explainer: () => this.options.explainer?.(),
    }).then((agent) => {
      agent.onChange((outcome) => this.threadEnded(outcome));
      return agent;
    });
    return this.agent;
  }

  private startThread(incident: Incident): void {
    const agent = this.loadAgent();
    if (!agent) return;
    const job = agent
      .then(async (runner) => {
        const status = runner.status(incident.id);
        if (status === 'queued' || status === 'running' || this.disposed) return;
        const current = this.watch.get(incident.id);
        if (current?.status !== 'open') return;
        const outcome = await runner.start(incident.id, { incident: current });
        // A thread found paused from before a reload is not run again; its state is the analysis.
        if (outcome.status === 'paused' && this.analyses.get(incident.id)?.status !== 'paused')
          this.threadEnded(outcome);
      })
      .catch((error: unknown) => {
        this.threadEnded({
          threadId: incident.id,
          status: 'failed',
          error: `the agent could not start: ${error instanceof Error ? error.message : String(error)}`,
        });
      })
      .finally(() => this.starting.delete(job));
    this.starting.add(job);
  }

  private threadEnded(outcome: ThreadOutcome<State>): void {
    if (this.disposed) return;
    if (outcome.status === 'discarded') {
      this.analyses.delete(outcome.threadId);
    } else {
      const values = outcome.values;
      const trail = values?.trail ?? [];
      this.analyses.set(outcome.threadId, {
        incidentId: outcome.threadId,
        status: outcome.status,
        confirmed: values?.confirmed ?? null,
        observed: values?.observed ?? [],
        rootCause: values?.rootCause ?? null,
        trail: outcome.status === 'failed' ? [...trail, `the agent graph failed: ${outcome.error}`] : trail,
        finishedAt: this.watch.now().toISOString(),
      });
    }
    this.changed.fire({ opened: [], resolved: [] });
  }
}
