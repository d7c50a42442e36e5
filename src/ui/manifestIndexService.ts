// An in-memory index of the Kubernetes objects defined by the workspace's YAML files, kept current
// by a file watcher and by edits in open editors, so incidents find their manifest without
// re-reading the workspace.
import * as vscode from 'vscode';
import type { ObjectRef } from '../core/model/resources';
import { ManifestObject, indexManifests, sameObject } from '../core/manifest/manifestIndex';

const GLOB = '**/*.{yaml,yml}';
const EXCLUDE = '**/{node_modules,.git,dist,out}/**';
const MAX_FILES = 5000;
const MAX_BYTES = 1_000_000;

export interface ManifestHit {
  uri: vscode.Uri;
  object: ManifestObject;
}

export class ManifestIndexService implements vscode.Disposable {
  private readonly files = new Map<string, { uri: vscode.Uri; objects: ManifestObject[] }>();
  private ready: Promise<void> | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.schedule(uri)),
      watcher.onDidChange((uri) => this.schedule(uri)),
      watcher.onDidDelete((uri) => {
        if (this.files.delete(uri.toString())) this.emitter.fire();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isYaml(e.document)) this.schedule(e.document.uri);
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (isYaml(doc)) this.schedule(doc.uri);
      }),
    );
  }

  /** Files and objects that define the cluster object `ref`. */
  async find(ref: ObjectRef): Promise<ManifestHit[]> {
    await (this.ready ??= this.scan());
    const hits: ManifestHit[] = [];
    for (const { uri, objects } of this.files.values())
      for (const object of objects) if (sameObject(object, ref)) hits.push({ uri, object });
    return hits;
  }

  /** The objects of one file (current editor text when it is open). */
  objectsIn(uri: vscode.Uri): ManifestObject[] {
    return this.files.get(uri.toString())?.objects ?? [];
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }

  private async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles(GLOB, EXCLUDE, MAX_FILES);
    await Promise.all(uris.map((uri) => this.read(uri)));
  }

  private schedule(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' && uri.scheme !== 'untitled' && uri.scheme !== 'vscode-remote') return;
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.read(uri).then(() => this.emitter.fire());
      }, 300),
    );
  }

  private async read(uri: vscode.Uri): Promise<void> {
    try {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      let text: string;
      if (open) text = open.getText();
      else {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_BYTES) return;
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      }
      const objects = indexManifests(text);
      if (objects.length > 0) this.files.set(uri.toString(), { uri, objects });
      else this.files.delete(uri.toString());
    } catch {
      this.files.delete(uri.toString());
    }
  }
}

export function isYaml(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri.path);
}
