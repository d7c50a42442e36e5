import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oomKilledDetector } from '../../../src/core/detect/oomKilled';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import { imagePullBackOffDetector } from '../../../src/core/detect/imagePullBackOff';
import { createContainerConfigErrorDetector } from '../../../src/core/detect/createContainerConfigError';
import { UsageHistory } from '../../../src/core/model/usageHistory';
import type { ContainerSpec, ContainerStatus } from '../../../src/core/model/resources';
import { memoryQuantity, roundUpMemory } from '../../../src/core/diagnose/ruleSupport';
import { parseImage } from '../../../src/core/diagnose/imagePullRule';
import {
  ClusterSnapshot,
  NOW,
  addApp,
  ago,
  cond,
  container,
  event,
  owner,
  ref,
  replicaSet,
  runningStatus,
  template,
} from '../detect/fixtures';
import { diagnoseWith, inRange } from './helpers';

const MI = 1024 * 1024;
const notReady = [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(600) }),
];

function oomStatus(restarts: number): ContainerStatus {
  return runningStatus({
    name: 'api',
    ready: false,
    restartCount: restarts,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=api' } },
    lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(40) } },
  });
}

function apiApp(
  s: ClusterSnapshot,
  api: Partial<ContainerSpec>,
  status: (i: number) => ContainerStatus | undefined,
  replicas = 2,
) {
  const spec = template({ labels: { app: 'checkout' }, containers: [container({ name: 'api', ...api })] });
  return addApp(s, 'checkout', {
    replicas,
    deployment: { template: spec, ready: 0 },
    pod: (i) => {
      const st = status(i);
      return st
        ? { spec, containerStatuses: [st], conditions: notReady }
        : { spec, containerStatuses: [runningStatus({ name: 'api' })] };
    },
  });
}

test('OOM: the limit comes from right-sizing over the usage history, with the peak in the summary', () => {
  const s = new ClusterSnapshot();
  apiApp(s, { resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } } }, (i) =>
    i === 0 ? oomStatus(5) : undefined,
  );
  const usage = new UsageHistory();
  const t0 = NOW.getTime() / 1000 - 3600;
  for (let i = 0; i < 60; i++)
    usage.add('Deployment', 'shop', 'checkout', 'api', {
      t: t0 + i * 60,
      cpu: 0.1,
      memory: (100 + (i % 20) * 10) * MI,
      pod: 'p',
    });
  const cause = diagnoseWith(oomKilledDetector, s, usage);
  assert.equal(cause.category, 'memory-limit');
  assert.equal(cause.source, 'rules');
  assert.equal(cause.incidentType, 'OOMKilled');
  assert.equal(
    cause.summary,
    "memory limit 128Mi is below the container's peak of ~290Mi (OOMKilled 5 times, exit 137)",
  );
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=api].resources.limits.memory']);
  assert.ok(inRange(cause.confidence, 0.85, 0.95));
  const edit = cause.fixes[0]!.edits![0]!;
  assert.equal(edit.path, 'spec.template.spec.containers[name=api].resources.limits.memory');
  assert.equal(edit.value, '334Mi');
  assert.equal(edit.previous, '128Mi');
  assert.equal(cause.fixes[0]!.edits!.length, 1, 'the request 64Mi stays below the new limit');
  assert.ok(
    cause.evidence.some(
      (e) =>
        e.kind === 'status' &&
        e.source.kind === 'Pod' &&
        e.field === 'status.containerStatuses[name=api].lastState.terminated.reason',
    ),
  );
  assert.ok(cause.evidence.some((e) => e.kind === 'metric' && e.text.includes('290Mi')));
});

test('OOM: without history, the observed peak and the kill at the limit set the new limit', () => {
  const s = new ClusterSnapshot();
  const app = apiApp(s, { resources: { requests: { memory: '128Mi' }, limits: { memory: '256Mi' } } }, (i) =>
    i === 0 ? oomStatus(2) : undefined,
  );
  s.setUsage({
    namespace: 'shop',
    name: app.pods[1]!.meta.name,
    timestamp: ago(10),
    containers: [{ name: 'api', cpuMillicores: 50, memoryBytes: 200 * MI }],
  });
  const cause = diagnoseWith(oomKilledDetector, s);
  assert.equal(cause.summary, 'memory limit 256Mi is below what the container needs (OOMKilled 2 times, exit 137)');
  assert.equal(cause.fixes[0]!.edits![0]!.value, '356Mi');
  assert.ok(inRange(cause.confidence, 0.8, 0.9));
});

