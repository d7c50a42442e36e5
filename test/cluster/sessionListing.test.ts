// How the session fills its snapshot on the real control plane: lists longer than a page arrive
// whole, and Events are not listed whole — what existed before the session is back-filled (every
// Warning, and the Normal events the detectors read, within the snapshot's retention) while
// everything that happens afterwards comes through the watch.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { ClusterSession } from '../../src/cluster/clusterSession';
import { clientConfigFor, kubeconfigSources, loadKubeconfig } from '../../src/cluster/kubeconfigLoader';
import { ADMIN, kubeConfig, kubeconfigPath, scratchNamespace, waitFor } from '../harness/kubeKit';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
let ns: { name: string; remove: () => Promise<void> };

before(async () => {
  ns = await scratchNamespace(kc, 'session-listing');
});
after(async () => {
  await ns?.remove();
});

async function session(pageSize?: number): Promise<ClusterSession> {
  const loaded = await loadKubeconfig(kubeconfigSources(kubeconfigPath, {}));
  const s = new ClusterSession(clientConfigFor(loaded, ADMIN), ADMIN, {
    namespaces: [ns.name],
    metrics: false,
    ...(pageSize !== undefined ? { pageSize } : {}),
  });
  await s.start();
  assert.ok(await s.whenSynced(60_000), 'every informer lists');
  return s;
}

function event(
  name: string,
  type: 'Normal' | 'Warning',
  reason: string,
  about: { kind: string; name: string },
  ageMs = 0,
): k8s.CoreV1Event {
  const at = new Date(Date.now() - ageMs);
  return {
    metadata: { name, namespace: ns.name },
    involvedObject: { kind: about.kind, name: about.name, namespace: ns.name, apiVersion: 'v1' },
    type,
    reason,
    message: `${reason} for ${about.name}`,
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: 'session-listing-test' },
  };
}

test('a kind with more objects than a page is listed whole, then watched', async () => {
  for (let i = 0; i < 7; i++)
    await core.createNamespacedService({
      namespace: ns.name,
      body: { metadata: { name: `svc-${i}` }, spec: { selector: { app: `a${i}` }, ports: [{ port: 80 }] } },
    });
  const s = await session(2);
  try {
    const names = s.snapshot
      .list('Service', ns.name)
      .map((svc) => svc.meta.name)
      .sort();
    assert.deepEqual(names, ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5', 'svc-6'], 'four pages of two');
    await core.createNamespacedService({
      namespace: ns.name,
      body: { metadata: { name: 'svc-7' }, spec: { selector: { app: 'a7' }, ports: [{ port: 80 }] } },
    });
    await waitFor('the new Service through the watch', () => s.snapshot.get('Service', ns.name, 'svc-7'));
  } finally {
    s.dispose();
  }
});

test('events from before the session: warnings and the Normal ones detectors read; after it: all', async () => {
  const pod = { kind: 'Pod', name: 'web-1' };
  const before = [
    event('mount-failed', 'Warning', 'FailedMount', pod),
    event('liveness-kill', 'Normal', 'Killing', pod),
    event('provisioning', 'Normal', 'ExternalProvisioning', { kind: 'PersistentVolumeClaim', name: 'data' }),
    event('scheduled', 'Normal', 'Scheduled', pod),
    event('pulled', 'Normal', 'Pulled', pod),
    event('old-warning', 'Warning', 'BackOff', pod, 2 * 60 * 60 * 1000),
  ];
  for (const body of before) await core.createNamespacedEvent({ namespace: ns.name, body });
  const s = await session();
  try {
    // Only the events this test wrote: the controllers may add their own about the first test's Services.
    const ours = new Set([...before.map((e) => e.metadata!.name!), 'started', 'unhealthy']);
    const held = () =>
      s.snapshot
        .list('Event', ns.name)
        .map((e) => e.meta.name)
        .filter((name) => ours.has(name))
        .sort();
    assert.deepEqual(
      held(),
      ['liveness-kill', 'mount-failed', 'provisioning'],
      'back-filled: the warning, the liveness kill and the PVC event; not the routine pod events, not the two-hour-old warning',
    );
    assert.equal(s.snapshot.eventsFor('Pod', ns.name, 'web-1')[0]?.reason, 'FailedMount');
    // From now on every event counts, Normal ones included.
    await core.createNamespacedEvent({ namespace: ns.name, body: event('started', 'Normal', 'Started', pod) });
    await core.createNamespacedEvent({ namespace: ns.name, body: event('unhealthy', 'Warning', 'Unhealthy', pod) });
    await waitFor('the new events through the watch', () => held().includes('started') && held().includes('unhealthy'));
    assert.ok(!held().includes('scheduled'), 'an event from before the session stays out');
  } finally {
    s.dispose();
  }
});
