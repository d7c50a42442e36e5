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
