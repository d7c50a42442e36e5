// Evidence from logs on the real control plane: kwok serves the simulated containers' logs
// (current, --previous, --tail) through the API server, the monitor reads the failed run's tail for
// the pods in an incident, and the root cause quotes the error line, in the session and in `scan`.
// Runs beside other test files: its own scratch namespace only, nothing cluster-scoped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { readLogTail } from '../../src/cluster/podLogs';
import {
  ADMIN,
  LIMITED,
  kubeConfig,
  kubeconfigPath,
  repoRoot,
  scratchNamespace,
  waitFor,
  watchIncidents,
  type WatchedNamespace,
} from '../harness/kubeKit';
import { applyManifest, waitForDiagnosis } from './diagnoseKit';

const kc = kubeConfig();
let ns: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;
const PANIC = 'panic: assignment to entry in nil map (orders.go:42)';
const DB = 'FATAL: password authentication failed for user "orders"';

before(async () => {
  ns = await scratchNamespace(kc, 'pods-logs');
  watched = await watchIncidents([ns.name]);
});
after(async () => {
  watched?.dispose();
  await ns?.remove();
});

const manifest = `apiVersion: apps/v1
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
      annotations:
        sim.nimbusguard.dev/exit-after: "1"
        sim.nimbusguard.dev/log-error: "${PANIC}"
    spec:
      containers:
        - name: orders
          image: registry.example/shop/orders:2.3
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations:
        sim.nimbusguard.dev/exit-after: "1"
        sim.nimbusguard.dev/log-error: '${DB}'
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example/shop/migrate:2.3
`;

test('a crash loop and a failed Job are explained by their logs, in the session and in scan', async () => {
  await applyManifest(kc, manifest, ns.name);
  const loop = await waitForDiagnosis(
    watched.monitor,
    'CrashLoopBackOff',
    { kind: 'Deployment', name: 'orders', namespace: ns.name },
    (c) => c.evidence.some((e) => e.kind === 'log'),
    120_000,
  );
  const log = loop.cause.evidence.find((e) => e.kind === 'log')!;
  assert.equal(log.source.kind, 'Pod');
  assert.ok(log.text.includes(`previous run of orders logged: "${PANIC}"`), log.text);
  assert.match(log.text, /it ended with: .*"exit status 1"/);
  assert.ok(loop.cause.summary.includes(PANIC), loop.cause.summary);

  const failed = await waitForDiagnosis(
    watched.monitor,
    'JobFailed',
    { kind: 'Job', name: 'migrate', namespace: ns.name },
    (c) => c.evidence.some((e) => e.kind === 'log'),
    120_000,
  );
  assert.ok(
    failed.cause.evidence.some((e) => e.kind === 'log' && e.text.includes(`last run of migrate logged: "${DB}"`)),
    JSON.stringify(failed.cause.evidence),
  );
  assert.ok(failed.cause.summary.includes(DB), failed.cause.summary);

  // One-shot scan: reads the logs before it prints.
  const run = promisify(execFile);
  const args = [
    join(repoRoot, 'dist/cli.js'),
    'scan',
    '--kubeconfig',
    kubeconfigPath,
    '--context',
    ADMIN,
    '--namespace',
    ns.name,
  ];
  const text = await run(process.execPath, args).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  assert.ok(text.stdout.includes(`log: `) && text.stdout.includes(PANIC), text.stdout);
  const json = await run(process.execPath, [...args, '--json'], { maxBuffer: 32 * 1024 * 1024 }).catch(
    (e: { stdout: string }) => ({ stdout: e.stdout }),
  );
  const incidents = (
    JSON.parse(json.stdout) as {
      incidents: { type: string; name: string; rootCause?: { evidence: { kind: string; text: string }[] } }[];
    }
  ).incidents;
  const crash = incidents.find((i) => i.type === 'CrashLoopBackOff' && i.name === 'orders');
  assert.ok(
    crash?.rootCause?.evidence.some((e) => e.kind === 'log' && e.text.includes(PANIC)),
    JSON.stringify(crash),
  );
});

test('a user who may not read pod logs, and a run that left no log, give "unavailable" with the reason, not an error', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const pod = await waitFor(
    'a pod of orders',
    async () => (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=orders' })).items[0],
    60_000,
  );
  const name = pod.metadata!.name!;
  const limited = await readLogTail(kubeConfig(LIMITED), {
    namespace: ns.name,
    pod: name,
    container: 'orders',
    previous: true,
    restartCount: 1,
  });
  assert.deepEqual(limited.lines, []);
  assert.match(limited.unavailable ?? '', /^Forbidden: the current user may not read pod logs/);
  const missing = await readLogTail(kc, {
    namespace: ns.name,
    pod: name,
    container: 'no-such-container',
    previous: true,
    restartCount: 0,
  });
  assert.deepEqual(missing.lines, []);
  assert.match(missing.unavailable ?? '', /^no logs \(/);
});
