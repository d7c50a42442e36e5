// The seeds' scaling policy custom resources on the real control plane: absent CRDs are normal,
// installed ones are watched, a policy's bounds, threshold and query drive the proposal for the
// workload it selects (with Prometheus demand), overlaps and an HPA beside a policy are reported,
// and a malformed policy is ignored with a message.
// Runs beside other test files, started first: its own scratch namespace; no other cluster test uses
// the nimbusguard.io CRDs it installs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { PolicyWatcher } from '../../src/cluster/policyWatcher';
import { PrometheusDemand } from '../../src/cluster/prometheusDemand';
import { governedBy, planDemand } from '../../src/ui/scalingPanel/demandSource';
import { buildScalingState } from '../../src/ui/scalingPanel/scalingState';
import {
  clusterDir,
  deployment,
  kubeConfig,
  repoRoot,
  scratchNamespace,
  waitFor,
  watchIncidents,
  type WatchedNamespace,
} from '../harness/kubeKit';

const ports = Object.fromEntries(
  readFileSync(join(clusterDir, 'ports.env'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => l.split('=') as [string, string]),
);
const PROMETHEUS = `http://127.0.0.1:${ports['PROMETHEUS_PORT']}`;
const CRD_FILES = ['intelligentscalings.nimbusguard.io.yaml', 'scalingpolicies.nimbusguard.io.yaml'];
const CRD_NAMES = ['intelligentscalings.nimbusguard.io', 'scalingpolicies.nimbusguard.io'];

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
const crds = kc.makeApiClient(k8s.ApiextensionsV1Api);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);
let ns: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;
let watcher: PolicyWatcher;

async function removeCrds(): Promise<void> {
  for (const name of CRD_NAMES) await crds.deleteCustomResourceDefinition({ name }).catch(() => undefined);
  await waitFor(
    'the CRDs to be gone',
    async () => {
      const list = await crds.listCustomResourceDefinition();
      return list.items.every((c) => !CRD_NAMES.includes(c.metadata?.name ?? ''));
    },
    60_000,
    500,
  );
}

before(async () => {
  await removeCrds();
  ns = await scratchNamespace(kc, 'policy');
  watched = await watchIncidents([ns.name], { metrics: true });
  watcher = new PolicyWatcher(kc, undefined, 1_000);
  watcher.start();
});
after(async () => {
  watcher?.stop();
  watched?.dispose();
  await ns?.remove();
  await removeCrds();
});

function policy(kind: 'ScalingPolicy' | 'IntelligentScaling', name: string, spec: Record<string, unknown>) {
  const [group, version, plural] =
    kind === 'ScalingPolicy'
      ? ['nimbusguard.io', 'v1', 'scalingpolicies']
      : ['nimbusguard.io', 'v1alpha1', 'intelligentscalings'];
  return objects.createNamespacedCustomObject({
    group,
    version,
    plural,
    namespace: ns.name,
    body: { apiVersion: `${group}/${version}`, kind, metadata: { name }, spec },
  });
}

const workloadOf = (name: string) => watched.session.snapshot.getWorkload('Deployment', ns.name, name);

test('without the CRDs there is nothing to read and nothing wrong', async () => {
  await waitFor('the watcher to settle', () => watcher.settled, 30_000);
  assert.deepEqual(watcher.states(), { IntelligentScaling: 'absent', ScalingPolicy: 'absent' });
  assert.deepEqual(watcher.problems(), []);
  assert.deepEqual(watcher.policies(), []);
});

