// Infrastructure incidents on the real control plane: Services without endpoints, claims no
// provisioner serves, nodes that stop reporting or report pressure, and an admission webhook that
// cannot answer. Cluster-scoped objects created here carry a random suffix and are removed after.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import {
  MERGE_PATCH,
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
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
const suffix = Math.random().toString(36).slice(2, 7);
let ns: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;

before(async () => {
  ns = await scratchNamespace(kc, 'detect-infra');
  watched = await watchIncidents([ns.name]);
});
after(async () => {
  watched?.dispose();
  await ns?.remove();
});

/** Keeps the scheduler (and every other test's pods) away from the extra nodes. */
const KEEP_OFF: k8s.V1Taint = { key: 'nimbusguard.dev/detect-test', effect: 'NoSchedule' };

function nodeBody(name: string, annotations: Record<string, string>): k8s.V1Node {
  const capacity = { cpu: '2', memory: '4Gi', pods: '20', 'ephemeral-storage': '20Gi' };
  return {
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', ...annotations },
      labels: { 'kubernetes.io/hostname': name, 'nimbusguard.dev/detect-test': 'true' },
    },
    spec: { taints: [KEEP_OFF] },
    status: { capacity, allocatable: capacity },
  };
}

async function removeNode(name: string): Promise<void> {
  await core.deleteNode({ name }).catch(() => undefined);
  await coordination.deleteNamespacedLease({ name, namespace: 'kube-node-lease' }).catch(() => undefined);
}

function kubeletCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  at: Date,
): k8s.V1NodeCondition {
  return { type, status, reason, message, lastHeartbeatTime: at, lastTransitionTime: at };
}

/** Registers a node the way a kubelet does: the Node, its status, and a lease renewed once. */
async function registerNode(name: string, memoryPressure: boolean): Promise<void> {
  await core.createNode({ body: nodeBody(name, {}) });
  const now = new Date();
  await core.patchNodeStatus(
    {
      name,
      body: {
        status: {
          conditions: [
            kubeletCondition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', now),
            memoryPressure
              ? kubeletCondition(
                  'MemoryPressure',
                  'True',
                  'KubeletHasInsufficientMemory',
                  'kubelet has insufficient memory available',
                  now,
                )
              : kubeletCondition(
                  'MemoryPressure',
                  'False',
                  'KubeletHasSufficientMemory',
                  'kubelet has sufficient memory available',
                  now,
                ),
            kubeletCondition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now),
            kubeletCondition(
              'PIDPressure',
              'False',
              'KubeletHasSufficientPID',
              'kubelet has sufficient PID available',
              now,
            ),
          ],
        },
      },
    },
    STRATEGIC_PATCH,
  );
  await coordination.createNamespacedLease({
    namespace: 'kube-node-lease',
    body: {
      metadata: { name },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new k8s.V1MicroTime(now.toISOString()) },
    },
  });
}

async function renewLease(name: string): Promise<void> {
  await coordination.patchNamespacedLease(
    {
      name,
      namespace: 'kube-node-lease',
      body: { spec: { renewTime: new k8s.V1MicroTime(new Date().toISOString()) } },
    },
    MERGE_PATCH,
  );
}

