// One kit for tests against the local control plane started by `npm run cluster:up`, shared by the
// cluster tests, the end-to-end tests and the benchmarks: where the kubeconfig is, clients, scratch
// namespaces, a Deployment builder, waiting, outages.
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createConnection, type AddressInfo } from 'node:net';
import { createServer, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { repoRoot as findRepoRoot } from './vscode/codeServer';

export const repoRoot = findRepoRoot();
/** The cluster `up.sh` started: `$NIMBUSGUARD_CLUSTER_DIR` (default `<repo>/.cluster`). */
export const kubeconfigPath = join(process.env['NIMBUSGUARD_CLUSTER_DIR'] ?? join(repoRoot, '.cluster'), 'kubeconfig');
export const ADMIN = 'nimbusguard-admin';
export const LIMITED = 'nimbusguard-limited';
export const LIMITED_NAMESPACE = 'team-a';

function existingKubeconfig(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run cluster:up first`);
  return path;
}

export function kubeConfig(context = ADMIN): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(existingKubeconfig(kubeconfigPath));
  kc.setCurrentContext(context);
  return kc;
}

/** Core and apps clients on `kubeconfig`, in the admin context when it has one (else its current context). */
export function kubeClients(kubeconfig = kubeconfigPath): {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
} {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(existingKubeconfig(kubeconfig));
  if (kc.getContexts().some((c) => c.name === ADMIN)) kc.setCurrentContext(ADMIN);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
  );
}

/** Creates a namespace for one test and returns a function that deletes it. */
export async function scratchNamespace(
  kc: k8s.KubeConfig,
  prefix: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await core.createNamespace({ body: { metadata: { name } } });
  const remove = async () => void (await core.deleteNamespace({ name }).catch(() => undefined));
  await waitForDefaultServiceAccount(core, name, 30_000).catch(async (error: unknown) => {
    await remove();
    throw error;
  });
  return { name, remove };
}

/** Resolves once the controller-manager has given a namespace its default service account. */
async function waitForDefaultServiceAccount(core: k8s.CoreV1Api, namespace: string, timeoutMs: number): Promise<void> {
  await waitFor(
    `default service account in ${namespace}`,
    async () =>
      (await core.readNamespacedServiceAccount({ name: 'default', namespace }).catch(() => undefined)) ?? undefined,
    timeoutMs,
  );
}

/** The HTTP status of a failed API call, whichever shape the client gave it. */
function status(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const v of [e?.code, e?.statusCode, e?.response?.statusCode]) if (typeof v === 'number') return v;
  return undefined;
}

/** Deletes a namespace and waits until the API no longer knows it. */
export async function deleteNamespace(core: k8s.CoreV1Api, name: string, timeoutMs = 90_000): Promise<void> {
  try {
    await core.deleteNamespace({ name });
  } catch (error) {
    if (status(error) === 404) return;
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await core.readNamespace({ name });
    } catch (error) {
      if (status(error) === 404) return;
      throw error;
    }
    await sleep(500);
  }
  throw new Error(`namespace ${name} still exists ${timeoutMs} ms after deletion`);
}

/** Creates a namespace with a fixed name (labelled as an e2e one), removing a leftover one from an earlier run first. */
export async function freshNamespace(core: k8s.CoreV1Api, name: string): Promise<void> {
  await deleteNamespace(core, name);
  await core.createNamespace({
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'nimbusguard.dev/test': 'e2e' } } },
  });
}

export interface DeploymentOptions {
  /** Sets metadata.namespace; without it the namespace comes from the create call. */
  namespace?: string;
  replicas?: number;
  image?: string;
  /** The one container's name (default `main`). */
  container?: string;
  /** Its resource requests (default 100m CPU, 64Mi memory). */
  requests?: Record<string, string>;
  /** Its memory limit (default 256Mi); null for no limits at all. */
  memoryLimit?: string | null;
  /** Pod template annotations (the simulator's `sim.nimbusguard.dev/*` behaviour). */
  annotations?: Record<string, string>;
  readinessProbe?: boolean;
}

/** A one-container Deployment labelled and selected by `app: <name>`. */
export function deployment(name: string, opts: DeploymentOptions = {}): k8s.V1Deployment {
  const labels = () => ({ app: name });
  const limits = opts.memoryLimit === null ? {} : { limits: { memory: opts.memoryLimit ?? '256Mi' } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}), labels: labels() },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: labels() },
      template: {
        metadata: { labels: labels(), ...(opts.annotations ? { annotations: opts.annotations } : {}) },
        spec: {
          containers: [
            {
              name: opts.container ?? 'main',
              image: opts.image ?? 'registry.example/app:1.0',
              resources: { requests: opts.requests ?? { cpu: '100m', memory: '64Mi' }, ...limits },
              ...(opts.readinessProbe
                ? { readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 } }
                : {}),
            },
          ],
        },
      },
    },
  };
}

