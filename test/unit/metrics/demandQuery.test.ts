import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_DEMAND_QUERY,
  DEMAND_QUERY_ANNOTATION,
  chooseDemandQuery,
  expandDemandQuery,
  podNamePattern,
  promString,
  regexLiteral,
} from '../../../src/core/metrics/demandQuery';

test('precedence: annotation, then policy, then setting, then the default', () => {
  const policy = { name: 'web-policy', query: 'sum(rate(policy_total[1m]))' };
  const annotations = { [DEMAND_QUERY_ANNOTATION]: ' sum(rate(annotated_total[1m])) ' };
  assert.deepEqual(chooseDemandQuery({ annotations, policy, setting: 'setting_q' }), {
    template: 'sum(rate(annotated_total[1m]))',
    origin: 'annotation',
  });
  assert.deepEqual(chooseDemandQuery({ annotations: {}, policy, setting: 'setting_q' }), {
    template: policy.query,
    origin: 'policy',
    policy: 'web-policy',
  });
  assert.deepEqual(
    chooseDemandQuery({ annotations: {}, policy: { name: 'p', query: undefined }, setting: 'setting_q' }),
    { template: 'setting_q', origin: 'setting' },
  );
  assert.deepEqual(chooseDemandQuery({ annotations: { [DEMAND_QUERY_ANNOTATION]: '   ' }, setting: '' }), {
    template: DEFAULT_DEMAND_QUERY,
    origin: 'default',
  });
  assert.equal(
    chooseDemandQuery({ annotations: { [DEMAND_QUERY_ANNOTATION]: 'x'.repeat(5000) } }).origin,
    'default',
    'an oversized annotation is ignored',
  );
});

test("the default query is a 1-minute request rate summed over the workload's pods", () => {
  assert.match(DEFAULT_DEMAND_QUERY, /rate\(http_requests_total\{namespace="\$namespace",pod=~"\$pods"\}\[1m\]\)/);
});

test('placeholders are filled in and escaped for PromQL strings', () => {
  const q = expandDemandQuery('sum(rate(x{namespace="$namespace",app="$workload",pod=~"$pods"}[1m])) + $namespacex', {
    namespace: 'shop',
    workload: 'web"}) or vector(1e9',
    pods: 'web-abc-[a-z0-9]{5}|web\\.x',
  });
  assert.equal(
    q,
    'sum(rate(x{namespace="shop",app="web\\"}) or vector(1e9",pod=~"web-abc-[a-z0-9]{5}|web\\\\.x"}[1m])) + $namespacex',
  );
});

test('pod pattern: ReplicaSet pods of a Deployment, present pods, and nothing when there are none', () => {
  const pattern = podNamePattern({
    kind: 'Deployment',
    name: 'web',
    replicaSets: ['web-7d9f8b6c5d', 'web-5c4b'],
    pods: ['web-7d9f8b6c5d-x2x3z'],
  });
  const re = new RegExp(`^(?:${pattern})$`);
  assert.ok(re.test('web-7d9f8b6c5d-abcde'));
  assert.ok(re.test('web-5c4b-zzzzz'), 'pods of an older ReplicaSet still match (history)');
  assert.ok(!re.test('web-api-7d9f8b6c5d-abcde'), 'another Deployment whose name starts the same does not');
  assert.ok(!re.test('web-api-0'));
  const sts = new RegExp(`^(?:${podNamePattern({ kind: 'StatefulSet', name: 'db.v1', replicaSets: [], pods: [] })})$`);
  assert.ok(sts.test('db.v1-0') && sts.test('db.v1-12') && !sts.test('dbxv1-0'), 'dots are literal');
  const none = podNamePattern({ kind: 'Deployment', name: 'web', replicaSets: [], pods: [] });
  assert.ok(!new RegExp(`^(?:${none})$`).test('') && !new RegExp(`^(?:${none})$`).test('web-abc-defgh'));
});

test('escaping helpers', () => {
  assert.equal(regexLiteral('a.b(c)*'), 'a\\.b\\(c\\)\\*');
  assert.equal(promString('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
});
