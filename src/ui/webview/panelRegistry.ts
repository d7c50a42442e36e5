// Generic host side of a kind of webview panel: at most one panel per object, the panel options every
// NimbusGuard webview uses, and the serializer that brings open panels back after a window reload.
// A webview saves only the ids of what it shows (setState); a restored panel fetches its data again.
import * as vscode from 'vscode';
import { makeNonce } from './webviewHtml';

export interface PanelController extends vscode.Disposable {
  reveal(): void;
}

export interface PanelKind<R, C extends PanelController = PanelController> {
  /** The webview panel type, also named in package.json's `onWebviewPanel:` activation event. */
  readonly viewType: string;
  /** One panel per key. */
  key(ref: R): string;
  title(ref: R): string;
  /** The reference a restored webview saved with setState, validated; undefined when unusable. */
  refFromState(state: unknown): R | undefined;
  /** Sets up a new or restored panel: its page, listeners and first data. */
  attach(panel: vscode.WebviewPanel, ref: R, restored: boolean): C;
}

/** Scripts on, nothing kept while hidden (the webview repaints from getState and the host), narrow roots. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** The bundle of webview/<app>/main.ts, the shared stylesheet and the app's own, and a fresh nonce. */
export function pageAssets(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  app: string,
): { cspSource: string; scriptUri: string; styleUris: string[]; nonce: string } {
  const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return {
    cspSource: webview.cspSource,
    scriptUri: uri('dist', 'webview', `${app}.js`),
    styleUris: [uri('media', 'panel.css'), uri('media', `${app}.css`)],
    nonce: makeNonce(),
  };
}

export class PanelRegistry<R, C extends PanelController = PanelController> implements vscode.Disposable {
  private readonly panels = new Map<string, C>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly kind: PanelKind<R, C>,
  ) {}

  get(ref: R): C | undefined {
    return this.panels.get(this.kind.key(ref));
  }

  get size(): number {
    return this.panels.size;
  }

  /** Reveals the object's panel, opening it first when there is none. */
  show(ref: R, column: vscode.ViewColumn = vscode.ViewColumn.Active): C {
    const open = this.get(ref);
    if (open) {
      open.reveal();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      this.kind.viewType,
      this.kind.title(ref),
      column,
      panelOptions(this.extensionUri),
    );
    return this.adopt(panel, ref, false);
  }

  /** The serializer (VS Code restores this kind's panels through it) and the registry itself. */
  register(): vscode.Disposable[] {
    const serializer = vscode.window.registerWebviewPanelSerializer(this.kind.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const ref = this.kind.refFromState(state);
        // Nothing usable was saved, or the object already has a panel: this one has nothing to show.
        if (ref === undefined || this.get(ref)) {
          panel.dispose();
          return;
        }
        panel.webview.options = panelOptions(this.extensionUri);
        this.adopt(panel, ref, true);
      },
    });
    return [serializer, this];
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }

  private adopt(panel: vscode.WebviewPanel, ref: R, restored: boolean): C {
    const key = this.kind.key(ref);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'nimbusguard.svg');
    const controller = this.kind.attach(panel, ref, restored);
    this.panels.set(key, controller);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === controller) this.panels.delete(key);
    });
    return controller;
  }
}
