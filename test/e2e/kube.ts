// Small Kubernetes helpers for end-to-end tests, against the local cluster from test/harness/cluster.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { repoRoot } from '../harness/vscode/index';

export const adminContext = 'nimbusguard-admin';

export function clusterKubeconfig(): string {
  const path = process.env.NIMBUSGUARD_E2E_KUBECONFIG ?? join(process.env.NIMBUSGUARD_CLUSTER_DIR ?? join(repoRoot(), '.cluster'), 'kubeconfig');
  if (!existsSync(path)) throw new Error(`${path} does not exist; start the cluster with \`bash test/harness/cluster/up.sh\``);
  return path;
}

export function kubeClients(kubeconfig = clusterKubeconfig()): { kc: k8s.KubeConfig; core: k8s.CoreV1Api; apps: k8s.AppsV1Api } {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  if (kc.getContexts().some((c) => c.name === adminContext)) kc.setCurrentContext(adminContext);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

function status(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const v of [e?.code, e?.statusCode, e?.response?.statusCode]) if (typeof v === 'number') return v;
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** Creates a fresh namespace, removing a leftover one from an earlier run first. */
export async function freshNamespace(core: k8s.CoreV1Api, name: string): Promise<void> {
  await deleteNamespace(core, name);
  await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'nimbusguard.dev/test': 'e2e' } } } });
}

export function deployment(namespace: string, name: string, replicas: number, image: string): k8s.V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image, resources: { requests: { cpu: '50m', memory: '64Mi' } } }] },
      },
    },
  };
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
