// The shadow pod's timeline from pod states and events as the API server returns them: each step
// once, in time order, counts updated in place, and the failure steps a user needs to see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eventSteps,
  failedCreateStep,
  mergeTimeline,
  podSteps,
  removedStep,
  sameTimeline,
} from '../../../src/cluster/actions/shadowTimeline';
import type { ShadowTimelineEntry } from '../../../src/core/model/proposal';

const created = '2026-03-01T10:00:00Z';
const pending = {
  metadata: { name: 'api-ng-shadow-x7k2p', creationTimestamp: created },
  spec: {},
  status: { phase: 'Pending' },
};
const scheduled = {
  ...pending,
  spec: { nodeName: 'kwok-node-1' },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-03-01T10:00:01Z' }],
    containerStatuses: [{ name: 'api', restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
  },
};
const ready = {
  ...scheduled,
  status: {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-03-01T10:00:01Z' },
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-03-01T10:00:04Z' },
    ],
    containerStatuses: [{ name: 'api', restartCount: 0, state: { running: { startedAt: '2026-03-01T10:00:03Z' } } }],
  },
};
const oomKilled = {
  ...scheduled,
  status: {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-03-01T10:00:01Z' },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: '2026-03-01T10:00:09Z' },
    ],
    containerStatuses: [
      {
        name: 'api',
        restartCount: 1,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
        lastState: {
          terminated: {
            reason: 'OOMKilled',
            exitCode: 137,
            startedAt: '2026-03-01T10:00:03Z',
            finishedAt: '2026-03-01T10:00:09Z',
          },
        },
      },
    ],
  },
};

const steps = (t: readonly ShadowTimelineEntry[]) => t.map((e) => e.step);

test('a shadow that comes up: created, scheduled on its node, container started, Ready, removed — in order', () => {
  let timeline = mergeTimeline([], podSteps(pending, '2026-03-01T10:00:00.300Z'));
  timeline = mergeTimeline(timeline, podSteps(scheduled, '2026-03-01T10:00:01.300Z'));
  timeline = mergeTimeline(timeline, podSteps(ready, '2026-03-01T10:00:04.300Z'));
  // The same state on the next polls adds nothing.
  const again = mergeTimeline(timeline, podSteps(ready, '2026-03-01T10:00:05.300Z'));
  assert.ok(sameTimeline(again, timeline), 'a step seen again is not repeated');
  timeline = mergeTimeline(timeline, [removedStep('api-ng-shadow-x7k2p', '2026-03-01T10:00:40Z', true)]);
  assert.deepEqual(steps(timeline), ['created', 'scheduled', 'started', 'ready', 'removed']);
  assert.match(timeline[1]!.text, /on node kwok-node-1/);
  assert.equal(timeline[2]!.text, 'container api started');
  assert.equal(timeline[2]!.at, '2026-03-01T10:00:03.000Z', "the container's own start time, not when it was seen");
  assert.match(timeline[4]!.text, /deleted \(confirmed gone\)/);
  assert.ok(!steps(timeline).includes('waiting'), 'ContainerCreating is the normal way up, not a line');
});

test('an OOMKilled shadow shows the kill with its exit code, the restart, the back-off and the warning events', () => {
  let timeline = mergeTimeline([], podSteps(ready, '2026-03-01T10:00:04.300Z'));
  timeline = mergeTimeline(timeline, podSteps(oomKilled, '2026-03-01T10:00:10.000Z'));
  const events = [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container api',
      count: 2,
      firstTimestamp: '2026-03-01T10:00:10Z',
    },
    { type: 'Normal', reason: 'Pulled', message: 'Container image already present', count: 1 },
  ];
  timeline = mergeTimeline(timeline, eventSteps(events, '2026-03-01T10:00:10.500Z'));
  assert.deepEqual(steps(timeline), [
    'created',
    'scheduled',
    'started',
    'ready',
    'oomKilled',
    'restarted',
    'notReady',
    'waiting',
    'warning',
  ]);
  const text = timeline.map((e) => e.text).join('\n');
  assert.match(text, /container api OOMKilled, exit code 137/);
  assert.match(text, /container api restarted \(1 restart\)/);
  assert.match(text, /waiting: CrashLoopBackOff — back-off 10s/);
  assert.match(text, /not Ready \(ContainersNotReady\)/);
  assert.match(text, /BackOff ×2: Back-off restarting failed container api/);
  assert.doesNotMatch(text, /Pulled/, 'normal events repeat what the pod status already shows');

  // The event's count grows: the same line, with the new count, at its first time.
  const grown = mergeTimeline(timeline, eventSteps([{ ...events[0]!, count: 5 }], '2026-03-01T10:00:30Z'));
  assert.equal(grown.length, timeline.length);
  const warning = grown.find((e) => e.step === 'warning')!;
  assert.match(warning.text, /×5/);
  assert.equal(warning.at, '2026-03-01T10:00:10.000Z');
});

test('a shadow that cannot be created has a FailedCreate step with the server message', () => {
  const t = mergeTimeline(
    [],
    [failedCreateStep('pods "api-ng-shadow-" is forbidden: exceeded quota: pods', '2026-03-01T10:00:00Z')],
  );
  assert.deepEqual(steps(t), ['failedCreate']);
  assert.match(t[0]!.text, /^FailedCreate: .*exceeded quota/);
});

test('malformed pods and events give a usable timeline, never an exception', () => {
  const seenAt = '2026-03-01T10:00:00.000Z';
  for (const pod of [{}, { metadata: null, status: { conditions: 'x' } }, { status: { containerStatuses: [{}] } }]) {
    const t = mergeTimeline([], podSteps(pod as Record<string, unknown>, seenAt));
    assert.equal(t[0]!.step, 'created');
    assert.equal(t[0]!.at, seenAt, 'no creation time: when it was seen');
  }
  const hostile = eventSteps(
    [
      {
        type: 'Warning',
        reason: '<img src=x onerror=alert(1)>',
        message: '<script>x()</script>',
        firstTimestamp: 'soon',
      },
    ],
    seenAt,
  );
  assert.equal(hostile[0]!.at, seenAt);
  assert.match(hostile[0]!.text, /<script>/, 'kept as text; the panel renders it inert');
});

test('a pod that failed outright (activeDeadlineSeconds) says so', () => {
  const t = podSteps({ ...pending, status: { phase: 'Failed', reason: 'DeadlineExceeded' } }, created);
  assert.ok(t.some((e) => e.step === 'terminated' && /pod failed: DeadlineExceeded/.test(e.text)));
});