// ---- incident detection against the live cluster ----------------------------------------------

export interface WatchedNamespace {
  session: import('../../src/cluster/clusterSession').ClusterSession;
  monitor: import('../../src/agent/incidentMonitor').IncidentMonitor;
  dispose(): void;
}

/** A product ClusterSession on `namespaces` (admin context unless `kc` is given) with an IncidentMonitor and its agent threads over it. */
export async function watchIncidents(
  namespaces: string[],
  opts: { metrics?: boolean; kc?: k8s.KubeConfig; context?: string } = {},
): Promise<WatchedNamespace> {
  const { ClusterSession } = await import('../../src/cluster/clusterSession');
  const { IncidentMonitor } = await import('../../src/agent/incidentMonitor');
  const { createIncidentAgent } = await import('../../src/agent/incidentAgent');
  const { readLogTail } = await import('../../src/cluster/podLogs');
  let config = opts.kc;
  let context = opts.context ?? ADMIN;
  if (!config) {
    const { clientConfigFor, kubeconfigSources, loadKubeconfig } = await import('../../src/cluster/kubeconfigLoader');
    config = clientConfigFor(await loadKubeconfig(kubeconfigSources(kubeconfigPath, {})), context);
  } else {
    context = config.getCurrentContext();
  }
  const session = new ClusterSession(config, context, { namespaces, metrics: opts.metrics ?? false });
  await session.start();
  if (!(await session.whenSynced(30_000))) {
    session.dispose();
    throw new Error(`the session on ${namespaces.join(', ')} did not sync: ${session.notes().join('; ')}`);
  }
  const monitor = new IncidentMonitor({
    snapshot: session.snapshot,
    onSnapshotChange: (l) => session.onDidChange(l),
    usage: session.usage,
    tickMs: 1_000,
    // The agent threads diagnose each incident, as in the extension (in memory, no LLM step).
    agent: async (context) => createIncidentAgent(context),
    readLogs: (req) => readLogTail(config!, req),
  });
  return {
    session,
    monitor,
    dispose: () => {
      monitor.dispose();
      session.dispose();
    },
  };
}

type IncidentOf = ReturnType<import('../../src/agent/incidentMonitor').IncidentMonitor['open']>[number];

/** Waits until the monitor has an open incident of `type` on the object `kind`/`name` (in `namespace` unless cluster-scoped), diagnosed by the graph. */
export function waitForIncident(
  monitor: import('../../src/agent/incidentMonitor').IncidentMonitor,
  type: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  timeoutMs = 120_000,
  accept: (i: IncidentOf) => boolean = () => true,
): Promise<IncidentOf> {
  const describe = () =>
    monitor
      .open()
      .map((i) => `${i.type} ${i.workload.kind}/${i.workload.name}`)
      .join(', ') || 'none';
  return waitFor(
    `${type} on ${kind}/${name}`,
    () => {
      const hit = monitor
        .open()
        .find(
          (i) =>
            i.type === type &&
            i.workload.kind === kind &&
            i.workload.name === name &&
            (namespace === undefined || i.workload.namespace === namespace) &&
            accept(i),
        );
      return hit ?? undefined;
    },
    timeoutMs,
    500,
  ).then(
    // The graph diagnoses an incident after it opens; callers read its root cause and proposals next.
    async (incident) => {
      await monitor.idle();
      return incident;
    },
    (error: Error) => {
      throw new Error(`${error.message}; open incidents: ${describe()}`);
    },
  );
}

/** All evidence texts (and reasons) of an incident, with its summary, as one string for matching. */
export function evidenceText(incident: IncidentOf): string {
  return [incident.summary, ...incident.evidence.map((e) => `${e.text}${e.reason ? ` [${e.reason}]` : ''}`)].join('\n');
}

export const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Strategic merge: lists such as containers merge by name, as `kubectl patch` does. */
export const STRATEGIC_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

// ---- outages ----------------------------------------------------------------------------------

/** The state directory of the cluster under test (where `up.sh` records pids, logs and ports). */
export const clusterDir = join(kubeconfigPath, '..');

function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * Restarts only kube-apiserver: stops the process group `up.sh` started (SIGTERM, then SIGKILL
 * after 5 s), waits `downMs`, then starts it again with the same command line, output
 * appended to its log and the new pid recorded where `down.sh` looks for it. Resolves once it serves.
 */
