// The outcomes other than `resolved`, through `nimbusguard fix --wait` on the real control plane:
// exit 4 with the change id to roll back. A fix that lets a container start whose image then
// crashes regresses the workload (a new incident on it stays open), counts as reward -1 in the
// success rate of its (cause × fix kind), and is rolled back exactly; a wait too short for the
// rollout is inconclusive and counts in no rate.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeConfig, scratchNamespace, waitForIncident } from '../harness/kubeKit';
import { applyManifest, diagnosisSession } from './diagnoseKit';
import { describeRun, oomManifest, privateHome, runCli, specOf } from './actKit';

const kc = kubeConfig();
const ADMIN = ['--context', 'nimbusguard-admin'];

/** The Secret is missing (CreateContainerConfigError); once the container starts, its image crashes after 8 s. */
const ordersManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: 1
  selector:
    matchLabels:
      app: orders
  template:
    metadata:
      labels:
        app: orders
    spec:
      containers:
        - name: orders
          image: registry.example/shop/orders:1.0-crashes
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-credentials
                  key: password
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

test(
  'regressed: the container the fix lets start crashes; fix exits 4 naming the rollback, the rate records -1, and the rollback restores',
  { timeout: 600_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'act-regress');
    const watched = await diagnosisSession([ns.name]);
    const home = privateHome();
    try {
      await applyManifest(kc, ordersManifest, ns.name);
      await waitForIncident(watched.monitor, 'CreateContainerConfigError', 'Deployment', 'orders', ns.name, 150_000);
      const before = await specOf(kc, 'Deployment', ns.name, 'orders');
      const run = await runCli(
        [
          'fix',
          'deployment/orders',
          '-n',
          ns.name,
          ...ADMIN,
          '--confirm-context',
          'nimbusguard-admin',
          '--confirm-risk',
          'high',
          '--yes',
          '--wait',
          '180',
          '--json',
        ],
        home,
      );
      assert.equal(run.code, 4, describeRun(run));
      const json = run.json!;
      assert.equal(json['exitCode'], 4);
      assert.equal(json['proposal']['fixKind'], 'config-reference', describeRun(run));
      assert.equal(json['outcome']['result'], 'regressed', describeRun(run));
      assert.ok((json['outcome']['newIncidents'] as string[]).length > 0, describeRun(run));
      const changeId = String(json['change']['id']);
      assert.match(run.stderr, new RegExp(`outcome is regressed: nimbusguard rollback ${changeId}`), run.stderr);
      t.diagnostic(
        `regressed after ${(Number(json['outcome']['elapsedMs']) / 1000).toFixed(1)}s: ${json['outcome']['detail']}`,
      );

      // The reward: this (cause category × fix kind) resolved 0 of 1 times, mean reward -1.
      const history = await runCli(['history', ...ADMIN, '--json'], home);
      assert.equal(history.code, 0, describeRun(history));
      const rates = history.json!['successRates'] as {
        category: string;
        fixKind: string;
        samples: number;
        rate: number;
        meanReward: number;
      }[];
      assert.deepEqual(
        rates.map((r) => [r.category, r.fixKind, r.samples, r.rate, r.meanReward]),
        [[json['proposal']['category'], 'config-reference', 1, 0, -1]],
      );
      const text = await runCli(['history', ...ADMIN], home);
      assert.match(text.stdout, new RegExp(`${changeId} .*→ regressed`));
      assert.match(text.stdout, /success rates \(cause × fix\):\n {2}\S+ × config-reference: 0% of 1/);

      const back = await runCli(['rollback', changeId, ...ADMIN, '--yes', '--wait', '60', '--json'], home);
      assert.equal(back.code, 0, describeRun(back));
      assert.equal(back.json?.['outcome']?.['result'], 'restored', describeRun(back));
      assert.deepEqual(
        await specOf(kc, 'Deployment', ns.name, 'orders'),
        before,
        'the rollback restores the object exactly',
      );
    } finally {
      watched.dispose();
      await ns.remove();
    }
  },
);

test(
  'inconclusive: a wait shorter than the rollout exits 4 with the change id, and the outcome counts in no success rate',
  { timeout: 300_000 },
  async () => {
    const ns = await scratchNamespace(kc, 'act-short');
    const watched = await diagnosisSession([ns.name]);
    const home = privateHome();
    try {
      // New pods count as available only after 10 s Ready, so the rollout cannot finish within the 1 s wait.
      await applyManifest(
        kc,
        oomManifest.replace('  replicas: 1\n', '  replicas: 1\n  minReadySeconds: 10\n'),
        ns.name,
      );
      await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'api', ns.name, 150_000);
      const run = await runCli(
        ['fix', 'deployment/api', '-n', ns.name, ...ADMIN, '--yes', '--wait', '1', '--json'],
        home,
      );
      assert.equal(run.code, 4, describeRun(run));
      const json = run.json!;
      assert.equal(json['outcome']['result'], 'inconclusive', describeRun(run));
      assert.equal(json['outcome']['detail'], 'the rollout did not finish in time');
      assert.equal(json['outcome']['rollout'], 'unfinished');
      assert.match(
        run.stderr,
        new RegExp(`applied as change ${String(json['change']['id'])}, but the outcome is inconclusive`),
      );
      const history = await runCli(['history', ...ADMIN, '--json'], home);
      const record = (history.json!['changes'] as { id: string; outcome?: { result: string } }[]).find(
        (c) => c.id === json['change']['id'],
      );
      assert.equal(record?.outcome?.result, 'inconclusive');
      assert.deepEqual(history.json!['successRates'], [], 'an inconclusive outcome is no reward');
    } finally {
      watched.dispose();
      await ns.remove();
    }
  },
);