test('OOM: with nothing known but the kill, the limit doubles, a missing request is proposed, and confidence is lower', () => {
  const s = new ClusterSnapshot();
  apiApp(s, { resources: { requests: { cpu: '100m' }, limits: { memory: '128Mi' } } }, () => oomStatus(1), 1);
  const cause = diagnoseWith(oomKilledDetector, s);
  assert.equal(cause.summary, 'memory limit 128Mi is below what the container needs (OOMKilled once, exit 137)');
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=api].resources.limits.memory', value: '256Mi', previous: '128Mi' },
    { path: 'spec.template.spec.containers[name=api].resources.requests.memory', value: '256Mi' },
  ]);
  assert.deepEqual(cause.fields, [
    'spec.template.spec.containers[name=api].resources.limits.memory',
    'spec.template.spec.containers[name=api].resources.requests.memory',
  ]);
  assert.ok(inRange(cause.confidence, 0.6, 0.8));
  assert.match(cause.explanation, /only shows the need is above 128Mi/);
});

test('OOM: a CrashLoopBackOff whose last exit was an OOM kill is explained as the memory limit', () => {
  const s = new ClusterSnapshot();
  apiApp(s, { resources: { requests: { memory: '64Mi' }, limits: { memory: '1Gi' } } }, () => oomStatus(3), 1);
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  assert.equal(cause.incidentType, 'CrashLoopBackOff');
  assert.equal(cause.category, 'memory-limit');
  assert.equal(cause.fixes[0]!.edits![0]!.value, '2Gi');
});

test('memory rounding: whole Mi up to 1Gi, 64Mi steps above', () => {
  assert.equal(memoryQuantity(roundUpMemory(300.2 * MI)), '301Mi');
  assert.equal(memoryQuantity(roundUpMemory(1300 * MI)), '1344Mi');
  assert.equal(memoryQuantity(roundUpMemory(2048 * MI)), '2Gi');
});

test('Crash: exit code 127 points at the command, with the last message and a generic confidence', () => {
  const s = new ClusterSnapshot();
  apiApp(s, { command: ['/app/serve'], args: ['--port', '8080'] }, () =>
    runningStatus({
      name: 'api',
      ready: false,
      restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: {
        terminated: { reason: 'Error', exitCode: 127, message: 'exec: "/app/serve": not found', finishedAt: ago(30) },
      },
    }),
  );
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  assert.equal(cause.category, 'crash');
  assert.match(
    cause.summary,
    /^container api could not find its command in the image \(exit 127\): exec: "\/app\/serve": not found$/,
  );
  assert.deepEqual(cause.fields, [
    'spec.template.spec.containers[name=api].command',
    'spec.template.spec.containers[name=api].args',
  ]);
  assert.ok(inRange(cause.confidence, 0.5, 0.65));
  assert.ok(
    cause.evidence.some(
      (e) => e.field === 'status.containerStatuses[name=api].lastState.terminated' && e.text.includes('exit code 127'),
    ),
  );
});

test('Crash: a liveness probe that kills the container is named, with more time proposed', () => {
  const s = new ClusterSnapshot();
  const probe = {
    type: 'httpGet' as const,
    target: 'HTTP GET :8080/healthz',
    initialDelaySeconds: 5,
    periodSeconds: 10,
    timeoutSeconds: 1,
    failureThreshold: 3,
  };
  const app = apiApp(
    s,
    { livenessProbe: probe },
    () =>
      runningStatus({
        name: 'api',
        ready: false,
        restartCount: 6,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { reason: 'Error', exitCode: 137, finishedAt: ago(30) } },
      }),
    1,
  );
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'Unhealthy',
      'Liveness probe failed: Get "http://10.1.0.5:8080/healthz": context deadline exceeded',
      { count: 18 },
    ),
  );
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  assert.equal(cause.category, 'crash');
  assert.match(cause.summary, /^liveness probe HTTP GET :8080\/healthz of container api fails/);
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=api].livenessProbe']);
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=api].livenessProbe.initialDelaySeconds', value: 30, previous: 5 },
    { path: 'spec.template.spec.containers[name=api].livenessProbe.failureThreshold', value: 5, previous: 3 },
  ]);
  assert.ok(cause.evidence.some((e) => e.kind === 'event' && e.reason === 'Unhealthy'));
});

function pulling(image: string, message: string): ContainerStatus {
  return runningStatus({
    name: 'api',
    ready: false,
    image,
    state: { waiting: { reason: 'ImagePullBackOff', message } },
  });
}

