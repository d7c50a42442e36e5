// `npm run bench:detect`: how fast NimbusGuard notices trouble and how it copes with a big cluster.
// Figures are printed, not asserted. Options: --trials N, --deployments N, --replicas N, --skip-scale.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ClusterSession } from '../../src/cluster/clusterSession';
import { clientConfigFor, kubeconfigSources, loadKubeconfig } from '../../src/cluster/kubeconfigLoader';
import { KIND_BINDINGS } from '../../src/cluster/resourceKinds';
import { IncidentMonitor } from '../../src/agent/incidentMonitor';
import { createIncidentAgent } from '../../src/agent/incidentAgent';
import { ADMIN, deployment, kubeConfig, kubeconfigPath, repoRoot, waitFor } from '../harness/kubeKit';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const TRIALS = option('trials', 20);
const DEPLOYMENTS = option('deployments', 1000);
const REPLICAS = option('replicas', 10);

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

async function freshNamespace(name: string): Promise<void> {
  await core.deleteNamespace({ name }).catch(() => undefined);
  await waitFor(
    `namespace ${name} to be gone`,
    async () =>
      await core.readNamespace({ name }).then(
        () => false,
        () => true,
      ),
    300_000,
    500,
  );
  await core.createNamespace({ body: { metadata: { name } } });
  await waitFor(
    `default service account in ${name}`,
    async () =>
      await core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(
        () => true,
        () => false,
      ),
    60_000,
  );
}

async function session(namespaces: string[], metrics = false): Promise<ClusterSession> {
  const loaded = await loadKubeconfig(kubeconfigSources(kubeconfigPath, {}));
  const s = new ClusterSession(clientConfigFor(loaded, ADMIN), ADMIN, { namespaces, metrics });
  await s.start();
  return s;
}

/** From the moment a pod's status shows the OOM kill in the API to the incident being open. */
async function timeToDetect(): Promise<void> {
  const ns = 'bench-detect';
  await freshNamespace(ns);
  const s = await session([ns]);
  await s.whenSynced();
  const monitor = new IncidentMonitor({
    snapshot: s.snapshot,
    onSnapshotChange: s.onDidChange,
    usage: s.usage,
    agent: async (context) => createIncidentAgent(context),
  });
  const statusSeen = new Map<string, number>();
  const detected = new Map<string, number>();
  const diagnosed = new Map<string, number>();
  const ids = new Map<string, string>();
  monitor.onDidChange(({ opened }) => {
    for (const i of opened) {
      if (i.type !== 'OOMKilled' || detected.has(i.workload.name)) continue;
      detected.set(i.workload.name, performance.now());
      ids.set(i.workload.name, i.id);
    }
    for (const [name, id] of ids)
      if (!diagnosed.has(name) && monitor.analysis(id)?.rootCause) diagnosed.set(name, performance.now());
  });
  // An independent watch stands in for "the API changed": it sees the status at the same moment
  // any client on this machine could.
  const watch = await new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${ns}/pods`,
    {},
    (_type, pod: k8s.V1Pod) => {
      const app = pod.metadata?.labels?.['app'];
      const oom = pod.status?.containerStatuses?.some(
        (c) => c.lastState?.terminated?.reason === 'OOMKilled' || c.state?.terminated?.reason === 'OOMKilled',
      );
      if (app && oom && !statusSeen.has(app)) statusSeen.set(app, performance.now());
    },
    () => undefined,
  );
  const latencies: number[] = [];
  const diagnosis: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const name = `oom-${i}`;
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(name, { memoryLimit: '128Mi', annotations: { 'sim.nimbusguard.dev/memory-peak': '300Mi' } }),
    });
    await waitFor(`${name} to be detected`, () => detected.has(name) && statusSeen.has(name), 120_000, 20);
    latencies.push(detected.get(name)! - statusSeen.get(name)!);
    await waitFor(`${name} to be diagnosed`, () => diagnosed.has(name), 60_000, 10);
    diagnosis.push(diagnosed.get(name)! - detected.get(name)!);
    await apps.deleteNamespacedDeployment({ name, namespace: ns });
  }
  watch.abort();
  monitor.dispose();
  s.dispose();
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  console.log(
    `\nTime to detect (OOMKilled, ${TRIALS} trials; status change seen by a watch → incident open in the snapshot's monitor)`,
  );
  console.log(
    `  p50 ${ms(pct(latencies, 50))}   p95 ${ms(pct(latencies, 95))}   max ${ms(Math.max(...latencies))}   (target p95 ≤ 1000 ms; the tree repaints at most 100 ms later)`,
  );
  console.log(
    'Time from incident to diagnosis (the agent thread observe → detect → diagnose finished, root cause ready)',
  );
  console.log(`  p50 ${ms(pct(diagnosis, 50))}   p95 ${ms(pct(diagnosis, 95))}   max ${ms(Math.max(...diagnosis))}`);
}

