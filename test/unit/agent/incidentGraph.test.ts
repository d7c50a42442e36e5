// The agent graph's first stages on a snapshot: one thread per incident, observe gathers focused
// evidence, detect confirms; checkpoints persist as files and are deleted when a thread ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncidentMonitor } from '../../../src/agent/incidentMonitor';
import { FileCheckpointer } from '../../../src/agent/fileCheckpointer';
import { buildIncidentGraph } from '../../../src/agent/graph';
import { createIncidentAgent } from '../../../src/agent/incidentAgent';
import { incidentId, type Incident } from '../../../src/core/model/incident';
import { ClusterSnapshot, NOW, addApp, ago, cond, event, ref, runningStatus } from '../detect/fixtures';

function oomApp(s: ClusterSnapshot) {
  return addApp(s, 'checkout', {
    pod: (i) =>
      i === 0
        ? {
            containerStatuses: [
              runningStatus({
                ready: false,
                restartCount: 4,
                state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
                lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(30) } },
              }),
            ],
            conditions: [
              cond('PodScheduled', 'True'),
              cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(600) }),
            ],
          }
        : {},
  });
}

function monitorFor(snapshot: ClusterSnapshot, dir: string) {
  const listeners = new Set<() => void>();
  const monitor = new IncidentMonitor({
    snapshot,
    onSnapshotChange: (l) => (listeners.add(l), { dispose: () => listeners.delete(l) }),
    agent: async (context) => createIncidentAgent({ ...context, checkpointDir: dir }),
    now: () => NOW,
    tickMs: 60_000,
  });
  return monitor;
}

test('a new incident runs observe → detect in its own thread, and the finished thread is deleted', async () => {
  const snapshot = new ClusterSnapshot();
  const app = oomApp(snapshot);
  snapshot.upsert(
    'Event',
    event(ref('Pod', app.pods[0]!.meta.name), 'BackOff', 'Back-off restarting failed container app', {
      type: 'Warning',
      count: 7,
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'ng-graph-'));
  const monitor = monitorFor(snapshot, dir);
  try {
    const { opened } = monitor.evaluate();
    const types = opened.map((i) => i.type).sort();
    assert.ok(types.includes('OOMKilled') && types.includes('CrashLoopBackOff'), `opened ${types.join(', ')}`);
    await monitor.idle();
    const oom = opened.find((i) => i.type === 'OOMKilled')!;
    const analysis = monitor.analysis(oom.id);
    assert.ok(analysis, 'the thread finished');
    assert.equal(analysis.confirmed?.type, 'OOMKilled');
    assert.ok(
      analysis.observed.some((e) => e.kind === 'revision' && /revision 1/.test(e.text)),
      'observe lists the revisions',
    );
    assert.ok(
      analysis.confirmed!.evidence.some((e) => e.kind === 'event' && e.reason === 'BackOff'),
      'focused events are merged into the evidence',
    );
    assert.deepEqual(
      analysis.trail.map((t) => t.split(':')[0]),
      ['observe', 'detect', 'diagnose'],
    );
    assert.equal(analysis.rootCause?.category, 'memory-limit', 'diagnose explains the OOM kill');
    assert.ok(
      analysis.rootCause?.fields.some((f) => f.endsWith('resources.limits.memory')),
      'and implicates the memory limit',
    );
    assert.deepEqual(readdirSync(dir), [], 'finished threads leave no checkpoint behind');
    assert.equal(monitor.evaluate().opened.length, 0, 'a second evaluation opens nothing new');
  } finally {
    monitor.dispose();
  }
});

test('detect reports a condition that cleared before the thread ran', async () => {
  const snapshot = new ClusterSnapshot();
  const dir = mkdtempSync(join(tmpdir(), 'ng-graph-'));
  addApp(snapshot, 'checkout');
  const stale: Incident = {
    id: incidentId({ type: 'OOMKilled', workload: ref('Deployment', 'checkout'), key: 'app' }),
    type: 'OOMKilled',
    severity: 'critical',
    status: 'open',
    workload: ref('Deployment', 'checkout'),
    key: 'app',
    summary: 'was OOMKilled',
    evidence: [],
    firstSeen: ago(60),
    lastSeen: ago(30),
  };
  const graph = buildIncidentGraph({
    snapshot: () => snapshot,
    now: () => NOW,
    checkpointer: new FileCheckpointer(dir),
  });
  const result = await graph.invoke({ incident: stale }, { configurable: { thread_id: stale.id } });
  assert.equal(result.confirmed, null);
  assert.equal(result.rootCause, null, 'nothing is diagnosed for a cleared condition');
  assert.match(result.trail.at(-1)!, /no longer holds/);
});

test('checkpoints written to disk are read back by a new checkpointer', async () => {
  const snapshot = new ClusterSnapshot();
  oomApp(snapshot);
  const dir = mkdtempSync(join(tmpdir(), 'ng-graph-'));
  const incident: Incident = {
    id: 'persisted-thread',
    type: 'OOMKilled',
    severity: 'critical',
    status: 'open',
    workload: ref('Deployment', 'checkout'),
    key: 'app',
    summary: 'was OOMKilled',
    evidence: [],
    firstSeen: ago(60),
    lastSeen: ago(30),
  };
  const first = buildIncidentGraph({
    snapshot: () => snapshot,
    now: () => NOW,
    checkpointer: new FileCheckpointer(dir),
  });
  await first.invoke({ incident }, { configurable: { thread_id: incident.id } });
  assert.equal(readdirSync(dir).length, 1);
  const reloaded = new FileCheckpointer(dir);
  assert.deepEqual(reloaded.threads(), ['persisted-thread']);
  const second = buildIncidentGraph({ snapshot: () => snapshot, now: () => NOW, checkpointer: reloaded });
  const state = await second.getState({ configurable: { thread_id: incident.id } });
  assert.equal(state.values.confirmed?.type, 'OOMKilled');
  assert.equal(state.next.length, 0, 'the thread had finished');
  await reloaded.deleteThread(incident.id);
  assert.deepEqual(readdirSync(dir), []);
});

test('a configured LLM step may reword the explanation but never the fixes', async () => {
  const snapshot = new ClusterSnapshot();
  oomApp(snapshot);
  const dir = mkdtempSync(join(tmpdir(), 'ng-graph-'));
  const incident: Incident = {
    id: incidentId({ type: 'OOMKilled', workload: ref('Deployment', 'checkout'), key: 'app' }),
    type: 'OOMKilled',
    severity: 'critical',
    status: 'open',
    workload: ref('Deployment', 'checkout'),
    key: 'app',
    summary: 'was OOMKilled',
    evidence: [],
    firstSeen: ago(60),
    lastSeen: ago(30),
  };
  const graph = buildIncidentGraph({
    snapshot: () => snapshot,
    now: () => NOW,
    checkpointer: new FileCheckpointer(dir),
    explainer: () => async (cause) => ({
      ...cause,
      source: 'llm',
      explanation: 'Clearer words.',
      fixes: [{ summary: 'delete the namespace' }],
      confidence: 1,
    }),
  });
  const result = await graph.invoke({ incident }, { configurable: { thread_id: incident.id } });
  assert.equal(result.rootCause?.explanation, 'Clearer words.');
  assert.equal(result.rootCause?.source, 'llm');
  assert.notEqual(result.rootCause?.fixes[0]?.summary, 'delete the namespace', "the rule engine's fixes stay");
  assert.ok((result.rootCause?.confidence ?? 1) < 1);
  assert.deepEqual(
    result.trail.map((t) => t.split(':')[0]),
    ['observe', 'detect', 'diagnose', 'explain'],
  );
});
