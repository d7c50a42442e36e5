// The extension's observe layer against the real control plane: informers list and watch,
// contexts switch cleanly, Forbidden kinds degrade, and bad kubeconfigs explain themselves.
// Runs beside other test files: its own scratch namespace, and a Deployment of its own in team-a.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { ClusterSession } from '../../src/cluster/clusterSession';
import { ConnectionManager } from '../../src/cluster/connection';
import { clientConfigFor, kubeconfigSources, loadKubeconfig } from '../../src/cluster/kubeconfigLoader';
import {
  ADMIN,
  LIMITED,
  LIMITED_NAMESPACE,
  deployment,
  kubeConfig,
  kubeconfigPath,
  scratchNamespace,
  waitFor,
} from '../harness/kubeKit';

/** The cluster bundle as the extension loads it on its first connection. */
const loadCluster = async () => import('../../src/cluster/clusterBundle');

let ns: { name: string; remove: () => Promise<void> };
const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);

before(async () => {
  ns = await scratchNamespace(kc, 'session');
});
after(async () => {
  await ns.remove();
});

async function session(context: string, namespaces: string[] = []): Promise<ClusterSession> {
  const loaded = await loadKubeconfig(kubeconfigSources(kubeconfigPath, {}));
  const s = new ClusterSession(clientConfigFor(loaded, context), context, { namespaces, metrics: false });
  await s.start();
  return s;
}

test('lists workloads and follows changes through the watch', async () => {
  await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('web', { replicas: 2 }) });
  const s = await session(ADMIN);
  try {
    assert.equal(s.state.phase, 'connected');
    assert.ok(await s.whenSynced(30_000), 'every informer lists');
    const web = await waitFor('web to be ready', () => {
      const w = s.snapshot.getWorkload('Deployment', ns.name, 'web');
      return w && w.ready === 2 ? w : undefined;
    });
    assert.equal(web.desired, 2);
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: ns.name, body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitFor('the scale-up to show', () => s.snapshot.getWorkload('Deployment', ns.name, 'web')?.ready === 3);
    assert.ok(s.snapshot.list('Pod', ns.name).length >= 3, 'pods are in the snapshot');
    assert.ok(s.snapshot.list('Node').length >= 2, 'nodes are in the snapshot');
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns.name });
    await waitFor('the deletion to show', () => s.snapshot.getWorkload('Deployment', ns.name, 'web') === undefined);
  } finally {
    s.dispose();
  }
});

test('a namespace-limited user falls back to its namespace and notes what it may not list', async () => {
  const s = await session(LIMITED);
  try {
    assert.equal(s.state.phase, 'connected');
    assert.ok(await s.whenSynced(30_000));
    const notes = s.notes().join('\n');
    assert.match(notes, /Node cluster-wide: not allowed to list it/);
    assert.doesNotMatch(notes, /Deployment/, 'Deployments fall back to the namespace instead of being skipped');
    await kc
      .makeApiClient(k8s.AppsV1Api)
      .createNamespacedDeployment({ namespace: LIMITED_NAMESPACE, body: deployment('limited-web') })
      .catch(() => undefined);
    await waitFor('the limited namespace to be watched', () =>
      s.snapshot.getWorkload('Deployment', LIMITED_NAMESPACE, 'limited-web'),
    );
    assert.deepEqual(s.snapshot.namespaces(), [LIMITED_NAMESPACE]);
  } finally {
    s.dispose();
    await apps.deleteNamespacedDeployment({ name: 'limited-web', namespace: LIMITED_NAMESPACE }).catch(() => undefined);
  }
});

test('switching context with kubectl-style rewrites of the kubeconfig replaces the session', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(file, readFileSync(kubeconfigPath, 'utf8').replace(/current-context: .*/, `current-context: ${ADMIN}`));
  const manager = new ConnectionManager(() => ({ kubeconfig: file, namespaces: [] }), loadCluster, {});
  try {
    await manager.reload();
    assert.equal(manager.state.kind === 'ready' && manager.state.context, ADMIN);
    const first = manager.session!;
    const started = Date.now();
    // kubectl writes a temp file and renames it over the original.
    writeFileSync(
      `${file}.tmp`,
      readFileSync(file, 'utf8').replace(/current-context: .*/, `current-context: ${LIMITED}`),
    );
    const { renameSync } = await import('node:fs');
    renameSync(`${file}.tmp`, file);
    await waitFor(
      'the new context',
      () => manager.state.kind === 'ready' && manager.state.context === LIMITED,
      5_000,
      50,
    );
    assert.ok(Date.now() - started < 3_000, 'the switch shows within a couple of seconds');
    assert.notEqual(manager.session, first, 'a new session replaces the old one');
    await manager.switchContext(ADMIN);
    assert.equal(manager.state.kind === 'ready' && manager.state.context, ADMIN);
  } finally {
    manager.dispose();
  }
});

test('bad kubeconfigs and unreachable clusters give one clear sentence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-bad-'));
  const malformed = join(dir, 'malformed');
  writeFileSync(malformed, 'clusters: [oops\n');
  const m1 = new ConnectionManager(() => ({ kubeconfig: malformed, namespaces: [] }), loadCluster, {});
  await m1.reload();
  assert.equal(m1.state.kind, 'invalidKubeconfig');
  assert.match(m1.state.kind === 'invalidKubeconfig' ? m1.state.message : '', /malformed: not valid YAML/);
  m1.dispose();

  const m2 = new ConnectionManager(() => ({ kubeconfig: join(dir, 'absent'), namespaces: [] }), loadCluster, {});
  await m2.reload();
  assert.equal(m2.state.kind, 'noKubeconfig');
  m2.dispose();

  const unreachable = join(dir, 'unreachable');
  const closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  writeFileSync(
    unreachable,
    `apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters: [{name: gone, cluster: {server: "https://127.0.0.1:${closedPort}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: gone, user: u}}]\n`,
  );
  const m3 = new ConnectionManager(() => ({ kubeconfig: unreachable, namespaces: [] }), loadCluster, {});
  await m3.reload();
  await waitFor('the probe to fail', () => m3.session?.state.phase === 'unreachable', 10_000, 50);
  const state = m3.session!.state;
  assert.match(state.phase === 'unreachable' ? state.message : '', /connection refused/);
  m3.dispose();
});
