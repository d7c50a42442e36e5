// A small JSON client for the act loop's requests: every call returns the status, the body and
// the API's warning headers (which the typed clients drop), so dry-runs can show them.
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { sha256Hex } from '../../core/change/sha256';

export interface ApiResponse {
  status: number;
  body: Record<string, any>;
  warnings: string[];
}

export type PatchType = 'strategic' | 'json' | 'merge' | 'apply';

const CONTENT_TYPES: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Group, version and plural of the kinds the act loop reads and writes. */
export const ACT_RESOURCES: Record<string, { group: string; version: string; plural: string; namespaced: boolean }> = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  ReplicaSet: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  Job: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  CronJob: { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Event: { group: '', version: 'v1', plural: 'events', namespaced: true },
  ResourceQuota: { group: '', version: 'v1', plural: 'resourcequotas', namespaced: true },
  LimitRange: { group: '', version: 'v1', plural: 'limitranges', namespaced: true },
  Node: { group: '', version: 'v1', plural: 'nodes', namespaced: false },
  HorizontalPodAutoscaler: {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
  },
  PodDisruptionBudget: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true },
  NetworkPolicy: { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true },
  ValidatingWebhookConfiguration: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
  },
  MutatingWebhookConfiguration: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    namespaced: false,
  },
};

export function resourceOf(kind: string): { group: string; version: string; plural: string; namespaced: boolean } {
  const r = ACT_RESOURCES[kind];
  if (!r) throw new Error(`NimbusGuard cannot change objects of kind ${kind}`);
  return r;
}

export function apiVersionOf(kind: string): string {
  const r = resourceOf(kind);
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The URL path of a collection or one object (and subresource). */
export function objectPath(kind: string, namespace: string | undefined, name?: string, subresource?: string): string {
  const r = resourceOf(kind);
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
}

/** The warning texts of `Warning: 299 - "text"` headers. */
function parseWarnings(header: string | null): string[] {
  if (!header) return [];
  const out: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

export class ApiClient {
  constructor(readonly kc: KubeConfig) {}

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** A hash of the cluster's CA (data or file path), part of the cluster identity and the plan hash. */
  get caHash(): string {
    const cluster = this.kc.getCurrentCluster();
    const ca = cluster?.caData ?? cluster?.caFile ?? '';
    return ca ? sha256Hex(ca).slice(0, 32) : '';
  }

  get user(): string {
    return this.kc.getCurrentUser()?.name ?? '';
  }

  get context(): string {
    return this.kc.getCurrentContext();
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    opts: { body?: unknown; patchType?: PatchType; query?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<ApiResponse> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the context names no cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), HttpMethod[method]);
    await this.kc.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json' };
    if (opts.body !== undefined)
      headers['content-type'] = opts.patchType ? CONTENT_TYPES[opts.patchType] : 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      dispatcher: ctx.getDispatcher(),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await response.text();
    let body: Record<string, any>;
    try {
      body = text ? (JSON.parse(text) as Record<string, any>) : {};
    } catch {
      body = { message: text.slice(0, 500) };
    }
    return { status: response.status, body, warnings: parseWarnings(response.headers.get('warning')) };
  }

  async read(kind: string, namespace: string, name: string): Promise<ApiResponse> {
    return this.request('GET', objectPath(kind, namespace, name));
  }
}

export function isOk(r: ApiResponse): boolean {
  return r.status >= 200 && r.status < 300;
}

/** The API's own message for a failed response. */
export function messageOf(r: ApiResponse): string {
  const m = typeof r.body['message'] === 'string' ? (r.body['message'] as string) : '';
  return m || `HTTP ${r.status}`;
}
