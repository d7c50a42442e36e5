// Incidents survive the API server going away: a kube-apiserver restart in the middle of the
// product's watches, and a forced 410 Gone (watches resumed from a resourceVersion the restarted
// server no longer has) that makes the informers relist. Neither may lose an open incident nor
// invent one, and changes made while the product was cut off must show after the relist.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import {
  ApiProxy,
  deployment,
  kubeConfig,
  restartApiServer,
  waitForControllers,
  scratchNamespace,
  sleep,
  waitFor,
  waitForIncident,
  watchIncidents,
  type WatchedNamespace,
} from '../harness/kubeKit';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
let ns: { name: string; remove: () => Promise<void> };

type Open = ReturnType<WatchedNamespace['monitor']['open']>;
const label = (i: Open[number]) => `${i.type} ${i.workload.kind}/${i.workload.name}`;
const ids = (open: Open) => open.map((i) => `${i.id} ${label(i)}`).sort();

/** What the failing workloads below lead to once every grace period has passed. */
const EXPECTED = [
  'CrashLoopBackOff Deployment/oom',
  'ImagePullBackOff Deployment/puller',
  'OOMKilled Deployment/oom',
  'ReplicasUnavailable Deployment/greedy',
  'ReplicasUnavailable Deployment/oom',
  'ReplicasUnavailable Deployment/puller',
  'ServiceNoEndpoints Service/orphan',
  'Unschedulable Deployment/greedy',
];

