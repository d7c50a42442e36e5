import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SEVERITIES,
  SEVERITY_RANK,
  SEVERITY_STYLE,
  bySeverity,
  isSeverity,
  severityLabelIcon,
} from '../../../src/core/model/severity';
import {
  CONTROLLER_KINDS,
  POD_TEMPLATE_KINDS,
  POD_OWNER_KINDS,
  SCALABLE_KINDS,
  WORKLOAD_KINDS,
  isControllerKind,
  isPodOwnerKind,
  isPodTemplateKind,
  isScalableKind,
  isWorkloadKind,
} from '../../../src/core/model/workload';

test('severities: one order, rank and style for every view', () => {
  const list = [{ severity: 'info' as const }, { severity: 'critical' as const }, { severity: 'warning' as const }];
  assert.deepEqual(
    [...list].sort(bySeverity).map((i) => i.severity),
    [...SEVERITIES],
  );
  assert.ok(SEVERITY_RANK.critical > SEVERITY_RANK.warning && SEVERITY_RANK.warning > SEVERITY_RANK.info);
  for (const s of SEVERITIES) {
    assert.ok(isSeverity(s));
    assert.match(SEVERITY_STYLE[s].icon, /^[a-z-]+$/);
    assert.equal(severityLabelIcon(s), `$(${SEVERITY_STYLE[s].icon})`);
  }
  for (const v of ['fatal', 'Critical', '', 2, undefined, 'constructor', '__proto__'])
    assert.equal(isSeverity(v), false, String(v));
});

test('workload kinds: each wider list holds the narrower one, and the predicates agree with the lists', () => {
  const within = (inner: readonly string[], outer: readonly string[]) => inner.every((k) => outer.includes(k));
  assert.ok(within(SCALABLE_KINDS, WORKLOAD_KINDS));
  assert.ok(within(WORKLOAD_KINDS, CONTROLLER_KINDS));
  assert.ok(within(WORKLOAD_KINDS, POD_TEMPLATE_KINDS) && within(POD_TEMPLATE_KINDS, CONTROLLER_KINDS));
  assert.ok(!isPodTemplateKind('CronJob'), "a CronJob's pod template sits under spec.jobTemplate");
  assert.ok(within(CONTROLLER_KINDS, POD_OWNER_KINDS));
  for (const k of POD_OWNER_KINDS) {
    assert.equal(isWorkloadKind(k), (WORKLOAD_KINDS as readonly string[]).includes(k), k);
    assert.equal(isControllerKind(k), (CONTROLLER_KINDS as readonly string[]).includes(k), k);
    assert.equal(isScalableKind(k), (SCALABLE_KINDS as readonly string[]).includes(k), k);
    assert.equal(isPodTemplateKind(k), (POD_TEMPLATE_KINDS as readonly string[]).includes(k), k);
    assert.ok(isPodOwnerKind(k));
  }
  for (const k of ['Pod', 'Service', 'HorizontalPodAutoscaler', 'deployment', '']) assert.ok(!isPodOwnerKind(k), k);
  assert.deepEqual([...POD_OWNER_KINDS].sort(), [
    'CronJob',
    'DaemonSet',
    'Deployment',
    'Job',
    'ReplicaSet',
    'ReplicationController',
    'StatefulSet',
  ]);
});
