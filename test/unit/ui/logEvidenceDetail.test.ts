import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIncidentDetail } from '../../../src/ui/incidentsPanel/incidentsState';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import type { ContainerStatus } from '../../../src/core/model/resources';
import { ClusterSnapshot, NOW, addApp, ago, cond, container, runningStatus, template } from '../detect/fixtures';
import { diagnoseWith, incidentOf } from '../diagnose/helpers';

const crashing: ContainerStatus = runningStatus({
  name: 'api',
  ready: false,
  restartCount: 2,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20) } },
});

test('the incident detail shows the log line of the crashed run in its evidence chain and its cause', () => {
  const s = new ClusterSnapshot();
  const spec = template({ labels: { app: 'checkout' }, containers: [container({ name: 'api' })] });
  const app = addApp(s, 'checkout', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({ spec, containerStatuses: [crashing], conditions: [cond('Ready', 'False')] }),
  });
  s.setLogTail({
    namespace: 'shop',
    pod: app.pods[0]!.meta.name,
    container: 'api',
    previous: true,
    restartCount: 2,
    lines: ['boot', 'panic: assignment to entry in nil map'],
    fetchedAt: NOW.toISOString(),
  });
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  const detail = buildIncidentDetail({
    incident: incidentOf(crashLoopBackOffDetector, s),
    cause,
    groupId: undefined,
    trail: [],
    signals: [],
  });
  const log = detail.timeline.find((e) => e.kind === 'log');
  assert.ok(log, JSON.stringify(detail.timeline));
  assert.match(log.text, /previous run of api logged: "panic: assignment to entry in nil map"/);
  assert.match(log.source, /Pod/);
  assert.equal(log.reason, 'LogError');
  const exit = detail.timeline.find((e) => e.kind === 'status' && e.text.startsWith('Error, exit code 1'));
  assert.ok(
    exit && exit.reason === undefined,
    `a reason the text starts with is not repeated: ${JSON.stringify(exit)}`,
  );
  assert.equal(log.count, undefined, 'the lines read are not a count of times seen (the panel would show "×2")');
  assert.match(detail.cause!.summary, /: panic: assignment to entry in nil map/);
});