async function settled(watched: WatchedNamespace, timeoutMs = 150_000): Promise<Open> {
  return waitFor(
    'the expected incidents',
    () => {
      const open = watched.monitor.open();
      return JSON.stringify(open.map(label).sort()) === JSON.stringify(EXPECTED) ? open : undefined;
    },
    timeoutMs,
    500,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; open: ${watched.monitor.open().map(label).sort().join(', ')}`);
  });
}

/** Records every incident the monitor opens or resolves. */
function journal(watched: WatchedNamespace): { opened: string[]; resolved: string[]; dispose(): void } {
  const opened: string[] = [];
  const resolved: string[] = [];
  const sub = watched.monitor.onDidChange((change) => {
    opened.push(...change.opened.map(label));
    resolved.push(...change.resolved.map(label));
  });
  return { opened, resolved, dispose: () => sub.dispose() };
}

before(async () => {
  ns = await scratchNamespace(kc, 'detect-resilience');
  const greedy = deployment('greedy');
  greedy.spec!.template.spec!.containers[0]!.resources = { requests: { cpu: '100', memory: '64Mi' } };
  await Promise.all([
    apps.createNamespacedDeployment({
      namespace: ns.name,
      body: deployment('oom', { memoryLimit: '64Mi', annotations: { 'sim.nimbusguard.dev/memory-peak': '200Mi' } }),
    }),
    apps.createNamespacedDeployment({
      namespace: ns.name,
      body: deployment('puller', { image: 'unreachable.invalid/app:1.0' }),
    }),
    apps.createNamespacedDeployment({ namespace: ns.name, body: greedy }),
    core.createNamespacedService({
      namespace: ns.name,
      body: { metadata: { name: 'orphan' }, spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] } },
    }),
  ]);
});
after(async () => {
  // The files after this one need working controllers, which recover from the restarts on their own time.
  await waitForControllers();
  await ns?.remove();
});

test('a kube-apiserver restart mid-watch loses no incident and creates none', async () => {
  const watched = await watchIncidents([ns.name]);
  try {
    const before = ids(await settled(watched));
    const changes = journal(watched);
    const informersLeftSynced: string[] = [];
    const stateSub = watched.session.onDidChange(() => {
      if (!watched.session.synced) informersLeftSynced.push('retrying');
    });
    try {
      await restartApiServer(3_000);
      // The watches are live again once a change made after the restart shows up.
      // Headless: a just-restarted server may not allocate Service IPs for a moment.
      await waitFor(
        'a write to succeed after the restart',
        () =>
          core
            .createNamespacedService({
              namespace: ns.name,
              body: { metadata: { name: 'after-restart' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
            })
            .then(() => true),
        60_000,
        500,
      );
      await waitFor(
        'the session to see changes after the restart',
        () => watched.session.snapshot.get('Service', ns.name, 'after-restart'),
        90_000,
        250,
      );
      await waitFor('every informer to be synced again', () => watched.session.synced, 60_000, 250);
      // Longer than the tracker needs to resolve a missing finding (two misses and 10 s).
      await sleep(15_000);
      watched.monitor.evaluate();
      assert.ok(informersLeftSynced.length > 0, 'the informers noticed the outage');
      assert.deepEqual(ids(watched.monitor.open()), before, 'the same incidents, with the same ids, are open');
      assert.deepEqual(changes.opened, [], 'nothing opened');
      assert.deepEqual(changes.resolved, [], 'nothing resolved');
      assert.deepEqual(watched.monitor.errors(), []);
    } finally {
      stateSub.dispose();
      changes.dispose();
    }
  } finally {
    watched.dispose();
  }
});

test('a forced 410 relist loses no incident, creates no phantom, and picks up what changed meanwhile', async () => {
  const proxy = await ApiProxy.start();
  const watched = await watchIncidents([ns.name], { kc: proxy.kubeConfig() });
  try {
    const before = await settled(watched, 60_000);
    const pullerIds = before.filter((i) => i.workload.name === 'puller').map((i) => i.id);
    assert.equal(pullerIds.length, 2);
    const changes = journal(watched);
    try {
      // Cut the product off: its watches end and their resumption is parked at the proxy.
      proxy.hold();
      const cutAt = proxy.requests.length;
      await sleep(1_500);
      // Meanwhile the cluster changes: one failing workload is fixed by deleting it, another one appears.
      await apps.deleteNamespacedDeployment({ name: 'puller', namespace: ns.name, propagationPolicy: 'Foreground' });
      await apps.createNamespacedDeployment({
        namespace: ns.name,
        body: deployment('late', { image: 'registry.example/app:missing' }),
      });
      await waitFor(
        'puller to be gone',
        async () =>
          (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=puller' })).items.length === 0,
        60_000,
      );
      // The restarted server's watch cache starts at the current revision: the product's
      // resourceVersions are now too old, so resuming the watches answers 410 Gone.
      await restartApiServer();
      proxy.release();

      await waitForIncident(watched.monitor, 'ImagePullBackOff', 'Deployment', 'late', ns.name, 90_000);
      for (const id of pullerIds)
        await waitFor(`${id} to resolve`, () => watched.monitor.get(id)?.status === 'resolved', 60_000, 250);
      await sleep(12_000);
      watched.monitor.evaluate();

      const after = proxy.requests.slice(cutAt);
      const gone = after.filter((r) => r.watch && r.gone);
      assert.ok(
        gone.length > 0,
        `some watch was answered 410 Gone: ${JSON.stringify(after.filter((r) => r.watch).slice(0, 5))}`,
      );
      for (const g of gone) {
        assert.ok(g.resourceVersion !== '', 'the 410 came for a watch resumed from an old resourceVersion');
        const relist = after.slice(after.indexOf(g) + 1).find((r) => !r.watch && r.path === g.path);
        assert.ok(relist, `${g.path} is listed again after its 410`);
      }
      assert.equal(
        watched.session.snapshot.getWorkload('Deployment', ns.name, 'puller'),
        undefined,
        'the deleted Deployment is gone from the snapshot',
      );
      assert.equal(
        watched.session.snapshot.list('Pod', ns.name).filter((p) => p.meta.name.startsWith('puller-')).length,
        0,
        'so are its pods',
      );

      const keep = before.filter((i) => i.workload.name !== 'puller');
      const open = watched.monitor.open();
      for (const incident of keep)
        assert.ok(
          open.some((i) => i.id === incident.id),
          `${label(incident)} is still open under its id`,
        );
      const unexpected = open.filter(
        (i) =>
          !keep.some((k) => k.id === i.id) &&
          !(i.workload.name === 'late' && ['ImagePullBackOff', 'ReplicasUnavailable'].includes(i.type)),
      );
      assert.deepEqual(unexpected.map(label), [], 'no phantom incident');
      assert.deepEqual(
        changes.resolved.sort(),
        ['ImagePullBackOff Deployment/puller', 'ReplicasUnavailable Deployment/puller'],
        "only the deleted workload's incidents resolved",
      );
      assert.ok(
        changes.opened.every((o) => o.endsWith('Deployment/late')),
        `only the new workload opened incidents: ${changes.opened.join(', ')}`,
      );
    } finally {
      changes.dispose();
    }
  } finally {
    watched.dispose();
    await proxy.close();
  }
});