test('Image pull: an unreachable registry host', () => {
  const s = new ClusterSnapshot();
  const image = 'registry.invalid/shop/api:1.2';
  const app = apiApp(s, { image }, () => pulling(image, `Back-off pulling image "${image}"`), 1);
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'Failed',
      `Failed to pull image "${image}": dial tcp: lookup registry.invalid: no such host`,
    ),
  );
  const cause = diagnoseWith(imagePullBackOffDetector, s);
  assert.equal(cause.category, 'image-pull');
  assert.equal(cause.summary, `registry host registry.invalid cannot be reached for image ${image}`);
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=api].image']);
  assert.ok(cause.evidence.some((e) => e.kind === 'event' && e.reason === 'Failed'));
  assert.ok(inRange(cause.confidence, 0.8, 0.9));
});

test('Image pull: a missing tag after a rollout proposes the previous revision image', () => {
  const s = new ClusterSnapshot();
  const bad = 'registry.example.com/shop/api:missing';
  const app = apiApp(
    s,
    { image: bad },
    () => pulling(bad, `rpc error: code = NotFound desc = failed to pull and unpack image "${bad}": not found`),
    2,
  );
  s.upsert('ReplicaSet', { ...app.rs, revision: 2 });
  s.upsert(
    'ReplicaSet',
    replicaSet('checkout-5f6a7b', {
      revision: 1,
      desired: 0,
      ready: 0,
      available: 0,
      template: template({
        labels: { app: 'checkout' },
        containers: [container({ name: 'api', image: 'registry.example.com/shop/api:1.4' })],
      }),
      meta: { owners: [owner('Deployment', 'checkout', app.deployment.uid)] },
    }),
  );
  const cause = diagnoseWith(imagePullBackOffDetector, s);
  assert.equal(cause.summary, 'tag missing does not exist in registry.example.com/shop/api');
  assert.deepEqual(cause.fixes[0]!.edits, [
    {
      path: 'spec.template.spec.containers[name=api].image',
      value: 'registry.example.com/shop/api:1.4',
      previous: bad,
    },
  ]);
});

test('Image pull: unauthorized points at the pull secrets', () => {
  const s = new ClusterSnapshot();
  const image = 'ghcr.io/acme/private:2.0';
  const app = apiApp(s, { image }, () => pulling(image, 'Back-off pulling image'), 1);
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'Failed',
      `Failed to pull image "${image}": failed to authorize: 401 Unauthorized`,
    ),
  );
  const cause = diagnoseWith(imagePullBackOffDetector, s);
  assert.match(cause.summary, /^registry ghcr\.io refuses to serve acme\/private: no imagePullSecrets are set$/);
  assert.deepEqual(cause.fields, [
    'spec.template.spec.imagePullSecrets',
    'spec.template.spec.containers[name=api].image',
  ]);
  assert.ok(cause.evidence.some((e) => e.field === 'spec.template.spec.imagePullSecrets'));
});

test('parseImage: host, repository, tag and digest', () => {
  assert.deepEqual(parseImage('nginx'), { host: 'docker.io', repository: 'library/nginx', tag: 'latest' });
  assert.deepEqual(parseImage('localhost:5000/team/app:v1'), {
    host: 'localhost:5000',
    repository: 'team/app',
    tag: 'v1',
  });
  assert.deepEqual(parseImage('quay.io/x/y@sha256:abc'), { host: 'quay.io', repository: 'x/y', digest: 'sha256:abc' });
});

test('Missing config: the Secret named in the message, the env entry that refers to it, and an optional edit', () => {
  const s = new ClusterSnapshot();
  apiApp(
    s,
    {
      env: [
        { name: 'DB_PASSWORD', from: 'secret db-creds' },
        { name: 'MODE', value: 'prod' },
      ],
      configRefs: [{ kind: 'Secret', name: 'db-creds', optional: false }],
    },
    () =>
      runningStatus({
        name: 'api',
        ready: false,
        state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db-creds" not found' } },
      }),
    1,
  );
  const cause = diagnoseWith(createContainerConfigErrorDetector, s);
  assert.equal(cause.category, 'config-missing');
  assert.equal(cause.summary, 'Secret db-creds does not exist, so container api cannot start');
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=api].env[name=DB_PASSWORD]']);
  assert.match(cause.fixes[0]!.summary, /^Create Secret db-creds in namespace shop$/);
  assert.deepEqual(cause.fixes[1]!.edits, [
    {
      path: 'spec.template.spec.containers[name=api].env[name=DB_PASSWORD].valueFrom.secretKeyRef.optional',
      value: true,
      previous: false,
    },
  ]);
  assert.ok(inRange(cause.confidence, 0.85, 0.95));
});
