import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSetupFailedDetector, setupFailureFrom } from '../../../src/core/detect/podSetupFailed';
import type { Pod, PodVolume } from '../../../src/core/model/resources';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  event,
  job,
  owner,
  pod,
  pvc,
  ref,
  run,
  runningStatus,
  template,
} from './fixtures';
import { diagnoseWith } from '../diagnose/helpers';

const creating = runningStatus({ ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } });
const pending = {
  phase: 'Pending',
  conditions: [cond('PodScheduled', 'True'), cond('Ready', 'False')],
  containerStatuses: [creating],
};
const cfgVolume: PodVolume = { name: 'config', kind: 'ConfigMap', source: 'app-config', optional: false, keys: [] };

function stuckApp(
  s: ClusterSnapshot,
  volumes: PodVolume[],
  message: string,
  reason = 'FailedMount',
  createdSecondsAgo = 300,
) {
  const spec = template({ labels: { app: 'web' }, volumes });
  const app = addApp(s, 'web', {
    replicas: 2,
    deployment: { template: spec, ready: 0 },
    pod: () => ({ spec, ...pending, meta: { createdAt: ago(createdSecondsAgo) } }),
  });
  for (const p of app.pods) s.upsert('Event', event(ref('Pod', p.meta.name), reason, message, { count: 4 }));
  return app;
}

test('parses the kubelet and attach-detach messages', () => {
  assert.deepEqual(
    setupFailureFrom('FailedMount', 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found'),
    { problem: 'missing-object', volume: 'config', missing: { kind: 'ConfigMap', name: 'app-config' } },
  );
  assert.deepEqual(
    setupFailureFrom('FailedMount', 'MountVolume.SetUp failed for volume "certs" : secret "tls" not found'),
    { problem: 'missing-object', volume: 'certs', missing: { kind: 'Secret', name: 'tls' } },
  );
  assert.deepEqual(
    setupFailureFrom(
      'FailedMount',
      'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: app.yaml',
    ),
    { problem: 'missing-key', volume: 'config', missing: { kind: 'ConfigMap', name: '', key: 'app.yaml' } },
  );
  assert.equal(
    setupFailureFrom(
      'FailedAttachVolume',
      'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can\'t be attached to another',
    )?.problem,
    'multi-attach',
  );
  assert.equal(
    setupFailureFrom(
      'FailedMount',
      'MountVolume.MountDevice failed for volume "pvc-2" : kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name ebs.csi.aws.com not found in the list of registered CSI drivers',
    )?.problem,
    'csi',
  );
  assert.deepEqual(
    setupFailureFrom(
      'FailedMount',
      'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-x]: timed out waiting for the condition',
    ),
    { problem: 'mount-timeout', volume: 'data' },
  );
  assert.deepEqual(
    setupFailureFrom(
      'FailedCreatePodSandBox',
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network',
    ),
    { problem: 'sandbox' },
  );
  assert.equal(setupFailureFrom('BackOff', 'Back-off restarting'), undefined);
});

test('a missing ConfigMap volume: one incident on the Deployment naming the volume and the ConfigMap, fix points at it', () => {
  const s = new ClusterSnapshot();
  stuckApp(s, [cfgVolume], 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found');
  const found = run(podSetupFailedDetector, s);
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.deepEqual([f.workload.kind, f.workload.name, f.key, f.severity], ['Deployment', 'web', 'config', 'critical']);
  assert.match(
    f.summary,
    /2 of 2 pods of web stuck in ContainerCreating: volume config cannot mount: ConfigMap app-config not found/,
  );
  const cause = diagnoseWith(podSetupFailedDetector, s);
  assert.equal(cause.category, 'pod-setup');
  assert.match(cause.summary, /ConfigMap app-config does not exist, so volume config of Deployment web cannot mount/);
  assert.deepEqual(cause.fields, [
    'spec.template.spec.volumes[name=config].configMap.name',
    'spec.template.spec.volumes[name=config]',
  ]);
  assert.match(cause.fixes[0]!.summary, /Create ConfigMap app-config in namespace shop/);
  assert.equal(cause.fixes[0]!.edits, undefined, 'the fix creates nothing');
  assert.deepEqual(cause.fixes[1]!.edits, [
    { path: 'spec.template.spec.volumes[name=config].configMap.optional', value: true, previous: false },
  ]);
});

test("a missing key in a Secret volume's items names the Secret from the spec", () => {
  const s = new ClusterSnapshot();
  stuckApp(
    s,
    [{ name: 'certs', kind: 'Secret', source: 'tls', optional: false, keys: ['tls.crt', 'ca.crt'] }],
    'MountVolume.SetUp failed for volume "certs" : references non-existent secret key: ca.crt',
  );
  const cause = diagnoseWith(podSetupFailedDetector, s);
  assert.match(cause.summary, /key ca\.crt of Secret tls does not exist/);
  assert.equal(cause.fields[0], 'spec.template.spec.volumes[name=certs].secret.items');
  assert.match(cause.fixes[0]!.summary, /Add key ca\.crt to Secret tls/);
  assert.equal(cause.fixes[1]!.edits![0]!.path, 'spec.template.spec.volumes[name=certs].secret.optional');
});

test('no incident while the pod is young (objects applied together), nor once it runs without fresh events', () => {
  const young = new ClusterSnapshot();
  stuckApp(
    young,
    [cfgVolume],
    'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
    'FailedMount',
    30,
  );
  assert.deepEqual(run(podSetupFailedDetector, young), []);

  const started = new ClusterSnapshot();
  const app = addApp(started, 'web', { replicas: 1, deployment: { template: template({ volumes: [cfgVolume] }) } });
  started.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'FailedMount',
      'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
      { lastSeen: ago(600) },
    ),
  );
  assert.deepEqual(
    run(podSetupFailedDetector, started),
    [],
    'a mount failure before the pod started is history once it runs',
  );
  started.upsert(
    'Event',
    event(ref('Pod', app.pods[0]!.meta.name), 'FailedCreatePodSandBox', 'Failed to create pod sandbox: transient', {
      lastSeen: ago(30),
    }),
  );
  assert.deepEqual(run(podSetupFailedDetector, started), [], 'a sandbox hiccup on a running pod is no incident');
});

