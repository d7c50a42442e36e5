import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  demandMetric,
  governanceOf,
  parseScalingPolicy,
  selects,
  type PolicyKind,
} from '../../../src/core/scaling/scalingPolicies';
import { template, workload } from '../detect/fixtures';

const root = join(import.meta.dirname, '../../../..');
const sample = (file: string) => parse(readFileSync(join(root, 'media/crds/samples', file), 'utf8'));

test('the shipped samples parse, with the fields the issue lists', () => {
  const is = parseScalingPolicy('IntelligentScaling', sample('intelligentscaling.yaml'));
  assert.ok(is.ok);
  assert.deepEqual(is.policy.selector, { namespace: 'shop', labels: { app: 'web' } });
  assert.equal(is.policy.minReplicas, 2);
  assert.equal(is.policy.maxReplicas, 12);
  assert.equal(is.policy.prometheusUrl, 'http://prometheus.monitoring.svc:9090');
  assert.deepEqual(demandMetric(is.policy), { query: is.policy.metrics[0]!.query, threshold: 50, condition: 'gt' });
  const sp = parseScalingPolicy('ScalingPolicy', sample('scalingpolicy.yaml'));
  assert.ok(sp.ok);
  assert.deepEqual(sp.policy.targetRef, { kind: 'Deployment', name: 'checkout' });
  assert.equal(sp.policy.targetUtilization, 0.7, 'percent becomes a fraction');
  assert.deepEqual(sp.policy.behavior, {
    scaleUp: { maxStepPercent: 100, cooldownSeconds: 60 },
    scaleDown: { maxStepPercent: 25, cooldownSeconds: 300 },
  });
  assert.equal(sp.policy.label, 'ScalingPolicy shop/checkout');
});

test('malformed policies become one clear message each and never throw', () => {
  const meta = { metadata: { namespace: 'shop', name: 'bad' } };
  const cases: [PolicyKind, unknown, RegExp][] = [
    ['ScalingPolicy', { ...meta }, /no spec/],
    ['ScalingPolicy', { ...meta, spec: { targetRef: { kind: 'Deployment' } } }, /targetRef\.name is missing/],
    ['ScalingPolicy', { ...meta, spec: { targetRef: { kind: 'CronJob', name: 'x' } } }, /Deployment or StatefulSet/],
    [
      'ScalingPolicy',
      { ...meta, spec: { targetRef: { name: 'x' }, minReplicas: 5, maxReplicas: 2 } },
      /minimum \(5\) is above its maximum \(2\)/,
    ],
    [
      'ScalingPolicy',
      { ...meta, spec: { targetRef: { name: 'x' }, minReplicas: -1 } },
      /minReplicas must be a whole number/,
    ],
    ['ScalingPolicy', { ...meta, spec: { targetRef: { name: 'x' }, targetUtilization: 250 } }, /targetUtilization/],
    [
      'ScalingPolicy',
      { ...meta, spec: { targetRef: { name: 'x' }, metrics: [{ query: 'q', threshold: 0 }] } },
      /threshold must be a positive number/,
    ],
    [
      'ScalingPolicy',
      { ...meta, spec: { targetRef: { name: 'x' }, metrics: [{ query: 'q', condition: 'ge' }] } },
      /condition must be "gt" or "lt"/,
    ],
    ['ScalingPolicy', { ...meta, spec: { targetRef: { name: 'x' }, metrics: 'q' } }, /must be a list/],
    [
      'ScalingPolicy',
      { ...meta, spec: { targetRef: { name: 'x' }, behavior: { scaleUp: { maxStepPercent: -5 } } } },
      /maxStepPercent/,
    ],
    ['IntelligentScaling', { ...meta, spec: { min_replicas: 1 } }, /target_labels must name at least one/],
    ['IntelligentScaling', { ...meta, spec: { target_labels: { app: 7 } } }, /values must be strings/],
    [
      'IntelligentScaling',
      { ...meta, spec: { target_labels: { app: 'x' }, metrics_config: { prometheus_url: 'javascript:alert(1)' } } },
      /prometheus_url must be an http/,
    ],
    ['IntelligentScaling', { ...meta, spec: { target_labels: { app: 'x' }, max_replicas: 0 } }, /maximum is 0/],
    ['IntelligentScaling', null, /no spec/],
    ['IntelligentScaling', 'garbage', /no spec/],
  ];
  for (const [kind, raw, message] of cases) {
    const r = parseScalingPolicy(kind, raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    assert.match(!r.ok ? r.message : '', message);
    assert.match(!r.ok ? r.message : '', /is ignored: /);
  }
  const hostile = parseScalingPolicy('ScalingPolicy', {
    metadata: { namespace: 'a\nb', name: 'x'.repeat(600) },
    spec: {},
  });
  assert.ok(!hostile.ok && !hostile.message.includes('\n') && hostile.message.length < 400);
});

test('selection: ScalingPolicy by targetRef in its namespace, IntelligentScaling by pod template labels', () => {
  const web = workload('web', { template: template({ labels: { app: 'web', tier: 'front' } }) });
  const sp = parseScalingPolicy('ScalingPolicy', {
    metadata: { namespace: 'shop', name: 'p' },
    spec: { targetRef: { kind: 'Deployment', name: 'web' } },
  });
  const other = parseScalingPolicy('ScalingPolicy', {
    metadata: { namespace: 'other', name: 'p' },
    spec: { targetRef: { kind: 'Deployment', name: 'web' } },
  });
  const byLabel = parseScalingPolicy('IntelligentScaling', {
    metadata: { namespace: 'ops', name: 'i' },
    spec: { namespace: 'shop', target_labels: { app: 'web' } },
  });
  const wrongLabel = parseScalingPolicy('IntelligentScaling', {
    metadata: { namespace: 'shop', name: 'j' },
    spec: { target_labels: { app: 'web', tier: 'back' } },
  });
  assert.ok(sp.ok && other.ok && byLabel.ok && wrongLabel.ok);
  assert.equal(selects(sp.policy, web), true);
  assert.equal(selects(other.policy, web), false);
  assert.equal(selects(byLabel.policy, web), true, "spec.namespace names the workloads' namespace");
  assert.equal(selects(wrongLabel.policy, web), false);

  const one = governanceOf(web, [sp.policy, wrongLabel.policy], undefined);
  assert.equal(one.policy, sp.policy);
  assert.deepEqual(one.notes, []);
  const overlap = governanceOf(web, [sp.policy, byLabel.policy], undefined);
  assert.equal(overlap.policy, undefined, 'overlapping policies are never merged');
  assert.match(
    overlap.notes[0]!,
    /selected by 2 scaling policies \(IntelligentScaling ops\/i, ScalingPolicy shop\/p\); none is applied/,
  );
  const withHpa = governanceOf(web, [sp.policy], 'web-hpa');
  assert.equal(withHpa.policy, sp.policy);
  assert.match(withHpa.notes[0]!, /both ScalingPolicy shop\/p and the HorizontalPodAutoscaler web-hpa/);
});
