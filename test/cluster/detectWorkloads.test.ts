// Workload-level incidents on the real control plane: the Deployment, ReplicaSet, quota, HPA, Job
// and CronJob controllers produce the conditions and events; the product's session + monitor must
// report the type, the workload and the evidence. A healthy namespace next to them stays quiet.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import {
  STRATEGIC_PATCH,
  deployment,
  evidenceText,
  kubeConfig,
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
const batch = kc.makeApiClient(k8s.BatchV1Api);
const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
let ns: { name: string; remove: () => Promise<void> };
let healthyNs: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;
let healthy: WatchedNamespace;

before(async () => {
  [ns, healthyNs] = await Promise.all([
    scratchNamespace(kc, 'detect-workloads'),
    scratchNamespace(kc, 'detect-healthy'),
  ]);
  [watched, healthy] = await Promise.all([watchIncidents([ns.name]), watchIncidents([healthyNs.name])]);
});
after(async () => {
  watched?.dispose();
  healthy?.dispose();
  await Promise.all([ns?.remove(), healthyNs?.remove()]);
});

function mainContainer(d: k8s.V1Deployment): k8s.V1Container {
  return d.spec!.template.spec!.containers[0]!;
}

function cpuHpa(
  name: string,
  target: string,
  min: number,
  max: number,
  utilization = 50,
): k8s.V2HorizontalPodAutoscaler {
  return {
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } },
        },
      ],
    },
  };
}

