// Commands on incidents and workloads: the incident list, evidence, live YAML, and the manifest
// in the workspace that defines a workload.
import * as vscode from 'vscode';
import type { Incident } from '../core/model/incident';
import type { ObjectRef } from '../core/model/resources';
import { severityLabelIcon } from '../core/model/severity';
import { IncidentHub } from './incidentHub';
import { NimbusDocuments, yamlUri } from './documents';
import type { ManifestIndexService } from './manifestIndexService';
import { noIcons } from './incidentMarkdown';
import type { TreeNode } from './workloadTree';
import { COMMANDS } from './commandIds';

/** The object a tree node passed as the command argument stands for. */
function refOfNode(node: unknown): ObjectRef | undefined {
  const n = node as TreeNode | undefined;
  if (!n) return undefined;
  if (n.type === 'workload') return { kind: n.workload.kind, namespace: n.workload.namespace, name: n.workload.name };
  if (n.type === 'object') return n.ref;
  if (n.type === 'incident') return n.incident.workload;
  return undefined;
}

async function pickIncident(hub: IncidentHub): Promise<Incident | undefined> {
  const open = hub.open();
  const picked = await vscode.window.showQuickPick(
    open.map((incident) => ({
      label: `${severityLabelIcon(incident.severity)} ${incident.type}`,
      description: noIcons(
        `${incident.workload.namespace ? `${incident.workload.namespace}/` : ''}${incident.workload.kind}/${incident.workload.name}`,
      ),
      detail: noIcons(incident.summary),
      incident,
    })),
    {
      title: `NimbusGuard: ${open.length} open incident${open.length === 1 ? '' : 's'}`,
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  return picked?.incident;
}

/**
 * @param showPanel opens the Incidents panel, focused on an incident when one is named: evidence and
 *   explanations are shown there, never as Markdown source.
 */
export function registerIncidentCommands(
  hub: IncidentHub,
  documents: NimbusDocuments,
  manifests: ManifestIndexService,
  showPanel: (incidentId?: string) => void,
): vscode.Disposable[] {
  const showEvidence = async (arg?: unknown) => {
    const node = arg as TreeNode | string | undefined;
    const incident =
      typeof node === 'string'
        ? hub.current?.get(node)
        : node?.type === 'incident'
          ? node.incident
          : await pickIncident(hub);
    if (incident) showPanel(incident.id);
  };
  return [
    vscode.commands.registerCommand(COMMANDS.showIncidents, async () => {
      if (hub.open().length === 0) {
        const choice = await vscode.window.showInformationMessage('NimbusGuard: no open incidents.', 'Switch Context…');
        if (choice) await vscode.commands.executeCommand(COMMANDS.switchContext);
        return;
      }
      const incident = await pickIncident(hub);
      if (incident) await showEvidence({ type: 'incident', incident });
    }),
    vscode.commands.registerCommand(COMMANDS.showEvidence, showEvidence),
    // The explanation lives in the same panel: root cause, fixes, evidence chain, signal.
    vscode.commands.registerCommand(COMMANDS.explainIncident, showEvidence),
    vscode.commands.registerCommand(COMMANDS.openYaml, async (node?: unknown) => {
      const ref = refOfNode(node);
      if (!ref) return;
      const uri = yamlUri(ref);
      documents.refresh(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    vscode.commands.registerCommand(COMMANDS.revealManifest, async (node?: unknown) => {
      const ref = refOfNode(node);
      if (!ref) return;
      const hits = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Looking for the manifest…' },
        () => manifests.find(ref),
      );
      if (hits.length === 0) {
        void vscode.window.showInformationMessage(`No YAML file in the workspace defines ${ref.kind} ${ref.name}.`);
        return;
      }
      const hit =
        hits.length === 1
          ? hits[0]
          : (
              await vscode.window.showQuickPick(
                hits.map((h) => ({
                  label: vscode.workspace.asRelativePath(h.uri),
                  description: `line ${h.object.kindLine + 1}`,
                  hit: h,
                })),
              )
            )?.hit;
      if (!hit) return;
      const position = new vscode.Position(hit.object.kindLine, 0);
      await vscode.window.showTextDocument(hit.uri, { selection: new vscode.Range(position, position) });
    }),
  ];
}
