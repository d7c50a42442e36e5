// Prometheus as the demand source, end to end on a real PromQL pipeline: nimbus-sim counts each
// pod's requests (sim.nimbusguard.dev/load-rps), the harness's Prometheus scrapes them, and the
// product's planner, client and state builder turn the rate into the scaling panel's proposal.
// Runs beside other test files, started first: its own scratch namespace only, nothing cluster-scoped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { PrometheusClient } from '../../src/cluster/prometheusClient';
import { PrometheusDemand } from '../../src/cluster/prometheusDemand';
import { planDemand, type PrometheusSettingsValue } from '../../src/ui/scalingPanel/demandSource';
import { buildScalingState } from '../../src/ui/scalingPanel/scalingState';
import { DEMAND_QUERY_ANNOTATION } from '../../src/core/metrics/demandQuery';
import {
  MERGE_PATCH,
  clusterDir,
  deployment,
  kubeConfig,
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
const settings: PrometheusSettingsValue = { url: PROMETHEUS, query: '', allowPolicyUrls: false };

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
let ns: { name: string; remove: () => Promise<void> };
let watched: WatchedNamespace;

before(async () => {
  ns = await scratchNamespace(kc, 'prom');
  watched = await watchIncidents([ns.name], { metrics: true });
});
after(async () => {
  watched?.dispose();
  await ns?.remove();
});

const ref = (name: string) => ({ kind: 'Deployment' as const, namespace: ns.name, name });

/** Runs the panel's pull once: plan, Prometheus read, state. */
async function panelState(demand: PrometheusDemand, name: string, s: PrometheusSettingsValue | undefined = settings) {
  const source = {
    context: 'nimbusguard-admin',
    snapshot: watched.session.snapshot,
    usage: watched.session.usage,
    metrics: watched.session.metricsState,
  };
  const workload = source.snapshot.getWorkload('Deployment', ns.name, name);
  assert.ok(workload, `${name} is in the snapshot`);
  const plan = planDemand(source.snapshot, workload, s);
  const read = plan.source === 'prometheus' ? await demand.read(plan.request) : undefined;
  return { plan, read, state: buildScalingState(source, ref(name), Date.now(), { plan, ...(read ? { read } : {}) }) };
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function annotate(name: string, annotations: Record<string, string>): Promise<void> {
  await apps.patchNamespacedDeployment({ name, namespace: ns.name, body: { metadata: { annotations } } }, MERGE_PATCH);
}

test(
  'request rate from Prometheus drives the proposal: history by range query, live ticks by instant query, capacity from CPU',
  { timeout: 600_000 },
  async () => {
    // 40 req/s on 0.1 cores in all: one pod (0.1 cores requested) serves 40 req/s at full CPU.
    const body = deployment('web', { replicas: 2 });
    body.metadata!.annotations = { 'sim.nimbusguard.dev/load-rps': '40', 'sim.nimbusguard.dev/load-cpu': '100m' };
    await apps.createNamespacedDeployment({ namespace: ns.name, body });
    await waitFor(
      'web to be ready',
      () => watched.session.snapshot.getWorkload('Deployment', ns.name, 'web')?.ready === 2,
      60_000,
    );

    const calls: string[] = [];
    const demand = new PrometheusDemand((endpoint) => {
      const real = new PrometheusClient(endpoint);
      return {
        range: (...a) => (calls.push('range'), real.range(...a)),
        instant: (...a) => (calls.push('instant'), real.instant(...a)),
      };
    });

    const first = await waitFor(
      'Prometheus to report about 40 req/s with CPU beside it',
      async () => {
        const r = await panelState(demand, 'web');
        const last = r.read?.ok ? r.read.points.at(-1) : undefined;
        return last && Math.abs(last.value - 40) < 4 && r.state.proposal?.replicaCapacity !== undefined ? r : undefined;
      },
      420_000,
      5_000,
    );
    assert.equal(first.plan.source, 'prometheus');
    assert.equal(first.state.demand.unit, 'req/s');
    assert.equal(first.state.source?.kind, 'prometheus');
    assert.equal(first.state.source?.origin, 'default');
    assert.match(
      first.state.source?.query ?? '',
      /rate\(http_requests_total\{namespace="prom-[a-z0-9]+",pod=~"[^"]*\bweb-[a-z0-9]+-\[a-z0-9\]\{5\}[|"]/,
    );
    assert.match(
      first.state.source?.description ?? '',
      /Prometheus http:\/\/127\.0\.0\.1:\d+: the default query.*capacity per replica from requests per CPU core/,
    );
    assert.ok(first.read?.ok && first.read.series === 1, 'the default query sums in PromQL');
    // 40 req/s at rho 0.5 on 2 pods: 40 req/s per pod at full CPU, 36 at the 90 % target.
    const capacity = first.state.proposal!.replicaCapacity!;
    assert.ok(capacity > 28 && capacity < 44, `capacity per replica ${capacity} req/s`);
    assert.match(first.state.proposal!.reason, /req\/s/);
    assert.ok(calls.includes('range'), 'history comes from a range query');

    // The next tick is read by an instant query and appended.
    const before = first.read!.ok ? first.read!.points.length : 0;
    calls.length = 0;
    await new Promise((r) => setTimeout(r, 16_000));
    const next = await panelState(demand, 'web');
    assert.deepEqual(calls, ['instant']);
    assert.ok(next.read?.ok && next.read.points.length === before + 1, 'one new point');

    // Load rises (CPU with it, as a real service's would): the proposal scales out on the request rate.
    await annotate('web', { 'sim.nimbusguard.dev/load-rps': '200', 'sim.nimbusguard.dev/load-cpu': '500m' });
    const high = await waitFor(
      'the request rate to reach 200 and the proposal to scale out',
      async () => {
        const r = await panelState(demand, 'web');
        const last = r.read?.ok ? r.read.points.at(-1) : undefined;
        return last && last.value > 180 && (r.state.proposal?.replicas ?? 0) >= 5 ? r : undefined;
      },
      150_000,
      5_000,
    );
    const chartDemand = high.state.chart.datasets.find((d) => d.label === 'Requests per second');
    assert.ok(
      chartDemand && chartDemand.data.some((p) => p.y !== null && p.y > 180),
      'the chart shows the request rate',
    );
    assert.ok(high.state.proposal!.replicas >= Math.ceil(200 / 44), `proposal ${high.state.proposal!.replicas}`);
  },
);

test(
  'the workload annotation overrides the query; bad queries, empty results, garbage and unreachable servers fall back to CPU with the reason',
  { timeout: 300_000 },
  async () => {
    const body = deployment('api', { replicas: 1 });
    body.metadata!.annotations = {
      'sim.nimbusguard.dev/load-rps': '10',
      [DEMAND_QUERY_ANNOTATION]: 'sum(rate(http_requests_total{namespace="$namespace",pod=~"$pods"}[1m])) * 3',
    };
    await apps.createNamespacedDeployment({ namespace: ns.name, body });
    await waitFor(
      'api to be ready',
      () => watched.session.snapshot.getWorkload('Deployment', ns.name, 'api')?.ready === 1,
      60_000,
    );
    const demand = new PrometheusDemand();
    const tripled = await waitFor(
      'the annotated query to report about 30',
      async () => {
        const r = await panelState(demand, 'api');
        const last = r.read?.ok ? r.read.points.at(-1) : undefined;
        return last && Math.abs(last.value - 30) < 3 ? r : undefined;
      },
      180_000,
      5_000,
    );
    assert.equal(tripled.state.source?.origin, 'annotation');
    assert.match(tripled.state.source?.description ?? '', /annotation nimbusguard\.dev\/demand-query/);

    const cases: [string, string | undefined, string, RegExp][] = [
      ['a syntax error', 'sum(rate(http_requests_total{[1m]))', PROMETHEUS, /PromQL query was rejected: .*parse error/],
      [
        'a metric nobody exports',
        'sum(rate(no_such_metric_total{namespace="$namespace"}[1m]))',
        PROMETHEUS,
        /matched no series/,
      ],
      [
        'a server that is not Prometheus',
        undefined,
        `http://127.0.0.1:${ports['SIM_METRICS_PORT']}`,
        /not the Prometheus API|not JSON|HTTP 404/,
      ],
      ['a closed port', undefined, `http://127.0.0.1:${await closedPort()}`, /cannot be reached: connection refused/],
    ];
    for (const [what, annotation, url, message] of cases) {
      const query = annotation ?? 'sum(rate(http_requests_total{namespace="$namespace",pod=~"$pods"}[1m]))';
      await annotate('api', { [DEMAND_QUERY_ANNOTATION]: query });
      const r = await waitFor(
        `the error for ${what}`,
        async () => {
          if (
            watched.session.snapshot.getWorkload('Deployment', ns.name, 'api')?.annotations[DEMAND_QUERY_ANNOTATION] !==
            query
          )
            return undefined;
          const got = await panelState(new PrometheusDemand(), 'api', { ...settings, url });
          return got.read && !got.read.ok ? got : undefined;
        },
        30_000,
        1_000,
      );
      assert.match(r.state.notes[0] ?? '', message, what);
      assert.match(r.state.notes[0] ?? '', /Showing CPU from metrics\.k8s\.io instead/, what);
      assert.equal(r.state.source?.kind, 'cpu', what);
      assert.equal(r.state.demand.unit, 'cores', what);
    }
    // Without a Prometheus URL the panel stays on CPU and says nothing about Prometheus.
    const cpu = await panelState(demand, 'api', { ...settings, url: '' });
    assert.equal(cpu.plan.source, 'cpu');
    assert.equal(cpu.state.source?.kind, 'cpu');
    assert.ok(cpu.state.notes.every((n) => !/Prometheus/.test(n)));
  },
);
