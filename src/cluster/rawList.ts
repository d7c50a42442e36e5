// Lists a resource as plain JSON. The generic client turns every item of a list into typed model
// objects, which on 10,000 pods costs seconds; the informers only need the JSON the API sent, the
// same shape the watch delivers.
import {
  HttpMethod,
  KubeConfig,
  RequestContext,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { fetch } from 'undici';

export class ListError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly body: string,
  ) {
    super(message);
    this.name = 'ListError';
  }
}

/** Items per page when nothing else is asked for (measured on 3,000 and 10,000 pods: docs/benchmarks.md). */
export const LIST_PAGE_SIZE = 5000;

export interface ListOptions {
  accept?: string;
  /** Items per page; 0 asks for everything in one response. */
  pageSize?: number;
  fieldSelector?: string;
}

/** List metadata as the API sends it (the generated model renames `continue`). */
interface RawListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * True for an API server on this machine (kind, k3d, minikube, Docker Desktop's port forward): the
 * API server would gzip a list of 10,000 pods (about 50 MB) only for this process to inflate it
 * again, which costs both sides CPU and saves no time on loopback. Anything else is asked for gzip.
 */
export function isLoopbackServer(server: string): boolean {
  let host: string;
  try {
    host = new URL(server).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const continueToken = (list: KubernetesListObject<KubernetesObject>) =>
  (list.metadata as RawListMeta | undefined)?.continue || undefined;

/**
 * The list's own metadata from the first bytes of its body. The API server writes `metadata` before
 * `items` and streams the rest, so the continue token is known long before the page has arrived.
 */
const LIST_META = /^\s*\{\s*"kind"\s*:\s*"[^"]*"\s*,\s*"apiVersion"\s*:\s*"[^"]*"\s*,\s*"metadata"\s*:\s*(\{[^{}]*\})/;

export function earlyListMeta(prefix: string): RawListMeta | undefined {
  const match = LIST_META.exec(prefix);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]!) as RawListMeta;
  } catch {
    return undefined;
  }
}

/** How much of a body is searched for the list's metadata before giving up on knowing it early. */
const META_PREFIX_BYTES = 16 * 1024;

async function getPage<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  accept: string,
  query: Record<string, string>,
  onEarlyMeta?: (meta: RawListMeta) => void,
): Promise<KubernetesListObject<T>> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the context names no cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const ctx = new RequestContext(url.toString(), HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  const encoding = isLoopbackServer(cluster.server) ? 'identity' : 'gzip';
  const response = await fetch(url, {
    method: 'GET',
    headers: { ...ctx.getHeaders(), accept, 'accept-encoding': encoding },
    dispatcher: ctx.getDispatcher(),
  });
  const chunks: Buffer[] = [];
  let received = 0;
  let looking = onEarlyMeta !== undefined && response.ok;
  for await (const chunk of response.body ?? []) {
    const buffer = Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    received += buffer.length;
    if (!looking) continue;
    const meta = earlyListMeta(Buffer.concat(chunks, received).toString('utf8'));
    if (meta || received >= META_PREFIX_BYTES) looking = false;
    if (meta) onEarlyMeta!(meta);
  }
  const text = Buffer.concat(chunks, received).toString('utf8');
  if (response.status < 200 || response.status > 299)
    throw new ListError(response.status, `HTTP ${response.status}`, text);
  return JSON.parse(text) as KubernetesListObject<T>;
}

interface Page<T extends KubernetesObject> {
  list: KubernetesListObject<T>;
  /** The following page, requested as soon as this one's continue token was known. */
  next?: Promise<Page<T>>;
}

/**
 * One page and, chained behind it, the rest: the next page is asked for the moment this one's
 * token shows at the head of its body, so the server prepares it while this one is still being
 * received and parsed. A token read early that the parsed page contradicts is dropped for the real one.
 */
function pageChain<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  accept: string,
  base: Record<string, string>,
  token: string | undefined,
): Promise<Page<T>> {
  let early: { token: string; page: Promise<Page<T>> } | undefined;
  const query = token ? { ...base, continue: token } : base;
  return getPage<T>(kc, path, accept, query, (meta) => {
    if (!meta.continue) return;
    const page = pageChain<T>(kc, path, accept, base, meta.continue);
    // Awaited below when the token holds; an unused or failed prefetch must not go unhandled.
    page.catch(() => undefined);
    early = { token: meta.continue, page };
  }).then((list) => {
    const real = continueToken(list);
    if (!real) return { list };
    return { list, next: early?.token === real ? early.page : pageChain<T>(kc, path, accept, base, real) };
  });
}

/**
 * Lists every object at `path`, page by page (the API server hands out a continue token that pins
 * the list to the first page's resourceVersion, so the pages form one consistent list). A token
 * that expired mid-way (410) restarts the list once from the first page.
 */
export async function listRaw<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  options: ListOptions = {},
): Promise<KubernetesListObject<T>> {
  const accept = options.accept ?? 'application/json';
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  const base: Record<string, string> = {};
  if (options.fieldSelector) base['fieldSelector'] = options.fieldSelector;
  if (pageSize > 0) base['limit'] = String(pageSize);
  for (let attempt = 0; ; attempt++) {
    const head = await pageChain<T>(kc, path, accept, base, undefined);
    const first = head.list;
    const items = first.items ?? [];
    try {
      for (let page = head.next; page;) {
        const { list, next } = await page;
        for (const item of list.items ?? []) items.push(item);
        page = next;
      }
    } catch (error) {
      if (attempt === 0 && error instanceof ListError && error.statusCode === 410) continue;
      throw error;
    }
    const { continue: _token, remainingItemCount: _left, ...metadata } = (first.metadata ?? {}) as RawListMeta;
    return { ...first, metadata, items };
  }
}

/**
 * The union of several field-selected lists of `path`, without duplicates, filtered by `keep`, at
 * the first one's resourceVersion: the others are listed after it, so a watch from that version
 * misses nothing of theirs (what changed in between comes again and is recognised as seen).
 */
export async function listBackfill<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  backfill: { fieldSelectors: readonly string[]; keep?: (o: KubernetesObject) => boolean },
  options: ListOptions = {},
): Promise<KubernetesListObject<T>> {
  const [first, ...rest] = backfill.fieldSelectors;
  const head = await listRaw<T>(kc, path, { ...options, ...(first ? { fieldSelector: first } : {}) });
  const others = await Promise.all(rest.map((fieldSelector) => listRaw<T>(kc, path, { ...options, fieldSelector })));
  const seen = new Set<string>();
  const items: T[] = [];
  for (const item of [head, ...others].flatMap((l) => l.items)) {
    const id = item.metadata?.uid ?? `${item.metadata?.namespace}/${item.metadata?.name}`;
    if (seen.has(id) || (backfill.keep && !backfill.keep(item))) continue;
    seen.add(id);
    items.push(item);
  }
  return { ...head, items };
}