export async function restartApiServer(downMs = 0): Promise<void> {
  const pidFile = join(clusterDir, 'pids', 'kube-apiserver.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  if (!argv.some((a) => a.includes(clusterDir))) throw new Error(`pid ${pid} is not this cluster's kube-apiserver`);
  const port = Number(/^--secure-port=(\d+)$/.exec(argv.find((a) => a.startsWith('--secure-port=')) ?? '')?.[1]);
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  // A graceful stop waits up to a minute for open watches to drain; like down.sh, give it a few
  // seconds and then kill it.
  signal('SIGTERM');
  const exited = await waitFor('the old kube-apiserver to exit', () => processGone(pid), 5_000, 100).catch(() => false);
  if (!exited) {
    signal('SIGKILL');
    await waitFor('the old kube-apiserver to be killed', () => processGone(pid), 10_000, 100);
  }
  await waitFor('its port to be free', () => portFree(port), 30_000, 100);
  if (downMs > 0) await sleep(downMs);
  const log = openSync(join(clusterDir, 'logs', 'kube-apiserver.log'), 'a');
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  await waitFor(
    'kube-apiserver to serve again',
    async () => (await core.listNamespace({ limit: 1 })) && true,
    90_000,
    250,
  );
}

/**
 * Resolves once the controller-manager works again after `restartApiServer`: its watches failed
 * while the API server was down (and were refused for a moment after, until the authorizer had
 * synced), and they come back on their own backoff. The next test file needs a new namespace to get
 * its default service account, so a file that restarts the API server calls this before it ends.
 */
export async function waitForControllers(timeoutMs = 180_000): Promise<void> {
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  const probe = `restart-probe-${Math.random().toString(36).slice(2, 7)}`;
  await waitFor(
    'a namespace to be created',
    () => core.createNamespace({ body: { metadata: { name: probe } } }).then(() => true),
    60_000,
    500,
  );
  try {
    await waitForDefaultServiceAccount(core, probe, timeoutMs);
  } finally {
    await core.deleteNamespace({ name: probe }).catch(() => undefined);
  }
}

export interface ProxiedRequest {
  method: string;
  path: string;
  watch: boolean;
  resourceVersion: string;
  status: number;
  /** The API answered 410 Gone, as a status or as an ERROR event in the watch stream. */
  gone: boolean;
}

/**
 * A plain-HTTP front for the API server that the product can be pointed at: it forwards every
 * request with the admin credentials, records what was asked and answered, and can hold traffic
 * (ending open watches the way the API server ends them, and parking new requests until release).
 */
export class ApiProxy {
  readonly requests: ProxiedRequest[] = [];
  private held = false;
  private parked: (() => void)[] = [];
  private readonly live = new Set<{ res: ServerResponse; upstream: ClientRequest }>();

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
    private readonly tls: RequestOptions,
  ) {}

  static async start(admin = kubeConfig()): Promise<ApiProxy> {
    const tls: RequestOptions = {};
    await admin.applyToHTTPSOptions(tls);
    const proxy = new ApiProxy(createServer(), new URL(admin.getCurrentCluster()!.server), tls);
    proxy.server.on('request', (req, res) => proxy.forward(req, res));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** A kubeconfig whose only context talks to the API server through this proxy. */
  kubeConfig(): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'proxied', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: 'proxied' }],
      contexts: [{ name: 'proxied', cluster: 'proxied', user: 'proxied' }],
      currentContext: 'proxied',
    });
    return kc;
  }

  hold(): void {
    this.held = true;
    for (const { res, upstream } of this.live) {
      upstream.destroy();
      res.end();
    }
    this.live.clear();
  }

  release(): void {
    this.held = false;
    for (const go of this.parked.splice(0)) go();
  }

  async close(): Promise<void> {
    this.hold();
    this.parked = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    if (this.held) {
      this.parked.push(() => this.forward(req, res));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      watch: url.searchParams.get('watch') === 'true',
      resourceVersion: url.searchParams.get('resourceVersion') ?? '',
      status: 0,
      gone: false,
    };
    this.requests.push(entry);
    const upstream = httpsRequest(
      {
        ...this.tls,
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.upstream.host },
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        entry.gone = entry.status === 410;
        let tail = '';
        answer.on('data', (chunk: Buffer) => {
          const text = tail + chunk.toString('utf8');
          if (entry.watch && /"type":"ERROR"[\s\S]*"code":410/.test(text)) entry.gone = true;
          tail = text.slice(-200);
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    const pair = { res, upstream };
    this.live.add(pair);
    res.on('close', () => {
      this.live.delete(pair);
      upstream.destroy();
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}
