// Pod-side families whose fix is not a spec edit (sandbox/CNI, Multi-Attach, CSI), the
// running-pod and retrying cases, a healthy namespace that must stay quiet, and the one-shot
// `scan --json` reading the events that cover the detectors' windows. The simulated kubelet
// produces the pod-side events; everything else is the real control plane.
// Runs beside other test files: its own scratch namespaces; its PersistentVolume is named by its own
// claim, and no other file that runs beside it makes claims.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import {
  ADMIN,
  evidenceText,
  kubeConfig,
  kubeconfigPath,
  repoRoot,
  scratchNamespace,
  sleep,
  waitFor,
  waitForIncident,
  watchIncidents,
  type WatchedNamespace,
} from '../harness/kubeKit';
import { applyManifest, waitForDiagnosis } from './diagnoseKit';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const POD_FAMILIES = [
  'PodSetupFailed',
  'PodCreationRejected',
  'ContainerFailed',
  'PullSecretMissing',
  'RolloutRegression',
];
let ns: { name: string; remove: () => Promise<void> };
let quiet: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;
const pvName = `pods-rwo-${Math.random().toString(36).slice(2, 7)}`;

before(async () => {
  ns = await scratchNamespace(kc, 'pods-detect');
  quiet = await scratchNamespace(kc, 'pods-quiet');
  watched = await watchIncidents([ns.name, quiet.name]);
});
after(async () => {
  watched?.dispose();
  await ns?.remove();
  await quiet?.remove();
  await core.deletePersistentVolume({ name: pvName }).catch(() => undefined);
});

function pod(name: string, spec: string, annotations: Record<string, string> = {}): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `\n    ${k}: ${JSON.stringify(v)}`)
    .join('');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}${ann ? `\n  annotations:${ann}` : ''}
spec:
${spec}`;
}

function deployment(name: string, spec: string, annotations: Record<string, string> = {}): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `\n        ${k}: ${JSON.stringify(v)}`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}${ann ? `\n      annotations:${ann}` : ''}
    spec:
${spec}`;
}

const app = (image = 'registry.example/shop/app:1.0') => `  containers:\n  - name: app\n    image: ${image}\n`;
const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');

