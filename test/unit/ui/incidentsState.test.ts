import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentTracker } from '../../../src/core/detect/incidentTracker';
import type { Evidence, Finding, Incident } from '../../../src/core/model/incident';
import type { RootCause } from '../../../src/core/model/rootCause';
import {
  buildIncidentDetail,
  buildIncidentsState,
  evidenceTimeline,
  type IncidentsSource,
} from '../../../src/ui/incidentsPanel/incidentsState';
import { ago, NOW } from '../detect/fixtures';

const ref = (kind: string, name: string, namespace = 'shop') => ({ kind, namespace, name });

function finding(type: Finding['type'], name: string, severity: Finding['severity'] = 'critical'): Finding {
  return {
    type,
    severity,
    workload: ref('Deployment', name),
    summary: `${type} on ${name}`,
    evidence: [{ kind: 'status', source: ref('Pod', `${name}-1`), text: 'waiting' }],
  };
}

function cause(incident: Incident, extra: Partial<RootCause> = {}): RootCause {
  return {
    incidentId: incident.id,
    incidentType: incident.type,
    category: 'memory-limit',
    summary: 'memory limit 128Mi is below the peak of 300Mi',
    explanation: 'The kernel killed the container.',
    confidence: 0.9,
    fields: ['spec.template.spec.containers[name=app].resources.limits.memory'],
    evidence: incident.evidence,
    fixes: [
      {
        summary: 'Raise the memory limit',
        edits: [{ path: 'spec.template.spec.containers[name=app].resources.limits.memory', value: '384Mi' }],
      },
    ],
    source: 'rules',
    ...extra,
  };
}

function source(incidents: Incident[], over: Partial<IncidentsSource> = {}): IncidentsSource {
  return {
    context: 'kind-dev',
    synced: true,
    evaluated: true,
    incidents,
    causeOf: () => undefined,
    groupOf: () => undefined,
    retentionMs: 3_600_000,
    ...over,
  };
}

test('the list: open and recently resolved incidents with cause and correlation group; resolved ones are not re-diagnosed', () => {
  const tracker = new IncidentTracker({ resolveAfterMisses: 1, resolveAfterMs: 0 });
  tracker.reconcile(
    [finding('OOMKilled', 'checkout'), finding('ImagePullBackOff', 'payments', 'warning')],
    new Date(NOW.getTime() - 60_000),
  );
  tracker.reconcile([finding('OOMKilled', 'checkout')], NOW);
  const all = tracker.all();
  const oom = all.find((i) => i.type === 'OOMKilled')!;
  const asked: string[] = [];
  const state = buildIncidentsState(
    source(all, {
      causeOf: (id) => (asked.push(id), id === oom.id ? cause(oom) : undefined),
      groupOf: (id) => (id === oom.id ? 'node-1' : undefined),
    }),
    42,
  );
  assert.equal(state.updatedAt, 42);
  assert.equal(state.loading, false);
  assert.equal(state.retentionMinutes, 60);
  assert.deepEqual(
    state.rows.map((r) => [r.type, r.status]),
    [
      ['OOMKilled', 'open'],
      ['ImagePullBackOff', 'resolved'],
    ],
  );
  assert.equal(state.rows[0]!.cause, 'memory limit 128Mi is below the peak of 300Mi');
  assert.equal(state.rows[0]!.groupId, 'node-1');
  assert.ok(state.rows[1]!.resolvedAt);
  assert.deepEqual(asked, [oom.id], 'only open incidents are diagnosed');
  assert.doesNotThrow(() => JSON.stringify(state));
});

test('the list says why it is empty: not connected, still reading the context, or no incidents', () => {
  assert.match(buildIncidentsState(undefined, 1).notes[0]!, /Not connected/);
  const reading = buildIncidentsState(source([], { synced: false }), 1);
  assert.equal(reading.loading, true);
  assert.match(reading.notes[0]!, /Reading context kind-dev/);
  assert.equal(
    buildIncidentsState(source([], { evaluated: false }), 1).loading,
    true,
    'not loaded until the detectors ran once',
  );
  assert.match(buildIncidentsState(source([]), 1).notes[0]!, /No incidents in context kind-dev/);
});

