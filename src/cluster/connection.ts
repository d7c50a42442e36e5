// Follows the user's kubeconfig: which files apply, which context is current, whether it loads.
// It reloads when those files change (kubectl rewrites them by rename, so the directories are
// watched) and replaces the ClusterSession whenever the effective context changes. The Kubernetes
// client itself comes from the cluster bundle, loaded on the first reload rather than at activation.
import { FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Emitter } from '../core/events';
import type * as ClusterBundle from './clusterBundle';
import type { ClusterSession } from './clusterSession';
import type { LoadedKubeconfig } from './kubeconfigLoader';

/** What dist/cluster.js exports (src/cluster/clusterBundle.ts). */
export type ClusterModule = typeof ClusterBundle;

export interface ConnectionSettings {
  kubeconfig: string | undefined;
  /** A context to use instead of the kubeconfig's current-context. */
  context?: string | undefined;
  namespaces: string[];
}

export type ConnectionState =
  | { kind: 'loading' }
  | { kind: 'noKubeconfig'; message: string; paths: string[] }
  | { kind: 'invalidKubeconfig'; message: string; paths: string[] }
  | { kind: 'ready'; loaded: LoadedKubeconfig; context: string; session: ClusterSession };

export class ConnectionManager {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private current: ConnectionState = { kind: 'loading' };
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  /** A context the user picked here; dropped when the file's current-context changes underneath it. */
  private pinned: { context: string; fileCurrent: string } | undefined;
  private sessionKey = '';
  private disposed = false;

  constructor(
    private readonly settings: () => ConnectionSettings,
    /** The cluster bundle (the extension requires dist/cluster.js; tests and the CLI import it). */
    private readonly load: () => Promise<ClusterModule>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The Kubernetes client side, for readers that need more than the session (e.g. live YAML). */
  clusterModule(): Promise<ClusterModule> {
    return this.load();
  }

  get state(): ConnectionState {
    return this.current;
  }

  get session(): ClusterSession | undefined {
    return this.current.kind === 'ready' ? this.current.session : undefined;
  }

  contexts(): { name: string; cluster: string; namespace?: string }[] {
    if (this.current.kind !== 'ready') return [];
    return this.current.loaded.doc.contexts.map((c) => {
      const body = (c['context'] ?? {}) as Record<string, unknown>;
      const ns = typeof body['namespace'] === 'string' ? body['namespace'] : undefined;
      return { name: c.name, cluster: String(body['cluster'] ?? ''), ...(ns ? { namespace: ns } : {}) };
    });
  }

  async switchContext(context: string): Promise<void> {
    const fileCurrent = this.current.kind === 'ready' ? this.current.loaded.doc.currentContext : '';
    this.pinned = { context, fileCurrent };
    await this.reload(true);
  }

  /** Reads the kubeconfig again; `force` restarts the session even if nothing changed. */
  async reload(force = false): Promise<void> {
    if (this.disposed) return;
    let cluster: ClusterModule;
    try {
      cluster = await this.load();
    } catch (error) {
      this.setState({
        kind: 'invalidKubeconfig',
        message: `the Kubernetes client did not load: ${error instanceof Error ? error.message : String(error)}`,
        paths: [],
      });
      return;
    }
    if (this.disposed) return;
    const { ClusterSession, chooseContext, clientConfigFor, kubeconfigSources, loadKubeconfig } = cluster;
    const settings = this.settings();
    const sources = kubeconfigSources(settings.kubeconfig, this.env);
    this.watchFiles(sources.paths);
    let loaded: LoadedKubeconfig;
    try {
      loaded = await loadKubeconfig(sources);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // By name: the error class lives in the cluster bundle, not in this one.
      const missing =
        error instanceof Error && error.name === 'KubeconfigError' && /not found|none of these files/.test(message);
      this.replaceSession(undefined, '');
      this.setState({ kind: missing ? 'noKubeconfig' : 'invalidKubeconfig', message, paths: sources.paths });
      return;
    }
    if (this.pinned && this.pinned.fileCurrent !== loaded.doc.currentContext) this.pinned = undefined;
    const context = chooseContext(loaded.doc, this.pinned?.context ?? settings.context);
    const key = JSON.stringify([
      context,
      settings.namespaces,
      loaded.doc.contexts.find((c) => c.name === context),
      loaded.doc.clusters,
      loaded.doc.users,
    ]);
    if (!force && key === this.sessionKey && this.current.kind === 'ready') {
      this.current = { ...this.current, loaded };
      return;
    }
    let session: ClusterSession;
    try {
      session = new ClusterSession(clientConfigFor(loaded, context), context, { namespaces: settings.namespaces });
    } catch (error) {
      this.replaceSession(undefined, '');
      this.setState({
        kind: 'invalidKubeconfig',
        message: error instanceof Error ? error.message : String(error),
        paths: sources.paths,
      });
      return;
    }
    this.replaceSession(session, key);
    this.setState({ kind: 'ready', loaded, context, session });
    session.onDidChangeState(() => this.changed.fire());
    void session.start();
  }

  dispose(): void {
    this.disposed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.replaceSession(undefined, '');
    this.changed.dispose();
  }

  private replaceSession(next: ClusterSession | undefined, key: string): void {
    if (this.current.kind === 'ready' && this.current.session !== next) this.current.session.dispose();
    this.sessionKey = key;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.changed.fire();
  }

  private watchedDirs = '';

  private watchFiles(paths: string[]): void {
    const dirs = new Map<string, Set<string>>();
    for (const p of paths) {
      const names = dirs.get(dirname(p)) ?? new Set<string>();
      names.add(basename(p));
      dirs.set(dirname(p), names);
    }
    const signature = JSON.stringify([...dirs].map(([d, n]) => [d, [...n]]));
    if (signature === this.watchedDirs) return;
    this.watchedDirs = signature;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    for (const [dir, names] of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, file) => {
          if (file === null || names.has(String(file))) this.scheduleReload();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // The directory does not exist yet; a later reload (setting change, refresh) watches again.
      }
    }
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.reload();
    }, 200);
  }
}
