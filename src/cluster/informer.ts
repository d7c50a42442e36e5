// One list+watch of one resource kind in one scope, kept alive across errors: it resumes from the
// last resourceVersion, relists on 410 Gone (inside ListWatch), and reconnects with jittered
// exponential backoff. A kind the user may not list, or that the server lacks, is reported once
// and left alone instead of being retried in a loop.
import { KubeConfig, KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import { listBackfill, listRaw } from './rawList';
import { describeClusterError, isForbidden, isMissingResource } from './errors';
import { PARTIAL_METADATA_LIST, identityOnly, metadataWatchConfig } from './metadataOnly';

export interface ResourceType {
  apiVersion: string;
  kind: string;
  /** Lower-case plural used in the REST path, e.g. "deployments". */
  plural: string;
  /** List and watch PartialObjectMetadata, keeping identity fields only (Secrets). */
  metadataOnly?: boolean;
  /**
   * The first list holds only what matters from before the watch (Events): the objects matching
   * any of these field selectors, kept by `keep`. The watch then follows every object from that
   * list's resourceVersion on.
   */
  backfill?: { fieldSelectors: readonly string[]; keep?: (o: KubernetesObject) => boolean };
}

export type InformerState =
  | { phase: 'listing' }
  | { phase: 'synced' }
  | { phase: 'retrying'; message: string; attempt: number }
  | { phase: 'unavailable'; message: string };

export interface InformerHandlers<T> {
  upsert(obj: T): void;
  remove(obj: T): void;
  stateChanged(state: InformerState): void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export function restPath(type: ResourceType, namespace?: string): string {
  const base = type.apiVersion.includes('/') ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}` : `${base}/${type.plural}`;
}

/**
 * A Watch that can be stopped while its request is still being set up. ListWatch only aborts a
 * watch whose response already arrived; one stopped in between would otherwise run on unseen.
 */
class StoppableWatch extends Watch {
  private stopped = false;
  private readonly open = new Set<AbortController>();

  /** `reduce` rewrites each object before the informer sees it (not ERROR statuses). */
  constructor(
    config: KubeConfig,
    private readonly reduce?: (o: unknown) => KubernetesObject,
  ) {
    super(config);
  }

  override async watch(...args: Parameters<Watch['watch']>): Promise<AbortController> {
    const reduce = this.reduce;
    if (reduce) {
      const callback = args[2];
      args[2] = (phase, apiObj) => {
        const object = phase === 'ERROR' ? apiObj : reduce(apiObj);
        callback(phase, object, { type: phase, object });
      };
    }
    const controller = await super.watch(...args);
    if (this.stopped) {
      controller.abort();
    } else if (!controller.signal.aborted) {
      // A finished watch aborts its own controller; forget it then.
      this.open.add(controller);
      controller.signal.addEventListener('abort', () => this.open.delete(controller), { once: true });
    }
    return controller;
  }

  stop(): void {
    this.stopped = true;
    for (const controller of this.open) controller.abort();
    this.open.clear();
  }

  resume(): void {
    this.stopped = false;
  }
}

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly listWatch: ListWatch<T>;
  private readonly watcher: StoppableWatch;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: InformerState = { phase: 'listing' };

  constructor(
    kc: KubeConfig,
    readonly type: ResourceType,
    readonly namespace: string | undefined,
    private readonly handlers: InformerHandlers<T>,
    listing: { pageSize?: number } = {},
  ) {
    const path = restPath(type, namespace);
    const listFn = async () => {
      const options = {
        ...(type.metadataOnly ? { accept: PARTIAL_METADATA_LIST } : {}),
        ...(listing.pageSize !== undefined ? { pageSize: listing.pageSize } : {}),
      };
      const list = type.backfill
        ? await listBackfill<T>(kc, path, type.backfill, options)
        : await listRaw<T>(kc, path, options);
      if (type.metadataOnly) list.items = list.items.map((item) => identityOnly(item) as T);
      // ListWatch would open a watch after a list that finished after stop(); refuse instead.
      if (this.stopped) throw new Error('informer stopped');
      // ListWatch applies the items right after this resolves; report synced once they are in.
      setImmediate(() => {
        if (this.stopped) return;
        this.attempt = 0;
        this.setState({ phase: 'synced' });
      });
      return list;
    };
    this.watcher = type.metadataOnly
      ? new StoppableWatch(metadataWatchConfig(kc), (o) => identityOnly(o) as KubernetesObject)
      : new StoppableWatch(kc);
    this.listWatch = new ListWatch<T>(path, this.watcher, listFn, false);
    this.listWatch.on('add', (obj) => this.handlers.upsert(obj));
    this.listWatch.on('update', (obj) => this.handlers.upsert(obj));
    this.listWatch.on('delete', (obj) => this.handlers.remove(obj));
    this.listWatch.on('error', (error) => this.onError(error));
  }

  get state(): InformerState {
    return this.current;
  }

  /** The objects the watch holds right now, as the API sent them (after any reduction). */
  cached(): readonly T[] {
    return this.listWatch.list();
  }

  start(): void {
    this.stopped = false;
    const attempt = this.attempt;
    void this.listWatch.start().then(
      () => this.resumed(attempt),
      (error: unknown) => this.onError(error),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.listWatch.stop();
    this.watcher.stop();
  }

  /**
   * After an error ListWatch resumes the watch from the last resourceVersion without listing, so
   * listFn never reports synced: once the watch is open again without a new error, it is.
   */
  private resumed(attempt: number): void {
    if (this.stopped || this.attempt !== attempt || this.current.phase !== 'retrying') return;
    this.attempt = 0;
    this.setState({ phase: 'synced' });
  }

  private onError(error: unknown): void {
    if (this.stopped) return;
    const info = describeClusterError(error);
    if (isForbidden(error) || isMissingResource(error)) {
      const scope = this.namespace ? `in namespace ${this.namespace}` : 'cluster-wide';
      const why = isForbidden(error) ? 'not allowed to list' : 'the server does not serve';
      this.setState({ phase: 'unavailable', message: `${this.type.kind} ${scope}: ${why} it (${info.message})` });
      return;
    }
    const attempt = ++this.attempt;
    this.setState({ phase: 'retrying', message: info.message, attempt });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.start();
    }, backoffDelay(attempt));
  }

  private setState(state: InformerState): void {
    this.current = state;
    this.handlers.stateChanged(state);
  }
}
