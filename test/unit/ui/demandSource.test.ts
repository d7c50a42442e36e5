import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSnapshot } from '../../../src/core/model/snapshot';
import { UsageHistory } from '../../../src/core/model/usageHistory';
import { planDemand, type PrometheusSettingsValue } from '../../../src/ui/scalingPanel/demandSource';
import { buildScalingState } from '../../../src/ui/scalingPanel/scalingState';
import { DEMAND_QUERY_ANNOTATION } from '../../../src/core/metrics/demandQuery';
import { container, template, workload } from '../detect/fixtures';

const settings: PrometheusSettingsValue = {
  url: 'http://prom.local:9090',
  authHeader: 'Authorization: Bearer secret',
  query: '',
  allowPolicyUrls: false,
};

function snapshot(annotations: Record<string, string> = {}): ClusterSnapshot {
  const s = new ClusterSnapshot();
  s.upsertWorkload(
    workload('web', {
      annotations,
      template: template({ containers: [container({ resources: { requests: { cpu: '250m' }, limits: {} } })] }),
    }),
  );
  return s;
}

test('the configured URL gets the auth header; a policy URL never does, and is used only when allowed', () => {
  const s = snapshot();
  const w = s.getWorkload('Deployment', 'shop', 'web')!;
  const policy = {
    label: 'ScalingPolicy shop/web',
    prometheusUrl: 'http://evil.example:9090',
    query: 'sum(rate(x[1m]))',
  };
  const configured = planDemand(s, w, settings, policy);
  assert.equal(configured.source, 'prometheus');
  assert.ok(configured.source === 'prometheus');
  assert.equal(configured.request.endpoint.url, 'http://prom.local:9090', "the user's URL wins over the policy's");
  assert.equal(configured.request.endpoint.authHeader, 'Authorization: Bearer secret');
  assert.equal(configured.choice.origin, 'policy');

  const notAllowed = planDemand(s, w, { ...settings, url: '' }, policy);
  assert.equal(notAllowed.source, 'cpu');
  assert.match(notAllowed.source === 'cpu' ? (notAllowed.note ?? '') : '', /allowPolicyUrls/);

  const allowed = planDemand(s, w, { ...settings, url: '', allowPolicyUrls: true }, policy);
  assert.ok(allowed.source === 'prometheus');
  assert.equal(allowed.request.endpoint.url, 'http://evil.example:9090');
  assert.equal(
    allowed.request.endpoint.authHeader,
    undefined,
    'the stored header never goes to a URL from a cluster object',
  );
  assert.equal(allowed.urlFrom, 'policy');

  assert.deepEqual(planDemand(s, w, undefined), { source: 'cpu' });
});

test('placeholders are filled from the snapshot and the annotation wins', () => {
  const s = snapshot({ [DEMAND_QUERY_ANNOTATION]: 'sum(rate(req{ns="$namespace",w="$workload"}[1m]))' });
  const plan = planDemand(s, s.getWorkload('Deployment', 'shop', 'web')!, settings);
  assert.ok(plan.source === 'prometheus');
  assert.equal(plan.request.query, 'sum(rate(req{ns="shop",w="web"}[1m]))');
  assert.equal(plan.choice.origin, 'annotation');
});

test('state: Prometheus demand in req/s with its source; a failed read falls back to CPU and says why', () => {
  const s = snapshot();
  const usage = new UsageHistory();
  const t0 = 1_700_000_000;
  for (let i = 0; i < 60; i++)
    for (const pod of ['a', 'b', 'c'])
      usage.add('Deployment', 'shop', 'web', 'app', { t: t0 + i * 15, cpu: 0.125, memory: 1, pod });
  const source = { context: 'dev', snapshot: s, usage, metrics: { phase: 'serving' as const, pods: 3 } };
  const w = s.getWorkload('Deployment', 'shop', 'web')!;
  const plan = planDemand(s, w, settings);
  const points = Array.from({ length: 60 }, (_, i) => ({ t: t0 + i * 15, value: 90 }));
  const state = buildScalingState(source, { kind: 'Deployment', namespace: 'shop', name: 'web' }, 1, {
    plan,
    read: { ok: true, points, series: 3 },
  });
  assert.equal(state.demand.unit, 'req/s');
  assert.equal(state.source?.kind, 'prometheus');
  assert.match(
    state.source?.description ?? '',
    /^Prometheus http:\/\/prom\.local:9090: the default query .*3 series summed; capacity per replica from requests per CPU core/,
  );
  // 90 req/s on 3 pods at rho 0.5: 60 req/s per pod at full CPU, 54 at the 90 % target.
  assert.ok(Math.abs(state.proposal!.replicaCapacity! - 54) < 1e-6, String(state.proposal?.replicaCapacity));
  assert.equal(state.chart.datasets[0]!.label, 'Requests per second');

  const failed = buildScalingState(source, { kind: 'Deployment', namespace: 'shop', name: 'web' }, 1, {
    plan,
    read: { ok: false, error: { kind: 'badQuery', message: 'The PromQL query was rejected: parse error.' } },
  });
  assert.equal(failed.source?.kind, 'cpu');
  assert.equal(failed.demand.unit, 'cores');
  assert.match(
    failed.notes[0]!,
    /^Prometheus \(http:\/\/prom\.local:9090\): The PromQL query was rejected: parse error\. Showing CPU/,
  );
  assert.ok(failed.proposal, 'the CPU proposal still stands');
});
