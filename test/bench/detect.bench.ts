// `npm run bench:detect`: how fast NimbusGuard notices trouble and how it copes with a big cluster.
// Figures are printed, not asserted. Options: --trials N, --skip-detect; for the scale half (detectScale.ts)
// --deployments N, --replicas N, --page-size N, --sweep N,N,… (page sizes to compare, 0 = unpaginated),
// --keep (leave the pods for the next run, reuse them), --populate-only, --skip-scale.
import * as k8s from '@kubernetes/client-node';
import { ClusterSession } from '../../src/cluster/clusterSession';
import { clientConfigFor, kubeconfigSources, loadKubeconfig } from '../../src/cluster/kubeconfigLoader';
import { IncidentMonitor } from '../../src/agent/incidentMonitor';
import { createIncidentAgent } from '../../src/agent/incidentAgent';
import { ADMIN, deployment, kubeConfig, kubeconfigPath, waitFor } from '../harness/kubeKit';
import { scale } from './detectScale';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const TRIALS = option('trials', 20);

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

if (!argv.includes('--skip-detect')) await timeToDetect();
if (!argv.includes('--skip-scale'))
  await scale({
    deployments: option('deployments', 1000),
    replicas: option('replicas', 10),
    keep: argv.includes('--keep'),
    ...(argv.includes('--page-size') ? { pageSize: option('page-size', 0) } : {}),
    sweep: argv.includes('--sweep') ? (argv[argv.indexOf('--sweep') + 1] ?? '').split(',').map(Number) : [],
    populateOnly: argv.includes('--populate-only'),
  });
process.exit(0);