describe('pod-side families on the real control plane', { concurrency: true }, () => {
  test('sandbox: a bare pod whose CNI fails stays ContainerCreating; the incident is on the pod and blames the node network', async () => {
    await applyManifest(
      kc,
      pod('netless', app(), {
        'sim.nimbusguard.dev/sandbox-error': 'plugin type="calico" failed (add): connection refused',
      }),
      ns.name,
    );
    const { incident, cause } = await waitForDiagnosis(
      watched.monitor,
      'PodSetupFailed',
      { kind: 'Pod', name: 'netless', namespace: ns.name },
      (c) => c.category === 'pod-setup',
      150_000,
    );
    assert.equal(incident.key, 'sandbox');
    assert.match(incident.summary, /pod netless stuck in ContainerCreating: the pod sandbox cannot be created/);
    assert.match(evidenceText(incident), /FailedCreatePodSandBox|failed to setup network for sandbox/);
    assert.match(
      cause.summary,
      /cannot create the pod sandbox of Pod netless on node \S+: Failed to create pod sandbox/,
    );
    assert.match(cause.fixes[0]!.summary, /Check the CNI plugin/);
  });

  test('Multi-Attach: a ReadWriteOnce claim still attached elsewhere; the cause names the pod volume behind the PersistentVolume', async () => {
    await core.createPersistentVolume({
      body: {
        metadata: { name: pvName },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: '',
          hostPath: { path: '/tmp/rwo' },
        },
      },
    });
    const claim = `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: ""\n  volumeName: ${pvName}\n  resources:\n    requests:\n      storage: 1Gi\n---\n`;
    const spec = indent(`${app()}  volumes:\n  - name: store\n    persistentVolumeClaim:\n      claimName: data\n`);
    await applyManifest(
      kc,
      claim + deployment('writer', spec, { 'sim.nimbusguard.dev/volume-error': 'multi-attach' }),
      ns.name,
    );
    const { incident, cause } = await waitForDiagnosis(
      watched.monitor,
      'PodSetupFailed',
      { kind: 'Deployment', name: 'writer', namespace: ns.name },
      (c) => /Multi-Attach/.test(c.summary),
      150_000,
    );
    assert.equal(incident.key, 'store');
    assert.match(evidenceText(incident), new RegExp(`Multi-Attach error for volume "${pvName}"`));
    assert.match(
      cause.summary,
      /volume store \(claim data\) of Deployment writer is still attached to another node \(Multi-Attach\)/,
    );
    assert.ok(cause.fields.includes('spec.template.spec.volumes[name=store]'));
  });

  test('CSI: a driver that is not registered on the node', async () => {
    const spec = indent(
      `${app()}  volumes:\n  - name: secrets-store\n    csi:\n      driver: secrets-store.csi.k8s.io\n`,
    );
    await applyManifest(kc, deployment('vault', spec, { 'sim.nimbusguard.dev/volume-error': 'csi' }), ns.name);
    const { cause } = await waitForDiagnosis(
      watched.monitor,
      'PodSetupFailed',
      { kind: 'Deployment', name: 'vault', namespace: ns.name },
      (c) => c.category === 'pod-setup',
      150_000,
    );
    assert.match(
      cause.summary,
      /volume secrets-store fails in its CSI driver for Deployment vault: MountVolume\.MountDevice failed/,
    );
    assert.match(cause.fixes[0]!.summary, /CSI driver secrets-store\.csi\.k8s\.io/);
  });

  test('a running Deployment whose ConfigMap is deleted: a warning within 2 minutes, while its pod keeps running', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  flags.yaml: "a: 1"\n---\n';
    const spec = indent(`${app()}  volumes:\n  - name: flags\n    configMap:\n      name: flags\n`);
    await applyManifest(kc, cm + deployment('flagged', spec), ns.name);
    await waitFor(
      'flagged to run',
      async () =>
        (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=flagged' })).items.some(
          (p) => p.status?.phase === 'Running',
        ),
      60_000,
    );
    await core.deleteNamespacedConfigMap({ name: 'flags', namespace: ns.name });
    const deletedAt = Date.now();
    const incident = await waitForIncident(
      watched.monitor,
      'PodSetupFailed',
      'Deployment',
      'flagged',
      ns.name,
      150_000,
    );
    assert.ok(Date.now() - deletedAt < 120_000, 'open within 2 minutes');
    assert.equal(incident.severity, 'warning');
    assert.match(
      incident.summary,
      /flagged refers to a missing object: volume flags cannot mount: ConfigMap flags not found/,
    );
    const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=flagged' });
    assert.ok(
      pods.items.every((p) => p.status?.phase === 'Running'),
      'the pod still runs',
    );
  });

  test('a Job retrying below its backoff limit, a bare restartPolicy Never pod that failed, a failing sidecar', async () => {
    const job = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: importer\nspec:\n  backoffLimit: 6\n  template:\n    metadata:\n      annotations:\n        sim.nimbusguard.dev/exit-after: "1"\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: run\n        image: registry.example/ops/import:1.0\n---\n`;
    const bare = pod('oneshot', `  restartPolicy: Never\n${app()}`, {
      'sim.nimbusguard.dev/exit-after': '1',
      'sim.nimbusguard.dev/exit-code': '2',
    });
    const sidecar = deployment(
      'meshed',
      indent(
        `  initContainers:\n  - name: proxy\n    image: registry.example/mesh/proxy:1.0\n    restartPolicy: Always\n${app()}`,
      ),
      { 'sim.nimbusguard.dev/sidecar-exit-after': '2' },
    );
    await applyManifest(kc, `${job}${bare}---\n${sidecar}`, ns.name);
    const retry = await waitForIncident(watched.monitor, 'ContainerFailed', 'Job', 'importer', ns.name, 90_000);
    assert.equal(retry.severity, 'warning');
    assert.match(
      retry.summary,
      /Job importer is retrying: \d+ pods? failed \(\d+ of backoffLimit 6\), container run Error \(exit 1\)/,
    );
    const failed = await waitForIncident(watched.monitor, 'ContainerFailed', 'Pod', 'oneshot', ns.name, 90_000);
    assert.match(failed.summary, /pod oneshot failed \(restartPolicy Never\): container app Error \(exit 2\)/);
    const side = await waitForIncident(watched.monitor, 'ContainerFailed', 'Deployment', 'meshed', ns.name, 90_000);
    assert.equal(side.key, 'proxy');
    assert.match(side.summary, /sidecar proxy keeps failing, Error \(exit 1\)/);
    assert.ok(
      !watched.monitor.forWorkload('Deployment', ns.name, 'meshed').some((i) => i.type === 'CrashLoopBackOff'),
      'a sidecar in back-off is not reported twice',
    );
  });

  test('a missing pull secret while the image pulls anyway: a warning on the Deployment once it is 60 s old', async () => {
    await applyManifest(
      kc,
      deployment('public', `      imagePullSecrets:\n      - name: ghost\n${indent(app())}`),
      ns.name,
    );
    const incident = await waitForIncident(
      watched.monitor,
      'PullSecretMissing',
      'Deployment',
      'public',
      ns.name,
      150_000,
    );
    assert.equal(incident.severity, 'warning');
    assert.match(
      incident.summary,
      /refers to imagePullSecret ghost, which does not exist \(images pull without it for now\)/,
    );
  });

  test('a healthy namespace stays quiet: ConfigMap and Secret volumes present, init containers and sidecars fine, Jobs complete, pull secret present', async () => {
    const objects = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  app.yaml: "x: 1"\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: \'{"auths":{}}\'\n',
      deployment(
        'steady',
        indent(
          `  imagePullSecrets:\n  - name: creds\n  initContainers:\n  - name: setup\n    image: registry.example/shop/setup:1.0\n  - name: proxy\n    image: registry.example/mesh/proxy:1.0\n    restartPolicy: Always\n${app('private.registry.example/shop/app:1.0')}  volumes:\n  - name: settings\n    configMap:\n      name: settings\n      items:\n      - key: app.yaml\n        path: app.yaml\n  - name: creds\n    secret:\n      secretName: creds\n`,
        ),
      ),
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: nightly\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: run\n        image: registry.example/ops/nightly:1.0\n',
    ];
    await applyManifest(kc, objects.join('---\n'), quiet.name);
    await waitFor(
      'the job to complete and steady to run',
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: quiet.name })).items;
        return (
          pods.some((p) => p.metadata?.name?.startsWith('nightly') && p.status?.phase === 'Succeeded') &&
          pods.some((p) => p.metadata?.labels?.['app'] === 'steady' && p.status?.phase === 'Running')
        );
      },
      90_000,
      500,
    );
    await sleep(75_000); // past every grace period (60 s referrers, 30 s rejections)
    const noisy = watched.monitor.open().filter((i) => i.workload.namespace === quiet.name);
    assert.deepEqual(
      noisy.map((i) => `${i.type} ${i.workload.kind}/${i.workload.name}: ${i.summary}`),
      [],
    );
  });
});

describe('scan --json (one-shot) reports the pod-side families on the object the user edits', () => {
  test('kind/name are the Deployment, the Job and the bare pod; rootCause.summary names the culprit', async () => {
    // Runs after the scenarios above have produced their events: the one-shot scan must find them.
    await waitFor(
      'the incidents above',
      () =>
        POD_FAMILIES.every(
          (t) =>
            t === 'RolloutRegression' ||
            t === 'PodCreationRejected' ||
            watched.monitor.open().some((i) => i.type === t && i.workload.namespace === ns.name),
        ),
      180_000,
      1000,
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(repoRoot, 'dist/cli.js'),
        'scan',
        '--json',
        '--kubeconfig',
        kubeconfigPath,
        '--context',
        ADMIN,
        '--namespace',
        ns.name,
      ],
      { maxBuffer: 32 * 1024 * 1024 },
    ).catch((e: { stdout: string; code: number }) => {
      assert.equal(e.code, 1, 'exit 1 with incidents');
      return { stdout: e.stdout };
    });
    const incidents = (
      JSON.parse(stdout) as {
        incidents: { type: string; kind: string; name: string; rootCause?: { summary: string; category: string } }[];
      }
    ).incidents;
    const find = (type: string, kind: string, name: string) =>
      incidents.find((i) => i.type === type && i.kind === kind && i.name === name);
    assert.match(find('PodSetupFailed', 'Pod', 'netless')?.rootCause?.summary ?? '', /pod sandbox of Pod netless/);
    assert.match(
      find('PodSetupFailed', 'Deployment', 'flagged')?.rootCause?.summary ?? '',
      /ConfigMap flags does not exist/,
    );
    assert.match(find('ContainerFailed', 'Job', 'importer')?.rootCause?.summary ?? '', /container run of Job importer/);
    assert.match(find('ContainerFailed', 'Pod', 'oneshot')?.rootCause?.category ?? '', /container-failed/);
    assert.match(
      find('PullSecretMissing', 'Deployment', 'public')?.rootCause?.summary ?? '',
      /imagePullSecret ghost of Deployment public does not exist/,
    );
    assert.ok(
      !incidents.some((i) => i.kind === 'ReplicaSet' || (i.kind === 'Pod' && !['netless', 'oneshot'].includes(i.name))),
      `no incident on a ReplicaSet or a controller's pod: ${incidents.map((i) => `${i.kind}/${i.name}`).join(', ')}`,
    );
  });
});
