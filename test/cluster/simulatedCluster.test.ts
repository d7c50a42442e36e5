// The simulated cluster itself: the pinned control plane, the kwok nodes, RBAC
// of the two kubeconfig contexts, and every kubelet-level behaviour nimbus-sim
// promises (see test/harness/cluster/README-section.md). Runs against the
// cluster started by test/harness/cluster/up.sh.
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { waitFor } from '../harness/kubeKit';

// ---------------------------------------------------------------------------
// helpers

function findRepoRoot(): string {
  for (const start of [import.meta.dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'test/harness/cluster/up.sh'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the repository root above ${import.meta.dirname} or ${process.cwd()}`);
}

const root = findRepoRoot();
const kubeconfigFile = process.env.NIMBUSGUARD_KUBECONFIG ?? join(root, '.cluster/kubeconfig');
const pinnedVersion = /^K8S_VERSION=(\S+)/m.exec(
  readFileSync(join(root, 'test/harness/cluster/versions.sh'), 'utf8'),
)?.[1];

function config(context = 'nimbusguard-admin'): k8s.KubeConfig {
  if (!existsSync(kubeconfigFile)) throw new Error(`${kubeconfigFile} is missing: run npm run cluster:up first`);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  kc.setCurrentContext(context);
  return kc;
}

const kc = config();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** A namespace for one test, deleted when the test ends. */
async function namespace(t: TestContext, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await core.createNamespace({ body: { metadata: { name } } });
  t.after(async () => {
    await core.deleteNamespace({ name }).catch(() => undefined);
  });
  await waitFor(
    `default ServiceAccount in ${name}`,
    () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
    30_000,
  );
  return name;
}

interface AppOptions {
  replicas?: number;
  image?: string;
  annotations?: Record<string, string>;
  workloadAnnotations?: Record<string, string>;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  readinessProbe?: k8s.V1Probe;
}

function deployment(name: string, o: AppOptions = {}): k8s.V1Deployment {
  return {
    metadata: { name, labels: { app: name }, annotations: o.workloadAnnotations ?? {} },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: o.annotations ?? {} },
        spec: {
          containers: [
            {
              name: 'app',
              image: o.image ?? 'registry.example/team/app:1.0',
              ports: [{ containerPort: 8080 }],
              resources: { requests: o.requests ?? { cpu: '100m', memory: '64Mi' }, limits: o.limits ?? {} },
              ...(o.readinessProbe ? { readinessProbe: o.readinessProbe } : {}),
            },
          ],
        },
      },
    },
  };
}

async function pods(ns: string, app?: string): Promise<k8s.V1Pod[]> {
  return (await core.listNamespacedPod({ namespace: ns, ...(app ? { labelSelector: `app=${app}` } : {}) })).items;
}

async function events(ns: string, objectName?: string): Promise<k8s.CoreV1Event[]> {
  const list = await core.listNamespacedEvent({
    namespace: ns,
    ...(objectName ? { fieldSelector: `involvedObject.name=${objectName}` } : {}),
  });
  return list.items;
}

function reasons(evs: k8s.CoreV1Event[]): Set<string> {
  return new Set(evs.map((e) => e.reason ?? ''));
}

function condition(pod: k8s.V1Pod, type: string): k8s.V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** CPU quantity in millicores, memory quantity in bytes. */
function cpuMilli(q: string): number {
  const m = /^([0-9.]+)(n|u|m)?$/.exec(q);
  if (!m) throw new Error(`bad cpu quantity ${q}`);
  const v = Number(m[1]);
  return m[2] === 'n' ? v / 1e6 : m[2] === 'u' ? v / 1e3 : m[2] === 'm' ? v : v * 1000;
}

function bytes(q: string): number {
  const m = /^([0-9.]+)(Ki|Mi|Gi|k|M|G)?$/.exec(q);
  if (!m) throw new Error(`bad memory quantity ${q}`);
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (m[2] ? mult[m[2]]! : 1);
}

interface PodUsage {
  name: string;
  cpuMilli: number;
  memoryBytes: number;
}

/** GET /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods, summed per pod. */
async function podMetrics(ns: string): Promise<PodUsage[]> {
  const list = (await custom.listNamespacedCustomObject({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    namespace: ns,
    plural: 'pods',
  })) as {
    items: { metadata: { name: string }; containers: { usage: { cpu: string; memory: string } }[] }[];
  };
  return list.items.map((p) => ({
    name: p.metadata.name,
    cpuMilli: p.containers.reduce((s, c) => s + cpuMilli(c.usage.cpu), 0),
    memoryBytes: p.containers.reduce((s, c) => s + bytes(c.usage.memory), 0),
  }));
}

function near(actual: number, expected: number, tolerance = 0.15): boolean {
  return Math.abs(actual - expected) <= expected * tolerance;
}

// ---------------------------------------------------------------------------
// control plane

describe('control plane', () => {
  test('the API reports the pinned Kubernetes version', async () => {
    const info = await kc.makeApiClient(k8s.VersionApi).getCode();
    assert.ok(pinnedVersion, 'versions.sh names a Kubernetes version');
    assert.equal(info.gitVersion, pinnedVersion);
    assert.equal(`v${info.major}.${info.minor}`, pinnedVersion.split('.').slice(0, 2).join('.'));
  });

  test('two kwok nodes are Ready with realistic capacity', async () => {
    const nodes = (await core.listNode()).items.filter(
      (n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake',
    );
    assert.ok(nodes.length >= 2, `at least two kwok nodes (got ${nodes.length})`);
    for (const n of nodes) {
      assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata?.name} Ready`);
      assert.equal(n.status?.allocatable?.cpu, '4');
      assert.equal(n.status?.allocatable?.memory, '8Gi');
      assert.equal(n.status?.allocatable?.pods, '110');
    }
  });

  test('a Deployment becomes available and its Service gets ready endpoints', async (t) => {
    const ns = await namespace(t, 'deploy');
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { replicas: 2 }) });
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    const d = await waitFor('web to be available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return d.status?.availableReplicas === 2 ? d : undefined;
    });
    assert.equal(d.status?.readyReplicas, 2);
    const ps = await pods(ns, 'web');
    assert.equal(ps.length, 2);
    const ips = new Set<string>();
    for (const p of ps) {
      assert.equal(p.status?.phase, 'Running');
      assert.match(p.spec?.nodeName ?? '', /^kwok-node-/);
      assert.ok(p.status?.podIP, 'pod has an IP');
      ips.add(p.status!.podIP!);
      assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
    }
    assert.equal(ips.size, 2, 'pod IPs are distinct');
    const evs = await waitFor('kubelet events', async () => {
      const r = reasons(await events(ns, ps[0]!.metadata!.name));
      return ['Scheduled', 'Created', 'Started'].every((x) => r.has(x)) && (r.has('Pulled') || r.has('Pulling'))
        ? r
        : undefined;
    });
    assert.ok(evs.has('Scheduled'));
    await waitFor('two ready endpoints', async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: ns,
        labelSelector: 'kubernetes.io/service-name=web',
      });
      const ready = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
      return ready.length === 2;
    });

    // A rollout replaces the pods and scales the old ReplicaSet down.
    await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: {
          spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/team/app:1.1' }] } } },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await waitFor(
      'the rollout to finish',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
        const s = d.status;
        const done =
          s?.observedGeneration === d.metadata?.generation &&
          s?.updatedReplicas === 2 &&
          s?.availableReplicas === 2 &&
          (s?.replicas ?? 0) === 2;
        if (!done) return undefined;
        const live = (await pods(ns, 'web')).filter((p) => !p.metadata?.deletionTimestamp);
        return live.length === 2 && live.every((p) => p.spec?.containers[0]?.image === 'registry.example/team/app:1.1');
      },
      90_000,
    );
    const rss = (await apps.listNamespacedReplicaSet({ namespace: ns })).items;
    assert.equal(rss.length, 2, 'two revisions');
    assert.deepEqual(rss.map((rs) => rs.spec?.replicas).sort(), [0, 2]);
  });

  test('a quota rejection shows up as FailedCreate on the ReplicaSet', async (t) => {
    const ns = await namespace(t, 'quota');
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: 'pods' }, spec: { hard: { pods: '1' } } },
    });
    await waitFor(
      'quota status',
      async () => (await core.readNamespacedResourceQuota({ name: 'pods', namespace: ns })).status?.hard?.pods === '1',
    );
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('big', { replicas: 3 }) });
    const ev = await waitFor('FailedCreate', async () =>
      (await events(ns)).find((e) => e.reason === 'FailedCreate' && e.involvedObject.kind === 'ReplicaSet'),
    );
    assert.match(ev.message ?? '', /exceeded quota/);
    const d = await apps.readNamespacedDeployment({ name: 'big', namespace: ns });
    assert.ok((d.status?.readyReplicas ?? 0) <= 1);
  });

  test("an unschedulable pod stays Pending with the scheduler's message", async (t) => {
    const ns = await namespace(t, 'unsched');
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'huge' },
        spec: {
          containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '64' } } }],
        },
      },
    });
    const cond = await waitFor('PodScheduled=False', async () => {
      const p = await core.readNamespacedPod({ name: 'huge', namespace: ns });
      const c = condition(p, 'PodScheduled');
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message ?? '', /0\/\d+ nodes are available: .*Insufficient cpu/);
    const ev = await waitFor('FailedScheduling', async () =>
      (await events(ns, 'huge')).find((e) => e.reason === 'FailedScheduling'),
    );
    assert.match(ev.message ?? '', /Insufficient cpu/);
    const p = await core.readNamespacedPod({ name: 'huge', namespace: ns });
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.spec?.nodeName, undefined);
  });

  test('the limited context is confined to team-a', async () => {
    const limited = config('nimbusguard-limited').makeApiClient(k8s.CoreV1Api);
    await assert.rejects(
      limited.listNamespacedPod({ namespace: 'default' }),
      (e: unknown) => (e as { code?: number }).code === 403,
    );
    await assert.rejects(limited.listPodForAllNamespaces(), (e: unknown) => (e as { code?: number }).code === 403);
    await assert.rejects(limited.listNode(), (e: unknown) => (e as { code?: number }).code === 403);
    const inTeam = await limited.listNamespacedPod({ namespace: 'team-a' });
    assert.ok(Array.isArray(inTeam.items));
  });
});

