// Keeps one IncidentMonitor for the current session (a new one after every context switch) and
// tells the tree, the status bar and the notifier when incidents open or resolve.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import { ClusterSession } from '../cluster/clusterSession';
import { readLogTail } from '../cluster/podLogs';
import { IncidentMonitor, MonitorScope } from '../agent/incidentMonitor';
import type { Incident } from '../core/model/incident';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Explainer } from '../agent/nodes/explain';
import { SignalRecorder } from './signalRecorder';

export class IncidentHub implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<{ opened: Incident[]; resolved: Incident[] }>();
  readonly onDidChange = this.emitter.event;
  private monitor: IncidentMonitor | undefined;
  private recorder: SignalRecorder | undefined;
  private session: ClusterSession | undefined;
  private listener: { dispose(): void } | undefined;
  private checkpointer: Promise<BaseCheckpointSaver> | undefined;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly scope: () => MonitorScope,
    private readonly makeCheckpointer: () => Promise<BaseCheckpointSaver>,
    private readonly explainer: () => Explainer | undefined = () => undefined,
  ) {}

  get current(): IncidentMonitor | undefined {
    return this.monitor;
  }

  /** The signal history of the current session's incidents, for their charts. */
  get signals(): SignalRecorder['history'] | undefined {
    return this.recorder?.history;
  }

  /** The session the current monitor watches. */
  get currentSession(): ClusterSession | undefined {
    return this.session;
  }

  /** The optional LLM step, as configured now. */
  explain(): Explainer | undefined {
    return this.explainer();
  }

  open(): Incident[] {
    return this.monitor?.open() ?? [];
  }

  /** Called whenever the connection changed; replaces the monitor when the session did. */
  sync(): void {
    const session = this.manager.session;
    const connected = session?.state.phase === 'connected' ? session : undefined;
    if (connected === this.session) return;
    this.listener?.dispose();
    this.recorder?.dispose();
    this.recorder = undefined;
    this.monitor?.dispose();
    this.monitor = undefined;
    this.session = connected;
    if (!connected) {
      this.emitter.fire({ opened: [], resolved: [] });
      return;
    }
    const monitor = new IncidentMonitor({
      snapshot: connected.snapshot,
      onSnapshotChange: connected.onDidChange,
      scope: this.scope,
      usage: connected.usage,
      explainer: this.explainer,
      checkpointer: () => (this.checkpointer ??= this.makeCheckpointer()),
      readLogs: (req) => readLogTail(connected.kc, req),
    });
    this.monitor = monitor;
    const recorder = new SignalRecorder(connected.snapshot, monitor);
    this.recorder = recorder;
    this.listener = monitor.onDidChange((change) => {
      recorder.sample();
      this.emitter.fire(change);
    });
  }

  /** Re-evaluates with the current settings (e.g. after the monitor scope changed). */
  reevaluate(): void {
    this.monitor?.evaluate();
    this.emitter.fire({ opened: [], resolved: [] });
  }

  dispose(): void {
    this.listener?.dispose();
    this.recorder?.dispose();
    this.monitor?.dispose();
    this.emitter.dispose();
  }
}
