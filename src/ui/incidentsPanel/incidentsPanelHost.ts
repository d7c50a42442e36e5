// The Incidents panel host: one panel listing the current context's open and recently resolved
// incidents, with the selected incident's detail. It pulls a fresh list when the monitor reports a
// change (coalesced, and only while the panel is visible), re-validates every request from the
// webview against the incidents tracked now, and runs actions through the existing commands.
import * as vscode from 'vscode';
import type { ConnectionManager } from '../../cluster/connection';
import type { Incident } from '../../core/model/incident';
import type { RootCause } from '../../core/model/rootCause';
import { parseBytes } from '../../core/model/quantity';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../core/model/workload';
import type { IncidentHub } from '../incidentHub';
import { COMMANDS } from '../commandIds';
import { dispatch, on } from '../webview/ipc';
import { pageAssets, PanelRegistry, type PanelController, type PanelKind } from '../webview/panelRegistry';
import { buildIncidentDetail, buildIncidentsState, type IncidentsSource } from './incidentsState';
import { incidentsPanelHtml } from './incidentsPanelHtml';
import {
  ActionMessage,
  CloseMessage,
  DetailMessage,
  FocusMessage,
  isIncidentId,
  ReadyMessage,
  savedIncidentsState,
  SelectMessage,
  StateMessage,
  VerifyMessage,
  ChangesMessage,
  RollbackChangeMessage,
  type ChangeRow,
  type DetailPayload,
  type IncidentAction,
  type ProposalAction,
} from './protocol';

const VIEW_TYPE = 'nimbusguard.incidents';
/** Live updates are coalesced: at most one list every this long. */
const MIN_INTERVAL_MS = 1_000;
/** The detail's chart gains a sample this often. */
const DETAIL_REFRESH_MS = 15_000;

/** What the act loop supplies so the panel can offer Verify & Apply; without it no proposal is shown. */
export interface ProposalSource {
  /** Proposals of an open incident that can be verified now. */
  proposalsFor(incident: Incident): ProposalAction[];
  /** Verifies the proposal, asks the user to confirm with its evidence, and applies it. */
  verify(incident: Incident, proposal: ProposalAction): Promise<void>;
  readonly onDidChange?: vscode.Event<void>;
}

/** The act loop's ledger for the Applied changes tab; without it the tab says there is none. */
export interface ChangeListSource {
  rows(): ChangeRow[];
  /** Starts the rollback of a listed change (it goes through its own verification and confirmation). */
  rollback(changeId: string): void;
  readonly onDidChange: vscode.Event<void>;
}

export interface IncidentsPanelDeps {
  extensionUri: vscode.Uri;
  manager: ConnectionManager;
  hub: IncidentHub;
  /** The act loop's proposals, once it is there. */
  proposals?: () => ProposalSource | undefined;
  changes?: ChangeListSource;
}

interface IncidentsRef {
  /** The incident to select. */
  focus?: string;
}

/** An LLM-worded cause kept for as long as the incident has not changed. */
interface Explained {
  lastSeen: string;
  cause: RootCause;
}

function sourceOf(deps: IncidentsPanelDeps): IncidentsSource | undefined {
  const state = deps.manager.state;
  if (state.kind !== 'ready' || state.session.state.phase !== 'connected') return undefined;
  const monitor = deps.hub.current;
  const session = state.session;
  if (!monitor)
    return {
      context: state.context,
      synced: false,
      evaluated: false,
      incidents: [],
      causeOf: () => undefined,
      groupOf: () => undefined,
      retentionMs: 3_600_000,
    };
  return {
    context: state.context,
    synced: session.synced,
    evaluated: monitor.evaluated,
    incidents: monitor.all(),
    // Diagnosing a thousand incidents on every change would stall the list: it shows the causes known so far.
    causeOf: (id) => monitor.knownRootCause(id),
    groupOf: (id) => monitor.groupOf(id),
    retentionMs: monitor.retentionMs,
  };
}