async function scale(): Promise<void> {
  const ns = 'bench-scale';
  const total = DEPLOYMENTS * REPLICAS;
  console.log(`\nScale: creating ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas = ${total} pods on kwok nodes…`);
  // Extra fake nodes sized for the load; kwok manages every node with this annotation.
  const benchNodes = Math.ceil(total / 900);
  for (let i = 0; i < benchNodes; i++) {
    const name = `bench-node-${i}`;
    const capacity = { cpu: '256', memory: '1Ti', pods: '1000', 'ephemeral-storage': '1Ti' };
    await core
      .createNode({
        body: {
          metadata: {
            name,
            annotations: {
              'kwok.x-k8s.io/node': 'fake',
              'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${name}/metrics/resource`,
            },
            labels: { type: 'kwok', 'kubernetes.io/hostname': name },
          },
          spec: {
            podCIDR: `10.${200 + Math.floor(i / 64)}.${(i % 64) * 4}.0/22`,
            podCIDRs: [`10.${200 + Math.floor(i / 64)}.${(i % 64) * 4}.0/22`],
          },
          status: { allocatable: capacity, capacity },
        },
      })
      .catch(() => undefined);
  }
  await freshNamespace(ns);
  const started = performance.now();
  let next = 0;
  const workers = Array.from({ length: 8 }, async () => {
    while (next < DEPLOYMENTS) {
      const i = next++;
      const body = deployment(`svc-${i}`, { replicas: REPLICAS });
      body.spec!.template.spec!.containers[0]!.resources = { requests: { cpu: '1m', memory: '1Mi' } };
      await apps.createNamespacedDeployment({ namespace: ns, body });
    }
  });
  await Promise.all(workers);
  await waitFor(
    `${total} pods`,
    async () => {
      const list = await core.listNamespacedPod({ namespace: ns, limit: 1 });
      const count = (list.metadata?.remainingItemCount ?? 0) + list.items.length;
      return count >= total;
    },
    1_800_000,
    2_000,
  );
  console.log(`  the cluster holds ${total} pods after ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const convertTimes: number[] = [];
  for (const binding of KIND_BINDINGS) {
    const convert = binding.convert;
    binding.convert = (o) => {
      const t = performance.now();
      const r = convert(o);
      convertTimes.push(performance.now() - t);
      return r;
    };
  }
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const s = await session([], false);
  await s.whenSynced(300_000);
  const firstSnapshot = performance.now() - t0;
  (globalThis as { gc?: () => void }).gc?.();
  const heap = process.memoryUsage().heapUsed - heapBefore;
  const podsSeen = s.snapshot.count('Pod');
  const monitor = new IncidentMonitor({ snapshot: s.snapshot, onSnapshotChange: s.onDidChange });
  const d0 = performance.now();
  monitor.evaluate();
  const detectAllMs = performance.now() - d0;

  // Incremental updates: time spent per watch event, from the object to the updated snapshot.
  const upsert = s.snapshot.upsert.bind(s.snapshot);
  const updateTimes: number[] = [];
  s.snapshot.upsert = ((kind, record) => {
    const t = performance.now();
    upsert(kind, record);
    updateTimes.push(performance.now() - t + (convertTimes.at(-1) ?? 0));
  }) as typeof s.snapshot.upsert;
  for (let i = 0; i < Math.min(100, DEPLOYMENTS); i++) {
    await apps.patchNamespacedDeploymentScale(
      { name: `svc-${i}`, namespace: ns, body: { spec: { replicas: REPLICAS + 1 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }
  await waitFor('the scale-ups to arrive', () => updateTimes.length >= 300, 300_000, 200);
  monitor.dispose();
  s.dispose();

  const scanStart = performance.now();
  const scan = spawnSync(
    process.execPath,
    [join(repoRoot, 'dist/cli.js'), 'scan', '--json', '--kubeconfig', kubeconfigPath, '--timeout', '300'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const scanMs = performance.now() - scanStart;
  const incidents =
    scan.status === 2
      ? `error: ${scan.stderr.trim()}`
      : `${(JSON.parse(scan.stdout) as { incidents: unknown[] }).incidents.length} incidents`;

  console.log(`  first complete snapshot: ${(firstSnapshot / 1000).toFixed(2)} s for ${podsSeen} pods (target ≤ 10 s)`);
  console.log(`  heap used by the session: ${(heap / 1048576).toFixed(0)} MB (target ≤ 300 MB)`);
  console.log(`  one detector pass over the snapshot: ${ms(detectAllMs)}`);
  console.log(
    `  per incremental update (convert + index), ${updateTimes.length} watch events: mean ${ms(updateTimes.reduce((a, b) => a + b, 0) / updateTimes.length)}, p95 ${ms(pct(updateTimes, 95))} (target ≤ 1 ms)`,
  );
  console.log(
    `  nimbusguard scan --json wall time: ${(scanMs / 1000).toFixed(2)} s (exit ${scan.status}, ${incidents})`,
  );
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  for (let i = 0; i < benchNodes; i++) await core.deleteNode({ name: `bench-node-${i}` }).catch(() => undefined);
}

await timeToDetect();
if (!argv.includes('--skip-scale')) await scale();
process.exit(0);