// ---------------------------------------------------------------------------
// kubelet simulation (independent, so they run side by side)

describe('kubelet simulation', { concurrency: true }, () => {
  test('memory-peak above the limit: OOMKilled, then CrashLoopBackOff; a higher limit fixes it', async (t) => {
    const ns = await namespace(t, 'oom');
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('leaky', {
        annotations: { 'sim.nimbusguard.dev/memory-peak': '300Mi' },
        limits: { memory: '128Mi' },
      }),
    });
    const first = await waitFor('an OOMKilled restart', async () => {
      const p = (await pods(ns, 'leaky'))[0];
      const st = p?.status?.containerStatuses?.[0];
      return st?.lastState?.terminated?.reason === 'OOMKilled' ? st : undefined;
    });
    assert.equal(first.lastState?.terminated?.exitCode, 137);
    const looping = await waitFor('CrashLoopBackOff', async () => {
      const st = (await pods(ns, 'leaky'))[0]?.status?.containerStatuses?.[0];
      return st?.state?.waiting?.reason === 'CrashLoopBackOff' ? st : undefined;
    });
    assert.ok((looping.restartCount ?? 0) >= 1);
    await waitFor(
      'restartCount to keep growing',
      async () => {
        const st = (await pods(ns, 'leaky'))[0]?.status?.containerStatuses?.[0];
        return (st?.restartCount ?? 0) > (looping.restartCount ?? 0);
      },
      60_000,
    );
    const evs = await events(ns);
    assert.ok(
      evs.some((e) => e.reason === 'BackOff' && /Back-off restarting failed container app/.test(e.message ?? '')),
      'BackOff event',
    );
    // While backing off the pod is not Ready (it is, briefly, after each restart).
    const pod = await waitFor('not Ready while backing off', async () => {
      const p = (await pods(ns, 'leaky'))[0];
      const waiting = p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff';
      return p && waiting && condition(p, 'Ready')?.status === 'False' ? p : undefined;
    });

    // Raising the limit rolls out a pod that survives its peak.
    await apps.patchNamespacedDeployment(
      {
        name: 'leaky',
        namespace: ns,
        body: {
          spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '512Mi' } } }] } } },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await waitFor(
      'the fixed rollout to become available',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'leaky', namespace: ns });
        return (
          d.status?.observedGeneration === d.metadata?.generation &&
          d.status?.updatedReplicas === 1 &&
          d.status?.availableReplicas === 1 &&
          d.status?.replicas === 1
        );
      },
      90_000,
    );
    await waitFor('the crashing pod to go away', async () => (await pods(ns, 'leaky')).length === 1);
    const fixed = (await pods(ns, 'leaky'))[0]!;
    assert.notEqual(fixed.metadata?.name, pod.metadata?.name);
    assert.equal(fixed.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.ok(fixed.status?.containerStatuses?.[0]?.state?.running);
    assert.equal(condition(fixed, 'Ready')?.status, 'True');
  });

  test('exit-after ends a Job pod: Never + non-zero fails the Job, exit code 0 completes it', async (t) => {
    const ns = await namespace(t, 'job');
    const job = (name: string, code: string): k8s.V1Job => ({
      metadata: { name },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { annotations: { 'sim.nimbusguard.dev/exit-after': '2', 'sim.nimbusguard.dev/exit-code': code } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'registry.example/batch:1' }] },
        },
      },
    });
    await batch.createNamespacedJob({ namespace: ns, body: job('fails', '3') });
    await batch.createNamespacedJob({ namespace: ns, body: job('works', '0') });
    const failedPod = await waitFor('the failing pod to end Failed', async () => {
      const p = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=fails' })).items[0];
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    const term = failedPod.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(term?.reason, 'Error');
    assert.equal(term?.exitCode, 3);
    assert.equal(failedPod.status?.containerStatuses?.[0]?.restartCount, 0);
    await waitFor('Job fails to be Failed', async () =>
      (await batch.readNamespacedJob({ name: 'fails', namespace: ns })).status?.conditions?.some(
        (c) => c.type === 'Failed' && c.status === 'True',
      ),
    );
    await waitFor('Job works to complete', async () =>
      (await batch.readNamespacedJob({ name: 'works', namespace: ns })).status?.conditions?.some(
        (c) => c.type === 'Complete' && c.status === 'True',
      ),
    );
    const okPod = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=works' })).items[0]!;
    assert.equal(okPod.status?.phase, 'Succeeded');
    assert.equal(okPod.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  });

  test('exit-after with restartPolicy Always restarts into CrashLoopBackOff', async (t) => {
    const ns = await namespace(t, 'exit');
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('flaky', { annotations: { 'sim.nimbusguard.dev/exit-after': '1' } }),
    });
    const st = await waitFor('CrashLoopBackOff after errors', async () => {
      const s = (await pods(ns, 'flaky'))[0]?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    });
    assert.equal(st.lastState?.terminated?.reason, 'Error');
    assert.equal(st.lastState?.terminated?.exitCode, 1);
    assert.ok((st.restartCount ?? 0) >= 1);
  });

  test('not-ready keeps a running pod out of Ready and reports Unhealthy', async (t) => {
    const ns = await namespace(t, 'notready');
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('stuck', {
        annotations: { 'sim.nimbusguard.dev/not-ready': 'true' },
        readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 },
      }),
    });
    const ev = await waitFor('an Unhealthy event', async () =>
      (await events(ns)).find((e) => e.reason === 'Unhealthy'),
    );
    assert.match(ev.message ?? '', /^Readiness probe failed: HTTP probe failed with statuscode: 503/);
    const p = (await pods(ns, 'stuck'))[0]!;
    assert.equal(p.status?.phase, 'Running');
    assert.ok(p.status?.containerStatuses?.[0]?.state?.running);
    assert.equal(p.status?.containerStatuses?.[0]?.ready, false);
    assert.equal(condition(p, 'Ready')?.status, 'False');
    assert.equal(condition(p, 'ContainersReady')?.status, 'False');
    const d = await apps.readNamespacedDeployment({ name: 'stuck', namespace: ns });
    assert.equal(d.status?.readyReplicas ?? 0, 0);
  });

  test('unpullable images go ErrImagePull then ImagePullBackOff', async (t) => {
    const ns = await namespace(t, 'pull');
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('nohost', { image: 'unreachable.invalid/team/app:1.0' }),
    });
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('notag', { image: 'registry.example/team/app:missing' }),
    });
    for (const app of ['nohost', 'notag']) {
      const seen = new Set<string>();
      await waitFor(
        `${app}: ErrImagePull and ImagePullBackOff`,
        async () => {
          const st = (await pods(ns, app))[0]?.status?.containerStatuses?.[0];
          const r = st?.state?.waiting?.reason;
          if (r) seen.add(r);
          return seen.has('ErrImagePull') && seen.has('ImagePullBackOff');
        },
        60_000,
      );
      const p = (await pods(ns, app))[0]!;
      assert.equal(p.status?.phase, 'Pending');
      // Events are recorded asynchronously: the status can be written before the BackOff event lands.
      let evs = await events(ns, p.metadata!.name!);
      await waitFor(
        `${app}: the BackOff event`,
        async () => reasons((evs = await events(ns, p.metadata!.name!))).has('BackOff'),
        15_000,
      ).catch(() => undefined);
      const r = reasons(evs);
      assert.ok(r.has('Pulling') && r.has('Failed') && r.has('BackOff'), `events: ${[...r].join(', ')}`);
      assert.ok(evs.some((e) => e.reason === 'Failed' && /^Failed to pull image/.test(e.message ?? '')));
      assert.ok(evs.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    }
  });

  test('a missing ConfigMap gives CreateContainerConfigError until it exists', async (t) => {
    const ns = await namespace(t, 'config');
    const d = deployment('configured');
    d.spec!.template.spec!.containers[0]!.env = [
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } },
    ];
    await apps.createNamespacedDeployment({ namespace: ns, body: d });
    const st = await waitFor('CreateContainerConfigError', async () => {
      const s = (await pods(ns, 'configured'))[0]?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CreateContainerConfigError' ? s : undefined;
    });
    assert.equal(st.state?.waiting?.message, 'configmap "app-config" not found');
    const p = (await pods(ns, 'configured'))[0]!;
    assert.equal(p.status?.phase, 'Pending');
    // The Event is written after the status; on a loaded machine it may arrive a moment later.
    await waitFor('the Failed event naming the ConfigMap', async () =>
      (await events(ns, p.metadata!.name!)).some(
        (e) => e.reason === 'Failed' && e.message === 'Error: configmap "app-config" not found',
      ),
    );
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'app-config' }, data: { mode: 'fast' } },
    });
    await waitFor('the pod to start once the ConfigMap exists', async () => {
      const p = (await pods(ns, 'configured'))[0];
      return p?.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True';
    });
  });

  test('metrics.k8s.io serves pod usage; the workload load is shared by its ready pods', async (t) => {
    const ns = await namespace(t, 'metrics');
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('busy', {
        replicas: 2,
        requests: { cpu: '200m', memory: '128Mi' },
        workloadAnnotations: { 'sim.nimbusguard.dev/load-cpu': '1000m', 'sim.nimbusguard.dev/load-memory': '400Mi' },
      }),
    });
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('idle', { requests: { cpu: '200m', memory: '100Mi' } }),
    });
    const first = await waitFor(
      'pod metrics for both workloads',
      async () => {
        const m = await podMetrics(ns);
        const busy = m.filter((p) => p.name.startsWith('busy-'));
        const idle = m.filter((p) => p.name.startsWith('idle-'));
        return busy.length === 2 && idle.length === 1 && busy.every((p) => near(p.cpuMilli, 500))
          ? { busy, idle }
          : undefined;
      },
      90_000,
    );
    for (const p of first.busy) assert.ok(near(p.memoryBytes, 200 * 1024 ** 2), `busy memory ${p.memoryBytes}`);
    // Without a load, usage derives from requests: half the cpu, 60% of the memory.
    assert.ok(near(first.idle[0]!.cpuMilli, 100), `idle cpu ${first.idle[0]!.cpuMilli}`);
    assert.ok(near(first.idle[0]!.memoryBytes, 60 * 1024 ** 2), `idle memory ${first.idle[0]!.memoryBytes}`);

    // Changing the load changes what each pod uses.
    await apps.patchNamespacedDeployment(
      { name: 'busy', namespace: ns, body: { metadata: { annotations: { 'sim.nimbusguard.dev/load-cpu': '3000m' } } } },
      mergePatch,
    );
    await waitFor(
      'per-pod cpu to follow the new load',
      async () => {
        const busy = (await podMetrics(ns)).filter((p) => p.name.startsWith('busy-'));
        return busy.length === 2 && busy.every((p) => near(p.cpuMilli, 1500));
      },
      90_000,
    );

    // Scaling out spreads the same load over more ready pods.
    await apps.patchNamespacedDeploymentScale(
      { name: 'busy', namespace: ns, body: { spec: { replicas: 3 } } },
      mergePatch,
    );
    await waitFor(
      'per-pod cpu to drop after scaling out',
      async () => {
        const busy = (await podMetrics(ns)).filter((p) => p.name.startsWith('busy-'));
        return busy.length === 3 && busy.every((p) => near(p.cpuMilli, 1000));
      },
      90_000,
    );
  });
});