test('the evidence chain as a timeline: dated entries oldest first, the state now after them', () => {
  const e = (text: string, lastSeen?: string, kind: Evidence['kind'] = 'event'): Evidence => ({
    kind,
    source: ref('Pod', 'web-1'),
    text,
    ...(lastSeen ? { lastSeen } : {}),
  });
  const timeline = evidenceTimeline([
    e('status now', undefined, 'status'),
    e('latest', ago(10)),
    e('oldest', ago(600)),
    e('bad time', 'not a date'),
    e('middle', ago(60)),
  ]);
  assert.deepEqual(
    timeline.map((t) => t.text),
    ['oldest', 'middle', 'latest', 'status now', 'bad time'],
  );
  assert.equal(timeline[0]!.source, 'Pod shop/web-1');
});

test('the detail: cause with fields and fixes in words, timeline, chart for the incident type, proposals only when supplied', () => {
  const tracker = new IncidentTracker();
  tracker.reconcile(
    [
      {
        ...finding('CrashLoopBackOff', 'api'),
        evidence: [
          {
            kind: 'event',
            source: ref('Pod', 'api-1'),
            reason: 'BackOff',
            text: 'Back-off restarting failed container',
            count: 12,
            lastSeen: ago(5),
          },
        ],
      },
    ],
    NOW,
  );
  const incident = tracker.open()[0]!;
  const signals = [0, 1, 2].map((i) => ({ t: 1000 + i * 15, ready: 0, desired: 2, restarts: i * 2, pending: 0 }));
  const detail = buildIncidentDetail({
    incident,
    cause: cause(incident),
    groupId: undefined,
    trail: ['detect: confirmed'],
    signals,
  });
  assert.equal(detail.row.id, incident.id);
  assert.deepEqual(detail.cause?.fixes, [
    'Raise the memory limit (spec.template.spec.containers[name=app].resources.limits.memory → 384Mi)',
  ]);
  assert.equal(detail.cause?.confidence, 0.9);
  assert.equal(detail.timeline[0]!.count, 12);
  assert.equal(detail.chart?.signal, 'restarts');
  assert.deepEqual(
    detail.chart?.datasets[0]!.data.map((p) => p.y),
    [0, 2, 4],
  );
  assert.equal(detail.proposals, undefined, 'no proposal rendered unless the host supplies one');
  const withProposal = buildIncidentDetail({
    incident,
    cause: undefined,
    groupId: 'g',
    trail: [],
    signals: [],
    proposals: [{ proposalId: 'p1', planHash: 'h1', summary: 'Raise the memory limit' }],
  });
  assert.equal(withProposal.proposals?.length, 1);
  assert.equal(withProposal.cause, undefined);
  assert.equal(withProposal.chart, undefined, 'no samples, no chart');
  assert.equal(withProposal.row.groupId, 'g');
});

test("the timeline holds the cause's evidence chain and what the detector saw, each link once", async () => {
  const { mergedEvidence } = await import('../../../src/ui/incidentsPanel/incidentsState');
  const a: Evidence = {
    kind: 'event',
    source: ref('Pod', 'p'),
    reason: 'Failed',
    text: 'pull failed',
    lastSeen: ago(5),
  };
  const b: Evidence = { kind: 'status', source: ref('Pod', 'p'), text: 'waiting' };
  const c: Evidence = {
    kind: 'spec',
    source: ref('Deployment', 'd'),
    field: 'spec.template.spec.containers[name=app].image',
    text: 'image x',
  };
  assert.deepEqual(mergedEvidence([c, a], [a, b, { ...b }]), [c, a, b]);
});