describe('workload-level incidents', { concurrency: true }, () => {
  test('ReplicasUnavailable: a Deployment whose pods never become ready', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: deployment('lagging', { replicas: 2, annotations: { 'sim.nimbusguard.dev/not-ready': 'true' } }),
    });
    const incident = await waitForIncident(
      watched.monitor,
      'ReplicasUnavailable',
      'Deployment',
      'lagging',
      ns.name,
      120_000,
    );
    assert.equal(incident.severity, 'critical', 'no replica is ready');
    const text = evidenceText(incident);
    assert.match(text, /ready 0, available 0, updated 2, desired 2/);
    assert.match(text, /2 pods: lagging-.*not ready since/);
    assert.match(text, /Available.*False.*MinimumReplicasUnavailable|MinimumReplicasUnavailable/);
    assert.match(incident.summary, /has 0 of 2 replicas ready/);
  });

  test('RolloutStuck: the progress deadline passes with the new pods failing', async () => {
    const d = deployment('stuck', { image: 'registry.example/app:missing' });
    d.spec!.progressDeadlineSeconds = 10;
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const incident = await waitForIncident(watched.monitor, 'RolloutStuck', 'Deployment', 'stuck', ns.name, 90_000);
    assert.equal(incident.severity, 'critical');
    const text = evidenceText(incident);
    assert.match(text, /ProgressDeadlineExceeded/);
    assert.match(incident.summary, /after the 10s progress deadline/);
    assert.match(text, /revision 1: main=registry\.example\/app:missing/);
  });

  test('RolloutRegression: revision 2 cannot pull its image while revision 1 keeps serving', async () => {
    const d = deployment('regress', { replicas: 2, image: 'registry.example/shop:1.0' });
    d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    await waitFor(
      'revision 1 to be ready',
      async () =>
        (await apps.readNamespacedDeployment({ name: 'regress', namespace: ns.name })).status?.readyReplicas === 2,
      60_000,
    );
    await apps.patchNamespacedDeployment(
      {
        name: 'regress',
        namespace: ns.name,
        body: {
          spec: { template: { spec: { containers: [{ name: 'main', image: 'unreachable.invalid/shop:2.0' }] } } },
        },
      },
      STRATEGIC_PATCH,
    );
    const incident = await waitForIncident(
      watched.monitor,
      'RolloutRegression',
      'Deployment',
      'regress',
      ns.name,
      90_000,
    );
    assert.equal(incident.severity, 'warning', 'revision 1 still serves');
    const text = evidenceText(incident);
    assert.match(text, /new revision 2: 0 of 1 ready; main=unreachable\.invalid\/shop:2\.0/);
    assert.match(text, /previous revision 1: 2 of 2 ready; main=registry\.example\/shop:1\.0/);
    assert.match(text, /main: registry\.example\/shop:1\.0 → unreachable\.invalid\/shop:2\.0/);
    assert.match(incident.summary, /Revision 2 of regress fails .* while revision 1 had 2 ready/);
    const d2 = await apps.readNamespacedDeployment({ name: 'regress', namespace: ns.name });
    assert.equal(d2.status?.readyReplicas, 2, 'maxUnavailable 0 keeps revision 1 serving');
  });

  test('QuotaExceeded: a pods quota of 1 for a Deployment of 3', async () => {
    // A namespace of its own: the quota would starve every other scenario.
    const quotaNs = await scratchNamespace(kc, 'detect-quota');
    const own = await watchIncidents([quotaNs.name]);
    try {
      await core.createNamespacedResourceQuota({
        namespace: quotaNs.name,
        body: { metadata: { name: 'pod-budget' }, spec: { hard: { pods: '1' } } },
      });
      await waitFor(
        'the quota to be counted',
        async () =>
          (await core.readNamespacedResourceQuota({ name: 'pod-budget', namespace: quotaNs.name })).status?.hard?.[
            'pods'
          ] === '1',
        30_000,
      );
      await apps.createNamespacedDeployment({ namespace: quotaNs.name, body: deployment('crowded', { replicas: 3 }) });
      // Warning, not critical, once the one pod the quota allows is ready.
      const incident = await waitForIncident(
        own.monitor,
        'QuotaExceeded',
        'Deployment',
        'crowded',
        quotaNs.name,
        60_000,
        (i) => i.severity === 'warning',
      );
      assert.equal(incident.key, 'pod-budget');
      const text = evidenceText(incident);
      assert.match(text, /FailedCreate.*exceeded quota: pod-budget|exceeded quota: pod-budget/);
      assert.match(text, /used up: pods 1\/1/);
      assert.match(incident.summary, /crowded cannot create pods: quota pod-budget exceeded \(pods 1\/1\)/);
    } finally {
      own.dispose();
      await quotaNs.remove();
    }
  });

  test('JobFailed: backoffLimit 0 and a container that exits 1', async () => {
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: {
        metadata: { name: 'migrate' },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { annotations: { 'sim.nimbusguard.dev/exit-after': '1' } },
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'migrate',
                  image: 'registry.example/migrate:1.0',
                  resources: { requests: { cpu: '50m', memory: '32Mi' } },
                },
              ],
            },
          },
        },
      },
    });
    const incident = await waitForIncident(watched.monitor, 'JobFailed', 'Job', 'migrate', ns.name, 60_000);
    assert.equal(incident.severity, 'critical');
    const text = evidenceText(incident);
    assert.match(text, /BackoffLimitExceeded/);
    assert.match(text, /Error, exit code 1/);
    assert.match(text, /failed 1, succeeded 0/);
  });

  test('CronJobSuspendedOrInvalid: a suspended CronJob', async () => {
    await batch.createNamespacedCronJob({
      namespace: ns.name,
      body: {
        metadata: { name: 'nightly' },
        spec: {
          schedule: '30 2 * * *',
          suspend: true,
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  restartPolicy: 'OnFailure',
                  containers: [{ name: 'report', image: 'registry.example/report:1.0' }],
                },
              },
            },
          },
        },
      },
    });
    const incident = await waitForIncident(
      watched.monitor,
      'CronJobSuspendedOrInvalid',
      'CronJob',
      'nightly',
      ns.name,
      30_000,
    );
    assert.equal(incident.severity, 'info');
    assert.equal(incident.key, 'suspended');
    assert.match(evidenceText(incident), /suspend: true/);
    assert.match(evidenceText(incident), /schedule "30 2 \* \* \*"/);
  });

  test('HPAMisconfigured: a cpu utilization target on pods without a cpu request', async () => {
    const d = deployment('unrequested');
    mainContainer(d).resources = { requests: { memory: '64Mi' }, limits: { memory: '256Mi' } };
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: ns.name,
      body: cpuHpa('unrequested', 'unrequested', 1, 3),
    });
    const incident = await waitForIncident(
      watched.monitor,
      'HPAMisconfigured',
      'HorizontalPodAutoscaler',
      'unrequested',
      ns.name,
      180_000,
    );
    assert.equal(incident.severity, 'warning');
    const text = evidenceText(incident);
    assert.match(text, /no cpu request in main; cpu utilization target 50%/);
    assert.match(text, /missing request for cpu|FailedGetResourceMetric/, 'the HPA controller says so too');
  });

  test('HPASaturated: load the autoscaler cannot meet at maxReplicas', async () => {
    const d = deployment('busy');
    d.metadata!.annotations = { 'sim.nimbusguard.dev/load-cpu': '1' };
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: ns.name,
      body: cpuHpa('busy', 'busy', 1, 2),
    });
    const incident = await waitForIncident(
      watched.monitor,
      'HPASaturated',
      'HorizontalPodAutoscaler',
      'busy',
      ns.name,
      180_000,
    );
    assert.equal(incident.severity, 'warning');
    assert.match(incident.summary, /is at its maximum of 2 replicas for Deployment\/busy/);
    const text = evidenceText(incident);
    assert.match(text, /current 2, desired 2, min 1, max 2/);
    const metric = incident.evidence.find((e) => e.kind === 'metric');
    assert.ok(metric, text);
    const used = Number(/cpu at (\d+)% of requests \(target 50%\)/.exec(metric.text)?.[1]);
    assert.ok(used > 55, `cpu well above the target: ${metric.text}`);
  });

  test('a healthy namespace next to all this has no incidents', async () => {
    const started = Date.now();
    await apps.createNamespacedDeployment({
      namespace: healthyNs.name,
      body: deployment('web', { replicas: 2, readinessProbe: true }),
    });
    await core.createNamespacedService({
      namespace: healthyNs.name,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    await core.createNamespacedService({
      namespace: healthyNs.name,
      body: { metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } },
    });
    await apps.createNamespacedStatefulSet({
      namespace: healthyNs.name,
      body: {
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 2,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: {
              containers: [
                {
                  name: 'db',
                  image: 'registry.example/db:16',
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                },
              ],
            },
          },
        },
      },
    });
    await batch.createNamespacedJob({
      namespace: healthyNs.name,
      body: {
        metadata: { name: 'seed' },
        spec: {
          backoffLimit: 1,
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'seed', image: 'registry.example/seed:1.0' }] },
          },
        },
      },
    });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: healthyNs.name,
      body: cpuHpa('web', 'web', 2, 4, 80),
    });

    const s = healthy.session.snapshot;
    await waitFor(
      'everything to be up',
      () =>
        s.getWorkload('Deployment', healthyNs.name, 'web')?.ready === 2 &&
        s.getWorkload('StatefulSet', healthyNs.name, 'db')?.ready === 2 &&
        s.get('Job', healthyNs.name, 'seed')?.conditions.some((c) => c.type === 'Complete' && c.status === 'True'),
      60_000,
    );
    const seen = new Set<string>();
    const sub = healthy.monitor.onDidChange(({ opened }) =>
      opened.forEach((i) => seen.add(`${i.type} ${i.workload.kind}/${i.workload.name}: ${i.summary}`)),
    );
    try {
      // Past every grace period that could apply here: Services (60 s), Available=False (60 s), HPAs (2 min).
      while (Date.now() - started < 135_000) {
        await sleep(5_000);
        assert.deepEqual(
          healthy.monitor.open().map((i) => `${i.type} ${i.workload.kind}/${i.workload.name}: ${i.summary}`),
          [],
        );
      }
      healthy.monitor.evaluate();
      assert.deepEqual(healthy.monitor.open(), []);
      assert.deepEqual([...seen], [], 'nothing opened even briefly');
      assert.deepEqual(healthy.monitor.errors(), []);
      assert.ok(
        s.list('EndpointSlice', healthyNs.name).some((e) => e.serviceName === 'web'),
        'the Service has its endpoints',
      );
    } finally {
      sub.dispose();
    }
  });
});