describe('infrastructure incidents', { concurrency: true }, () => {
  test('ServiceNoEndpoints: a Service whose selector matches nothing', async () => {
    await core.createNamespacedService({
      namespace: ns.name,
      body: {
        metadata: { name: 'orphan' },
        spec: { selector: { app: 'nothing-here' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const incident = await waitForIncident(
      watched.monitor,
      'ServiceNoEndpoints',
      'Service',
      'orphan',
      ns.name,
      120_000,
    );
    assert.equal(incident.severity, 'warning');
    const text = evidenceText(incident);
    assert.match(incident.summary, /no pod or workload matches its selector/);
    assert.match(text, /selector app=nothing-here/);
    assert.match(text, /0 ready, 0 not ready endpoints/);
  });

  test('PVCPending: a claim for a storage class that does not exist, used by a pod', async () => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: ns.name,
      body: {
        metadata: { name: 'data' },
        spec: {
          storageClassName: 'no-such-class',
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    const d = deployment('stateful-app');
    d.spec!.template.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    d.spec!.template.spec!.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/data' }];
    await apps.createNamespacedDeployment({ namespace: ns.name, body: d });
    const incident = await waitForIncident(
      watched.monitor,
      'PVCPending',
      'PersistentVolumeClaim',
      'data',
      ns.name,
      180_000,
    );
    assert.equal(incident.severity, 'critical', 'a pod waits for it');
    const text = evidenceText(incident);
    assert.match(text, /storage class no-such-class, requested 1Gi, access modes ReadWriteOnce/);
    assert.match(text, /ProvisioningFailed|storageclass.storage.k8s.io "no-such-class" not found/);
    assert.match(incident.summary, /1 pod waiting for it/);
  });

  test('NodeNotReady: a node whose kubelet stopped posting status', async (t) => {
    // The node registers like a kubelet (Ready status, one lease renewal) and then goes silent; it is
    // not annotated for kwok, so nothing heartbeats it. The node lifecycle controller flips Ready to
    // Unknown once node-monitor-grace-period passes without a lease renewal or status update.
    const name = `ngd-lost-${suffix}`;
    t.after(() => removeNode(name));
    await registerNode(name, false);
    const incident = await waitForIncident(watched.monitor, 'NodeNotReady', 'Node', name, undefined, 180_000);
    assert.equal(incident.severity, 'critical');
    const text = evidenceText(incident);
    assert.match(text, /Ready=Unknown \(NodeStatusUnknown\): Kubelet stopped posting node status/);
    assert.match(incident.summary, new RegExp(`Node ${name} stopped reporting \\(Ready Unknown\\)`));
    assert.match(text, /node\.kubernetes\.io\/unreachable/, 'the controller tainted it');
    assert.ok(
      !watched.monitor.open().some((i) => i.type === 'NodeNotReady' && i.workload.name.startsWith('kwok-node-')),
      'the kwok nodes stay Ready',
    );
  });

  test('NodePressure: a node whose kubelet reports memory pressure and keeps its lease', async (t) => {
    // kwok rewrites the conditions of the nodes it runs within a minute, so this node is not kwok's:
    // the test is its kubelet. It registers with MemoryPressure=True and renews its lease every few
    // seconds like a live kubelet, so the node lifecycle controller keeps it Ready.
    const name = `ngd-pressed-${suffix}`;
    const renewing = setInterval(() => void renewLease(name).catch(() => undefined), 5_000);
    t.after(async () => {
      clearInterval(renewing);
      await removeNode(name);
    });
    await registerNode(name, true);
    const incident = await waitForIncident(watched.monitor, 'NodePressure', 'Node', name, undefined, 90_000);
    assert.equal(incident.key, 'MemoryPressure');
    assert.equal(incident.severity, 'warning');
    assert.match(
      incident.summary,
      new RegExp(`Node ${name} reports memory pressure: kubelet has insufficient memory available`),
    );
    assert.match(evidenceText(incident), /MemoryPressure=True \(KubeletHasInsufficientMemory\)/);
    assert.match(evidenceText(incident), /allocatable memory 4Gi/);
    const node = await core.readNode({ name });
    assert.equal(
      node.status?.conditions?.find((c) => c.type === 'Ready')?.status,
      'True',
      'still Ready: pressure, not an outage',
    );
    assert.ok(!watched.monitor.open().some((i) => i.type === 'NodeNotReady' && i.workload.name === name));
  });

  test('WebhookUnavailable: a Fail-policy webhook whose Service has no endpoints blocks pod creation', async (t) => {
    // A namespace of its own: the webhook blocks every pod created in it.
    const guardedNs = await scratchNamespace(kc, 'detect-webhook');
    const own = await watchIncidents([guardedNs.name]);
    const name = `ngd-guard-${suffix}`;
    t.after(async () => {
      own.dispose();
      await guardedNs.remove();
    });
    t.after(async () => void (await admission.deleteValidatingWebhookConfiguration({ name }).catch(() => undefined)));
    await core.createNamespacedService({
      namespace: guardedNs.name,
      body: {
        metadata: { name: 'guard' },
        spec: { selector: { app: 'guard' }, ports: [{ port: 443, targetPort: 8443 }] },
      },
    });
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name },
        webhooks: [
          {
            name: 'pods.guard.nimbusguard.dev',
            failurePolicy: 'Fail',
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
            timeoutSeconds: 2,
            clientConfig: { service: { namespace: guardedNs.name, name: 'guard', path: '/validate', port: 443 } },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            // Only this test's namespace: nothing else on the cluster is affected.
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': guardedNs.name } },
          },
        ],
      },
    });
    // The API server picks the configuration up from its informer: wait until a dry-run pod is refused.
    await waitFor(
      'the webhook to be in force',
      async () => {
        const probe = {
          metadata: { name: 'probe' },
          spec: { containers: [{ name: 'probe', image: 'registry.example/app:1.0' }] },
        };
        const refused = await core.createNamespacedPod({ namespace: guardedNs.name, body: probe, dryRun: 'All' }).then(
          () => undefined,
          (e: unknown) => String(e),
        );
        return refused?.includes('failed calling webhook') ?? false;
      },
      30_000,
      500,
    );
    await apps.createNamespacedDeployment({ namespace: guardedNs.name, body: deployment('guarded') });
    const blocked = await waitForIncident(
      own.monitor,
      'WebhookUnavailable',
      'Deployment',
      'guarded',
      guardedNs.name,
      60_000,
    );
    assert.equal(blocked.severity, 'critical');
    assert.equal(blocked.key, 'pods.guard.nimbusguard.dev');
    assert.match(evidenceText(blocked), /failed calling webhook "pods\.guard\.nimbusguard\.dev"/);
    assert.match(blocked.summary, /guarded is blocked by admission webhook pods\.guard\.nimbusguard\.dev/);
    const config = await waitForIncident(
      own.monitor,
      'WebhookUnavailable',
      'ValidatingWebhookConfiguration',
      name,
      undefined,
      120_000,
    );
    assert.match(config.summary, new RegExp(`its service ${guardedNs.name}/guard has no ready endpoints`));
    assert.match(evidenceText(config), new RegExp(`failurePolicy Fail, service ${guardedNs.name}/guard:443`));
  });
});