class IncidentsPanel implements PanelController {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly explained = new Map<string, Explained>();
  private selected: string | undefined;
  private notice: { id: string; text: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private detailTimer: NodeJS.Timeout | undefined;
  private lastPush = 0;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    ref: IncidentsRef,
    private readonly deps: IncidentsPanelDeps,
  ) {
    this.selected = ref.focus;
    panel.webview.html = incidentsPanelHtml(pageAssets(panel.webview, deps.extensionUri, 'incidents'));
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((value: unknown) => this.receive(value)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.schedule();
      }),
      deps.hub.onDidChange(() => this.schedule()),
      deps.manager.onDidChange(() => this.schedule()),
    );
    const proposals = deps.proposals?.();
    if (proposals?.onDidChange) this.disposables.push(proposals.onDidChange(() => this.pushDetail()));
    if (deps.changes) this.disposables.push(deps.changes.onDidChange(() => this.pushChanges()));
    this.detailTimer = setInterval(() => {
      if (this.panel.visible) this.pushDetail();
    }, DETAIL_REFRESH_MS);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Selects an incident (a command asked for it) and shows its detail. */
  focus(id: string): void {
    this.selected = id;
    this.panel.reveal();
    void this.panel.webview.postMessage(FocusMessage.create({ id }));
    this.pushDetail();
  }

  private receive(value: unknown): void {
    dispatch(value, [
      on(ReadyMessage, () => {
        this.push();
        this.pushChanges();
        if (this.selected) void this.panel.webview.postMessage(FocusMessage.create({ id: this.selected }));
      }),
      on(SelectMessage, ({ id }) => {
        this.selected = id;
        this.pushDetail();
      }),
      on(ActionMessage, ({ id, action }) => void this.act(id, action)),
      on(VerifyMessage, ({ id, proposalId, planHash }) => void this.verify(id, proposalId, planHash)),
      on(CloseMessage, () => this.dispose()),
      on(RollbackChangeMessage, ({ changeId }) => {
        // Only a change listed now, and still applied, can be rolled back from here.
        if (this.deps.changes?.rows().some((r) => r.id === changeId && r.canRollback))
          this.deps.changes.rollback(changeId);
      }),
    ]);
  }

  private pushChanges(): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(ChangesMessage.create({ rows: this.deps.changes?.rows() ?? [] }));
  }

  /** The incident as tracked now: requests name ids, never objects, so a stale or forged id finds nothing. */
  private tracked(id: string): Incident | undefined {
    return this.deps.hub.current?.get(id);
  }

  private async act(id: string, action: IncidentAction): Promise<void> {
    const incident = this.tracked(id);
    if (!incident) {
      this.pushDetail();
      return;
    }
    const node = { type: 'incident' as const, incident };
    switch (action) {
      case 'revealManifest':
        await vscode.commands.executeCommand(COMMANDS.revealManifest, node);
        return;
      case 'openYaml':
        await vscode.commands.executeCommand(COMMANDS.openYaml, node);
        return;
      case 'explain':
        await this.explain(incident);
    }
  }

  private async explain(incident: Incident): Promise<void> {
    const monitor = this.deps.hub.current;
    const cause = monitor?.rootCause(incident.id);
    const explainer = this.deps.hub.explain();
    let text: string;
    if (!cause) text = 'There is no root cause for this incident yet: it is still being diagnosed, or it resolved.';
    else if (!explainer) {
      text =
        'This explanation comes from the rule engine. To have an LLM word it, set nimbusguard.llm.baseUrl and nimbusguard.llm.model and run “NimbusGuard: Set LLM API Key…”.';
    } else {
      const worded = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'NimbusGuard: explaining…' },
        () => explainer(cause, incident),
      );
      // Whatever the model said, the actionable parts stay the rule engine's.
      const safe: RootCause = {
        ...worded,
        fixes: cause.fixes,
        fields: cause.fields,
        category: cause.category,
        confidence: cause.confidence,
        evidence: cause.evidence,
      };
      this.explained.set(incident.id, { lastSeen: incident.lastSeen, cause: safe });
      text = safe.note ?? 'Worded by the configured LLM; the fixes and fields are the rule engine’s.';
    }
    this.notice = { id: incident.id, text };
    this.selected = incident.id;
    this.pushDetail();
  }

  private async verify(id: string, proposalId: string, planHash: string): Promise<void> {
    const incident = this.tracked(id);
    const source = this.deps.proposals?.();
    // Only a proposal the host offers now, with the plan hash it offered, goes any further.
    const proposal =
      incident && incident.status === 'open'
        ? source?.proposalsFor(incident).find((p) => p.proposalId === proposalId && p.planHash === planHash)
        : undefined;
    if (!incident || !source || !proposal) {
      void vscode.window.showWarningMessage(
        'NimbusGuard: that proposal is no longer current; the panel shows the current ones.',
      );
      this.pushDetail();
      return;
    }
    await source.verify(incident, proposal);
    this.pushDetail();
  }

  /** Coalesces change events into one push, no sooner than MIN_INTERVAL_MS after the last, only while visible. */
  private schedule(): void {
    if (this.disposed || this.timer || !this.panel.visible) return;
    const delay = Math.max(50, this.lastPush + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.push();
    }, delay);
  }

  private push(): void {
    if (this.disposed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastPush = Date.now();
    const started = performance.now();
    const state = buildIncidentsState(sourceOf(this.deps), this.lastPush);
    state.buildMs = Math.round((performance.now() - started) * 10) / 10;
    const open = state.rows.filter((r) => r.status === 'open').length;
    this.panel.title = open > 0 ? `Incidents (${open})` : 'Incidents';
    void this.panel.webview.postMessage(StateMessage.create(state));
    // While the context is still being read no event may say when it is done: look again shortly.
    if (state.loading) this.schedule();
    else this.pushDetail();
  }

  private pushDetail(): void {
    const id = this.selected;
    if (this.disposed || !id) return;
    const payload = this.detail(id);
    if (payload) void this.panel.webview.postMessage(DetailMessage.create(payload));
  }

  /** The detail of an incident; undefined while the context is still being read (absence means nothing yet). */
  private detail(id: string): DetailPayload | undefined {
    const source = sourceOf(this.deps);
    const monitor = this.deps.hub.current;
    const incident = monitor?.get(id);
    if (!incident) {
      if (source && (!source.synced || !source.evaluated)) return undefined;
      const where = source ? `context ${source.context}` : 'any context (not connected)';
      const minutes = Math.round((source?.retentionMs ?? 3_600_000) / 60_000);
      return {
        id,
        missing: `This incident is not tracked in ${where}: its problem is gone (resolved incidents stay listed for ${minutes} minutes while the window is open), or it belongs to another context.`,
      };
    }
    const explained = this.explained.get(id);
    const cause =
      explained && explained.lastSeen === incident.lastSeen
        ? explained.cause
        : incident.status === 'open'
          ? monitor!.rootCause(id)
          : undefined;
    const session = this.deps.hub.currentSession;
    const w = incident.workload;
    const memory =
      incident.type === 'OOMKilled' && incident.key && session && (WORKLOAD_KINDS as readonly string[]).includes(w.kind)
        ? {
            samples: session.usage.samples(w.kind, w.namespace, w.name, incident.key),
            limit: memoryLimit(session.snapshot.getWorkload(w.kind as WorkloadKind, w.namespace, w.name), incident.key),
          }
        : undefined;
    const source2 = this.deps.proposals?.();
    const proposals = source2 && incident.status === 'open' ? source2.proposalsFor(incident) : undefined;
    const notice = this.notice?.id === id ? this.notice.text : undefined;
    const detail = buildIncidentDetail({
      incident,
      cause,
      groupId: monitor!.groupOf(id),
      trail: monitor!.analysis(id)?.trail ?? [],
      signals: this.deps.hub.signals?.samples(w) ?? [],
      ...(memory
        ? { memory: memory.samples, ...(memory.limit !== undefined ? { memoryLimit: memory.limit } : {}) }
        : {}),
      ...(proposals ? { proposals } : {}),
      ...(notice ? { notice } : {}),
    });
    return { id, detail };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.detailTimer) clearInterval(this.detailTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function memoryLimit(
  workload: { template: { containers: { name: string; resources: { limits: Record<string, string> } }[] } } | undefined,
  container: string,
): number | undefined {
  return parseBytes(workload?.template.containers.find((c) => c.name === container)?.resources.limits['memory']);
}

const incidentsKind = (deps: IncidentsPanelDeps): PanelKind<IncidentsRef, IncidentsPanel> => ({
  viewType: VIEW_TYPE,
  // One Incidents panel: it lists the whole context.
  key: () => 'incidents',
  title: () => 'Incidents',
  refFromState: (state) => {
    const saved = savedIncidentsState(state);
    return saved.selected ? { focus: saved.selected } : {};
  },
  attach: (panel, ref) => new IncidentsPanel(panel, ref, deps),
});

export interface IncidentsPanels {
  /** Opens (or reveals) the panel, selecting the incident when one is named. */
  show(incidentId?: string): void;
  disposables: vscode.Disposable[];
}

/** The Show Incidents Panel command and its panel (restored after a reload). */
export function registerIncidentsPanel(deps: IncidentsPanelDeps): IncidentsPanels {
  const panels = new PanelRegistry(deps.extensionUri, incidentsKind(deps));
  const show = (incidentId?: string) => {
    const panel = panels.show(incidentId ? { focus: incidentId } : {});
    if (incidentId) panel.focus(incidentId);
  };
  return {
    show,
    disposables: [
      vscode.commands.registerCommand(COMMANDS.showIncidentsPanel, (arg?: unknown) =>
        show(isIncidentId(arg) ? arg : undefined),
      ),
      ...panels.register(),
    ],
  };
}
