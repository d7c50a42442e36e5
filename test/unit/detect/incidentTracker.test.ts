import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentTracker } from '../../../src/core/detect/incidentTracker';
import { incidentId, type Finding } from '../../../src/core/model/incident';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function crash(overrides: Partial<Finding> = {}): Finding {
  return {
    type: 'CrashLoopBackOff',
    severity: 'critical',
    workload: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
    key: 'api',
    summary: '2 of 3 pods of checkout restart in a loop',
    evidence: [{ kind: 'status', source: { kind: 'Pod', namespace: 'shop', name: 'checkout-1' }, text: '5 restarts' }],
    ...overrides,
  };
}
const node: Finding = {
  type: 'NodeNotReady',
  severity: 'critical',
  workload: { kind: 'Node', namespace: '', name: 'n1' },
  summary: 'Node n1 is NotReady',
  evidence: [],
};

test('opens an incident with a stable id, then updates lastSeen without reopening', () => {
  const tracker = new IncidentTracker();
  const first = tracker.reconcile([crash()], at(0));
  assert.equal(first.opened.length, 1);
  const incident = first.opened[0]!;
  assert.equal(incident.id, incidentId(crash()));
  assert.deepEqual(
    [incident.status, incident.firstSeen, incident.lastSeen],
    ['open', at(0).toISOString(), at(0).toISOString()],
  );

  const same = tracker.reconcile([crash()], at(30));
  assert.deepEqual([same.opened.length, same.updated.length, same.resolved.length], [0, 0, 0]);
  assert.equal(tracker.get(incident.id)!.lastSeen, at(30).toISOString());
  assert.equal(tracker.get(incident.id)!.firstSeen, at(0).toISOString());

  const changed = tracker.reconcile([crash({ summary: '3 of 3 pods of checkout restart in a loop' })], at(60));
  assert.equal(changed.updated.length, 1);
  assert.equal(tracker.open().length, 1);
});

test('hysteresis: one missed evaluation, or a short absence, does not resolve', () => {
  const tracker = new IncidentTracker({ resolveAfterMisses: 2, resolveAfterMs: 10_000 });
  tracker.reconcile([crash()], at(0));
  assert.equal(tracker.reconcile([], at(2)).resolved.length, 0);
  assert.equal(tracker.reconcile([crash()], at(4)).opened.length, 0, 'flapping back keeps the same open incident');
  assert.equal(tracker.reconcile([], at(5)).resolved.length, 0);
  assert.equal(tracker.reconcile([], at(6)).resolved.length, 0, 'two misses but only 2 s since last seen');
  const done = tracker.reconcile([], at(20));
  assert.equal(done.resolved.length, 1);
  assert.equal(done.resolved[0]!.resolvedAt, at(20).toISOString());
  assert.equal(tracker.open().length, 0);
  assert.equal(tracker.all().length, 1);
});

test('a resolved incident that recurs reopens with the same id and firstSeen', () => {
  const tracker = new IncidentTracker();
  const id = tracker.reconcile([crash()], at(0)).opened[0]!.id;
  tracker.reconcile([], at(20));
  tracker.reconcile([], at(40));
  assert.equal(tracker.get(id)!.status, 'resolved');
  const again = tracker.reconcile([crash(), node], at(100));
  assert.equal(again.opened.length, 2);
  const reopened = tracker.get(id)!;
  assert.deepEqual(
    [reopened.status, reopened.firstSeen, reopened.lastSeen, reopened.resolvedAt],
    ['open', at(0).toISOString(), at(100).toISOString(), undefined],
  );
  assert.equal(tracker.all().length, 2);
});

test('resolved incidents are forgotten after the retention period', () => {
  const tracker = new IncidentTracker({ retentionMs: 60_000 });
  tracker.reconcile([crash()], at(0));
  tracker.reconcile([], at(20));
  tracker.reconcile([], at(40));
  tracker.reconcile([], at(90));
  assert.equal(tracker.all().length, 1);
  tracker.reconcile([], at(101));
  assert.equal(tracker.all().length, 0);
});

test('duplicate findings for one id keep the most severe', () => {
  const tracker = new IncidentTracker();
  const { opened } = tracker.reconcile(
    [crash({ severity: 'warning' }), crash({ severity: 'critical' }), crash({ severity: 'info' })],
    at(0),
  );
  assert.equal(opened.length, 1);
  assert.equal(opened[0]!.severity, 'critical');
});

test('JSON round trip keeps incidents, status and hysteresis state; bad input is ignored', () => {
  const tracker = new IncidentTracker();
  tracker.reconcile([crash(), node], at(0));
  tracker.reconcile([crash()], at(20));
  const json = JSON.parse(JSON.stringify(tracker));
  const restored = IncidentTracker.fromJSON(json);
  assert.deepEqual(restored.all(), tracker.all());
  // The node incident already missed once: one more miss past 10 s resolves it.
  assert.equal(restored.reconcile([crash()], at(40)).resolved.length, 1);
  assert.equal(IncidentTracker.fromJSON(null).all().length, 0);
  assert.equal(
    IncidentTracker.fromJSON({ incidents: [{ id: 1 }, 'x', { ...json.incidents[0], type: 'Nope' }] }).all().length,
    0,
  );
  assert.equal(IncidentTracker.fromJSON('garbage').all().length, 0);
});

test('all() orders by severity, then recency', () => {
  const tracker = new IncidentTracker();
  tracker.reconcile([crash({ severity: 'warning' })], at(0));
  tracker.reconcile([crash({ severity: 'warning' }), node], at(10));
  assert.deepEqual(
    tracker.all().map((i) => i.type),
    ['NodeNotReady', 'CrashLoopBackOff'],
  );
});
