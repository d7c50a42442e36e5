// Incidents where the developer works: on the manifest line of the implicated field a Diagnostic
// (the cause, with the incident type as its code), a Hover with the explanation and evidence, a
// CodeLens above the workload, and quick fixes that edit the manifest to the suggested value.
import * as vscode from 'vscode';
import type { Incident } from '../core/model/incident';
import type { RootCause, SuggestedFix } from '../core/model/rootCause';
import { locateField } from '../core/manifest/manifestIndex';
import { tryParseFieldPath } from '../core/model/fieldPath';
import { severityLabelIcon } from '../core/model/severity';
import { editField } from '../core/manifest/manifestEdit';
import { IncidentHub } from './incidentHub';
import { ManifestIndexService, isYaml } from './manifestIndexService';
import { insightHoverMarkdown } from './incidentMarkdown';
import { COMMANDS } from './commandIds';

interface Insight {
  incident: Incident;
  /** Other open incidents with the same cause (symptoms of this one), shown with it, not apart. */
  related: Incident[];
  cause: RootCause;
  document: number;
  range: vscode.Range;
  /** Line of the object's first line, where the CodeLens goes. */
  objectLine: number;
}

const SEVERITY = {
  critical: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

export class ManifestInsights
  implements vscode.HoverProvider, vscode.CodeLensProvider, vscode.CodeActionProvider, vscode.Disposable
{
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('nimbusguard');
  private readonly byUri = new Map<string, Insight[]>();
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly hub: IncidentHub,
    private readonly manifests: ManifestIndexService,
  ) {}

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 250);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const monitor = this.hub.current;
    const next = new Map<string, Insight[]>();
    const open = monitor?.open() ?? [];
    const openIds = new Set(open.map((i) => i.id));
    for (const incident of open) {
      // One root cause per group: symptoms ride along with their group's root incident.
      const group = monitor?.groupOf(incident.id) ?? incident.id;
      if (group !== incident.id && openIds.has(group)) continue;
      // Only incidents whose workload has a manifest in the workspace are diagnosed: in a big cluster
      // most have none, and diagnosing them all on every change would keep the extension host busy.
      const hits = await this.manifests.find(incident.workload);
      if (hits.length === 0) continue;
      const related = open.filter((o) => o.id !== incident.id && (monitor?.groupOf(o.id) ?? o.id) === incident.id);
      const cause = monitor?.rootCause(incident.id);
      if (!cause) continue;
      for (const hit of hits) {
        const doc = await vscode.workspace.openTextDocument(hit.uri).then(
          (d) => d,
          () => undefined,
        );
        if (!doc) continue;
        const range = this.rangeFor(doc, hit.object.document, cause.fields, hit.object.kindLine);
        const list = next.get(hit.uri.toString()) ?? [];
        list.push({ incident, related, cause, document: hit.object.document, range, objectLine: hit.object.startLine });
        next.set(hit.uri.toString(), list);
      }
    }
    if (generation !== this.generation) return;
    this.byUri.clear();
    this.diagnostics.clear();
    for (const [key, insights] of next) {
      this.byUri.set(key, insights);
      this.diagnostics.set(
        vscode.Uri.parse(key),
        insights.map((i) => this.diagnostic(i)),
      );
    }
    this.lensEmitter.fire();
  }

  private rangeFor(doc: vscode.TextDocument, document: number, fields: string[], kindLine: number): vscode.Range {
    const text = doc.getText();
    for (const field of fields) {
      const loc = locateField(text, document, field);
      // The field itself, or a key of it deep enough to be specific (inside the named container).
      if (loc && loc.matchedDepth >= Math.min(tryParseFieldPath(field)?.length ?? 0, 5)) {
        return new vscode.Range(loc.line, loc.startColumn, loc.line, Math.max(loc.endColumn, loc.startColumn + 1));
      }
    }
    const line = doc.lineAt(Math.min(kindLine, doc.lineCount - 1));
    return new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.text.length);
  }

  private diagnostic(i: Insight): vscode.Diagnostic {
    const also = i.related.length > 0 ? ` (also ${[...new Set(i.related.map((r) => r.type))].join(', ')})` : '';
    const d = new vscode.Diagnostic(i.range, `${i.cause.summary}${also}`, SEVERITY[i.incident.severity]);
    d.source = 'NimbusGuard';
    d.code = i.incident.type;
    return d;
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const here = (this.byUri.get(doc.uri.toString()) ?? []).filter((i) => i.range.start.line === position.line);
    if (here.length === 0) return undefined;
    // No theme icons: `$(name)` in a log line or message would render as an icon, escaped or not.
    const md = new vscode.MarkdownString(insightHoverMarkdown(here));
    md.isTrusted = { enabledCommands: [COMMANDS.showEvidence, COMMANDS.explainIncident] };
    return new vscode.Hover(md);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const i of this.byUri.get(doc.uri.toString()) ?? []) {
      const at = new vscode.Range(i.objectLine, 0, i.objectLine, 0);
      lenses.push(
        new vscode.CodeLens(at, {
          title: `${severityLabelIcon(i.incident.severity)} ${i.incident.type}: ${clip(i.cause.summary)}`,
          command: COMMANDS.explainIncident,
          arguments: [i.incident.id],
        }),
      );
      lenses.push(
        new vscode.CodeLens(at, { title: 'Explain', command: COMMANDS.explainIncident, arguments: [i.incident.id] }),
      );
      i.cause.fixes.forEach((fix, index) => {
        if (fix.edits?.length && !fix.target)
          lenses.push(
            new vscode.CodeLens(at, {
              title: `Fix: ${clip(fix.summary)}`,
              command: COMMANDS.applyManifestFix,
              arguments: [doc.uri, i.incident.id, index],
            }),
          );
        // The same fix on the cluster, through verification and the developer's confirmation.
        if (fix.edits?.length || fix.rollbackToRevision !== undefined) {
          lenses.push(
            new vscode.CodeLens(at, {
              title: 'Verify & Apply…',
              tooltip: `Verify "${clip(fix.summary)}" on the cluster, then decide`,
              command: COMMANDS.applyFix,
              arguments: [{ incidentId: i.incident.id, fix: fix.summary }],
            }),
          );
        }
      });
    }
    return lenses;
  }

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const i of this.byUri.get(doc.uri.toString()) ?? []) {
      if (!i.range.intersection(range) && i.range.start.line !== range.start.line) continue;
      i.cause.fixes.forEach((fix, index) => {
        const edit = this.workspaceEdit(doc, i.document, fix);
        if (!edit) return;
        const action = new vscode.CodeAction(fix.summary, vscode.CodeActionKind.QuickFix);
        action.edit = edit;
        action.diagnostics = this.diagnostics.get(doc.uri)?.filter((d) => d.range.isEqual(i.range)) ?? [];
        action.isPreferred = index === 0;
        actions.push(action);
        const onCluster = new vscode.CodeAction(
          `Verify & Apply on the cluster: ${fix.summary}`,
          vscode.CodeActionKind.QuickFix,
        );
        onCluster.command = {
          title: 'Verify & Apply…',
          command: COMMANDS.applyFix,
          arguments: [{ incidentId: i.incident.id, fix: fix.summary }],
        };
        actions.push(onCluster);
      });
    }
    return actions;
  }

  /** The manifest change for a fix, or undefined when it is not a spec edit (e.g. a rollback). */
  workspaceEdit(doc: vscode.TextDocument, document: number, fix: SuggestedFix): vscode.WorkspaceEdit | undefined {
    // Only fixes of this very object belong in this manifest.
    if (!fix.edits?.length || fix.target) return undefined;
    let text = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    // Edits are computed one after another on the evolving text; apply them as one replacement.
    for (const e of fix.edits) {
      const change = editField(text, document, e.path, e.value);
      if (!change) return undefined;
      const lines = text.split('\n');
      const offset = (line: number, col: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + col;
      text =
        text.slice(0, offset(change.startLine, change.startColumn)) +
        change.newText +
        text.slice(offset(change.endLine, change.endColumn));
    }
    // Replace only the span that changed, so the editor keeps its markers and undo stays small.
    const original = doc.getText();
    let start = 0;
    while (start < original.length && start < text.length && original[start] === text[start]) start++;
    let endOld = original.length;
    let endNew = text.length;
    while (endOld > start && endNew > start && original[endOld - 1] === text[endNew - 1]) {
      endOld--;
      endNew--;
    }
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(endOld)), text.slice(start, endNew));
    return edit;
  }

  async applyFix(uri: vscode.Uri, incidentId: string, index: number): Promise<boolean> {
    const insight = (this.byUri.get(uri.toString()) ?? []).find((i) => i.incident.id === incidentId);
    const fix = insight?.cause.fixes[index];
    if (!insight || !fix) return false;
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = this.workspaceEdit(doc, insight.document, fix);
    if (!edit) {
      void vscode.window.showWarningMessage(
        `NimbusGuard could not place "${fix.summary}" in ${vscode.workspace.asRelativePath(uri)}; edit it by hand.`,
      );
      return false;
    }
    return vscode.workspace.applyEdit(edit);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.diagnostics.dispose();
    this.lensEmitter.dispose();
  }
}

function clip(text: string, max = 90): string {
  const one = text.replace(/\s+/g, ' ').replace(/\$\(/g, '$\u200b(');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function registerInsightProviders(insights: ManifestInsights): vscode.Disposable[] {
  const selector: vscode.DocumentSelector = [{ language: 'yaml' }, { pattern: '**/*.{yaml,yml}' }];
  return [
    vscode.languages.registerHoverProvider(selector, insights),
    vscode.languages.registerCodeLensProvider(selector, insights),
    vscode.languages.registerCodeActionsProvider(selector, insights, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.commands.registerCommand(COMMANDS.applyManifestFix, (uri: vscode.Uri, id: string, index: number) =>
      insights.applyFix(uri, id, index),
    ),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isYaml(doc)) insights.schedule();
    }),
  ];
}
