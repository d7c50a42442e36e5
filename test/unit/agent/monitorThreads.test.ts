// The monitor with a graph whose thread pauses for a person after diagnose (the real observe,
// detect and diagnose nodes, then an approval interrupt): the incident's analysis already shows the
// diagnosed cause while it waits, the paused thread outlives the monitor (a window reload), the next
// monitor lists it and resumes it, and only then is its checkpoint deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { END, START, StateGraph, interrupt } from '@langchain/langgraph';
import { IncidentMonitor, type AgentContext } from '../../../src/agent/incidentMonitor';
import { FileCheckpointer } from '../../../src/agent/fileCheckpointer';
import { ThreadRunner } from '../../../src/agent/threadRunner';
import { makeObserveNode } from '../../../src/agent/nodes/observe';
import { makeDetectNode } from '../../../src/agent/nodes/detect';
import { makeDiagnoseNode } from '../../../src/agent/nodes/diagnose';
import { IncidentState, type State } from '../../../src/agent/state';
import { ClusterSnapshot, NOW, addApp, ago, cond, runningStatus } from '../detect/fixtures';

function oomSnapshot(): ClusterSnapshot {
  const snapshot = new ClusterSnapshot();
  addApp(snapshot, 'checkout', {
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
  return snapshot;
}

/** observe → detect → diagnose → ask (a person approves the memory-limit cause) → end. */
function pausingAgent(dir: string, answers: unknown[]) {
  return async (context: AgentContext) => {
    const store = new FileCheckpointer(dir);
    const graph = new StateGraph(IncidentState)
      .addNode('observe', makeObserveNode(context.snapshot))
      .addNode('detect', makeDetectNode(context.snapshot, context.now))
      .addNode('diagnose', makeDiagnoseNode(context.snapshot, context.usage, context.now))
      .addNode('ask', (state: State) => {
        if (state.rootCause?.category !== 'memory-limit') return { trail: ['ask: nothing to approve'] };
        const answer = interrupt({ approve: state.rootCause.fixes[0]?.summary });
        answers.push(answer);
        return { trail: [`ask: ${String(answer)}`] };
      })
      .addEdge(START, 'observe')
      .addEdge('observe', 'detect')
      .addEdge('detect', 'diagnose')
      .addEdge('diagnose', 'ask')
      .addEdge('ask', END)
      .compile({ checkpointer: store });
    return new ThreadRunner<State>({ graph, store });
  };
}

function monitorOn(snapshot: ClusterSnapshot, dir: string, answers: unknown[]) {
  return new IncidentMonitor({
    snapshot,
    onSnapshotChange: () => ({ dispose() {} }),
    now: () => NOW,
    tickMs: 60_000,
    agent: pausingAgent(dir, answers),
  });
}

test('a thread paused for approval keeps its diagnosis and checkpoint across a reload, and ends when answered', async () => {
  const snapshot = oomSnapshot();
  const dir = mkdtempSync(join(tmpdir(), 'ng-monitor-'));
  const answers: unknown[] = [];
  const first = monitorOn(snapshot, dir, answers);
  const oom = first.evaluate().opened.find((i) => i.type === 'OOMKilled');
  assert.ok(oom, 'the OOM kill is detected');
  await first.idle();
  const waiting = first.analysis(oom.id);
  assert.equal(waiting?.status, 'paused');
  assert.equal(first.rootCause(oom.id)?.category, 'memory-limit', 'the cause is shown while the approval waits');
  const pending = await first.pending();
  assert.ok(
    pending.some(
      (p) => p.threadId === oom.id && /memory/i.test(String((p.questions[0] as { approve?: string }).approve)),
    ),
    'the question names the fix',
  );
  const onDisk = readdirSync(dir).length;
  assert.ok(onDisk >= 1, 'the paused threads are on disk');
  first.dispose();

  const second = monitorOn(snapshot, dir, answers);
  try {
    const again = await second.pending();
    assert.deepEqual(
      again.map((p) => p.threadId).sort(),
      pending.map((p) => p.threadId).sort(),
      'the reloaded monitor finds the same paused threads',
    );
    assert.equal(again.find((p) => p.threadId === oom.id)?.values.rootCause?.category, 'memory-limit');
    second.evaluate();
    await second.idle();
    assert.equal(readdirSync(dir).length, onDisk, 'reopening the incident does not restart its paused thread');
    assert.equal(second.analysis(oom.id)?.status, 'paused');
    assert.equal(
      second.rootCause(oom.id)?.category,
      'memory-limit',
      "after the reload the waiting thread's cause is shown again",
    );
    const outcome = await second.resume(oom.id, 'approved');
    assert.equal(outcome.status, 'done');
    assert.deepEqual(answers, ['approved'], 'the answer reached the node once');
    assert.equal(second.analysis(oom.id)?.status, 'done');
    assert.equal(second.analysis(oom.id)?.trail.at(-1), 'ask: approved');
    assert.ok(!(await second.pending()).some((p) => p.threadId === oom.id));
    assert.equal(readdirSync(dir).length, onDisk - 1, 'the answered thread left no checkpoint');
  } finally {
    second.dispose();
  }
});

test('without an agent the monitor only detects: no thread, no root cause', async () => {
  const snapshot = oomSnapshot();
  const monitor = new IncidentMonitor({
    snapshot,
    onSnapshotChange: () => ({ dispose() {} }),
    now: () => NOW,
    tickMs: 60_000,
  });
  try {
    const { opened } = monitor.evaluate();
    assert.ok(opened.length > 0);
    await monitor.idle();
    assert.equal(monitor.rootCause(opened[0]!.id), undefined);
    assert.deepEqual(await monitor.pending(), []);
  } finally {
    monitor.dispose();
  }
});