test('a running pod whose ConfigMap was deleted: a warning on the Deployment', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'web', { replicas: 1, deployment: { template: template({ volumes: [cfgVolume] }) } });
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'FailedMount',
      'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
      { lastSeen: ago(40) },
    ),
  );
  const [f] = run(podSetupFailedDetector, s);
  assert.equal(f?.severity, 'warning');
  assert.match(
    f!.summary,
    /web refers to a missing object: volume config cannot mount: ConfigMap app-config not found/,
  );
});

test('bare pods and Job pods: the incident lives on the pod itself and on the Job', () => {
  const s = new ClusterSnapshot();
  const bare: Pod = pod('debug', { spec: template({ volumes: [cfgVolume] }), ...pending });
  s.upsert('Pod', bare);
  s.upsert(
    'Event',
    event(
      ref('Pod', 'debug'),
      'FailedMount',
      'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
    ),
  );
  const j = job('migrate', {
    active: 1,
    succeeded: 0,
    conditions: [],
    template: template({ restartPolicy: 'Never', volumes: [cfgVolume] }),
  });
  s.upsert('Job', j);
  s.upsert(
    'Pod',
    pod('migrate-x1', {
      meta: { owners: [owner('Job', 'migrate', j.meta.uid)] },
      spec: template({ volumes: [cfgVolume] }),
      ...pending,
    }),
  );
  s.upsert(
    'Event',
    event(
      ref('Pod', 'migrate-x1'),
      'FailedCreatePodSandBox',
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="calico" failed (add): connection refused',
    ),
  );
  const found = run(podSetupFailedDetector, s)
    .map((f) => `${f.workload.kind}/${f.workload.name}/${f.key}`)
    .sort();
  assert.deepEqual(found, ['Job/migrate/sandbox', 'Pod/debug/config']);
  const sandbox = diagnoseWith(podSetupFailedDetector, s, undefined, (f) => f.key === 'sandbox');
  assert.match(sandbox.summary, /cannot create the pod sandbox of Job migrate on node node-1/);
  const bareCause = diagnoseWith(podSetupFailedDetector, s, undefined, (f) => f.workload.kind === 'Pod');
  assert.deepEqual(bareCause.fields[0], 'spec.volumes[name=config].configMap.name');
});

test('Multi-Attach on a Deployment points at the Recreate strategy', () => {
  const s = new ClusterSnapshot();
  s.upsert('PersistentVolumeClaim', pvc('data', { volumeName: 'pvc-0a5e' }));
  stuckApp(
    s,
    [{ name: 'store', kind: 'PersistentVolumeClaim', source: 'data', optional: false, keys: [] }],
    'Multi-Attach error for volume "pvc-0a5e" Volume is already exclusively attached to one node and can\'t be attached to another',
    'FailedAttachVolume',
  );
  const cause = diagnoseWith(podSetupFailedDetector, s);
  assert.match(
    cause.summary,
    /volume store \(claim data\) of Deployment web is still attached to another node \(Multi-Attach\)/,
  );
  assert.ok(cause.fields.includes('spec.strategy.type'));
});
