// Shared pieces for tests against the local control plane started by `npm run cluster:up`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

export const repoRoot = join(import.meta.dirname, '../../..');
/** The cluster `up.sh` started: `$NIMBUSGUARD_CLUSTER_DIR` (default `<repo>/.cluster`). */
export const kubeconfigPath = join(process.env['NIMBUSGUARD_CLUSTER_DIR'] ?? join(repoRoot, '.cluster'), 'kubeconfig');
export const ADMIN = 'nimbusguard-admin';
export const LIMITED = 'nimbusguard-limited';
export const LIMITED_NAMESPACE = 'team-a';

export function kubeConfig(context = ADMIN): k8s.KubeConfig {
  if (!existsSync(kubeconfigPath)) throw new Error(`${kubeconfigPath} is missing: run npm run cluster:up first`);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kc.setCurrentContext(context);
  return kc;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
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
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Creates a namespace for one test and returns a function that deletes it. */
export async function scratchNamespace(kc: k8s.KubeConfig, prefix: string): Promise<{ name: string; remove: () => Promise<void> }> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await core.createNamespace({ body: { metadata: { name } } });
  await waitFor(`default service account in ${name}`, async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: name }).catch(() => undefined)) ?? undefined, 30_000);
  return { name, remove: async () => void (await core.deleteNamespace({ name }).catch(() => undefined)) };
}

export function deployment(name: string, opts: { replicas?: number; image?: string; annotations?: Record<string, string>; memoryLimit?: string; readinessProbe?: boolean } = {}): k8s.V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: opts.annotations ?? {} },
        spec: {
          containers: [
            {
              name: 'main',
              image: opts.image ?? 'registry.example/app:1.0',
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: opts.memoryLimit ?? '256Mi' } },
              ...(opts.readinessProbe ? { readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 } } : {}),
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

/** A product ClusterSession on `namespaces` (admin context unless `kc` is given) with an IncidentMonitor over it. */
export async function watchIncidents(namespaces: string[], opts: { metrics?: boolean; kc?: k8s.KubeConfig; context?: string } = {}): Promise<WatchedNamespace> {
  const { ClusterSession } = await import('../../src/cluster/clusterSession');
  const { IncidentMonitor } = await import('../../src/agent/incidentMonitor');
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
  const monitor = new IncidentMonitor({ snapshot: session.snapshot, onSnapshotChange: (l) => session.onDidChange(l), tickMs: 1_000 });
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

/** Waits until the monitor has an open incident of `type` on the object `kind`/`name` (in `namespace` unless cluster-scoped). */
export function waitForIncident(
  monitor: import('../../src/agent/incidentMonitor').IncidentMonitor,
  type: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  timeoutMs = 120_000,
  accept: (i: IncidentOf) => boolean = () => true,
): Promise<IncidentOf> {
  const describe = () => monitor.open().map((i) => `${i.type} ${i.workload.kind}/${i.workload.name}`).join(', ') || 'none';
  return waitFor(`${type} on ${kind}/${name}`, () => {
    const hit = monitor.open().find((i) => i.type === type && i.workload.kind === kind && i.workload.name === name && (namespace === undefined || i.workload.namespace === namespace) && accept(i));
    return hit ?? undefined;
  }, timeoutMs, 500).catch((error: Error) => {
    throw new Error(`${error.message}; open incidents: ${describe()}`);
  });
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
