// Continuous detection over a live snapshot: runs the detectors debounced after every snapshot
// change (and on a slow tick for time-based conditions), keeps each incident's open → resolved
// lifecycle, and applies the monitor scope.
import { Emitter } from '../events';
import { detectAll } from './detectors';
import { IncidentTracker, type ReconcileResult } from './incidentTracker';
import type { Finding, Incident } from '../model/incident';
import { bySeverity } from '../model/severity';
import type { ClusterSnapshot } from '../model/snapshot';
import { isControllerKind } from '../model/workload';

export type MonitorScope = 'all' | 'annotated';
/** With the scope `annotated`, only workloads carrying this annotation set to "true" are watched. */
export const MONITOR_ANNOTATION = 'nimbusguard.dev/monitor';

export interface IncidentWatchOptions {
  snapshot: ClusterSnapshot;
  /** Fires whenever the snapshot changed. */
  onSnapshotChange: (listener: () => void) => { dispose(): void };
  scope?: () => MonitorScope;
  now?: () => Date;
  debounceMs?: number;
  tickMs?: number;
}

export class IncidentWatch {
  private readonly tracker = new IncidentTracker();
  private readonly changed = new Emitter<ReconcileResult>();
  /** Fires after an evaluation that opened, updated or resolved an incident. */
  readonly onDidChange = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly subscription: { dispose(): void };
  private detectorErrors: string[] = [];
  private evaluated = 0;
  private disposed = false;
  private lastEvaluationMs = 0;
  readonly now: () => Date;

  constructor(private readonly options: IncidentWatchOptions) {
    this.now = options.now ?? (() => new Date());
    this.subscription = options.onSnapshotChange(() => this.schedule());
    this.ticker = setInterval(() => this.evaluate(), options.tickMs ?? 5_000);
    (this.ticker as { unref?: () => void }).unref?.();
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

  get(id: string): Incident | undefined {
    return this.tracker.get(id);
  }

  /** How many evaluations have run (for callers that cache what they derive from the open incidents). */
  get evaluations(): number {
    return this.evaluated;
  }

  /** Messages of detectors that threw during the last evaluation. */
  errors(): string[] {
    return this.detectorErrors;
  }

  /** Runs the detectors now; returns what opened, changed and resolved. */
  evaluate(): ReconcileResult {
    if (this.disposed) return { opened: [], updated: [], resolved: [] };
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    const started = performance.now();
    const { findings, errors } = detectAll({ snapshot: this.options.snapshot, now });
    this.lastEvaluationMs = performance.now() - started;
    this.detectorErrors = errors.map((e) => `${e.detector}: ${e.message}`);
    const result = this.tracker.reconcile(
      findings.filter((f) => this.watched(f)),
      now,
    );
    this.evaluated++;
    // The first evaluation always reports, so listeners learn that "no incidents" is now an answer.
    if (result.opened.length > 0 || result.updated.length > 0 || result.resolved.length > 0 || this.evaluated === 1)
      this.changed.fire(result);
    return result;
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

  private watched(f: Finding): boolean {
    if ((this.options.scope?.() ?? 'all') === 'all' || !isControllerKind(f.workload.kind)) return true;
    const s = this.options.snapshot;
    const ref = f.workload;
    const record =
      ref.kind === 'Job' || ref.kind === 'CronJob'
        ? s.get(ref.kind, ref.namespace, ref.name)?.meta
        : s.get(ref.kind as 'Deployment', ref.namespace, ref.name);
    return record?.annotations[MONITOR_ANNOTATION] === 'true';
  }
}