test(
  'installed CRDs are watched: bounds and threshold drive the proposal, overlaps and HPAs are reported, malformed policies ignored',
  { timeout: 600_000 },
  async () => {
    for (const file of CRD_FILES) {
      await crds.createCustomResourceDefinition({
        body: parse(readFileSync(join(repoRoot, 'media/crds', file), 'utf8')),
      });
    }
    await waitFor(
      'the CRDs to be established',
      async () => {
        const list = await crds.listCustomResourceDefinition();
        return CRD_NAMES.every((n) =>
          list.items
            .find((c) => c.metadata?.name === n)
            ?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
        );
      },
      60_000,
      500,
    );
    await waitFor(
      'the watcher to pick the CRDs up',
      () =>
        JSON.stringify(watcher.states()) ===
        JSON.stringify({ IntelligentScaling: 'watching', ScalingPolicy: 'watching' }),
      60_000,
      250,
    );

    const web = deployment('web', { replicas: 2 });
    web.metadata!.annotations = { 'sim.nimbusguard.dev/load-rps': '300' };
    const api = deployment('api');
    const db = deployment('db');
    for (const body of [web, api, db]) await apps.createNamespacedDeployment({ namespace: ns.name, body });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: ns.name,
      body: {
        metadata: { name: 'db-hpa' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'db' },
          minReplicas: 1,
          maxReplicas: 4,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
          ],
        },
      },
    });
    const query = 'sum(rate(http_requests_total{namespace="$namespace",pod=~"$pods"}[1m]))';
    await policy('ScalingPolicy', 'web-policy', {
      targetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ query, threshold: 20, condition: 'gt' }],
    });
    await policy('IntelligentScaling', 'api-a', {
      namespace: ns.name,
      target_labels: { app: 'api' },
      min_replicas: 1,
      max_replicas: 3,
    });
    await policy('IntelligentScaling', 'api-b', { namespace: ns.name, target_labels: { app: 'api' }, max_replicas: 9 });
    await policy('ScalingPolicy', 'db-policy', { targetRef: { kind: 'Deployment', name: 'db' }, maxReplicas: 5 });
    await policy('ScalingPolicy', 'broken', {
      targetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 5,
      maxReplicas: 2,
    });

    await waitFor(
      'the policies to be read',
      () => watcher.policies().length === 4 && watcher.problems().length === 1,
      30_000,
    );
    assert.match(
      watcher.problems()[0]!,
      new RegExp(`^ScalingPolicy ${ns.name}/broken is ignored: its minimum \\(5\\) is above its maximum \\(2\\)\\.$`),
    );
    await waitFor(
      'the workloads and the HPA in the snapshot',
      () =>
        workloadOf('web')?.ready === 2 &&
        workloadOf('api') &&
        workloadOf('db') &&
        watched.session.snapshot.list('HorizontalPodAutoscaler', ns.name).length === 1,
      60_000,
    );

    // Which workloads each policy governs (what the tree shows), and what is reported.
    const webGov = governedBy(watched.session.snapshot, watcher.policies(), workloadOf('web')!);
    assert.equal(
      webGov.policy?.label,
      `ScalingPolicy ${ns.name}/web-policy`,
      'the malformed policy on the same workload is ignored, not an overlap',
    );
    assert.deepEqual([webGov.policy?.minReplicas, webGov.policy?.maxReplicas, webGov.policy?.threshold], [2, 6, 20]);
    const apiGov = governedBy(watched.session.snapshot, watcher.policies(), workloadOf('api')!);
    assert.equal(apiGov.policy, undefined);
    assert.match(
      apiGov.notes[0]!,
      new RegExp(
        `selected by 2 scaling policies \\(IntelligentScaling ${ns.name}/api-a, IntelligentScaling ${ns.name}/api-b\\); none is applied`,
      ),
    );
    const dbGov = governedBy(watched.session.snapshot, watcher.policies(), workloadOf('db')!);
    assert.equal(dbGov.policy?.label, `ScalingPolicy ${ns.name}/db-policy`);
    assert.match(dbGov.notes[0]!, /HorizontalPodAutoscaler db-hpa: two controllers would scale it/);

    // The policy's query, threshold and bounds drive the proposal on Prometheus demand: 300 req/s at
    // 20 per replica would need 15 replicas; the policy allows 6.
    const demand = new PrometheusDemand();
    const source = () => ({
      context: 'nimbusguard-admin',
      snapshot: watched.session.snapshot,
      usage: watched.session.usage,
      metrics: watched.session.metricsState,
    });
    const state = await waitFor(
      'a proposal on the request rate',
      async () => {
        const w = workloadOf('web')!;
        const governed = governedBy(watched.session.snapshot, watcher.policies(), w);
        const plan = planDemand(
          watched.session.snapshot,
          w,
          { url: PROMETHEUS, query: '', allowPolicyUrls: false },
          governed.policy,
        );
        const read = plan.source === 'prometheus' ? await demand.read(plan.request) : undefined;
        const s = buildScalingState(source(), { kind: 'Deployment', namespace: ns.name, name: 'web' }, Date.now(), {
          plan,
          ...(read ? { read } : {}),
          ...(governed.policy ? { policy: governed.policy } : {}),
          policyNotes: governed.notes,
        });
        const last = read?.ok ? read.points.at(-1) : undefined;
        return last && last.value > 270 && s.proposal ? s : undefined;
      },
      420_000,
      5_000,
    );
    assert.equal(state.source?.kind, 'prometheus');
    assert.equal(state.source?.origin, 'policy');
    assert.equal(state.source?.policy, `ScalingPolicy ${ns.name}/web-policy`);
    assert.match(
      state.source?.description ?? '',
      /ScalingPolicy .*web-policy's query.*capacity per replica from the policy's threshold/,
    );
    assert.ok(Math.abs(state.proposal!.replicaCapacity! - 20) < 1e-6, `capacity ${state.proposal!.replicaCapacity}`);
    assert.equal(state.proposal!.replicas, 6, "the policy's maximum bounds the proposal");
    assert.match(state.proposal!.reason, /Bounds 2–6 from ScalingPolicy/);

    // Removing the malformed policy clears its message; removing the CRDs is not an error either.
    await objects.deleteNamespacedCustomObject({
      group: 'nimbusguard.io',
      version: 'v1',
      plural: 'scalingpolicies',
      namespace: ns.name,
      name: 'broken',
    });
    await waitFor('the message to go', () => watcher.problems().length === 0, 30_000);
    await removeCrds();
    await waitFor(
      'the watcher to see the CRDs gone',
      () =>
        JSON.stringify(watcher.states()) === JSON.stringify({ IntelligentScaling: 'absent', ScalingPolicy: 'absent' }),
      60_000,
      250,
    );
    assert.deepEqual(watcher.policies(), []);
    assert.deepEqual(watcher.problems(), []);
  },
);
