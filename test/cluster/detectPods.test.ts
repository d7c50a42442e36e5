// Pod-level incidents on the real control plane: the simulated kubelet produces the container
// failures, the real scheduler the placement failures, and the product's session + monitor must
// name the type, the workload and the evidence that shows it.
// Runs beside other test files: its own scratch namespace only (the kwok nodes are all it expects to see).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import {
  STRATEGIC_PATCH,
  deployment,
  evidenceText,
  kubeConfig,
  scratchNamespace,
  waitFor,
  waitForIncident,
  watchIncidents,
  type WatchedNamespace,
} from '../harness/kubeKit';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
let ns: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;

before(async () => {
  ns = await scratchNamespace(kc, 'detect-pods');
  watched = await watchIncidents([ns.name]);
});
after(async () => {
  watched?.dispose();
  await ns?.remove();
});

function mainContainer(d: k8s.V1Deployment): k8s.V1Container {
  return d.spec!.template.spec!.containers[0]!;
}

describe('pod-level incidents', { concurrency: true }, () => {
  test('OOMKilled and CrashLoopBackOff: memory peak above the limit; both resolve when the limit is raised', async () => {
    const d = deployment('oom', { memoryLimit: '128Mi', annotations: { 'sim.nimbusguard.dev/memory-peak': '300Mi' } });
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const oom = await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'oom', ns.name, 60_000);
    assert.equal(oom.severity, 'critical');
    const oomText = evidenceText(oom);
    assert.match(oomText, /memory limit 128(\.0)? ?Mi/);
    assert.match(oomText, /OOMKilled, exit code 137/);
    assert.match(oom.summary, /container main was OOMKilled \(exit 137/);
    const loop = await waitForIncident(watched.monitor, 'CrashLoopBackOff', 'Deployment', 'oom', ns.name, 60_000);
    assert.match(evidenceText(loop), /OOMKilled, exit code 137/);
    assert.match(evidenceText(loop), /\d+ restarts/);
    assert.equal(loop.key, 'main');

    // The fix: a limit above the peak rolls out a healthy pod; the old one goes away.
    await apps.patchNamespacedDeployment(
      {
        name: 'oom',
        namespace: ns.name,
        body: {
          spec: { template: { spec: { containers: [{ name: 'main', resources: { limits: { memory: '512Mi' } } }] } } },
        },
      },
      STRATEGIC_PATCH,
    );
    for (const incident of [oom, loop]) {
      const resolved = await waitFor(
        `${incident.type} to resolve`,
        () => {
          const now = watched.monitor.get(incident.id);
          return now?.status === 'resolved' ? now : undefined;
        },
        90_000,
        500,
      );
      assert.equal(resolved.id, incident.id, 'the same incident resolves');
      assert.ok(resolved.resolvedAt);
    }
    assert.deepEqual(
      watched.monitor
        .forWorkload('Deployment', ns.name, 'oom')
        .filter((i) => i.type === 'OOMKilled' || i.type === 'CrashLoopBackOff'),
      [],
    );
  });

  test('CrashLoopBackOff: a container that keeps exiting with an error', async () => {
    const d = deployment('crasher', {
      annotations: { 'sim.nimbusguard.dev/exit-after': '1', 'sim.nimbusguard.dev/exit-code': '3' },
    });
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const loop = await waitForIncident(watched.monitor, 'CrashLoopBackOff', 'Deployment', 'crasher', ns.name, 60_000);
    assert.equal(loop.severity, 'critical');
    assert.match(evidenceText(loop), /Error, exit code 3/);
    assert.match(loop.summary, /container main was Error \(exit 3\)/);
    assert.ok(
      !watched.monitor.forWorkload('Deployment', ns.name, 'crasher').some((i) => i.type === 'OOMKilled'),
      'an ordinary crash is no OOM kill',
    );
  });

  test('ImagePullBackOff: an image on an unreachable registry', async () => {
    const image = 'unreachable.invalid/shop/api:1.4';
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('puller', { image }) });
    const pull = await waitForIncident(watched.monitor, 'ImagePullBackOff', 'Deployment', 'puller', ns.name, 120_000);
    assert.equal(pull.severity, 'critical');
    const text = evidenceText(pull);
    assert.match(text, new RegExp(`image ${image.replace(/[./]/g, '\\$&')}`));
    assert.match(text, /ImagePullBackOff|ErrImagePull/);
    assert.match(text, /Failed to pull image|Back-off pulling image/, 'the kubelet events are part of the evidence');
  });

  test('CreateContainerConfigError: env from a Secret that does not exist, gone once it is created', async () => {
    const d = deployment('configured');
    mainContainer(d).env = [
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
    ];
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const incident = await waitForIncident(
      watched.monitor,
      'CreateContainerConfigError',
      'Deployment',
      'configured',
      ns.name,
      90_000,
    );
    assert.equal(incident.severity, 'critical');
    const text = evidenceText(incident);
    assert.match(text, /secret "db-credentials" not found/);
    assert.match(text, /refers to Secret db-credentials/);
    await core.createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: 'db-credentials' }, stringData: { password: 'hunter2' } },
    });
    await waitFor(
      'the config error to resolve',
      () => watched.monitor.get(incident.id)?.status === 'resolved',
      60_000,
      500,
    );
  });

  test('Unschedulable: a pod requesting more CPU than any node has', async () => {
    const d = deployment('greedy');
    mainContainer(d).resources = { requests: { cpu: '100', memory: '64Mi' } };
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const incident = await waitForIncident(watched.monitor, 'Unschedulable', 'Deployment', 'greedy', ns.name, 90_000);
    assert.equal(incident.severity, 'critical', 'no replica is ready');
    assert.match(incident.summary, /Insufficient cpu/);
    const scheduler = incident.evidence.filter((e) => e.kind === 'scheduler');
    assert.ok(
      scheduler.some((e) => /0\/2 nodes are available: 2 Insufficient cpu/.test(e.text)),
      evidenceText(incident),
    );
  });

  test('ReadinessProbeFailing: running but never ready, probe failing every second', async () => {
    const d = deployment('unready', { annotations: { 'sim.nimbusguard.dev/not-ready': 'true' } });
    mainContainer(d).readinessProbe = {
      httpGet: { path: '/healthz', port: 8080 },
      periodSeconds: 1,
      failureThreshold: 1,
      timeoutSeconds: 1,
    };
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const incident = await waitForIncident(
      watched.monitor,
      'ReadinessProbeFailing',
      'Deployment',
      'unready',
      ns.name,
      90_000,
    );
    assert.equal(incident.severity, 'warning');
    const text = evidenceText(incident);
    assert.match(text, /container main ready=false/);
    assert.match(text, /period 1s/);
    assert.match(text, /Readiness probe failed/);
  });

  test('Evicted: the kubelet evicts pods under node memory pressure; the ReplicaSet replaces them', async () => {
    const d = deployment('evictee', { annotations: { 'sim.nimbusguard.dev/evict-after': '3' } });
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const evicted = await waitForIncident(watched.monitor, 'Evicted', 'Deployment', 'evictee', ns.name, 60_000);
    const text = evidenceText(evicted);
    assert.match(text, /low on resource: memory/);
    assert.match(evicted.summary, /evict/i);
    const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=evictee' });
    assert.ok(
      pods.items.some((p) => p.status?.phase === 'Failed' && p.status.reason === 'Evicted'),
      'an evicted pod stays Failed with reason Evicted',
    );
  });
});
