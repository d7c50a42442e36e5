// Finds the workspace YAML files that define a cluster object (plain YAML: hand-written,
// Helm-rendered or kustomize output), by kind, name and namespace.
import * as vscode from 'vscode';
import type { ObjectRef } from '../core/model/resources';
import { ManifestObject, indexManifests, sameObject } from '../core/manifest/manifestIndex';

export interface ManifestHit {
  uri: vscode.Uri;
  object: ManifestObject;
}

const MAX_FILES = 2000;
const MAX_BYTES = 1_000_000;

export async function findManifests(ref: ObjectRef, token?: vscode.CancellationToken): Promise<ManifestHit[]> {
  const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git,dist,out}/**', MAX_FILES, token);
  const hits: ManifestHit[] = [];
  for (const uri of files) {
    if (token?.isCancellationRequested) break;
    let text: string;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_BYTES) continue;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue;
    }
    if (!text.includes(ref.name)) continue;
    for (const object of indexManifests(text)) if (sameObject(object, ref)) hits.push({ uri, object });
  }
  return hits;
}
